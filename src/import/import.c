/*
 * Row checks and writes for the kinds of import, and the CSV front end that maps a
 * file's header to columns. Rooms and users seen during an import are cached by folded name
 * and email, so a pass row costs two hash lookups and one insert; the report counters are
 * summed in memory per (room or staff member, day) and written once at the end. Memory grows
 * with rooms, users and days, never with the number of rows.
 */
#include "import/import.h"

#include "core/error.h"
#include "core/password.h"
#include "core/rules.h"
#include "core/schedule.h"
#include "core/settings.h"
#include "core/util.h"
#include "import/csv_reader.h"
#include "store/tally.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static const char *const room_columns[] = {"name",
                                           "folder",
                                           "max_passes_from",
                                           "max_passes_to",
                                           "time_limit_minutes",
                                           "counts_toward_limit"};
static const char *const user_columns[] = {
    "name", "email", "role", "room", "password", "student_id", "max_passes_per_day"};
static const char *const pass_columns[] = {"id",      "student",  "origin", "destination",
                                           "creator", "source",   "type",   "start",
                                           "end",     "cancelled"};

static const char *const schedule_columns[] = {"day", "period", "start", "end"};

/* Columns a file must have. */
static const bool room_required[] = {true, false, false, false, false, false};
static const bool user_required[] = {true, true, true, false, false, false, false};

_Static_assert(HP_ARRAY_SIZE(room_columns) == HP_ROOM_COLUMNS, "a name for each room column");
_Static_assert(HP_ARRAY_SIZE(user_columns) == HP_USER_COLUMNS, "a name for each user column");
_Static_assert(HP_ARRAY_SIZE(pass_columns) == HP_PASS_COLUMNS, "a name for each pass column");
_Static_assert(HP_ARRAY_SIZE(room_required) == HP_ROOM_COLUMNS, "each room column required or not");
_Static_assert(HP_ARRAY_SIZE(user_required) == HP_USER_COLUMNS, "each user column required or not");
static const bool pass_required[] = {true, true, true, true, true, true, true, true, false, false};
static const bool schedule_required[] = {true, true, true, true};
_Static_assert(HP_ARRAY_SIZE(schedule_columns) == HP_SCHEDULE_COLUMNS,
               "a name for each schedule column");

typedef struct {
    int64_t id;
    hp_role role;             /* Users only. */
    int time_limit_minutes;   /* Rooms only: a pass to it takes this limit (0: the school's). */
    bool counts_toward_limit; /* Rooms only: a pass to it counts toward its student's limits. */
} cached_entity;

struct hp_importer {
    hp_store *store;
    const hp_school *school;
    const hp_tz *tz;
    hp_import_kind kind;
    bool in_transaction;
    GHashTable *rooms;              /* Folded name -> cached_entity. */
    GHashTable *users;              /* Folded email -> cached_entity. */
    hp_tally *counters;             /* What the new passes add to the reports. */
    hp_pass batch[HP_IMPORT_BATCH]; /* Passes checked and waiting to be written. */
    size_t batch_count;
    int64_t now;             /* When the import began: no pass ended after it. */
    hp_settings settings;    /* The school's, for the limit and deadline each pass keeps. */
    hp_schedule schedule;    /* A bell schedule's rows, written whole when the file is read. */
    bool room_rules_changed; /* A room's time limit or counting changed: passes still to
                                start take the new limits when the import commits. */
    hp_import_stats stats;
    const hp_audit_by *audit_by; /* Who the import's record names; NULL: no record. */
    char *audit_file;            /* The file it names. */
};

int hp_import_kind_parse(const char *word, hp_import_kind *out)
{
    if (strcmp(word, "rooms") == 0)
        *out = HP_IMPORT_ROOMS;
    else if (strcmp(word, "users") == 0)
        *out = HP_IMPORT_USERS;
    else if (strcmp(word, "passes") == 0)
        *out = HP_IMPORT_PASSES;
    else if (strcmp(word, "schedule") == 0)
        *out = HP_IMPORT_SCHEDULE;
    else
        return hp_error_set(HP_EINVALID, "\"%s\" is not rooms, users, passes or schedule", word);
    return HP_OK;
}

const char *hp_import_kind_name(hp_import_kind kind)
{
    static const char *const names[] = {"rooms", "users", "passes", "schedule"};
    return names[kind];
}

