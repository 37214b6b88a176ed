/*
 * The roster import: a OneRoster export (src/import/oneroster.h) matched with the school's
 * users, as a plan of what it changes (users added, updated, deactivated, and those left out
 * with the reason), applied in one transaction unless it is a dry run. The command line and
 * the HTTP API both come here.
 */
#ifndef HP_SERVICE_ROSTER_H
#define HP_SERVICE_ROSTER_H

#include "import/oneroster.h"
#include "service/actor.h"
#include "store/store.h"

#include <glib.h>
#include <stdbool.h>

/* Bytes of a .zip uploaded over HTTP: a large school's export zips to a few megabytes. */
#define HP_ROSTER_UPLOAD_MAX (16 * 1024 * 1024)

/* The fields of a user an import changes, as bits of hp_roster_change.changes. */
enum {
    HP_ROSTER_NAME = 1 << 0,
    HP_ROSTER_EMAIL = 1 << 1,
    HP_ROSTER_ROLE = 1 << 2,
    HP_ROSTER_STUDENT_ID = 1 << 3,
    HP_ROSTER_ROOM = 1 << 4,      /* A staff member's home room. */
    HP_ROSTER_SOURCE_ID = 1 << 5, /* The user's id in the roster (sourcedId). */
};
#define HP_ROSTER_FIELDS 6

/* The field name of bit i (0 to HP_ROSTER_FIELDS - 1): "name", "email", ... */
const char *hp_roster_field_name(unsigned i);

/* A user the import adds, updates or deactivates, as they are after it. */
typedef struct {
    char *email;
    char *name;
    hp_role role;
    unsigned changes; /* HP_ROSTER_* bits: an update's fields. */
} hp_roster_change;

typedef struct {
    bool applied;           /* False for a dry run: the store is as it was. */
    GArray *added;          /* hp_roster_change, in users.csv order. */
    GArray *updated;        /* hp_roster_change. */
    GArray *deactivated;    /* hp_roster_change. */
    GArray *left_out;       /* hp_roster_left_out (import/oneroster.h). */
    GPtrArray *rooms_added; /* Names of the rooms the classes' locations create. */
} hp_roster_plan;

void hp_roster_plan_release(hp_roster_plan *plan);

typedef struct {
    const char *org;   /* The school's org by sourcedId, or NULL: the org named as the school. */
    bool dry_run;      /* Work out the plan, change nothing. */
    const char *label; /* What the export is called, for the audit record. */
} hp_roster_options;

/* The import as the command line runs it. On failure, err says where in the export (when the
 * export is at fault) and the store is unchanged. */
int hp_roster_import(hp_store *store, const hp_school *school, const hp_roster_input *input,
                     const hp_roster_options *options, hp_roster_plan *plan, hp_roster_error *err);

/* The same for a signed-in admin (HP_EFORBIDDEN for anyone else). */
int hp_roster_import_as(hp_store *store, const hp_actor *actor, const hp_roster_input *input,
                        const hp_roster_options *options, hp_roster_plan *plan,
                        hp_roster_error *err);

#endif
