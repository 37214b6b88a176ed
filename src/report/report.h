/*
 * The Room Usage and Staff Usage reports: one row for every room or staff member, counts over
 * a range of local days read from the report counters, sorted by any column. The insights
 * (report/insight.h) are reports of further kinds, built from their own counters into the
 * same rows and columns. The exporters in src/export turn any of them into CSV, XLSX, JSON or
 * a terminal table.
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

/* The two reports, then the insights (report/insight.h), in the order the API lists them. */
typedef enum {
    HP_REPORT_ROOMS,
    HP_REPORT_STAFF,
    HP_INSIGHT_DAILY,
    HP_INSIGHT_HEATMAP,
    HP_INSIGHT_DURATIONS,
    HP_INSIGHT_STUDENTS,
    HP_INSIGHT_LIMITS,
    HP_INSIGHT_RULES,
    HP_INSIGHT_SOURCES,
    HP_INSIGHT_ENCOUNTERS,
} hp_report_kind;

#define HP_INSIGHT_FIRST HP_INSIGHT_DAILY
#define HP_INSIGHT_LAST HP_INSIGHT_ENCOUNTERS

static inline bool hp_report_kind_is_insight(hp_report_kind kind)
{
    return kind >= HP_INSIGHT_FIRST;
}

/* A number cell with no value (an average of nothing): null in JSON, an empty cell elsewhere.
 * A text cell with none reads NULL. */
#define HP_REPORT_NULL INT64_MIN
/* A number column of tenths holds ten times its value: 45 is 4.5. */
#define HP_REPORT_TENTHS 10

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

/* The insights' rows (report/insight.h says what each count is). A compared insight keeps
 * its counts twice: cur over the range, prev over the compare range. */
typedef struct {
    int64_t passes, student, teacher, kiosk_mode, kiosk_login;
} hp_daily_row;

typedef struct {
    int64_t weekday, hour, passes;
} hp_heatmap_row;

typedef struct {
    int64_t ended, seconds, average_tenths, median, overtime, open;
} hp_duration_stats;

typedef struct {
    char *folder;
    hp_duration_stats cur, prev;
} hp_duration_row;

typedef struct {
    int64_t passes, now, scheduled, minutes_out, overtime, refused, prevented;
} hp_student_stats;

typedef struct {
    char *email;
    char *student_id; /* NULL when none */
    hp_student_stats cur, prev;
} hp_student_row;

typedef struct {
    int64_t refused_from, refused_to, waited, wait_seconds, average_wait, overridden;
} hp_limit_stats;

typedef struct {
    char *folder;
    hp_limit_stats cur, prev;
} hp_limit_row;

typedef struct {
    int64_t refused, overridden;
} hp_rule_row;

typedef struct {
    const char *type; /* Static: "now" or "scheduled". */
    int64_t type_rank;
    int64_t passes;
    int64_t in_staff_usage; /* 0 or 1 */
} hp_source_row;

typedef struct {
    int64_t members, active, prevented, overridden;
} hp_encounter_row;

typedef struct {
    int64_t id; /* The room's or the user's; an insight's: its rows' default order. */
    char *name; /* The first column's text (for an insight, its date, rule, source ...). */
    union {
        hp_room_usage room;         /* HP_REPORT_ROOMS */
        hp_staff_usage staff;       /* HP_REPORT_STAFF */
        hp_daily_row daily;         /* HP_INSIGHT_DAILY */
        hp_heatmap_row heatmap;     /* HP_INSIGHT_HEATMAP */
        hp_duration_row duration;   /* HP_INSIGHT_DURATIONS */
        hp_student_row student;     /* HP_INSIGHT_STUDENTS */
        hp_limit_row limit;         /* HP_INSIGHT_LIMITS */
        hp_rule_row rule;           /* HP_INSIGHT_RULES */
        hp_source_row source;       /* HP_INSIGHT_SOURCES */
        hp_encounter_row encounter; /* HP_INSIGHT_ENCOUNTERS */
    };
} hp_report_row;

/* How a number column's values are written: a count; tenths (45 is 4.5); a truth (0 or 1,
 * written false or true). */
typedef enum { HP_CELL_COUNT, HP_CELL_TENTHS, HP_CELL_TRUTH } hp_report_cell;

/* A column: how it is titled, sorted and named, and how a row's cell is read. A text column
 * has text() and no number(); a number column the other way round. A text column with rank()
 * sorts by that number (the rules' own order) instead of its text. */
typedef struct {
    const char *title;     /* Column title in CSV, XLSX and the table. */
    const char *key;       /* Sort key. */
    const char *json_name; /* Field name in the JSON rows. */
    const char *(*text)(const hp_report_row *row);
    int64_t (*number)(const hp_report_row *row);
    hp_report_cell value; /* Number columns. */
    int64_t (*rank)(const hp_report_row *row);
} hp_report_column;

/* Defines a column's accessor of one number a row holds: HP_ROW_NUMBER(room_passes_from,
 * room.passes_from). */
#define HP_ROW_NUMBER(name, expr)                                                                  \
    static int64_t name(const hp_report_row *row)                                                  \
    {                                                                                              \
        return row->expr;                                                                          \
    }

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
    char *destination; /* The heatmap's room, when one was asked for; else NULL. */
    /* The students insight over a range (or compare range) that reaches purged days: every
     * day through purged_through was purged (hallpass purge), so its counts leave them out. */
    bool purged;
    int32_t purged_through;
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
    const char *compare;     /* "previous", "FROM..TO", or NULL for no comparison */
    const char *destination; /* The heatmap insight's room, or NULL; the others ignore it. */
} hp_report_query;

int hp_report_kind_parse(const char *word, hp_report_kind *out);
const char *hp_report_kind_name(hp_report_kind kind); /* "rooms", "staff", "daily", ... */
const char *hp_report_title(hp_report_kind kind);     /* "Room Usage", ..., "Durations" */
/* What the table says when there are no rows: "(no rooms)". */
const char *hp_report_none(hp_report_kind kind);
/* A report's or insight's columns without compare, in their order (static; the pages read
 * their titles from here). */
const hp_report_column *hp_report_columns(hp_report_kind kind, size_t *count);

/* Starts a report of a kind from a query: its school, range and compare range (refused with
 * an error naming compare when can_compare is false), columns (own ones, and with compare
 * all of them) and fields likewise, and its sort. What report and insight builders share. */
typedef struct {
    const hp_report_column *columns;
    size_t own_columns;
    size_t all_columns;
    const hp_report_field *fields;
    size_t own_fields;
    size_t all_fields;
    bool can_compare;
} hp_report_shape;

int hp_report_start(hp_report *report, const hp_school *school, const hp_tz *tz,
                    hp_report_kind kind, const hp_report_shape *shape,
                    const hp_report_query *query);

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

/* Sorts rows by a column: natural order for text (or its rank), value for numbers, an empty
 * number before every other; ties by the first column ascending, then the rows' ids (creation
 * order, or an insight's default order). */
void hp_report_sort(hp_report *report, int column, bool descending);

/* Puts the rows in id order, and finds a row by id in rows so ordered (NULL when none): how
 * builders add counters to the rows of their subjects. */
void hp_report_sort_by_id(hp_report *report);
hp_report_row *hp_report_find_row(hp_report *report, int64_t id);

/* "room-usage_2026-09-01_2026-09-30.csv", "durations_2026-11-02_2026-11-06.csv" */
void hp_report_filename(const hp_report *report, const char *extension, char *out, size_t size);

#endif
