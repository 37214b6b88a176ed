/*
 * The insights over hand-made counters in a real SQLite store: one test per insight, each
 * writing the counters its passes and refusals would have written (by day, so that the store
 * adds them to their months too) and checking every row against numbers worked out by hand in
 * the comments. Also the arithmetic on numbers alone, and the errors of bad queries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/rules.h"
#include "core/util.h"
#include "export/export.h"
#include "fixture.h"
#include "report/insight.h"
#include "store/counter.h"
#include "store/store.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUL HP_REPORT_NULL

/* ---- Set-up helpers ------------------------------------------------------------------- */

static int32_t day_of(const char *date)
{
    int32_t day;
    assert_int_equal(hp_date_parse(date, &day), HP_OK);
    return day;
}

static int64_t add_room(fixture *f, const char *name, const char *folder)
{
    hp_room room = {.name = (char *)name, .folder = (char *)folder};
    bool changed;
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_room_put(f->store, f->school.id, &room, &changed), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
    return room.id;
}

static int64_t add_user(fixture *f, const char *name, const char *email, hp_role role,
                        const char *student_id)
{
    hp_user user = {.name = (char *)name,
                    .email = (char *)email,
                    .role = role,
                    .student_id = (char *)student_id};
    bool changed;
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_user_put(f->store, f->school.id, &user, NULL, &changed), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
    return user.id;
}

/* Writes one day counter: kind, subject, day and its first two values. */
static void put(fixture *f, hp_counter_kind kind, int64_t subject, const char *date, int64_t a,
                int64_t b)
{
    hp_counter c = {.key = {kind, HP_PERIOD_DAY, day_of(date), subject}};
    c.values[0] = a;
    c.values[1] = b;
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_counts_add(f->store, f->school.id, &c, 1), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
}

/* Writes a student's time out on a day: the third and fourth values of their counter, as an
 * end writes them. */
static void put_time(fixture *f, int64_t student, const char *date, int64_t minutes,
                     int64_t overtime)
{
    hp_counter c = {.key = {HP_COUNTER_STUDENT, HP_PERIOD_DAY, day_of(date), student}};
    c.student.minutes = minutes;
    c.student.overtime = overtime;
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_counts_add(f->store, f->school.id, &c, 1), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
}

static hp_report *build(fixture *f, hp_report_kind kind, const char *from, const char *to,
                        const char *sort, const char *order, const char *compare,
                        const char *destination)
{
    hp_report *r = NULL;
    hp_report_query q = {from, to, sort, order, compare, destination};
    if (hp_insight_build(&r, f->store, &f->school, f->tz, kind, &q, 0) != HP_OK)
        fail_msg("%s: %s", hp_report_kind_name(kind), hp_error_last());
    return r;
}

/* The error of a query that must fail, which must start with `says`. */
static void check_refused(fixture *f, hp_report_kind kind, const hp_report_query *q,
                          const char *says)
{
    hp_report *r = NULL;
    assert_int_equal(hp_insight_build(&r, f->store, &f->school, f->tz, kind, q, 0), HP_EINVALID);
    assert_null(r);
    if (strncmp(hp_error_last(), says, strlen(says)) != 0)
        fail_msg("error \"%s\", expected it to start \"%s\"", hp_error_last(), says);
}

static const hp_report_row *row_named(const hp_report *r, const char *name)
{
    for (size_t i = 0; i < r->row_count; i++)
        if (r->rows[i].name && strcmp(r->rows[i].name, name) == 0)
            return &r->rows[i];
    fail_msg("no row \"%s\"", name);
    return NULL;
}

/* A column's number in a row, found by the column's JSON name. */
static int64_t cell(const hp_report *r, const hp_report_row *row, const char *json_name)
{
    for (size_t c = 0; c < r->column_count; c++)
        if (strcmp(r->columns[c].json_name, json_name) == 0)
            return r->columns[c].number(row);
    fail_msg("no column %s", json_name);
    return 0;
}

/* The report as CSV, without the byte-order mark. */
static char *csv_of(const hp_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(hp_export_csv(r, out), HP_OK);
    fclose(out);
    char *text = g_strdup(buf + 3);
    free(buf);
    return text;
}

/* ---- The arithmetic ------------------------------------------------------------------- */

