/*
 * No-pass times and the school's calendar: the bell schedule's fields and their refusals, a
 * date's rows in place of its weekday's, the first and last minutes of periods to the second,
 * periods on the days America/Chicago changes its clocks (2026-03-08 and 2026-11-01),
 * blackouts, the local week Monday to Sunday and the local midnight that clears the line.
 * Expected instants are UTC times worked out by hand, not from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "core/util.h"
#include "core/error.h"
#include "core/schedule.h"

#include <stdio.h>
#include <string.h>

#define MINUTE 60

static void add_ok(hp_schedule *s, const char *day, const char *period, const char *start,
                   const char *end)
{
    int rc = hp_schedule_add(s, day, period, start, end);
    if (rc != HP_OK)
        fail_msg("hp_schedule_add(%s, %s, %s, %s): %s", day, period, start, end, hp_error_last());
}

static void add_bad(hp_schedule *s, const char *day, const char *period, const char *start,
                    const char *end, const char *message)
{
    size_t before = s->rows->len;
    assert_int_equal(hp_schedule_add(s, day, period, start, end), HP_EINVALID);
    assert_string_equal(hp_error_last(), message);
    assert_int_equal(s->rows->len, before);
}

static void test_fields(void **state)
{
    (void)state;
    hp_schedule s;
    hp_schedule_init(&s);
    add_ok(&s, "mon", "Period 1", "08:00", "08:50");
    add_ok(&s, "MON", "Period 2", "08:50", "09:40"); /* Back to back is no overlap. */
    add_ok(&s, "Tue", "Period 1", "08:00", "08:50");
    add_ok(&s, "2026-09-14", "Assembly", "08:30", "09:30"); /* A date is a day of its own. */
    add_ok(&s, "sun", "Night", "00:00", "23:59");
    assert_int_equal(s.rows->len, 5);

    add_bad(&s, "monday", "P", "08:00", "08:50",
            "day: \"monday\" is not mon, tue, wed, thu, fri, sat, sun or a date YYYY-MM-DD");
    add_bad(&s, "2026-02-30", "P", "08:00", "08:50",
            "day: \"2026-02-30\" is not mon, tue, wed, thu, fri, sat, sun or a date YYYY-MM-DD");
    add_bad(&s, "", "P", "08:00", "08:50",
            "day: \"\" is not mon, tue, wed, thu, fri, sat, sun or a date YYYY-MM-DD");
    add_bad(&s, "wed", "", "08:00", "08:50", "period: empty");
    add_bad(&s, "wed", "P", "8:5", "08:50",
            "start: \"8:5\" is not a time HH:MM from 00:00 to 23:59");
    add_bad(&s, "wed", "P", "08:00", "24:00",
            "end: \"24:00\" is not a time HH:MM from 00:00 to 23:59");
    add_bad(&s, "wed", "P", "08:60", "09:00",
            "start: \"08:60\" is not a time HH:MM from 00:00 to 23:59");
    add_bad(&s, "wed", "P", "08:00:00", "09:00",
            "start: \"08:00:00\" is not a time HH:MM from 00:00 to 23:59");
    add_bad(&s, "wed", "P", "09:00", "08:00", "end: \"08:00\" is not after the start 09:00");
    add_bad(&s, "wed", "P", "09:00", "09:00", "end: \"09:00\" is not after the start 09:00");
    add_bad(&s, "mon", "Period 1b", "08:45", "09:00",
            "start: Period 1b 08:45-09:00 overlaps Period 1 08:00-08:50 on mon");
    add_bad(&s, "2026-09-14", "Lunch", "09:00", "10:00",
            "start: Lunch 09:00-10:00 overlaps Assembly 08:30-09:30 on 2026-09-14");

    char day[HP_DATE_LEN];
    hp_bell_row_day(&g_array_index(s.rows, hp_bell_row, 2), day);
    assert_string_equal(day, "tue");
    hp_bell_row_day(&g_array_index(s.rows, hp_bell_row, 3), day);
    assert_string_equal(day, "2026-09-14");
    hp_schedule_release(&s);
    hp_schedule_release(&s); /* Twice is harmless. */
}

