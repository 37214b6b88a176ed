/* The sign-in throttle; see throttle.h. */
#include "service/throttle.h"

#include <glib.h>

#define DOUBLINGS_MAX 20

typedef struct {
    int failures;
    int64_t last_failure;
} throttle_entry;

struct hp_throttle {
    GMutex lock;
    GHashTable *entries;
    int free_failures;
    int64_t max_delay;
};

hp_throttle *hp_throttle_new(int free_failures, int64_t max_delay)
{
    hp_throttle *t = g_new0(hp_throttle, 1);
    g_mutex_init(&t->lock);
    t->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    t->free_failures = free_failures;
    t->max_delay = max_delay;
    return t;
}

void hp_throttle_free(hp_throttle *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->entries);
    g_mutex_clear(&t->lock);
    g_free(t);
}

static int64_t delay_for(const hp_throttle *t, int failures)
{
    int over = failures - t->free_failures;
    if (over < 0)
        return 0;
    /* Past DOUBLINGS_MAX doublings the delay is past any sane maximum: no need to shift. */
    int64_t delay = over >= DOUBLINGS_MAX ? t->max_delay : ((int64_t)1 << over);
    return delay > t->max_delay ? t->max_delay : delay;
}

static gboolean is_forgotten(gpointer key, gpointer value, gpointer now)
{
    const throttle_entry *e = value;
    return *(const int64_t *)now - e->last_failure >= HP_THROTTLE_FORGET;
}

int64_t hp_throttle_attempt(hp_throttle *t, const char *key, int64_t now)
{
    int64_t wait = 0;
    g_mutex_lock(&t->lock);
    throttle_entry *e = g_hash_table_lookup(t->entries, key);
    if (e && now - e->last_failure >= HP_THROTTLE_FORGET)
        e->failures = 0;
    if (e) {
        int64_t until = e->last_failure + delay_for(t, e->failures);
        wait = until > now ? until - now : 0;
    }
    if (wait == 0) {
        if (e == NULL) {
            /* The table has a cap: old entries go first, and if an attack filled it with live
             * ones, it starts afresh rather than grow. */
            if (g_hash_table_size(t->entries) >= HP_THROTTLE_MAX_KEYS)
                g_hash_table_foreach_remove(t->entries, is_forgotten, &now);
            if (g_hash_table_size(t->entries) >= HP_THROTTLE_MAX_KEYS)
                g_hash_table_remove_all(t->entries);
            e = g_new0(throttle_entry, 1);
            g_hash_table_insert(t->entries, g_strdup(key), e);
        }
        e->failures++;
        e->last_failure = now;
    }
    g_mutex_unlock(&t->lock);
    return wait;
}

void hp_throttle_forgive(hp_throttle *t, const char *key)
{
    g_mutex_lock(&t->lock);
    throttle_entry *e = g_hash_table_lookup(t->entries, key);
    if (e && e->failures > 0 && --e->failures == 0)
        g_hash_table_remove(t->entries, key);
    g_mutex_unlock(&t->lock);
}

void hp_throttle_success(hp_throttle *t, const char *key)
{
    g_mutex_lock(&t->lock);
    g_hash_table_remove(t->entries, key);
    g_mutex_unlock(&t->lock);
}
