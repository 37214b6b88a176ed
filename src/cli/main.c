/* hallpass: the command table and dispatch. Adding a command touches its file and this table. */
#include "cli/cli.h"

#include "core/settings.h"
#include "core/util.h"
#include "hallpass_version.h" /* Made by CMake: HALLPASS_VERSION and HALLPASS_COMMIT. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hp_cmd_entry *const commands[] = {
    &hp_cmd_init,  &hp_cmd_import, &hp_cmd_report,  &hp_cmd_insights, &hp_cmd_user,
    &hp_cmd_serve, &hp_cmd_copy,   &hp_cmd_check,   &hp_cmd_demo,     &hp_cmd_settings,
    &hp_cmd_audit, &hp_cmd_purge,  &hp_cmd_student, &hp_cmd_backup,
};

static void print_help(FILE *out)
{
    fprintf(out, "hallpass: a digital hall-pass server for schools\n\n"
                 "usage: hallpass COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < HP_ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nEvery command takes --help. The store is --db DB, a SQLite file or a\n"
                 "postgresql:// URI, or the HALLPASS_DB environment variable.\n");
}

int main(int argc, char **argv)
{
    /* Tests run their OpenID provider over http on 127.0.0.1; only they set this. */
    const char *loopback = getenv("HALLPASS_OIDC_TEST_LOOPBACK");
    hp_settings_allow_loopback_issuer(loopback && strcmp(loopback, "1") == 0);
    if (argc < 2) {
        print_help(stderr);
        return HP_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return HP_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hallpass %s (commit %s)\n", HALLPASS_VERSION, HALLPASS_COMMIT);
        return HP_EXIT_OK;
    }
    for (size_t i = 0; i < HP_ARRAY_SIZE(commands); i++)
        if (strcmp(argv[1], commands[i]->name) == 0)
            return hp_cli_run(commands[i], argc - 1, argv + 1);
    fprintf(stderr, "hallpass: \"%s\" is not a command; see hallpass --help\n", argv[1]);
    return HP_EXIT_USAGE;
}
