/*
 * Creating, ending and cancelling passes under the pass rules: one active pass per student,
 * Max Passes From and To This Room, overrides by staff only, scheduled passes in the future.
 * Each change is one store transaction in which the counts are read and the pass written, so
 * that no interleaving of requests breaks a limit; the report counters change in the same
 * transaction.
 */
#ifndef HP_SERVICE_PASSES_H
#define HP_SERVICE_PASSES_H

#include "service/actor.h"
#include "store/store.h"

/* The auto-end minutes live passes are judged with (none) until the pass rules give each
 * school its own. */
#define HP_PASS_NO_AUTO_END 0

typedef struct {
    const char *student;     /* Email or student ID; a student may leave it out. */
    const char *origin;      /* Room name; a kiosk may leave it out. */
    const char *destination; /* Room name. */
    hp_pass_type type;
    const char *start; /* ISO 8601 date-time with offset; scheduled passes only. */
    bool override;     /* Staff only: create the pass even past a room limit. */
} hp_pass_request;

/* Creates a pass for the actor; *out is it with its names. Errors: HP_EINVALID (a field; the
 * message names it), HP_EFORBIDDEN (the actor may not), HP_ECONFLICT (a limit or an active
 * pass; the message names the room, the limit and how many are out). */
int hp_pass_create(hp_store *store, const hp_actor *actor, const hp_pass_request *request,
                   int64_t now, hp_pass_view *out);

/* Ends an active pass now. */
int hp_pass_end(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                hp_pass_view *out);

/* Cancels a scheduled pass that has not started. */
int hp_pass_cancel(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                   hp_pass_view *out);

/* The passes the actor may see that are active now, or (upcoming) the scheduled passes not
 * yet started: staff see the school's, a student their own, a kiosk those from or to its
 * room. */
int hp_passes_visible(hp_store *store, const hp_actor *actor, int64_t now, bool upcoming,
                      hp_pass_view **out, size_t *count_out);

#endif
