/* Counters against a recount of the passes and the recorded refusals; see check.h. */
#include "service/check.h"

#include "core/error.h"
#include "core/rules.h"
#include "core/tz.h"
#include "core/util.h"
#include "store/tally.h"

#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* One counter: what is stored and what the passes give, under the same key. */
typedef struct {
    hp_counter stored;
    hp_counter counted;
} check_entry;

static check_entry *entry(GHashTable *all, const hp_counter_key *key)
{
    check_entry *e = g_hash_table_lookup(all, key);
    if (e == NULL) {
        e = g_new0(check_entry, 1);
        e->stored.key = e->counted.key = *key;
        g_hash_table_insert(all, &e->stored.key, e);
    }
    return e;
}

/* Adds day counters to what the recount gives, for their days, weeks, months and quarters. */
static void add_counted(GHashTable *all, const hp_counter *days, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        hp_counter_key keys[HP_COUNTER_LEVELS];
        hp_counter_key_levels(days[i].key, keys);
        for (size_t k = 0; k < HP_ARRAY_SIZE(keys); k++)
            hp_counter_add(&entry(all, &keys[k])->counted, &days[i]);
    }
}

/* Adds what the recorded refusals count. They are read summed per rule, student, rooms and day,
 * so memory grows with those, not with every refused tap. */
static int recount_refusals(hp_store *store, const hp_school *school, GHashTable *all,
                            size_t *refusals)
{
    hp_refusal_sum *sums;
    size_t n;
    int rc = hp_store_refusal_sums(store, school->id, &sums, &n);
    if (rc < 0)
        return rc;
    hp_tally *tally = hp_tally_new(NULL);
    for (size_t i = 0; i < n; i++) {
        hp_tally_refusal(tally, &sums[i].refusal, sums[i].count);
        *refusals += (size_t)sums[i].count;
    }
    hp_refusal_sums_free(sums);
    size_t count;
    const hp_counter *days = hp_tally_counters(tally, &count);
    add_counted(all, days, count);
    hp_tally_free(tally);
    return HP_OK;
}

static int recount(hp_store *store, const hp_school *school, GHashTable *all, size_t *passes,
                   size_t *refusals)
{
    hp_tz *tz;
    int rc = hp_tz_new(&tz, school->timezone);
    if (rc < 0)
        return rc;
    hp_tally *tally = hp_tally_new(tz);
    if ((rc = hp_tally_school_passes(tally, store, school->id, passes)) < 0)
        goto out;
    size_t count;
    const hp_counter *days = hp_tally_counters(tally, &count);
    add_counted(all, days, count);
    /* The passes prevented by encounter groups are rows too: their counters are recounted. */
    hp_counter *prevented;
    if ((rc = hp_store_group_prevented_days(store, school->id, &prevented, &count)) < 0)
        goto out;
    add_counted(all, prevented, count);
    hp_counters_free(prevented);
    /* A pass that passed an encounter group by override is recorded with its group. */
    hp_counter *overridden;
    if ((rc = hp_store_group_override_days(store, school->id, &overridden, &count)) < 0)
        goto out;
    add_counted(all, overridden, count);
    hp_counters_free(overridden);
    /* The passes started from the line keep their entry, which says when it joined. */
    hp_counter *waits;
    if ((rc = hp_store_line_wait_days(store, school->id, &waits, &count)) < 0)
        goto out;
    add_counted(all, waits, count);
    hp_counters_free(waits);
    /* So are the refusals, counted through the tally as when they were made. */
    rc = recount_refusals(store, school, all, refusals);
out:
    hp_tally_free(tally);
    hp_tz_free(tz);
    return rc;
}

/* Adds what the records removed with a student counted in the counters that stay. */
static int add_removed(hp_store *store, const hp_school *school, GHashTable *all)
{
    hp_counter *removed;
    size_t n;
    int rc = hp_store_counts_removed_read(store, school->id, &removed, &n);
    if (rc < 0)
        return rc;
    add_counted(all, removed, n);
    hp_counters_free(removed);
    return HP_OK;
}

/* Reads every stored counter. A day counter of a purged day (before purged_day) has no rows
 * left to recount it: it counts as its own recount, so that the month it is in, when the
 * purge took only part of it, still compares its kept days with their rows. */
