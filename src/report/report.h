/*
 * The Room Usage and Staff Usage reports: one row for every room or staff member, counts over
 * a range of local days read from the report counters, sorted by any column. The exporters in
 * src/export turn a report into CSV, XLSX, JSON or a terminal table.
 */
#ifndef HP_REPORT_REPORT_H
#define HP_REPORT_REPORT_H

#include "core/model.h"
#include "core/tz.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { HP_REPORT_ROOMS, HP_REPORT_STAFF } hp_report_kind;

/* Room Usage: a room's folder ("" for none) and the passes from it and to it. */
typedef struct {
    char *folder;
    int64_t passes_from;
    int64_t passes_to;
} hp_room_usage;

/* Staff Usage: a staff member's email and the passes that count for them. */
typedef struct {
    char *email;
    int64_t total; /* now + scheduled */
    int64_t now;
    int64_t scheduled;
} hp_staff_usage;

typedef struct {
    int64_t id; /* The room's or the user's. */
    char *name; /* The room's or the staff member's: the first column, and the tie-breaker. */
    union {
        hp_room_usage room;   /* HP_REPORT_ROOMS */
        hp_staff_usage staff; /* HP_REPORT_STAFF */
    };
} hp_report_row;

/* A column: how it is titled, sorted and named, and how a row's cell is read. A text column
 * has text() and no number(); a number column the other way round. */
typedef struct {
    const char *title;     /* Column title in CSV, XLSX and the table. */
    const char *key;       /* Sort key. */
    const char *json_name; /* Field name in the JSON rows. */
    const char *(*text)(const hp_report_row *row);
    int64_t (*number)(const hp_report_row *row);
} hp_report_column;

static inline bool hp_report_column_numeric(const hp_report_column *column)
{
    return column->number != NULL;
}

typedef struct {
    hp_report_kind kind;
    char *school;
    int32_t from_day;
    int32_t to_day;
    int sort_column;
    bool descending;
    const hp_report_column *columns;
    size_t column_count;
    hp_report_row *rows;
    size_t row_count;
} hp_report;

/* What a user asks for; NULL fields take the defaults (the 30 days ending today, sorted by
 * the name column ascending). */
typedef struct {
    const char *from;
    const char *to;
    const char *sort;
    const char *order;
} hp_report_query;

int hp_report_kind_parse(const char *word, hp_report_kind *out);
const char *hp_report_kind_name(hp_report_kind kind); /* "rooms" or "staff" */
const char *hp_report_title(hp_report_kind kind);     /* "Room Usage" or "Staff Usage" */

/* Builds the report for a school. Bad query values are HP_EINVALID errors whose message names
 * the parameter: `from: "2026-02-30" is not a date YYYY-MM-DD`. */
int hp_report_build(hp_report **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                    hp_report_kind kind, const hp_report_query *query);
void hp_report_free(hp_report *report);
/* Frees what a row holds; the kind says which of its fields are in use. */
void hp_report_row_release(hp_report_row *row, hp_report_kind kind);

/* The days a report covers by default: the 30 ending on `to` (or today). */
#define HP_REPORT_DEFAULT_DAYS 30

/* Resolves a query's range against today in the school's zone. A default `from` never goes
 * before the first date a query may name (0001-01-01): the range then starts there. */
int hp_report_range(const hp_tz *tz, const char *from, const char *to, int32_t *from_day,
                    int32_t *to_day);

/* Sorts rows by a column: natural order for text, value for numbers; ties by the name column
 * ascending, then creation order. */
void hp_report_sort(hp_report *report, int column, bool descending);

/* "room-usage_2026-09-01_2026-09-30.csv" */
void hp_report_filename(const hp_report *report, const char *extension, char *out, size_t size);

#endif
