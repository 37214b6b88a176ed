/* hallpass copy: moves everything from one store to another, checked by comparing every
 * report after. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/copy.h"

#include <stdio.h>

typedef struct {
    const char *from;
    const char *to;
} copy_options;

static const hp_cli_option options[] = {
    HP_OPT_REQUIRED_ROW(copy_options, from, "from", "DB",
                        "the store to copy from: a SQLite file or a postgresql:// URI"),
    HP_OPT_REQUIRED_ROW(copy_options, to, "to", "DB",
                        "the store to copy into (a SQLite file is created if missing)"),
};

static int run(const void *opts, int argc, char **argv)
{
    const copy_options *o = opts;
    hp_store *from, *to;
    if (hp_store_open(&from, o->from, false) < 0)
        return hp_cli_fail("copy");
    if (hp_store_open(&to, o->to, true) < 0) {
        hp_store_free(from);
        return hp_cli_fail("copy");
    }
    hp_copy_stats stats;
    int status = HP_EXIT_OK;
    if (hp_store_copy(from, to, &stats) < 0) {
        status = hp_cli_fail("copy");
        fprintf(stderr, "nothing was copied\n");
    } else {
        printf("copied %zu schools, %zu rooms, %zu users, %zu passes; %zu reports compared, all "
               "equal\n",
               stats.schools, stats.rooms, stats.users, stats.passes, stats.reports_compared);
    }
    hp_store_free(from);
    hp_store_free(to);
    return status;
}

const hp_cmd_entry hp_cmd_copy = {
    .name = "copy",
    .summary = "copy every school from one store to another",
    .synopsis = "hallpass copy --from DB --to DB",
    .about =
        "Copies every school, room, user (with password hashes), pass and waiting-line entry\n"
        "from one store to another, for example from a SQLite file to the district's\n"
        "PostgreSQL:\n"
        "  hallpass copy --from school.db --to postgresql://hallpass@db.example/district\n"
        "The target must not hold any of the schools yet. The report counters are counted\n"
        "afresh, and both reports are compared between the stores over the whole range and\n"
        "each day of it; the copy commits only when all agree, so a failed copy leaves the target\n"
        "as it was. Sessions are not copied: people sign in again.\n",
    HP_CLI_OPTIONS(options, copy_options),
    .run = run,
};