static int read_stored(hp_store *store, const hp_school *school, int32_t purged_day,
                       GHashTable *all)
{
    static const hp_counter_period periods[] = {HP_PERIOD_DAY, HP_PERIOD_WEEK, HP_PERIOD_MONTH,
                                                HP_PERIOD_QUARTER};
    for (int kind = 0; kind < HP_COUNTER_KIND_COUNT; kind++) {
        for (size_t p = 0; p < HP_ARRAY_SIZE(periods); p++) {
            hp_counter *rows;
            size_t n;
            int rc = hp_store_counts_read(store, school->id, (hp_counter_kind)kind, periods[p],
                                          &rows, &n);
            if (rc < 0)
                return rc;
            for (size_t i = 0; i < n; i++) {
                hp_counter_add(&entry(all, &rows[i].key)->stored, &rows[i]);
                if (periods[p] == HP_PERIOD_DAY && rows[i].key.bucket < purged_day)
                    add_counted(all, &rows[i], 1);
            }
            hp_counters_free(rows);
        }
    }
    return HP_OK;
}

/* Whether a counter lies wholly in the purged days: a day before purged_day, or a week, month
 * or quarter that ends before it. */
static bool purged(const hp_counter_key *key, int32_t purged_day)
{
    if (purged_day == 0)
        return false;
    switch (key->period) {
    case HP_PERIOD_WEEK: /* Before the week that holds the first day kept. */
        return key->bucket < hp_day_week(purged_day);
    case HP_PERIOD_MONTH:
        return key->bucket < hp_day_month(purged_day);
    case HP_PERIOD_QUARTER:
        return key->bucket < hp_day_month(purged_day) / HP_MONTHS_PER_QUARTER;
    case HP_PERIOD_DAY:
        break;
    }
    return key->bucket < purged_day;
}

int hp_school_recount(hp_store *store, const hp_school *school, hp_counter **out, size_t *count_out)
{
    GHashTable *all =
        g_hash_table_new_full(hp_counter_key_hash, hp_counter_key_equal, NULL, g_free);
    size_t passes = 0, refusals = 0;
    int rc = recount(store, school, all, &passes, &refusals);
    GArray *days = g_array_new(FALSE, FALSE, sizeof(hp_counter));
    if (rc == HP_OK) {
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, all);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            const check_entry *e = value;
            if (e->counted.key.period == HP_PERIOD_DAY)
                g_array_append_val(days, e->counted);
        }
    }
    g_hash_table_destroy(all);
    *count_out = rc == HP_OK ? days->len : 0;
    *out = (hp_counter *)g_array_free(days, rc != HP_OK);
    return rc;
}

/* The key that names a counter's subject in the table of names: its kind and id. */
static hp_counter_key subject_key(hp_counter_kind kind, int64_t id)
{
    return (hp_counter_key){.kind = kind, .period = HP_PERIOD_DAY, .bucket = 0, .subject = id};
}

static void name_put(GHashTable *names, hp_counter_kind kind, int64_t id, const char *name)
{
    hp_counter_key *k = g_new(hp_counter_key, 1);
    *k = subject_key(kind, id);
    g_hash_table_insert(names, k, g_strdup(name));
}

/* Names of rooms, users, groups and rules, for readable lines: a room by its name, a user by
 * email, a rule by the name the API gives it. */
static GHashTable *names_of(hp_store *store, const hp_school *school)
{
    GHashTable *names =
        g_hash_table_new_full(hp_counter_key_hash, hp_counter_key_equal, g_free, g_free);
    hp_room *rooms;
    hp_user *users;
    size_t n;
    if (hp_store_rooms_list(store, school->id, &rooms, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++) {
            name_put(names, HP_COUNTER_ROOM, rooms[i].id, rooms[i].name);
            name_put(names, HP_COUNTER_ROOM_REFUSALS, rooms[i].id, rooms[i].name);
        }
        hp_rooms_free(rooms, n);
    }
    if (hp_store_users_list(store, school->id, false, &users, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++) {
            name_put(names, HP_COUNTER_STAFF, users[i].id, users[i].email);
            name_put(names, HP_COUNTER_STUDENT_REFUSALS, users[i].id, users[i].email);
        }
        hp_users_free(users, n);
    }
    for (int rule = 1; rule <= HP_RULE_COUNT; rule++)
        name_put(names, HP_COUNTER_RULE_REFUSALS, rule, hp_rule_name((hp_rule_id)rule));
    hp_group *groups;
    if (hp_store_groups_list(store, school->id, &groups, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++)
            name_put(names, HP_COUNTER_GROUP_REFUSALS, groups[i].id, groups[i].name);
        hp_groups_free(groups, n);
    }
    return names;
}

