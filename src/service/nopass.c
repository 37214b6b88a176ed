/* No-pass times: the bell schedule and blackouts; see nopass.h. */
#include "service/nopass.h"

#include "core/error.h"
#include "service/events.h"
#include "service/settings.h"

#include <string.h>

void hp_nopass_state_release(hp_nopass_state *state)
{
    hp_schedule_release(&state->day);
    hp_blackout_release(&state->blackout);
    memset(state, 0, sizeof(*state));
}

int hp_nopass_read(hp_store *store, int64_t school_id, const hp_tz *tz, const hp_settings *settings,
                   int64_t now, hp_nopass_state *out)
{
    int rc;
    size_t blackouts = 0;
    memset(out, 0, sizeof(*out));
    if ((rc = hp_store_blackout_at(store, school_id, now, &out->blackout)) == HP_OK)
        blackouts = 1;
    else if (rc != HP_ENOTFOUND)
        return rc;
    /* A blackout answers before the bell: the day's rows are read only when none does. */
    if (blackouts == 0 &&
        (settings->no_pass_first_minutes > 0 || settings->no_pass_last_minutes > 0) &&
        (rc = hp_store_schedule_day(store, school_id, hp_tz_local_day(tz, now), &out->day)) < 0)
        return rc;
    out->found = hp_no_pass_at(&out->day, blackouts ? &out->blackout : NULL, blackouts, tz,
                               settings->no_pass_first_minutes, settings->no_pass_last_minutes, now,
                               &out->window);
    return HP_OK;
}

int hp_nopass_schedule_get(hp_store *store, const hp_actor *actor, hp_schedule *out)
{
    int rc = hp_actor_settings_allowed(actor);
    return rc < 0 ? rc : hp_store_schedule_get(store, actor->school.id, out);
}

/* Runs a change of the no-pass times in one transaction that locks the school's row first
 * (see nopass.h), and tells the school's pages when it committed. */
typedef int (*change_fn)(hp_store *store, int64_t school_id, void *data);

static int change(hp_store *store, const hp_actor *actor, change_fn fn, void *data)
{
    int rc = hp_actor_settings_allowed(actor);
    if (rc < 0 || (rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_school_lock(store, actor->school.id)) < 0 ||
        (rc = fn(store, actor->school.id, data)) < 0 || (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        return rc;
    }
    hp_events_notify(actor->school.id);
    return HP_OK;
}

typedef struct {
    const hp_schedule *schedule;
    bool *changed;
} schedule_change;

static int put_schedule(hp_store *store, int64_t school_id, void *data)
{
    schedule_change *c = data;
    return hp_store_schedule_put(store, school_id, c->schedule, c->changed);
}

int hp_nopass_schedule_put(hp_store *store, const hp_actor *actor, const hp_schedule *schedule,
                           bool *changed)
{
    schedule_change c = {schedule, changed};
    return change(store, actor, put_schedule, &c);
}

int hp_nopass_blackouts_list(hp_store *store, const hp_actor *actor, hp_blackout **out,
                             size_t *count_out)
{
    int rc = hp_actor_settings_allowed(actor);
    return rc < 0 ? rc : hp_store_blackouts_list(store, actor->school.id, out, count_out);
}

static int insert_blackout(hp_store *store, int64_t school_id, void *data)
{
    return hp_store_blackout_insert(store, school_id, data);
}

int hp_nopass_blackout_add(hp_store *store, const hp_actor *actor, const char *start,
                           const char *end, const char *reason, int64_t now, hp_blackout *out)
{
    hp_blackout b;
    /* Who may, before what they sent is read: a teacher learns nothing from a bad body. */
    int rc = hp_actor_settings_allowed(actor);
    if (rc < 0 || (rc = hp_blackout_parse(&b, start, end, reason, now)) < 0)
        return rc;
    b.created_by = actor->user.id;
    b.created_at = now;
    if ((rc = change(store, actor, insert_blackout, &b)) < 0) {
        hp_blackout_release(&b);
        return rc;
    }
    b.creator_name = g_strdup(actor->user.name);
    *out = b;
    return HP_OK;
}

static int delete_blackout(hp_store *store, int64_t school_id, void *data)
{
    return hp_store_blackout_delete(store, school_id, *(const int64_t *)data);
}

int hp_nopass_blackout_delete(hp_store *store, const hp_actor *actor, int64_t blackout_id)
{
    return change(store, actor, delete_blackout, &blackout_id);
}
