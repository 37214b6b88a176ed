/* Users; see users.h. */
#include "service/users.h"

#include "core/error.h"
#include "core/password.h"
#include "import/import.h"
#include "service/audit.h"
#include "service/auth.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

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

/* Stores the hash as the password of the user with that email (or else that id) and ends
 * their sessions, in one transaction; *user_out (may be NULL) receives the user. */
/* Stores the hash as the password of the user with that email (or else that id) and ends
 * their sessions, in one transaction; with an admin as by, the reset is in the audit log. */
static int store_password(hp_store *store, int64_t school_id, const char *email, int64_t user_id,
                          const char *hash, const hp_audit_by *by)
{
    hp_user user = {0};
    bool changed;
    int rc = hp_store_begin(store);
    if (rc < 0)
        return rc;
    if ((rc = email ? hp_store_user_find(store, school_id, email, &user, NULL)
                    : hp_store_user_get(store, school_id, user_id, &user)) == HP_OK &&
        (rc = hp_store_user_put(store, school_id, &user, hash, &changed)) == HP_OK &&
        (rc = hp_store_sessions_delete_user(store, school_id, user.id)) == HP_OK &&
        (by == NULL ||
         (rc = hp_audit_write(store, by, g_get_real_time() / G_USEC_PER_SEC, "user_password_reset",
                              user.email, json_pack("{s:b}", "sessions_ended", true))) == HP_OK))
        rc = hp_store_commit(store);
    if (rc < 0)
        hp_store_rollback(store);
    hp_user_release(&user);
    return rc;
}

int hp_user_set_password(hp_store *store, int64_t school_id, const char *email,
                         const char *password)
{
    char hash[HP_PASSWORD_HASH_MAX];
    /* The slow hash first, outside the transaction, so that no lock is held meanwhile. */
    int rc = hp_password_hash(hash, password);
    if (rc < 0)
        return rc;
    return store_password(store, school_id, email, 0, hash, NULL);
}

/* The Users page. */

#define ONLY_ADMINS "only admins manage users"

void hp_user_row_release(hp_user_row *row)
{
    hp_user_release(&row->user);
    g_free(row->room);
    row->room = NULL;
}

static void row_release(void *row)
{
    hp_user_row_release(row);
}

void hp_user_rows_free(hp_user_row *rows, size_t n)
{
    hp_list_free(rows, n, sizeof(*rows), row_release);
}

json_t *hp_user_row_json(const hp_user_row *row)
{
    const hp_user *u = &row->user;
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:o, s:b}", "name", u->name, "email", u->email,
                     "role", hp_role_name(u->role), "room", row->room, "student_id", u->student_id,
                     "max_passes_per_day",
                     u->max_passes_per_day ? json_integer(u->max_passes_per_day) : json_null(),
                     "active", u->active);
}

/* Reads a user and the name of their room. */
static int row_read(hp_store *store, int64_t school_id, int64_t user_id, hp_user_row *out)
{
    hp_room room = {0};
    *out = (hp_user_row){0};
    int rc = hp_store_user_get(store, school_id, user_id, &out->user);
    if (rc == HP_OK && out->user.room_id &&
        (rc = hp_store_room_get(store, school_id, out->user.room_id, &room)) == HP_OK) {
        out->room = room.name;
        room.name = NULL;
    }
    hp_room_release(&room);
    if (rc < 0)
        hp_user_row_release(out);
    return rc;
}

