/* Store-to-store copy; see copy.h. */
#include "service/copy.h"

#include "core/error.h"
#include "core/tz.h"
#include "export/export.h"
#include "report/report.h"
#include "service/schools.h"
#include "store/tally.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Passes read and written at a time: the copy's memory stays flat however many there are. */
#define COPY_PAGE_PASSES 2000

typedef struct {
    GHashTable *rooms;  /* Source room id -> target room id. */
    GHashTable *users;  /* Source user id -> target user id. */
    GHashTable *passes; /* Source pass id -> target pass id: the line's entries name them. */
    hp_tally *counters;
    int32_t first_day;
    int32_t last_day;
} id_maps;

/* Empty maps for one school in its zone (which the counters of its passes need); no day seen
 * yet. */
static void id_maps_init(id_maps *maps, const hp_tz *tz)
{
    *maps = (id_maps){
        .rooms = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
        .users = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
        .passes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
        .counters = hp_tally_new(tz),
        .first_day = INT32_MAX,
        .last_day = INT32_MIN,
    };
}

static void id_maps_release(id_maps *maps)
{
    g_hash_table_destroy(maps->rooms);
    g_hash_table_destroy(maps->users);
    g_hash_table_destroy(maps->passes);
    hp_tally_free(maps->counters);
    *maps = (id_maps){0};
}

static int64_t mapped(GHashTable *map, int64_t id)
{
    gpointer v = g_hash_table_lookup(map, &id);
    return v ? *(int64_t *)v : 0;
}

static void map_put(GHashTable *map, int64_t from, int64_t to)
{
    int64_t *k = g_new(int64_t, 1), *v = g_new(int64_t, 1);
    *k = from;
    *v = to;
    g_hash_table_insert(map, k, v);
}

static int copy_rooms(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps,
                      hp_copy_stats *stats)
{
    hp_room *rooms;
    size_t n;
    bool changed;
    int rc = hp_store_rooms_list(from, src, &rooms, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        int64_t old = rooms[i].id;
        rooms[i].id = 0;
        if ((rc = hp_store_room_put(to, dst, &rooms[i], &changed)) == HP_OK &&
            (rc = hp_store_room_rules_put(to, dst, &rooms[i], &changed)) == HP_OK) {
            map_put(maps->rooms, old, rooms[i].id);
            stats->rooms++;
        }
    }
    hp_rooms_free(rooms, n);
    return rc;
}

/* The users' roster ids, so that the next roster import finds them in the copy too. */
static int copy_user_sources(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps)
{
    hp_user_source *sources;
    size_t n;
    bool changed;
    int rc = hp_store_user_sources_list(from, src, &sources, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == HP_OK && i < n; i++)
        rc = hp_store_user_source_put(to, dst, mapped(maps->users, sources[i].user_id),
                                      sources[i].source_id, &changed);
    hp_user_sources_free(sources, n);
    return rc;
}

static int copy_users(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps,
                      hp_copy_stats *stats)
{
    hp_user *users;
    size_t n;
    bool changed;
    int rc = hp_store_users_list(from, src, false, &users, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        hp_user full = {0};
        char *hash = NULL;
        if ((rc = hp_store_user_find(from, src, users[i].email, &full, &hash)) < 0)
            break;
        hp_user_release(&full);
        int64_t old = users[i].id;
        users[i].id = 0;
        users[i].room_id = users[i].room_id ? mapped(maps->rooms, users[i].room_id) : 0;
        rc = hp_store_user_put(to, dst, &users[i], hash, &changed);
        if (rc == HP_OK)
            rc = hp_store_user_rules_put(to, dst, &users[i], &changed);
        g_free(hash);
        if (rc == HP_OK) {
            map_put(maps->users, old, users[i].id);
            stats->users++;
        }
    }
    hp_users_free(users, n);
    if (rc == HP_OK)
        rc = copy_user_sources(from, to, src, dst, maps);
    return rc;
}

/* The school's encounter groups, their students mapped to the target's users. The passes
 * they prevented are not copied, as no refusal counter is. */
static int copy_groups(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps)
{
    hp_group *groups;
    size_t n;
    int rc = hp_store_groups_list(from, src, &groups, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        groups[i].id = 0;
        for (size_t j = 0; j < groups[i].member_count; j++)
            groups[i].members[j] = mapped(maps->users, groups[i].members[j]);
        rc = hp_store_group_put(to, dst, &groups[i]);
    }
    hp_groups_free(groups, n);
    return rc;
}

/* The school's pass-rule settings, as one set. */
static int copy_settings(hp_store *from, hp_store *to, int64_t src, int64_t dst)
{
    hp_settings settings;
    int rc = hp_store_settings_get(from, src, &settings);
    return rc < 0 ? rc : hp_store_settings_put(to, dst, &settings, NULL);
}

