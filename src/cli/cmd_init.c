/* hallpass init: creates the store if needed and a school in it. */
#include "cli/cli.h"

#include "core/error.h"
#include "import/import.h"

#include <stdio.h>

static const char usage[] =
    "usage: hallpass init --db DB --school NAME --timezone ZONE\n"
    "\n"
    "Creates the store DB if it does not exist, and a school in it. ZONE is an IANA time\n"
    "zone such as America/Chicago: it decides the school's local dates in every report.\n"
    "\n"
    "options:\n"
    "  --db DB          the store: a SQLite file path (default: $HALLPASS_DB)\n"
    "  --school NAME    the school's name, unique in the store\n"
    "  --timezone ZONE  the school's IANA time zone\n"
    "  --help           show this help\n";

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"school", required_argument, NULL, 's'},
                                            {"timezone", required_argument, NULL, 'z'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *db = NULL, *school = NULL, *zone = NULL;
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("init", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 's':
            school = optarg;
            break;
        case 'z':
            zone = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return hp_cli_usage_error("init", "unexpected argument \"%s\"", argv[optind]);
    db = hp_cli_db(db);
    if (db == NULL)
        return hp_cli_usage_error("init", "no store given: use --db FILE or set HALLPASS_DB");
    if (school == NULL)
        return hp_cli_usage_error("init", "--school NAME is required");
    if (zone == NULL)
        return hp_cli_usage_error("init", "--timezone ZONE is required");

    hp_tz *tz;
    if (hp_check_name("school", school, true) < 0 || hp_tz_new(&tz, zone) < 0)
        return hp_cli_fail("init");
    hp_tz_free(tz);

    hp_store *store;
    int64_t id;
    if (hp_store_open(&store, db, true) < 0)
        return hp_cli_fail("init");
    if (hp_store_school_create(store, school, zone, &id) < 0) {
        hp_store_free(store);
        return hp_cli_fail("init");
    }
    hp_store_free(store);
    printf("created school \"%s\" (%s) in %s\n", school, zone, db);
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_init = {"init", "create a store and a school in it", run};
