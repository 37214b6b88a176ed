/* Room rules; see rooms.h. */
#include "service/rooms.h"

#include "core/error.h"
#include "core/model.h"
#include "core/settings.h"

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

static int save(hp_store *store, const hp_actor *actor, hp_room *room)
{
    bool changed;
    int rc = hp_store_begin(store);
    if (rc < 0)
        return rc;
    if ((rc = hp_store_room_put(store, actor->school.id, room, &changed)) < 0 ||
        (rc = hp_store_room_rules_put(store, actor->school.id, room, &changed)) < 0 ||
        (changed && (rc = hp_store_passes_refix_upcoming(
                         store, actor->school.id, g_get_real_time() / G_USEC_PER_SEC)) < 0) ||
        (rc = hp_store_commit(store)) < 0)
        hp_store_rollback(store);
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
