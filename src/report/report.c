/* Builds and sorts the Room Usage and Staff Usage reports; see report.h. */
#include "report/report.h"

#include "core/error.h"
#include "core/natord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hp_report_column room_columns[] = {
    {"Room", "room", "room", false, 0},
    {"Folder", "folder", "folder", false, 1},
    {"Passes From This Room", "from", "passes_from", true, 0},
    {"Passes To This Room", "to", "passes_to", true, 1},
};

static const hp_report_column staff_columns[] = {
    {"Staff", "staff", "staff", false, 0},
    {"Email", "email", "email", false, 1},
    {"Total Passes", "total", "total", true, 0},
    {"Now Passes", "now", "now", true, 1},
    {"Scheduled Passes", "scheduled", "scheduled", true, 2},
};

#define DEFAULT_RANGE_DAYS 30

int hp_report_kind_parse(const char *word, hp_report_kind *out)
{
    if (strcmp(word, "rooms") == 0)
        *out = HP_REPORT_ROOMS;
    else if (strcmp(word, "staff") == 0)
        *out = HP_REPORT_STAFF;
    else
        return hp_error_set(HP_EINVALID, "\"%s\" is not a report (rooms, staff)", word);
    return HP_OK;
}

const char *hp_report_kind_name(hp_report_kind kind)
{
    return kind == HP_REPORT_ROOMS ? "rooms" : "staff";
}

const char *hp_report_title(hp_report_kind kind)
{
    return kind == HP_REPORT_ROOMS ? "Room Usage" : "Staff Usage";
}

int hp_report_range(const hp_tz *tz, const char *from, const char *to, int32_t *from_day,
                    int32_t *to_day)
{
    int32_t f, t;

    if (to) {
        if (hp_date_parse(to, &t) < 0)
            return hp_error_prefix(HP_EINVALID, "to");
    } else {
        t = hp_tz_today(tz);
    }
    if (from) {
        if (hp_date_parse(from, &f) < 0)
            return hp_error_prefix(HP_EINVALID, "from");
    } else {
        f = t - (DEFAULT_RANGE_DAYS - 1);
    }
    if (f > t) {
        char fs[HP_DATE_LEN], ts[HP_DATE_LEN];
        hp_date_format(f, fs);
        hp_date_format(t, ts);
        return hp_error_set(HP_EINVALID, "from: %s is after to %s", fs, ts);
    }
    *from_day = f;
    *to_day = t;
    return HP_OK;
}

static int find_column(hp_report *report, const char *key)
{
    for (size_t i = 0; i < report->column_count; i++)
        if (strcmp(report->columns[i].key, key) == 0)
            return (int)i;
    return -1;
}

static int parse_sort(hp_report *report, const hp_report_query *query)
{
    report->sort_column = 0;
    report->descending = false;
    if (query->sort) {
        int col = find_column(report, query->sort);
        if (col < 0) {
            char keys[128] = "";
            for (size_t i = 0; i < report->column_count; i++) {
                strcat(keys, i ? ", " : "");
                strcat(keys, report->columns[i].key);
            }
            return hp_error_set(HP_EINVALID, "sort: \"%s\" is not a column of the %s report (%s)",
                                query->sort, hp_report_kind_name(report->kind), keys);
        }
        report->sort_column = col;
    }
    if (query->order) {
        if (strcmp(query->order, "desc") == 0)
            report->descending = true;
        else if (strcmp(query->order, "asc") != 0)
            return hp_error_set(HP_EINVALID, "order: \"%s\" is not asc or desc", query->order);
    }
    return HP_OK;
}

static int compare_usage_id(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key;
    int64_t other = ((const hp_report_row *)elem)->id;
    return id < other ? -1 : id > other;
}

static int compare_row_id(const void *a, const void *b)
{
    int64_t x = ((const hp_report_row *)a)->id, y = ((const hp_report_row *)b)->id;
    return x < y ? -1 : x > y;
}

/* Adds the counters to the rows; an id may come many times (a month, then days). Rows are in
 * id order, so each id is a binary search. */
static void merge_usage(hp_report *report, const hp_usage *usage, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        hp_report_row *row = bsearch(&usage[i].id, report->rows, report->row_count,
                                     sizeof(*report->rows), compare_usage_id);
        if (row == NULL)
            continue;
        if (report->kind == HP_REPORT_ROOMS) {
            row->num[0] += usage[i].a;
            row->num[1] += usage[i].b;
        } else {
            row->num[0] += usage[i].a + usage[i].b;
            row->num[1] += usage[i].a;
            row->num[2] += usage[i].b;
        }
    }
}