static void test_row_cap(void **state)
{
    (void)state;
    hp_schedule s;
    hp_schedule_init(&s);
    char date[HP_DATE_LEN];
    for (int i = 0; i < HP_SCHEDULE_ROWS_MAX; i++) {
        hp_date_format(day_of(2026, 1, 1) + i, date);
        add_ok(&s, date, "P", "08:00", "09:00");
    }
    hp_date_format(day_of(2026, 1, 1) + HP_SCHEDULE_ROWS_MAX, date);
    assert_int_equal(hp_schedule_add(&s, date, "P", "08:00", "09:00"), HP_ETOOBIG);
    assert_non_null(strstr(hp_error_last(), "5000"));
    hp_schedule_release(&s);
}

/* A date's rows replace its weekday's on that date only. */
static void test_date_replaces_weekday(void **state)
{
    (void)state;
    hp_schedule s;
    hp_schedule_init(&s);
    add_ok(&s, "mon", "Period 1", "08:00", "08:50");
    add_ok(&s, "mon", "Period 2", "09:00", "09:50");
    add_ok(&s, "2026-09-14", "Late start", "10:00", "11:00");
    add_ok(&s, "tue", "Period 1", "08:00", "08:50");

    GPtrArray *rows = hp_schedule_day(&s, day_of(2026, 9, 14)); /* A Monday. */
    assert_int_equal(rows->len, 1);
    assert_string_equal(((hp_bell_row *)g_ptr_array_index(rows, 0))->period, "Late start");
    g_ptr_array_unref(rows);
    rows = hp_schedule_day(&s, day_of(2026, 9, 21)); /* The next Monday. */
    assert_int_equal(rows->len, 2);
    assert_string_equal(((hp_bell_row *)g_ptr_array_index(rows, 1))->period, "Period 2");
    g_ptr_array_unref(rows);
    rows = hp_schedule_day(&s, day_of(2026, 9, 16)); /* Wednesday: no periods. */
    assert_int_equal(rows->len, 0);
    g_ptr_array_unref(rows);
    hp_schedule_release(&s);
}

static void expect_window(const hp_schedule *s, const hp_tz *tz, int first, int last, int64_t t,
                          hp_no_pass_kind kind, int64_t start, int64_t end, const char *label)
{
    hp_no_pass_window w;
    memset(&w, 0, sizeof(w));
    if (!hp_schedule_window_at(s, tz, first, last, t, &w))
        fail_msg("no window at %lld", (long long)t);
    assert_int_equal(w.kind, kind);
    assert_int_equal(w.start, start);
    assert_int_equal(w.end, end);
    assert_true(w.has_end);
    assert_int_equal(w.minutes, kind == HP_NO_PASS_FIRST ? first : last);
    assert_string_equal(w.label, label);
}

static void expect_none(const hp_schedule *s, const hp_tz *tz, int first, int last, int64_t t)
{
    hp_no_pass_window w;
    if (hp_schedule_window_at(s, tz, first, last, t, &w))
        fail_msg("a window at %lld: %s", (long long)t, w.label);
}

/* A period from start to end (instants) with the same first and last minutes: the windows
 * begin and end to the second. */
static void expect_period(const hp_schedule *s, const hp_tz *tz, int minutes, int64_t start,
                          int64_t end, const char *label)
{
    int64_t m = (int64_t)minutes * MINUTE;
    expect_window(s, tz, minutes, minutes, start, HP_NO_PASS_FIRST, start, start + m, label);
    expect_window(s, tz, minutes, minutes, start + m - 1, HP_NO_PASS_FIRST, start, start + m,
                  label);
    expect_none(s, tz, minutes, minutes, start + m);
    expect_none(s, tz, minutes, minutes, end - m - 1);
    expect_window(s, tz, minutes, minutes, end - m, HP_NO_PASS_LAST, end - m, end, label);
    expect_window(s, tz, minutes, minutes, end - 1, HP_NO_PASS_LAST, end - m, end, label);
    expect_none(s, tz, minutes, minutes, end);
}

/* A period's first 10 minutes begin at t. */
static void expect_first_ten(const hp_schedule *s, const hp_tz *tz, int64_t t, const char *label)
{
    expect_window(s, tz, 10, 0, t, HP_NO_PASS_FIRST, t, t + 10 * MINUTE, label);
}