const char *const *hp_import_columns(hp_import_kind kind, size_t *count_out)
{
    switch (kind) {
    case HP_IMPORT_ROOMS:
        *count_out = HP_ROOM_COLUMNS;
        return room_columns;
    case HP_IMPORT_USERS:
        *count_out = HP_USER_COLUMNS;
        return user_columns;
    case HP_IMPORT_SCHEDULE:
        *count_out = HP_SCHEDULE_COLUMNS;
        return schedule_columns;
    case HP_IMPORT_PASSES:
        break;
    }
    *count_out = HP_PASS_COLUMNS;
    return pass_columns;
}

static const bool *required_columns(hp_import_kind kind)
{
    return kind == HP_IMPORT_ROOMS      ? room_required
           : kind == HP_IMPORT_USERS    ? user_required
           : kind == HP_IMPORT_SCHEDULE ? schedule_required
                                        : pass_required;
}

static const char *empty_to_null(const char *s)
{
    return (s && s[0]) ? s : NULL;
}

/* Copies value into buf without the whitespace around it, trimmed as every name is
 * (hp_name_trim): " Room 101 " names "Room 101". NULL for NULL. A value too long for buf is
 * cut; buffers hold one byte past each cap, so a value cut to fit still fails its check. */
static char *trimmed(const char *value, char *buf, size_t size)
{
    if (value == NULL)
        return NULL;
    size_t n;
    const char *start = hp_name_trim(value, &n);
    if (n >= size)
        n = size - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}

static int parse_limit(const char *field, const char *value, int *out)
{
    *out = 0;
    if (value == NULL || value[0] == '\0')
        return HP_OK;
    char *end;
    long v = strtol(value, &end, 10);
    if (*end != '\0' || value[0] < '0' || value[0] > '9' || v < 1 || v > HP_LIMIT_MAX)
        return hp_error_set(HP_EINVALID,
                            "%s: \"%s\" is not a whole number from 1 to %d (or empty for no "
                            "limit)",
                            field, value, HP_LIMIT_MAX);
    *out = (int)v;
    return HP_OK;
}

static int parse_bool(const char *field, const char *value, bool *out)
{
    if (value == NULL || value[0] == '\0' || g_ascii_strcasecmp(value, "false") == 0)
        *out = false;
    else if (g_ascii_strcasecmp(value, "true") == 0)
        *out = true;
    else
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not true, false or empty", field, value);
    return HP_OK;
}

int hp_importer_new(hp_importer **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                    hp_import_kind kind)
{
    int rc = hp_store_begin_import(store);
    *out = NULL;
    if (rc < 0)
        return rc;
    hp_importer *imp = g_new0(hp_importer, 1);
    imp->store = store;
    imp->school = school;
    imp->tz = tz;
    imp->kind = kind;
    imp->in_transaction = true;
    imp->rooms = g_hash_table_new_full(hp_ascii_case_hash, hp_ascii_case_equal, g_free, g_free);
    imp->users = g_hash_table_new_full(hp_ascii_case_hash, hp_ascii_case_equal, g_free, g_free);
    imp->now = g_get_real_time() / G_USEC_PER_SEC;
    imp->counters = hp_tally_new(tz);
    hp_schedule_init(&imp->schedule);
    /* Imported passes follow the rules of live ones: each keeps the time limit and the
     * auto-end deadline of the settings as they stand, so an open pass from long ago is not
     * out. */
    if (kind == HP_IMPORT_PASSES &&
        (rc = hp_store_settings_get(store, school->id, &imp->settings)) < 0) {
        hp_importer_free(imp);
        return rc;
    }
    *out = imp;
    return HP_OK;
}

void hp_importer_free(hp_importer *imp)
{
    if (imp == NULL)
        return;
    if (imp->in_transaction)
        hp_store_rollback(imp->store);
    g_free(imp->audit_file);
    for (size_t i = 0; i < imp->batch_count; i++)
        hp_pass_release(&imp->batch[i]);
    g_hash_table_destroy(imp->rooms);
    g_hash_table_destroy(imp->users);
    hp_tally_free(imp->counters);
    hp_schedule_release(&imp->schedule);
    g_free(imp);
}

