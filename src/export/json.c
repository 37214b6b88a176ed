/*
 * JSON export: the report's name, school, range, sort and order, then one object per row
 * named by the columns' JSON names. The HTTP API answers the same bytes.
 */
#include "export/export.h"

#include "core/error.h"

#include <jansson.h>

static json_t *report_to_json(const hp_report *report)
{
    char from[HP_DATE_LEN], to[HP_DATE_LEN];
    hp_date_format(report->from_day, from);
    hp_date_format(report->to_day, to);

    json_t *root = json_object();
    json_object_set_new(root, "report", json_string(hp_report_kind_name(report->kind)));
    json_object_set_new(root, "school", json_string(report->school));
    json_object_set_new(root, "from", json_string(from));
    json_object_set_new(root, "to", json_string(to));
    json_object_set_new(root, "sort", json_string(report->columns[report->sort_column].key));
    json_object_set_new(root, "order", json_string(report->descending ? "desc" : "asc"));

    json_t *rows = json_array();
    for (size_t r = 0; r < report->row_count; r++) {
        const hp_report_row *row = &report->rows[r];
        json_t *obj = json_object();
        for (size_t c = 0; c < report->column_count; c++) {
            const hp_report_column *col = &report->columns[c];
            json_object_set_new(obj, col->json_name,
                                hp_report_column_numeric(col) ? json_integer(col->number(row))
                                                              : json_string(col->text(row)));
        }
        json_array_append_new(rows, obj);
    }
    json_object_set_new(root, "rows", rows);
    return root;
}

int hp_export_json(const hp_report *report, FILE *out)
{
    json_t *root = report_to_json(report);
    int rc = json_dumpf(root, out, 0);
    json_decref(root);
    fputc('\n', out);
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return hp_error_set(HP_EIO, "writing JSON failed");
    return HP_OK;
}