/* Monday 2026-09-14 is on daylight time, UTC-5: Period 2 10:05-10:55 is 15:05-15:55 UTC. */
static void test_first_and_last_minutes(void **state)
{
    const hp_tz *tz = *state;
    hp_schedule s;
    hp_schedule_init(&s);
    add_ok(&s, "mon", "Period 2", "10:05", "10:55");
    int64_t start = utc(2026, 9, 14, 15, 5, 0), end = utc(2026, 9, 14, 15, 55, 0);

    expect_none(&s, tz, 10, 5, start - 1);
    expect_window(&s, tz, 10, 5, start, HP_NO_PASS_FIRST, start, start + 10 * MINUTE, "Period 2");
    expect_window(&s, tz, 10, 5, start + 10 * MINUTE - 1, HP_NO_PASS_FIRST, start,
                  start + 10 * MINUTE, "Period 2");
    expect_none(&s, tz, 10, 5, start + 10 * MINUTE);
    expect_none(&s, tz, 10, 5, end - 5 * MINUTE - 1);
    expect_window(&s, tz, 10, 5, end - 5 * MINUTE, HP_NO_PASS_LAST, end - 5 * MINUTE, end,
                  "Period 2");
    expect_window(&s, tz, 10, 5, end - 1, HP_NO_PASS_LAST, end - 5 * MINUTE, end, "Period 2");
    expect_none(&s, tz, 10, 5, end);

    /* Each setting alone, and both off. */
    expect_none(&s, tz, 0, 5, start);
    expect_window(&s, tz, 0, 5, end - 1, HP_NO_PASS_LAST, end - 5 * MINUTE, end, "Period 2");
    expect_none(&s, tz, 10, 0, end - 1);
    expect_none(&s, tz, 0, 0, start);
    /* The ends of the range. */
    expect_window(&s, tz, 1, 1, start + 59, HP_NO_PASS_FIRST, start, start + MINUTE, "Period 2");
    expect_none(&s, tz, 1, 1, start + 60);
    /* First 60 minutes of a 50-minute period: the whole period, as its end says. */
    expect_window(&s, tz, 60, 0, end - 1, HP_NO_PASS_FIRST, start, end, "Period 2");
    /* Where first and last overlap, the window lasting longer answers. */
    expect_window(&s, tz, 30, 30, start + 25 * MINUTE, HP_NO_PASS_LAST, end - 30 * MINUTE, end,
                  "Period 2");
    /* Tuesday has no periods; a Monday a week later has the same. */
    expect_none(&s, tz, 10, 5, start + 86400);
    expect_window(&s, tz, 10, 5, start + 7 * 86400, HP_NO_PASS_FIRST, start + 7 * 86400,
                  start + 7 * 86400 + 10 * MINUTE, "Period 2");
    /* A Monday in standard time (UTC-6): 10:05 is 16:05 UTC. */
    int64_t winter = utc(2026, 12, 7, 16, 5, 0);
    expect_window(&s, tz, 10, 5, winter, HP_NO_PASS_FIRST, winter, winter + 10 * MINUTE,
                  "Period 2");
    expect_none(&s, tz, 10, 5, utc(2026, 12, 7, 15, 5, 0));
    hp_schedule_release(&s);
}

/* The two days America/Chicago changes its clocks, each with a night period across the
 * change and a morning period, and the Sunday a week before on the other offset. */
typedef struct {
    const char *day;         /* The day field of the day's rows. */
    const char *night_start; /* The night period, local. */
    const char *night_end;
    int64_t night_from, night_to; /* The same in UTC. */
    int64_t night_middle;         /* In the night period, in neither window. */
    int64_t morning;              /* 10:05 local, in UTC. */
    int64_t morning_other_offset; /* 10:05 on the other offset: no period then. */
    const char *morning_label;    /* The date's own period, or the Sunday's. */
    int64_t week_before;          /* 10:05 the Sunday before, in UTC. */
} dst_day;