static cached_entity *cache_put(GHashTable *cache, const char *key, int64_t id, hp_role role)
{
    cached_entity *e = g_new0(cached_entity, 1);
    e->id = id;
    e->role = role;
    g_hash_table_replace(cache, g_strdup(key), e);
    return e;
}

/* Finds a room by name, through the cache; the message names the field. *room_out (may be
 * NULL) gets the cached room, with the rule fields a pass to it takes. */
static int lookup_room(hp_importer *imp, const char *field, const char *name, int64_t *id_out,
                       const cached_entity **room_out)
{
    char buf[HP_NAME_MAX + 2];
    const char *key = trimmed(name, buf, sizeof(buf));
    if (key == NULL || key[0] == '\0')
        return hp_error_set(HP_EINVALID, "%s: empty", field);
    cached_entity *e = g_hash_table_lookup(imp->rooms, key);
    if (e == NULL) {
        hp_room room = {0};
        int rc = hp_store_room_find(imp->store, imp->school->id, key, &room);
        if (rc < 0)
            return hp_error_prefix(rc, "%s", field);
        e = cache_put(imp->rooms, key, room.id, HP_ROLE_ADMIN);
        e->time_limit_minutes = room.time_limit_minutes;
        e->counts_toward_limit = room.counts_toward_limit;
        hp_room_release(&room);
    }
    *id_out = e->id;
    if (room_out)
        *room_out = e;
    return HP_OK;
}

static int lookup_user(hp_importer *imp, const char *field, const char *email, int64_t *id_out,
                       hp_role *role_out)
{
    char buf[HP_EMAIL_MAX + 2];
    const char *key = trimmed(email, buf, sizeof(buf));
    if (key == NULL || key[0] == '\0')
        return hp_error_set(HP_EINVALID, "%s: empty", field);
    cached_entity *e = g_hash_table_lookup(imp->users, key);
    if (e) {
        *id_out = e->id;
        *role_out = e->role;
        return HP_OK;
    }
    hp_user user = {0};
    int rc = hp_store_user_find(imp->store, imp->school->id, key, &user, NULL);
    if (rc < 0)
        return hp_error_prefix(rc, "%s", field);
    cache_put(imp->users, key, user.id, user.role);
    *id_out = user.id;
    *role_out = user.role;
    hp_user_release(&user);
    return HP_OK;
}

static void count_stat(hp_importer *imp, bool added, bool changed)
{
    if (added)
        imp->stats.added++;
    else if (changed)
        imp->stats.updated++;
    else
        imp->stats.unchanged++;
}

/* The pass-rule columns of rooms and users: a file without them changes none of them. */

/* A room's rule fields before its row applies: the stored ones, or a new room's defaults. */
static void room_rules_start(hp_room *room, const hp_room *existing)
{
    room->time_limit_minutes = existing ? existing->time_limit_minutes : 0;
    room->counts_toward_limit =
        existing ? existing->counts_toward_limit : hp_field_counts_toward_limit.default_value != 0;
}

static int room_rules_parse(hp_room *room, const char *const *f)
{
    int value, rc;
    if (f[HP_ROOM_TIME_LIMIT]) {
        if ((rc = hp_setting_parse(&hp_field_time_limit_minutes, f[HP_ROOM_TIME_LIMIT], &value)) <
            0)
            return rc;
        room->time_limit_minutes = value;
    }
    if (f[HP_ROOM_COUNTS_TOWARD_LIMIT]) {
        if ((rc = hp_setting_parse(&hp_field_counts_toward_limit, f[HP_ROOM_COUNTS_TOWARD_LIMIT],
                                   &value)) < 0)
            return rc;
        room->counts_toward_limit = value != 0;
    }
    return HP_OK;
}

/* Writes the rule fields after the room itself; *changed gains whether they changed. */
static int room_rules_put(hp_importer *imp, const hp_room *room, bool *changed)
{
    bool rules_changed;
    int rc = hp_store_room_rules_put(imp->store, imp->school->id, room, &rules_changed);
    *changed = *changed || rules_changed;
    imp->room_rules_changed = imp->room_rules_changed || rules_changed;
    return rc;
}