/* The values of a counter as "3 from and 2 to". */
static void describe_values(GString *line, const hp_counter_kind_info *info, const hp_counter *c)
{
    for (size_t v = 0; v < info->value_count; v++)
        g_string_append_printf(line, "%s%" PRId64 " %s",
                               v == 0                       ? ""
                               : v + 1 == info->value_count ? " and "
                                                            : ", ",
                               c->values[v], info->value_names[v]);
}

/* How a check line names a counter's period: "day 2026-09-14", "week of 2026-09-14",
 * "month 2026-09", "quarter 2026-Q3". */
static const char *period_name(hp_counter_period period)
{
    switch (period) {
    case HP_PERIOD_MONTH:
        return "month";
    case HP_PERIOD_QUARTER:
        return "quarter";
    case HP_PERIOD_WEEK:
        return "week of";
    case HP_PERIOD_DAY:
        break;
    }
    return "day";
}

static void describe(FILE *out, GHashTable *names, const check_entry *e)
{
    const hp_counter_key *key = &e->stored.key;
    const hp_counter_kind_info *info = hp_counter_kind_describe(key->kind);
    hp_counter_key subject = subject_key(key->kind, key->subject);
    const char *name = g_hash_table_lookup(names, &subject);
    char when[HP_DATE_LEN];
    hp_counter_bucket_format(key->period, key->bucket, when);
    GString *line = g_string_new(NULL);
    g_string_append_printf(line, "%s %s, %s %s: stored ", info->name, name ? name : "(deleted)",
                           period_name(key->period), when);
    describe_values(line, info, &e->stored);
    g_string_append_printf(line, ", the %s give ", info->recounted_from);
    describe_values(line, info, &e->counted);
    fprintf(out, "%s\n", line->str);
    g_string_free(line, TRUE);
}

/* Whether a counter counts refusals made before the store recorded refusals as rows (through
 * the local day `through`, when `any`): neither side of it can be trusted to be whole. */
static bool unrecorded(const hp_counter_key *key, bool any, int32_t through)
{
    if (!any || !hp_counter_kind_describe(key->kind)->recorded_late)
        return false;
    if (key->period == HP_PERIOD_MONTH)
        return key->bucket <= hp_day_month(through);
    if (key->period == HP_PERIOD_QUARTER)
        return key->bucket <= hp_day_month(through) / HP_MONTHS_PER_QUARTER;
    return key->bucket <= through; /* A day, or a week by its Monday: it holds a day up to then. */
}

int hp_school_check(hp_store *store, const hp_school *school, FILE *out, size_t max_lines,
                    hp_check_stats *stats_out)
{
    GHashTable *all =
        g_hash_table_new_full(hp_counter_key_hash, hp_counter_key_equal, NULL, g_free);
    hp_check_stats stats = {0};
    bool any_unrecorded;
    int32_t through, purged_day = 0;
    int rc;

    if ((rc = hp_store_purged_before(store, school->id, &purged_day)) == HP_OK &&
        (rc = recount(store, school, all, &stats.passes, &stats.refusals)) == HP_OK &&
        (rc = add_removed(store, school, all)) == HP_OK &&
        (rc = read_stored(store, school, purged_day, all)) == HP_OK &&
        (rc = hp_store_refusals_unrecorded(store, school->id, &any_unrecorded, &through)) ==
            HP_OK) {
        stats.purged_before = purged_day;
        GHashTable *names = names_of(store, school);
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, all);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            const check_entry *e = value;
            if (purged(&e->stored.key, purged_day)) {
                stats.purged++;
                continue;
            }
            if (unrecorded(&e->stored.key, any_unrecorded, through)) {
                stats.skipped++;
                continue;
            }
            stats.counters++;
            if (hp_counter_values_equal(&e->stored, &e->counted))
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
