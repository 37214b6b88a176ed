/*
 * The command line: one file per command, each exporting a hp_cmd_entry that main.c lists.
 * Commands are thin: they parse argv and call the core library.
 */
#ifndef HP_CLI_CLI_H
#define HP_CLI_CLI_H

#include "core/model.h"
#include "core/tz.h"
#include "store/store.h"

#include <getopt.h>
#include <stdbool.h>

/* Exit statuses. */
#define HP_EXIT_OK 0
#define HP_EXIT_FAILURE 1 /* The command ran and failed: bad data, a refused change. */
#define HP_EXIT_USAGE 2   /* The command line itself is wrong. */

typedef struct {
    const char *name;
    const char *summary; /* One line for `hallpass --help`. */
    int (*run)(int argc, char **argv);
} hp_cmd_entry;

extern const hp_cmd_entry hp_cmd_init;
extern const hp_cmd_entry hp_cmd_import;
extern const hp_cmd_entry hp_cmd_report;
extern const hp_cmd_entry hp_cmd_demo;
extern const hp_cmd_entry hp_cmd_serve;
extern const hp_cmd_entry hp_cmd_user;
extern const hp_cmd_entry hp_cmd_copy;
extern const hp_cmd_entry hp_cmd_check;

/* An open store with the school a command works on. */
typedef struct {
    hp_store *store;
    hp_school school;
    hp_tz *tz;
} hp_cli_context;

/* The store's address: --db, else HALLPASS_DB. */
const char *hp_cli_db(const char *db_option);

/* Opens the store and picks the school: the one named, or the only one. Prints the error and
 * returns an exit status on failure. */
int hp_cli_context_open(hp_cli_context *ctx, const char *command, const char *db,
                        const char *school_name);
void hp_cli_context_release(hp_cli_context *ctx);

/* Prints "hallpass COMMAND: message" to stderr. */
void hp_cli_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the last core error for a command and returns HP_EXIT_FAILURE. */
int hp_cli_fail(const char *command);

/* Parses options with getopt_long; on an unknown option or a missing value it prints a clear
 * message and returns '?'. Wraps getopt_long so every command reports errors the same way. */
int hp_cli_getopt(const char *command, int argc, char **argv, const char *shortopts,
                  const struct option *longopts);

/* Parses a whole number in [min, max] for an option; a usage error otherwise. */
int hp_cli_number(const char *command, const char *option, const char *text, long min, long max,
                  long *out);

/* Reports a usage error and returns HP_EXIT_USAGE. */
int hp_cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