int hp_users_find(hp_store *store, const hp_actor *actor, const hp_user_search *search,
                  hp_user_row **out, size_t *count_out, bool *more_out)
{
    hp_user *users = NULL;
    hp_room *rooms = NULL;
    size_t n = 0, room_count = 0;
    *out = NULL;
    *count_out = 0;
    *more_out = false;
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, ONLY_ADMINS);
    if (search->query && strlen(search->query) > HP_NAME_MAX)
        return hp_error_set(HP_EINVALID, "q: longer than %d bytes", HP_NAME_MAX);
    if (search->limit > HP_USERS_LIMIT_MAX)
        return hp_error_set(HP_EINVALID, "limit: must be a whole number from 1 to %d",
                            HP_USERS_LIMIT_MAX);
    hp_user_search q = *search;
    size_t limit = q.limit ? q.limit : HP_USERS_LIMIT_DEFAULT;
    q.limit = limit + 1; /* One more than shown: whether there are more. */
    int rc = hp_store_users_search(store, actor->school.id, &q, &users, &n);
    if (rc == HP_OK)
        rc = hp_store_rooms_list(store, actor->school.id, &rooms, &room_count);
    if (rc < 0) {
        hp_users_free(users, n);
        return rc;
    }
    if (n > limit) {
        for (size_t i = limit; i < n; i++)
            hp_user_release(&users[i]);
        *more_out = true;
        n = limit;
    }
    /* A school has tens of rooms: one map from id to name for the whole list. */
    GHashTable *names = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (size_t i = 0; i < room_count; i++)
        g_hash_table_insert(names, &rooms[i].id, rooms[i].name);
    hp_user_row *rows = g_new0(hp_user_row, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        rows[i].user = users[i];
        rows[i].room = g_strdup(g_hash_table_lookup(names, &users[i].room_id));
    }
    g_free(users); /* Its members now belong to rows. */
    g_hash_table_destroy(names);
    hp_rooms_free(rooms, room_count);
    *out = rows;
    *count_out = n;
    return HP_OK;
}

/* The users.csv fields of a change over the stored user (NULL for a new one), as the
 * importer takes them; the limit's text lives in the row. */
typedef struct {
    const char *fields[HP_USER_COLUMNS];
    char limit[HP_SETTING_VALUE_LEN];
} change_row;

static int row_from_change(const hp_user_change *change, const hp_user_row *stored, change_row *row)
{
    const char **f = row->fields;
    const hp_user *u = stored ? &stored->user : NULL;
    f[HP_USER_NAME] = change->name ? change->name : u ? u->name : NULL;
    f[HP_USER_EMAIL] = change->email ? change->email : u ? u->email : NULL;
    f[HP_USER_ROLE] = change->role ? change->role : u ? hp_role_name(u->role) : NULL;
    /* A room not given stays, unless the user becomes a student, who has none. */
    f[HP_USER_ROOM] = change->room;
    if (change->room == NULL && stored &&
        !(change->role && g_ascii_strcasecmp(change->role, "student") == 0))
        f[HP_USER_ROOM] = stored->room;
    f[HP_USER_PASSWORD] = change->password;
    f[HP_USER_STUDENT_ID] = change->student_id;
    if (change->max_passes_per_day.given) {
        int limit = 0;
        int rc = change->max_passes_per_day.wrong_kind
                     ? hp_setting_wrong_kind(&hp_field_max_passes_per_day)
                     : hp_setting_take(&hp_field_max_passes_per_day,
                                       &change->max_passes_per_day.value, &limit);
        if (rc < 0)
            return rc;
        /* The importer reads the limit as a file's text: empty is none. */
        if (limit)
            g_snprintf(row->limit, sizeof(row->limit), "%d", limit);
        f[HP_USER_MAX_PASSES_PER_DAY] = row->limit;
    }
    return HP_OK;
}

/* The audit record of a change, in its transaction: the user before and after (never a
 * password or hash); nothing when nothing changed. */
static int audit_change(hp_store *store, const hp_actor *actor, const char *action,
                        const hp_user_row *before, const hp_user_row *after)
{
    json_t *b = before ? hp_user_row_json(before) : NULL;
    json_t *a = hp_user_row_json(after);
    if (b && json_equal(a, b)) {
        json_decref(a);
        json_decref(b);
        return HP_OK;
    }
    hp_audit_by by = hp_audit_by_actor(actor);
    return hp_audit_write(store, &by, g_get_real_time() / G_USEC_PER_SEC, action, after->user.email,
                          hp_audit_change(b, a));
}

/* Sets whether the user is active, inside the caller's transaction; deactivating ends their
 * sessions with it. */
