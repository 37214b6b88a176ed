/*
 * The report benchmark. Builds Room Usage, Staff Usage and every insight over a range N times
 * through the core library (hp_report_build and hp_insight_build, as the command line and the
 * server do), and times the baseline a
 * competent engineer would otherwise write: the same passes loaded by sqlite3's .import into a
 * plain table with a covering index on the start time, and GROUP BY queries that give the same
 * report by the same counting rules. Both are timed the same way, in this process, after one
 * warm-up run each; the medians are printed. Then both reports are compared room by room and staff
 * member by staff member: any difference is printed and makes the exit status 1. The insights'
 * SQL (baseline_insight_sql) is timed the same way over a second covering index, but not
 * compared: the passes table cannot hold all that the insights count.
 *
 * usage: report_bench --store STORE [--also STORE] [--baseline BASE.db] [--from DATE]
 *                     [--to DATE] [--runs N] [--baseline-runs N] [--school NAME]
 *
 * BASE.db holds the tables rooms, users and passes as sqlite3's .import made them from the same
 * CSV files (text columns named by the header). Without --from and --to the range is that of
 * the baseline's passes. --also STORE builds the same reports from a second store (the same
 * school with ten times the passes, say), each run right after the first store's, so that a
 * shared machine's load falls on both alike. Output, one fact a line, for bench/run.sh:
 *   range from=2025-08-18 to=2026-04-24
 *   hallpass_rooms median_us=... min_us=... max_us=... runs=N
 *   also_rooms median_us=... (with --also)
 *   baseline_rooms median_us=... ...
 *   check rooms rows=150 from=... to=... equal
 *   hallpass_daily ..., baseline_daily ..., rows daily hallpass=250 (and each insight alike)
 */
#include "core/error.h"
#include "core/tz.h"
#include "report/insight.h"
#include "report/report.h"
#include "store/store.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: report_bench --store STORE [--also STORE] [--baseline BASE.db] [--from DATE]\n"
    "                    [--to DATE] [--runs N] [--baseline-runs N] [--school NAME]\n";

/* The covering index a competent engineer adds for these reports: the start time first (the
 * range), then every column the queries read, so that SQLite never touches the table. */
static const char cover_index[] =
    "CREATE INDEX IF NOT EXISTS passes_by_start_covering ON passes(start, origin, destination,"
    " creator, source, type, cancelled)";

/* The CSV's start times carry the school's local offset (2025-09-14T10:03:00-05:00), so the
 * local date of a start is its first ten characters, and a range of local dates is a range of
 * text: start >= FROM and start < the day after TO. Cancelled passes never count. */
static const char baseline_rooms_sql[] =
    "SELECT r.name, coalesce(f.n, 0), coalesce(t.n, 0) FROM rooms r"
    " LEFT JOIN (SELECT origin, count(*) AS n FROM passes"
    "   WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY origin) f"
    "   ON f.origin = r.name"
    " LEFT JOIN (SELECT destination, count(*) AS n FROM passes"
    "   WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY destination) t"
    "   ON t.destination = r.name";

/* Staff Usage: now passes are source teacher or kiosk_mode, type now; scheduled passes are
 * source teacher, type scheduled; student and kiosk_login passes never count. One row for every
 * admin and teacher. */
static const char baseline_staff_sql[] =
    "SELECT u.email, coalesce(s.now, 0), coalesce(s.scheduled, 0) FROM users u"
    " LEFT JOIN (SELECT creator, sum(type = 'now') AS now,"
    "   sum(type = 'scheduled' AND source = 'teacher') AS scheduled FROM passes"
    "   WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true'"
    "   AND (source = 'teacher' OR source = 'kiosk_mode') GROUP BY creator) s"
    "   ON s.creator = u.email"
    " WHERE u.role = 'admin' OR u.role = 'teacher'";

