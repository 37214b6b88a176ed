/*
 * No-pass times: the school's bell schedule and its blackouts, as admins read and change them
 * (the Pass rules page, the API) and as the transaction of a pass reads them for the rule
 * that students and kiosks may not start a pass in the first or last minutes of a period or
 * during a blackout. Each change is one transaction that locks the school's row first, so a
 * pass being created finishes with the old times and one created after sees the new.
 */
#ifndef HP_SERVICE_NOPASS_H
#define HP_SERVICE_NOPASS_H

#include "core/schedule.h"
#include "core/settings.h"
#include "service/actor.h"
#include "store/store.h"

#include <stdbool.h>

/* What the rule read at one instant: the window it falls in (when found), and the rows it
 * points into. hp_nopass_state_release frees them. */
typedef struct {
    hp_schedule day;      /* The schedule's rows of the instant's local day. */
    hp_blackout blackout; /* The blackout that answers, when one does. */
    hp_no_pass_window window;
    bool found;
} hp_nopass_state;

void hp_nopass_state_release(hp_nopass_state *state);

/* Inside the pass's transaction, after its locks: the no-pass window at now, reading the one
 * blackout that answers and, when none does and the first or last minutes are on, the rows of
 * now's local day. A bounded read whatever the history. */
int hp_nopass_read(hp_store *store, int64_t school_id, const hp_tz *tz, const hp_settings *settings,
                   int64_t now, hp_nopass_state *out);

/* The bell schedule (admins only): read whole, or replaced whole in one transaction;
 * *changed tells whether it differed. */
int hp_nopass_schedule_get(hp_store *store, const hp_actor *actor, hp_schedule *out);
int hp_nopass_schedule_put(hp_store *store, const hp_actor *actor, const hp_schedule *schedule,
                           bool *changed);

/* Blackouts (admins only): every one of the school's, by start; a new one from a request's
 * fields (start and end date-times with offsets, an empty start meaning now and an empty end
 * until deleted; reason optional); deleting one (HP_ENOTFOUND naming the id, also for another
 * school's). */
int hp_nopass_blackouts_list(hp_store *store, const hp_actor *actor, hp_blackout **out,
                             size_t *count_out);
int hp_nopass_blackout_add(hp_store *store, const hp_actor *actor, const char *start,
                           const char *end, const char *reason, int64_t now, hp_blackout *out);
int hp_nopass_blackout_delete(hp_store *store, const hp_actor *actor, int64_t blackout_id);

#endif
