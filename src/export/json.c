/*
 * JSON export: the report's name, school, range, sort and order (and the compare range when
 * there is one), then one object per row named by the columns' JSON names, with the fields
 * only JSON has after them. The HTTP API answers the same bytes.
 */
#include "export/export.h"

#include "core/error.h"

#include <jansson.h>

/* A JSON-only field's value: a median in halves is whole or ends in .5. */
static json_t *field_to_json(const hp_report_field *field, const hp_report_row *row)
{
    const char *word;
    int64_t n;
    switch (field->type) {
    case HP_FIELD_WORD:
        word = field->text(row);
        return word ? json_string(word) : json_null();
    case HP_FIELD_HALVES:
        n = field->number(row);
        if (n == HP_MEDIAN_NONE)
            return json_null();
        return n % 2 ? json_real((double)n / 2) : json_integer(n / 2);
    case HP_FIELD_COUNT:
        break;
    }
    return json_integer(field->number(row));
}

/* A number column's cell: null when empty, a decimal for tenths, a truth, else a count. */
static json_t *number_to_json(const hp_report_column *col, const hp_report_row *row)
{
    int64_t n = col->number(row);
    if (n == HP_REPORT_NULL)
        return json_null();
    switch (col->value) {
    case HP_CELL_TRUTH:
        return json_boolean(n != 0);
    case HP_CELL_TENTHS:
        return json_real((double)n / HP_REPORT_TENTHS);
    case HP_CELL_COUNT:
        break;
    }
    return json_integer(n);
}

static json_t *text_to_json(const hp_report_column *col, const hp_report_row *row)
{
    const char *text = col->text(row);
    return text ? json_string(text) : json_null();
}

json_t *hp_export_json_value(const hp_report *report)
{
    char from[HP_DATE_LEN], to[HP_DATE_LEN];
    hp_date_format(report->from_day, from);
    hp_date_format(report->to_day, to);

    json_t *root = json_object();
    json_object_set_new(root, hp_report_kind_is_insight(report->kind) ? "insight" : "report",
                        json_string(hp_report_kind_name(report->kind)));
    json_object_set_new(root, "school", json_string(report->school));
    json_object_set_new(root, "from", json_string(from));
    json_object_set_new(root, "to", json_string(to));
    json_object_set_new(root, "sort", json_string(report->columns[report->sort_column].key));
    json_object_set_new(root, "order", json_string(report->descending ? "desc" : "asc"));
    if (report->compare) {
        char cf[HP_DATE_LEN], ct[HP_DATE_LEN];
        hp_date_format(report->compare_from_day, cf);
        hp_date_format(report->compare_to_day, ct);
        json_object_set_new(root, "compare_from", json_string(cf));
        json_object_set_new(root, "compare_to", json_string(ct));
    }
    if (report->destination)
        json_object_set_new(root, "destination", json_string(report->destination));
    if (report->purged) {
        char through[HP_DATE_LEN];
        hp_date_format(report->purged_through, through);
        json_object_set_new(root, "purged_through", json_string(through));
    }

    json_t *rows = json_array();
    for (size_t r = 0; r < report->row_count; r++) {
        const hp_report_row *row = &report->rows[r];
        json_t *obj = json_object();
        for (size_t c = 0; c < report->column_count; c++) {
            const hp_report_column *col = &report->columns[c];
            json_object_set_new(obj, col->json_name,
                                hp_report_column_numeric(col) ? number_to_json(col, row)
                                                              : text_to_json(col, row));
        }
        for (size_t f = 0; f < report->field_count; f++)
            json_object_set_new(obj, report->fields[f].json_name,
                                field_to_json(&report->fields[f], row));
        json_array_append_new(rows, obj);
    }
    json_object_set_new(root, "rows", rows);
    return root;
}

int hp_export_json(const hp_report *report, FILE *out)
{
    json_t *root = hp_export_json_value(report);
    /* Fifteen digits: a tenth reads 0.1, not the nearest double's seventeen digits. */
    int rc = json_dumpf(root, out, JSON_REAL_PRECISION(15));
    json_decref(root);
    fputc('\n', out);
    if (rc != 0 || fflush(out) != 0 || ferror(out))
        return hp_error_set(HP_EIO, "writing JSON failed");
    return HP_OK;
}
