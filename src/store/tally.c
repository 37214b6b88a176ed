/* In-memory sums of report counters; see tally.h. */
#include "store/tally.h"

#include <glib.h>

struct hp_tally {
    GHashTable *index; /* Key bytes -> index + 1 into deltas. */
    GArray *deltas;    /* hp_counter_delta */
};

/* A key with no padding, so that equal counters have equal bytes. */
typedef struct {
    int32_t kind;
    int32_t day;
    int64_t id;
} tally_key;

hp_tally *hp_tally_new(void)
{
    hp_tally *t = g_new0(hp_tally, 1);
    t->index =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    t->deltas = g_array_new(FALSE, FALSE, sizeof(hp_counter_delta));
    return t;
}

void hp_tally_free(hp_tally *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->index);
    g_array_free(t->deltas, TRUE);
    g_free(t);
}

static void add(hp_tally *t, hp_counter_kind kind, int64_t id, int32_t day, int64_t a, int64_t b)
{
    tally_key k = {(int32_t)kind, day, id};
    GBytes *key = g_bytes_new(&k, sizeof(k));
    gpointer at;
    if (g_hash_table_lookup_extended(t->index, key, NULL, &at)) {
        g_bytes_unref(key);
    } else {
        hp_counter_delta d = {kind, id, day, 0, 0};
        g_array_append_val(t->deltas, d);
        at = GUINT_TO_POINTER(t->deltas->len);
        g_hash_table_insert(t->index, key, at);
    }
    hp_counter_delta *d = &g_array_index(t->deltas, hp_counter_delta, GPOINTER_TO_UINT(at) - 1);
    d->a += a;
    d->b += b;
}

void hp_tally_pass(hp_tally *t, const hp_pass *pass, int sign)
{
    hp_pass_effect e = hp_pass_effect_of(pass);
    if (e.counts) {
        add(t, HP_COUNTER_ROOM, pass->origin_id, pass->local_day, sign, 0);
        add(t, HP_COUNTER_ROOM, pass->destination_id, pass->local_day, 0, sign);
    }
    if (e.staff_now || e.staff_scheduled)
        add(t, HP_COUNTER_STAFF, pass->creator_id, pass->local_day, e.staff_now ? sign : 0,
            e.staff_scheduled ? sign : 0);
}

const hp_counter_delta *hp_tally_deltas(hp_tally *t, size_t *count_out)
{
    *count_out = t->deltas->len;
    return (const hp_counter_delta *)t->deltas->data;
}

int hp_tally_commit(hp_tally *t, hp_store *store, int64_t school_id)
{
    size_t n;
    const hp_counter_delta *deltas = hp_tally_deltas(t, &n);
    return hp_store_counts_add(store, school_id, deltas, n);
}