static void test_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(hp_round_half_up(5, 2), 3); /* 2.5 up */
    assert_int_equal(hp_round_half_up(7, 3), 2); /* 2.33 */
    assert_int_equal(hp_round_half_up(0, 4), 0);
    /* 450 seconds over 2 passes: 3.75 minutes -> 3.8; 90 s over 1: 1.5 exactly. */
    assert_int_equal(hp_average_minutes_tenths(450, 2), 38);
    assert_int_equal(hp_average_minutes_tenths(90, 1), 15);
    /* 1 s over 1 pass: 0.0166 -> 0.0; 3 s over 1: 0.05 -> 0.1 (half up). */
    assert_int_equal(hp_average_minutes_tenths(1, 1), 0);
    assert_int_equal(hp_average_minutes_tenths(3, 1), 1);
    assert_true(hp_average_minutes_tenths(100, 0) == NUL);
    assert_int_equal(hp_average_seconds(5, 2), 3);
    assert_int_equal(hp_average_seconds(4, 3), 1);
    assert_true(hp_average_seconds(0, 0) == NUL);
    /* Four values 1, 2, 9, 9: lower median (position 2) is 2. Three values 4, 4, 7: 4. */
    int64_t even[10] = {0, 1, 1, 0, 0, 0, 0, 0, 0, 2};
    assert_int_equal(hp_histogram_lower_median(even, 10), 2);
    int64_t odd[8] = {0, 0, 0, 0, 2, 0, 0, 1};
    assert_int_equal(hp_histogram_lower_median(odd, 8), 4);
    int64_t one[3] = {0, 0, 1};
    assert_int_equal(hp_histogram_lower_median(one, 3), 2);
    int64_t none[3] = {0, 0, 0};
    assert_true(hp_histogram_lower_median(none, 3) == NUL);
}

/* ---- One test per insight ------------------------------------------------------------- */

static void test_daily(void **state)
{
    fixture *f = *state;
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_STUDENT, "2026-09-30", 2, 0);
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_TEACHER, "2026-09-30", 1, 3);
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_KIOSK_LOGIN, "2026-10-02", 4, 0);
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_KIOSK_MODE, "2026-10-02", 1, 0);
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_STUDENT, "2026-10-05", 9, 0); /* after the range */
    hp_report *r = build(f, HP_INSIGHT_DAILY, "2026-09-29", "2026-10-03", NULL, NULL, NULL, NULL);
    /* Every day of the range, in date order, across the month's end. */
    assert_int_equal(r->row_count, 5);
    const char *days[] = {"2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02", "2026-10-03"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(days); i++)
        assert_string_equal(r->rows[i].name, days[i]);
    const hp_daily_row *d = &r->rows[1].daily;
    assert_int_equal(d->passes, 6);
    assert_int_equal(d->student, 2);
    assert_int_equal(d->teacher, 4);
    assert_int_equal(d->kiosk_mode + d->kiosk_login, 0);
    d = &r->rows[3].daily;
    assert_int_equal(d->passes, 5);
    assert_int_equal(d->kiosk_login, 4);
    assert_int_equal(d->kiosk_mode, 1);
    assert_int_equal(r->rows[0].daily.passes + r->rows[2].daily.passes + r->rows[4].daily.passes,
                     0);
    hp_report_free(r);
    /* Sorted by passes descending: the busiest first, ties in date order. */
    r = build(f, HP_INSIGHT_DAILY, "2026-09-29", "2026-10-03", "passes", "desc", NULL, NULL);
    const char *by_passes[] = {"2026-09-30", "2026-10-02", "2026-09-29", "2026-10-01",
                               "2026-10-03"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(by_passes); i++)
        assert_string_equal(r->rows[i].name, by_passes[i]);
    hp_report_free(r);
    /* A whole month reads the same as its days. */
    r = build(f, HP_INSIGHT_DAILY, "2026-10-01", "2026-10-31", NULL, NULL, NULL, NULL);
    assert_int_equal(r->row_count, 31);
    assert_int_equal(r->rows[4].daily.student, 9);
    hp_report_free(r);
}

