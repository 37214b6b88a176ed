/* Builds the insights from their counters into report rows; see insight.h. */
#include "report/insight.h"

#include "core/error.h"
#include "core/rules.h"
#include "core/util.h"
#include "store/counter.h"

#include <glib.h>
#include <string.h>

/* ---- The arithmetic ------------------------------------------------------------------- */

int64_t hp_round_half_up(int64_t sum, int64_t count)
{
    /* floor(sum / count + 1/2) = floor((2 sum + count) / (2 count)) */
    return (2 * sum + count) / (2 * count);
}

#define SECONDS_PER_MINUTE 60

int64_t hp_average_minutes_tenths(int64_t seconds, int64_t count)
{
    if (count == 0)
        return HP_REPORT_NULL;
    return hp_round_half_up(seconds * HP_REPORT_TENTHS, count * SECONDS_PER_MINUTE);
}

int64_t hp_average_seconds(int64_t seconds, int64_t count)
{
    return count == 0 ? HP_REPORT_NULL : hp_round_half_up(seconds, count);
}

int64_t hp_histogram_lower_median(const int64_t *counts, size_t buckets)
{
    int64_t n = 0;
    for (size_t i = 0; i < buckets; i++)
        n += counts[i];
    if (n <= 0)
        return HP_REPORT_NULL;
    int64_t position = (n + 1) / 2, seen = 0; /* ceil(n / 2), 1-based */
    for (size_t i = 0; i < buckets; i++) {
        seen += counts[i];
        if (seen >= position)
            return (int64_t)i;
    }
    return HP_REPORT_NULL; /* Not reached: seen ends at n. */
}

/* ---- Cells ---------------------------------------------------------------------------- */

static const char *row_name(const hp_report_row *row)
{
    return row->name;
}

static int64_t row_id(const hp_report_row *row)
{
    return row->id;
}

HP_ROW_NUMBER(daily_passes, daily.passes)
HP_ROW_NUMBER(daily_student, daily.student)
HP_ROW_NUMBER(daily_teacher, daily.teacher)
HP_ROW_NUMBER(daily_kiosk_mode, daily.kiosk_mode)
HP_ROW_NUMBER(daily_kiosk_login, daily.kiosk_login)

static const hp_report_column daily_columns[] = {
    {"Date", "date", "date", row_name, NULL, HP_CELL_COUNT, row_id},
    {"Passes", "passes", "passes", NULL, daily_passes, HP_CELL_COUNT, NULL},
    {"Student", "student", "student", NULL, daily_student, HP_CELL_COUNT, NULL},
    {"Teacher", "teacher", "teacher", NULL, daily_teacher, HP_CELL_COUNT, NULL},
    {"Kiosk Mode", "kiosk_mode", "kiosk_mode", NULL, daily_kiosk_mode, HP_CELL_COUNT, NULL},
    {"Kiosk Login", "kiosk_login", "kiosk_login", NULL, daily_kiosk_login, HP_CELL_COUNT, NULL},
};

HP_ROW_NUMBER(heatmap_weekday, heatmap.weekday)
HP_ROW_NUMBER(heatmap_hour, heatmap.hour)
HP_ROW_NUMBER(heatmap_passes, heatmap.passes)

static const hp_report_column heatmap_columns[] = {
    {"Weekday", "weekday", "weekday", NULL, heatmap_weekday, HP_CELL_COUNT, NULL},
    {"Hour", "hour", "hour", NULL, heatmap_hour, HP_CELL_COUNT, NULL},
    {"Passes", "passes", "passes", NULL, heatmap_passes, HP_CELL_COUNT, NULL},
};

static const char *duration_folder(const hp_report_row *row)
{
    return row->duration.folder;
}

HP_ROW_NUMBER(duration_ended, duration.cur.ended)
HP_ROW_NUMBER(duration_average, duration.cur.average_tenths)
HP_ROW_NUMBER(duration_median, duration.cur.median)
HP_ROW_NUMBER(duration_overtime, duration.cur.overtime)
HP_ROW_NUMBER(duration_open, duration.cur.open)
HP_ROW_NUMBER(duration_prev_ended, duration.prev.ended)
HP_ROW_NUMBER(duration_prev_average, duration.prev.average_tenths)
HP_ROW_NUMBER(duration_prev_median, duration.prev.median)
HP_ROW_NUMBER(duration_prev_overtime, duration.prev.overtime)
HP_ROW_NUMBER(duration_prev_open, duration.prev.open)

