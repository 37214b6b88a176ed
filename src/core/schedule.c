/* The bell schedule, no-pass windows, blackouts and the local week; see schedule.h. */
#include "core/schedule.h"

#include "core/error.h"
#include "core/model.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

#define MINUTE 60

static const char *const weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

void hp_schedule_init(hp_schedule *schedule)
{
    schedule->rows = g_array_new(FALSE, TRUE, sizeof(hp_bell_row));
}

void hp_schedule_release(hp_schedule *schedule)
{
    if (schedule->rows == NULL)
        return;
    for (guint i = 0; i < schedule->rows->len; i++)
        g_free(g_array_index(schedule->rows, hp_bell_row, i).period);
    g_array_free(schedule->rows, TRUE);
    schedule->rows = NULL;
}

/* Shows a user's text in a message, cut to a readable length. */
static void quote(const char *text, char *out, size_t size)
{
    enum { SHOWN_MAX = 40 }; /* Enough to recognise the value. */
    if (strlen(text) > SHOWN_MAX)
        snprintf(out, size, "\"%.*s...\"", SHOWN_MAX, text);
    else
        snprintf(out, size, "\"%s\"", text);
}

static int parse_day(const char *text, hp_bell_row *row)
{
    char shown[64];
    for (size_t i = 0; i < HP_ARRAY_SIZE(weekday_names); i++) {
        if (g_ascii_strcasecmp(text, weekday_names[i]) == 0) {
            row->weekday = (int)i + 1;
            row->date = 0;
            return HP_OK;
        }
    }
    if (hp_date_parse(text, &row->date) == HP_OK) {
        row->weekday = 0;
        return HP_OK;
    }
    quote(text, shown, sizeof(shown));
    return hp_error_set(HP_EINVALID,
                        "day: %s is not mon, tue, wed, thu, fri, sat, sun or a date "
                        "YYYY-MM-DD",
                        shown);
}

/* Strict HH:MM, 00:00 to 23:59, in minutes after midnight. */
static int parse_time(const char *field, const char *text, int *out)
{
    char shown[64];
    if (strlen(text) == 5 && g_ascii_isdigit(text[0]) && g_ascii_isdigit(text[1]) &&
        text[2] == ':' && g_ascii_isdigit(text[3]) && g_ascii_isdigit(text[4])) {
        int hour = (text[0] - '0') * 10 + (text[1] - '0');
        int minute = (text[3] - '0') * 10 + (text[4] - '0');
        if (hour < 24 && minute < 60) {
            *out = hour * 60 + minute;
            return HP_OK;
        }
    }
    quote(text, shown, sizeof(shown));
    return hp_error_set(HP_EINVALID, "%s: %s is not a time HH:MM from 00:00 to 23:59", field,
                        shown);
}

void hp_minutes_format(int minutes, char out[8])
{
    snprintf(out, 8, "%02d:%02d", minutes / 60 % 100, minutes % 60);
}

void hp_bell_row_day(const hp_bell_row *row, char out[HP_DATE_LEN])
{
    if (row->weekday > 0)
        snprintf(out, HP_DATE_LEN, "%s", weekday_names[row->weekday - 1]);
    else
        hp_date_format(row->date, out);
}

