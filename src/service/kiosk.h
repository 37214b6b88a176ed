/*
 * Kiosk mode: a staff member turns their session into a kiosk in a room, and back with their
 * password, so that a student at the kiosk cannot. What a kiosk says of itself is one shape,
 * hp_kiosk_state, wherever it is shown.
 */
#ifndef HP_SERVICE_KIOSK_H
#define HP_SERVICE_KIOSK_H

#include "service/actor.h"
#include "service/auth.h"
#include "store/store.h"

/* Starts kiosk mode in the named room; *room_out is the room. Staff only. */
int hp_kiosk_start(hp_store *store, const hp_actor *actor, const unsigned char *token_hash,
                   const char *room_name, hp_room *room_out);

/* Leaves kiosk mode with the staff member's password, checked and throttled as a kiosk exit:
 * HP_ECONFLICT when not in kiosk mode, HP_EFORBIDDEN for a wrong password, HP_ETHROTTLED with
 * *wait_out. */
int hp_kiosk_stop(hp_store *store, hp_auth_guard *guard, const hp_actor *actor,
                  const unsigned char *token_hash, const char *password, int64_t now,
                  int64_t *wait_out);

#endif