static void test_heatmap(void **state)
{
    fixture *f = *state;
    int64_t gym = add_room(f, "Gym", "");
    int64_t lab = add_room(f, "Lab", "");
    /* 2026-09-14 is a Monday; Wednesday 10:00 is week hour 2 x 24 + 10. */
    put(f, HP_COUNTER_HOUR, hp_counter_week_hour(1, 9), "2026-09-14", 3, 0);
    put(f, HP_COUNTER_HOUR, hp_counter_week_hour(3, 10), "2026-09-16", 2, 0);
    put(f, HP_COUNTER_HOUR, hp_counter_week_hour(3, 10), "2026-09-23", 1, 0);
    put(f, HP_COUNTER_ROOM_HOUR, hp_counter_room_hour(gym, hp_counter_week_hour(3, 10)),
        "2026-09-16", 2, 0);
    put(f, HP_COUNTER_ROOM_HOUR, hp_counter_room_hour(lab, hp_counter_week_hour(1, 9)),
        "2026-09-14", 3, 0);
    hp_report *r = build(f, HP_INSIGHT_HEATMAP, "2026-09-01", "2026-09-30", NULL, NULL, NULL, NULL);
    assert_int_equal(r->row_count, HP_WEEK_HOURS);
    assert_int_equal(r->rows[0].heatmap.weekday, 1);
    assert_int_equal(r->rows[0].heatmap.hour, 0);
    assert_int_equal(r->rows[HP_WEEK_HOURS - 1].heatmap.weekday, 7);
    assert_int_equal(r->rows[HP_WEEK_HOURS - 1].heatmap.hour, 23);
    assert_int_equal(r->rows[9].heatmap.passes, 3);
    assert_int_equal(r->rows[2 * 24 + 10].heatmap.passes, 3);
    assert_null(r->destination);
    hp_report_free(r);
    /* One room's, named in any case; the busiest hour first when sorted so. */
    r = build(f, HP_INSIGHT_HEATMAP, "2026-09-01", "2026-09-30", "passes", "desc", NULL, "gYM");
    assert_string_equal(r->destination, "Gym");
    assert_int_equal(r->rows[0].heatmap.weekday, 3);
    assert_int_equal(r->rows[0].heatmap.hour, 10);
    assert_int_equal(r->rows[0].heatmap.passes, 2);
    assert_int_equal(r->rows[1].heatmap.passes, 0);
    /* Ties keep weekday then hour. */
    assert_int_equal(r->rows[1].heatmap.weekday, 1);
    assert_int_equal(r->rows[1].heatmap.hour, 0);
    hp_report_free(r);
    hp_report_query q = {"2026-09-01", "2026-09-30", NULL, NULL, NULL, "Pool"};
    check_refused(f, HP_INSIGHT_HEATMAP, &q, "destination: the school has no room named \"Pool\"");
}