/* Each compared insight's own columns, then their prev_ twins. */
static const hp_report_column duration_columns[] = {
    {"Room", "room", "room", row_name, NULL, HP_CELL_COUNT, NULL},
    {"Folder", "folder", "folder", duration_folder, NULL, HP_CELL_COUNT, NULL},
    {"Ended", "ended", "ended", NULL, duration_ended, HP_CELL_COUNT, NULL},
    {"Average Minutes", "average_minutes", "average_minutes", NULL, duration_average,
     HP_CELL_TENTHS, NULL},
    {"Median Minutes", "median_minutes", "median_minutes", NULL, duration_median, HP_CELL_COUNT,
     NULL},
    {"Overtime", "overtime", "overtime", NULL, duration_overtime, HP_CELL_COUNT, NULL},
    {"Open", "open", "open", NULL, duration_open, HP_CELL_COUNT, NULL},
    {"Ended (previous)", "prev_ended", "prev_ended", NULL, duration_prev_ended, HP_CELL_COUNT,
     NULL},
    {"Average Minutes (previous)", "prev_average_minutes", "prev_average_minutes", NULL,
     duration_prev_average, HP_CELL_TENTHS, NULL},
    {"Median Minutes (previous)", "prev_median_minutes", "prev_median_minutes", NULL,
     duration_prev_median, HP_CELL_COUNT, NULL},
    {"Overtime (previous)", "prev_overtime", "prev_overtime", NULL, duration_prev_overtime,
     HP_CELL_COUNT, NULL},
    {"Open (previous)", "prev_open", "prev_open", NULL, duration_prev_open, HP_CELL_COUNT, NULL},
};
#define DURATION_OWN_COLUMNS 7

static const char *student_email(const hp_report_row *row)
{
    return row->student.email;
}

static const char *student_student_id(const hp_report_row *row)
{
    return row->student.student_id;
}

HP_ROW_NUMBER(student_passes, student.cur.passes)
HP_ROW_NUMBER(student_now, student.cur.now)
HP_ROW_NUMBER(student_scheduled, student.cur.scheduled)
HP_ROW_NUMBER(student_minutes_out, student.cur.minutes_out)
HP_ROW_NUMBER(student_overtime, student.cur.overtime)
HP_ROW_NUMBER(student_refused, student.cur.refused)
HP_ROW_NUMBER(student_prevented, student.cur.prevented)
HP_ROW_NUMBER(student_prev_passes, student.prev.passes)
HP_ROW_NUMBER(student_prev_now, student.prev.now)
HP_ROW_NUMBER(student_prev_scheduled, student.prev.scheduled)
HP_ROW_NUMBER(student_prev_minutes_out, student.prev.minutes_out)
HP_ROW_NUMBER(student_prev_overtime, student.prev.overtime)
HP_ROW_NUMBER(student_prev_refused, student.prev.refused)
HP_ROW_NUMBER(student_prev_prevented, student.prev.prevented)

static const hp_report_column student_columns[] = {
    {"Student", "student", "student", row_name, NULL, HP_CELL_COUNT, NULL},
    {"Email", "email", "email", student_email, NULL, HP_CELL_COUNT, NULL},
    {"Student ID", "student_id", "student_id", student_student_id, NULL, HP_CELL_COUNT, NULL},
    {"Passes", "passes", "passes", NULL, student_passes, HP_CELL_COUNT, NULL},
    {"Now", "now", "now", NULL, student_now, HP_CELL_COUNT, NULL},
    {"Scheduled", "scheduled", "scheduled", NULL, student_scheduled, HP_CELL_COUNT, NULL},
    {"Minutes Out", "minutes_out", "minutes_out", NULL, student_minutes_out, HP_CELL_COUNT, NULL},
    {"Overtime", "overtime", "overtime", NULL, student_overtime, HP_CELL_COUNT, NULL},
    {"Refused", "refused", "refused", NULL, student_refused, HP_CELL_COUNT, NULL},
    {"Prevented", "prevented", "prevented", NULL, student_prevented, HP_CELL_COUNT, NULL},
    {"Passes (previous)", "prev_passes", "prev_passes", NULL, student_prev_passes, HP_CELL_COUNT,
     NULL},
    {"Now (previous)", "prev_now", "prev_now", NULL, student_prev_now, HP_CELL_COUNT, NULL},
    {"Scheduled (previous)", "prev_scheduled", "prev_scheduled", NULL, student_prev_scheduled,
     HP_CELL_COUNT, NULL},
    {"Minutes Out (previous)", "prev_minutes_out", "prev_minutes_out", NULL,
     student_prev_minutes_out, HP_CELL_COUNT, NULL},
    {"Overtime (previous)", "prev_overtime", "prev_overtime", NULL, student_prev_overtime,
     HP_CELL_COUNT, NULL},
    {"Refused (previous)", "prev_refused", "prev_refused", NULL, student_prev_refused,
     HP_CELL_COUNT, NULL},
    {"Prevented (previous)", "prev_prevented", "prev_prevented", NULL, student_prev_prevented,
     HP_CELL_COUNT, NULL},
};
#define STUDENT_OWN_COLUMNS 10