static int load_rows(hp_report *report, hp_store *store, int64_t school_id)
{
    int rc;
    if (report->kind == HP_REPORT_ROOMS) {
        hp_room *rooms;
        size_t n;
        if ((rc = hp_store_rooms_list(store, school_id, &rooms, &n)) < 0)
            return rc;
        report->rows = calloc(n ? n : 1, sizeof(*report->rows));
        for (size_t i = 0; i < n; i++) {
            report->rows[i].id = rooms[i].id;
            report->rows[i].text[0] = rooms[i].name;
            report->rows[i].text[1] = rooms[i].folder;
            rooms[i].name = rooms[i].folder = NULL;
        }
        report->row_count = n;
        hp_rooms_free(rooms, n);
    } else {
        hp_user *users;
        size_t n;
        if ((rc = hp_store_users_list(store, school_id, true, &users, &n)) < 0)
            return rc;
        report->rows = calloc(n ? n : 1, sizeof(*report->rows));
        for (size_t i = 0; i < n; i++) {
            report->rows[i].id = users[i].id;
            report->rows[i].text[0] = users[i].name;
            report->rows[i].text[1] = users[i].email;
            users[i].name = users[i].email = NULL;
        }
        report->row_count = n;
        hp_users_free(users, n);
    }
    qsort(report->rows, report->row_count, sizeof(*report->rows), compare_row_id);
    return HP_OK;
}

int hp_report_build(hp_report **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                    hp_report_kind kind, const hp_report_query *query)
{
    hp_report *report = calloc(1, sizeof(*report));
    hp_usage *usage = NULL;
    size_t usage_count = 0;
    int rc;

    *out = NULL;
    report->kind = kind;
    report->school = strdup(school->name);
    report->columns = kind == HP_REPORT_ROOMS ? room_columns : staff_columns;
    report->column_count = kind == HP_REPORT_ROOMS
                               ? sizeof(room_columns) / sizeof(room_columns[0])
                               : sizeof(staff_columns) / sizeof(staff_columns[0]);
    if ((rc = hp_report_range(tz, query->from, query->to, &report->from_day, &report->to_day)) <
            0 ||
        (rc = parse_sort(report, query)) < 0)
        goto fail;
    if ((rc = load_rows(report, store, school->id)) < 0)
        goto fail;
    rc = hp_store_usage(store, school->id,
                        kind == HP_REPORT_ROOMS ? HP_COUNTER_ROOM : HP_COUNTER_STAFF,
                        report->from_day, report->to_day, &usage, &usage_count);
    if (rc < 0)
        goto fail;
    merge_usage(report, usage, usage_count);
    free(usage);
    hp_report_sort(report, report->sort_column, report->descending);
    *out = report;
    return HP_OK;
fail:
    hp_report_free(report);
    return rc;
}

void hp_report_free(hp_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->row_count; i++) {
        free(report->rows[i].text[0]);
        free(report->rows[i].text[1]);
    }
    free(report->rows);
    free(report->school);
    free(report);
}

typedef struct {
    const hp_report_column *column;
    bool descending;
} sort_context;

static int compare_column(const hp_report_column *col, const hp_report_row *a,
                          const hp_report_row *b)
{
    if (col->numeric) {
        int64_t x = a->num[col->index], y = b->num[col->index];
        return x < y ? -1 : x > y;
    }
    return hp_natord_cmp(a->text[col->index], b->text[col->index]);
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
    const sort_context *ctx = arg;
    const hp_report_row *a = pa, *b = pb;
    int c = compare_column(ctx->column, a, b);
    if (c != 0)
        return ctx->descending ? -c : c;
    /* Ties: the name column ascending, then the order of creation. */
    c = hp_natord_cmp(a->text[0], b->text[0]);
    if (c != 0)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

void hp_report_sort(hp_report *report, int column, bool descending)
{
    sort_context ctx = {&report->columns[column], descending};
    report->sort_column = column;
    report->descending = descending;
    qsort_r(report->rows, report->row_count, sizeof(*report->rows), compare_rows, &ctx);
}

void hp_report_filename(const hp_report *report, const char *extension, char *out, size_t size)
{
    char from[HP_DATE_LEN], to[HP_DATE_LEN];
    hp_date_format(report->from_day, from);
    hp_date_format(report->to_day, to);
    snprintf(out, size, "%s_%s_%s.%s",
             report->kind == HP_REPORT_ROOMS ? "room-usage" : "staff-usage", from, to, extension);
}

const hp_report_column *hp_report_columns(hp_report_kind kind, size_t *count)
{
    *count = kind == HP_REPORT_ROOMS ? sizeof(room_columns) / sizeof(room_columns[0])
                                     : sizeof(staff_columns) / sizeof(staff_columns[0]);
    return kind == HP_REPORT_ROOMS ? room_columns : staff_columns;
}
