/* Builds and sorts the Room Usage and Staff Usage reports; see report.h. */
#include "report/report.h"

#include "core/error.h"
#include "core/natord.h"
#include "core/util.h"
#include "report/insight.h"

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

/* Accessors for the columns and fields: one per number a row holds. */
HP_ROW_NUMBER(room_passes_from, room.passes_from)
HP_ROW_NUMBER(room_passes_to, room.passes_to)
HP_ROW_NUMBER(room_prev_passes_from, room.prev_passes_from)
HP_ROW_NUMBER(room_prev_passes_to, room.prev_passes_to)
HP_ROW_NUMBER(room_folder_median_from, room.folder_median_from)
HP_ROW_NUMBER(room_folder_median_to, room.folder_median_to)
HP_ROW_NUMBER(staff_total, staff.total)
HP_ROW_NUMBER(staff_now, staff.now)
HP_ROW_NUMBER(staff_scheduled, staff.scheduled)
HP_ROW_NUMBER(staff_now_login, staff.now_login)
HP_ROW_NUMBER(staff_now_kiosk, staff.now_kiosk)
HP_ROW_NUMBER(staff_prev_total, staff.prev_total)
HP_ROW_NUMBER(staff_prev_now, staff.prev_now)
HP_ROW_NUMBER(staff_prev_scheduled, staff.prev_scheduled)
HP_ROW_NUMBER(staff_prev_now_login, staff.prev_now_login)
HP_ROW_NUMBER(staff_prev_now_kiosk, staff.prev_now_kiosk)

static const char *staff_email(const hp_report_row *row)
{
    return row->staff.email;
}

static const char *room_from_flag(const hp_report_row *row)
{
    return hp_folder_flag_word(row->room.from_flag);
}

/* Each report's columns, then their prev_ twins, which only a report with compare shows: its
 * column_count takes them in. */
static const hp_report_column room_columns[] = {
    {"Room", "room", "room", row_name, NULL, HP_CELL_COUNT, NULL},
    {"Folder", "folder", "folder", room_folder, NULL, HP_CELL_COUNT, NULL},
    {"Passes From This Room", "from", "passes_from", NULL, room_passes_from, HP_CELL_COUNT, NULL},
    {"Passes To This Room", "to", "passes_to", NULL, room_passes_to, HP_CELL_COUNT, NULL},
    {"Passes From This Room (previous)", "prev_from", "prev_passes_from", NULL,
     room_prev_passes_from, HP_CELL_COUNT, NULL},
    {"Passes To This Room (previous)", "prev_to", "prev_passes_to", NULL, room_prev_passes_to,
     HP_CELL_COUNT, NULL},
};
#define ROOM_OWN_COLUMNS 4

static const hp_report_column staff_columns[] = {
    {"Staff", "staff", "staff", row_name, NULL, HP_CELL_COUNT, NULL},
    {"Email", "email", "email", staff_email, NULL, HP_CELL_COUNT, NULL},
    {"Total Passes", "total", "total", NULL, staff_total, HP_CELL_COUNT, NULL},
    {"Now Passes", "now", "now", NULL, staff_now, HP_CELL_COUNT, NULL},
    {"Scheduled Passes", "scheduled", "scheduled", NULL, staff_scheduled, HP_CELL_COUNT, NULL},
    {"Total Passes (previous)", "prev_total", "prev_total", NULL, staff_prev_total, HP_CELL_COUNT,
     NULL},
    {"Now Passes (previous)", "prev_now", "prev_now", NULL, staff_prev_now, HP_CELL_COUNT, NULL},
    {"Scheduled Passes (previous)", "prev_scheduled", "prev_scheduled", NULL, staff_prev_scheduled,
     HP_CELL_COUNT, NULL},
};
#define STAFF_OWN_COLUMNS 5

/* The JSON rows' further fields. The benchmarks compare rooms within one range, so they have
 * no prev_ twins; the staff split does, after the fields a report without compare has. */
static const hp_report_field room_fields[] = {
    {"folder_median_from", HP_FIELD_HALVES, room_folder_median_from, NULL},
    {"folder_median_to", HP_FIELD_HALVES, room_folder_median_to, NULL},
    {"from_flag", HP_FIELD_WORD, NULL, room_from_flag},
};
#define ROOM_OWN_FIELDS 3

