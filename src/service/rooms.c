/* Room rules; see rooms.h. */
#include "service/rooms.h"

#include "core/error.h"
#include "core/model.h"
#include "core/settings.h"
#include "service/audit.h"

#include <glib.h>
#include <string.h>

int hp_rooms_list(hp_store *store, const hp_actor *actor, hp_room **out, size_t *count_out)
{
    return hp_store_rooms_list(store, actor->school.id, out, count_out);
}

int hp_room_named(hp_store *store, const hp_actor *actor, const char *field, const char *name,
                  hp_room *out)
{
    if (name == NULL || name[0] == '\0')
        return hp_error_set(HP_EINVALID, "%s: missing", field);
    if (strlen(name) > HP_NAME_MAX)
        return hp_error_set(HP_EINVALID, "%s: longer than %d bytes", field, HP_NAME_MAX);
    int rc = hp_store_room_find(store, actor->school.id, name, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_EINVALID, "%s: no room named \"%s\"", field, name);
    return rc;
}

static int apply_limit(const char *field, bool has, int64_t value, int *limit)
{
    if (!has)
        return HP_OK;
    if (value != 0 && (value < 1 || value > HP_LIMIT_MAX))
        return hp_error_set(HP_EINVALID,
                            "%s: must be a whole number from 1 to %d, or null for no limit", field,
                            HP_LIMIT_MAX);
    *limit = (int)value;
    return HP_OK;
}

/* Replaces a room's string field with its cleaned value. */
static int apply_name(const char *field, const char *value, bool required, char **target)
{
    char *clean;
    if (value == NULL)
        return HP_OK;
    int rc = hp_name_clean(&clean, field, value, required);
    if (rc < 0)
        return rc;
    g_free(*target);
    *target = clean;
    return HP_OK;
}

static int apply_change(const hp_room_change *change, hp_room *room)
{
    int rc;
    if ((rc = apply_name("name", change->name, true, &room->name)) < 0 ||
        (rc = apply_name("folder", change->folder, false, &room->folder)) < 0 ||
        (rc = apply_limit("max_passes_from", change->has_max_from, change->max_from,
                          &room->max_from)) < 0 ||
        (rc = apply_limit("max_passes_to", change->has_max_to, change->max_to, &room->max_to)) < 0)
        return rc;
    int counts = room->counts_toward_limit;
    if ((rc = hp_field_change_apply(&hp_field_time_limit_minutes, &change->time_limit_minutes,
                                    &room->time_limit_minutes)) < 0 ||
        (rc = hp_field_change_apply(&hp_field_counts_toward_limit, &change->counts_toward_limit,
                                    &counts)) < 0)
        return rc;
    room->counts_toward_limit = counts != 0;
    return HP_OK;
}

/* A room as its audit record shows it: what an admin sets, limits off as null. */
static json_t *audit_json(const hp_room *room)
{
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:o}", "name", hp_audit_text(room->name), "folder",
                  hp_audit_text(room->folder && room->folder[0] ? room->folder : NULL),
                  "max_passes_from", room->max_from ? json_integer(room->max_from) : json_null(),
                  "max_passes_to", room->max_to ? json_integer(room->max_to) : json_null());
    json_object_set_new(o, hp_field_time_limit_minutes.key,
                        room->time_limit_minutes ? json_integer(room->time_limit_minutes)
                                                 : json_null());
    json_object_set_new(o, hp_field_counts_toward_limit.key,
                        json_boolean(room->counts_toward_limit));
    return o;
}

/* Stores the room and, when it changed, its audit record, in one transaction; the record's
 * before is the room as the transaction reads it (none for a new room). */
static int save(hp_store *store, const hp_actor *actor, hp_room *room)
{
    bool changed = false, rules_changed = false, update = room->id != 0;
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    hp_audit_by by = hp_audit_by_actor(actor);
    hp_room stored = {0};
    int rc = hp_store_begin(store);
    if (rc < 0)
        return rc;
    if ((update && (rc = hp_store_room_get(store, actor->school.id, room->id, &stored)) < 0) ||
        (rc = hp_store_room_put(store, actor->school.id, room, &changed)) < 0 ||
        (rc = hp_store_room_rules_put(store, actor->school.id, room, &rules_changed)) < 0 ||
        (rules_changed && (rc = hp_store_passes_refix_upcoming(store, actor->school.id, now)) < 0))
        goto fail;
    json_t *change = hp_audit_diff(update ? audit_json(&stored) : NULL, audit_json(room));
    if (change && (rc = hp_audit_write(store, &by, now, update ? "room_update" : "room_create",
                                       room->name, change)) < 0)
        goto fail;
    if ((rc = hp_store_commit(store)) < 0)
        goto fail;
    hp_room_release(&stored);
    return HP_OK;
fail:
    hp_store_rollback(store);
    hp_room_release(&stored);
    return rc;
}

int hp_room_create(hp_store *store, const hp_actor *actor, const hp_room_change *change,
                   hp_room *out)
{
    /* A new room's passes count toward a student's limits unless the change says not. */
    hp_room room = {.counts_toward_limit = hp_field_counts_toward_limit.default_value != 0};
    int rc;
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, "only admins change rooms");
    if ((rc = apply_change(change, &room)) == HP_OK && room.name == NULL)
        rc = hp_error_set(HP_EINVALID, "name: missing");
    if (rc == HP_OK)
        rc = save(store, actor, &room);
    if (rc < 0) {
        hp_room_release(&room);
        return rc;
    }
    *out = room;
    return HP_OK;
}

int hp_room_update(hp_store *store, const hp_actor *actor, int64_t room_id,
                   const hp_room_change *change, hp_room *out)
{
    hp_room room = {0};
    int rc;
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, "only admins change rooms");
    if ((rc = hp_store_room_get(store, actor->school.id, room_id, &room)) == HP_OK &&
        (rc = apply_change(change, &room)) == HP_OK)
        rc = save(store, actor, &room);
    if (rc < 0) {
        hp_room_release(&room);
        return rc;
    }
    *out = room;
    return HP_OK;
}