static const char *limit_folder(const hp_report_row *row)
{
    return row->limit.folder;
}

HP_ROW_NUMBER(limit_refused_from, limit.cur.refused_from)
HP_ROW_NUMBER(limit_refused_to, limit.cur.refused_to)
HP_ROW_NUMBER(limit_waited, limit.cur.waited)
HP_ROW_NUMBER(limit_average_wait, limit.cur.average_wait)
HP_ROW_NUMBER(limit_overridden, limit.cur.overridden)
HP_ROW_NUMBER(limit_prev_refused_from, limit.prev.refused_from)
HP_ROW_NUMBER(limit_prev_refused_to, limit.prev.refused_to)
HP_ROW_NUMBER(limit_prev_waited, limit.prev.waited)
HP_ROW_NUMBER(limit_prev_average_wait, limit.prev.average_wait)
HP_ROW_NUMBER(limit_prev_overridden, limit.prev.overridden)

static const hp_report_column limit_columns[] = {
    {"Room", "room", "room", row_name, NULL, HP_CELL_COUNT, NULL},
    {"Folder", "folder", "folder", limit_folder, NULL, HP_CELL_COUNT, NULL},
    {"Refused From", "refused_from", "refused_from", NULL, limit_refused_from, HP_CELL_COUNT, NULL},
    {"Refused To", "refused_to", "refused_to", NULL, limit_refused_to, HP_CELL_COUNT, NULL},
    {"Waited", "waited", "waited", NULL, limit_waited, HP_CELL_COUNT, NULL},
    {"Average Wait Seconds", "average_wait_seconds", "average_wait_seconds", NULL,
     limit_average_wait, HP_CELL_COUNT, NULL},
    {"Overridden", "overridden", "overridden", NULL, limit_overridden, HP_CELL_COUNT, NULL},
    {"Refused From (previous)", "prev_refused_from", "prev_refused_from", NULL,
     limit_prev_refused_from, HP_CELL_COUNT, NULL},
    {"Refused To (previous)", "prev_refused_to", "prev_refused_to", NULL, limit_prev_refused_to,
     HP_CELL_COUNT, NULL},
    {"Waited (previous)", "prev_waited", "prev_waited", NULL, limit_prev_waited, HP_CELL_COUNT,
     NULL},
    {"Average Wait Seconds (previous)", "prev_average_wait_seconds", "prev_average_wait_seconds",
     NULL, limit_prev_average_wait, HP_CELL_COUNT, NULL},
    {"Overridden (previous)", "prev_overridden", "prev_overridden", NULL, limit_prev_overridden,
     HP_CELL_COUNT, NULL},
};
#define LIMIT_OWN_COLUMNS 7

HP_ROW_NUMBER(rule_refused, rule.refused)
HP_ROW_NUMBER(rule_overridden, rule.overridden)

/* The rule column sorts by the rules' order (the row's id is the rule's), not by name. */
static const hp_report_column rule_columns[] = {
    {"Rule", "rule", "rule", row_name, NULL, HP_CELL_COUNT, row_id},
    {"Refused", "refused", "refused", NULL, rule_refused, HP_CELL_COUNT, NULL},
    {"Overridden", "overridden", "overridden", NULL, rule_overridden, HP_CELL_COUNT, NULL},
};

/* A source row's id: source x 2 + type, so that id order is the sources' then the types'. */
#define SOURCE_TYPES 2
#define SOURCE_COUNT 4 /* hp_source's values */

static const char *source_type(const hp_report_row *row)
{
    return row->source.type;
}

static int64_t source_rank(const hp_report_row *row)
{
    return row->id / SOURCE_TYPES;
}

HP_ROW_NUMBER(source_type_rank, source.type_rank)
HP_ROW_NUMBER(source_passes, source.passes)
HP_ROW_NUMBER(source_in_staff_usage, source.in_staff_usage)

static const hp_report_column source_columns[] = {
    {"Source", "source", "source", row_name, NULL, HP_CELL_COUNT, source_rank},
    {"Type", "type", "type", source_type, NULL, HP_CELL_COUNT, source_type_rank},
    {"Passes", "passes", "passes", NULL, source_passes, HP_CELL_COUNT, NULL},
    {"In Staff Usage", "in_staff_usage", "in_staff_usage", NULL, source_in_staff_usage,
     HP_CELL_TRUTH, NULL},
};

HP_ROW_NUMBER(encounter_members, encounter.members)
HP_ROW_NUMBER(encounter_active, encounter.active)
HP_ROW_NUMBER(encounter_prevented, encounter.prevented)
HP_ROW_NUMBER(encounter_overridden, encounter.overridden)