/* Only a student has a daily limit of their own. */
static int user_rules_parse(hp_user *user, const char *const *f)
{
    const char *text = f[HP_USER_MAX_PASSES_PER_DAY];
    int value;
    if (text == NULL)
        return HP_OK;
    int rc = hp_setting_parse(&hp_field_max_passes_per_day, text, &value);
    if (rc < 0)
        return rc;
    if (value != 0 && user->role != HP_ROLE_STUDENT)
        return hp_error_set(HP_EINVALID,
                            "max_passes_per_day: \"%.40s\": only a student has a daily limit of "
                            "their own, not %s %s",
                            text, user->role == HP_ROLE_ADMIN ? "an" : "a",
                            hp_role_name(user->role));
    user->max_passes_per_day = value;
    return HP_OK;
}

static int user_rules_put(hp_importer *imp, hp_user *user, bool *changed)
{
    bool rules_changed;
    /* A student who becomes staff loses their own limit, which only students have. */
    if (user->role != HP_ROLE_STUDENT)
        user->max_passes_per_day = 0;
    int rc = hp_store_user_rules_put(imp->store, imp->school->id, user, &rules_changed);
    *changed = *changed || rules_changed;
    return rc;
}

static int add_room(hp_importer *imp, const char *const *f)
{
    hp_room room = {0};
    char *name = NULL, *folder = NULL;
    int rc;

    if ((rc = hp_name_clean(&name, "name", f[HP_ROOM_NAME], true)) < 0 ||
        (rc = hp_name_clean(&folder, "folder", f[HP_ROOM_FOLDER], false)) < 0 ||
        (rc = parse_limit("max_passes_from", f[HP_ROOM_MAX_FROM], &room.max_from)) < 0 ||
        (rc = parse_limit("max_passes_to", f[HP_ROOM_MAX_TO], &room.max_to)) < 0)
        goto out;

    hp_room existing = {0};
    rc = hp_store_room_find(imp->store, imp->school->id, name, &existing);
    if (rc < 0 && rc != HP_ENOTFOUND)
        goto out;
    room.id = rc == HP_OK ? existing.id : 0;
    room_rules_start(&room, rc == HP_OK ? &existing : NULL);
    hp_room_release(&existing);
    if ((rc = room_rules_parse(&room, f)) < 0)
        goto out;
    room.name = name;
    room.folder = folder;

    bool changed;
    bool added = room.id == 0;
    if ((rc = hp_store_room_put(imp->store, imp->school->id, &room, &changed)) < 0) {
        hp_error_prefix(rc, "name");
        goto out;
    }
    if ((rc = room_rules_put(imp, &room, &changed)) < 0)
        goto out;
    cache_put(imp->rooms, name, room.id, HP_ROLE_ADMIN);
    count_stat(imp, added, changed);
out:
    g_free(name);
    g_free(folder);
    return rc;
}

/* The room column of a user: required for a kiosk (the room it stands in), a home room for
 * staff, none for a student. Sets *room_id (0 for none). */
static int user_room(hp_importer *imp, hp_role role, const char *room_name, int64_t *room_id)
{
    *room_id = 0;
    if (role == HP_ROLE_KIOSK && room_name == NULL)
        return hp_error_set(HP_EINVALID, "room: a kiosk needs the room it stands in");
    if (role == HP_ROLE_STUDENT && room_name != NULL)
        return hp_error_set(HP_EINVALID,
                            "room: \"%s\": a student has no room; only a kiosk (the room it "
                            "stands in) or staff (their home room) has one",
                            room_name);
    if (room_name == NULL)
        return HP_OK;
    return lookup_room(imp, "room", room_name, room_id, NULL);
}

/*
 * The student_id column of a user. With no such column (value NULL) a student keeps the ID
 * stored (*keep set); an empty value is no ID. An ID must be well formed, belong to a student,
 * and not be another user's in the school (user->id is the stored user's, 0 for a new one) (an
 * earlier row of the same file is stored already, so this also finds two rows with one ID). Sets
 * *out to the ID, trimmed, into buf.
 */