/* The insights' equivalent SQL, in hp_report_kind's order from HP_INSIGHT_DAILY, each over the
 * same range and with cancelled passes left out. The local date of a start is its first ten
 * characters and its local hour the two after the T, since the CSV keeps the school's offset.
 * The passes table holds no refusals, overrides, line waits or encounter groups, so limits, rules
 * and encounters group the range's passes by what the table does hold (a scan of the same rows
 * as the insight counts, less work than the insight's real question). Durations' overtime uses
 * one time limit for every room, bound as ?3. */
static const char *const baseline_insight_sql[] = {
    /* daily: passes by local date and source. */
    "SELECT substr(start, 1, 10) AS day, count(*), sum(source = 'student'),"
    " sum(source = 'teacher'), sum(source = 'kiosk_mode'), sum(source = 'kiosk_login')"
    " FROM passes WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY day",
    /* heatmap: weekday (0 Sunday) x local hour of start. */
    "SELECT strftime('%w', substr(start, 1, 10)) AS weekday, substr(start, 12, 2) AS hour,"
    " count(*) FROM passes WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true'"
    " GROUP BY weekday, hour",
    /* durations: ended passes by destination, their mean, lower median and overtime. */
    "WITH d AS (SELECT destination, unixepoch(\"end\") - unixepoch(start) AS s FROM passes"
    "   WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' AND \"end\" <> ''),"
    " r AS (SELECT destination, s, row_number() OVER (PARTITION BY destination ORDER BY s) AS rn,"
    "   count(*) OVER (PARTITION BY destination) AS n FROM d)"
    " SELECT destination, max(n), sum(s), round(avg(s) / 60.0, 1),"
    " max(CASE WHEN rn = (n + 1) / 2 THEN s END), sum(s > ?3) FROM r GROUP BY destination",
    /* students: passes and their time out by student. */
    "SELECT student, count(*), sum(CASE WHEN \"end\" <> '' THEN"
    " unixepoch(\"end\") - unixepoch(start) END) FROM passes"
    " WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY student",
    /* limits: passes from and to each room, as Room Usage. */
    baseline_rooms_sql,
    /* rules: the range's passes by type and source. */
    "SELECT type, source, count(*) FROM passes"
    " WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY type, source",
    /* sources: passes by source and type, and whether they count in Staff Usage. */
    "SELECT source, type, count(*), (source = 'teacher' OR source = 'kiosk_mode')"
    " AND NOT (source = 'kiosk_mode' AND type = 'scheduled') FROM passes"
    " WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY source, type",
    /* encounters: the range's passes by student and destination. */
    "SELECT student, destination, count(*) FROM passes"
    " WHERE start >= ?1 AND start < ?2 AND cancelled <> 'true' GROUP BY student, destination",
};

/* The covering index for the insights' SQL, made after the reports' SQL is timed so that it
 * cannot change their plans: the start time first, then every column the queries read. */
static const char insight_cover_index[] =
    "CREATE INDEX IF NOT EXISTS passes_by_start_insights ON passes(start, cancelled, origin,"
    " destination, source, type, student, \"end\")";

/* The one time limit durations' SQL counts overtime by, in seconds (bench-gen's rooms have no
 * limits of their own). */
#define BASELINE_TIME_LIMIT_S (10 * 60)

typedef struct {
    int64_t a;
    int64_t b;
} pair;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_times(const char *what, double *times, int runs)
{
    qsort(times, (size_t)runs, sizeof(*times), compare_double);
    double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("%s median_us=%.1f min_us=%.1f max_us=%.1f runs=%d\n", what, median, times[0],
           times[runs - 1], runs);
}

static void die(const char *what)
{
    fprintf(stderr, "report_bench: %s: %s\n", what, hp_error_last());
    exit(2);
}

static void die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "report_bench: %s: %s\n", what, sqlite3_errmsg(db));
    exit(2);
}

