/* In-memory sums of report counters; see tally.h. */
#include "store/tally.h"

#include "core/error.h"
#include "core/rules.h"

#include <glib.h>

struct hp_tally {
    GHashTable *index; /* hp_counter_key (owned) -> index + 1 into counters. */
    GArray *counters;  /* hp_counter, per day */
    const hp_tz *tz;   /* The school's, for the local hours; NULL for refusals only. */
};

hp_tally *hp_tally_new(const hp_tz *tz)
{
    hp_tally *t = g_new0(hp_tally, 1);
    t->tz = tz;
    t->index = g_hash_table_new_full(hp_counter_key_hash, hp_counter_key_equal, g_free, NULL);
    t->counters = g_array_new(FALSE, FALSE, sizeof(hp_counter));
    return t;
}

void hp_tally_free(hp_tally *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->index);
    g_array_free(t->counters, TRUE);
    g_free(t);
}

/* The day counter of a key, created at zero. Keys are looked up from the stack and copied
 * only when new: an import looks one up for every pass. */
static hp_counter *counter_of(hp_tally *t, hp_counter_kind kind, int64_t subject, int32_t day)
{
    hp_counter_key key = {.kind = kind, .period = HP_PERIOD_DAY, .bucket = day, .subject = subject};
    gpointer at = g_hash_table_lookup(t->index, &key);
    if (at == NULL) {
        hp_counter zero = {.key = key};
        g_array_append_val(t->counters, zero);
        at = GUINT_TO_POINTER(t->counters->len);
        g_hash_table_insert(t->index, g_memdup2(&key, sizeof(key)), at);
    }
    return &g_array_index(t->counters, hp_counter, GPOINTER_TO_UINT(at) - 1);
}

void hp_tally_pass(hp_tally *t, const hp_pass *pass, int sign)
{
    hp_pass_effect e = hp_pass_effect_of(pass);
    int32_t day = pass->local_day;
    if (!e.counts)
        return;
    counter_of(t, HP_COUNTER_ROOM, pass->origin_id, day)->room.from += sign;
    counter_of(t, HP_COUNTER_ROOM, pass->destination_id, day)->room.to += sign;
    if (e.staff_now || e.staff_scheduled) {
        hp_staff_counts *staff = &counter_of(t, HP_COUNTER_STAFF, pass->creator_id, day)->staff;
        staff->now += e.staff_now ? sign : 0;
        staff->scheduled += e.staff_scheduled ? sign : 0;
        staff->now_kiosk += e.staff_kiosk ? sign : 0;
    }
    bool now = pass->type == HP_PASS_NOW;
    hp_source_counts *source = &counter_of(t, HP_COUNTER_SOURCE, pass->source, day)->source;
    source->now += now ? sign : 0;
    source->scheduled += now ? 0 : sign;
    hp_student_counts *student = &counter_of(t, HP_COUNTER_STUDENT, pass->student_id, day)->student;
    student->now += now ? sign : 0;
    student->scheduled += now ? 0 : sign;
    g_assert(t->tz != NULL); /* A tally of passes knows its school's zone. */
    int hour = hp_counter_week_hour(hp_date_weekday(day), hp_tz_local_hour(t->tz, pass->start));
    counter_of(t, HP_COUNTER_HOUR, hour, day)->hour.passes += sign;
    counter_of(t, HP_COUNTER_ROOM_HOUR, hp_counter_room_hour(pass->destination_id, hour), day)
        ->hour.passes += sign;
    if (pass->overrides) {
        for (int rule = 1; rule <= HP_RULE_COUNT; rule++)
            if (pass->overrides & HP_RULE_BIT(rule))
                counter_of(t, HP_COUNTER_RULE_OVERRIDES, rule, day)->overrides.overridden += sign;
        counter_of(t, HP_COUNTER_ROOM_OVERRIDES, pass->origin_id, day)->overrides.overridden +=
            sign;
        counter_of(t, HP_COUNTER_ROOM_OVERRIDES, pass->destination_id, day)->overrides.overridden +=
            sign;
    }
    hp_tally_pass_ended(t, pass, sign);
}