static int user_student_id(hp_importer *imp, const hp_user *user, const char *value, char *buf,
                           size_t size, const char **out, bool *keep)
{
    *out = NULL;
    *keep = value == NULL && user->role == HP_ROLE_STUDENT;
    const char *id = trimmed(value, buf, size);
    if (id == NULL || id[0] == '\0')
        return HP_OK;
    if (user->role != HP_ROLE_STUDENT)
        return hp_error_set(HP_EINVALID,
                            "student_id: \"%s\": only a student has a student ID, not a %s", id,
                            hp_role_name(user->role));
    int rc = hp_check_student_id(id);
    if (rc < 0)
        return rc;
    hp_user other = {0};
    rc = hp_store_user_find_student_id(imp->store, imp->school->id, id, &other);
    if (rc == HP_OK && other.id != user->id)
        rc = hp_error_set(HP_ECONFLICT,
                          "student_id: \"%s\" is already the student ID of %s (\"%s\"); each "
                          "student's ID is their own",
                          id, other.name, other.email);
    else if (rc == HP_OK || rc == HP_ENOTFOUND)
        rc = HP_OK;
    hp_user_release(&other);
    *out = id;
    return rc;
}

/* The stored user a row is about (see hp_importer_put_user()), with its hash: *existing is
 * left zero (id 0) for a new one. */
static int find_user(hp_importer *imp, const char *email, int64_t user_id, hp_user *existing,
                     char **stored_hash)
{
    int rc;
    if (user_id > 0) {
        if ((rc = hp_store_user_get(imp->store, imp->school->id, user_id, existing)) < 0)
            return rc;
        hp_user found = {0};
        rc = hp_store_user_find(imp->store, imp->school->id, existing->email, &found, stored_hash);
        hp_user_release(&found);
        return rc;
    }
    rc = hp_store_user_find(imp->store, imp->school->id, email, existing, stored_hash);
    if (rc == HP_OK && user_id == HP_IMPORT_NEW_USER)
        return hp_error_set(HP_EEXISTS, "email: %s (\"%s\") has that email already", existing->name,
                            existing->email);
    return rc == HP_ENOTFOUND ? HP_OK : rc;
}

static int put_user(hp_importer *imp, const char *const *f, int64_t user_id, int64_t *id_out)
{
    /* Buffers of a name's size, so that a message shows what the file holds. */
    char role_buf[HP_NAME_MAX + 2], email_buf[HP_EMAIL_MAX + 2], room_buf[HP_NAME_MAX + 2];
    char student_id_buf[HP_NAME_MAX + 2];
    char *name = NULL;
    char *email = trimmed(f[HP_USER_EMAIL], email_buf, sizeof(email_buf));
    const char *role_word = empty_to_null(trimmed(f[HP_USER_ROLE], role_buf, sizeof(role_buf)));
    const char *room_name = empty_to_null(trimmed(f[HP_USER_ROOM], room_buf, sizeof(room_buf)));
    const char *password = empty_to_null(f[HP_USER_PASSWORD]);
    hp_user user = {0};
    hp_user existing = {0};
    char *stored_hash = NULL;
    bool keep_student_id;
    int rc;

    if ((rc = hp_name_clean(&name, "name", f[HP_USER_NAME], true)) < 0 ||
        (rc = hp_check_email(email)) < 0)
        goto out;
    if (role_word == NULL) {
        rc = hp_error_set(HP_EINVALID, "role: empty");
        goto out;
    }
    if ((rc = hp_role_parse(role_word, &user.role)) < 0) {
        hp_error_prefix(rc, "role");
        goto out;
    }
    user.name = name;
    user.email = email;
    if ((rc = user_room(imp, user.role, room_name, &user.room_id)) < 0 ||
        (rc = find_user(imp, email, user_id, &existing, &stored_hash)) < 0)
        goto out;
    user.id = existing.id;
    const char *student_id;
    if ((rc = user_student_id(imp, &user, f[HP_USER_STUDENT_ID], student_id_buf,
                              sizeof(student_id_buf), &student_id, &keep_student_id)) < 0)
        goto out;
    if (password && (rc = hp_check_password(password)) < 0)
        goto out;
    user.student_id = keep_student_id ? existing.student_id : (char *)student_id;
    user.max_passes_per_day = existing.max_passes_per_day;
    if ((rc = user_rules_parse(&user, f)) < 0)
        goto out;

    /* A password that matches the stored hash keeps it, so a second import of the same file
     * changes nothing. */
    char hash[HP_PASSWORD_HASH_MAX];
    const char *new_hash = NULL;
    if (password && !hp_password_verify(stored_hash, password)) {
        if ((rc = hp_password_hash(hash, password)) < 0)
            goto out;
        new_hash = hash;
    }

    bool changed;
    bool added = user.id == 0;
    if ((rc = hp_store_user_put(imp->store, imp->school->id, &user, new_hash, &changed)) < 0) {
        hp_error_prefix(rc, "email");
        goto out;
    }
    if ((rc = user_rules_put(imp, &user, &changed)) < 0)
        goto out;
    /* A new password ends the sessions signed in with the old one, in this transaction, as a
     * password set on the command line does; the same password keeps them. */
    if (new_hash && !added &&
        (rc = hp_store_sessions_delete_user(imp->store, imp->school->id, user.id)) < 0)
        goto out;
    /* An email changed by id leaves the old one cached; no file row changes an email. */
    cache_put(imp->users, email, user.id, user.role);
    count_stat(imp, added, changed);
    if (id_out)
        *id_out = user.id;
out:
    g_free(name);
    g_free(stored_hash);
    hp_user_release(&existing);
    return rc;
}

