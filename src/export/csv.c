/*
 * CSV export: UTF-8 with a byte-order mark so that Excel reads the names right, CRLF line
 * ends, RFC 4180 quoting, and a guard against formula injection: a text cell that begins with
 * = + - @, a tab or a carriage return gets a leading apostrophe, so no spreadsheet runs it.
 */
#include "export/export.h"

#include "core/error.h"

#include <string.h>

static bool needs_guard(const char *text)
{
    return text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
}

int hp_csv_write_text(FILE *out, const char *text)
{
    bool quote = strpbrk(text, ",\"\r\n") != NULL;

    if (quote)
        fputc('"', out);
    if (needs_guard(text))
        fputc('\'', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    if (quote)
        fputc('"', out);
    return ferror(out) ? hp_error_set(HP_EIO, "writing CSV failed") : HP_OK;
}

int hp_export_csv(const hp_report *report, FILE *out)
{
    fputs(HP_CSV_BOM, out);
    for (size_t c = 0; c < report->column_count; c++) {
        if (c)
            fputc(',', out);
        hp_csv_write_text(out, report->columns[c].title);
    }
    fputs("\r\n", out);
    for (size_t r = 0; r < report->row_count; r++) {
        const hp_report_row *row = &report->rows[r];
        for (size_t c = 0; c < report->column_count; c++) {
            const hp_report_column *col = &report->columns[c];
            if (c)
                fputc(',', out);
            char num[HP_NUMBER_TEXT_LEN];
            if (hp_report_column_numeric(col))
                fputs(hp_number_text(col, row, num), out);
            else
                hp_csv_write_text(out, hp_text_cell(col, row));
        }
        fputs("\r\n", out);
    }
    if (fflush(out) != 0 || ferror(out))
        return hp_error_set(HP_EIO, "writing CSV failed");
    return HP_OK;
}