/* The bell schedule and the blackouts, each blackout's creator by their new id. */
static int copy_no_pass_times(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps)
{
    hp_schedule schedule;
    hp_blackout *blackouts;
    size_t n;
    bool changed;
    int rc = hp_store_schedule_get(from, src, &schedule);
    if (rc < 0)
        return rc;
    rc = hp_store_schedule_put(to, dst, &schedule, &changed);
    hp_schedule_release(&schedule);
    if (rc < 0 || (rc = hp_store_blackouts_list(from, src, &blackouts, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n && rc == HP_OK; i++) {
        blackouts[i].created_by = mapped(maps->users, blackouts[i].created_by);
        rc = hp_store_blackout_insert(to, dst, &blackouts[i]);
    }
    hp_blackouts_free(blackouts, n);
    return rc;
}

static int copy_passes(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps,
                       hp_copy_stats *stats)
{
    int64_t after = 0;
    int rc = HP_OK;
    bool inserted[COPY_PAGE_PASSES];

    for (;;) {
        hp_pass *passes;
        size_t n;
        if ((rc = hp_store_passes_page(from, src, after, COPY_PAGE_PASSES, &passes, &n)) < 0)
            return rc;
        if (n == 0) {
            hp_passes_free(passes, n);
            break;
        }
        after = passes[n - 1].id;
        int64_t *source_ids = g_new(int64_t, n);
        for (size_t i = 0; i < n; i++) {
            hp_pass *p = &passes[i];
            source_ids[i] = p->id;
            p->student_id = mapped(maps->users, p->student_id);
            p->creator_id = mapped(maps->users, p->creator_id);
            p->origin_id = mapped(maps->rooms, p->origin_id);
            p->destination_id = mapped(maps->rooms, p->destination_id);
            if (p->local_day < maps->first_day)
                maps->first_day = p->local_day;
            if (p->local_day > maps->last_day)
                maps->last_day = p->local_day;
            hp_tally_pass(maps->counters, p, 1);
        }
        for (size_t i = 0; rc == HP_OK && i < n; i += HP_IMPORT_BATCH) {
            size_t chunk = n - i < HP_IMPORT_BATCH ? n - i : HP_IMPORT_BATCH;
            rc = hp_store_passes_import(to, dst, &passes[i], chunk, &inserted[i]);
        }
        for (size_t i = 0; rc == HP_OK && i < n; i++) {
            if (!inserted[i])
                rc = hp_error_set(HP_ECONFLICT, "pass %lld was not copied",
                                  (long long)source_ids[i]);
            else
                map_put(maps->passes, source_ids[i], passes[i].id);
        }
        g_free(source_ids);
        stats->passes += n;
        hp_passes_free(passes, n);
        if (rc < 0)
            return rc;
    }

    rc = hp_tally_commit(maps->counters, to, dst);
    return rc;
}

/* The waiting line's entries in every state: the started ones are the history of what
 * waiting cost, and keep their passes by their new ids. */
static int copy_line(hp_store *from, hp_store *to, int64_t src, int64_t dst, id_maps *maps)
{
    hp_line_filter filter = {.kind = HP_LINE_LIST_ALL};
    hp_line_entry *entries;
    size_t n;
    int rc = hp_store_line_list(from, src, &filter, &entries, &n);
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        hp_line_entry e = entries[i];
        e.student_id = mapped(maps->users, e.student_id);
        e.creator_id = mapped(maps->users, e.creator_id);
        e.origin_id = mapped(maps->rooms, e.origin_id);
        e.destination_id = mapped(maps->rooms, e.destination_id);
        e.pass_id = e.pass_id ? mapped(maps->passes, e.pass_id) : 0;
        hp_line_state state = e.state;
        /* Joined as waiting, then given the state, offer, lapses, pass and end it had. */
        if ((rc = hp_store_line_insert(to, dst, &e)) == HP_OK) {
            e.state = state;
            rc = hp_store_line_update(to, dst, &e);
        }
    }
    hp_line_entries_free(entries, n);
    /* What the started entries count (the line's waits per destination), as the target has
     * them now. */
    hp_counter *waits;
    if (rc == HP_OK && (rc = hp_store_line_wait_days(to, dst, &waits, &n)) == HP_OK) {
        rc = hp_store_counts_add(to, dst, waits, n);
        hp_counters_free(waits);
    }
    return rc;
}

/* One report as CSV bytes. */
static int report_bytes(hp_store *store, const hp_school *school, const hp_tz *tz,
                        hp_report_kind kind, const char *from, const char *to, char **out,
                        size_t *len)
{
    hp_report_query q = {.from = from, .to = to};
    hp_report *report;
    int rc = hp_report_build(&report, store, school, tz, kind, &q);
    if (rc < 0)
        return rc;
    FILE *f = open_memstream(out, len);
    rc = hp_export_csv(report, f);
    fclose(f);
    hp_report_free(report);
    return rc;
}

/* Compares both reports over the whole range and over every day of it. */
static int compare_reports(hp_store *from, hp_store *to, const hp_school *src, const hp_school *dst,
                           const id_maps *maps, hp_copy_stats *stats)
{
    hp_tz *tz;
    int rc = hp_tz_new(&tz, src->timezone);
    if (rc < 0)
        return rc;
    int32_t first = maps->first_day <= maps->last_day ? maps->first_day : hp_tz_today(tz);
    int32_t last = maps->first_day <= maps->last_day ? maps->last_day : first;
    /* Day first - 1 stands for the whole range. */
    for (int32_t day = first - 1; rc == HP_OK && day <= last; day++) {
        char a[HP_DATE_LEN], b[HP_DATE_LEN];
        hp_date_format(day < first ? first : day, a);
        hp_date_format(day < first ? last : day, b);
        for (int kind = HP_REPORT_ROOMS; rc == HP_OK && kind <= HP_REPORT_STAFF; kind++) {
            char *x = NULL, *y = NULL;
            size_t nx = 0, ny = 0;
            if ((rc = report_bytes(from, src, tz, (hp_report_kind)kind, a, b, &x, &nx)) == HP_OK &&
                (rc = report_bytes(to, dst, tz, (hp_report_kind)kind, a, b, &y, &ny)) == HP_OK &&
                (nx != ny || memcmp(x, y, nx) != 0))
                rc = hp_error_set(HP_ECONFLICT,
                                  "%s: the %s report from %s to %s differs after the copy",
                                  src->name, hp_report_title((hp_report_kind)kind), a, b);
            free(x); /* open_memstream's buffers are libc's. */
            free(y);
            stats->reports_compared++;
        }
    }
    hp_tz_free(tz);
    return rc;
}

int hp_store_copy(hp_store *from, hp_store *to, hp_copy_stats *stats_out)
{
    hp_school *schools = NULL;
    size_t n = 0;
    hp_copy_stats stats = {0};
    int rc;

    if ((rc = hp_store_schools_list(from, &schools, &n)) < 0)
        return rc;
    /* A school is found by name the one way everywhere (hp_school_find), so the target's
     * school that a copy would collide with is the one a command naming it would find. */
    for (size_t i = 0; i < n; i++) {
        hp_school taken = {0};
        rc = hp_school_find(to, schools[i].name, &taken);
        hp_school_release(&taken);
        if (rc == HP_OK) {
            rc = hp_error_set(HP_EEXISTS, "the target already has a school named \"%s\"",
                              schools[i].name);
            goto out;
        }
        if (rc != HP_ENOTFOUND)
            goto out;
        rc = HP_OK;
    }
    if ((rc = hp_store_begin(to)) < 0)
        goto out;
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        id_maps maps;
        hp_tz *tz;
        if ((rc = hp_tz_new(&tz, schools[i].timezone)) < 0)
            break;
        id_maps_init(&maps, tz);
        hp_school target = {.name = schools[i].name, .timezone = schools[i].timezone};
        if ((rc = hp_store_school_create(to, schools[i].name, schools[i].timezone, &target.id)) ==
                HP_OK &&
            (rc = copy_rooms(from, to, schools[i].id, target.id, &maps, &stats)) == HP_OK &&
            (rc = copy_users(from, to, schools[i].id, target.id, &maps, &stats)) == HP_OK &&
            (rc = copy_settings(from, to, schools[i].id, target.id)) == HP_OK &&
            (rc = copy_groups(from, to, schools[i].id, target.id, &maps)) == HP_OK &&
            (rc = copy_no_pass_times(from, to, schools[i].id, target.id, &maps)) == HP_OK &&
            (rc = copy_passes(from, to, schools[i].id, target.id, &maps, &stats)) == HP_OK &&
            (rc = copy_line(from, to, schools[i].id, target.id, &maps)) == HP_OK)
            rc = compare_reports(from, to, &schools[i], &target, &maps, &stats);
        stats.schools++;
        id_maps_release(&maps);
        hp_tz_free(tz);
    }
    if (rc == HP_OK)
        rc = hp_store_commit(to);
    if (rc < 0)
        hp_store_rollback(to);
    else if (stats_out)
        *stats_out = stats;
out:
    hp_schools_free(schools, n);
    return rc;
}
