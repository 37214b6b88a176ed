/*
 * Users as the command line changes them one at a time: adding (or updating) one with every
 * check an import makes, and setting a password. A changed password ends the user's sessions
 * in the same transaction, so whoever signed in with the old one must sign in again.
 */
#ifndef HP_SERVICE_USERS_H
#define HP_SERVICE_USERS_H

#include "core/model.h"
#include "core/tz.h"
#include "store/store.h"

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

#endif