static const hp_report_field staff_fields[] = {
    {"now_login", HP_FIELD_COUNT, staff_now_login, NULL},
    {"now_kiosk", HP_FIELD_COUNT, staff_now_kiosk, NULL},
    {"prev_now_login", HP_FIELD_COUNT, staff_prev_now_login, NULL},
    {"prev_now_kiosk", HP_FIELD_COUNT, staff_prev_now_kiosk, NULL},
};
#define STAFF_OWN_FIELDS 2

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

/* Every kind's name (API and command line), title (table, XLSX sheet), file name stem and
 * the table's words for no rows; by hp_report_kind. */
static const struct {
    const char *name;
    const char *title;
    const char *file;
    const char *none;
} kinds[] = {
    {"rooms", "Room Usage", "room-usage", "(no rooms)"},
    {"staff", "Staff Usage", "staff-usage", "(no staff)"},
    {"daily", "Passes by Day", "daily", "(no days)"},
    {"heatmap", "Passes by Weekday and Hour", "heatmap", "(no hours)"},
    {"durations", "Durations", "durations", "(no rooms)"},
    {"students", "Students", "students", "(no students)"},
    {"limits", "Limits", "limits", "(no rooms)"},
    {"rules", "Rules", "rules", "(no rules)"},
    {"sources", "Sources", "sources", "(no sources)"},
    {"encounters", "Encounters", "encounters", "(no encounter groups)"},
};
_Static_assert(HP_ARRAY_SIZE(kinds) == HP_INSIGHT_LAST + 1, "every kind has its words");

const char *hp_report_kind_name(hp_report_kind kind)
{
    return kinds[kind].name;
}

const char *hp_report_title(hp_report_kind kind)
{
    return kinds[kind].title;
}

const char *hp_report_none(hp_report_kind kind)
{
    return kinds[kind].none;
}

/* The error for a range that ends before it starts: "from: 2026-09-30 is after to 2026-09-01",
 * naming the parameter and, before the end's date, what the end is called ("to ") if any. */
static int backwards_range(int32_t f, int32_t t, const char *parameter, const char *end_name)
{
    char fs[HP_DATE_LEN], ts[HP_DATE_LEN];
    hp_date_format(f, fs);
    hp_date_format(t, ts);
    return hp_error_set(HP_EINVALID, "%s: %s is after %s%s", parameter, fs, end_name, ts);
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
    if (f > t)
        return backwards_range(f, t, "from", "to ");
    *from_day = f;
    *to_day = t;
    return HP_OK;
}

/* Separates the two dates of a compare range. */
#define COMPARE_RANGE_SEPARATOR ".."

