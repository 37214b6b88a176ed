/* The export formats by name, and the one entry point that picks the exporter. */
#include "export/export.h"

#include "core/error.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int hp_format_parse(const char *word, hp_format *out)
{
    /* In the order of hp_format. */
    static const char *const names[] = {"table", "csv", "xlsx", "json"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(names); i++) {
        if (strcmp(word, names[i]) == 0) {
            *out = (hp_format)i;
            return HP_OK;
        }
    }
    return hp_error_set(HP_EINVALID, "format: \"%s\" is not table, csv, xlsx or json", word);
}

const char *hp_format_extension(hp_format format)
{
    static const char *const ext[] = {"txt", "csv", "xlsx", "json"}; /* By hp_format. */
    return ext[format];
}

const char *hp_format_content_type(hp_format format)
{
    switch (format) {
    case HP_FORMAT_CSV:
        return "text/csv; charset=utf-8";
    case HP_FORMAT_XLSX:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case HP_FORMAT_JSON:
        return "application/json";
    case HP_FORMAT_TABLE:
        break;
    }
    return "text/plain; charset=utf-8";
}

int hp_export(const hp_report *report, hp_format format, FILE *out)
{
    switch (format) {
    case HP_FORMAT_CSV:
        return hp_export_csv(report, out);
    case HP_FORMAT_XLSX:
        return hp_export_xlsx(report, out);
    case HP_FORMAT_JSON:
        return hp_export_json(report, out);
    case HP_FORMAT_TABLE:
        break;
    }
    return hp_export_table(report, out);
}

const char *hp_number_text(const hp_report_column *col, const hp_report_row *row,
                           char buf[HP_NUMBER_TEXT_LEN])
{
    int64_t n = col->number(row);
    if (n == HP_REPORT_NULL)
        return "";
    switch (col->value) {
    case HP_CELL_TRUTH:
        return n ? "true" : "false";
    case HP_CELL_TENTHS:
        snprintf(buf, HP_NUMBER_TEXT_LEN, "%s%" PRId64 ".%" PRId64, n < 0 ? "-" : "",
                 (n < 0 ? -n : n) / HP_REPORT_TENTHS, (n < 0 ? -n : n) % HP_REPORT_TENTHS);
        return buf;
    case HP_CELL_COUNT:
        break;
    }
    snprintf(buf, HP_NUMBER_TEXT_LEN, "%" PRId64, n);
    return buf;
}