void hp_tally_pass_ended(hp_tally *t, const hp_pass *pass, int sign)
{
    if (!pass->has_end || pass->cancelled)
        return;
    int64_t end = pass->end;
    if (pass->auto_end_at > pass->start && pass->auto_end_at < end)
        end = pass->auto_end_at; /* Written late: it ended at its deadline. */
    int64_t seconds = end > pass->start ? end - pass->start : 0;
    int64_t minutes = seconds / 60;
    bool overtime = hp_pass_overtime(pass, end) > 0;
    int32_t day = pass->local_day;
    int64_t to = pass->destination_id;
    hp_duration_counts *d = &counter_of(t, HP_COUNTER_DURATION, to, day)->duration;
    d->ended += sign;
    d->seconds += sign * seconds;
    if (overtime)
        counter_of(t, HP_COUNTER_OVERTIME, to, day)->overtime.overtime += sign;
    int bucket = minutes < HP_DURATION_MINUTES_MAX ? (int)minutes : HP_DURATION_MINUTES_MAX;
    counter_of(t, HP_COUNTER_MINUTES, hp_counter_room_minute(to, bucket), day)->minute.passes +=
        sign;
    hp_student_counts *time = &counter_of(t, HP_COUNTER_STUDENT, pass->student_id, day)->student;
    time->minutes += sign * minutes;
    time->overtime += overtime ? sign : 0;
}

void hp_tally_refusal(hp_tally *t, const hp_refusal *r, int64_t count)
{
    int32_t day = r->local_day;
    counter_of(t, HP_COUNTER_RULE_REFUSALS, r->rule, day)->rule_refusals.refused += count;
    hp_student_refusals *student =
        &counter_of(t, HP_COUNTER_STUDENT_REFUSALS, r->student_id, day)->student_refusals;
    student->refused += count;
    student->prevented += r->rule == HP_RULE_ENCOUNTER ? count : 0;
    if (r->rule == HP_RULE_MAX_FROM)
        counter_of(t, HP_COUNTER_ROOM_REFUSALS, r->origin_id, day)->room_refusals.refused_from +=
            count;
    if (r->rule == HP_RULE_MAX_TO)
        counter_of(t, HP_COUNTER_ROOM_REFUSALS, r->destination_id, day)->room_refusals.refused_to +=
            count;
}

void hp_tally_prevented(hp_tally *t, int64_t group_id, int32_t day)
{
    counter_of(t, HP_COUNTER_GROUP_REFUSALS, group_id, day)->group_refusals.prevented += 1;
}

void hp_tally_group_override(hp_tally *t, int64_t group_id, int32_t day)
{
    counter_of(t, HP_COUNTER_GROUP_OVERRIDES, group_id, day)->overrides.overridden += 1;
}

void hp_tally_wait(hp_tally *t, int64_t destination_id, int32_t day, int64_t seconds, int sign)
{
    hp_wait_counts *w = &counter_of(t, HP_COUNTER_ROOM_WAITS, destination_id, day)->waits;
    w->waited += sign;
    w->seconds += sign * seconds;
}

/* Passes read at a time when a school's passes are tallied. */
#define TALLY_PAGE_PASSES 5000

int hp_tally_school_passes(hp_tally *t, hp_store *store, int64_t school_id, size_t *passes_out)
{
    int64_t after = 0;
    size_t total = 0;
    for (;;) {
        hp_pass *page;
        size_t n;
        int rc = hp_store_passes_page(store, school_id, after, TALLY_PAGE_PASSES, &page, &n);
        if (rc < 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            hp_tally_pass(t, &page[i], 1);
        total += n;
        if (n)
            after = page[n - 1].id;
        hp_passes_free(page, n);
        if (n < TALLY_PAGE_PASSES)
            break;
    }
    if (passes_out)
        *passes_out = total;
    return HP_OK;
}

const hp_counter *hp_tally_counters(const hp_tally *t, size_t *count_out)
{
    *count_out = t->counters->len;
    return (const hp_counter *)t->counters->data;
}

int hp_tally_commit(const hp_tally *t, hp_store *store, int64_t school_id)
{
    size_t n;
    const hp_counter *counters = hp_tally_counters(t, &n);
    return hp_store_counts_add(store, school_id, counters, n);
}