int hp_importer_put_user(hp_importer *imp, const char *const *fields, int64_t user_id,
                         int64_t *id_out)
{
    if (imp->kind != HP_IMPORT_USERS)
        return hp_error_set(HP_EINVALID, "not an import of users");
    imp->stats.rows++;
    return put_user(imp, fields, user_id, id_out);
}

/* Writes the waiting passes, and counts those that were new. */
static int flush_passes(hp_importer *imp)
{
    bool inserted[HP_IMPORT_BATCH];
    int rc =
        hp_store_passes_import(imp->store, imp->school->id, imp->batch, imp->batch_count, inserted);
    for (size_t i = 0; i < imp->batch_count && rc == HP_OK; i++) {
        const hp_pass *pass = &imp->batch[i];
        count_stat(imp, inserted[i], false);
        if (inserted[i])
            hp_tally_pass(imp->counters, pass, 1);
    }
    for (size_t i = 0; i < imp->batch_count; i++)
        hp_pass_release(&imp->batch[i]);
    imp->batch_count = 0;
    return rc;
}

static int add_pass(hp_importer *imp, const char *const *f)
{
    hp_pass pass = {0};
    hp_role student_role, creator_role;
    const cached_entity *destination = NULL;
    const char *ext_id = empty_to_null(f[HP_PASS_ID]);
    const char *value;
    int rc;

    if (ext_id == NULL)
        return hp_error_set(HP_EINVALID, "id: empty");
    if (strlen(ext_id) > HP_EXT_ID_MAX || !g_utf8_validate(ext_id, -1, NULL))
        return hp_error_set(HP_EINVALID, "id: not UTF-8 text of at most %d bytes", HP_EXT_ID_MAX);
    if ((rc = lookup_user(imp, "student", f[HP_PASS_STUDENT], &pass.student_id, &student_role)) <
            0 ||
        (rc = lookup_room(imp, "origin", f[HP_PASS_ORIGIN], &pass.origin_id, NULL)) < 0 ||
        (rc = lookup_room(imp, "destination", f[HP_PASS_DESTINATION], &pass.destination_id,
                          &destination)) < 0 ||
        (rc = lookup_user(imp, "creator", f[HP_PASS_CREATOR], &pass.creator_id, &creator_role)) < 0)
        return rc;
    if ((value = empty_to_null(f[HP_PASS_SOURCE])) == NULL)
        return hp_error_set(HP_EINVALID, "source: empty");
    if ((rc = hp_source_parse(value, &pass.source)) < 0)
        return hp_error_prefix(rc, "source");
    if ((value = empty_to_null(f[HP_PASS_TYPE])) == NULL)
        return hp_error_set(HP_EINVALID, "type: empty");
    if ((rc = hp_pass_type_parse(value, &pass.type)) < 0)
        return hp_error_prefix(rc, "type");
    if ((value = empty_to_null(f[HP_PASS_START])) == NULL)
        return hp_error_set(HP_EINVALID, "start: empty");
    if ((rc = hp_datetime_parse(value, &pass.start)) < 0)
        return hp_error_prefix(rc, "start");
    if ((value = empty_to_null(f[HP_PASS_END])) != NULL) {
        if ((rc = hp_datetime_parse(value, &pass.end)) < 0)
            return hp_error_prefix(rc, "end");
        /* A pass ends when someone ends it; one still out has an empty end. Stored ends are
         * never ahead of now, which is what lets a pass with an empty end stand for a pass
         * that is out (see the stores' open-passes index). */
        if (pass.end > imp->now)
            return hp_error_set(HP_EINVALID,
                                "end: \"%s\" is in the future; a pass still out has an empty "
                                "end",
                                value);
        pass.has_end = true;
    }
    if ((rc = parse_bool("cancelled", f[HP_PASS_CANCELLED], &pass.cancelled)) < 0)
        return rc;
    hp_pass_labels labels = {f[HP_PASS_STUDENT], f[HP_PASS_CREATOR], f[HP_PASS_DESTINATION],
                             f[HP_PASS_START], f[HP_PASS_END]};
    if ((rc = hp_pass_check_roles(&pass, student_role, creator_role, &labels)) < 0)
        return rc;
    pass.local_day = hp_tz_local_day(imp->tz, pass.start);
    hp_pass_fix_limits(&pass, &imp->settings, destination->time_limit_minutes,
                       destination->counts_toward_limit);

    pass.ext_id = g_strdup(ext_id);
    imp->batch[imp->batch_count++] = pass;
    if (imp->batch_count == HP_IMPORT_BATCH)
        return flush_passes(imp);
    return HP_OK;
}

