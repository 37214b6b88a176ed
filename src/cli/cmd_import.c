/* hallpass import rooms|users|passes: loads a CSV file, all or nothing. */
#include "cli/cli.h"

#include "core/error.h"
#include "import/import.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: hallpass import rooms|users|passes --db DB [--school NAME] FILE.csv\n"
    "\n"
    "Imports a CSV file whose first line names the columns, in any order:\n"
    "  rooms:  name,folder,max_passes_from,max_passes_to\n"
    "  users:  name,email,role,room,password\n"
    "  passes: id,student,origin,destination,creator,source,type,start,end,cancelled\n"
    "A row whose room name or user email exists updates it; a pass whose id was imported\n"
    "before is skipped, so importing a file twice changes nothing the second time. One bad\n"
    "row imports nothing, and the error names the line, the column, the value and why.\n"
    "FILE may be - for standard input.\n"
    "\n"
    "options:\n"
    "  --db DB         the store (default: $HALLPASS_DB)\n"
    "  --school NAME   the school, when the store holds more than one\n"
    "  --help          show this help\n";

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
    if (p->shown && since < 0.25)
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

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"school", required_argument, NULL, 's'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *db = NULL, *school = NULL;
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("import", argc, argv, "", options)) != -1) {
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
    if (argc - optind != 2)
        return hp_cli_usage_error("import", "give what to import (rooms, users or passes) and "
                                            "a CSV file");
    hp_import_kind kind;
    if (hp_import_kind_parse(argv[optind], &kind) < 0)
        return hp_cli_usage_error("import", "%s", hp_error_last());
    const char *path = argv[optind + 1];

    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        hp_cli_error("import", "%s: %s", path, strerror(errno));
        return HP_EXIT_FAILURE;
    }

    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "import", hp_cli_db(db), school);
    if (status != HP_EXIT_OK) {
        if (in != stdin)
            fclose(in);
        return status;
    }

    progress_state progress = {.label = in == stdin ? "standard input" : path};
    struct stat sb;
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
        progress.total_bytes = sb.st_size;
    bool tty = isatty(STDERR_FILENO);

    hp_import_stats stats;
    int rc = hp_import_csv(ctx.store, &ctx.school, ctx.tz, kind, in, in == stdin ? "stdin" : path,
                           tty ? show_progress : NULL, &progress, &stats);
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
    if (kind == HP_IMPORT_PASSES)
        printf("%s: %zu rows: %zu passes added, %zu already imported\n", path, stats.rows,
               stats.added, stats.unchanged);
    else
        printf("%s: %zu rows: %zu %s added, %zu updated, %zu unchanged\n", path, stats.rows,
               stats.added, hp_import_kind_name(kind), stats.updated, stats.unchanged);
    hp_cli_context_release(&ctx);
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_import = {"import", "import rooms, users or passes from a CSV file", run};
