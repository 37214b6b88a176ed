/* hallpass init: creates the store if needed and a school in it. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/schools.h"

#include <stdio.h>

typedef struct {
    const char *db;
    const char *school;
    const char *zone;
} init_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(init_options, db),
    HP_OPT_REQUIRED_ROW(init_options, school, "school", "NAME",
                        "the school's name, unique in the store"),
    HP_OPT_REQUIRED_ROW(init_options, zone, "timezone", "ZONE", "the school's IANA time zone"),
};

static int run(const void *opts, int argc, char **argv)
{
    const init_options *o = opts;
    const char *db = hp_cli_db(o->db);
    if (db == NULL)
        return hp_cli_no_store("init");

    /* Checked before the store is opened, so that a mistake leaves no new store behind. */
    if (hp_school_check_new(o->school, o->zone) < 0)
        return hp_cli_fail("init");
    hp_store *store;
    int64_t id;
    if (hp_store_open(&store, db, true) < 0)
        return hp_cli_fail("init");
    int status = HP_EXIT_OK;
    if (hp_school_create(store, o->school, o->zone, &id) < 0)
        status = hp_cli_fail("init");
    else
        printf("created school \"%s\" (%s) in %s\n", o->school, o->zone, db);
    hp_store_free(store);
    return status;
}

const hp_cmd_entry hp_cmd_init = {
    .name = "init",
    .summary = "create a store and a school in it",
    .synopsis = "hallpass init --db DB --school NAME --timezone ZONE",
    .about = "Creates the store DB if it does not exist, and a school in it. ZONE is an IANA time\n"
             "zone such as America/Chicago: it decides the school's local dates in every report.\n",
    HP_CLI_OPTIONS(options, init_options),
    .run = run,
};
