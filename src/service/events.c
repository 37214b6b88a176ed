/* Change notices for the pages: a generation number per school, and a condition to wait on;
 * see events.h. */
#include "service/events.h"

#include <glib.h>

static GMutex lock;
static GCond changed;
static GHashTable *generations; /* int64_t school id -> uint64_t generation, both g_new. */
static bool closed;

/* The table, made on first use; call with the lock held. */
static GHashTable *table(void)
{
    if (generations == NULL)
        generations = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return generations;
}

static uint64_t generation_locked(int64_t school_id)
{
    const uint64_t *gen = g_hash_table_lookup(table(), &school_id);
    return gen ? *gen : 0;
}

void hp_events_notify(int64_t school_id)
{
    g_mutex_lock(&lock);
    uint64_t *gen = g_hash_table_lookup(table(), &school_id);
    if (gen == NULL) {
        int64_t *key = g_new(int64_t, 1);
        *key = school_id;
        gen = g_new0(uint64_t, 1);
        g_hash_table_insert(table(), key, gen);
    }
    (*gen)++;
    /* One condition for every school: a waiter of another school wakes, sees its own
     * generation unchanged, and waits again. Changes are rare enough for that. */
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
}

uint64_t hp_events_generation(int64_t school_id)
{
    g_mutex_lock(&lock);
    uint64_t gen = generation_locked(school_id);
    g_mutex_unlock(&lock);
    return gen;
}

uint64_t hp_events_wait(int64_t school_id, uint64_t seen, int64_t timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (timeout_ms > 0 ? timeout_ms : 0) * 1000;
    g_mutex_lock(&lock);
    uint64_t gen = generation_locked(school_id);
    while (gen == seen && !closed) {
        if (!g_cond_wait_until(&changed, &lock, deadline))
            break; /* The time is up. */
        gen = generation_locked(school_id);
    }
    g_mutex_unlock(&lock);
    return gen;
}

void hp_events_close(void)
{
    g_mutex_lock(&lock);
    closed = true;
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
}

bool hp_events_closed(void)
{
    g_mutex_lock(&lock);
    bool result = closed;
    g_mutex_unlock(&lock);
    return result;
}

void hp_events_reset(void)
{
    g_mutex_lock(&lock);
    if (generations)
        g_hash_table_remove_all(generations);
    closed = false;
    g_mutex_unlock(&lock);
}
