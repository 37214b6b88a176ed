/* Who is asking, and the things every path finds about them; see actor.h. */
#include "service/actor.h"

#include "core/error.h"

#include <string.h>

int hp_school_find(hp_store *store, int64_t school_id, hp_school *out)
{
    hp_school *all;
    size_t n;
    int rc = hp_store_schools_list(store, &all, &n);
    if (rc < 0)
        return rc;
    rc = hp_error_set(HP_ENOTFOUND, "no school with id %lld", (long long)school_id);
    for (size_t i = 0; i < n; i++) {
        if (all[i].id == school_id) {
            *out = all[i];
            all[i] = (hp_school){0};
            rc = HP_OK;
        }
    }
    hp_schools_free(all, n);
    return rc;
}

/* Reads a room the actor's session points at; a room gone since is none. */
static int load_room(hp_store *store, const hp_actor *actor, int64_t room_id, hp_room *out)
{
    if (room_id == 0)
        return HP_OK;
    int rc = hp_store_room_get(store, actor->school.id, room_id, out);
    return rc == HP_ENOTFOUND ? HP_OK : rc;
}

int hp_actor_rooms_load(hp_store *store, const hp_actor *actor, hp_actor_rooms *out)
{
    int rc;
    memset(out, 0, sizeof(*out));
    if ((rc = load_room(store, actor, actor->user.room_id, &out->home)) < 0 ||
        (rc = load_room(store, actor, hp_actor_kiosk_room(actor), &out->kiosk)) < 0)
        hp_actor_rooms_release(out);
    return rc;
}

void hp_actor_rooms_release(hp_actor_rooms *rooms)
{
    hp_room_release(&rooms->home);
    hp_room_release(&rooms->kiosk);
}

void hp_actor_release(hp_actor *actor)
{
    hp_school_release(&actor->school);
    hp_user_release(&actor->user);
}
