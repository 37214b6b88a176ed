/* Users; see users.h. */
#include "service/users.h"

#include "core/error.h"
#include "core/password.h"
#include "import/import.h"
#include "service/auth.h"

/* Whether saving `fields` changes an existing user's password. Read inside the importer's
 * transaction, so nothing changes in between. */
static int password_changes(hp_store *store, int64_t school_id, const hp_user_fields *fields,
                            bool *changes_out)
{
    hp_user user = {0};
    *changes_out = false;
    if (fields->password == NULL || fields->password[0] == '\0' || fields->email == NULL)
        return HP_OK;
    int rc = hp_store_user_find(store, school_id, fields->email, &user, NULL);
    if (rc == HP_ENOTFOUND)
        return HP_OK; /* A new user has no sessions. */
    if (rc < 0)
        return rc;
    *changes_out = !hp_auth_password_ok(store, school_id, fields->email, fields->password);
    hp_user_release(&user);
    return HP_OK;
}

int hp_user_save(hp_store *store, const hp_school *school, const hp_tz *tz,
                 const hp_user_fields *fields, bool *password_changed_out)
{
    const char *row[HP_USER_COLUMNS] = {
        [HP_USER_NAME] = fields->name,         [HP_USER_EMAIL] = fields->email,
        [HP_USER_ROLE] = fields->role,         [HP_USER_ROOM] = fields->room,
        [HP_USER_PASSWORD] = fields->password, [HP_USER_STUDENT_ID] = fields->student_id};
    hp_importer *imp;
    bool changes = false;
    int rc = hp_importer_new(&imp, store, school, tz, HP_IMPORT_USERS);
    if (rc < 0)
        return rc;
    /* The importer ends the user's sessions when the password changes. */
    if ((rc = password_changes(store, school->id, fields, &changes)) == HP_OK &&
        (rc = hp_importer_add(imp, row)) == HP_OK)
        rc = hp_importer_finish(imp, NULL);
    hp_importer_free(imp);
    if (password_changed_out)
        *password_changed_out = rc == HP_OK && changes;
    return rc;
}

int hp_user_set_password(hp_store *store, int64_t school_id, const char *email,
                         const char *password)
{
    hp_user user = {0};
    char hash[HP_PASSWORD_HASH_MAX];
    bool changed;
    int rc;

    /* The slow hash first, outside the transaction, so that no lock is held meanwhile. */
    if ((rc = hp_password_hash(hash, password)) < 0 || (rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_user_find(store, school_id, email, &user, NULL)) == HP_OK &&
        (rc = hp_store_user_put(store, school_id, &user, hash, &changed)) == HP_OK &&
        (rc = hp_store_sessions_delete_user(store, school_id, user.id)) == HP_OK)
        rc = hp_store_commit(store);
    if (rc < 0)
        hp_store_rollback(store);
    hp_user_release(&user);
    return rc;
}
