/* Who is asking, and the things every path finds about them; see actor.h. */
#include "service/actor.h"

#include "core/error.h"

#include <string.h>

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
