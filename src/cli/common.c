/* What every command shares: finding the store and the school, and reporting errors. */
#include "cli/cli.h"

#include "core/error.h"
#include "service/schools.h"

#include <errno.h>
#include <getopt.h>
#include <glib.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *hp_cli_db(const char *db_option)
{
    if (db_option && db_option[0])
        return db_option;
    const char *env = getenv("HALLPASS_DB");
    return (env && env[0]) ? env : NULL;
}

int hp_cli_no_store(const char *command)
{
    return hp_cli_usage_error(
        command, "no store given: use --db DB (a SQLite file or a postgresql:// URI) or set "
                 "HALLPASS_DB");
}

__attribute__((format(printf, 2, 0))) static void vreport(const char *command, const char *fmt,
                                                          va_list ap)
{
    char message[2 * HP_ERROR_MAX];
    vsnprintf(message, sizeof(message), fmt, ap);
    fprintf(stderr, "hallpass %s: ", command);
    /* A message may quote a value from a file: control bytes in it are shown, not obeyed. */
    for (const unsigned char *p = (const unsigned char *)message; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

void hp_cli_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(command, fmt, ap);
    va_end(ap);
}

int hp_cli_fail(const char *command)
{
    hp_cli_error(command, "%s", hp_error_last());
    return HP_EXIT_FAILURE;
}

int hp_cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(command, fmt, ap);
    va_end(ap);
    fprintf(stderr, "see: hallpass %s --help\n", command);
    return HP_EXIT_USAGE;
}

/* getopt_long returns this plus an option's index in the table: above any character it could
 * return itself ('?' for an error). */
#define OPTION_CODE_BASE 256

/* Space between an option's name and its help line in --help. */
#define HELP_GAP 2
/* Room for "--name VALUE" in the help: option names and value names are short words. */
#define OPTION_TEXT_MAX 64

/* The width of "--name VALUE" in the help. */
static size_t option_width(const hp_cli_option *o)
{
    return 2 + strlen(o->name) + (o->value ? 1 + strlen(o->value) : 0);
}

static void print_option(FILE *out, const char *name, const char *value, const char *help,
                         int width)
{
    char left[OPTION_TEXT_MAX];
    snprintf(left, sizeof(left), "--%s%s%s", name, value ? " " : "", value ? value : "");
    fprintf(out, "  %-*s", width, left);
    /* A help line that goes on over several lines keeps to its column. */
    for (const char *p = help; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "  %*s", width, "");
    }
    fputc('\n', out);
}

void hp_cli_print_help(const hp_cmd_entry *cmd, FILE *out)
{
    size_t width = strlen("--help");
    for (size_t i = 0; i < cmd->option_count; i++)
        if (option_width(&cmd->options[i]) > width)
            width = option_width(&cmd->options[i]);
    width += HELP_GAP;

    fputs("usage: ", out);
    for (const char *p = cmd->synopsis; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fputs("       ", out); /* Under "usage: ". */
    }
    fputs("\n\n", out);
    if (cmd->print_about)
        cmd->print_about(out);
    else
        fputs(cmd->about, out);
    fputs("\noptions:\n", out);
    for (size_t i = 0; i < cmd->option_count; i++)
        print_option(out, cmd->options[i].name, cmd->options[i].value, cmd->options[i].help,
                     (int)width);
    print_option(out, "help", NULL, "show this help", (int)width);
}

/* Parses a whole number in [min, max] for an option; a usage error otherwise. */
static int parse_number(const char *command, const hp_cli_option *o, const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || v < o->min || v > o->max)
        return hp_cli_usage_error(command, "--%s: \"%s\" is not a whole number from %ld to %ld",
                                  o->name, text, o->min, o->max);
    *out = v;
    return HP_EXIT_OK;
}

static int store_value(const hp_cmd_entry *cmd, const hp_cli_option *o, const char *text,
                       void *options)
{
    char *field = (char *)options + o->offset;
    switch (o->kind) {
    case HP_OPT_TEXT:
        *(const char **)field = text;
        return HP_EXIT_OK;
    case HP_OPT_FLAG:
        *(bool *)field = true;
        return HP_EXIT_OK;
    case HP_OPT_NUMBER:
        return parse_number(cmd->name, o, text, (long *)field);
    }
    return HP_EXIT_USAGE;
}

/* The usage error for what getopt_long refused: an unknown option, or one without its
 * value. */
