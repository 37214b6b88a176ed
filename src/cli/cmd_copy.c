/* hallpass copy: moves everything from one store to another, checked by comparing every
 * report after. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/copy.h"

#include <stdio.h>

static const char usage[] =
    "usage: hallpass copy --from DB --to DB\n"
    "\n"
    "Copies every school, room, user (with password hashes) and pass from one store to\n"
    "another, for example from a SQLite file to the district's PostgreSQL:\n"
    "  hallpass copy --from school.db --to postgresql://hallpass@db.example/district\n"
    "The target must not hold any of the schools yet. The report counters are counted\n"
    "afresh, and both reports are compared between the stores over the whole range and each\n"
    "day of it; the copy commits only when all agree, so a failed copy leaves the target\n"
    "as it was. Sessions are not copied: people sign in again.\n"
    "\n"
    "options:\n"
    "  --from DB   the store to copy from\n"
    "  --to DB     the store to copy into (a SQLite file is created if missing)\n"
    "  --help      show this help\n";

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"from", required_argument, NULL, 'f'},
                                            {"to", required_argument, NULL, 't'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *from_uri = NULL, *to_uri = NULL;
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("copy", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'f':
            from_uri = optarg;
            break;
        case 't':
            to_uri = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return hp_cli_usage_error("copy", "unexpected argument \"%s\"", argv[optind]);
    if (from_uri == NULL || to_uri == NULL)
        return hp_cli_usage_error("copy", "give --from DB and --to DB");

    hp_store *from, *to;
    if (hp_store_open(&from, from_uri, false) < 0)
        return hp_cli_fail("copy");
    if (hp_store_open(&to, to_uri, true) < 0) {
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

const hp_cmd_entry hp_cmd_copy = {"copy", "copy every school from one store to another", run};
