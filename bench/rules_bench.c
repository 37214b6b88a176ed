/*
 * The pass rules' cost. Creates now passes through the pass service (hp_pass_create, as the
 * server does) from a kiosk, each for a student who has none out, and ends each at once: in
 * one SQLite store with every rule off, and in another with every rule on (limits high enough
 * that none refuses, a bell schedule and an ended blackout, every student in an encounter
 * group, the line on: each pass pays for every count its rules read). The two stores take
 * their passes in alternating rounds, so that a shared machine's load falls on both alike.
 *
 * usage: rules_bench --dir DIR [--passes N] [--rounds N]
 *
 * Output, one fact a line, for bench/run.sh:
 *   rules_none passes_per_s=... passes=N
 *   rules_all passes_per_s=... passes=N
 *   rules ratio=... (the time with every rule on over the time with none)
 */
#include "core/error.h"
#include "core/schedule.h"
#include "core/settings.h"
#include "core/tz.h"
#include "service/passes.h"
#include "store/store.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PASSES 2000 /* Per store: a school day's worth for a large school. */
#define DEFAULT_ROUNDS 4    /* Alternations between the two stores. */
#define ZONE "America/Chicago"

static const char usage[] = "usage: rules_bench --dir DIR [--passes N] [--rounds N]\n";

typedef struct {
    hp_store *store;
    hp_actor kiosk;
    hp_tz *tz;
    double seconds;
    long made;
} bench_store;

static void die(const char *what)
{
    fprintf(stderr, "rules_bench: %s: %s\n", what, hp_error_last());
    exit(1);
}

static double now_s(void)
{
    return (double)g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* A school with a kiosk in Room 1, a destination, and `students` students. */
static void add_group(hp_store *store, int64_t school, long n, int64_t a, int64_t b)
{
    int64_t members[] = {a, b};
    hp_group group = {.name = g_strdup_printf("Group %ld", n),
                      .active = true,
                      .members = members,
                      .member_count = 2};
    if (hp_store_group_put(store, school, &group) < 0)
        die("adding an encounter group");
    g_free(group.name);
}

/* A bell schedule for every day with one period twelve hours from now (so its first and last
 * minutes are read and never refuse during a run) and a blackout that ended an hour ago. */
static void add_no_pass_times(hp_store *store, int64_t school, const hp_tz *tz, int64_t admin)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    int hour = (hp_tz_local_hour(tz, now) + 12) % 24;
    char start[8], end[8];
    snprintf(start, sizeof(start), "%02d:00", hour);
    snprintf(end, sizeof(end), "%02d:50", hour);
    hp_schedule schedule;
    hp_schedule_init(&schedule);
    bool changed;
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
        if (hp_schedule_add(&schedule, days[i], "Period 1", start, end) < 0)
            die("making the bell schedule");
    hp_blackout past = {.start = now - 7200,
                        .end = now - 3600,
                        .has_end = true,
                        .created_by = admin,
                        .created_at = now - 7200};
    if (hp_store_schedule_put(store, school, &schedule, &changed) < 0 ||
        hp_store_blackout_insert(store, school, &past) < 0)
        die("saving the no-pass times");
    hp_schedule_release(&schedule);
}