static void test_durations(void **state)
{
    fixture *f = *state;
    int64_t nurse = add_room(f, "Nurse", "Offices");
    add_room(f, "Gym", "");
    int64_t lib = add_room(f, "Library", "");
    /* Nurse, September: passes of 3, 5, 5 and 12 minutes and 30 s each: 1,620 s over 4 ended,
     * 6.75 minutes, 6.8 rounded; lower median (position 2) 5. One overtime. The 12 is on the
     * 30th. */
    put(f, HP_COUNTER_DURATION, nurse, "2026-09-14", 3, 3 * 60 + 5 * 60 + 5 * 60 + 90);
    put(f, HP_COUNTER_DURATION, nurse, "2026-09-30", 1, 12 * 60 + 30);
    put(f, HP_COUNTER_MINUTES, hp_counter_room_minute(nurse, 3), "2026-09-14", 1, 0);
    put(f, HP_COUNTER_MINUTES, hp_counter_room_minute(nurse, 5), "2026-09-14", 2, 0);
    put(f, HP_COUNTER_MINUTES, hp_counter_room_minute(nurse, 12), "2026-09-30", 1, 0);
    put(f, HP_COUNTER_OVERTIME, nurse, "2026-09-30", 1, 0);
    /* Library, August only: one pass of 720+ minutes. */
    put(f, HP_COUNTER_DURATION, lib, "2026-08-20", 1, 800 * 60);
    put(f, HP_COUNTER_MINUTES, hp_counter_room_minute(lib, HP_DURATION_MINUTES_MAX), "2026-08-20",
        1, 0);
    hp_report *r =
        build(f, HP_INSIGHT_DURATIONS, "2026-09-01", "2026-09-30", NULL, NULL, "previous", NULL);
    /* Rooms in natural order. */
    assert_int_equal(r->row_count, 3);
    assert_string_equal(r->rows[0].name, "Gym");
    assert_string_equal(r->rows[1].name, "Library");
    assert_string_equal(r->rows[2].name, "Nurse");
    const hp_report_row *n = row_named(r, "Nurse");
    assert_string_equal(n->duration.folder, "Offices");
    assert_int_equal(cell(r, n, "ended"), 4);
    assert_int_equal(cell(r, n, "average_minutes"), 68);
    assert_int_equal(cell(r, n, "median_minutes"), 5);
    assert_int_equal(cell(r, n, "overtime"), 1);
    assert_int_equal(cell(r, n, "open"), 0);
    assert_int_equal(cell(r, n, "prev_ended"), 0);
    assert_true(cell(r, n, "prev_average_minutes") == NUL);
    const hp_report_row *l = row_named(r, "Library");
    assert_true(cell(r, l, "average_minutes") == NUL);
    assert_true(cell(r, l, "median_minutes") == NUL);
    assert_int_equal(cell(r, l, "prev_ended"), 1);
    assert_int_equal(cell(r, l, "prev_average_minutes"), 8000);
    assert_int_equal(cell(r, l, "prev_median_minutes"), HP_DURATION_MINUTES_MAX);
    /* The CSV: a decimal, empty cells for no value, the previous columns after. */
    char *csv = csv_of(r);
    assert_non_null(strstr(csv, "Room,Folder,Ended,Average Minutes,Median Minutes,Overtime,Open,"
                                "Ended (previous),Average Minutes (previous),"
                                "Median Minutes (previous),Overtime (previous),Open (previous)\r\n"
                                "Gym,,0,,,0,0,0,,,0,0\r\n"
                                "Library,,0,,,0,0,1,800.0,720,0,0\r\n"
                                "Nurse,Offices,4,6.8,5,1,0,0,,,0,0\r\n"));
    g_free(csv);
    hp_report_free(r);
    /* One day: the 30th alone, 12.5 minutes; sorting by average puts no value first. */
    r = build(f, HP_INSIGHT_DURATIONS, "2026-09-30", "2026-09-30", "average_minutes", NULL, NULL,
              NULL);
    assert_int_equal(r->column_count, 7);
    assert_string_equal(r->rows[2].name, "Nurse");
    assert_int_equal(cell(r, &r->rows[2], "average_minutes"), 125);
    assert_int_equal(cell(r, &r->rows[2], "median_minutes"), 12);
    hp_report_free(r);
}

static void test_durations_open(void **state)
{
    fixture *f = *state;
    int64_t a = add_room(f, "A", ""), b = add_room(f, "B", "");
    int64_t kid = add_user(f, "Kid", "kid@x.org", HP_ROLE_STUDENT, NULL);
    int64_t now = 1789900000; /* 2026-09-20 in Chicago */
    hp_pass pass = {.student_id = kid,
                    .origin_id = a,
                    .destination_id = b,
                    .creator_id = kid,
                    .source = HP_SOURCE_STUDENT,
                    .type = HP_PASS_NOW,
                    .start = now - 300,
                    .local_day = hp_tz_local_day(f->tz, now - 300),
                    .auto_end_at = now + 3600};
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_pass_insert(f->store, f->school.id, &pass), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
    hp_report *r = NULL;
    hp_report_query q = {"2026-09-01", "2026-09-30", NULL, NULL, "2026-09-20..2026-09-20", NULL};
    assert_int_equal(
        hp_insight_build(&r, f->store, &f->school, f->tz, HP_INSIGHT_DURATIONS, &q, now), HP_OK);
    assert_int_equal(cell(r, row_named(r, "B"), "open"), 1);
    assert_int_equal(cell(r, row_named(r, "B"), "prev_open"), 1);
    assert_int_equal(cell(r, row_named(r, "A"), "open"), 0);
    hp_report_free(r);
    /* Past its auto-end it is no longer out; a range without its day does not count it. */
    assert_int_equal(
        hp_insight_build(&r, f->store, &f->school, f->tz, HP_INSIGHT_DURATIONS, &q, now + 7200),
        HP_OK);
    assert_int_equal(cell(r, row_named(r, "B"), "open"), 0);
    hp_report_free(r);
    hp_report_query other = {"2026-09-21", "2026-09-30", NULL, NULL, NULL, NULL};
    assert_int_equal(
        hp_insight_build(&r, f->store, &f->school, f->tz, HP_INSIGHT_DURATIONS, &other, now),
        HP_OK);
    assert_int_equal(cell(r, row_named(r, "B"), "open"), 0);
    hp_report_free(r);
}

