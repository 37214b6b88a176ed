/* Report counters: their kinds, keys and the month/day split of a range; see counter.h. */
#include "store/counter.h"

#include "core/tz.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>

static const hp_counter_kind_info kinds[HP_COUNTER_KIND_COUNT] = {
    [HP_COUNTER_ROOM] = {"room", "passes", false, 2, {"from", "to"}},
    [HP_COUNTER_STAFF] = {"staff", "passes", false, 3, {"now", "scheduled", "now from kiosks"}},
    [HP_COUNTER_RULE_REFUSALS] = {"rule refusals", "refusals", true, 1, {"refused"}},
    [HP_COUNTER_ROOM_REFUSALS] =
        {"room refusals", "refusals", true, 2, {"refused_from", "refused_to"}},
    [HP_COUNTER_STUDENT_REFUSALS] =
        {"student refusals", "refusals", true, 2, {"refused", "prevented"}},
    /* Prevented passes were recorded as rows from the first: always recounted. */
    [HP_COUNTER_GROUP_REFUSALS] = {"group refusals", "prevented passes", false, 1, {"prevented"}},
    [HP_COUNTER_SOURCE] = {"source", "passes", false, 2, {"now", "scheduled"}},
    [HP_COUNTER_HOUR] = {"hour", "passes", false, 1, {"passes"}},
    [HP_COUNTER_ROOM_HOUR] = {"room hour", "passes", false, 1, {"passes"}},
    [HP_COUNTER_DURATION] = {"durations", "passes", false, 2, {"ended", "seconds"}},
    [HP_COUNTER_OVERTIME] = {"overtime", "passes", false, 1, {"overtime"}},
    [HP_COUNTER_MINUTES] = {"minutes out", "passes", false, 1, {"passes"}},
    [HP_COUNTER_STUDENT] =
        {"student", "passes", false, 4, {"now", "scheduled", "minutes", "overtime"}},
    /* No longer written (its values are the student kind's last two); a store migrated from
     * before has none left. */
    [HP_COUNTER_STUDENT_TIME] = {"student time", "passes", false, 2, {"minutes", "overtime"}},
    [HP_COUNTER_RULE_OVERRIDES] = {"rule overrides", "passes", false, 1, {"overridden"}},
    [HP_COUNTER_ROOM_OVERRIDES] = {"room overrides", "passes", false, 1, {"overridden"}},
    [HP_COUNTER_GROUP_OVERRIDES] =
        {"group overrides", "overridden encounters", false, 1, {"overridden"}},
    [HP_COUNTER_ROOM_WAITS] =
        {"room waits", "passes started from the line", false, 2, {"waited", "seconds"}},
};

/* A room's week hours and minutes as one subject: room * span + value. */
#define MINUTE_SPAN (HP_DURATION_MINUTES_MAX + 1)

int hp_counter_week_hour(int weekday, int hour)
{
    return (weekday - 1) * HP_HOURS_PER_DAY + hour;
}

void hp_counter_week_hour_split(int week_hour, int *weekday, int *hour)
{
    *weekday = week_hour / HP_HOURS_PER_DAY + 1;
    *hour = week_hour % HP_HOURS_PER_DAY;
}

int64_t hp_counter_room_hour(int64_t room_id, int week_hour)
{
    return room_id * HP_WEEK_HOURS + week_hour;
}

int64_t hp_counter_room_minute(int64_t room_id, int minute)
{
    return room_id * MINUTE_SPAN + minute;
}

void hp_counter_room_hour_split(int64_t subject, int64_t *room_id, int *week_hour)
{
    *room_id = subject / HP_WEEK_HOURS;
    *week_hour = (int)(subject % HP_WEEK_HOURS);
}

void hp_counter_room_minute_split(int64_t subject, int64_t *room_id, int *minute)
{
    *room_id = subject / MINUTE_SPAN;
    *minute = (int)(subject % MINUTE_SPAN);
}

const hp_counter_kind_info *hp_counter_kind_describe(hp_counter_kind kind)
{
    return &kinds[kind];
}

void hp_counter_bucket_format(hp_counter_period period, int32_t bucket, char out[HP_DATE_LEN])
{
    if (period == HP_PERIOD_MONTH)
        snprintf(out, HP_DATE_LEN, "%04d-%02d", bucket / 12, bucket % 12 + 1);
    else if (period == HP_PERIOD_QUARTER)
        snprintf(out, HP_DATE_LEN, "%04d-Q%d", bucket / 4, bucket % 4 + 1);
    else /* A day, or a week by its Monday. */
        hp_date_format(bucket, out);
}

hp_counter_key hp_counter_key_month(hp_counter_key day)
{
    hp_counter_key month = day;
    month.period = HP_PERIOD_MONTH;
    month.bucket = hp_day_month(day.bucket);
    return month;
}

/* Day 0, 1970-01-01, was a Thursday: three days after a Monday. */
#define EPOCH_AFTER_MONDAY 3
#define WEEK_DAYS 7