static void test_clock_changes(void **state)
{
    const hp_tz *tz = *state;
    const dst_day days[] = {
        /* 2026-03-08: at 02:00 CST the clocks go forward to 03:00 CDT (UTC-6 to UTC-5); the
         * night period 01:30-03:30 lasts one hour. */
        {"sun", "01:30", "03:30", utc(2026, 3, 8, 7, 30, 0), utc(2026, 3, 8, 8, 30, 0),
         utc(2026, 3, 8, 8, 0, 0), utc(2026, 3, 8, 15, 5, 0), utc(2026, 3, 8, 16, 5, 0), "Ordinary",
         utc(2026, 3, 1, 16, 5, 0)},
        /* 2026-11-01: at 02:00 CDT the clocks go back to 01:00 CST (UTC-5 to UTC-6); the night
         * period 00:30-02:30 lasts three hours, and 07:30 UTC is the second 01:30. */
        {"2026-11-01", "00:30", "02:30", utc(2026, 11, 1, 5, 30, 0), utc(2026, 11, 1, 8, 30, 0),
         utc(2026, 11, 1, 7, 30, 0), utc(2026, 11, 1, 16, 5, 0), utc(2026, 11, 1, 15, 5, 0),
         "Period 2", utc(2026, 10, 25, 15, 5, 0)},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(days); i++) {
        const dst_day *d = &days[i];
        hp_schedule s;
        hp_schedule_init(&s);
        add_ok(&s, d->day, "Night", d->night_start, d->night_end);
        /* A date's rows replace the weekday's on that date. */
        if (strcmp(d->day, "sun") != 0)
            add_ok(&s, d->day, "Period 2", "10:05", "10:55");
        add_ok(&s, "sun", "Ordinary", "10:05", "10:55");
        expect_period(&s, tz, 10, d->night_from, d->night_to, "Night");
        expect_none(&s, tz, 10, 10, d->night_middle);
        expect_first_ten(&s, tz, d->morning, d->morning_label);
        expect_none(&s, tz, 10, 5, d->morning_other_offset);
        expect_first_ten(&s, tz, d->week_before, "Ordinary");
        hp_schedule_release(&s);
    }
}

static void test_blackout_parse(void **state)
{
    (void)state;
    int64_t now = utc(2026, 9, 14, 15, 0, 0);
    hp_blackout b;

    /* "Stop all passes": from now, with no end. */
    assert_int_equal(hp_blackout_parse(&b, NULL, "", NULL, now), HP_OK);
    assert_int_equal(b.start, now);
    assert_false(b.has_end);
    assert_null(b.reason);
    hp_blackout_release(&b);

    assert_int_equal(hp_blackout_parse(&b, "2026-09-14T10:30:00-05:00", "2026-09-14T11:30:00-05:00",
                                       "Assembly", now),
                     HP_OK);
    assert_int_equal(b.start, utc(2026, 9, 14, 15, 30, 0));
    assert_true(b.has_end);
    assert_int_equal(b.end, utc(2026, 9, 14, 16, 30, 0));
    assert_string_equal(b.reason, "Assembly");
    hp_blackout_release(&b);

    assert_int_equal(hp_blackout_parse(&b, "10:30", NULL, NULL, now), HP_EINVALID);
    assert_string_equal(hp_error_last(), "start: \"10:30\" is not an ISO 8601 date-time with a "
                                         "UTC offset, such as 2026-09-14T10:03:00-05:00");
    assert_int_equal(hp_blackout_parse(&b, NULL, "tomorrow", NULL, now), HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "end: \"tomorrow\" is not"));
    assert_int_equal(
        hp_blackout_parse(&b, "2026-09-14T11:00:00-05:00", "2026-09-14T11:00:00-05:00", NULL, now),
        HP_EINVALID);
    assert_string_equal(hp_error_last(), "end: \"2026-09-14T11:00:00-05:00\" is not after the "
                                         "start");
    assert_int_equal(
        hp_blackout_parse(&b, "2026-09-14T08:00:00-05:00", "2026-09-14T09:00:00-05:00", NULL, now),
        HP_EINVALID);
    assert_string_equal(hp_error_last(), "end: \"2026-09-14T09:00:00-05:00\" has already passed");
    assert_int_equal(hp_blackout_parse(&b, NULL, NULL, "Fire\ndrill", now), HP_EINVALID);
    assert_string_equal(hp_error_last(), "reason: holds a control character (byte 0x0a)");
    assert_null(b.reason);

    hp_blackout *list = g_new0(hp_blackout, 2);
    assert_int_equal(hp_blackout_parse(&list[0], NULL, NULL, "Test", now), HP_OK);
    assert_int_equal(hp_blackout_parse(&list[1], NULL, NULL, "", now), HP_OK);
    assert_null(list[1].reason);
    hp_blackouts_free(list, 2);
}

