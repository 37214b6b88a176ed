/* hallpass import rooms|users|passes|groups|schedule: loads a CSV file, all or nothing; and
 * hallpass import oneroster: loads a OneRoster export (a folder or a .zip), all or nothing. */
#include "cli/cli.h"

#include "core/error.h"
#include "import/import.h"
#include "service/groups.h"
#include "service/roster.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *db;
    const char *school;
    const char *org;
    bool dry_run;
} import_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(import_options, db),
    HP_OPT_SCHOOL_ROW(import_options, school),
    HP_OPT_TEXT_ROW(import_options, org, "org", "SOURCEDID",
                    "oneroster: the school's org in orgs.csv (default: the org of\n"
                    "type school named as the school)"),
    HP_OPT_FLAG_ROW(import_options, dry_run, "dry-run",
                    "oneroster: show what the import would change, change nothing"),
};

/* How often the progress line may change, in seconds: often enough to look alive, rarely
 * enough not to slow the import. */
#define PROGRESS_INTERVAL 0.25

typedef struct {
    const char *label;
    long long total_bytes;
    struct timespec last;
    bool shown;
} progress_state;

/* A progress line on a terminal, at most a few times a second. */
static void show_progress(void *data, size_t rows, long long bytes)
{
    progress_state *p = data;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - p->last.tv_sec) + (now.tv_nsec - p->last.tv_nsec) / 1e9;
    if (p->shown && since < PROGRESS_INTERVAL)
        return;
    p->last = now;
    p->shown = true;
    if (p->total_bytes > 0)
        fprintf(stderr, "\rimporting %s: %zu rows, %d%%", p->label, rows,
                (int)(bytes * 100 / p->total_bytes));
    else
        fprintf(stderr, "\rimporting %s: %zu rows", p->label, rows);
    fflush(stderr);
}

/* Encounter groups come through their service, which reads the file in its transaction. */
static int import_groups(hp_cli_context *ctx, FILE *in, const char *path)
{
    hp_groups_import_stats stats;
    hp_audit_by by = hp_audit_by_command(ctx->school.id);
    int rc = hp_groups_import_csv(ctx->store, &by, &ctx->school, in, in == stdin ? "stdin" : path,
                                  &stats);
    if (rc < 0) {
        hp_cli_error("import", "%s", hp_error_last());
        fprintf(stderr, "nothing was imported\n");
        return HP_EXIT_FAILURE;
    }
    printf("%s: %zu rows: %zu groups added, %zu updated, %zu unchanged\n", path, stats.rows,
           stats.added, stats.updated, stats.unchanged);
    return HP_EXIT_OK;
}

static void print_changes(const char *what, const GArray *list)
{
    for (guint i = 0; i < list->len; i++) {
        const hp_roster_change *c = &g_array_index(list, hp_roster_change, i);
        printf("%s: %s %s <%s>", what, hp_role_name(c->role), c->name, c->email);
        for (unsigned f = 0, n = 0; f < HP_ROSTER_FIELDS; f++)
            if (c->changes & (1u << f))
                printf("%s%s", n++ ? ", " : " (", hp_roster_field_name(f));
        printf("%s\n", c->changes ? ")" : "");
    }
}

/* A roster export: the plan, each change on a line of its own, then whether it was applied. */
static int import_oneroster(hp_cli_context *ctx, const import_options *o, const char *path)
{
    hp_roster_input input = {.path = path};
    hp_roster_options roster = {.org = o->org, .dry_run = o->dry_run, .label = path};
    hp_roster_plan plan;
    hp_roster_error err;
    int rc = hp_roster_import(ctx->store, &ctx->school, &input, &roster, &plan, &err);
    hp_roster_error_release(&err);
    if (rc < 0) {
        hp_roster_plan_release(&plan);
        hp_cli_error("import", "%s", hp_error_last());
        fprintf(stderr, "nothing was imported\n");
        return HP_EXIT_FAILURE;
    }
    print_changes("added", plan.added);
    print_changes("updated", plan.updated);
    print_changes("deactivated", plan.deactivated);
    for (guint i = 0; i < plan.rooms_added->len; i++)
        printf("room added: %s\n", (const char *)g_ptr_array_index(plan.rooms_added, i));
    for (guint i = 0; i < plan.left_out->len; i++) {
        const hp_roster_left_out *l = &g_array_index(plan.left_out, hp_roster_left_out, i);
        printf("left out: %s line %zu: %s\n", l->file, l->line, l->reason);
    }
    printf("%s: %u added, %u updated, %u deactivated, %u left out, %u rooms added%s\n", path,
           plan.added->len, plan.updated->len, plan.deactivated->len, plan.left_out->len,
           plan.rooms_added->len, plan.applied ? "" : " (a dry run: nothing was changed)");
    hp_roster_plan_release(&plan);
    return HP_EXIT_OK;
}

