/* hallpass demo: creates the demo school (once) and shows both reports. */
#include "cli/cli.h"

#include "core/error.h"
#include "demo/demo.h"
#include "export/export.h"
#include "http/server.h"
#include "report/report.h"
#include "service/auth.h"
#include "service/schools.h"

#include <stdio.h>

/* The store when neither --db nor HALLPASS_DB names one. */
#define DEMO_DB_DEFAULT "hallpass-demo.db"

typedef struct {
    const char *db;
    const char *listen;
    bool no_serve;
} demo_options;

static const hp_cli_option options[] = {
    HP_OPT_TEXT_ROW(demo_options, db, "db", "DB",
                    "the store: a SQLite file or a postgresql:// URI\n"
                    "(default: $HALLPASS_DB, else " DEMO_DB_DEFAULT ")"),
    HP_OPT_TEXT_ROW(demo_options, listen, "listen", "ADDR:PORT",
                    "where to serve (default " HP_CLI_LISTEN_DEFAULT ")"),
    HP_OPT_FLAG_ROW(demo_options, no_serve, "no-serve",
                    "print both reports for the last 30 days instead of serving"),
};

/* Finds the demo school in the store, or creates it, and says which. */
static int open_demo(hp_store *store, const char *db, hp_school *school, hp_tz **tz)
{
    int rc = hp_school_find(store, HP_DEMO_SCHOOL, school);
    if (rc == HP_OK) {
        printf("Using the demo school already in %s.\n\n", db);
        return hp_tz_new(tz, school->timezone);
    }
    if (rc != HP_ENOTFOUND)
        return rc;

    hp_demo_summary summary;
    char first[HP_DATE_LEN], last[HP_DATE_LEN];
    fprintf(stderr, "creating the demo school in %s...\n", db);
    if ((rc = hp_demo_create(store, school, tz, &summary)) < 0)
        return rc;
    hp_date_format(summary.first_day, first);
    hp_date_format(summary.last_day, last);
    printf("Created %s (%s): %zu rooms, %zu staff, %zu students, %zu kiosks,\n"
           "%zu passes from %s to %s.\n\n",
           HP_DEMO_SCHOOL, HP_DEMO_TIMEZONE, summary.rooms, summary.staff, summary.students,
           summary.kiosks, summary.passes, first, last);
    return HP_OK;
}

static int print_report(hp_store *store, const hp_school *school, const hp_tz *tz,
                        hp_report_kind kind)
{
    hp_report *report;
    hp_report_query query = {0};
    int rc = hp_report_build(&report, store, school, tz, kind, &query);
    if (rc < 0)
        return rc;
    rc = hp_export_table(report, stdout);
    hp_report_free(report);
    putchar('\n');
    return rc;
}

static void on_ready(const char *address, void *data)
{
    (void)data;
    printf("Serving the demo at http://%s (Ctrl-C stops it). For example:\n"
           "  curl -c jar -H 'Content-Type: application/json' -d '{\"email\": \"%s\", "
           "\"password\": \"%s\"}' http://%s/api/session\n"
           "  curl -b jar 'http://%s/api/reports/rooms?format=csv'\n",
           address, hp_demo_logins[0].email, HP_DEMO_PASSWORD, address, address);
    fflush(stdout);
}

/* Prepares the demo school and either prints the reports (--no-serve) or returns for the
 * caller to serve. */
static int prepare(const char *db, bool serve)
{
    hp_store *store;
    hp_school school = {0};
    hp_tz *tz = NULL;
    int rc = hp_store_open(&store, db, true);
    if (rc < 0)
        return rc;
    if ((rc = open_demo(store, db, &school, &tz)) == HP_OK) {
        printf("Sign in with any of these, password \"%s\":\n", HP_DEMO_PASSWORD);
        for (size_t i = 0; i < hp_demo_login_count; i++)
            printf("  %-8s %s\n", hp_demo_logins[i].role, hp_demo_logins[i].email);
        printf("\n");
        if (!serve) {
            if ((rc = print_report(store, &school, tz, HP_REPORT_ROOMS)) == HP_OK)
                rc = print_report(store, &school, tz, HP_REPORT_STAFF);
            printf("Try: hallpass report rooms --db %s --sort from --order desc\n", db);
        }
    }
    hp_school_release(&school);
    hp_tz_free(tz);
    hp_store_free(store);
    return rc;
}

static int run(const void *opts, int argc, char **argv)
{
    const demo_options *o = opts;
    const char *db = hp_cli_db(o->db);
    if (db == NULL)
        db = DEMO_DB_DEFAULT;
    if (prepare(db, !o->no_serve) < 0)
        return hp_cli_fail("demo");
    if (o->no_serve)
        return HP_EXIT_OK;
    fflush(stdout);
    hp_server_config config = {
        .db = db,
        .listen = o->listen ? o->listen : HP_CLI_LISTEN_DEFAULT,
        .session_idle = HP_SESSION_IDLE_DEFAULT,
        .timeout = HP_SERVER_TIMEOUT_DEFAULT,
        .on_ready = on_ready,
    };
    if (hp_cli_server_run(&config) < 0)
        return hp_cli_fail("demo");
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_demo = {
    .name = "demo",
    .summary = "create a demo school with a semester of passes",
    .synopsis = "hallpass demo [--db DB] [--listen ADDR:PORT] [--no-serve]",
    .about =
        "Creates a demo school, " HP_DEMO_SCHOOL ", with rooms in folders, 60 staff,\n"
        "1,500 students, three kiosks and a semester of passes, prints how to sign in, and\n"
        "serves it until SIGINT or SIGTERM. A store that already holds the demo school is used\n"
        "as it is.\n",
    HP_CLI_OPTIONS(options, demo_options),
    .run = run,
};