static void test_students(void **state)
{
    fixture *f = *state;
    int64_t sam = add_user(f, "Sam 10", "sam@x.org", HP_ROLE_STUDENT, "S10");
    int64_t sue = add_user(f, "Sue 2", "sue@x.org", HP_ROLE_STUDENT, NULL);
    int64_t ida = add_user(f, "Ida Idle", "ida@x.org", HP_ROLE_STUDENT, NULL);
    int64_t ken = add_user(f, "Ken Cancel", "ken@x.org", HP_ROLE_STUDENT, NULL);
    int64_t pat = add_user(f, "Pat Past", "pat@x.org", HP_ROLE_STUDENT, NULL);
    add_user(f, "Tom Teacher", "tom@x.org", HP_ROLE_TEACHER, NULL);
    (void)ida;
    put(f, HP_COUNTER_STUDENT, sam, "2026-09-14", 2, 1);
    put_time(f, sam, "2026-09-14", 17, 1); /* 17 minutes out, one pass overtime */
    put(f, HP_COUNTER_STUDENT_REFUSALS, sam, "2026-09-15", 3, 1);
    put(f, HP_COUNTER_STUDENT_REFUSALS, sue, "2026-09-16", 1, 0); /* refused, no pass */
    put(f, HP_COUNTER_STUDENT, ken, "2026-09-17", 0, 0);          /* written, then cancelled */
    put(f, HP_COUNTER_STUDENT, pat, "2026-08-20", 1, 0);          /* the compare range only */
    hp_report *r =
        build(f, HP_INSIGHT_STUDENTS, "2026-09-01", "2026-09-30", NULL, NULL, NULL, NULL);
    /* Sam and Sue: natural order puts "Sam 10" before "Sue 2". */
    assert_int_equal(r->row_count, 2);
    assert_string_equal(r->rows[0].name, "Sam 10");
    assert_string_equal(r->rows[1].name, "Sue 2");
    const hp_report_row *s = &r->rows[0];
    assert_string_equal(s->student.email, "sam@x.org");
    assert_string_equal(s->student.student_id, "S10");
    assert_null(r->rows[1].student.student_id);
    assert_int_equal(cell(r, s, "passes"), 3);
    assert_int_equal(cell(r, s, "now"), 2);
    assert_int_equal(cell(r, s, "scheduled"), 1);
    assert_int_equal(cell(r, s, "minutes_out"), 17);
    assert_int_equal(cell(r, s, "overtime"), 1);
    assert_int_equal(cell(r, s, "refused"), 3);
    assert_int_equal(cell(r, s, "prevented"), 1);
    assert_int_equal(cell(r, &r->rows[1], "refused"), 1);
    assert_int_equal(cell(r, &r->rows[1], "passes"), 0);
    char *csv = csv_of(r);
    assert_non_null(strstr(csv, "\r\nSue 2,sue@x.org,,0,0,0,0,0,1,0\r\n"));
    g_free(csv);
    hp_report_free(r);
    /* With compare, Pat (August only) has a row too. */
    r = build(f, HP_INSIGHT_STUDENTS, "2026-09-01", "2026-09-30", "prev_passes", "desc",
              "2026-08-01..2026-08-31", NULL);
    assert_int_equal(r->row_count, 3);
    assert_string_equal(r->rows[0].name, "Pat Past");
    assert_int_equal(cell(r, &r->rows[0], "prev_passes"), 1);
    assert_int_equal(cell(r, &r->rows[0], "passes"), 0);
    hp_report_free(r);
}

