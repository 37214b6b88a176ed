/*
 * Dates and local days: strict YYYY-MM-DD, ISO 8601 date-times with an
 * offset, and calendar days of a school's zone, 23 or 25 hours long around a daylight-saving
 * change. Expected instants come from timegm() on the UTC times worked out by hand from each
 * zone's rules, not from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "core/error.h"
#include "core/tz.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define HOUR 3600

/* Unix seconds of a UTC wall-clock time. */
static int64_t utc(int year, int month, int day, int hour, int minute, int second)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return (int64_t)timegm(&tm);
}

/* Day number of a calendar date, from timegm so as not to trust hp_date_parse. */
static int32_t day_of(int year, int month, int day)
{
    return (int32_t)(utc(year, month, day, 0, 0, 0) / 86400);
}

static hp_tz *open_zone(const char *name)
{
    hp_tz *tz = NULL;
    int rc = hp_tz_new(&tz, name);
    if (rc != HP_OK)
        fail_msg("hp_tz_new(\"%s\"): %s", name, hp_error_last());
    assert_non_null(tz);
    return tz;
}

static void check_date(const char *text, int32_t want)
{
    int32_t day = -99999;
    int rc = hp_date_parse(text, &day);
    if (rc != HP_OK)
        fail_msg("hp_date_parse(\"%s\") failed: %s", text, hp_error_last());
    assert_int_equal(day, want);
}

static void check_bad_date(const char *text)
{
    int32_t day = 12345;
    int rc = hp_date_parse(text, &day);
    if (rc != HP_EINVALID)
        fail_msg("hp_date_parse(\"%s\") = %d (day %d), expected HP_EINVALID", text, rc, day);
    /* The message names the value. */
    if (strstr(hp_error_last(), text) == NULL)
        fail_msg("message \"%s\" does not name \"%s\"", hp_error_last(), text);
}

static void test_date_parse_valid(void **state)
{
    (void)state;
    check_date("1970-01-01", 0);
    check_date("1969-12-31", -1);
    check_date("1970-01-02", 1);
    check_date("2026-09-14", day_of(2026, 9, 14));
    check_date("2026-01-01", day_of(2026, 1, 1));
    check_date("2026-12-31", day_of(2026, 12, 31));
    check_date("1999-12-31", day_of(1999, 12, 31));
    /* Feb 29 in leap years: every 4th, every 400th century. */
    check_date("2024-02-29", day_of(2024, 2, 29));
    check_date("2028-02-29", day_of(2028, 2, 29));
    check_date("2000-02-29", day_of(2000, 2, 29));
    assert_int_equal(day_of(2024, 3, 1) - day_of(2024, 2, 28), 2);
}

static void test_date_parse_rejects(void **state)
{
    (void)state;
    /* Feb 29 outside leap years; century years not divisible by 400 are not leap. */
    check_bad_date("2026-02-29");
    check_bad_date("2025-02-29");
    check_bad_date("1900-02-29");
    check_bad_date("2100-02-29");
    /* Days and months out of range. */
    check_bad_date("2026-13-01");
    check_bad_date("2026-00-10");
    check_bad_date("2026-09-00");
    check_bad_date("2026-09-31");
    check_bad_date("2026-04-31");
    check_bad_date("2026-02-30");
    check_bad_date("2026-01-32");
    /* Not the exact form YYYY-MM-DD. */
    check_bad_date("2026-9-1");
    check_bad_date("2026-09-1");
    check_bad_date("2026-9-01");
    check_bad_date("26-09-01");
    check_bad_date("02026-09-01");
    check_bad_date("2026/09/14");
    check_bad_date("20260914");
    check_bad_date("2026-+9-14");
    check_bad_date("2026- 9-14");
    check_bad_date("+026-09-14");
    check_bad_date("abcd-ef-gh");
    /* Junk before or after. */
    check_bad_date("2026-09-14x");
    check_bad_date("2026-09-14 ");
    check_bad_date(" 2026-09-14");
    check_bad_date("2026-09-14T00:00:00Z");
    check_bad_date("");
}

