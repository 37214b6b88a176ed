/*
 * Change notices per school: a generation counter per school under one lock, and one
 * condition variable that every change broadcasts. Schools are few and changes are rare next
 * to reads, so one lock for all of them is enough.
 */
#include "service/events.h"

#include <glib.h>

static GMutex lock;
static GCond changed;
static GHashTable *generations; /* School id -> uint64_t generation; made on first use. */
static uint64_t total;          /* Sum of every generation. */
static uint64_t wakes;          /* Bumped by hp_events_wake(), so waiters see it. */

void hp_events_notify(int64_t school_id)
{
    g_mutex_lock(&lock);
    if (generations == NULL)
        generations = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    uint64_t *gen = g_hash_table_lookup(generations, &school_id);
    if (gen == NULL) {
        int64_t *key = g_new(int64_t, 1);
        *key = school_id;
        gen = g_new0(uint64_t, 1);
        g_hash_table_insert(generations, key, gen);
    }
    (*gen)++;
    total++;
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
}

uint64_t hp_events_generation(int64_t school_id)
{
    g_mutex_lock(&lock);
    uint64_t *gen = generations ? g_hash_table_lookup(generations, &school_id) : NULL;
    uint64_t value = gen ? *gen : 0;
    g_mutex_unlock(&lock);
    return value;
}

uint64_t hp_events_total(void)
{
    g_mutex_lock(&lock);
    uint64_t value = total;
    g_mutex_unlock(&lock);
    return value;
}

uint64_t hp_events_wait(uint64_t seen, int64_t timeout_us)
{
    gint64 until = g_get_monotonic_time() + timeout_us;
    g_mutex_lock(&lock);
    uint64_t woken = wakes;
    while (total == seen && wakes == woken)
        if (!g_cond_wait_until(&changed, &lock, until))
            break;
    uint64_t value = total;
    g_mutex_unlock(&lock);
    return value;
}

void hp_events_wake(void)
{
    g_mutex_lock(&lock);
    wakes++;
    g_cond_broadcast(&changed);
    g_mutex_unlock(&lock);
}