static const hp_report_column encounter_columns[] = {
    {"Group", "group", "group", row_name, NULL, HP_CELL_COUNT, NULL},
    {"Members", "members", "members", NULL, encounter_members, HP_CELL_COUNT, NULL},
    {"Active", "active", "active", NULL, encounter_active, HP_CELL_TRUTH, NULL},
    {"Prevented", "prevented", "prevented", NULL, encounter_prevented, HP_CELL_COUNT, NULL},
    {"Overridden", "overridden", "overridden", NULL, encounter_overridden, HP_CELL_COUNT, NULL},
};

/* ---- Reading counters ----------------------------------------------------------------- */

/* What one insight's builder is given. */
typedef struct {
    hp_report *report;
    hp_store *store;
    int64_t school_id;
    const hp_report_query *query;
    int64_t now;
} insight_context;

/* The counters of a kind over the range, or with prev over the compare range. */
static int read_counters(const insight_context *ctx, hp_counter_kind kind, bool prev,
                         hp_counter **out, size_t *count)
{
    const hp_report *r = ctx->report;
    return hp_store_counts_range(ctx->store, ctx->school_id, kind,
                                 prev ? r->compare_from_day : r->from_day,
                                 prev ? r->compare_to_day : r->to_day, out, count);
}

/* Adds a counter to a row: the row its subject names, the counter, and prev. */
typedef void (*add_fn)(hp_report_row *row, const hp_counter *counter, bool prev);

/* What add_kind hands the store for each counter it reads. */
typedef struct {
    hp_report *report;
    add_fn add;
    bool prev;
    size_t next; /* The row after the last one found: counters come in subject order per bucket. */
} kind_visit;

/* Adds one counter to the row of its subject. The store reads a bucket's counters in subject
 * order, as the rows are, so the row after the last one found is tried before a binary search:
 * a school year of students is tens of thousands of counters. */
static void add_visited(const hp_counter *counter, void *data)
{
    kind_visit *v = data;
    hp_report *r = v->report;
    hp_report_row *row;
    if (v->next < r->row_count && r->rows[v->next].id == counter->key.subject)
        row = &r->rows[v->next];
    else if ((row = hp_report_find_row(r, counter->key.subject)) == NULL)
        return; /* A subject with no row (a room since removed). */
    v->next = (size_t)(row - r->rows) + 1;
    v->add(row, counter, v->prev);
}

/* Adds every counter of a kind over the range (or compare range) to the row of its subject;
 * rows are in id order. Subjects with no row (a room since removed) are left out. */
static int add_kind(const insight_context *ctx, hp_counter_kind kind, bool prev, add_fn add)
{
    const hp_report *r = ctx->report;
    kind_visit v = {ctx->report, add, prev, 0};
    return hp_store_counts_range_each(
        ctx->store, ctx->school_id, kind, prev ? r->compare_from_day : r->from_day,
        prev ? r->compare_to_day : r->to_day, HP_SUBJECTS_ALL, add_visited, &v);
}

/* A kind of counter and how it adds to a row. */
typedef struct {
    hp_counter_kind kind;
    add_fn add;
} kind_adder;