static void test_blackout_windows(void **state)
{
    const hp_tz *tz = *state;
    int64_t t0 = utc(2026, 9, 14, 15, 0, 0);
    hp_blackout list[] = {
        {.id = 1, .start = t0, .end = t0 + 3600, .has_end = true, .reason = "Assembly"},
        {.id = 2, .start = t0 + 1800, .end = t0 + 7200, .has_end = true, .reason = "Test"},
        {.id = 3, .start = t0 + 9000, .has_end = false, .reason = NULL},
    };
    hp_no_pass_window w;
    assert_false(hp_blackout_window_at(list, 3, t0 - 1, &w));
    assert_true(hp_blackout_window_at(list, 3, t0, &w));
    assert_int_equal(w.kind, HP_NO_PASS_BLACKOUT);
    assert_string_equal(w.label, "Assembly");
    assert_int_equal(w.end, t0 + 3600);
    /* Inside two: the one that ends later answers. */
    assert_true(hp_blackout_window_at(list, 3, t0 + 1800, &w));
    assert_string_equal(w.label, "Test");
    assert_true(hp_blackout_window_at(list, 3, t0 + 7199, &w));
    assert_false(hp_blackout_window_at(list, 3, t0 + 7200, &w));
    assert_true(hp_blackout_window_at(list, 3, t0 + 9000, &w));
    assert_false(w.has_end);
    assert_null(w.label);
    assert_true(hp_blackout_window_at(list, 3, t0 + 400 * 86400, &w));
    /* No end beats any end. */
    list[2].start = t0;
    assert_true(hp_blackout_window_at(list, 3, t0 + 10, &w));
    assert_false(w.has_end);
    assert_false(hp_blackout_window_at(NULL, 0, t0, &w));

    /* A blackout answers before the bell does. */
    hp_schedule s;
    hp_schedule_init(&s);
    add_ok(&s, "mon", "Period 2", "10:00", "10:50"); /* 15:00-15:50 UTC. */
    assert_true(hp_no_pass_at(&s, list, 2, tz, 10, 0, t0, &w));
    assert_int_equal(w.kind, HP_NO_PASS_BLACKOUT);
    assert_true(hp_no_pass_at(&s, NULL, 0, tz, 10, 0, t0, &w));
    assert_int_equal(w.kind, HP_NO_PASS_FIRST);
    assert_false(hp_no_pass_at(&s, NULL, 0, tz, 10, 0, t0 + 600, &w));
    assert_false(hp_no_pass_at(NULL, NULL, 0, tz, 10, 0, t0, &w));
    hp_schedule_release(&s);
}

/* Windows that touch are one stretch: the answer names the one at whose end passes resume. */
static void test_touching_windows(void **state)
{
    const hp_tz *tz = *state;
    hp_schedule s;
    hp_schedule_init(&s);
    /* Monday 2026-09-14, UTC-5: Period 1 ends 10:10 (15:10 UTC) as Period 2 starts. */
    add_ok(&s, "mon", "Period 1", "09:20", "10:10");
    add_ok(&s, "mon", "Period 2", "10:10", "11:00");
    add_ok(&s, "mon", "Period 3", "11:05", "11:55");
    int64_t bell = utc(2026, 9, 14, 15, 10, 0);
    hp_no_pass_window w;
    /* In Period 1's last 5 minutes, passes resume only after Period 2's first 10. */
    assert_true(hp_no_pass_at(&s, NULL, 0, tz, 10, 5, bell - 4 * MINUTE, &w));
    assert_int_equal(w.kind, HP_NO_PASS_FIRST);
    assert_string_equal(w.label, "Period 2");
    assert_int_equal(w.end, bell + 10 * MINUTE);
    /* A gap between periods ends the run: Period 2's last minutes stand alone. */
    int64_t p2_end = utc(2026, 9, 14, 16, 0, 0);
    assert_true(hp_no_pass_at(&s, NULL, 0, tz, 10, 5, p2_end - MINUTE, &w));
    assert_int_equal(w.kind, HP_NO_PASS_LAST);
    assert_int_equal(w.end, p2_end);
    /* A blackout that ends inside Period 2's first minutes runs on into them. */
    hp_blackout drill = {
        .id = 1, .start = bell - 30 * MINUTE, .end = bell + 2 * MINUTE, .has_end = true};
    assert_true(hp_no_pass_at(&s, &drill, 1, tz, 10, 0, bell - 20 * MINUTE, &w));
    assert_int_equal(w.kind, HP_NO_PASS_FIRST);
    assert_int_equal(w.end, bell + 10 * MINUTE);
    /* A blackout without an end is the end of the walk. */
    drill.has_end = false;
    assert_true(hp_no_pass_at(&s, &drill, 1, tz, 10, 5, bell - 4 * MINUTE, &w));
    assert_int_equal(w.kind, HP_NO_PASS_BLACKOUT);
    assert_false(w.has_end);
    hp_schedule_release(&s);
}