/* A row of the bell schedule, kept until the whole file is read: the file replaces the
 * schedule, so it is written once, and only when it differs. */
static int add_schedule_row(hp_importer *imp, const char *const *f)
{
    char period_buf[HP_NAME_MAX + 2], day_buf[HP_NAME_MAX + 2];
    char start_buf[HP_NAME_MAX + 2], end_buf[HP_NAME_MAX + 2];
    return hp_schedule_add(&imp->schedule, trimmed(f[HP_SCHEDULE_DAY], day_buf, sizeof(day_buf)),
                           trimmed(f[HP_SCHEDULE_PERIOD], period_buf, sizeof(period_buf)),
                           trimmed(f[HP_SCHEDULE_START], start_buf, sizeof(start_buf)),
                           trimmed(f[HP_SCHEDULE_END], end_buf, sizeof(end_buf)));
}

/* Replaces the stored schedule with the file's. The school's row is locked first, as every
 * change of the no-pass times does, so passes being created finish with the old one. */
static int write_schedule(hp_importer *imp)
{
    int rc = hp_store_school_lock(imp->store, imp->school->id);
    if (rc < 0)
        return rc;
    return hp_store_schedule_put(imp->store, imp->school->id, &imp->schedule, &imp->stats.replaced);
}

int hp_importer_add(hp_importer *imp, const char *const *fields)
{
    imp->stats.rows++;
    switch (imp->kind) {
    case HP_IMPORT_ROOMS:
        return add_room(imp, fields);
    case HP_IMPORT_USERS:
        return put_user(imp, fields, HP_IMPORT_BY_EMAIL, NULL);
    case HP_IMPORT_SCHEDULE:
        return add_schedule_row(imp, fields);
    case HP_IMPORT_PASSES:
        break;
    }
    return add_pass(imp, fields);
}

void hp_importer_audit(hp_importer *imp, const hp_audit_by *by, const char *file)
{
    imp->audit_by = by;
    g_free(imp->audit_file);
    imp->audit_file = g_strdup(file);
}

/* The import's record, in its transaction: the file and what it did. */
static int write_audit(hp_importer *imp)
{
    const hp_import_stats *st = &imp->stats;
    json_t *detail = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", imp->audit_file, "rows",
                               (json_int_t)st->rows, "added", (json_int_t)st->added, "updated",
                               (json_int_t)st->updated, "unchanged", (json_int_t)st->unchanged);
    if (imp->kind == HP_IMPORT_SCHEDULE)
        json_object_set_new(detail, "replaced", json_boolean(st->replaced));
    return hp_audit_write(imp->store, imp->audit_by, imp->now, "import",
                          hp_import_kind_name(imp->kind), detail);
}

int hp_importer_finish(hp_importer *imp, hp_import_stats *stats_out)
{
    int rc = flush_passes(imp);
    if (rc < 0)
        return rc;
    if (imp->kind == HP_IMPORT_SCHEDULE && (rc = write_schedule(imp)) < 0)
        return rc;
    if (imp->room_rules_changed &&
        (rc = hp_store_passes_refix_upcoming(imp->store, imp->school->id, imp->now)) < 0)
        return rc;
    rc = hp_tally_commit(imp->counters, imp->store, imp->school->id);
    if (rc < 0)
        return rc;
    if (imp->audit_by && (rc = write_audit(imp)) < 0)
        return rc;
    if ((rc = hp_store_commit(imp->store)) < 0)
        return rc;
    imp->in_transaction = false;
    if (stats_out)
        *stats_out = imp->stats;
    return HP_OK;
}

