/* hallpass student: one student's records, exported as JSON or removed. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/records.h"

#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *db;
    const char *school;
    const char *output;
} student_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(student_options, db),
    HP_OPT_SCHOOL_ROW(student_options, school),
    HP_OPT_TEXT_ROW(student_options, output, "output", "FILE",
                    "export: write to FILE instead of standard output"),
};

static int export_student(const hp_cli_context *ctx, const student_options *o, const char *who,
                          int64_t now)
{
    hp_audit_by by = hp_audit_by_command(ctx->school.id);
    json_t *doc;
    if (hp_student_export(ctx->store, &ctx->school, ctx->tz, "STUDENT", who, now, &by, &doc, NULL) <
        0)
        return hp_cli_fail("student");
    FILE *out = o->output ? fopen(o->output, "w") : stdout;
    int status = HP_EXIT_OK;
    if (out == NULL) {
        hp_cli_error("student", "--output: cannot write %s", o->output);
        status = HP_EXIT_FAILURE;
    } else {
        if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) != 0 ||
            fputc('\n', out) == EOF || fflush(out) != 0) {
            hp_cli_error("student", "writing the export failed");
            status = HP_EXIT_FAILURE;
        }
        if (o->output && fclose(out) != 0 && status == HP_EXIT_OK) {
            hp_cli_error("student", "--output: cannot write %s", o->output);
            status = HP_EXIT_FAILURE;
        }
    }
    json_decref(doc);
    return status;
}

static int delete_student(const hp_cli_context *ctx, const char *who, int64_t now)
{
    hp_audit_by by = hp_audit_by_command(ctx->school.id);
    hp_removed_counts c;
    char *email;
    if (hp_student_delete(ctx->store, &ctx->school, "STUDENT", who, now, &by, &c, &email) < 0) {
        int status = hp_cli_fail("student");
        fprintf(stderr, "nothing was removed\n");
        return status;
    }
    printf("removed %s: %" PRId64 " passes, %" PRId64 " line entries, %" PRId64
           " refusals, %" PRId64 " prevented passes, %" PRId64 " group memberships, %" PRId64
           " student counters\n",
           email, c.passes, c.line_entries, c.refusals, c.prevented, c.memberships, c.counters);
    g_free(email);
    return HP_EXIT_OK;
}

static int run(const void *opts, int argc, char **argv)
{
    (void)argc;
    const student_options *o = opts;
    bool export = strcmp(argv[0], "export") == 0;
    if (!export && strcmp(argv[0], "delete") != 0)
        return hp_cli_usage_error("student", "give export or delete, then the student");
    if (!export && o->output)
        return hp_cli_usage_error("student", "--output is for export");
    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "student", hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK)
        return status;
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    status = export ? export_student(&ctx, o, argv[1], now) : delete_student(&ctx, argv[1], now);
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_student = {
    .name = "student",
    .summary = "export or remove one student's records",
    .synopsis = "hallpass student export --db DB [--school NAME] [--output FILE] STUDENT\n"
                "hallpass student delete --db DB [--school NAME] STUDENT",
    .about =
        "STUDENT is the student's email or student ID. export writes, as JSON, everything the\n"
        "store holds about the student: the user, their passes, places in line, refusals,\n"
        "encounter groups and the audit records naming them. delete removes the student with\n"
        "their passes, places in line, refusals, group memberships, per-student counters and\n"
        "sessions, in one transaction; the counts of rooms and staff stay, so Room Usage and\n"
        "Staff Usage of past ranges do not change. Audit records stay until retention removes\n"
        "them. Both are in the audit log.\n",
    HP_CLI_OPTIONS(options, student_options),
    .operands_min = 2,
    .operands_max = 2,
    .operands_error = "give export or delete, then the student's email or student ID",
    .run = run,
};