/* Builds one report through the core library; the caller frees it. */
static hp_report *build(hp_store *store, const hp_school *school, const hp_tz *tz,
                        hp_report_kind kind, const char *from, const char *to)
{
    hp_report_query query = {.from = from, .to = to};
    hp_report *report;
    int rc = hp_report_kind_is_insight(kind)
                 ? hp_insight_build(&report, store, school, tz, kind, &query,
                                    g_get_real_time() / G_USEC_PER_SEC)
                 : hp_report_build(&report, store, school, tz, kind, &query);
    if (rc < 0)
        die("building the report");
    return report;
}

/* Runs a baseline query to its last row; with out, keeps each row's name and counts. */
static void run_baseline(sqlite3_stmt *st, GHashTable *out)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out) {
            pair *p = g_new(pair, 1);
            p->a = sqlite3_column_int64(st, 1);
            p->b = sqlite3_column_int64(st, 2);
            g_hash_table_replace(out, g_strdup((const char *)sqlite3_column_text(st, 0)), p);
        }
    }
    if (rc != SQLITE_DONE)
        die_sqlite(sqlite3_db_handle(st), "running the baseline query");
    sqlite3_reset(st);
}

/* Compares hallpass's report with the baseline's rows; prints each difference. */
static int check(const hp_report *report, GHashTable *baseline, int64_t *sum_a, int64_t *sum_b)
{
    bool rooms = report->kind == HP_REPORT_ROOMS;
    int bad = 0;
    *sum_a = *sum_b = 0;
    if (report->row_count != g_hash_table_size(baseline)) {
        printf("differ %s: hallpass has %zu rows, the baseline %u\n",
               hp_report_kind_name(report->kind), report->row_count, g_hash_table_size(baseline));
        bad++;
    }
    for (size_t i = 0; i < report->row_count; i++) {
        const hp_report_row *row = &report->rows[i];
        /* Rooms are matched by name, staff members by email. */
        const char *key = rooms ? row->name : row->staff.email;
        int64_t a = rooms ? row->room.passes_from : row->staff.now;
        int64_t b = rooms ? row->room.passes_to : row->staff.scheduled;
        const pair *p = g_hash_table_lookup(baseline, key);
        *sum_a += a;
        *sum_b += b;
        if (!rooms && row->staff.total != a + b) {
            printf("differ staff %s: total %lld is not now + scheduled\n", key,
                   (long long)row->staff.total);
            bad++;
        }
        if (p == NULL) {
            printf("differ %s %s: not in the baseline\n", hp_report_kind_name(report->kind), key);
            bad++;
        } else if (p->a != a || p->b != b) {
            printf("differ %s %s: hallpass %lld %lld, baseline %lld %lld\n",
                   hp_report_kind_name(report->kind), key, (long long)a, (long long)b,
                   (long long)p->a, (long long)p->b);
            bad++;
        }
    }
    return bad;
}

static void print_plan(sqlite3 *db, const char *what, const char *sql)
{
    char *explain = g_strdup_printf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, explain, -1, &st, NULL) != SQLITE_OK)
        die_sqlite(db, "explaining the baseline query");
    printf("plan %s:", what);
    while (sqlite3_step(st) == SQLITE_ROW)
        printf(" %s;", (const char *)sqlite3_column_text(st, 3));
    printf("\n");
    sqlite3_finalize(st);
    g_free(explain);
}

/* The range of the baseline's passes, as local dates. */
static void baseline_range(sqlite3 *db, char *from, char *to)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db, "SELECT substr(min(start), 1, 10), substr(max(start), 1, 10) FROM passes", -1, &st,
            NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
        die_sqlite(db, "finding the range of the baseline's passes");
    g_strlcpy(from, (const char *)sqlite3_column_text(st, 0), HP_DATE_LEN);
    g_strlcpy(to, (const char *)sqlite3_column_text(st, 1), HP_DATE_LEN);
    sqlite3_finalize(st);
}

/* A store opened for the benchmark, with its school and the school's zone. */
typedef struct {
    const char *uri;
    hp_store *store;
    hp_school *schools;
    size_t school_count;
    const hp_school *school;
    hp_tz *tz;
} bench_store;

