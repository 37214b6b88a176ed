/*
 * Users changed one at a time: by the command line (adding or updating one by email, setting
 * a password) and by admins on the Users page (search, add, change, deactivate, reset a
 * password). Every change makes the checks of a users.csv row, through the importer, so the
 * rules are written once. A changed password and a deactivation end the user's sessions in
 * the same transaction, so whoever signed in before must sign in again (or cannot).
 */
#ifndef HP_SERVICE_USERS_H
#define HP_SERVICE_USERS_H

#include "core/model.h"
#include "core/tz.h"
#include "service/actor.h"
#include "service/settings.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>

/* A user as the fields of one users.csv row; NULL fields are empty. */
typedef struct {
    const char *name;
    const char *email;
    const char *role;
    const char *room;       /* A kiosk's room. */
    const char *password;   /* NULL keeps the stored one. */
    const char *student_id; /* A student's ID: NULL keeps the stored one, "" removes it. */
} hp_user_fields;

/* Creates the user, or updates the one with that email. A password that differs from the
 * stored one ends the user's sessions. *password_changed_out (may be NULL) tells whether it
 * did. */
int hp_user_save(hp_store *store, const hp_school *school, const hp_tz *tz,
                 const hp_user_fields *fields, bool *password_changed_out);

/* Sets the password of the user with that email and ends their sessions. */
int hp_user_set_password(hp_store *store, int64_t school_id, const char *email,
                         const char *password);

/* The users a Users page search shows unless it asks for another number, and the most it may
 * ask for (one less than the store's cap, so that one more tells whether there are more). */
#define HP_USERS_LIMIT_DEFAULT 100
#define HP_USERS_LIMIT_MAX 500

/* What an admin's request sets; NULL strings (and a change not given) keep what is stored. */
typedef struct {
    const char *name;
    const char *email;
    const char *role;
    const char *room;       /* A kiosk's room or a staff member's home room; "" for none. */
    const char *student_id; /* "" removes it. */
    hp_field_change max_passes_per_day; /* A student's own daily limit; null removes it. */
    const char *password;               /* Creation only; NULL or "" for none. */
    int active;                         /* 1 or 0; HP_USER_ACTIVE_KEEP leaves it. */
} hp_user_change;

#define HP_USER_ACTIVE_KEEP (-1)

/* A user as the Users page shows them: the user and the name of their room (NULL for none). */
typedef struct {
    hp_user user;
    char *room;
} hp_user_row;

void hp_user_row_release(hp_user_row *row);
/* The row as JSON: name, email, role, room, student_id, max_passes_per_day (null for none)
 * and active; never a password. */
json_t *hp_user_row_json(const hp_user_row *row);
void hp_user_rows_free(hp_user_row *rows, size_t n);

/* The school's users that the search finds, by name (admins only). The search's limit is
 * 1..HP_USERS_LIMIT_MAX, 0 for HP_USERS_LIMIT_DEFAULT; *more_out tells whether more users
 * match than the limit let through. */
int hp_users_find(hp_store *store, const hp_actor *actor, const hp_user_search *search,
                  hp_user_row **out, size_t *count_out, bool *more_out);

/* Adds a user (admins only): name, email and role required; HP_EEXISTS when the email is
 * taken. */
int hp_user_create(hp_store *store, const hp_actor *actor, const hp_user_change *change,
                   hp_user_row *out);

/* Changes a user of the actor's school (admins only); HP_ENOTFOUND for a user of no school of
 * theirs. Deactivating ends the user's sessions; an admin cannot deactivate themselves nor
 * take their own admin role away. */
int hp_user_update(hp_store *store, const hp_actor *actor, int64_t user_id,
                   const hp_user_change *change, hp_user_row *out);

/* An admin sets a user's new password; the user's sessions end. */
int hp_user_reset_password(hp_store *store, const hp_actor *actor, int64_t user_id,
                           const char *password);

#endif
