/* hallpass check: recounts a school's passes and refusals and compares every report counter. */
#include "cli/cli.h"

#include "core/error.h"
#include "core/tz.h"
#include "service/check.h"

#include <stdio.h>

/* Lines of differences printed at most; the rest are counted. */
#define LINES_MAX 50

typedef struct {
    const char *db;
    const char *school;
} check_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(check_options, db),
    HP_OPT_SCHOOL_ROW(check_options, school),
};

static int run(const void *opts, int argc, char **argv)
{
    const check_options *o = opts;
    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "check", hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK)
        return status;
    hp_check_stats stats;
    if (hp_school_check(ctx.store, &ctx.school, stdout, LINES_MAX, &stats) < 0) {
        status = hp_cli_fail("check");
    } else {
        if (stats.mismatches > LINES_MAX)
            printf("... and %zu more\n", stats.mismatches - LINES_MAX);
        if (stats.skipped > 0)
            printf("%zu refusal counters not compared: they count refusals from before the store "
                   "recorded them\n",
                   stats.skipped);
        if (stats.purged_before != 0) {
            char first[HP_DATE_LEN];
            hp_date_format(stats.purged_before, first);
            printf("recounted from %s on: the days before were purged (%zu counters of them "
                   "not compared)\n",
                   first, stats.purged);
        }
        if (stats.mismatches > 0) {
            printf("%s: %zu of %zu counters differ from a recount of %zu passes and %zu "
                   "refusals\n",
                   ctx.school.name, stats.mismatches, stats.counters, stats.passes, stats.refusals);
            status = HP_EXIT_FAILURE;
        } else {
            printf("%s: %zu passes and %zu refusals recounted, %zu counters compared, all "
                   "agree\n",
                   ctx.school.name, stats.passes, stats.refusals, stats.counters);
        }
    }
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_check = {
    .name = "check",
    .summary = "recount the passes and refusals and compare the report counters",
    .synopsis = "hallpass check --db DB [--school NAME]",
    .about =
        "Recounts the school's passes and the refusals by the pass rules, and compares every\n"
        "counter the reports read, per day and per month. Refusal counters of the days before\n"
        "the store recorded each refusal (a store made by an older hallpass) are not compared,\n"
        "nor the counters of days purged (hallpass purge): a month partly purged is compared,\n"
        "its purged days counting as stored.\n"
        "Prints one line per counter that differs (the first " HP_CLI_STR(
            LINES_MAX) ") and exits 1 if any\n"
                       "does; exits 0 when all agree. It changes nothing.\n",
    HP_CLI_OPTIONS(options, check_options),
    .run = run,
};