int32_t hp_day_week(int32_t day)
{
    int32_t since_monday = (day + EPOCH_AFTER_MONDAY) % WEEK_DAYS;
    if (since_monday < 0) /* Days before 1970 count back. */
        since_monday += WEEK_DAYS;
    return day - since_monday;
}

void hp_counter_key_levels(hp_counter_key day, hp_counter_key out[HP_COUNTER_LEVELS])
{
    out[0] = day;
    out[1] = day;
    out[1].period = HP_PERIOD_WEEK;
    out[1].bucket = hp_day_week(day.bucket);
    out[2] = hp_counter_key_month(day);
    out[3] = out[2];
    out[3].period = HP_PERIOD_QUARTER;
    out[3].bucket = out[2].bucket / HP_MONTHS_PER_QUARTER;
}

/* An import looks a key up for every pass: a multiply-xorshift mix, no allocation. */
unsigned int hp_counter_key_hash(const void *p)
{
    const hp_counter_key *k = p;
    uint64_t h = (uint64_t)k->subject * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uint32_t)k->bucket << 8 | (uint64_t)k->period << 4 | (uint64_t)k->kind) *
         0x85EBCA77C2B2AE63ull;
    return (unsigned int)(h ^ (h >> 31));
}

int hp_counter_key_equal(const void *pa, const void *pb)
{
    const hp_counter_key *a = pa, *b = pb;
    return a->subject == b->subject && a->bucket == b->bucket && a->period == b->period &&
           a->kind == b->kind;
}

int hp_counter_key_compare(const hp_counter_key *a, const hp_counter_key *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    return a->subject < b->subject ? -1 : a->subject > b->subject;
}

void hp_counter_add(hp_counter *to, const hp_counter *from)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(to->values); i++)
        to->values[i] += from->values[i];
}

bool hp_counter_values_equal(const hp_counter *a, const hp_counter *b)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(a->values); i++)
        if (a->values[i] != b->values[i])
            return false;
    return true;
}

/* Splits days with no whole month in them: the whole weeks as weeks, the rest as days. */
static size_t split_weeks(int32_t from_day, int32_t to_day, hp_counter_span *spans)
{
    size_t n = 0;
    /* The first Monday on or after from_day, and the last whose Sunday is on or before to_day. */
    int32_t first = hp_day_week(from_day + WEEK_DAYS - 1),
            last = hp_day_week(to_day - WEEK_DAYS + 1);
    if (first > last) {
        spans[n++] = (hp_counter_span){HP_PERIOD_DAY, from_day, to_day};
        return n;
    }
    if (from_day < first)
        spans[n++] = (hp_counter_span){HP_PERIOD_DAY, from_day, first - 1};
    spans[n++] = (hp_counter_span){HP_PERIOD_WEEK, first, last};
    if (last + WEEK_DAYS <= to_day)
        spans[n++] = (hp_counter_span){HP_PERIOD_DAY, last + WEEK_DAYS, to_day};
    return n;
}

/* Splits whole months: the whole quarters as quarters, the months before and after as months.
 * Month buckets are positive (year 1 is 12), so division rounds down. */
static size_t split_quarters(int32_t first_month, int32_t last_month, hp_counter_span *spans)
{
    size_t n = 0;
    int32_t first = (first_month + HP_MONTHS_PER_QUARTER - 1) / HP_MONTHS_PER_QUARTER;
    int32_t last = (last_month + 1) / HP_MONTHS_PER_QUARTER - 1;
    if (first > last) {
        spans[n++] = (hp_counter_span){HP_PERIOD_MONTH, first_month, last_month};
        return n;
    }
    if (first_month < first * HP_MONTHS_PER_QUARTER)
        spans[n++] =
            (hp_counter_span){HP_PERIOD_MONTH, first_month, first * HP_MONTHS_PER_QUARTER - 1};
    spans[n++] = (hp_counter_span){HP_PERIOD_QUARTER, first, last};
    if ((last + 1) * HP_MONTHS_PER_QUARTER <= last_month)
        spans[n++] =
            (hp_counter_span){HP_PERIOD_MONTH, (last + 1) * HP_MONTHS_PER_QUARTER, last_month};
    return n;
}

size_t hp_counter_range_split(int32_t from_day, int32_t to_day,
                              hp_counter_span spans[HP_COUNTER_SPANS_MAX])
{
    size_t n = 0;
    if (from_day > to_day)
        return 0;
    /* The first and last month that lie wholly inside the range. */
    int32_t first = hp_day_month(from_day), last = hp_day_month(to_day);
    if (from_day != hp_month_first_day(first))
        first++;
    if (to_day != hp_month_first_day(last + 1) - 1)
        last--;
    if (first > last)
        return split_weeks(from_day, to_day, spans);
    if (from_day < hp_month_first_day(first))
        n += split_weeks(from_day, hp_month_first_day(first) - 1, spans + n);
    n += split_quarters(first, last, spans + n);
    if (hp_month_first_day(last + 1) <= to_day)
        n += split_weeks(hp_month_first_day(last + 1), to_day, spans + n);
    return n;
}

void hp_counters_free(hp_counter *counters)
{
    g_free(counters);
}
