/* hallpass backup: a copy of a SQLite store taken while the server keeps running. */
#include "cli/cli.h"

#include "core/error.h"

#include <stdio.h>

typedef struct {
    const char *db;
    const char *to;
    bool force;
} backup_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(backup_options, db),
    HP_OPT_REQUIRED_ROW(backup_options, to, "to", "FILE", "the backup file to write"),
    HP_OPT_FLAG_ROW(backup_options, force, "force", "replace FILE if it exists"),
};

static int run(const void *opts, int argc, char **argv)
{
    const backup_options *o = opts;
    const char *db = hp_cli_db(o->db);
    if (db == NULL)
        return hp_cli_no_store("backup");
    if (hp_store_backup(db, o->to, o->force) < 0)
        return hp_cli_fail("backup");
    printf("backed up %s to %s\n", db, o->to);
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_backup = {
    .name = "backup",
    .summary = "copy a SQLite store to a backup file while it is in use",
    .synopsis = "hallpass backup --db DB --to FILE [--force]",
    .about =
        "Copies the SQLite store DB into FILE with SQLite's online backup, a few pages at a\n"
        "time, so that a running server keeps taking passes meanwhile; the copy holds every\n"
        "pass written before it began. It is written to FILE.tmp and renamed to FILE when\n"
        "complete, so FILE is never half written. An existing FILE is refused unless --force.\n"
        "To restore: stop the server, copy FILE over the store, start the server.\n"
        "A PostgreSQL store is backed up with pg_dump -Fc instead (see docs/operations.md).\n",
    HP_CLI_OPTIONS(options, backup_options),
    .run = run,
};
