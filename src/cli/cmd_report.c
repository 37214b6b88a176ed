/* hallpass report rooms|staff: prints or saves the Room Usage or Staff Usage report; and the
 * one way a report or an insight is printed or saved (cmd_insights.c goes through it). */
#include "cli/cli.h"

#include "core/error.h"
#include "export/export.h"
#include "report/insight.h"
#include "report/report.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(hp_cli_report_options, db),
    HP_OPT_SCHOOL_ROW(hp_cli_report_options, school),
    HP_OPT_RANGE_ROWS,
    HP_OPT_TEXT_ROW(hp_cli_report_options, sort, "sort", "KEY",
                    "rooms: room, folder, from, to (default room)\n"
                    "staff: staff, email, total, now, scheduled (default staff)"),
    HP_OPT_ORDER_ROW,
    HP_OPT_TEXT_ROW(hp_cli_report_options, compare, "compare", "RANGE",
                    "previous (as many days, ending the day before --from) or\n"
                    "FROM..TO: adds each count over that range (prev_ in json,\n"
                    "\"(previous)\" columns elsewhere; sort keys prev_KEY)"),
    HP_OPT_OUTPUT_ROWS,
};

/* Writes the report to path through a temporary file beside it, so that a failure never
 * leaves half a file behind. */
static int write_file(const hp_report *report, hp_format format, const char *path)
{
    char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = g_mkstemp(tmp);
    int rc;

    if (fd < 0) {
        rc = hp_error_set(HP_EIO, "%s: %s", path, strerror(errno));
        g_free(tmp);
        return rc;
    }
    /* mkstemp makes the file 0600; give it the mode a plain create would: the existing
     * file's, else 0666 less the umask. */
    struct stat existing;
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, stat(path, &existing) == 0 ? (existing.st_mode & 07777) : (0666 & ~mask));
    if (format == HP_FORMAT_XLSX) {
        close(fd);
        rc = hp_export_xlsx_file(report, tmp);
    } else {
        FILE *out = fdopen(fd, "wb");
        rc = hp_export(report, format, out);
        if (fclose(out) != 0 && rc == HP_OK)
            rc = hp_error_set(HP_EIO, "%s: %s", path, strerror(errno));
    }
    if (rc == HP_OK && rename(tmp, path) != 0)
        rc = hp_error_set(HP_EIO, "%s: %s", path, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    g_free(tmp);
    return rc;
}

int hp_cli_report_run(const char *command, hp_report_kind kind, const hp_cli_report_options *o)
{
    const char *output = o->output;
    hp_report_query query = {.from = o->from,
                             .to = o->to,
                             .sort = o->sort,
                             .order = o->order,
                             .compare = o->compare,
                             .destination = o->destination};
    hp_format format;
    if (hp_format_parse(o->format ? o->format : "table", &format) < 0)
        return hp_cli_usage_error(command, "%s", hp_error_last());
    if (format == HP_FORMAT_XLSX && output == NULL && isatty(STDOUT_FILENO))
        return hp_cli_usage_error(command,
                                  "an xlsx %s needs --output FILE, or standard output sent to a "
                                  "file or a pipe",
                                  hp_report_kind_is_insight(kind) ? "insight" : "report");

    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, command, hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK)
        return status;

    hp_report *report;
    int rc = hp_report_kind_is_insight(kind)
                 ? hp_insight_build(&report, ctx.store, &ctx.school, ctx.tz, kind, &query,
                                    g_get_real_time() / G_USEC_PER_SEC)
                 : hp_report_build(&report, ctx.store, &ctx.school, ctx.tz, kind, &query);
    if (rc < 0) {
        status = rc == HP_EINVALID ? hp_cli_usage_error(command, "%s", hp_error_last())
                                   : hp_cli_fail(command);
        hp_cli_context_release(&ctx);
        return status;
    }
    rc = output ? write_file(report, format, output) : hp_export(report, format, stdout);
    if (rc < 0)
        status = hp_cli_fail(command);
    hp_report_free(report);
    hp_cli_context_release(&ctx);
    return status;
}

static int run(const void *opts, int argc, char **argv)
{
    (void)argc;
    hp_report_kind kind;
    if (hp_report_kind_parse(argv[0], &kind) < 0)
        return hp_cli_usage_error("report", "%s", hp_error_last());
    return hp_cli_report_run("report", kind, opts);
}

const hp_cmd_entry hp_cmd_report = {
    .name = "report",
    .summary = "print or save the Room Usage or Staff Usage report",
    .synopsis = "hallpass report rooms|staff --db DB [--school NAME] [--from DATE] [--to DATE]\n"
                "                [--sort KEY] [--order asc|desc] [--compare previous|FROM..TO]\n"
                "                [--format table|csv|xlsx|json] [--output FILE]",
    .about = "Room Usage (rooms): passes from and to every room. Staff Usage (staff): passes each\n"
             "staff member created, now and scheduled. Dates are the school's local dates\n"
             "YYYY-MM-DD, both included; the default range is the 30 days ending today (with only\n"
             "--to, the 30 days ending then; with only --from, from then to today). JSON rows\n"
             "also have the folder's medians and a flag (rooms) and now passes by login and kiosk\n"
             "(staff).\n",
    HP_CLI_OPTIONS(options, hp_cli_report_options),
    .operands_min = 1,
    .operands_max = 1,
    .operands_error = "give the report: rooms or staff",
    .run = run,
};
