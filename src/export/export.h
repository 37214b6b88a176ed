/*
 * Exporters: a report as CSV, XLSX, JSON or an aligned table for a terminal. Each writes
 * exactly the report's rows in the report's order, each cell read through its column.
 */
#ifndef HP_EXPORT_EXPORT_H
#define HP_EXPORT_EXPORT_H

#include "report/report.h"

#include <jansson.h>
#include <stdio.h>

typedef enum { HP_FORMAT_TABLE, HP_FORMAT_CSV, HP_FORMAT_XLSX, HP_FORMAT_JSON } hp_format;

int hp_format_parse(const char *word, hp_format *out);
const char *hp_format_extension(hp_format format);
const char *hp_format_content_type(hp_format format);

/* Writes the report in the format to out. XLSX is built in a temporary file first, since a
 * zip archive cannot be streamed; the others stream. */
int hp_export(const hp_report *report, hp_format format, FILE *out);

int hp_export_csv(const hp_report *report, FILE *out);
int hp_export_json(const hp_report *report, FILE *out);
/* The JSON that hp_export_json() writes, as a new value (json_decref it), for an answer that
 * adds to it. */
json_t *hp_export_json_value(const hp_report *report);
int hp_export_table(const hp_report *report, FILE *out);
/* Writes the workbook to a file at path. */
int hp_export_xlsx_file(const hp_report *report, const char *path);
int hp_export_xlsx(const hp_report *report, FILE *out);

/* Room for any cell a number column writes (an int64_t, its sign, a decimal point, NUL). */
#define HP_NUMBER_TEXT_LEN 32

/* A number column's cell as CSV and the table write it: "" when empty, "4.5" for tenths,
 * "true" or "false" for a truth, else the count. Returns text, or buf holding it. */
const char *hp_number_text(const hp_report_column *col, const hp_report_row *row,
                           char buf[HP_NUMBER_TEXT_LEN]);

/* A text column's cell: "" when it has none. */
static inline const char *hp_text_cell(const hp_report_column *col, const hp_report_row *row)
{
    const char *text = col->text(row);
    return text ? text : "";
}

/* Terminal columns of text: East Asian wide characters take two, combining marks none. */
size_t hp_text_width(const char *text);
/* Writes a table's cell padded to width terminal columns, on the right or the left; control
 * characters would break the layout, so they are written as spaces. */
void hp_table_cell(FILE *out, const char *text, size_t width, bool right);

/* Excel takes a CSV file as UTF-8 only when it begins with this byte-order mark. */
#define HP_CSV_BOM "\xEF\xBB\xBF"

/* Writes one CSV text cell: the formula guard, then RFC 4180 quoting when needed. */
int hp_csv_write_text(FILE *out, const char *text);

/* The audit log's records (newest first, as read), times in the school's zone: CSV (columns
 * time, who, address, action, target, detail; the formula guard on every cell), JSON
 * ({"records": [...]}) or a table. XLSX is not offered. */
int hp_export_audit(const hp_audit_record *records, size_t count, const hp_tz *tz, hp_format format,
                    FILE *out);
/* One record as the API and the JSON export give it: id, at (ISO 8601 with the school's
 * offset), who, address, action, target, detail (an object, or null). */
json_t *hp_audit_record_json(const hp_audit_record *record, const hp_tz *tz);

#endif
