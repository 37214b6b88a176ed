/*
 * The command line: one file per command, each exporting a hp_cmd_entry that main.c lists.
 * Commands are thin: they parse argv and call the core library.
 *
 * A command's options are data in its entry, as tmux's cmd_entry holds its arguments and
 * usage: one hp_cli_option per option names it, its value, its help line and where the value
 * goes in the command's own options struct. main.c parses argv from that table, prints the
 * --help text from it and reports a wrong command line from it, so adding an option is one
 * row of the table and one field of the struct.
 */
#ifndef HP_CLI_CLI_H
#define HP_CLI_CLI_H

#include "core/model.h"
#include "core/tz.h"
#include "core/util.h"
#include "http/server.h"
#include "report/report.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses. */
#define HP_EXIT_OK 0
#define HP_EXIT_FAILURE 1 /* The command ran and failed: bad data, a refused change. */
#define HP_EXIT_USAGE 2   /* The command line itself is wrong. */

/* Where serve and demo listen unless told otherwise. */
#define HP_CLI_LISTEN_DEFAULT "127.0.0.1:8080"

/* A number's digits as a string literal, for help texts made at compile time. */
#define HP_CLI_STR(x) HP_CLI_STR_(x)
#define HP_CLI_STR_(x) #x

/* What an option's value is and how it is checked. */
typedef enum {
    HP_OPT_TEXT,   /* A value kept as given: a const char * field. */
    HP_OPT_FLAG,   /* No value; sets a bool field. */
    HP_OPT_NUMBER, /* A whole number in [min, max]: a long field, 0 when not given. */
} hp_opt_kind;

typedef struct {
    const char *name;  /* The long name, without "--". */
    const char *value; /* The value's name in the help (DB, NAME); NULL for a flag. */
    const char *help;  /* The help line; a '\n' continues it on the next line. */
    hp_opt_kind kind;
    size_t offset; /* Where the value goes in the command's options struct. */
    long min, max; /* HP_OPT_NUMBER: the values allowed. */
    bool required; /* Text: a usage error when missing ("--NAME VALUE is required"). */
} hp_cli_option;

/* Where field F of struct T is, compiled only when F has the type TYPE: a row cannot write a
 * number into a string field. */
#define HP_CLI_FIELD(T, F, TYPE) (offsetof(T, F) + 0 * sizeof((TYPE *){&((T *)0)->F}))

/* Table rows. T is the command's options struct, F its field. */
#define HP_OPT_TEXT_ROW(T, F, NAME, VALUE, HELP)                                                   \
    {                                                                                              \
        .name = NAME, .value = VALUE, .help = HELP, .kind = HP_OPT_TEXT,                           \
        .offset = HP_CLI_FIELD(T, F, const char *)                                                 \
    }
#define HP_OPT_REQUIRED_ROW(T, F, NAME, VALUE, HELP)                                               \
    {                                                                                              \
        .name = NAME, .value = VALUE, .help = HELP, .kind = HP_OPT_TEXT,                           \
        .offset = HP_CLI_FIELD(T, F, const char *), .required = true                               \
    }
#define HP_OPT_FLAG_ROW(T, F, NAME, HELP)                                                          \
    {                                                                                              \
        .name = NAME, .help = HELP, .kind = HP_OPT_FLAG, .offset = HP_CLI_FIELD(T, F, bool)        \
    }
#define HP_OPT_NUMBER_ROW(T, F, NAME, VALUE, HELP, MIN, MAX)                                       \
    {                                                                                              \
        .name = NAME, .value = VALUE, .help = HELP, .kind = HP_OPT_NUMBER,                         \
        .offset = HP_CLI_FIELD(T, F, long), .min = MIN, .max = MAX                                 \
    }

/* The two options most commands share, worded once. */
#define HP_CLI_DB_HELP "the store: a SQLite file or a postgresql:// URI\n(default: $HALLPASS_DB)"
#define HP_OPT_DB_ROW(T, F) HP_OPT_TEXT_ROW(T, F, "db", "DB", HP_CLI_DB_HELP)
#define HP_OPT_SCHOOL_ROW(T, F)                                                                    \
    HP_OPT_TEXT_ROW(T, F, "school", "NAME", "the school, when the store holds more than one")

/* An entry's options: the table and the struct its values go to. */
#define HP_CLI_OPTIONS(TABLE, T)                                                                   \
    .options = TABLE, .option_count = HP_ARRAY_SIZE(TABLE), .options_size = sizeof(T)

typedef struct hp_cmd_entry hp_cmd_entry;

