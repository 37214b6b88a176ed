/*
 * A report as an aligned table for a terminal: a title line, then columns padded to the
 * widest cell, numbers on the right. Widths count characters, not bytes, so names in any
 * language line up.
 */
#include "export/export.h"

#include "core/error.h"

#include <glib.h>
#include <string.h>

/* Between two columns. */
#define COLUMN_GAP "  "

size_t hp_text_width(const char *text)
{
    if (!g_utf8_validate(text, -1, NULL))
        return strlen(text);
    size_t width = 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        width += g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
    }
    return width;
}

void hp_table_cell(FILE *out, const char *text, size_t width, bool right)
{
    size_t w = hp_text_width(text);
    if (right)
        for (size_t i = w; i < width; i++)
            fputc(' ', out);
    for (const char *p = text; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
    if (!right)
        for (size_t i = w; i < width; i++)
            fputc(' ', out);
}

/* Each column's width: its widest cell, the title included. */
static size_t *measure_columns(const hp_report *report)
{
    size_t *width = g_new0(size_t, report->column_count);
    char num[HP_NUMBER_TEXT_LEN];
    for (size_t c = 0; c < report->column_count; c++) {
        const hp_report_column *col = &report->columns[c];
        width[c] = hp_text_width(col->title);
        for (size_t r = 0; r < report->row_count; r++) {
            const hp_report_row *row = &report->rows[r];
            size_t w = hp_text_width(hp_report_column_numeric(col) ? hp_number_text(col, row, num)
                                                                   : hp_text_cell(col, row));
            if (w > width[c])
                width[c] = w;
        }
    }
    return width;
}

/* The title line, the column titles and a rule under each. */
static void put_header(const hp_report *report, const size_t *width, FILE *out)
{
    char from[HP_DATE_LEN], to[HP_DATE_LEN];
    hp_date_format(report->from_day, from);
    hp_date_format(report->to_day, to);
    fprintf(out, "%s: %s, %s to %s", hp_report_title(report->kind), report->school, from, to);
    if (report->destination)
        fprintf(out, ", to %s", report->destination);
    if (report->compare) {
        char cf[HP_DATE_LEN], ct[HP_DATE_LEN];
        hp_date_format(report->compare_from_day, cf);
        hp_date_format(report->compare_to_day, ct);
        fprintf(out, " compared with %s to %s", cf, ct);
    }
    fprintf(out, ", by %s %s\n", report->columns[report->sort_column].key,
            report->descending ? "descending" : "ascending");
    if (report->purged) {
        char through[HP_DATE_LEN];
        hp_date_format(report->purged_through, through);
        fprintf(out, "Purged: the days through %s were purged; these counts leave them out\n",
                through);
    }
    fputc('\n', out);

    for (size_t c = 0; c < report->column_count; c++) {
        if (c)
            fputs(COLUMN_GAP, out);
        hp_table_cell(out, report->columns[c].title, width[c],
                      hp_report_column_numeric(&report->columns[c]));
    }
    fputc('\n', out);
    for (size_t c = 0; c < report->column_count; c++) {
        if (c)
            fputs(COLUMN_GAP, out);
        for (size_t i = 0; i < width[c]; i++)
            fputc('-', out);
    }
    fputc('\n', out);
}

/* One line per row, or a line saying there are none. */
static void put_rows(const hp_report *report, const size_t *width, FILE *out)
{
    char num[HP_NUMBER_TEXT_LEN];
    for (size_t r = 0; r < report->row_count; r++) {
        const hp_report_row *row = &report->rows[r];
        for (size_t c = 0; c < report->column_count; c++) {
            const hp_report_column *col = &report->columns[c];
            if (c)
                fputs(COLUMN_GAP, out);
            if (hp_report_column_numeric(col)) {
                hp_table_cell(out, hp_number_text(col, row, num), width[c], true);
            } else {
                /* The last column needs no padding: no trailing spaces. */
                hp_table_cell(out, hp_text_cell(col, row),
                              c + 1 == report->column_count ? 0 : width[c], false);
            }
        }
        fputc('\n', out);
    }
    if (report->row_count == 0)
        fprintf(out, "%s\n", hp_report_none(report->kind));
}

int hp_export_table(const hp_report *report, FILE *out)
{
    size_t *width = measure_columns(report);
    put_header(report, width, out);
    put_rows(report, width, out);
    g_free(width);
    if (fflush(out) != 0 || ferror(out))
        return hp_error_set(HP_EIO, "writing the table failed");
    return HP_OK;
}
