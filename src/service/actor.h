/*
 * Who is asking: the signed-in user, their school, and whether their session is a kiosk.
 * Every service call takes an actor and works only inside the actor's school.
 */
#ifndef HP_SERVICE_ACTOR_H
#define HP_SERVICE_ACTOR_H

#include "core/model.h"
#include "core/tz.h"
#include "store/store.h"

typedef struct {
    hp_school school;
    const hp_tz *tz; /* The school's zone; not owned. */
    hp_user user;
    int64_t kiosk_room_id; /* Kiosk mode: a staff session launched as a kiosk in this room. */
    const char *client;    /* The request's client address, for the audit log; not owned, NULL
                              when the actor did not come from an HTTP request. */
} hp_actor;

/* True for a staff session used as it is, not in kiosk mode. */
static inline bool hp_actor_is_staff(const hp_actor *actor)
{
    return hp_role_is_staff(actor->user.role) && actor->kiosk_room_id == 0;
}

static inline bool hp_actor_is_admin(const hp_actor *actor)
{
    return actor->user.role == HP_ROLE_ADMIN && actor->kiosk_room_id == 0;
}

/* A kiosk: a kiosk login, or a staff session in kiosk mode. */
static inline bool hp_actor_is_kiosk(const hp_actor *actor)
{
    return actor->user.role == HP_ROLE_KIOSK || actor->kiosk_room_id != 0;
}

/* The room a kiosk stands in; 0 for others. */
static inline int64_t hp_actor_kiosk_room(const hp_actor *actor)
{
    return actor->user.role == HP_ROLE_KIOSK ? actor->user.room_id : actor->kiosk_room_id;
}

/* The rooms a signed-in user's pages start from. */
typedef struct {
    hp_room home;  /* A kiosk's room, or a staff member's home room; id 0 when none. */
    hp_room kiosk; /* The room the actor stands in as a kiosk; id 0 when not a kiosk. */
} hp_actor_rooms;

/* Reads the actor's rooms; a store failure is an error, never a half-filled answer. */
int hp_actor_rooms_load(hp_store *store, const hp_actor *actor, hp_actor_rooms *out);
void hp_actor_rooms_release(hp_actor_rooms *rooms);

/* Frees what the actor holds (its school and user), not its zone. */
void hp_actor_release(hp_actor *actor);

#endif