int hp_schedule_add(hp_schedule *schedule, const char *day, const char *period, const char *start,
                    const char *end)
{
    hp_bell_row row = {0};
    int rc;

    if (schedule->rows->len >= HP_SCHEDULE_ROWS_MAX)
        return hp_error_set(HP_ETOOBIG, "a bell schedule holds at most %d periods",
                            HP_SCHEDULE_ROWS_MAX);
    if ((rc = parse_day(day ? day : "", &row)) < 0 ||
        (rc = hp_check_name("period", period, true)) < 0 ||
        (rc = parse_time("start", start ? start : "", &row.start)) < 0 ||
        (rc = parse_time("end", end ? end : "", &row.end)) < 0)
        return rc;
    char from[8], to[8], when[HP_DATE_LEN];
    hp_minutes_format(row.start, from);
    hp_minutes_format(row.end, to);
    if (row.end <= row.start)
        return hp_error_set(HP_EINVALID, "end: \"%s\" is not after the start %s", end, from);
    for (guint i = 0; i < schedule->rows->len; i++) {
        const hp_bell_row *other = &g_array_index(schedule->rows, hp_bell_row, i);
        bool same_day =
            other->weekday == row.weekday && (row.weekday > 0 || other->date == row.date);
        if (same_day && row.start < other->end && other->start < row.end) {
            char other_from[8], other_to[8];
            hp_minutes_format(other->start, other_from);
            hp_minutes_format(other->end, other_to);
            hp_bell_row_day(&row, when);
            return hp_error_set(HP_EINVALID, "start: %s %s-%s overlaps %s %s-%s on %s", period,
                                from, to, other->period, other_from, other_to, when);
        }
    }
    row.period = g_strdup(period);
    g_array_append_val(schedule->rows, row);
    return HP_OK;
}

GPtrArray *hp_schedule_day(const hp_schedule *schedule, int32_t day)
{
    GPtrArray *out = g_ptr_array_new();
    bool has_date = false;
    for (guint i = 0; i < schedule->rows->len && !has_date; i++) {
        const hp_bell_row *row = &g_array_index(schedule->rows, hp_bell_row, i);
        has_date = row->weekday == 0 && row->date == day;
    }
    int weekday = hp_date_weekday(day);
    for (guint i = 0; i < schedule->rows->len; i++) {
        hp_bell_row *row = &g_array_index(schedule->rows, hp_bell_row, i);
        if (has_date ? (row->weekday == 0 && row->date == day) : row->weekday == weekday)
            g_ptr_array_add(out, row);
    }
    return out;
}

/* Keeps the candidate that lasts longer: the later end, and no end beats any. */
static void keep_longer(hp_no_pass_window *best, bool *found, const hp_no_pass_window *candidate)
{
    if (!*found || (best->has_end && (!candidate->has_end || candidate->end > best->end))) {
        *best = *candidate;
        *found = true;
    }
}

bool hp_schedule_window_at(const hp_schedule *schedule, const hp_tz *tz, int first_minutes,
                           int last_minutes, int64_t t, hp_no_pass_window *out)
{
    bool found = false;
    if (schedule == NULL || schedule->rows == NULL || (first_minutes <= 0 && last_minutes <= 0))
        return false;
    int32_t day = hp_tz_local_day(tz, t);
    GPtrArray *rows = hp_schedule_day(schedule, day);
    for (guint i = 0; i < rows->len; i++) {
        const hp_bell_row *row = g_ptr_array_index(rows, i);
        /* Each end of the period by that day's own clock, so a period on a day the clocks
         * change lasts as long as the wall clock says. */
        int64_t start = hp_tz_local_time(tz, day, row->start / 60, row->start % 60, 0);
        int64_t end = hp_tz_local_time(tz, day, row->end / 60, row->end % 60, 0);
        hp_no_pass_window w = {.has_end = true, .label = row->period};
        if (first_minutes > 0) {
            w.kind = HP_NO_PASS_FIRST;
            w.minutes = first_minutes;
            w.start = start;
            w.end = MIN(start + (int64_t)first_minutes * MINUTE, end);
            if (w.start <= t && t < w.end)
                keep_longer(out, &found, &w);
        }
        if (last_minutes > 0) {
            w.kind = HP_NO_PASS_LAST;
            w.minutes = last_minutes;
            w.start = MAX(end - (int64_t)last_minutes * MINUTE, start);
            w.end = end;
            if (w.start <= t && t < w.end)
                keep_longer(out, &found, &w);
        }
    }
    g_ptr_array_unref(rows);
    return found;
}

