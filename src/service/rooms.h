/*
 * Rooms: every signed-in user lists them (to pick a destination); admins create rooms and
 * change their name, folder and limits. Names are cleaned as imports clean them, so the same
 * room is never stored two ways.
 */
#ifndef HP_SERVICE_ROOMS_H
#define HP_SERVICE_ROOMS_H

#include "service/actor.h"
#include "service/settings.h"
#include "store/store.h"

/* What a request changes in a room; a NULL string or a false has_ leaves that field alone. */
typedef struct {
    const char *name;
    const char *folder; /* "" for none. */
    bool has_max_from;
    int64_t max_from; /* 0 for no limit; anything but 0 or 1..HP_LIMIT_MAX is refused. */
    bool has_max_to;
    int64_t max_to;
    /* The pass rules' fields (see core/settings.h); not given leaves them alone. */
    hp_field_change time_limit_minutes;
    hp_field_change counts_toward_limit; /* null restores the default, true. */
} hp_room_change;

/* Every room of the actor's school, in the order they were created. */
int hp_rooms_list(hp_store *store, const hp_actor *actor, hp_room **out, size_t *count_out);

/* Creates a room (admins only); the change must name it. */
int hp_room_create(hp_store *store, const hp_actor *actor, const hp_room_change *change,
                   hp_room *out);

/* Changes a room (admins only); HP_ENOTFOUND when the school has no such room. */
int hp_room_update(hp_store *store, const hp_actor *actor, int64_t room_id,
                   const hp_room_change *change, hp_room *out);

/* Finds a room of the actor's school by name (ASCII case ignored) for a request's field:
 * HP_EINVALID naming the field when it is missing, too long or not a room. */
int hp_room_named(hp_store *store, const hp_actor *actor, const char *field, const char *name,
                  hp_room *out);

#endif
