/*
 * The Room Usage and Staff Usage reports: one row for every room or staff member, counts over
 * a range of local days read from the report counters, sorted by any column. The exporters in
 * src/export turn a report into CSV, XLSX, JSON or a terminal table.
 */
#ifndef HP_REPORT_REPORT_H
#define HP_REPORT_REPORT_H

#include "core/model.h"
#include "core/tz.h"
#include "report/benchmark.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { HP_REPORT_ROOMS, HP_REPORT_STAFF } hp_report_kind;

/* Room Usage: a room's folder ("" for none) and the passes from it and to it; prev_ the same
 * over the compare range (0 without one). The folder's medians are in halves (twice their
 * value, HP_MEDIAN_NONE for none; report/benchmark.h). */
typedef struct {
    char *folder;
    int64_t passes_from;
    int64_t passes_to;
    int64_t prev_passes_from;
    int64_t prev_passes_to;
    int64_t folder_median_from;
    int64_t folder_median_to;
    hp_folder_flag from_flag;
} hp_room_usage;

/* Staff Usage: a staff member's email and the passes that count for them; the now passes
 * split by where they were made (now_login + now_kiosk = now); prev_ the same over the compare
 * range (0 without one). */
typedef struct {
    char *email;
    int64_t total; /* now + scheduled */
    int64_t now;
    int64_t scheduled;
    int64_t now_login; /* source teacher */
    int64_t now_kiosk; /* source kiosk_mode */
    int64_t prev_total;
    int64_t prev_now;
    int64_t prev_scheduled;
    int64_t prev_now_login;
    int64_t prev_now_kiosk;
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

/* A field only the JSON rows have (CSV, XLSX and the table keep their columns): a count, a
 * median in halves (HP_MEDIAN_NONE writes null) or a word (NULL writes null). */
typedef enum { HP_FIELD_COUNT, HP_FIELD_HALVES, HP_FIELD_WORD } hp_report_field_type;

typedef struct {
    const char *json_name;
    hp_report_field_type type;
    int64_t (*number)(const hp_report_row *row);   /* HP_FIELD_COUNT, HP_FIELD_HALVES */
    const char *(*text)(const hp_report_row *row); /* HP_FIELD_WORD */
} hp_report_field;

typedef struct {
    hp_report_kind kind;
    char *school;
    int32_t from_day;
    int32_t to_day;
    int sort_column;
    bool descending;
    bool compare; /* A compare range was asked for: the prev_ columns and fields are there. */
    int32_t compare_from_day;
    int32_t compare_to_day;
    /* The columns of every format: the report's own, then with compare their prev_ twins. */
    const hp_report_column *columns;
    size_t column_count;
    /* What the JSON rows have beyond the columns, after them. */
    const hp_report_field *fields;
    size_t field_count;
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
    const char *compare; /* "previous", "FROM..TO", or NULL for no comparison */
} hp_report_query;

int hp_report_kind_parse(const char *word, hp_report_kind *out);
const char *hp_report_kind_name(hp_report_kind kind); /* "rooms" or "staff" */
const char *hp_report_title(hp_report_kind kind);     /* "Room Usage" or "Staff Usage" */
/* A report's columns without compare, in their order (static; the pages read their titles
 * from here). */
const hp_report_column *hp_report_columns(hp_report_kind kind, size_t *count);

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

/* Resolves a compare word against the report's range: "previous" is the range of as many days
 * that ends the day before from_day (cut at the first date a query may name), "FROM..TO" names
 * one. Errors name the parameter: `compare: ...`. */
int hp_report_compare_range(const char *compare, int32_t from_day, int32_t to_day,
                            int32_t *compare_from, int32_t *compare_to);

/* Sorts rows by a column: natural order for text, value for numbers; ties by the name column
 * ascending, then creation order. */
void hp_report_sort(hp_report *report, int column, bool descending);

/* "room-usage_2026-09-01_2026-09-30.csv" */
void hp_report_filename(const hp_report *report, const char *extension, char *out, size_t size);

#endif