static void test_limits(void **state)
{
    fixture *f = *state;
    int64_t gym = add_room(f, "Gym", "Sports");
    int64_t lab = add_room(f, "Lab", "");
    put(f, HP_COUNTER_ROOM_REFUSALS, gym, "2026-09-14", 2, 0);
    put(f, HP_COUNTER_ROOM_REFUSALS, lab, "2026-09-14", 0, 4);
    put(f, HP_COUNTER_ROOM_REFUSALS, lab, "2026-08-14", 1, 1);
    /* Three waits of 10, 20 and 35 s: 65 / 3 = 21.67 -> 22. Two of 1 and 2 s: 1.5 -> 2. */
    put(f, HP_COUNTER_ROOM_WAITS, lab, "2026-09-15", 3, 65);
    put(f, HP_COUNTER_ROOM_WAITS, gym, "2026-08-15", 2, 3);
    put(f, HP_COUNTER_ROOM_OVERRIDES, gym, "2026-09-16", 5, 0);
    hp_report *r =
        build(f, HP_INSIGHT_LIMITS, "2026-09-01", "2026-09-30", NULL, NULL, "previous", NULL);
    const hp_report_row *g = row_named(r, "Gym"), *l = row_named(r, "Lab");
    assert_string_equal(g->limit.folder, "Sports");
    assert_int_equal(cell(r, g, "refused_from"), 2);
    assert_int_equal(cell(r, g, "refused_to"), 0);
    assert_int_equal(cell(r, g, "waited"), 0);
    assert_true(cell(r, g, "average_wait_seconds") == NUL);
    assert_int_equal(cell(r, g, "overridden"), 5);
    assert_int_equal(cell(r, g, "prev_waited"), 2);
    assert_int_equal(cell(r, g, "prev_average_wait_seconds"), 2);
    assert_int_equal(cell(r, l, "refused_to"), 4);
    assert_int_equal(cell(r, l, "waited"), 3);
    assert_int_equal(cell(r, l, "average_wait_seconds"), 22);
    assert_int_equal(cell(r, l, "prev_refused_from"), 1);
    assert_int_equal(cell(r, l, "prev_refused_to"), 1);
    assert_int_equal(r->column_count, 12);
    hp_report_free(r);
}

static void test_rules(void **state)
{
    fixture *f = *state;
    put(f, HP_COUNTER_RULE_REFUSALS, HP_RULE_MAX_TO, "2026-09-14", 4, 0);
    put(f, HP_COUNTER_RULE_REFUSALS, HP_RULE_COOLDOWN, "2026-09-14", 1, 0);
    put(f, HP_COUNTER_RULE_OVERRIDES, HP_RULE_MAX_TO, "2026-09-15", 2, 0);
    put(f, HP_COUNTER_RULE_REFUSALS, HP_RULE_ENCOUNTER, "2026-10-01", 7, 0); /* out of range */
    hp_report *r = build(f, HP_INSIGHT_RULES, "2026-09-01", "2026-09-30", NULL, NULL, NULL, NULL);
    assert_int_equal(r->row_count, HP_RULE_COUNT);
    for (int i = 0; i < HP_RULE_COUNT; i++)
        assert_string_equal(r->rows[i].name, hp_rule_name((hp_rule_id)(i + 1)));
    const hp_report_row *m = row_named(r, "max_to");
    assert_int_equal(m->rule.refused, 4);
    assert_int_equal(m->rule.overridden, 2);
    assert_int_equal(row_named(r, "cooldown")->rule.refused, 1);
    assert_int_equal(row_named(r, "encounter")->rule.refused, 0);
    hp_report_free(r);
    /* Sorting by rule is the rules' order, descending too; not the alphabet. */
    r = build(f, HP_INSIGHT_RULES, "2026-09-01", "2026-09-30", "rule", "desc", NULL, NULL);
    for (int i = 0; i < HP_RULE_COUNT; i++)
        assert_string_equal(r->rows[i].name, hp_rule_name((hp_rule_id)(HP_RULE_COUNT - i)));
    hp_report_free(r);
    hp_report_query q = {"2026-09-01", "2026-09-30", NULL, NULL, "previous", NULL};
    check_refused(f, HP_INSIGHT_RULES, &q, "compare: the rules insight has no comparison");
}

static void test_sources(void **state)
{
    fixture *f = *state;
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_TEACHER, "2026-09-14", 5, 2);
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_KIOSK_LOGIN, "2026-09-15", 3, 0);
    put(f, HP_COUNTER_SOURCE, HP_SOURCE_TEACHER, "2026-09-16", 1, 0);
    hp_report *r = build(f, HP_INSIGHT_SOURCES, "2026-09-01", "2026-09-30", NULL, NULL, NULL, NULL);
    char *csv = csv_of(r);
    assert_string_equal(csv, "Source,Type,Passes,In Staff Usage\r\n"
                             "student,now,0,false\r\n"
                             "student,scheduled,0,false\r\n"
                             "teacher,now,6,true\r\n"
                             "teacher,scheduled,2,true\r\n"
                             "kiosk_mode,now,0,true\r\n"
                             "kiosk_mode,scheduled,0,false\r\n"
                             "kiosk_login,now,3,false\r\n"
                             "kiosk_login,scheduled,0,false\r\n");
    g_free(csv);
    hp_report_free(r);
    /* By type: now before scheduled, each in the sources' order. */
    r = build(f, HP_INSIGHT_SOURCES, "2026-09-01", "2026-09-30", "type", NULL, NULL, NULL);
    assert_string_equal(r->rows[0].name, "student");
    assert_string_equal(r->rows[3].name, "kiosk_login");
    assert_string_equal(r->rows[3].source.type, "now");
    assert_string_equal(r->rows[4].source.type, "scheduled");
    hp_report_free(r);
}

