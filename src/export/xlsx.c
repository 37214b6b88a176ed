/*
 * XLSX export through libxlsxwriter: the first sheet is named after the report, the column
 * titles in bold in a frozen first row, an auto-filter over the table, counts as numbers and
 * every name as a text cell, never a formula. libxlsxwriter appears only in this file, which
 * is built as the module hallpass-xlsx.so (export/xlsx.h); writing to a stream is in
 * xlsx_module.c, with the core.
 */
#include "export/xlsx.h"

#include "export/export.h"

#include "core/error.h"

#include <glib.h>
#include <string.h>
#include <xlsxwriter.h>

/* Column widths in characters: as wide as the longest cell, but a very long name is cut off
 * on screen rather than pushing the counts away; a little padding so text does not touch the
 * cell's edge. */
#define COLUMN_WIDTH_MAX 60
#define COLUMN_PADDING 2

static double column_width(const hp_report *report, size_t c)
{
    const hp_report_column *col = &report->columns[c];
    size_t width = strlen(col->title);
    if (!hp_report_column_numeric(col)) {
        for (size_t r = 0; r < report->row_count; r++) {
            const char *text = hp_text_cell(col, &report->rows[r]);
            size_t w =
                g_utf8_validate(text, -1, NULL) ? (size_t)g_utf8_strlen(text, -1) : strlen(text);
            if (w > width)
                width = w;
        }
    }
    if (width > COLUMN_WIDTH_MAX)
        width = COLUMN_WIDTH_MAX;
    return (double)width + COLUMN_PADDING;
}

int hp_xlsx_write(const hp_report *report, const char *path)
{
    lxw_workbook *workbook = workbook_new(path);
    if (workbook == NULL)
        return hp_error_set(HP_EIO, "%s: cannot create the workbook", path);

    lxw_worksheet *sheet = workbook_add_worksheet(workbook, hp_report_title(report->kind));
    lxw_format *bold = workbook_add_format(workbook);
    format_set_bold(bold);

    for (size_t c = 0; c < report->column_count; c++) {
        worksheet_write_string(sheet, 0, (lxw_col_t)c, report->columns[c].title, bold);
        worksheet_set_column(sheet, (lxw_col_t)c, (lxw_col_t)c, column_width(report, c), NULL);
    }
    for (size_t r = 0; r < report->row_count; r++) {
        const hp_report_row *row = &report->rows[r];
        lxw_row_t xr = (lxw_row_t)(r + 1);
        for (size_t c = 0; c < report->column_count; c++) {
            const hp_report_column *col = &report->columns[c];
            if (!hp_report_column_numeric(col)) {
                const char *text = col->text(row);
                if (text) /* No text: a blank cell. */
                    worksheet_write_string(sheet, xr, (lxw_col_t)c, text, NULL);
                continue;
            }
            int64_t n = col->number(row);
            if (n == HP_REPORT_NULL) /* Blank, so a spreadsheet's average skips it. */
                continue;
            if (col->value == HP_CELL_TRUTH)
                worksheet_write_boolean(sheet, xr, (lxw_col_t)c, n != 0, NULL);
            else
                worksheet_write_number(
                    sheet, xr, (lxw_col_t)c,
                    col->value == HP_CELL_TENTHS ? (double)n / HP_REPORT_TENTHS : (double)n, NULL);
        }
    }
    worksheet_freeze_panes(sheet, 1, 0);
    worksheet_autofilter(sheet, 0, 0, (lxw_row_t)report->row_count,
                         (lxw_col_t)(report->column_count - 1));

    lxw_error err = workbook_close(workbook);
    if (err != LXW_NO_ERROR)
        return hp_error_set(HP_EIO, "%s: writing the workbook failed: %s", path, lxw_strerror(err));
    return HP_OK;
}