struct hp_cmd_entry {
    const char *name;
    const char *summary;  /* One line for `hallpass --help`. */
    const char *synopsis; /* The usage lines after "usage: hallpass "; '\n' between them. */
    const char *about;    /* What the command does, between the usage and the options. */
    /* Prints that text instead when it is made at run time, as from the library's own lists
     * (NULL: about is printed as it is). */
    void (*print_about)(FILE *out);
    const hp_cli_option *options;
    size_t option_count;
    size_t options_size; /* sizeof the command's options struct, which starts zeroed. */
    /* The operands (words that are not options) it takes, and the usage error when their
     * number is wrong (NULL: "unexpected argument \"WORD\""). */
    int operands_min;
    int operands_max;
    const char *operands_error;
    /* Runs the command with its parsed options and its operands. */
    int (*run)(const void *options, int argc, char **argv);
};

extern const hp_cmd_entry hp_cmd_init;
extern const hp_cmd_entry hp_cmd_import;
extern const hp_cmd_entry hp_cmd_report;
extern const hp_cmd_entry hp_cmd_demo;
extern const hp_cmd_entry hp_cmd_serve;
extern const hp_cmd_entry hp_cmd_user;
extern const hp_cmd_entry hp_cmd_copy;
extern const hp_cmd_entry hp_cmd_check;
extern const hp_cmd_entry hp_cmd_settings;
extern const hp_cmd_entry hp_cmd_insights;
extern const hp_cmd_entry hp_cmd_audit;
extern const hp_cmd_entry hp_cmd_purge;
extern const hp_cmd_entry hp_cmd_student;
extern const hp_cmd_entry hp_cmd_backup;

/* Parses argv (argv[0] is the command's name) by the entry's table into options, which is
 * options_size bytes. Returns HP_EXIT_OK with *operands_out set to the index of the first
 * operand (they are moved to the end); HP_CLI_HELP after printing --help; HP_EXIT_USAGE after
 * printing a usage error. */
#define HP_CLI_HELP (-1)
int hp_cli_parse(const hp_cmd_entry *cmd, int argc, char **argv, void *options, int *operands_out);

/* Runs a command: parses its command line and calls its run. */
int hp_cli_run(const hp_cmd_entry *cmd, int argc, char **argv);

/* Prints the command's --help text, made from its entry. */
void hp_cli_print_help(const hp_cmd_entry *cmd, FILE *out);

/* An open store with the school a command works on. */
typedef struct {
    hp_store *store;
    hp_school school;
    hp_tz *tz;
} hp_cli_context;

/* What `report` and `insights` take (report has no --destination), and the rows of their
 * option tables that read the same. */
typedef struct {
    const char *db;
    const char *school;
    const char *from;
    const char *to;
    const char *sort;
    const char *order;
    const char *compare;
    const char *destination;
    const char *format;
    const char *output;
} hp_cli_report_options;

#define HP_OPT_RANGE_ROWS                                                                          \
    HP_OPT_TEXT_ROW(hp_cli_report_options, from, "from", "DATE", "first day of the range"),        \
        HP_OPT_TEXT_ROW(hp_cli_report_options, to, "to", "DATE", "last day of the range")
#define HP_OPT_ORDER_ROW                                                                           \
    HP_OPT_TEXT_ROW(hp_cli_report_options, order, "order", "ORDER", "asc (default) or desc")
#define HP_OPT_OUTPUT_ROWS                                                                         \
    HP_OPT_TEXT_ROW(hp_cli_report_options, format, "format", "FORMAT",                             \
                    "table (default), csv, xlsx or json"),                                         \
        HP_OPT_TEXT_ROW(hp_cli_report_options, output, "output", "FILE",                           \
                        "write to FILE instead of standard output (xlsx needs it on a\nterminal)")

/* Opens the store and school, builds the report or insight of the kind from the options, and
 * prints it in their format (table by default) or saves it to their output through a
 * temporary file. Returns the exit status. */
int hp_cli_report_run(const char *command, hp_report_kind kind, const hp_cli_report_options *o);

/* The store's address: --db, else HALLPASS_DB. */
const char *hp_cli_db(const char *db_option);

/* Reports that neither --db nor HALLPASS_DB names a store; returns HP_EXIT_USAGE. */
int hp_cli_no_store(const char *command);

/* Opens the store and picks the school: the one named, or the only one. Prints the error and
 * returns an exit status on failure. */
int hp_cli_context_open(hp_cli_context *ctx, const char *command, const char *db,
                        const char *school_name);
void hp_cli_context_release(hp_cli_context *ctx);

/* hp_server_run() from the HTTP server's module, loaded now (server_module.c). */
int hp_cli_server_run(const hp_server_config *config);

/* Prints "hallpass COMMAND: message" to stderr. */
void hp_cli_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the last core error for a command and returns HP_EXIT_FAILURE. */
int hp_cli_fail(const char *command);

/* Reports a usage error and returns HP_EXIT_USAGE. */
int hp_cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