/* The CSV front end: the header line maps names to columns, then each row is reordered into
 * field order and handed to the importer. */

/* Bytes of a header name compared with the column names: longer than any of them. */
#define HP_CSV_HEADER_NAME_MAX 64
typedef struct {
    hp_importer *imp;
    const char *label;
    const char *const *columns;
    size_t column_count;
    int map[HP_CSV_FIELDS_MAX]; /* File field index -> column index. */
    size_t field_count;         /* Fields in the header. */
    bool have_header;
    hp_import_progress_fn progress;
    void *progress_data;
} csv_import;

static int read_header(csv_import *ci, char **fields, size_t count)
{
    bool seen[HP_CSV_FIELDS_MAX] = {false};
    const bool *required = required_columns(ci->imp->kind);

    for (size_t i = 0; i < count; i++) {
        char buf[HP_CSV_HEADER_NAME_MAX];
        const char *name = trimmed(fields[i], buf, sizeof(buf));
        int col = -1;
        for (size_t c = 0; c < ci->column_count; c++)
            if (g_ascii_strcasecmp(name, ci->columns[c]) == 0)
                col = (int)c;
        if (col < 0) {
            GString *all = g_string_new(NULL);
            for (size_t c = 0; c < ci->column_count; c++)
                g_string_append_printf(all, "%s%s", c ? ", " : "", ci->columns[c]);
            int rc = hp_error_set(HP_EINVALID, "\"%.60s\" is not a column of a %s file (%s)",
                                  fields[i], hp_import_kind_name(ci->imp->kind), all->str);
            g_string_free(all, TRUE);
            return rc;
        }
        if (seen[col])
            return hp_error_set(HP_EINVALID, "%s: the column appears twice", ci->columns[col]);
        seen[col] = true;
        ci->map[i] = col;
    }
    for (size_t c = 0; c < ci->column_count; c++)
        if (required[c] && !seen[c])
            return hp_error_set(HP_EINVALID, "%s: the header has no such column", ci->columns[c]);
    ci->field_count = count;
    ci->have_header = true;
    return HP_OK;
}

static int on_csv_record(void *data, size_t line, char **fields, size_t count)
{
    csv_import *ci = data;
    const char *row[HP_CSV_FIELDS_MAX] = {NULL};
    (void)line;

    if (!ci->have_header)
        return read_header(ci, fields, count);
    if (count != ci->field_count)
        return hp_error_set(HP_EINVALID, "%zu values where the header has %zu columns", count,
                            ci->field_count);
    for (size_t i = 0; i < count; i++)
        row[ci->map[i]] = fields[i];
    return hp_importer_add(ci->imp, row);
}

static void on_csv_progress(void *data, size_t records, long long bytes)
{
    csv_import *ci = data;
    if (ci->progress)
        ci->progress(ci->progress_data, records > 0 ? records - 1 : 0, bytes);
}

int hp_import_csv(hp_store *store, const hp_school *school, const hp_tz *tz, hp_import_kind kind,
                  FILE *in, const char *label, const hp_audit_by *by,
                  hp_import_progress_fn progress, void *progress_data, hp_import_stats *stats_out)
{
    csv_import ci = {.label = label, .progress = progress, .progress_data = progress_data};
    hp_csv_reader reader = {label, on_csv_record, on_csv_progress, &ci};
    int rc = hp_importer_new(&ci.imp, store, school, tz, kind);
    if (rc < 0)
        return rc;
    if (by)
        hp_importer_audit(ci.imp, by, label);
    ci.columns = hp_import_columns(kind, &ci.column_count);
    rc = hp_csv_read(&reader, in);
    if (rc == HP_OK && !ci.have_header)
        rc = hp_error_set(HP_EINVALID, "%s:1: the file is empty; the first line names the columns",
                          label);
    if (rc == HP_OK)
        rc = hp_importer_finish(ci.imp, stats_out);
    hp_importer_free(ci.imp);
    return rc;
}
