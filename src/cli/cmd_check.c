/* hallpass check: recounts a school's passes and compares every report counter. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/check.h"

#include <stdio.h>

#define LINES_MAX 50

static const char usage[] =
    "usage: hallpass check --db DB [--school NAME]\n"
    "\n"
    "Recounts the school's passes and compares every counter the reports read, per day and\n"
    "per month. Prints one line per counter that differs (the first 50) and exits 1 if any\n"
    "does; exits 0 when all agree. It changes nothing.\n"
    "\n"
    "options:\n"
    "  --db DB         the store (default: $HALLPASS_DB)\n"
    "  --school NAME   the school, when the store holds more than one\n"
    "  --help          show this help\n";

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"school", required_argument, NULL, 's'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *db = NULL, *school = NULL;
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("check", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 's':
            school = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return hp_cli_usage_error("check", "unexpected argument \"%s\"", argv[optind]);

    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "check", hp_cli_db(db), school);
    if (status != HP_EXIT_OK)
        return status;
    hp_check_stats stats;
    if (hp_school_check(ctx.store, &ctx.school, stdout, LINES_MAX, &stats) < 0) {
        status = hp_cli_fail("check");
    } else if (stats.mismatches > 0) {
        if (stats.mismatches > LINES_MAX)
            printf("... and %zu more\n", stats.mismatches - LINES_MAX);
        printf("%s: %zu of %zu counters differ from a recount of %zu passes\n", ctx.school.name,
               stats.mismatches, stats.counters, stats.passes);
        status = HP_EXIT_FAILURE;
    } else {
        printf("%s: %zu passes recounted, %zu counters compared, all agree\n", ctx.school.name,
               stats.passes, stats.counters);
    }
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_check = {"check", "recount the passes and compare the report counters",
                                   run};
