/* What every command shares: finding the store and the school, and reporting errors. */
#include "cli/cli.h"

#include "core/error.h"

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

int hp_cli_getopt(const char *command, int argc, char **argv, const char *shortopts,
                  const struct option *longopts)
{
    int saved_optind = optind;
    opterr = 0;
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?') {
        const char *arg = optind > saved_optind ? argv[optind - 1] : argv[saved_optind];
        bool needs_value = false;
        for (const struct option *o = longopts; o->name; o++) {
            size_t n = strlen(o->name);
            if (strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, o->name, n) == 0 &&
                (arg[2 + n] == '\0' || arg[2 + n] == '=') && o->has_arg == required_argument)
                needs_value = true;
        }
        if (needs_value)
            hp_cli_usage_error(command, "%s needs a value", arg);
        else
            hp_cli_usage_error(command, "unknown option %s", arg);
    }
    return c;
}

int hp_cli_context_open(hp_cli_context *ctx, const char *command, const char *db,
                        const char *school_name)
{
    hp_school *schools = NULL;
    size_t n = 0;
    int rc;

    memset(ctx, 0, sizeof(*ctx));
    if (db == NULL) {
        hp_cli_error(command, "no store given: use --db FILE or set HALLPASS_DB");
        return HP_EXIT_USAGE;
    }
    if ((rc = hp_store_open(&ctx->store, db, false)) < 0 ||
        (rc = hp_store_schools_list(ctx->store, &schools, &n)) < 0) {
        hp_cli_error(command, "%s", hp_error_last());
        hp_store_free(ctx->store);
        ctx->store = NULL;
        return HP_EXIT_FAILURE;
    }

    const hp_school *found = NULL;
    if (school_name) {
        for (size_t i = 0; i < n; i++)
            if (strcasecmp(schools[i].name, school_name) == 0)
                found = &schools[i];
        if (found == NULL)
            hp_cli_error(command, "%s: no school named \"%s\"", db, school_name);
    } else if (n == 1) {
        found = &schools[0];
    } else if (n == 0) {
        hp_cli_error(command, "%s: the store has no school yet; create one with hallpass init", db);
    } else {
        hp_cli_error(command, "%s: the store has %zu schools; name one with --school", db, n);
    }
    if (found == NULL || hp_tz_new(&ctx->tz, found->timezone) < 0) {
        if (found)
            hp_cli_error(command, "%s", hp_error_last());
        hp_schools_free(schools, n);
        hp_store_free(ctx->store);
        ctx->store = NULL;
        return HP_EXIT_FAILURE;
    }
    ctx->school.id = found->id;
    ctx->school.name = strdup(found->name);
    ctx->school.timezone = strdup(found->timezone);
    hp_schools_free(schools, n);
    return HP_EXIT_OK;
}

void hp_cli_context_release(hp_cli_context *ctx)
{
    hp_school_release(&ctx->school);
    hp_tz_free(ctx->tz);
    hp_store_free(ctx->store);
    memset(ctx, 0, sizeof(*ctx));
}