/* Adds the counters of each kind over the range (or compare range). */
static int add_kinds(const insight_context *ctx, const kind_adder *adders, size_t count, bool prev)
{
    for (size_t i = 0; i < count; i++) {
        int rc = add_kind(ctx, adders[i].kind, prev, adders[i].add);
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

/* How many ranges an insight reads: its own, and the compare range when it has one. */
static int range_count(const hp_report *report)
{
    return report->compare ? 2 : 1;
}

/* One row per room, in id order, with its folder ("" for none) in *folder_of(row). */
static int load_rooms(const insight_context *ctx, char **(*folder_of)(hp_report_row *row))
{
    hp_room *rooms;
    size_t n;
    int rc = hp_store_rooms_list(ctx->store, ctx->school_id, &rooms, &n);
    if (rc < 0)
        return rc;
    hp_report *r = ctx->report;
    r->rows = g_new0(hp_report_row, n ? n : 1);
    r->row_count = n;
    for (size_t i = 0; i < n; i++) {
        r->rows[i].id = rooms[i].id;
        r->rows[i].name = g_strdup(rooms[i].name);
        *folder_of(&r->rows[i]) = g_strdup(rooms[i].folder ? rooms[i].folder : "");
    }
    hp_rooms_free(rooms, n);
    hp_report_sort_by_id(r);
    return HP_OK;
}

/* ---- daily ---------------------------------------------------------------------------- */

static int build_daily(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    int64_t days = (int64_t)r->to_day - r->from_day + 1;
    if (days > HP_DAILY_DAYS_MAX)
        return hp_error_set(HP_EINVALID,
                            "from: the daily insight covers at most %d days at once, not %lld",
                            HP_DAILY_DAYS_MAX, (long long)days);
    r->rows = g_new0(hp_report_row, (size_t)days);
    r->row_count = (size_t)days;
    for (int64_t i = 0; i < days; i++) {
        char date[HP_DATE_LEN];
        hp_date_format((int32_t)(r->from_day + i), date);
        r->rows[i].id = r->from_day + i;
        r->rows[i].name = g_strdup(date);
    }
    hp_counter *counters;
    size_t n;
    int rc = hp_store_counts_days(ctx->store, ctx->school_id, HP_COUNTER_SOURCE, r->from_day,
                                  r->to_day, &counters, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const hp_counter *c = &counters[i];
        if (c->key.bucket < r->from_day || c->key.bucket > r->to_day)
            continue;
        hp_daily_row *d = &r->rows[c->key.bucket - r->from_day].daily;
        int64_t passes = c->source.now + c->source.scheduled;
        d->passes += passes;
        switch ((hp_source)c->key.subject) {
        case HP_SOURCE_STUDENT:
            d->student += passes;
            break;
        case HP_SOURCE_TEACHER:
            d->teacher += passes;
            break;
        case HP_SOURCE_KIOSK_MODE:
            d->kiosk_mode += passes;
            break;
        case HP_SOURCE_KIOSK_LOGIN:
            d->kiosk_login += passes;
            break;
        }
    }
    hp_counters_free(counters);
    return HP_OK;
}

/* ---- heatmap -------------------------------------------------------------------------- */

static int build_heatmap(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    int64_t room_id = 0;
    if (ctx->query->destination) {
        hp_room room = {0};
        int rc = hp_store_room_find(ctx->store, ctx->school_id, ctx->query->destination, &room);
        if (rc == HP_ENOTFOUND)
            return hp_error_set(HP_EINVALID, "destination: the school has no room named \"%.80s\"",
                                ctx->query->destination);
        if (rc < 0)
            return rc;
        room_id = room.id;
        r->destination = g_strdup(room.name);
        hp_room_release(&room);
    }
    r->rows = g_new0(hp_report_row, HP_WEEK_HOURS);
    r->row_count = HP_WEEK_HOURS;
    for (int h = 0; h < HP_WEEK_HOURS; h++) {
        int weekday, hour;
        hp_counter_week_hour_split(h, &weekday, &hour);
        r->rows[h].id = h;
        r->rows[h].heatmap.weekday = weekday;
        r->rows[h].heatmap.hour = hour;
    }
    hp_counter *counters;
    size_t n;
    int rc;
    if (room_id) { /* One room's subjects only: room x 168 + week hour. */
        hp_subject_range hours = {hp_counter_room_hour(room_id, 0),
                                  hp_counter_room_hour(room_id, HP_WEEK_HOURS - 1)};
        rc = hp_store_counts_range_of(ctx->store, ctx->school_id, HP_COUNTER_ROOM_HOUR, r->from_day,
                                      r->to_day, hours, &counters, &n);
    } else {
        rc = read_counters(ctx, HP_COUNTER_HOUR, false, &counters, &n);
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int64_t subject = counters[i].key.subject, room = 0;
        int hour = (int)subject;
        if (room_id)
            hp_counter_room_hour_split(subject, &room, &hour);
        if (room == room_id && hour >= 0 && hour < HP_WEEK_HOURS)
            r->rows[hour].heatmap.passes += counters[i].hour.passes;
    }
    hp_counters_free(counters);
    return HP_OK;
}

/* ---- durations ------------------------------------------------------------------------ */

static char **duration_folder_of(hp_report_row *row)
{
    return &row->duration.folder;
}

static hp_duration_stats *duration_stats(hp_report_row *row, bool prev)
{
    return prev ? &row->duration.prev : &row->duration.cur;
}

static void add_duration(hp_report_row *row, const hp_counter *c, bool prev)
{
    hp_duration_stats *s = duration_stats(row, prev);
    s->ended += c->duration.ended;
    s->seconds += c->duration.seconds;
}

static void add_overtime(hp_report_row *row, const hp_counter *c, bool prev)
{
    duration_stats(row, prev)->overtime += c->overtime.overtime;
}

/* Buckets of the minutes histogram: 0 ... HP_DURATION_MINUTES_MAX. */
#define MINUTE_BUCKETS (HP_DURATION_MINUTES_MAX + 1)

/* The medians: each room's histogram of whole minutes, summed from its counters (a room with
 * none has no median), and the lower median of it. */
static int add_medians(const insight_context *ctx, bool prev)
{
    hp_report *r = ctx->report;
    hp_counter *counters;
    size_t n;
    int rc = read_counters(ctx, HP_COUNTER_MINUTES, prev, &counters, &n);
    if (rc < 0)
        return rc;
    /* Row index -> its histogram, made for the rooms that have passes only. */
    int64_t **histograms = g_new0(int64_t *, r->row_count ? r->row_count : 1);
    for (size_t i = 0; i < n; i++) {
        int64_t room_id;
        int minute;
        hp_counter_room_minute_split(counters[i].key.subject, &room_id, &minute);
        hp_report_row *row = hp_report_find_row(r, room_id);
        if (row == NULL || minute < 0 || minute >= MINUTE_BUCKETS)
            continue;
        size_t at = (size_t)(row - r->rows);
        if (histograms[at] == NULL)
            histograms[at] = g_new0(int64_t, MINUTE_BUCKETS);
        histograms[at][minute] += counters[i].minute.passes;
    }
    for (size_t i = 0; i < r->row_count; i++) {
        hp_duration_stats *s = duration_stats(&r->rows[i], prev);
        s->median = histograms[i] ? hp_histogram_lower_median(histograms[i], MINUTE_BUCKETS)
                                  : HP_REPORT_NULL;
        s->average_tenths = hp_average_minutes_tenths(s->seconds, s->ended);
        g_free(histograms[i]);
    }
    g_free(histograms);
    hp_counters_free(counters);
    return HP_OK;
}

/* The passes of the range (or compare range) still out now, by destination: read through the
 * store's index of passes not ended, so as many as are out. */
static void add_open(const insight_context *ctx, const hp_pass *active, size_t count, bool prev)
{
    const hp_report *r = ctx->report;
    int32_t from = prev ? r->compare_from_day : r->from_day;
    int32_t to = prev ? r->compare_to_day : r->to_day;
    for (size_t i = 0; i < count; i++) {
        if (active[i].local_day < from || active[i].local_day > to)
            continue;
        hp_report_row *row = hp_report_find_row(ctx->report, active[i].destination_id);
        if (row)
            duration_stats(row, prev)->open++;
    }
}

static int build_durations(const insight_context *ctx)
{
    int rc = load_rooms(ctx, duration_folder_of);
    if (rc < 0)
        return rc;
    hp_pass *active = NULL;
    size_t active_count = 0;
    if ((rc = hp_store_passes_active(ctx->store, ctx->school_id, ctx->now, 0, false, &active,
                                     &active_count)) < 0)
        return rc;
    static const kind_adder adders[] = {{HP_COUNTER_DURATION, add_duration},
                                        {HP_COUNTER_OVERTIME, add_overtime}};
    for (int p = 0; p < range_count(ctx->report) && rc == HP_OK; p++) {
        bool prev = p == 1;
        if ((rc = add_kinds(ctx, adders, HP_ARRAY_SIZE(adders), prev)) < 0 ||
            (rc = add_medians(ctx, prev)) < 0)
            break;
        add_open(ctx, active, active_count, prev);
    }
    hp_passes_free(active, active_count);
    return rc;
}

/* ---- students ------------------------------------------------------------------------- */

static hp_student_stats *student_stats(hp_report_row *row, bool prev)
{
    return prev ? &row->student.prev : &row->student.cur;
}

static void add_student(hp_report_row *row, const hp_counter *c, bool prev)
{
    hp_student_stats *s = student_stats(row, prev);
    s->now += c->student.now;
    s->scheduled += c->student.scheduled;
    s->passes += c->student.now + c->student.scheduled;
    s->minutes_out += c->student.minutes;
    s->overtime += c->student.overtime;
}

static void add_student_refusals(hp_report_row *row, const hp_counter *c, bool prev)
{
    hp_student_stats *s = student_stats(row, prev);
    s->refused += c->student_refusals.refused;
    s->prevented += c->student_refusals.prevented;
}

/* A student has a row when they have a pass or a refusal in either range. Counters may hold
 * zeros (a pass written, then cancelled), so the sums decide. */
static bool student_has_any(const hp_student_stats *s)
{
    return s->passes || s->refused || s->minutes_out || s->overtime;
}

/* A purge removed the per-student counters of its days: an answer that reaches them says so. */
static int note_purged(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    int32_t purged_before;
    int rc = hp_store_purged_before(ctx->store, ctx->school_id, &purged_before);
    if (rc < 0)
        return rc;
    int32_t first = r->from_day;
    if (r->compare && r->compare_from_day < first)
        first = r->compare_from_day;
    if (purged_before != 0 && first < purged_before) {
        r->purged = true;
        r->purged_through = purged_before - 1;
    }
    return HP_OK;
}

static int build_students(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    hp_user *users;
    size_t n;
    int rc = hp_store_users_list(ctx->store, ctx->school_id, false, &users, &n);
    if (rc < 0)
        return rc;
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(hp_report_row));
    for (size_t i = 0; i < n; i++) {
        if (users[i].role != HP_ROLE_STUDENT)
            continue;
        hp_report_row row = {.id = users[i].id, .name = g_strdup(users[i].name)};
        row.student.email = g_strdup(users[i].email);
        row.student.student_id = g_strdup(users[i].student_id);
        g_array_append_val(rows, row);
    }
    hp_users_free(users, n);
    r->row_count = rows->len;
    r->rows = (hp_report_row *)g_array_free(rows, FALSE);
    hp_report_sort_by_id(r);
    static const kind_adder adders[] = {{HP_COUNTER_STUDENT, add_student},
                                        {HP_COUNTER_STUDENT_REFUSALS, add_student_refusals}};
    for (int p = 0; p < range_count(r); p++)
        if ((rc = add_kinds(ctx, adders, HP_ARRAY_SIZE(adders), p == 1)) < 0)
            return rc;
    size_t kept = 0;
    for (size_t i = 0; i < r->row_count; i++) {
        hp_report_row *row = &r->rows[i];
        if (student_has_any(&row->student.cur) || student_has_any(&row->student.prev))
            r->rows[kept++] = *row;
        else
            hp_report_row_release(row, r->kind);
    }
    r->row_count = kept;
    return note_purged(ctx);
}

/* ---- limits --------------------------------------------------------------------------- */

static char **limit_folder_of(hp_report_row *row)
{
    return &row->limit.folder;
}

static hp_limit_stats *limit_stats(hp_report_row *row, bool prev)
{
    return prev ? &row->limit.prev : &row->limit.cur;
}

static void add_room_refusals(hp_report_row *row, const hp_counter *c, bool prev)
{
    hp_limit_stats *s = limit_stats(row, prev);
    s->refused_from += c->room_refusals.refused_from;
    s->refused_to += c->room_refusals.refused_to;
}

static void add_waits(hp_report_row *row, const hp_counter *c, bool prev)
{
    hp_limit_stats *s = limit_stats(row, prev);
    s->waited += c->waits.waited;
    s->wait_seconds += c->waits.seconds;
}

static void add_room_overrides(hp_report_row *row, const hp_counter *c, bool prev)
{
    limit_stats(row, prev)->overridden += c->overrides.overridden;
}

static int build_limits(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    int rc = load_rooms(ctx, limit_folder_of);
    if (rc < 0)
        return rc;
    static const kind_adder adders[] = {{HP_COUNTER_ROOM_REFUSALS, add_room_refusals},
                                        {HP_COUNTER_ROOM_WAITS, add_waits},
                                        {HP_COUNTER_ROOM_OVERRIDES, add_room_overrides}};
    for (int p = 0; p < range_count(r); p++) {
        bool prev = p == 1;
        if ((rc = add_kinds(ctx, adders, HP_ARRAY_SIZE(adders), prev)) < 0)
            return rc;
        for (size_t i = 0; i < r->row_count; i++) {
            hp_limit_stats *s = limit_stats(&r->rows[i], prev);
            s->average_wait = hp_average_seconds(s->wait_seconds, s->waited);
        }
    }
    return HP_OK;
}

/* ---- rules ---------------------------------------------------------------------------- */

static void add_rule_refusals(hp_report_row *row, const hp_counter *c, bool prev)
{
    (void)prev;
    row->rule.refused += c->rule_refusals.refused;
}

static void add_rule_overrides(hp_report_row *row, const hp_counter *c, bool prev)
{
    (void)prev;
    row->rule.overridden += c->overrides.overridden;
}

static int build_rules(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    r->rows = g_new0(hp_report_row, HP_RULE_COUNT);
    r->row_count = HP_RULE_COUNT;
    for (int rule = 1; rule <= HP_RULE_COUNT; rule++) {
        r->rows[rule - 1].id = rule;
        r->rows[rule - 1].name = g_strdup(hp_rule_name((hp_rule_id)rule));
    }
    static const kind_adder adders[] = {{HP_COUNTER_RULE_REFUSALS, add_rule_refusals},
                                        {HP_COUNTER_RULE_OVERRIDES, add_rule_overrides}};
    return add_kinds(ctx, adders, HP_ARRAY_SIZE(adders), false);
}

/* ---- sources -------------------------------------------------------------------------- */

static int build_sources(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    r->rows = g_new0(hp_report_row, SOURCE_COUNT * SOURCE_TYPES);
    r->row_count = SOURCE_COUNT * SOURCE_TYPES;
    for (int source = 0; source < SOURCE_COUNT; source++) {
        for (int type = 0; type < SOURCE_TYPES; type++) {
            hp_report_row *row = &r->rows[source * SOURCE_TYPES + type];
            /* Whether Staff Usage counts such a pass: the one rule the reports follow. */
            hp_pass pass = {.source = (hp_source)source, .type = (hp_pass_type)type};
            hp_pass_effect e = hp_pass_effect_of(&pass);
            row->id = source * SOURCE_TYPES + type;
            row->name = g_strdup(hp_source_name((hp_source)source));
            row->source.type = hp_pass_type_name((hp_pass_type)type);
            row->source.type_rank = type;
            row->source.in_staff_usage = e.staff_now || e.staff_scheduled;
        }
    }
    hp_counter *counters;
    size_t n;
    int rc = read_counters(ctx, HP_COUNTER_SOURCE, false, &counters, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int64_t source = counters[i].key.subject;
        if (source < 0 || source >= SOURCE_COUNT)
            continue;
        r->rows[source * SOURCE_TYPES + HP_PASS_NOW].source.passes += counters[i].source.now;
        r->rows[source * SOURCE_TYPES + HP_PASS_SCHEDULED].source.passes +=
            counters[i].source.scheduled;
    }
    hp_counters_free(counters);
    return HP_OK;
}

/* ---- encounters ----------------------------------------------------------------------- */

static void add_group_refusals(hp_report_row *row, const hp_counter *c, bool prev)
{
    (void)prev;
    row->encounter.prevented += c->group_refusals.prevented;
}

static void add_group_overrides(hp_report_row *row, const hp_counter *c, bool prev)
{
    (void)prev;
    row->encounter.overridden += c->overrides.overridden;
}

static int build_encounters(const insight_context *ctx)
{
    hp_report *r = ctx->report;
    hp_group *groups;
    size_t n;
    int rc = hp_store_groups_list(ctx->store, ctx->school_id, &groups, &n);
    if (rc < 0)
        return rc;
    r->rows = g_new0(hp_report_row, n ? n : 1);
    r->row_count = n;
    for (size_t i = 0; i < n; i++) {
        r->rows[i].id = groups[i].id;
        r->rows[i].name = g_strdup(groups[i].name);
        r->rows[i].encounter.members = (int64_t)groups[i].member_count;
        r->rows[i].encounter.active = groups[i].active;
    }
    hp_groups_free(groups, n);
    hp_report_sort_by_id(r);
    static const kind_adder adders[] = {{HP_COUNTER_GROUP_REFUSALS, add_group_refusals},
                                        {HP_COUNTER_GROUP_OVERRIDES, add_group_overrides}};
    return add_kinds(ctx, adders, HP_ARRAY_SIZE(adders), false);
}

/* ---- The insights --------------------------------------------------------------------- */

typedef struct {
    hp_report_shape shape;
    int (*build)(const insight_context *ctx);
} insight_def;

#define OWN(columns) (columns), HP_ARRAY_SIZE(columns), HP_ARRAY_SIZE(columns), NULL, 0, 0, false
#define COMPARED(columns, own) (columns), (own), HP_ARRAY_SIZE(columns), NULL, 0, 0, true

/* By hp_report_kind from HP_INSIGHT_FIRST. */
static const insight_def insights[] = {
    {{OWN(daily_columns)}, build_daily},
    {{OWN(heatmap_columns)}, build_heatmap},
    {{COMPARED(duration_columns, DURATION_OWN_COLUMNS)}, build_durations},
    {{COMPARED(student_columns, STUDENT_OWN_COLUMNS)}, build_students},
    {{COMPARED(limit_columns, LIMIT_OWN_COLUMNS)}, build_limits},
    {{OWN(rule_columns)}, build_rules},
    {{OWN(source_columns)}, build_sources},
    {{OWN(encounter_columns)}, build_encounters},
};
_Static_assert(HP_ARRAY_SIZE(insights) == HP_INSIGHT_LAST - HP_INSIGHT_FIRST + 1,
               "every insight has its definition");

int hp_insight_kind_parse(const char *word, hp_report_kind *out)
{
    for (int k = HP_INSIGHT_FIRST; k <= HP_INSIGHT_LAST; k++) {
        if (strcmp(word, hp_report_kind_name((hp_report_kind)k)) == 0) {
            *out = (hp_report_kind)k;
            return HP_OK;
        }
    }
    return hp_error_set(HP_EINVALID,
                        "\"%.40s\" is not an insight (daily, heatmap, durations, students, "
                        "limits, rules, sources, encounters)",
                        word);
}

const hp_report_column *hp_insight_columns(hp_report_kind kind, size_t *count)
{
    const hp_report_shape *shape = &insights[kind - HP_INSIGHT_FIRST].shape;
    *count = shape->own_columns;
    return shape->columns;
}

int hp_insight_build(hp_report **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                     hp_report_kind kind, const hp_report_query *query, int64_t now)
{
    g_assert(hp_report_kind_is_insight(kind));
    const insight_def *def = &insights[kind - HP_INSIGHT_FIRST];
    hp_report *report = g_new0(hp_report, 1);
    insight_context ctx = {report, store, school->id, query, now};
    int rc;

    *out = NULL;
    if ((rc = hp_report_start(report, school, tz, kind, &def->shape, query)) < 0 ||
        (rc = def->build(&ctx)) < 0) {
        hp_report_free(report);
        return rc;
    }
    hp_report_sort(report, report->sort_column, report->descending);
    *out = report;
    return HP_OK;
}