static void test_date_format_round_trip(void **state)
{
    (void)state;
    char text[HP_DATE_LEN];

    hp_date_format(0, text);
    assert_string_equal(text, "1970-01-01");
    hp_date_format(-1, text);
    assert_string_equal(text, "1969-12-31");
    hp_date_format(day_of(2026, 9, 14), text);
    assert_string_equal(text, "2026-09-14");
    hp_date_format(day_of(2024, 2, 29), text);
    assert_string_equal(text, "2024-02-29");
    hp_date_format(day_of(2000, 3, 1), text);
    assert_string_equal(text, "2000-03-01");

    /* Every day from 1900 to 2200 formats and parses back to itself, zero-padded. */
    for (int32_t day = day_of(1900, 1, 1); day <= day_of(2200, 12, 31); day++) {
        int32_t back = 0;
        hp_date_format(day, text);
        assert_int_equal(strlen(text), 10);
        if (hp_date_parse(text, &back) != HP_OK || back != day)
            fail_msg("day %d formats as \"%s\", which parses to %d", day, text, back);
    }
}

static void test_date_weekday(void **state)
{
    (void)state;
    assert_int_equal(hp_date_weekday(day_of(2026, 9, 14)), 1); /* a Monday */
    assert_int_equal(hp_date_weekday(day_of(2026, 3, 8)), 7);  /* a Sunday */
    assert_int_equal(hp_date_weekday(0), 4);                   /* 1970-01-01, a Thursday */
}

static void check_datetime(const char *text, int64_t want)
{
    int64_t t = -1;
    int rc = hp_datetime_parse(text, &t);
    if (rc != HP_OK)
        fail_msg("hp_datetime_parse(\"%s\") failed: %s", text, hp_error_last());
    if (t != want)
        fail_msg("hp_datetime_parse(\"%s\") = %lld, expected %lld", text, (long long)t,
                 (long long)want);
}

static void check_bad_datetime(const char *text)
{
    int64_t t = 0;
    int rc = hp_datetime_parse(text, &t);
    if (rc != HP_EINVALID)
        fail_msg("hp_datetime_parse(\"%s\") = %d (%lld), expected HP_EINVALID", text, rc,
                 (long long)t);
    if (strstr(hp_error_last(), text) == NULL)
        fail_msg("message \"%s\" does not name \"%s\"", hp_error_last(), text);
}

static void test_datetime_parse(void **state)
{
    (void)state;
    check_datetime("2026-09-14T10:03:00Z", utc(2026, 9, 14, 10, 3, 0));
    /* Local time minus the offset gives UTC. */
    check_datetime("2026-09-14T10:03:00+05:30", utc(2026, 9, 14, 4, 33, 0));
    check_datetime("2026-09-14T10:03:00-05:00", utc(2026, 9, 14, 15, 3, 0));
    check_datetime("2026-09-14T10:03:00+00:00", utc(2026, 9, 14, 10, 3, 0));
    /* The offset moves the instant across a UTC date. */
    check_datetime("2026-09-30T23:59:59-05:00", utc(2026, 10, 1, 4, 59, 59));
    check_datetime("2026-09-01T02:00:00+05:30", utc(2026, 8, 31, 20, 30, 0));
    check_datetime("2024-02-29T12:00:00Z", utc(2024, 2, 29, 12, 0, 0));
}

static void test_datetime_parse_rejects(void **state)
{
    (void)state;
    check_bad_datetime("2026-09-14T10:03:00"); /* no offset */
    check_bad_datetime("2026-09-14");          /* a date alone */
    check_bad_datetime("2026-09-14T10:03");
    check_bad_datetime("garbage");
    check_bad_datetime("");
    check_bad_datetime("2026-02-30T10:00:00Z");
    check_bad_datetime("2026-09-14T25:00:00Z");
    check_bad_datetime("2026-09-14T10:03:00Zjunk");
    check_bad_datetime("2026-09-14T10:03:00-05:00 ");
    check_bad_datetime("2026-W38-1T10:03:00Z");
    check_bad_datetime("tomorrow at ten -05:00");
}

/* Checks one local day: its first and last second map to it, the seconds just outside map to
 * the neighbours, and it lasts `hours`. */