static int bad_option(const hp_cmd_entry *cmd, char **argv, int before, int after)
{
    const char *arg = after > before ? argv[after - 1] : argv[before];
    if (strncmp(arg, "--", 2) == 0) {
        for (size_t i = 0; i < cmd->option_count; i++) {
            const hp_cli_option *o = &cmd->options[i];
            size_t n = strlen(o->name);
            if (o->kind != HP_OPT_FLAG && strncmp(arg + 2, o->name, n) == 0 &&
                (arg[2 + n] == '\0' || arg[2 + n] == '='))
                return hp_cli_usage_error(cmd->name, "%s needs a value", arg);
        }
    }
    return hp_cli_usage_error(cmd->name, "unknown option %s", arg);
}

static int check_operands(const hp_cmd_entry *cmd, int count, char **operands)
{
    if (count >= cmd->operands_min && count <= cmd->operands_max)
        return HP_EXIT_OK;
    if (cmd->operands_error)
        return hp_cli_usage_error(cmd->name, "%s", cmd->operands_error);
    return hp_cli_usage_error(cmd->name, "unexpected argument \"%s\"", operands[cmd->operands_max]);
}

static int check_required(const hp_cmd_entry *cmd, const void *options)
{
    for (size_t i = 0; i < cmd->option_count; i++) {
        const hp_cli_option *o = &cmd->options[i];
        if (o->required && *(const char *const *)((const char *)options + o->offset) == NULL)
            return hp_cli_usage_error(cmd->name, "--%s %s is required", o->name, o->value);
    }
    return HP_EXIT_OK;
}

int hp_cli_parse(const hp_cmd_entry *cmd, int argc, char **argv, void *options, int *operands_out)
{
    size_t n = cmd->option_count;
    struct option *longopts = g_new0(struct option, n + 2); /* The options, --help, the end. */
    for (size_t i = 0; i < n; i++) {
        longopts[i].name = cmd->options[i].name;
        longopts[i].has_arg = cmd->options[i].kind == HP_OPT_FLAG ? no_argument : required_argument;
        longopts[i].val = OPTION_CODE_BASE + (int)i;
    }
    longopts[n] = (struct option){"help", no_argument, NULL, OPTION_CODE_BASE + (int)n};

    int status = HP_EXIT_OK, c;
    optind = 0; /* Starts getopt afresh: the unit tests parse many command lines. */
    opterr = 0; /* The messages are ours: bad_option(). */
    for (int before = 1; status == HP_EXIT_OK; before = optind) {
        c = getopt_long(argc, argv, "", longopts, NULL);
        if (c == -1)
            break;
        if (c < OPTION_CODE_BASE) {
            status = bad_option(cmd, argv, before, optind);
        } else if (c == OPTION_CODE_BASE + (int)n) {
            hp_cli_print_help(cmd, stdout);
            status = HP_CLI_HELP;
        } else {
            status = store_value(cmd, &cmd->options[c - OPTION_CODE_BASE], optarg, options);
        }
    }
    g_free(longopts);
    if (status == HP_EXIT_OK)
        status = check_operands(cmd, argc - optind, argv + optind);
    if (status == HP_EXIT_OK)
        status = check_required(cmd, options);
    *operands_out = optind;
    return status;
}

int hp_cli_run(const hp_cmd_entry *cmd, int argc, char **argv)
{
    void *options = g_malloc0(cmd->options_size);
    int first;
    int status = hp_cli_parse(cmd, argc, argv, options, &first);
    if (status == HP_EXIT_OK)
        status = cmd->run(options, argc - first, argv + first);
    else if (status == HP_CLI_HELP)
        status = HP_EXIT_OK;
    g_free(options);
    return status;
}

int hp_cli_context_open(hp_cli_context *ctx, const char *command, const char *db,
                        const char *school_name)
{
    memset(ctx, 0, sizeof(*ctx));
    if (db == NULL) {
        return hp_cli_no_store(command);
    }
    int rc = hp_store_open(&ctx->store, db, false);
    if (rc < 0) {
        hp_cli_fail(command);
        return HP_EXIT_FAILURE;
    }
    if ((rc = hp_school_find(ctx->store, school_name, &ctx->school)) < 0) {
        /* The store's name tells which store lacks the school. */
        if (rc == HP_ESTORE)
            hp_cli_fail(command);
        else
            hp_cli_error(command, "%s: %s", db, hp_error_last());
        hp_cli_context_release(ctx);
        return HP_EXIT_FAILURE;
    }
    if (hp_tz_new(&ctx->tz, ctx->school.timezone) < 0) {
        hp_cli_fail(command);
        hp_cli_context_release(ctx);
        return HP_EXIT_FAILURE;
    }
    return HP_EXIT_OK;
}

void hp_cli_context_release(hp_cli_context *ctx)
{
    hp_school_release(&ctx->school);
    hp_tz_free(ctx->tz);
    hp_store_free(ctx->store);
    memset(ctx, 0, sizeof(*ctx));
}
