/*
 * The audit log's records as CSV, JSON or a terminal table, for `hallpass audit` and
 * GET /api/audit alike, so that the file an admin downloads and the one a command writes are
 * the same bytes. Records are not a report (they have no counters, sort or range of days), so
 * they have their own writer, sharing the CSV formula guard and the table's cell.
 */
#include "export/export.h"

#include "core/error.h"

#include <glib.h>
#include <stdlib.h>

/* The columns of every format, in order. */
enum { COL_TIME, COL_WHO, COL_ADDRESS, COL_ACTION, COL_TARGET, COL_DETAIL, COL_COUNT };
static const char *const titles[COL_COUNT] = {"time",   "who",    "address",
                                              "action", "target", "detail"};

/* A record's cells as text; detail is the stored JSON text. */
static void cells_of(const hp_audit_record *r, const hp_tz *tz, char time[HP_DATETIME_LEN],
                     const char *cells[COL_COUNT])
{
    hp_tz_format_datetime(tz, r->at, time);
    cells[COL_TIME] = time;
    cells[COL_WHO] = r->who ? r->who : "";
    cells[COL_ADDRESS] = r->address ? r->address : "";
    cells[COL_ACTION] = r->action ? r->action : "";
    cells[COL_TARGET] = r->target ? r->target : "";
    cells[COL_DETAIL] = r->detail ? r->detail : "";
}

static int write_csv(const hp_audit_record *records, size_t count, const hp_tz *tz, FILE *out)
{
    fputs(HP_CSV_BOM, out);
    for (size_t c = 0; c < COL_COUNT; c++) {
        if (c)
            fputc(',', out);
        hp_csv_write_text(out, titles[c]);
    }
    fputs("\r\n", out);
    for (size_t i = 0; i < count; i++) {
        char time[HP_DATETIME_LEN];
        const char *cells[COL_COUNT];
        cells_of(&records[i], tz, time, cells);
        for (size_t c = 0; c < COL_COUNT; c++) {
            if (c)
                fputc(',', out);
            hp_csv_write_text(out, cells[c]);
        }
        fputs("\r\n", out);
    }
    return HP_OK;
}

json_t *hp_audit_record_json(const hp_audit_record *r, const hp_tz *tz)
{
    char time[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, r->at, time);
    json_t *detail = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:o}", "id", (json_int_t)r->id, "at", time,
                     "who", r->who ? r->who : "", "address",
                     r->address ? json_string(r->address) : json_null(), "action",
                     r->action ? r->action : "", "target", r->target ? r->target : "", "detail",
                     detail ? detail : json_null());
}

static int write_json(const hp_audit_record *records, size_t count, const hp_tz *tz, FILE *out)
{
    json_t *items = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(items, hp_audit_record_json(&records[i], tz));
    json_t *doc = json_pack("{s:o}", "records", items);
    int rc = json_dumpf(doc, out, JSON_INDENT(2));
    json_decref(doc);
    fputc('\n', out);
    return rc == 0 ? HP_OK : hp_error_set(HP_EIO, "writing JSON failed");
}

/* Between two columns, as the reports' table has it. */
#define COLUMN_GAP "  "

/* One line of the table: its cells, measured before any is written. */
typedef struct {
    char time[HP_DATETIME_LEN];
    const char *cells[COL_COUNT];
} table_line;

static int write_table(const hp_audit_record *records, size_t count, const hp_tz *tz, FILE *out)
{
    size_t width[COL_COUNT];
    table_line *lines = g_new0(table_line, count ? count : 1);
    for (size_t c = 0; c < COL_COUNT; c++)
        width[c] = hp_text_width(titles[c]);
    for (size_t i = 0; i < count; i++) {
        cells_of(&records[i], tz, lines[i].time, lines[i].cells);
        for (size_t c = 0; c < COL_COUNT; c++) {
            size_t w = hp_text_width(lines[i].cells[c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t c = 0; c < COL_COUNT; c++) {
        if (c)
            fputs(COLUMN_GAP, out);
        hp_table_cell(out, titles[c], c + 1 == COL_COUNT ? 0 : width[c], false);
    }
    fputc('\n', out);
    for (size_t i = 0; i < count; i++) {
        for (size_t c = 0; c < COL_COUNT; c++) {
            if (c)
                fputs(COLUMN_GAP, out);
            /* The last column needs no padding: no trailing spaces. */
            hp_table_cell(out, lines[i].cells[c], c + 1 == COL_COUNT ? 0 : width[c], false);
        }
        fputc('\n', out);
    }
    if (count == 0)
        fputs("(no records)\n", out);
    g_free(lines);
    return HP_OK;
}

int hp_export_audit(const hp_audit_record *records, size_t count, const hp_tz *tz, hp_format format,
                    FILE *out)
{
    int rc;
    switch (format) {
    case HP_FORMAT_CSV:
        rc = write_csv(records, count, tz, out);
        break;
    case HP_FORMAT_JSON:
        rc = write_json(records, count, tz, out);
        break;
    case HP_FORMAT_TABLE:
        rc = write_table(records, count, tz, out);
        break;
    default:
        return hp_error_set(HP_EINVALID, "format: the audit log is table, csv or json");
    }
    if (rc == HP_OK && (fflush(out) != 0 || ferror(out)))
        rc = hp_error_set(HP_EIO, "writing the audit log failed");
    return rc;
}