static void check_local_day(const hp_tz *tz, int32_t day, int64_t first, int64_t next, int hours)
{
    char text[HP_DATE_LEN];
    hp_date_format(day, text);
    if (hp_tz_day_start(tz, day) != first)
        fail_msg("%s starts at %lld, expected %lld", text, (long long)hp_tz_day_start(tz, day),
                 (long long)first);
    if (hp_tz_day_start(tz, day + 1) != next)
        fail_msg("the day after %s starts at %lld, expected %lld", text,
                 (long long)hp_tz_day_start(tz, day + 1), (long long)next);
    assert_int_equal(next - first, (int64_t)hours * HOUR);
    assert_int_equal(hp_tz_day_start(tz, day + 1) - hp_tz_day_start(tz, day),
                     (int64_t)hours * HOUR);
    assert_int_equal(hp_tz_local_day(tz, first), day);
    assert_int_equal(hp_tz_local_day(tz, next - 1), day);
    assert_int_equal(hp_tz_local_day(tz, first - 1), day - 1);
    assert_int_equal(hp_tz_local_day(tz, next), day + 1);
    /* Every hour of the day belongs to it. */
    for (int64_t t = first; t < next; t += HOUR)
        assert_int_equal(hp_tz_local_day(tz, t), day);
}

static void test_chicago_spring_forward(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("America/Chicago");
    /* 2026-03-08 starts at 00:00 CST (UTC-6) and ends at 00:00 CDT (UTC-5) on the 9th: the
     * clocks jump from 02:00 to 03:00, so the day has 23 hours. */
    int32_t day = day_of(2026, 3, 8);
    check_local_day(tz, day, utc(2026, 3, 8, 6, 0, 0), utc(2026, 3, 9, 5, 0, 0), 23);
    /* Around the jump: 01:59:59 CST and 03:00:00 CDT are both on the 8th. */
    assert_int_equal(hp_tz_local_day(tz, utc(2026, 3, 8, 7, 59, 59)), day);
    assert_int_equal(hp_tz_local_day(tz, utc(2026, 3, 8, 8, 0, 0)), day);
    hp_tz_free(tz);
}

static void test_chicago_fall_back(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("America/Chicago");
    /* 2026-11-01 starts at 00:00 CDT (UTC-5) and ends at 00:00 CST (UTC-6) on the 2nd: the hour
     * from 01:00 to 02:00 happens twice, so the day has 25 hours. */
    int32_t day = day_of(2026, 11, 1);
    check_local_day(tz, day, utc(2026, 11, 1, 5, 0, 0), utc(2026, 11, 2, 6, 0, 0), 25);
    /* Both 01:30s are on the 1st. */
    assert_int_equal(hp_tz_local_day(tz, utc(2026, 11, 1, 6, 30, 0)), day);
    assert_int_equal(hp_tz_local_day(tz, utc(2026, 11, 1, 7, 30, 0)), day);
    hp_tz_free(tz);
}

static void test_chicago_ordinary_day(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("America/Chicago");
    int32_t day = day_of(2026, 9, 14);
    check_local_day(tz, day, utc(2026, 9, 14, 5, 0, 0), utc(2026, 9, 15, 5, 0, 0), 24);
    /* 23:30 local on the 14th is already the 15th in UTC. */
    assert_int_equal(hp_tz_local_day(tz, utc(2026, 9, 15, 4, 30, 0)), day);
    hp_tz_free(tz);
}

static void test_kolkata(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("Asia/Kolkata");
    /* UTC+05:30 all year: the local day starts at 18:30 UTC the day before. */
    int32_t day = day_of(2026, 9, 14);
    check_local_day(tz, day, utc(2026, 9, 13, 18, 30, 0), utc(2026, 9, 14, 18, 30, 0), 24);
    assert_int_equal(hp_tz_local_day(tz, utc(2026, 9, 13, 20, 0, 0)), day);
    /* No daylight saving: March and November days have 24 hours too. */
    check_local_day(tz, day_of(2026, 3, 8), utc(2026, 3, 7, 18, 30, 0), utc(2026, 3, 8, 18, 30, 0),
                    24);
    check_local_day(tz, day_of(2026, 11, 1), utc(2026, 10, 31, 18, 30, 0),
                    utc(2026, 11, 1, 18, 30, 0), 24);
    hp_tz_free(tz);
}