static void open_store(bench_store *b, const char *uri, const char *school_name)
{
    b->uri = uri;
    b->school = NULL;
    if (hp_store_open(&b->store, uri, false) < 0)
        die(uri);
    if (hp_store_schools_list(b->store, &b->schools, &b->school_count) < 0)
        die("listing the schools");
    for (size_t i = 0; i < b->school_count && b->school == NULL; i++)
        if (school_name == NULL || strcmp(b->schools[i].name, school_name) == 0)
            b->school = &b->schools[i];
    if (b->school == NULL) {
        fprintf(stderr, "report_bench: no school%s%s in %s\n", school_name ? " " : "",
                school_name ? school_name : "", uri);
        exit(2);
    }
    if (hp_tz_new(&b->tz, b->school->timezone) < 0)
        die(b->school->timezone);
    int64_t passes = 0;
    hp_store_pass_count(b->store, b->school->id, &passes);
    printf("store %s passes=%lld school=\"%s\" timezone=%s\n", uri, (long long)passes,
           b->school->name, b->school->timezone);
}

static void close_store(bench_store *b)
{
    hp_tz_free(b->tz);
    hp_schools_free(b->schools, b->school_count);
    hp_store_free(b->store);
}

/* Times one build of a report, in microseconds. */
static double time_build(const bench_store *b, hp_report_kind kind, const char *from,
                         const char *to)
{
    double t0 = now_us();
    hp_report_free(build(b->store, b->school, b->tz, kind, from, to));
    return now_us() - t0;
}

/* Times a baseline query over the range [from, after_to) after one warm-up run, which fills
 * rows (NULL: none kept), and prints its plan and its times as baseline_KIND. */
static void time_baseline(sqlite3 *db, hp_report_kind kind, const char *sql, const char *from,
                          const char *after_to, GHashTable *rows, double *times, int runs)
{
    sqlite3_stmt *st;
    char what[32];
    snprintf(what, sizeof(what), "baseline_%s", hp_report_kind_name(kind));
    print_plan(db, what, sql);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die_sqlite(db, "preparing the baseline query");
    sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, after_to, -1, SQLITE_TRANSIENT);
    /* Only durations' query has a ?3; binding it elsewhere is a harmless SQLITE_RANGE. */
    sqlite3_bind_int(st, 3, BASELINE_TIME_LIMIT_S);
    run_baseline(st, rows);
    for (int r = 0; r < runs; r++) {
        double t0 = now_us();
        run_baseline(st, NULL);
        times[r] = now_us() - t0;
    }
    print_times(what, times, runs);
    sqlite3_finalize(st);
}