static void test_encounters(void **state)
{
    fixture *f = *state;
    int64_t a = add_user(f, "A", "a@x.org", HP_ROLE_STUDENT, NULL);
    int64_t b = add_user(f, "B", "b@x.org", HP_ROLE_STUDENT, NULL);
    int64_t c = add_user(f, "C", "c@x.org", HP_ROLE_STUDENT, NULL);
    int64_t three[] = {a, b, c}, two[] = {a, b};
    hp_group g10 = {.name = "Group 10", .active = true, .members = three, .member_count = 3};
    hp_group g9 = {.name = "group 9", .active = false, .members = two, .member_count = 2};
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_group_put(f->store, f->school.id, &g10), HP_OK);
    assert_int_equal(hp_store_group_put(f->store, f->school.id, &g9), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
    put(f, HP_COUNTER_GROUP_REFUSALS, g10.id, "2026-09-14", 1, 0);
    put(f, HP_COUNTER_GROUP_REFUSALS, g10.id, "2026-09-20", 1, 0);
    put(f, HP_COUNTER_GROUP_OVERRIDES, g9.id, "2026-09-21", 1, 0);
    hp_report *r =
        build(f, HP_INSIGHT_ENCOUNTERS, "2026-09-01", "2026-09-30", NULL, NULL, NULL, NULL);
    char *csv = csv_of(r);
    assert_string_equal(csv, "Group,Members,Active,Prevented,Overridden\r\n"
                             "group 9,2,false,0,1\r\n"
                             "Group 10,3,true,2,0\r\n");
    g_free(csv);
    hp_report_free(r);
}

/* ---- Bad queries ---------------------------------------------------------------------- */

static void test_bad_queries(void **state)
{
    fixture *f = *state;
    hp_report_query q = {"2026-09-01", "2026-09-30", "room", NULL, NULL, NULL};
    check_refused(f, HP_INSIGHT_DAILY, &q, "sort: \"room\" is not a column of the daily insight");
    hp_report_query long_range = {"2000-01-01", "2026-09-30", NULL, NULL, NULL, NULL};
    check_refused(f, HP_INSIGHT_DAILY, &long_range, "from: the daily insight covers at most");
    hp_report_query bad_date = {"2026-02-30", NULL, NULL, NULL, NULL, NULL};
    check_refused(f, HP_INSIGHT_LIMITS, &bad_date, "from: ");
    hp_report_query bad_compare = {"2026-09-01", "2026-09-30", NULL, NULL, "later", NULL};
    check_refused(f, HP_INSIGHT_STUDENTS, &bad_compare, "compare: \"later\" is not previous");
    /* The long range is fine for an insight with fixed rows. */
    hp_report *r = build(f, HP_INSIGHT_HEATMAP, "0001-01-01", "9999-12-31", NULL, NULL, NULL, NULL);
    assert_int_equal(r->row_count, HP_WEEK_HOURS);
    hp_report_free(r);
    hp_report_kind kind;
    assert_int_equal(hp_insight_kind_parse("rooms", &kind), HP_EINVALID);
    assert_int_equal(hp_insight_kind_parse("encounters", &kind), HP_OK);
    assert_int_equal(kind, HP_INSIGHT_ENCOUNTERS);
    char name[96];
    r = build(f, HP_INSIGHT_DURATIONS, "2026-11-02", "2026-11-06", NULL, NULL, NULL, NULL);
    hp_report_filename(r, "csv", name, sizeof(name));
    assert_string_equal(name, "durations_2026-11-02_2026-11-06.csv");
    hp_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test_setup_teardown(test_daily, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_heatmap, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_durations, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_durations_open, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_students, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_limits, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rules, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sources, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_encounters, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_queries, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
