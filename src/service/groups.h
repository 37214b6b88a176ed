/*
 * Encounter groups: students an admin keeps apart. While one student of an active group is
 * out, no other may start a pass (the encounter rule, wired in service/passes.c). Only admins
 * see or change groups; a student or kiosk is never told that a group exists. The HTTP
 * handlers and `hallpass import groups` both come through here.
 */
#ifndef HP_SERVICE_GROUPS_H
#define HP_SERVICE_GROUPS_H

#include "core/rules.h"
#include "service/actor.h"
#include "service/audit.h"
#include "store/store.h"

#include <stdio.h>

/* A group with its students as users (in the order of group.members). */
typedef struct {
    hp_group group;
    hp_user *students;
} hp_group_view;

void hp_group_view_release(hp_group_view *view);
void hp_group_views_free(hp_group_view *views, size_t count);

/* What a request sets; a NULL name, or a false has_, leaves that alone (a new group is
 * active unless told otherwise). Students are named by email or student ID. */
typedef struct {
    const char *name;
    bool has_students;
    const char *const *students;
    size_t student_count;
    bool has_active;
    bool active;
} hp_group_change;

/* HP_OK for an admin (not in kiosk mode), else HP_EFORBIDDEN: the handlers ask first, so that
 * no one else learns anything from the answer to a bad request. */
int hp_groups_may_manage(const hp_actor *actor);

/* The rules of a pass's `overrides` a reader may learn of: staff all of them; a student or a
 * kiosk none that tells of a group (an overridden encounter rule would say that the student
 * has a group with someone out). */
hp_rule_set hp_groups_overrides_seen(const hp_actor *reader, hp_rule_set overrides);

/* Every group of the actor's school, by id. Admins only (HP_EFORBIDDEN). */
int hp_groups_list(hp_store *store, const hp_actor *actor, hp_group_view **out, size_t *count_out);

/* Creates a group (the change names it and its students). Admins only. HP_EINVALID naming the
 * field and why: a name missing or taken, fewer than 2 or more than 20 students, a student
 * named twice, someone unknown or not a student. */
int hp_group_create(hp_store *store, const hp_actor *actor, const hp_group_change *change,
                    hp_group_view *out);

/* Changes a group; HP_ENOTFOUND when the school has none of that id. */
int hp_group_update(hp_store *store, const hp_actor *actor, int64_t group_id,
                    const hp_group_change *change, hp_group_view *out);

int hp_group_delete(hp_store *store, const hp_actor *actor, int64_t group_id);

/* What an import did. */
typedef struct {
    size_t rows;      /* Rows read. */
    size_t added;     /* New groups. */
    size_t updated;   /* Groups whose students changed. */
    size_t unchanged; /* Groups the file names as they are already. */
} hp_groups_import_stats;

/* Imports a CSV file of columns group,student (one student a row) into the school, in one
 * transaction: each group the file names gets exactly the file's students (a new one is
 * active; an existing one keeps its state), and groups the file does not name are left alone,
 * so the same file twice changes nothing. Errors name the file, line, column, value and why.
 * The import is in the audit log by `by` (`import` of `groups`, with its counts). */
int hp_groups_import_csv(hp_store *store, const hp_audit_by *by, const hp_school *school, FILE *in,
                         const char *label, hp_groups_import_stats *stats_out);

#endif
