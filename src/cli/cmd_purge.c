/* hallpass purge: removes a school's passes, places in line and refusals of the days before a
 * date, and their per-student counters; the reports keep their counts. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/retention.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>

typedef struct {
    const char *db;
    const char *school;
    const char *before;
    bool dry_run;
} purge_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(purge_options, db),
    HP_OPT_SCHOOL_ROW(purge_options, school),
    HP_OPT_REQUIRED_ROW(purge_options, before, "before", "DATE",
                        "the first day kept (YYYY-MM-DD, the school's local date)"),
    HP_OPT_FLAG_ROW(purge_options, dry_run, "dry-run", "say what would be removed; remove nothing"),
};

static void print_result(const purge_options *o, const hp_purge_result *r)
{
    const hp_removed_counts *c = &r->removed;
    printf("%s before %s: %" PRId64 " passes, %" PRId64 " line entries, %" PRId64
           " refusals, %" PRId64 " prevented passes, %" PRId64 " encounter overrides, %" PRId64
           " student counters, %" PRId64 " audit records\n",
           o->dry_run ? "would remove" : "removed", o->before, c->passes, c->line_entries,
           c->refusals, c->prevented, c->overridden, c->counters, r->audit);
}

static int run(const void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const purge_options *o = opts;
    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "purge", hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK)
        return status;
    hp_audit_by by = hp_audit_by_command(ctx.school.id);
    hp_purge_result result;
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    if (hp_retention_purge_date(ctx.store, &ctx.school, ctx.tz, "--before", o->before, now,
                                o->dry_run, &by, &result) < 0) {
        status = hp_cli_fail("purge");
        fprintf(stderr, "nothing was removed\n");
    } else {
        print_result(o, &result);
    }
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_purge = {
    .name = "purge",
    .summary = "remove the passes, line entries and refusals before a date",
    .synopsis = "hallpass purge --db DB [--school NAME] --before DATE [--dry-run]",
    .about =
        "Removes the school's passes, places in line and refusals by the pass rules (with the\n"
        "passes encounter groups prevented) whose local date is before DATE, and the\n"
        "per-student counters of those days, in one transaction. Room Usage, Staff Usage and\n"
        "every insight but students keep their counts; students leaves out the days purged\n"
        "and says so. Audit records older than DATE go too, but none of the last " HP_CLI_STR(
            HP_AUDIT_KEEP_MIN_DAYS) " days.\n"
                                    "The purge is in the audit log. With the setting "
                                    "retain_passes_days the server\n"
                                    "purges once a day on its own. DATE may not be after "
                                    "today.\n",
    HP_CLI_OPTIONS(options, purge_options),
    .run = run,
};
