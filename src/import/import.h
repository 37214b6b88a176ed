/*
 * Imports of rooms, users, passes and the bell schedule from CSV files. An importer takes rows one
 * by one, checks each, and writes them inside one transaction: hp_importer_finish() commits all of
 * them, and any error, or freeing an unfinished importer, leaves the store as it was.
 *
 * CSV files come in through hp_import_csv(); the demo feeds rows straight in.
 */
#ifndef HP_IMPORT_IMPORT_H
#define HP_IMPORT_IMPORT_H

#include "core/model.h"
#include "core/tz.h"
#include "service/audit.h"
#include "store/store.h"

#include <stdio.h>

typedef enum {
    HP_IMPORT_ROOMS,
    HP_IMPORT_USERS,
    HP_IMPORT_PASSES,
    HP_IMPORT_SCHEDULE /* The bell schedule: the file replaces the whole of it. */
} hp_import_kind;

/* The columns of each kind of file, in the order hp_importer_add() takes its fields. The
 * pass-rule columns (time_limit_minutes, counts_toward_limit, max_passes_per_day) are
 * optional: a NULL field (a file without the column) keeps the stored value, or the default
 * for a new row, while an empty one sets the value empty (none, or the default). */
enum {
    HP_ROOM_NAME,
    HP_ROOM_FOLDER,
    HP_ROOM_MAX_FROM,
    HP_ROOM_MAX_TO,
    HP_ROOM_TIME_LIMIT,
    HP_ROOM_COUNTS_TOWARD_LIMIT,
    HP_ROOM_COLUMNS
};
enum {
    HP_USER_NAME,
    HP_USER_EMAIL,
    HP_USER_ROLE,
    HP_USER_ROOM, /* A kiosk's room (required) or a staff member's home room (optional). */
    HP_USER_PASSWORD,
    HP_USER_STUDENT_ID, /* Students only; a NULL field (no such column) keeps the stored one. */
    HP_USER_MAX_PASSES_PER_DAY,
    HP_USER_COLUMNS
};
enum {
    HP_PASS_ID,
    HP_PASS_STUDENT,
    HP_PASS_ORIGIN,
    HP_PASS_DESTINATION,
    HP_PASS_CREATOR,
    HP_PASS_SOURCE,
    HP_PASS_TYPE,
    HP_PASS_START,
    HP_PASS_END,
    HP_PASS_CANCELLED,
    HP_PASS_COLUMNS
};
enum {
    HP_SCHEDULE_DAY,
    HP_SCHEDULE_PERIOD,
    HP_SCHEDULE_START,
    HP_SCHEDULE_END,
    HP_SCHEDULE_COLUMNS
};

typedef struct {
    size_t rows;      /* Rows read. */
    size_t added;     /* New rooms, users or passes. */
    size_t updated;   /* Rooms or users whose values changed. */
    size_t unchanged; /* Rows that changed nothing: same values, or a pass already imported. */
    bool replaced;    /* The bell schedule: the file's differs from the one stored. */
} hp_import_stats;

typedef struct hp_importer hp_importer;

int hp_import_kind_parse(const char *word, hp_import_kind *out);
const char *hp_import_kind_name(hp_import_kind kind);

/* The column names of a kind of file, in field order. */
const char *const *hp_import_columns(hp_import_kind kind, size_t *count_out);

/* Starts an import: begins the store's transaction. */
int hp_importer_new(hp_importer **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                    hp_import_kind kind);

/* Checks and writes one row. fields[i] is the value of column i, NULL or "" when empty (a
 * NULL student_id keeps a student's stored ID, "" removes it). The
 * error message names the column, the value and the reason: `origin: no room named "Rm 9"`. */
int hp_importer_add(hp_importer *imp, const char *const *fields);

/* Has the import recorded in the audit log as `import` of its kind, naming the file, with its
 * counts, in its own transaction; an importer without it (the demo, `user add`) writes none. */
void hp_importer_audit(hp_importer *imp, const hp_audit_by *by, const char *file);

/* How hp_importer_put_user() finds the user its fields are about. */
#define HP_IMPORT_BY_EMAIL (-1) /* As a users.csv row: the user with the email, or a new one. */
#define HP_IMPORT_NEW_USER 0    /* A new user: an email taken is HP_EEXISTS. */

/* One user of an import of users, with every check and write of a users.csv row: by email
 * or new as above, or else the user with the id user_id (HP_ENOTFOUND when the school has
 * none), whose email the fields may change. *id_out (may be NULL) receives the user's id.
 * The importer's transaction stays open, so a caller may read and write more in it. */
int hp_importer_put_user(hp_importer *imp, const char *const *fields, int64_t user_id,
                         int64_t *id_out);

/* Writes the report counters (and the audit record, when asked for) and commits. */
int hp_importer_finish(hp_importer *imp, hp_import_stats *stats_out);

/* Frees the importer, rolling back an import not finished. */
void hp_importer_free(hp_importer *imp);

typedef void (*hp_import_progress_fn)(void *data, size_t rows, long long bytes);

/* Imports a CSV file whose first line names the columns. label names the file in errors:
 * `passes.csv:17: origin: no room named "Rm 9"`. With by, the import is in the audit log. */
int hp_import_csv(hp_store *store, const hp_school *school, const hp_tz *tz, hp_import_kind kind,
                  FILE *in, const char *label, const hp_audit_by *by,
                  hp_import_progress_fn progress, void *progress_data, hp_import_stats *stats_out);

#endif