static int set_active(hp_store *store, int64_t school_id, hp_user_row *row, bool active)
{
    bool changed;
    int rc = hp_store_user_active_put(store, school_id, row->user.id, active, &changed);
    row->user.active = active;
    if (rc == HP_OK && changed && !active)
        rc = hp_store_sessions_delete_user(store, school_id, row->user.id);
    return rc;
}

/* The importer's write of the row. The user was found already, so a name not found is a
 * field's value (a room), which is the request's fault. */
static int put_row(hp_importer *imp, const char *const *fields, int64_t user_id, int64_t *id)
{
    int rc = hp_importer_put_user(imp, fields, user_id, id);
    if (rc == HP_ENOTFOUND) {
        char *message = g_strdup(hp_error_last());
        rc = hp_error_set(HP_EINVALID, "%s", message);
        g_free(message);
    }
    return rc;
}

/* Saves a change through the importer (every check of a users.csv row) in its transaction,
 * with the active flag and the audit record. user_id is HP_IMPORT_NEW_USER for a creation. */
static int save_change(hp_store *store, const hp_actor *actor, int64_t user_id,
                       const hp_user_change *change, hp_user_row *out)
{
    hp_importer *imp;
    hp_user_row before = {0}, after = {0};
    change_row row = {0};
    int64_t id = 0;
    bool creating = user_id == HP_IMPORT_NEW_USER;
    int rc = hp_importer_new(&imp, store, &actor->school, actor->tz, HP_IMPORT_USERS);
    if (rc < 0)
        return rc;
    if ((creating || (rc = row_read(store, actor->school.id, user_id, &before)) == HP_OK) &&
        (rc = row_from_change(change, creating ? NULL : &before, &row)) == HP_OK &&
        (rc = put_row(imp, row.fields, user_id, &id)) == HP_OK &&
        (rc = row_read(store, actor->school.id, id, &after)) == HP_OK &&
        (creating || change->active == HP_USER_ACTIVE_KEEP ||
         (rc = set_active(store, actor->school.id, &after, change->active != 0)) == HP_OK)) {
        const char *action = creating                                   ? "user_create"
                             : before.user.active && !after.user.active ? "user_deactivate"
                             : !before.user.active && after.user.active ? "user_activate"
                                                                        : "user_update";
        if ((rc = audit_change(store, actor, action, creating ? NULL : &before, &after)) == HP_OK)
            rc = hp_importer_finish(imp, NULL);
    }
    hp_importer_free(imp);
    hp_user_row_release(&before);
    if (rc < 0) {
        hp_user_row_release(&after);
        return rc;
    }
    *out = after;
    return HP_OK;
}

int hp_user_create(hp_store *store, const hp_actor *actor, const hp_user_change *change,
                   hp_user_row *out)
{
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, ONLY_ADMINS);
    return save_change(store, actor, HP_IMPORT_NEW_USER, change, out);
}

int hp_user_update(hp_store *store, const hp_actor *actor, int64_t user_id,
                   const hp_user_change *change, hp_user_row *out)
{
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, ONLY_ADMINS);
    if (user_id <= 0)
        return hp_error_set(HP_ENOTFOUND, "no such user");
    if (change->password)
        return hp_error_set(HP_EINVALID, "password: a new password is set on its own, not with "
                                         "the other fields");
    /* An admin who locked themselves out would need another admin, or the command line. */
    if (user_id == actor->user.id && change->active == 0)
        return hp_error_set(HP_EINVALID, "active: you cannot deactivate your own account");
    if (user_id == actor->user.id && change->role && g_ascii_strcasecmp(change->role, "admin"))
        return hp_error_set(HP_EINVALID, "role: you cannot take away your own admin role");
    return save_change(store, actor, user_id, change, out);
}

int hp_user_reset_password(hp_store *store, const hp_actor *actor, int64_t user_id,
                           const char *password)
{
    char hash[HP_PASSWORD_HASH_MAX];
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, ONLY_ADMINS);
    int rc = hp_check_password(password); /* The password column's check. */
    if (rc == HP_OK)
        rc = hp_password_hash(hash, password);
    if (rc < 0)
        return rc;
    hp_audit_by by = hp_audit_by_actor(actor);
    return store_password(store, actor->school.id, NULL, user_id, hash, &by);
}