static void expect_week(const hp_tz *tz, int64_t t, int32_t monday)
{
    int32_t first = 0, last = 0;
    hp_local_week(tz, t, &first, &last);
    assert_int_equal(first, monday);
    assert_int_equal(last, monday + 6);
}

static void test_week(void **state)
{
    const hp_tz *tz = *state;
    /* Monday 2026-09-14 00:00 CDT is 05:00 UTC; a second earlier is last week's Sunday. */
    expect_week(tz, utc(2026, 9, 14, 5, 0, 0), day_of(2026, 9, 14));
    expect_week(tz, utc(2026, 9, 14, 4, 59, 59), day_of(2026, 9, 7));
    /* Sunday 2026-09-20 23:30 CDT is already Monday in UTC. */
    expect_week(tz, utc(2026, 9, 21, 4, 30, 0), day_of(2026, 9, 14));
    expect_week(tz, utc(2026, 9, 16, 12, 0, 0), day_of(2026, 9, 14));
    /* The week the clocks go forward, Monday 03-02 to Sunday 03-08 (23 hours long). */
    expect_week(tz, utc(2026, 3, 2, 6, 0, 0), day_of(2026, 3, 2)); /* Mon 00:00 CST. */
    expect_week(tz, utc(2026, 3, 2, 5, 59, 59), day_of(2026, 2, 23));
    expect_week(tz, utc(2026, 3, 9, 4, 59, 59), day_of(2026, 3, 2)); /* Sun 23:59:59 CDT. */
    expect_week(tz, utc(2026, 3, 9, 5, 0, 0), day_of(2026, 3, 9));   /* Mon 00:00 CDT. */
    /* The week the clocks go back, Monday 10-26 to Sunday 11-01 (25 hours long). */
    expect_week(tz, utc(2026, 10, 26, 5, 0, 0), day_of(2026, 10, 26));  /* Mon 00:00 CDT. */
    expect_week(tz, utc(2026, 11, 2, 5, 59, 59), day_of(2026, 10, 26)); /* Sun 23:59:59 CST. */
    expect_week(tz, utc(2026, 11, 2, 6, 0, 0), day_of(2026, 11, 2));    /* Mon 00:00 CST. */
    /* A week across the new year. */
    expect_week(tz, utc(2027, 1, 1, 18, 0, 0), day_of(2026, 12, 28));
}

static void test_midnight(void **state)
{
    const hp_tz *tz = *state;
    const struct {
        int64_t joined, removed;
    } cases[] = {
        /* An ordinary day: 10:00 CDT joins, 00:00 CDT the next day (05:00 UTC) clears. */
        {utc(2026, 9, 14, 15, 0, 0), utc(2026, 9, 15, 5, 0, 0)},
        /* Joined at midnight: the next one; a second before it: that one. */
        {utc(2026, 9, 15, 5, 0, 0), utc(2026, 9, 16, 5, 0, 0)},
        {utc(2026, 9, 15, 4, 59, 59), utc(2026, 9, 15, 5, 0, 0)},
        /* Saturday 03-07 noon CST; Sunday starts at 00:00 CST, 06:00 UTC. */
        {utc(2026, 3, 7, 18, 0, 0), utc(2026, 3, 8, 6, 0, 0)},
        /* Sunday 03-08, 23 hours long: Monday starts at 00:00 CDT, 05:00 UTC. */
        {utc(2026, 3, 8, 6, 0, 0), utc(2026, 3, 9, 5, 0, 0)},
        /* Sunday 11-01, 25 hours long: from 00:00 CDT (05:00 UTC) to 00:00 CST (06:00 UTC). */
        {utc(2026, 11, 1, 5, 0, 0), utc(2026, 11, 2, 6, 0, 0)},
        {utc(2026, 11, 1, 7, 30, 0), utc(2026, 11, 2, 6, 0, 0)},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++)
        assert_int_equal(hp_local_midnight_after(tz, cases[i].joined), cases[i].removed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_row_cap),
        cmocka_unit_test(test_date_replaces_weekday),
        cmocka_unit_test(test_first_and_last_minutes),
        cmocka_unit_test(test_clock_changes),
        cmocka_unit_test(test_blackout_parse),
        cmocka_unit_test(test_blackout_windows),
        cmocka_unit_test(test_touching_windows),
        cmocka_unit_test(test_week),
        cmocka_unit_test(test_midnight),
    };
    return cmocka_run_group_tests(tests, chicago_setup, chicago_teardown);
}
