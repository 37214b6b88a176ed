/* In-memory sums of report counters; see tally.h. */
#include "store/tally.h"

#include <glib.h>

struct hp_tally {
    GHashTable *index; /* tally_key -> index + 1 into deltas. */
    GArray *deltas;    /* hp_counter_delta */
};

typedef struct {
    int32_t kind;
    int32_t day;
    int64_t id;
} tally_key;

/* Keys are looked up from the stack and copied only when new: an import looks one up for
 * every pass. */
static guint key_hash(gconstpointer p)
{
    const tally_key *k = p;
    uint64_t h = (uint64_t)k->id * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uint32_t)k->day * 0x85EBCA77u;
    return (guint)(h ^ (h >> 31) ^ (uint64_t)k->kind);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    const tally_key *x = a, *y = b;
    return x->id == y->id && x->day == y->day && x->kind == y->kind;
}

hp_tally *hp_tally_new(void)
{
    hp_tally *t = g_new0(hp_tally, 1);
    t->index = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
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
    gpointer at = g_hash_table_lookup(t->index, &k);
    if (at == NULL) {
        hp_counter_delta d = {kind, id, day, 0, 0};
        g_array_append_val(t->deltas, d);
        at = GUINT_TO_POINTER(t->deltas->len);
        g_hash_table_insert(t->index, g_memdup2(&k, sizeof(k)), at);
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
