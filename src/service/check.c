/* Counters against a recount of the passes; see check.h. */
#include "service/check.h"

#include "core/error.h"
#include "core/tz.h"
#include "store/tally.h"

#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 5000

/* One counter: what is stored and what the passes give. */
typedef struct {
    int32_t kind;
    int32_t months; /* 1 for a month's counter, 0 for a day's. */
    int32_t bucket;
    int32_t zero;
    int64_t id;
} check_key;

typedef struct {
    check_key key;
    int64_t stored_a, stored_b;
    int64_t counted_a, counted_b;
} check_entry;

static check_entry *entry(GHashTable *all, hp_counter_kind kind, bool months, int32_t bucket,
                          int64_t id)
{
    check_key k = {(int32_t)kind, months, bucket, 0, id};
    check_entry *e = g_hash_table_lookup(all, &k);
    if (e == NULL) {
        e = g_new0(check_entry, 1);
        e->key = k;
        g_hash_table_insert(all, &e->key, e);
    }
    return e;
}

static guint key_hash(gconstpointer p)
{
    const check_key *k = p;
    return g_int64_hash(&k->id) ^ (guint)(k->bucket * 31 + k->kind * 7 + k->months);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(check_key)) == 0;
}

static int recount(hp_store *store, const hp_school *school, GHashTable *all, size_t *passes)
{
    hp_tally *tally = hp_tally_new();
    int64_t after = 0;
    int rc;
    for (;;) {
        hp_pass *page;
        size_t n;
        if ((rc = hp_store_passes_page(store, school->id, after, PAGE, &page, &n)) < 0)
            goto out;
        for (size_t i = 0; i < n; i++)
            hp_tally_pass(tally, &page[i], 1);
        *passes += n;
        if (n)
            after = page[n - 1].id;
        hp_passes_free(page, n);
        if (n < PAGE)
            break;
    }
    size_t count;
    const hp_counter_delta *deltas = hp_tally_deltas(tally, &count);
    for (size_t i = 0; i < count; i++) {
        const hp_counter_delta *d = &deltas[i];
        check_entry *day = entry(all, d->kind, false, d->day, d->id);
        check_entry *month = entry(all, d->kind, true, hp_day_month(d->day), d->id);
        day->counted_a += d->a;
        day->counted_b += d->b;
        month->counted_a += d->a;
        month->counted_b += d->b;
    }
out:
    hp_tally_free(tally);
    return rc;
}

static int read_stored(hp_store *store, const hp_school *school, GHashTable *all)
{
    for (int kind = HP_COUNTER_ROOM; kind <= HP_COUNTER_STAFF; kind++) {
        for (int months = 0; months <= 1; months++) {
            hp_usage *rows;
            size_t n;
            int rc =
                hp_store_counts_read(store, school->id, (hp_counter_kind)kind, months, &rows, &n);
            if (rc < 0)
                return rc;
            for (size_t i = 0; i < n; i++) {
                check_entry *e =
                    entry(all, (hp_counter_kind)kind, months, rows[i].bucket, rows[i].id);
                e->stored_a += rows[i].a;
                e->stored_b += rows[i].b;
            }
            free(rows);
        }
    }
    return HP_OK;
}

/* Names of rooms and users, for readable lines. */
static GHashTable *names_of(hp_store *store, const hp_school *school)
{
    GHashTable *names = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    hp_room *rooms;
    hp_user *users;
    size_t n;
    if (hp_store_rooms_list(store, school->id, &rooms, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++) {
            int64_t *k = g_new(int64_t, 1);
            *k = rooms[i].id * 2;
            g_hash_table_insert(names, k, g_strdup(rooms[i].name));
        }
        hp_rooms_free(rooms, n);
    }
    if (hp_store_users_list(store, school->id, false, &users, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++) {
            int64_t *k = g_new(int64_t, 1);
            *k = users[i].id * 2 + 1;
            g_hash_table_insert(names, k, g_strdup(users[i].email));
        }
        hp_users_free(users, n);
    }
    return names;
}

static void describe(FILE *out, GHashTable *names, const check_entry *e)
{
    int64_t k = e->key.id * 2 + (e->key.kind == HP_COUNTER_STAFF);
    const char *name = g_hash_table_lookup(names, &k);
    char when[HP_DATE_LEN];
    if (e->key.months) {
        snprintf(when, sizeof(when), "%04d-%02d", e->key.bucket / 12, e->key.bucket % 12 + 1);
    } else {
        hp_date_format(e->key.bucket, when);
    }
    const char *a = e->key.kind == HP_COUNTER_ROOM ? "from" : "now";
    const char *b = e->key.kind == HP_COUNTER_ROOM ? "to" : "scheduled";
    fprintf(out,
            "%s %s, %s %s: stored %" PRId64 " %s and %" PRId64 " %s, the passes give %" PRId64
            " and %" PRId64 "\n",
            e->key.kind == HP_COUNTER_ROOM ? "room" : "staff", name ? name : "(deleted)",
            e->key.months ? "month" : "day", when, e->stored_a, a, e->stored_b, b, e->counted_a,
            e->counted_b);
}

int hp_school_check(hp_store *store, const hp_school *school, FILE *out, size_t max_lines,
                    hp_check_stats *stats_out)
{
    GHashTable *all = g_hash_table_new_full(key_hash, key_equal, NULL, g_free);
    hp_check_stats stats = {0};
    int rc;

    if ((rc = recount(store, school, all, &stats.passes)) == HP_OK &&
        (rc = read_stored(store, school, all)) == HP_OK) {
        GHashTable *names = names_of(store, school);
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, all);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            const check_entry *e = value;
            stats.counters++;
            if (e->stored_a == e->counted_a && e->stored_b == e->counted_b)
                continue;
            if (stats.mismatches++ < max_lines)
                describe(out, names, e);
        }
        g_hash_table_destroy(names);
    }
    g_hash_table_destroy(all);
    if (stats_out)
        *stats_out = stats;
    return rc;
}
