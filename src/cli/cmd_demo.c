/* hallpass demo: creates the demo school (once) and shows both reports. */
#include "cli/cli.h"

#include "core/error.h"
#include "demo/demo.h"
#include "export/export.h"
#include "http/server.h"
#include "service/auth.h"
#include "report/report.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
    "usage: hallpass demo [--db DB] [--listen ADDR:PORT] [--no-serve]\n"
    "\n"
    "Creates a demo school, " HP_DEMO_SCHOOL ", with rooms in folders, 60 staff,\n"
    "1,500 students, three kiosks and a semester of passes, prints how to sign in, and\n"
    "serves it until SIGINT or SIGTERM. A store that already holds the demo school is used\n"
    "as it is.\n"
    "\n"
    "options:\n"
    "  --db DB             the store (default: $HALLPASS_DB, else hallpass-demo.db)\n"
    "  --listen ADDR:PORT  where to serve (default 127.0.0.1:8080)\n"
    "  --no-serve          print both reports for the last 30 days instead of serving\n"
    "  --help              show this help\n";

static int find_demo_school(hp_store *store, hp_school *out)
{
    hp_school *schools;
    size_t n;
    int rc = hp_store_schools_list(store, &schools, &n);
    if (rc < 0)
        return rc;
    rc = HP_ENOTFOUND;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(schools[i].name, HP_DEMO_SCHOOL) == 0) {
            *out = schools[i];
            schools[i] = (hp_school){0};
            rc = HP_OK;
        }
    }
    hp_schools_free(schools, n);
    return rc;
}

static int create_demo(hp_store *store, const char *db, hp_school *school, hp_tz **tz)
{
    hp_demo_summary summary;
    int rc;
    char first[HP_DATE_LEN], last[HP_DATE_LEN];

    if ((rc = hp_tz_new(tz, HP_DEMO_TIMEZONE)) < 0 ||
        (rc = hp_store_school_create(store, HP_DEMO_SCHOOL, HP_DEMO_TIMEZONE, &school->id)) < 0)
        return rc;
    school->name = strdup(HP_DEMO_SCHOOL);
    school->timezone = strdup(HP_DEMO_TIMEZONE);
    fprintf(stderr, "creating the demo school in %s...\n", db);
    if ((rc = hp_demo_populate(store, school, *tz, hp_tz_today(*tz), &summary)) < 0)
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

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"listen", required_argument, NULL, 'l'},
                                            {"no-serve", no_argument, NULL, 'n'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *db = NULL, *listen = "127.0.0.1:8080";
    bool serve = true;
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("demo", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'n':
            serve = false;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return hp_cli_usage_error("demo", "unexpected argument \"%s\"", argv[optind]);
    db = hp_cli_db(db);
    if (db == NULL)
        db = "hallpass-demo.db";

    hp_store *store;
    hp_school school = {0};
    hp_tz *tz = NULL;
    int rc = hp_store_open(&store, db, true);
    if (rc < 0)
        return hp_cli_fail("demo");
    rc = find_demo_school(store, &school);
    if (rc == HP_OK) {
        printf("Using the demo school already in %s.\n\n", db);
        rc = hp_tz_new(&tz, school.timezone);
    } else if (rc == HP_ENOTFOUND) {
        rc = create_demo(store, db, &school, &tz);
    }
    if (rc == HP_OK) {
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
    if (rc < 0)
        return hp_cli_fail("demo");
    if (!serve)
        return HP_EXIT_OK;
    fflush(stdout);
    hp_server_config config = {
        .db = db,
        .listen = listen,
        .session_idle = HP_SESSION_IDLE_DEFAULT,
        .timeout = 15,
        .on_ready = on_ready,
    };
    if (hp_server_run(&config) < 0)
        return hp_cli_fail("demo");
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_demo = {"demo", "create a demo school with a semester of passes", run};
