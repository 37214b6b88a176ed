/* Builds and sorts the Room Usage and Staff Usage reports; see report.h. */
#include "report/report.h"

#include "core/error.h"
#include "core/natord.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* The first date a query may name (hp_date_parse refuses year 0): a default range is cut
 * there rather than answered with a date the API would refuse. */
#define FIRST_DATE "0001-01-01"

static const char *row_name(const hp_report_row *row)
{
    return row->name;
}

static const char *room_folder(const hp_report_row *row)
{
    return row->room.folder;
}

static int64_t room_passes_from(const hp_report_row *row)
{
    return row->room.passes_from;
}

static int64_t room_passes_to(const hp_report_row *row)
{
    return row->room.passes_to;
}

static const char *staff_email(const hp_report_row *row)
{
    return row->staff.email;
}

static int64_t staff_total(const hp_report_row *row)
{
    return row->staff.total;
}

static int64_t staff_now(const hp_report_row *row)
{
    return row->staff.now;
}

static int64_t staff_scheduled(const hp_report_row *row)
{
    return row->staff.scheduled;
}

static const hp_report_column room_columns[] = {
    {"Room", "room", "room", row_name, NULL},
    {"Folder", "folder", "folder", room_folder, NULL},
    {"Passes From This Room", "from", "passes_from", NULL, room_passes_from},
    {"Passes To This Room", "to", "passes_to", NULL, room_passes_to},
};

static const hp_report_column staff_columns[] = {
    {"Staff", "staff", "staff", row_name, NULL},
    {"Email", "email", "email", staff_email, NULL},
    {"Total Passes", "total", "total", NULL, staff_total},
    {"Now Passes", "now", "now", NULL, staff_now},
    {"Scheduled Passes", "scheduled", "scheduled", NULL, staff_scheduled},
};

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
        int32_t first;
        hp_date_parse(FIRST_DATE, &first);
        f = t - first < HP_REPORT_DEFAULT_DAYS - 1 ? first : t - (HP_REPORT_DEFAULT_DAYS - 1);
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

static int find_column(const hp_report *report, const char *key)
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
            GString *keys = g_string_new(NULL);
            for (size_t i = 0; i < report->column_count; i++)
                g_string_append_printf(keys, "%s%s", i ? ", " : "", report->columns[i].key);
            int rc = hp_error_set(HP_EINVALID, "sort: \"%s\" is not a column of the %s report (%s)",
                                  query->sort, hp_report_kind_name(report->kind), keys->str);
            g_string_free(keys, TRUE);
            return rc;
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

static int compare_subject_id(const void *key, const void *elem)
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

/* Adds the counters to the rows; a subject may come many times (a month, then days). Rows are
 * in id order, so each subject is a binary search. */
static void add_counters(hp_report *report, const hp_counter *counters, size_t count)
{
    if (report->row_count == 0) /* No rows, and maybe no array to search. */
        return;
    for (size_t i = 0; i < count; i++) {
        const hp_counter *c = &counters[i];
        hp_report_row *row = bsearch(&c->key.subject, report->rows, report->row_count,
                                     sizeof(*report->rows), compare_subject_id);
        if (row == NULL)
            continue;
        if (report->kind == HP_REPORT_ROOMS) {
            row->room.passes_from += c->room.from;
            row->room.passes_to += c->room.to;
        } else {
            row->staff.now += c->staff.now;
            row->staff.scheduled += c->staff.scheduled;
            row->staff.total += c->staff.now + c->staff.scheduled;
        }
    }
}

/* One row per room or staff member, with no counts yet, in id order. The names are copied,
 * so the store's lists are freed by their own functions. */
static int load_rows(hp_report *report, hp_store *store, int64_t school_id)
{
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(hp_report_row));
    int rc;
    if (report->kind == HP_REPORT_ROOMS) {
        hp_room *rooms;
        size_t n;
        if ((rc = hp_store_rooms_list(store, school_id, &rooms, &n)) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            hp_report_row row = {.id = rooms[i].id, .name = g_strdup(rooms[i].name)};
            row.room.folder = g_strdup(rooms[i].folder ? rooms[i].folder : "");
            g_array_append_val(rows, row);
        }
        hp_rooms_free(rooms, n);
    } else {
        hp_user *users;
        size_t n;
        if ((rc = hp_store_users_list(store, school_id, true, &users, &n)) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            hp_report_row row = {.id = users[i].id, .name = g_strdup(users[i].name)};
            row.staff.email = g_strdup(users[i].email);
            g_array_append_val(rows, row);
        }
        hp_users_free(users, n);
    }
    g_array_sort(rows, compare_row_id);
out:
    report->row_count = rows->len;
    report->rows = (hp_report_row *)g_array_free(rows, FALSE);
    return rc;
}

int hp_report_build(hp_report **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                    hp_report_kind kind, const hp_report_query *query)
{
    hp_report *report = g_new0(hp_report, 1);
    hp_counter *counters = NULL;
    size_t counter_count = 0;
    int rc;

    *out = NULL;
    report->kind = kind;
    report->school = g_strdup(school->name);
    if (kind == HP_REPORT_ROOMS) {
        report->columns = room_columns;
        report->column_count = HP_ARRAY_SIZE(room_columns);
    } else {
        report->columns = staff_columns;
        report->column_count = HP_ARRAY_SIZE(staff_columns);
    }
    if ((rc = hp_report_range(tz, query->from, query->to, &report->from_day, &report->to_day)) <
            0 ||
        (rc = parse_sort(report, query)) < 0 || (rc = load_rows(report, store, school->id)) < 0)
        goto fail;
    rc = hp_store_counts_range(store, school->id,
                               kind == HP_REPORT_ROOMS ? HP_COUNTER_ROOM : HP_COUNTER_STAFF,
                               report->from_day, report->to_day, &counters, &counter_count);
    if (rc < 0)
        goto fail;
    add_counters(report, counters, counter_count);
    hp_counters_free(counters);
    hp_report_sort(report, report->sort_column, report->descending);
    *out = report;
    return HP_OK;
fail:
    hp_report_free(report);
    return rc;
}

void hp_report_row_release(hp_report_row *row, hp_report_kind kind)
{
    g_free(row->name);
    if (kind == HP_REPORT_ROOMS)
        g_free(row->room.folder);
    else
        g_free(row->staff.email);
    memset(row, 0, sizeof(*row));
}

void hp_report_free(hp_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->row_count; i++)
        hp_report_row_release(&report->rows[i], report->kind);
    g_free(report->rows);
    g_free(report->school);
    g_free(report);
}

typedef struct {
    const hp_report_column *column;
    bool descending;
} sort_context;

static int compare_column(const hp_report_column *col, const hp_report_row *a,
                          const hp_report_row *b)
{
    if (hp_report_column_numeric(col)) {
        int64_t x = col->number(a), y = col->number(b);
        return x < y ? -1 : x > y;
    }
    return hp_natord_cmp(col->text(a), col->text(b));
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
    const sort_context *ctx = arg;
    const hp_report_row *a = pa, *b = pb;
    int c = compare_column(ctx->column, a, b);
    if (c != 0)
        return ctx->descending ? -c : c;
    /* Ties: the name column ascending, then the order of creation. */
    c = hp_natord_cmp(a->name, b->name);
    if (c != 0)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

void hp_report_sort(hp_report *report, int column, bool descending)
{
    sort_context ctx = {&report->columns[column], descending};
    report->sort_column = column;
    report->descending = descending;
    if (report->row_count < 2) /* Also: an empty report may have no array at all. */
        return;
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