int hp_blackout_parse(hp_blackout *out, const char *start, const char *end, const char *reason,
                      int64_t now)
{
    hp_blackout b = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    if (start == NULL || start[0] == '\0')
        b.start = now;
    else if ((rc = hp_datetime_parse(start, &b.start)) < 0)
        return hp_error_prefix(rc, "start");
    if (end != NULL && end[0] != '\0') {
        if ((rc = hp_datetime_parse(end, &b.end)) < 0)
            return hp_error_prefix(rc, "end");
        if (b.end <= b.start)
            return hp_error_set(HP_EINVALID, "end: \"%s\" is not after the start", end);
        if (b.end <= now)
            return hp_error_set(HP_EINVALID, "end: \"%s\" has already passed", end);
        b.has_end = true;
    }
    if ((rc = hp_check_name("reason", reason, false)) < 0)
        return rc;
    b.reason = reason && reason[0] ? g_strdup(reason) : NULL;
    *out = b;
    return HP_OK;
}

void hp_blackout_release(hp_blackout *blackout)
{
    g_free(blackout->reason);
    g_free(blackout->creator_name);
    memset(blackout, 0, sizeof(*blackout));
}

void hp_blackouts_free(hp_blackout *blackouts, size_t count)
{
    for (size_t i = 0; blackouts && i < count; i++)
        hp_blackout_release(&blackouts[i]);
    g_free(blackouts);
}

bool hp_blackout_window_at(const hp_blackout *blackouts, size_t count, int64_t t,
                           hp_no_pass_window *out)
{
    bool found = false;
    for (size_t i = 0; blackouts && i < count; i++) {
        const hp_blackout *b = &blackouts[i];
        if (b->start > t || (b->has_end && t >= b->end))
            continue;
        hp_no_pass_window w = {.kind = HP_NO_PASS_BLACKOUT,
                               .start = b->start,
                               .end = b->end,
                               .has_end = b->has_end,
                               .label = b->reason};
        keep_longer(out, &found, &w);
    }
    return found;
}

/* The one window at t: an admin's blackout says more than the bell, so it answers when both
 * apply. */
static bool one_window_at(const hp_schedule *schedule, const hp_blackout *blackouts,
                          size_t blackout_count, const hp_tz *tz, int first_minutes,
                          int last_minutes, int64_t t, hp_no_pass_window *out)
{
    return hp_blackout_window_at(blackouts, blackout_count, t, out) ||
           hp_schedule_window_at(schedule, tz, first_minutes, last_minutes, t, out);
}

/* Most windows followed from one to the next that touches it: more than a day holds. */
#define NO_PASS_RUN_MAX 64

bool hp_no_pass_at(const hp_schedule *schedule, const hp_blackout *blackouts, size_t blackout_count,
                   const hp_tz *tz, int first_minutes, int last_minutes, int64_t t,
                   hp_no_pass_window *out)
{
    hp_no_pass_window w, next;
    if (!one_window_at(schedule, blackouts, blackout_count, tz, first_minutes, last_minutes, t, &w))
        return false;
    /* Windows that touch or overlap (the last minutes of one period and the first of the
     * next, a blackout that ends inside a period's first minutes) are one stretch without
     * passes: the answer is the window whose end lets passes start again, so that "until"
     * is true. Each next window ends later than the one before, so the walk moves on. */
    for (int i = 0; i < NO_PASS_RUN_MAX && w.has_end; i++) {
        if (!one_window_at(schedule, blackouts, blackout_count, tz, first_minutes, last_minutes,
                           w.end, &next))
            break;
        w = next;
    }
    *out = w;
    return true;
}

void hp_local_week(const hp_tz *tz, int64_t t, int32_t *monday_out, int32_t *sunday_out)
{
    int32_t day = hp_tz_local_day(tz, t);
    int32_t monday = day - (hp_date_weekday(day) - 1);
    *monday_out = monday;
    *sunday_out = monday + 6;
}

int64_t hp_local_midnight_after(const hp_tz *tz, int64_t t)
{
    return hp_tz_day_start(tz, hp_tz_local_day(tz, t) + 1);
}
