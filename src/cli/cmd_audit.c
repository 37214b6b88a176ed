/* hallpass audit: prints the school's audit log, newest first, as a table, CSV or JSON (the
 * bytes GET /api/audit?format=csv answers for the same records). */
#include "cli/cli.h"

#include "core/error.h"
#include "export/export.h"
#include "service/audit.h"

#include <glib.h>
#include <stdio.h>

typedef struct {
    const char *db;
    const char *school;
    const char *from;
    const char *to;
    const char *user;
    const char *action;
    long limit;
    const char *format;
} audit_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(audit_options, db),
    HP_OPT_SCHOOL_ROW(audit_options, school),
    HP_OPT_TEXT_ROW(audit_options, from, "from", "DATE", "records from this local date on"),
    HP_OPT_TEXT_ROW(audit_options, to, "to", "DATE", "records up to the end of this local date"),
    HP_OPT_TEXT_ROW(audit_options, user, "user", "EMAIL",
                    "records whose who contains this (ASCII case ignored):\nan email, or "
                    "\"command line\", \"server\""),
    HP_OPT_TEXT_ROW(audit_options, action, "action", "ACTION",
                    "records of one action (sign_in, insight_view, room_update, ...)"),
    HP_OPT_NUMBER_ROW(audit_options, limit, "limit", "N",
                      "the newest N records (default and most: " HP_CLI_STR(HP_AUDIT_LIST_MAX) ")",
                      1, HP_AUDIT_LIST_MAX),
    HP_OPT_TEXT_ROW(audit_options, format, "format", "FORMAT", "table (default), csv or json"),
};

static int run(const void *opts, int argc, char **argv)
{
    const audit_options *o = opts;
    (void)argc;
    (void)argv;
    hp_format format = HP_FORMAT_TABLE;
    if (o->format && (hp_format_parse(o->format, &format) < 0 || format == HP_FORMAT_XLSX))
        return hp_cli_usage_error("audit", "--format: \"%s\" is not table, csv or json", o->format);
    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "audit", hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK)
        return status;
    char limit[HP_NUMBER_TEXT_LEN];
    g_snprintf(limit, sizeof(limit), "%ld", o->limit);
    hp_audit_filter filter = {.from = o->from,
                              .to = o->to,
                              .user = o->user,
                              .action = o->action,
                              .limit = o->limit ? limit : NULL};
    hp_audit_record *records;
    size_t n;
    bool more;
    int rc = hp_audit_read(ctx.store, ctx.school.id, ctx.tz, &filter, HP_AUDIT_LIST_MAX, &records,
                           &n, &more);
    if (rc == HP_OK) {
        rc = hp_export_audit(records, n, ctx.tz, format, stdout);
        hp_audit_records_free(records, n);
    }
    if (rc < 0)
        status = hp_cli_fail("audit");
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_audit = {
    .name = "audit",
    .summary = "print the school's audit log: sign-ins, reports read, changes",
    .synopsis = "hallpass audit --db DB [--school NAME] [--from DATE] [--to DATE]\n"
                "               [--user EMAIL] [--action ACTION] [--limit N]\n"
                "               [--format table|csv|json]",
    .about =
        "Prints the audit log of the school, newest first: when (in the school's zone), who,\n"
        "from which address, the action, what it was about and its detail (a change's before\n"
        "and after, a report's range and format, an import's counts). Dates are the school's\n"
        "local dates YYYY-MM-DD, both included. The log is append-only: no command changes or\n"
        "removes a record. This command's own reading is not recorded (whoever holds the store\n"
        "can read every table anyway), nor are `hallpass report` and `hallpass insights`.\n",
    HP_CLI_OPTIONS(options, audit_options),
    .operands_min = 0,
    .operands_max = 0,
    .run = run,
};
