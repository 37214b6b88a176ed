/*
 * The command line's option tables: one table per command makes the parsing, the usage
 * errors and the --help text. These tests run a made-up command through the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *db;
    const char *name;
    long count;
    bool quiet;
} try_options;

static const hp_cli_option try_table[] = {
    HP_OPT_DB_ROW(try_options, db),
    HP_OPT_REQUIRED_ROW(try_options, name, "name", "NAME", "a name"),
    HP_OPT_NUMBER_ROW(try_options, count, "count", "N", "how many\ngoes on here", 1, 10),
    HP_OPT_FLAG_ROW(try_options, quiet, "quiet", "say less"),
};

static int ran;

static int try_run(const void *options, int argc, char **argv)
{
    (void)options;
    (void)argv;
    ran = argc;
    return HP_EXIT_OK;
}

static const hp_cmd_entry try_cmd = {
    .name = "try",
    .summary = "a command for the tests",
    .synopsis = "hallpass try --name NAME [--count N] [WORD]",
    .about = "Tries things.\n",
    .options = try_table,
    .option_count = HP_ARRAY_SIZE(try_table),
    .options_size = sizeof(try_options),
    .operands_min = 0,
    .operands_max = 1,
    .run = try_run,
};

/* Parses a NULL-ended list of words after "try". */
static int parse(try_options *o, int *first, ...)
{
    char *argv[16] = {"try"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (char *w; (w = va_arg(ap, char *)) != NULL;)
        argv[argc++] = w;
    va_end(ap);
    memset(o, 0, sizeof(*o));
    return hp_cli_parse(&try_cmd, argc, argv, o, first);
}

static void test_values_go_to_their_fields(void **state)
{
    (void)state;
    try_options o;
    int first;
    assert_int_equal(
        parse(&o, &first, "--count", "7", "--name=Ann", "--quiet", "--db", "x.db", "word", NULL),
        HP_EXIT_OK);
    assert_string_equal(o.db, "x.db");
    assert_string_equal(o.name, "Ann");
    assert_int_equal(o.count, 7);
    assert_true(o.quiet);
    assert_int_equal(first, 7); /* The operand is moved after the options. */
}

static void test_a_number_out_of_range_is_a_usage_error(void **state)
{
    (void)state;
    try_options o;
    int first;
    const char *bad[] = {"0", "11", "", "7x", "-3", "99999999999999999999"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++)
        assert_int_equal(parse(&o, &first, "--name", "A", "--count", bad[i], NULL), HP_EXIT_USAGE);
    assert_int_equal(parse(&o, &first, "--name", "A", "--count", "10", NULL), HP_EXIT_OK);
}

static void test_wrong_command_lines_are_usage_errors(void **state)
{
    (void)state;
    try_options o;
    int first;
    assert_int_equal(parse(&o, &first, NULL), HP_EXIT_USAGE);           /* --name */
    assert_int_equal(parse(&o, &first, "--name", NULL), HP_EXIT_USAGE); /* value */
    assert_int_equal(parse(&o, &first, "--name", "A", "--bogus", NULL), HP_EXIT_USAGE);
    assert_int_equal(parse(&o, &first, "--name", "A", "--quiet=yes", NULL), HP_EXIT_USAGE);
    assert_int_equal(parse(&o, &first, "--name", "A", "-q", NULL), HP_EXIT_USAGE);
    assert_int_equal(parse(&o, &first, "--name", "A", "one", "two", NULL), HP_EXIT_USAGE);
}

static void test_help_stops_before_the_checks(void **state)
{
    (void)state;
    try_options o;
    int first;
    /* --help with a required option missing: the help, not an error. */
    assert_int_equal(parse(&o, &first, "--help", NULL), HP_CLI_HELP);
    ran = -1;
    char *argv[] = {"try", "--help", NULL};
    assert_int_equal(hp_cli_run(&try_cmd, 2, argv), HP_EXIT_OK);
    assert_int_equal(ran, -1); /* The command itself did not run. */
}

static void test_run_passes_the_operands(void **state)
{
    (void)state;
    char *argv[] = {"try", "word", "--name", "A", NULL};
    ran = -1;
    assert_int_equal(hp_cli_run(&try_cmd, 4, argv), HP_EXIT_OK);
    assert_int_equal(ran, 1);
}

static void test_help_text_is_made_from_the_table(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    hp_cli_print_help(&try_cmd, out);
    fclose(out);
    assert_string_equal(text, "usage: hallpass try --name NAME [--count N] [WORD]\n"
                              "\n"
                              "Tries things.\n"
                              "\n"
                              "options:\n"
                              "  --db DB      the store: a SQLite file or a postgresql:// URI\n"
                              "               (default: $HALLPASS_DB)\n"
                              "  --name NAME  a name\n"
                              "  --count N    how many\n"
                              "               goes on here\n"
                              "  --quiet      say less\n"
                              "  --help       show this help\n");
    free(text); /* open_memstream's buffer is libc's. */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_go_to_their_fields),
        cmocka_unit_test(test_a_number_out_of_range_is_a_usage_error),
        cmocka_unit_test(test_wrong_command_lines_are_usage_errors),
        cmocka_unit_test(test_help_stops_before_the_checks),
        cmocka_unit_test(test_run_passes_the_operands),
        cmocka_unit_test(test_help_text_is_made_from_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
