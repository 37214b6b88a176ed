/* hallpass report rooms|staff: prints or saves the Room Usage or Staff Usage report. */
#include "cli/cli.h"

#include "core/error.h"
#include "export/export.h"
#include "report/report.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: hallpass report rooms|staff --db DB [--school NAME] [--from DATE] [--to DATE]\n"
    "                       [--sort KEY] [--order asc|desc]\n"
    "                       [--format table|csv|xlsx|json] [--output FILE]\n"
    "\n"
    "Room Usage (rooms): passes from and to every room. Staff Usage (staff): passes each\n"
    "staff member created, now and scheduled. Dates are the school's local dates\n"
    "YYYY-MM-DD, both included; the default range is the 30 days ending today (with only\n"
    "--to, the 30 days ending then; with only --from, from then to today).\n"
    "\n"
    "options:\n"
    "  --db DB          the store (default: $HALLPASS_DB)\n"
    "  --school NAME    the school, when the store holds more than one\n"
    "  --from DATE      first day of the range\n"
    "  --to DATE        last day of the range\n"
    "  --sort KEY       rooms: room, folder, from, to (default room)\n"
    "                   staff: staff, email, total, now, scheduled (default staff)\n"
    "  --order ORDER    asc (default) or desc\n"
    "  --format FORMAT  table (default), csv, xlsx or json\n"
    "  --output FILE    write to FILE instead of standard output (xlsx needs it on a\n"
    "                   terminal)\n"
    "  --help           show this help\n";

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

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},     {"school", required_argument, NULL, 's'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"sort", required_argument, NULL, 'k'},   {"order", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'F'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *db = NULL, *school = NULL, *output = NULL, *format_word = "table";
    hp_report_query query = {0};
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("report", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 's':
            school = optarg;
            break;
        case 'f':
            query.from = optarg;
            break;
        case 't':
            query.to = optarg;
            break;
        case 'k':
            query.sort = optarg;
            break;
        case 'r':
            query.order = optarg;
            break;
        case 'F':
            format_word = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (argc - optind != 1)
        return hp_cli_usage_error("report", "give the report: rooms or staff");
    hp_report_kind kind;
    hp_format format;
    if (hp_report_kind_parse(argv[optind], &kind) < 0 || hp_format_parse(format_word, &format) < 0)
        return hp_cli_usage_error("report", "%s", hp_error_last());
    if (format == HP_FORMAT_XLSX && output == NULL && isatty(STDOUT_FILENO))
        return hp_cli_usage_error("report", "an xlsx report needs --output FILE, or standard "
                                            "output sent to a file or a pipe");

    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "report", hp_cli_db(db), school);
    if (status != HP_EXIT_OK)
        return status;

    hp_report *report;
    int rc = hp_report_build(&report, ctx.store, &ctx.school, ctx.tz, kind, &query);
    if (rc < 0) {
        status = rc == HP_EINVALID ? hp_cli_usage_error("report", "%s", hp_error_last())
                                   : hp_cli_fail("report");
        hp_cli_context_release(&ctx);
        return status;
    }
    rc = output ? write_file(report, format, output) : hp_export(report, format, stdout);
    if (rc < 0)
        status = hp_cli_fail("report");
    hp_report_free(report);
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_report = {"report", "print or save the Room Usage or Staff Usage report",
                                    run};
