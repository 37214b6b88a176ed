/* Report counters: their kinds, keys and the month/day split of a range; see counter.h. */
#include "store/counter.h"

#include "core/tz.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>

static const hp_counter_kind_info kinds[HP_COUNTER_KIND_COUNT] = {
    [HP_COUNTER_ROOM] = {"room", true, 2, {"from", "to"}},
    [HP_COUNTER_STAFF] = {"staff", true, 3, {"now", "scheduled", "now from kiosks"}},
    [HP_COUNTER_RULE_REFUSALS] = {"rule refusals", false, 1, {"refused"}},
    [HP_COUNTER_ROOM_REFUSALS] = {"room refusals", false, 2, {"refused_from", "refused_to"}},
    [HP_COUNTER_STUDENT_REFUSALS] = {"student refusals", false, 2, {"refused", "prevented"}},
    [HP_COUNTER_GROUP_REFUSALS] = {"group refusals", true, 1, {"prevented"}},
};

const hp_counter_kind_info *hp_counter_kind_describe(hp_counter_kind kind)
{
    return &kinds[kind];
}

void hp_counter_bucket_format(hp_counter_period period, int32_t bucket, char out[HP_DATE_LEN])
{
    if (period == HP_PERIOD_MONTH)
        snprintf(out, HP_DATE_LEN, "%04d-%02d", bucket / 12, bucket % 12 + 1);
    else
        hp_date_format(bucket, out);
}

hp_counter_key hp_counter_key_month(hp_counter_key day)
{
    hp_counter_key month = day;
    month.period = HP_PERIOD_MONTH;
    month.bucket = hp_day_month(day.bucket);
    return month;
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
    if (first > last) {
        spans[n++] = (hp_counter_span){HP_PERIOD_DAY, from_day, to_day};
        return n;
    }
    if (from_day < hp_month_first_day(first))
        spans[n++] = (hp_counter_span){HP_PERIOD_DAY, from_day, hp_month_first_day(first) - 1};
    spans[n++] = (hp_counter_span){HP_PERIOD_MONTH, first, last};
    if (hp_month_first_day(last + 1) <= to_day)
        spans[n++] = (hp_counter_span){HP_PERIOD_DAY, hp_month_first_day(last + 1), to_day};
    return n;
}

void hp_counters_free(hp_counter *counters)
{
    g_free(counters);
}
