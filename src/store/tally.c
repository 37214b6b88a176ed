/* In-memory sums of report counters; see tally.h. */
#include "store/tally.h"

#include <glib.h>

struct hp_tally {
    GHashTable *index; /* hp_counter_key (owned) -> index + 1 into counters. */
    GArray *counters;  /* hp_counter, per day */
};

hp_tally *hp_tally_new(void)
{
    hp_tally *t = g_new0(hp_tally, 1);
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
    if (e.counts) {
        counter_of(t, HP_COUNTER_ROOM, pass->origin_id, pass->local_day)->room.from += sign;
        counter_of(t, HP_COUNTER_ROOM, pass->destination_id, pass->local_day)->room.to += sign;
    }
    if (e.staff_now || e.staff_scheduled) {
        hp_staff_counts *staff =
            &counter_of(t, HP_COUNTER_STAFF, pass->creator_id, pass->local_day)->staff;
        staff->now += e.staff_now ? sign : 0;
        staff->scheduled += e.staff_scheduled ? sign : 0;
        staff->now_kiosk += e.staff_kiosk ? sign : 0;
    }
}

void hp_tally_refusal(hp_tally *t, int rule, int64_t student_id, int64_t refused_from,
                      int64_t refused_to, bool prevented, int32_t day)
{
    counter_of(t, HP_COUNTER_RULE_REFUSALS, rule, day)->rule_refusals.refused += 1;
    hp_student_refusals *student =
        &counter_of(t, HP_COUNTER_STUDENT_REFUSALS, student_id, day)->student_refusals;
    student->refused += 1;
    student->prevented += prevented ? 1 : 0;
    if (refused_from)
        counter_of(t, HP_COUNTER_ROOM_REFUSALS, refused_from, day)->room_refusals.refused_from += 1;
    if (refused_to)
        counter_of(t, HP_COUNTER_ROOM_REFUSALS, refused_to, day)->room_refusals.refused_to += 1;
}

void hp_tally_prevented(hp_tally *t, int64_t group_id, int32_t day)
{
    counter_of(t, HP_COUNTER_GROUP_REFUSALS, group_id, day)->group_refusals.prevented += 1;
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