static void test_sydney(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("Australia/Sydney");
    /* 2026-04-05: daylight time ends at 03:00 AEDT (UTC+11), clocks back to 02:00 AEST
     * (UTC+10). The day starts 00:00 AEDT = 13:00 UTC on the 4th and ends 00:00 AEST = 14:00
     * UTC on the 5th: 25 hours. */
    check_local_day(tz, day_of(2026, 4, 5), utc(2026, 4, 4, 13, 0, 0), utc(2026, 4, 5, 14, 0, 0),
                    25);
    /* 2026-10-04: daylight time starts at 02:00 AEST, clocks on to 03:00 AEDT. The day starts
     * 00:00 AEST = 14:00 UTC on the 3rd and ends 00:00 AEDT = 13:00 UTC on the 4th: 23 hours. */
    check_local_day(tz, day_of(2026, 10, 4), utc(2026, 10, 3, 14, 0, 0), utc(2026, 10, 4, 13, 0, 0),
                    23);
    /* The US changes do nothing here: 2026-03-08 is an ordinary AEDT day. */
    check_local_day(tz, day_of(2026, 3, 8), utc(2026, 3, 7, 13, 0, 0), utc(2026, 3, 8, 13, 0, 0),
                    24);
    hp_tz_free(tz);
}

static void test_tz_new_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"Mars/Olympus",    "", "+05:00", "-05:00", "America/Springfield",
                         "../../etc/passwd"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        hp_tz *tz = (hp_tz *)&bad; /* Anything but NULL, to see it is cleared. */
        int rc = hp_tz_new(&tz, bad[i]);
        if (rc != HP_EINVALID)
            fail_msg("hp_tz_new(\"%s\") = %d, expected HP_EINVALID", bad[i], rc);
        assert_null(tz);
        if (bad[i][0] != '\0' && strstr(hp_error_last(), bad[i]) == NULL)
            fail_msg("message \"%s\" does not name \"%s\"", hp_error_last(), bad[i]);
    }
    hp_tz_free(open_zone("UTC"));
    hp_tz_free(open_zone("Europe/Berlin"));
    hp_tz_free(NULL);
}

static void test_format_datetime(void **state)
{
    (void)state;
    char text[HP_DATETIME_LEN];
    int64_t back = 0;
    hp_tz *chicago = open_zone("America/Chicago");
    hp_tz *kolkata = open_zone("Asia/Kolkata");

    hp_tz_format_datetime(chicago, utc(2026, 9, 14, 15, 3, 0), text);
    assert_string_equal(text, "2026-09-14T10:03:00-05:00");
    hp_tz_format_datetime(chicago, utc(2026, 12, 14, 15, 3, 0), text);
    assert_string_equal(text, "2026-12-14T09:03:00-06:00");
    hp_tz_format_datetime(kolkata, utc(2026, 9, 13, 20, 0, 5), text);
    assert_string_equal(text, "2026-09-14T01:30:05+05:30");

    /* What it writes reads back as the same instant, across the repeated hour too. */
    for (int64_t t = utc(2026, 11, 1, 4, 0, 0); t < utc(2026, 11, 1, 9, 0, 0); t += 900) {
        hp_tz_format_datetime(chicago, t, text);
        assert_int_equal(hp_datetime_parse(text, &back), HP_OK);
        assert_int_equal(back, t);
    }
    hp_tz_free(chicago);
    hp_tz_free(kolkata);
}

static void test_local_time(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("America/Chicago");
    int32_t sep14 = day_of(2026, 9, 14);
    int32_t mar8 = day_of(2026, 3, 8);

    assert_int_equal(hp_tz_local_time(tz, sep14, 10, 3, 0), utc(2026, 9, 14, 15, 3, 0));
    assert_int_equal(hp_tz_local_time(tz, mar8, 1, 59, 59), utc(2026, 3, 8, 7, 59, 59));
    assert_int_equal(hp_tz_local_time(tz, mar8, 3, 0, 0), utc(2026, 3, 8, 8, 0, 0));
    /* 02:30 does not exist on 2026-03-08; it moves forward, to no later than 03:30 CDT. */
    int64_t gap = hp_tz_local_time(tz, mar8, 2, 30, 0);
    assert_in_range(gap, utc(2026, 3, 8, 8, 0, 0), utc(2026, 3, 8, 8, 30, 0));
    assert_int_equal(hp_tz_local_day(tz, gap), mar8);
    hp_tz_free(tz);
}

