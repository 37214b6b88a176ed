/* Kiosk mode; see kiosk.h. */
#include "service/kiosk.h"

#include "core/error.h"
#include "service/rooms.h"

int hp_kiosk_start(hp_store *store, const hp_actor *actor, const unsigned char *token_hash,
                   const char *room_name, hp_room *room_out)
{
    hp_room room = {0};
    if (!hp_actor_is_staff(actor))
        return hp_error_set(HP_EFORBIDDEN, "only staff launch kiosk mode");
    int rc = hp_room_named(store, actor, "room", room_name, &room);
    if (rc == HP_OK)
        rc = hp_store_session_set_kiosk(store, token_hash, room.id);
    if (rc < 0) {
        hp_room_release(&room);
        return rc;
    }
    *room_out = room;
    return HP_OK;
}

int hp_kiosk_stop(hp_store *store, hp_auth_guard *guard, const hp_actor *actor,
                  const unsigned char *token_hash, const char *password, int64_t now,
                  int64_t *wait_out)
{
    *wait_out = 0;
    if (actor->kiosk_room_id == 0)
        return hp_error_set(HP_ECONFLICT, "this session is not in kiosk mode");
    int rc = hp_auth_kiosk_exit_check(
        store, guard, actor, actor->user.email, password, now,
        "password: the staff member's password is needed to leave kiosk mode", wait_out);
    if (rc < 0)
        return rc;
    return hp_store_session_set_kiosk(store, token_hash, 0);
}