static int run(const void *opts, int argc, char **argv)
{
    const import_options *o = opts;
    if (strcmp(argv[0], "oneroster") == 0) {
        hp_cli_context ctx;
        int status = hp_cli_context_open(&ctx, "import", hp_cli_db(o->db), o->school);
        if (status != HP_EXIT_OK)
            return status;
        status = import_oneroster(&ctx, o, argv[1]);
        hp_cli_context_release(&ctx);
        return status;
    }
    if (o->org || o->dry_run)
        return hp_cli_usage_error("import", "--org and --dry-run are for import oneroster only");
    hp_import_kind kind = HP_IMPORT_ROOMS;
    bool groups = strcmp(argv[0], "groups") == 0;
    if (!groups && hp_import_kind_parse(argv[0], &kind) < 0)
        return hp_cli_usage_error("import", "%s", hp_error_last());
    const char *path = argv[1];

    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        hp_cli_error("import", "%s: %s", path, strerror(errno));
        return HP_EXIT_FAILURE;
    }

    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "import", hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK) {
        if (in != stdin)
            fclose(in);
        return status;
    }
    if (groups) {
        status = import_groups(&ctx, in, path);
        if (in != stdin)
            fclose(in);
        hp_cli_context_release(&ctx);
        return status;
    }

    progress_state progress = {.label = in == stdin ? "standard input" : path};
    struct stat sb;
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
        progress.total_bytes = sb.st_size;
    bool tty = isatty(STDERR_FILENO);

    hp_import_stats stats;
    hp_audit_by by = hp_audit_by_command(ctx.school.id);
    int rc = hp_import_csv(ctx.store, &ctx.school, ctx.tz, kind, in, in == stdin ? "stdin" : path,
                           &by, tty ? show_progress : NULL, &progress, &stats);
    if (progress.shown)
        fputc('\n', stderr);
    if (in != stdin)
        fclose(in);
    if (rc < 0) {
        hp_cli_error("import", "%s", hp_error_last());
        fprintf(stderr, "nothing was imported\n");
        hp_cli_context_release(&ctx);
        return HP_EXIT_FAILURE;
    }
    if (kind == HP_IMPORT_SCHEDULE)
        printf("%s: %zu periods: %s\n", path, stats.rows,
               stats.replaced ? "the bell schedule replaced" : "the bell schedule unchanged");
    else if (kind == HP_IMPORT_PASSES)
        printf("%s: %zu rows: %zu passes added, %zu already imported\n", path, stats.rows,
               stats.added, stats.unchanged);
    else
        printf("%s: %zu rows: %zu %s added, %zu updated, %zu unchanged\n", path, stats.rows,
               stats.added, hp_import_kind_name(kind), stats.updated, stats.unchanged);
    hp_cli_context_release(&ctx);
    return HP_EXIT_OK;
}

/* The columns of each kind of file come from the importer's own list, so that the help names
 * every column the importer takes. */
static void print_about(FILE *out)
{
    static const hp_import_kind kinds[] = {HP_IMPORT_ROOMS, HP_IMPORT_USERS, HP_IMPORT_PASSES,
                                           HP_IMPORT_SCHEDULE};
    fputs("Imports a CSV file whose first line names the columns, in any order:\n", out);
    for (size_t k = 0; k < HP_ARRAY_SIZE(kinds); k++) {
        size_t count;
        const char *const *columns = hp_import_columns(kinds[k], &count);
        char *label = g_strdup_printf("%s:", hp_import_kind_name(kinds[k]));
        fprintf(out, "  %-10s", label);
        g_free(label);
        for (size_t c = 0; c < count; c++)
            fprintf(out, "%s%s", c ? "," : "", columns[c]);
        fputc('\n', out);
    }
    fputs("  groups: group,student (one student a row: an email or a student_id)\n", out);
    fputs("  oneroster: a OneRoster 1.1 or 1.2 CSV export, a folder or a .zip (orgs.csv,\n"
          "            users.csv, roles.csv in 1.2; classes.csv and enrollments.csv optional)\n",
          out);
    fputs("A user's room is a kiosk's room (required) or a staff member's home room; a\n"
          "student_id is a student's ID at the school (students only).\n"
          "A schedule's day is mon ... sun or a date YYYY-MM-DD, whose rows replace its\n"
          "weekday's on that date; start and end are local HH:MM. A schedule file replaces the\n"
          "whole bell schedule, and the periods of a day may not overlap.\n"
          "A row whose room name or user email exists updates it; a pass whose id was imported\n"
          "before is skipped, so importing a file twice changes nothing the second time. Each\n"
          "encounter group a groups file names gets exactly the file's students (2 to 20);\n"
          "groups it does not name are left alone. One bad row imports nothing, and the error\n"
          "names the line, the column, the value and why.\n"
          "FILE may be - for standard input.\n"
          "A OneRoster export's administrators become admins, its teachers and aides teachers,\n"
          "its students students (identifier: their student_id); parents, guardians, relatives\n"
          "and proctors, users of other orgs and users without an email are left out, each\n"
          "named with the reason. Users are found by their sourcedId, then by email;\n"
          "enabledUser false or status tobedeleted deactivates one. A class's location is a\n"
          "room (created when missing) and the home room of its teacher (the primary class\n"
          "first). --dry-run prints what the import would change and changes nothing.\n",
          out);
}

const hp_cmd_entry hp_cmd_import = {
    .name = "import",
    .summary = "import rooms, users, passes, encounter groups or the bell schedule from a CSV "
               "file, or users from a OneRoster export",
    .synopsis =
        "hallpass import rooms|users|passes|groups|schedule --db DB [--school NAME] FILE.csv\n"
        "hallpass import oneroster --db DB [--school NAME] [--org SOURCEDID] [--dry-run] PATH",
    .print_about = print_about,
    HP_CLI_OPTIONS(options, import_options),
    .operands_min = 2,
    .operands_max = 2,
    .operands_error = "give what to import (rooms, users, passes, groups, schedule or oneroster) "
                      "and a file",
    .run = run,
};