/* Found by fuzzing: before standard time Chicago ran on local mean time, -5:50:36, and an
 * offset written in minutes lost the 36 seconds. Such instants are written in UTC. */
static void test_format_before_standard_time_round_trips(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("America/Chicago");
    int64_t t, back;
    char text[HP_DATETIME_LEN];
    assert_int_equal(hp_datetime_parse("1013-09-14T10:03:00-05:00", &t), HP_OK);
    hp_tz_format_datetime(tz, t, text);
    assert_string_equal(text, "1013-09-14T15:03:00Z");
    assert_int_equal(hp_datetime_parse(text, &back), HP_OK);
    assert_int_equal(back, t);
    /* Today's offsets are still written as offsets. */
    assert_int_equal(hp_datetime_parse("2026-09-14T10:03:00-05:00", &t), HP_OK);
    hp_tz_format_datetime(tz, t, text);
    assert_string_equal(text, "2026-09-14T10:03:00-05:00");
    hp_tz_free(tz);
}

static void test_local_time_repeated_takes_first(void **state)
{
    (void)state;
    /* tz.h: a repeated time takes the first, 01:30 CDT (06:30Z), not 01:30 CST (07:30Z). */
    hp_tz *tz = open_zone("America/Chicago");
    int64_t t = hp_tz_local_time(tz, day_of(2026, 11, 1), 1, 30, 0);
    hp_tz_free(tz);
    assert_int_equal(t, utc(2026, 11, 1, 6, 30, 0));
}

/* The local hour of an instant, which the heatmap counts passes by. */
static void test_local_hour(void **state)
{
    (void)state;
    hp_tz *tz = open_zone("America/Chicago");
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 9, 14, 14, 59, 59)), 9); /* 09:59:59 CDT */
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 9, 14, 15, 0, 0)), 10);
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 9, 15, 4, 30, 0)), 23); /* 23:30 the 14th */
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 9, 15, 5, 0, 0)), 0);
    /* Spring forward: 01:59:59 CST, then 03:00 CDT; hour 2 never comes. */
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 3, 8, 7, 59, 59)), 1);
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 3, 8, 8, 0, 0)), 3);
    /* Fall back: both 01:30s are hour 1. */
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 11, 1, 6, 30, 0)), 1);
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 11, 1, 7, 30, 0)), 1);
    hp_tz_free(tz);
    /* Half-hour offsets: 00:00 UTC is 05:30 in Kolkata; before 1970 too. */
    tz = open_zone("Asia/Kolkata");
    assert_int_equal(hp_tz_local_hour(tz, utc(2026, 9, 14, 0, 0, 0)), 5);
    assert_int_equal(hp_tz_local_hour(tz, utc(1969, 12, 31, 20, 0, 0)), 1);
    hp_tz_free(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_valid),
        cmocka_unit_test(test_date_parse_rejects),
        cmocka_unit_test(test_date_format_round_trip),
        cmocka_unit_test(test_date_weekday),
        cmocka_unit_test(test_datetime_parse),
        cmocka_unit_test(test_datetime_parse_rejects),
        cmocka_unit_test(test_chicago_spring_forward),
        cmocka_unit_test(test_chicago_fall_back),
        cmocka_unit_test(test_chicago_ordinary_day),
        cmocka_unit_test(test_kolkata),
        cmocka_unit_test(test_sydney),
        cmocka_unit_test(test_tz_new_rejects),
        cmocka_unit_test(test_format_datetime),
        cmocka_unit_test(test_local_time),
        cmocka_unit_test(test_local_hour),
        cmocka_unit_test(test_local_time_repeated_takes_first),
        cmocka_unit_test(test_format_before_standard_time_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