static void setup(bench_store *b, const char *path, long students, bool every_rule)
{
    hp_room origin = {
        .name = g_strdup("Room 1"), .folder = g_strdup(""), .counts_toward_limit = true};
    hp_room destination = {
        .name = g_strdup("Library"), .folder = g_strdup(""), .counts_toward_limit = true};
    bool changed;
    int64_t school = 0;
    remove(path);
    if (hp_store_open(&b->store, path, true) < 0 || hp_tz_new(&b->tz, ZONE) < 0 ||
        hp_store_begin(b->store) < 0 ||
        hp_store_school_create(b->store, "Bench High", ZONE, &school) < 0)
        die("creating the store");
    if (every_rule) {
        origin.max_from = destination.max_to = HP_LIMIT_MAX;
        destination.time_limit_minutes = 10;
    }
    if (hp_store_room_put(b->store, school, &origin, &changed) < 0 ||
        hp_store_room_put(b->store, school, &destination, &changed) < 0 ||
        hp_store_room_rules_put(b->store, school, &destination, &changed) < 0)
        die("adding rooms");
    int64_t mate = 0;
    for (long i = 0; i < students; i++) {
        char *name = g_strdup_printf("Student %ld", i);
        char *email = g_strdup_printf("s%ld@bench.example", i);
        hp_user u = {.name = name, .email = email, .role = HP_ROLE_STUDENT};
        if (hp_store_user_put(b->store, school, &u, NULL, &changed) < 0)
            die("adding students");
        /* Every two students an encounter group: each pass reads the student's group, and
         * the mate is never out (each pass ends at once), so none refuses. */
        if (every_rule && i % 2 == 1)
            add_group(b->store, school, i / 2, mate, u.id);
        mate = u.id;
        g_free(name);
        g_free(email);
    }
    hp_user kiosk = {.name = g_strdup("Kiosk"),
                     .email = g_strdup("kiosk@bench.example"),
                     .role = HP_ROLE_KIOSK,
                     .room_id = origin.id};
    if (hp_store_user_put(b->store, school, &kiosk, NULL, &changed) < 0)
        die("adding the kiosk");
    hp_settings settings;
    hp_settings_init(&settings);
    if (every_rule) {
        settings.default_time_limit_minutes = 15;
        settings.max_active_passes = HP_MAX_ACTIVE_PASSES_MAX;
        settings.max_passes_per_day = HP_PASSES_PER_DAY_MAX;
        settings.max_passes_per_week = HP_PASSES_PER_WEEK_MAX;
        settings.cooldown_minutes = 1;
        settings.no_pass_first_minutes = 5;
        settings.no_pass_last_minutes = 5;
    }
    if (every_rule)
        add_no_pass_times(b->store, school, b->tz, kiosk.id);
    if (hp_store_settings_put(b->store, school, &settings, NULL) < 0 ||
        hp_store_commit(b->store) < 0)
        die("saving the school");
    b->kiosk = (hp_actor){
        .school = {.id = school, .name = g_strdup("Bench High"), .timezone = g_strdup(ZONE)},
        .tz = b->tz,
        .user = kiosk,
    };
    hp_room_release(&origin);
    hp_room_release(&destination);
}

/* Passes for students [from, to), each ended right after it is made. */
static void run(bench_store *b, long from, long to)
{
    double start = now_s();
    for (long i = from; i < to; i++) {
        char email[64];
        snprintf(email, sizeof(email), "s%ld@bench.example", i);
        hp_pass_request req = {.student = email, .destination = "Library", .type = HP_PASS_NOW};
        hp_pass_view view, ended;
        int64_t now = g_get_real_time() / G_USEC_PER_SEC;
        if (hp_pass_create(b->store, &b->kiosk, &req, now, &view, NULL) < 0)
            die("creating a pass");
        if (hp_pass_end(b->store, &b->kiosk, view.pass.id, now, &ended) < 0)
            die("ending a pass");
        hp_pass_view_release(&view);
        hp_pass_view_release(&ended);
        b->made++;
    }
    b->seconds += now_s() - start;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    long passes = DEFAULT_PASSES, rounds = DEFAULT_ROUNDS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
            passes = atol(argv[++i]);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atol(argv[++i]);
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (dir == NULL || passes < 1 || rounds < 1) {
        fputs(usage, stderr);
        return 2;
    }
    bench_store none = {0}, all = {0};
    char *none_path = g_build_filename(dir, "rules-none.db", NULL);
    char *all_path = g_build_filename(dir, "rules-all.db", NULL);
    setup(&none, none_path, passes, false);
    setup(&all, all_path, passes, true);
    long per_round = (passes + rounds - 1) / rounds;
    for (long from = 0; from < passes; from += per_round) {
        long to = from + per_round < passes ? from + per_round : passes;
        run(&none, from, to);
        run(&all, from, to);
    }
    printf("rules_none passes_per_s=%.0f passes=%ld\n", none.made / none.seconds, none.made);
    printf("rules_all passes_per_s=%.0f passes=%ld\n", all.made / all.seconds, all.made);
    printf("rules ratio=%.2f\n", all.seconds / none.seconds);
    hp_actor_release(&none.kiosk);
    hp_actor_release(&all.kiosk);
    hp_store_free(none.store);
    hp_store_free(all.store);
    hp_tz_free(none.tz);
    hp_tz_free(all.tz);
    g_free(none_path);
    g_free(all_path);
    return 0;
}