int hp_report_compare_range(const char *compare, int32_t from_day, int32_t to_day,
                            int32_t *compare_from, int32_t *compare_to)
{
    int32_t first, f, t;
    hp_date_parse(FIRST_DATE, &first);
    if (strcmp(compare, "previous") == 0) {
        if (from_day <= first)
            return hp_error_set(HP_EINVALID, "compare: no day comes before %s to compare with",
                                FIRST_DATE);
        t = from_day - 1;
        f = t - (to_day - from_day);
        if (f < first) /* Cut like a default range, rather than name a date no query may. */
            f = first;
    } else {
        const char *sep = strstr(compare, COMPARE_RANGE_SEPARATOR);
        if (sep == NULL)
            return hp_error_set(HP_EINVALID,
                                "compare: \"%.40s\" is not previous or FROM..TO "
                                "(YYYY-MM-DD..YYYY-MM-DD)",
                                compare);
        char *from = g_strndup(compare, (gsize)(sep - compare));
        int rc = hp_date_parse(from, &f);
        g_free(from);
        if (rc == HP_OK)
            rc = hp_date_parse(sep + strlen(COMPARE_RANGE_SEPARATOR), &t);
        if (rc < 0)
            return hp_error_prefix(HP_EINVALID, "compare");
        if (f > t)
            return backwards_range(f, t, "compare", "");
    }
    *compare_from = f;
    *compare_to = t;
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
            int rc = hp_error_set(HP_EINVALID, "sort: \"%s\" is not a column of the %s %s (%s)",
                                  query->sort, hp_report_kind_name(report->kind),
                                  hp_report_kind_is_insight(report->kind) ? "insight" : "report",
                                  keys->str);
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

void hp_report_sort_by_id(hp_report *report)
{
    if (report->row_count > 1)
        qsort(report->rows, report->row_count, sizeof(*report->rows), compare_row_id);
}

hp_report_row *hp_report_find_row(hp_report *report, int64_t id)
{
    if (report->row_count == 0) /* No rows, and maybe no array to search. */
        return NULL;
    return bsearch(&id, report->rows, report->row_count, sizeof(*report->rows), compare_subject_id);
}

/* Adds the counters to the rows, to their counts or with prev to their prev_ counts; a
 * subject may come many times (a month, then days). Rows are in id order, so each subject is a
 * binary search. */
static void add_counters(hp_report *report, const hp_counter *counters, size_t count, bool prev)
{
    for (size_t i = 0; i < count; i++) {
        const hp_counter *c = &counters[i];
        hp_report_row *row = hp_report_find_row(report, c->key.subject);
        if (row == NULL)
            continue;
        if (report->kind == HP_REPORT_ROOMS) {
            hp_room_usage *r = &row->room;
            *(prev ? &r->prev_passes_from : &r->passes_from) += c->room.from;
            *(prev ? &r->prev_passes_to : &r->passes_to) += c->room.to;
        } else {
            hp_staff_usage *u = &row->staff;
            const hp_staff_counts *k = &c->staff;
            *(prev ? &u->prev_now : &u->now) += k->now;
            *(prev ? &u->prev_scheduled : &u->scheduled) += k->scheduled;
            *(prev ? &u->prev_total : &u->total) += k->now + k->scheduled;
            *(prev ? &u->prev_now_kiosk : &u->now_kiosk) += k->now_kiosk;
            *(prev ? &u->prev_now_login : &u->now_login) += k->now - k->now_kiosk;
        }
    }
}

/* Reads a range's counters into the rows (prev: into their prev_ counts). */
static int read_counts(hp_report *report, hp_store *store, int64_t school_id, int32_t from_day,
                       int32_t to_day, bool prev)
{
    hp_counter *counters = NULL;
    size_t count = 0;
    int rc = hp_store_counts_range(
        store, school_id, report->kind == HP_REPORT_ROOMS ? HP_COUNTER_ROOM : HP_COUNTER_STAFF,
        from_day, to_day, &counters, &count);
    if (rc < 0)
        return rc;
    add_counters(report, counters, count, prev);
    hp_counters_free(counters);
    return HP_OK;
}

static int compare_row_folder(const void *a, const void *b)
{
    const hp_report_row *x = *(const hp_report_row *const *)a,
                        *y = *(const hp_report_row *const *)b;
    int c = strcmp(x->room.folder, y->room.folder);
    return c ? c : compare_row_id(x, y);
}

/* Gives every room its folder's medians and its flag. Rooms group by their folder's exact
 * name; a room with no folder has no benchmark. Rows in folder order, one folder at a time. */
static void add_benchmarks(hp_report *report)
{
    size_t n = report->row_count;
    hp_report_row **by_folder = g_new(hp_report_row *, n ? n : 1);
    int64_t *from = g_new(int64_t, n ? n : 1), *to = g_new(int64_t, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        by_folder[i] = &report->rows[i];
    qsort(by_folder, n, sizeof(*by_folder), compare_row_folder);
    for (size_t start = 0, end; start < n; start = end) {
        const char *folder = by_folder[start]->room.folder;
        for (end = start; end < n && strcmp(by_folder[end]->room.folder, folder) == 0; end++) {
            from[end - start] = by_folder[end]->room.passes_from;
            to[end - start] = by_folder[end]->room.passes_to;
        }
        int64_t median_from = folder[0] ? hp_median_halves(from, end - start) : HP_MEDIAN_NONE;
        int64_t median_to = folder[0] ? hp_median_halves(to, end - start) : HP_MEDIAN_NONE;
        for (size_t i = start; i < end; i++) {
            hp_room_usage *room = &by_folder[i]->room;
            room->folder_median_from = median_from;
            room->folder_median_to = median_to;
            room->from_flag = hp_folder_flag_of(room->passes_from, median_from);
        }
    }
    g_free(to);
    g_free(from);
    g_free(by_folder);
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

int hp_report_start(hp_report *report, const hp_school *school, const hp_tz *tz,
                    hp_report_kind kind, const hp_report_shape *shape, const hp_report_query *query)
{
    int rc;
    report->kind = kind;
    report->school = g_strdup(school->name);
    if ((rc = hp_report_range(tz, query->from, query->to, &report->from_day, &report->to_day)) < 0)
        return rc;
    if (query->compare) {
        if (!shape->can_compare)
            return hp_error_set(HP_EINVALID,
                                "compare: the %s insight has no comparison (only durations, "
                                "students and limits)",
                                hp_report_kind_name(kind));
        if ((rc = hp_report_compare_range(query->compare, report->from_day, report->to_day,
                                          &report->compare_from_day, &report->compare_to_day)) < 0)
            return rc;
        report->compare = true;
    }
    report->columns = shape->columns;
    report->column_count = report->compare ? shape->all_columns : shape->own_columns;
    report->fields = shape->fields;
    report->field_count = report->compare ? shape->all_fields : shape->own_fields;
    return parse_sort(report, query);
}

int hp_report_build(hp_report **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                    hp_report_kind kind, const hp_report_query *query)
{
    hp_report *report = g_new0(hp_report, 1);
    bool rooms = kind == HP_REPORT_ROOMS;
    const hp_report_shape shape =
        rooms ? (hp_report_shape){room_columns, ROOM_OWN_COLUMNS, HP_ARRAY_SIZE(room_columns),
                                  room_fields,  ROOM_OWN_FIELDS,  HP_ARRAY_SIZE(room_fields),
                                  true}
              : (hp_report_shape){staff_columns, STAFF_OWN_COLUMNS, HP_ARRAY_SIZE(staff_columns),
                                  staff_fields,  STAFF_OWN_FIELDS,  HP_ARRAY_SIZE(staff_fields),
                                  true};
    int rc;

    *out = NULL;
    if ((rc = hp_report_start(report, school, tz, kind, &shape, query)) < 0 ||
        (rc = load_rows(report, store, school->id)) < 0 ||
        (rc = read_counts(report, store, school->id, report->from_day, report->to_day, false)) < 0)
        goto fail;
    if (report->compare && (rc = read_counts(report, store, school->id, report->compare_from_day,
                                             report->compare_to_day, true)) < 0)
        goto fail;
    if (rooms)
        add_benchmarks(report);
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
    switch (kind) {
    case HP_REPORT_ROOMS:
        g_free(row->room.folder);
        break;
    case HP_REPORT_STAFF:
        g_free(row->staff.email);
        break;
    case HP_INSIGHT_DURATIONS:
        g_free(row->duration.folder);
        break;
    case HP_INSIGHT_STUDENTS:
        g_free(row->student.email);
        g_free(row->student.student_id);
        break;
    case HP_INSIGHT_LIMITS:
        g_free(row->limit.folder);
        break;
    default: /* The other insights hold no text of their own. */
        break;
    }
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
    g_free(report->destination);
    g_free(report);
}

typedef struct {
    const hp_report_column *column;
    const hp_report_column *first; /* The tie-breaker. */
    bool descending;
} sort_context;

static int compare_column(const hp_report_column *col, const hp_report_row *a,
                          const hp_report_row *b)
{
    if (hp_report_column_numeric(col) || col->rank) {
        /* HP_REPORT_NULL is INT64_MIN: an empty number comes before every other. */
        int64_t x = col->rank ? col->rank(a) : col->number(a);
        int64_t y = col->rank ? col->rank(b) : col->number(b);
        return x < y ? -1 : x > y;
    }
    const char *x = col->text(a), *y = col->text(b);
    if (x == NULL || y == NULL) /* No text before any text. */
        return (x != NULL) - (y != NULL);
    return hp_natord_cmp(x, y);
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
    const sort_context *ctx = arg;
    const hp_report_row *a = pa, *b = pb;
    int c = compare_column(ctx->column, a, b);
    if (c != 0)
        return ctx->descending ? -c : c;
    /* Ties: the first column ascending (a report's name), then the ids: the order of creation,
     * or an insight's default order. */
    c = compare_column(ctx->first, a, b);
    if (c != 0)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

void hp_report_sort(hp_report *report, int column, bool descending)
{
    sort_context ctx = {&report->columns[column], &report->columns[0], descending};
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
    snprintf(out, size, "%s_%s_%s.%s", kinds[report->kind].file, from, to, extension);
}

const hp_report_column *hp_report_columns(hp_report_kind kind, size_t *count)
{
    if (hp_report_kind_is_insight(kind))
        return hp_insight_columns(kind, count);
    *count = kind == HP_REPORT_ROOMS ? ROOM_OWN_COLUMNS : STAFF_OWN_COLUMNS;
    return kind == HP_REPORT_ROOMS ? room_columns : staff_columns;
}