int main(int argc, char **argv)
{
    const char *store_uri = NULL, *also_uri = NULL, *baseline_path = NULL, *school_name = NULL;
    char from[HP_DATE_LEN] = "", to[HP_DATE_LEN] = "";
    int runs = 201, baseline_runs = 5;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (value == NULL) {
            fputs(usage, stderr);
            return 2;
        }
        i++;
        if (strcmp(arg, "--store") == 0)
            store_uri = value;
        else if (strcmp(arg, "--also") == 0)
            also_uri = value;
        else if (strcmp(arg, "--baseline") == 0)
            baseline_path = value;
        else if (strcmp(arg, "--school") == 0)
            school_name = value;
        else if (strcmp(arg, "--from") == 0)
            g_strlcpy(from, value, sizeof(from));
        else if (strcmp(arg, "--to") == 0)
            g_strlcpy(to, value, sizeof(to));
        else if (strcmp(arg, "--runs") == 0)
            runs = atoi(value);
        else if (strcmp(arg, "--baseline-runs") == 0)
            baseline_runs = atoi(value);
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (store_uri == NULL || runs < 1 || baseline_runs < 1 ||
        (baseline_path == NULL && (from[0] == '\0' || to[0] == '\0'))) {
        fputs(usage, stderr);
        return 2;
    }

    sqlite3 *db = NULL;
    if (baseline_path) {
        if (sqlite3_open_v2(baseline_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            die_sqlite(db, baseline_path);
        if (sqlite3_exec(db, cover_index, NULL, NULL, NULL) != SQLITE_OK)
            die_sqlite(db, "indexing the baseline");
        if (from[0] == '\0' || to[0] == '\0')
            baseline_range(db, from, to);
    }
    int32_t from_day = 0, to_day = 0;
    if (hp_date_parse(from, &from_day) < 0 || hp_date_parse(to, &to_day) < 0)
        die("the range");
    char after_to[HP_DATE_LEN];
    hp_date_format(to_day + 1, after_to);
    printf("range from=%s to=%s\n", from, to);

    bench_store main_store, also = {0};
    open_store(&main_store, store_uri, school_name);
    if (also_uri)
        open_store(&also, also_uri, main_store.school->name);

    /* hallpass: the whole report, rows named and sorted, as the server builds it. With --also,
     * the other store's report is built right after each run, so that both see the same load of
     * a shared machine. */
    enum { KINDS = HP_INSIGHT_LAST + 1 };
    hp_report *reports[KINDS];
    double *times = g_new(double, runs > baseline_runs ? runs : baseline_runs);
    double *also_times = g_new(double, runs);
    for (int k = 0; k < KINDS; k++) {
        /* A warm-up of each store; the first report is kept for the check. */
        reports[k] =
            build(main_store.store, main_store.school, main_store.tz, (hp_report_kind)k, from, to);
        if (also_uri)
            time_build(&also, (hp_report_kind)k, from, to);
        for (int r = 0; r < runs; r++) {
            times[r] = time_build(&main_store, (hp_report_kind)k, from, to);
            if (also_uri)
                also_times[r] = time_build(&also, (hp_report_kind)k, from, to);
        }
        char what[32];
        snprintf(what, sizeof(what), "hallpass_%s", hp_report_kind_name((hp_report_kind)k));
        print_times(what, times, runs);
        if (also_uri) {
            snprintf(what, sizeof(what), "also_%s", hp_report_kind_name((hp_report_kind)k));
            print_times(what, also_times, runs);
        }
    }

    int bad = 0;
    if (db) {
        const char *sql[2] = {baseline_rooms_sql, baseline_staff_sql};
        for (int k = 0; k < 2; k++) {
            GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
            time_baseline(db, (hp_report_kind)k, sql[k], from, after_to, rows, times,
                          baseline_runs);

            int64_t sum_a, sum_b;
            int differ = check(reports[k], rows, &sum_a, &sum_b);
            printf("check %s rows=%zu %s=%lld %s=%lld %s\n", hp_report_kind_name((hp_report_kind)k),
                   reports[k]->row_count, k == 0 ? "from" : "now", (long long)sum_a,
                   k == 0 ? "to" : "scheduled", (long long)sum_b, differ ? "DIFFER" : "equal");
            bad += differ;
            g_hash_table_destroy(rows);
        }
        if (sqlite3_exec(db, insight_cover_index, NULL, NULL, NULL) != SQLITE_OK)
            die_sqlite(db, "indexing the baseline for the insights");
        for (int k = HP_INSIGHT_FIRST; k < KINDS; k++) {
            time_baseline(db, (hp_report_kind)k, baseline_insight_sql[k - HP_INSIGHT_FIRST], from,
                          after_to, NULL, times, baseline_runs);
            printf("rows %s hallpass=%zu\n", hp_report_kind_name((hp_report_kind)k),
                   reports[k]->row_count);
        }
        sqlite3_close(db);
    }

    for (int k = 0; k < KINDS; k++)
        hp_report_free(reports[k]);
    g_free(times);
    g_free(also_times);
    close_store(&main_store);
    if (also_uri)
        close_store(&also);
    return bad ? 1 : 0;
}
