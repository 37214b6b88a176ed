/* No-pass times: the bell schedule and blackouts; see nopass.h. */
#include "service/nopass.h"

#include "core/error.h"
#include "service/audit.h"
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
typedef int (*change_fn)(hp_store *store, const hp_actor *actor, void *data);

static int change(hp_store *store, const hp_actor *actor, change_fn fn, void *data)
{
    int rc = hp_actor_settings_allowed(actor);
    if (rc < 0 || (rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_school_lock(store, actor->school.id)) < 0 ||
        (rc = fn(store, actor, data)) < 0 || (rc = hp_store_commit(store)) < 0) {
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

/* A schedule's rows as words, one string each: "mon Period 1 08:00-08:50". */
static GPtrArray *schedule_words(const hp_schedule *schedule)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; schedule->rows && i < schedule->rows->len; i++) {
        const hp_bell_row *row = &g_array_index(schedule->rows, hp_bell_row, i);
        char day[HP_DATE_LEN], start[8], end[8];
        hp_bell_row_day(row, day);
        hp_minutes_format(row->start, start);
        hp_minutes_format(row->end, end);
        g_ptr_array_add(words, g_strdup_printf("%s %s %s-%s", day, row->period, start, end));
    }
    return words;
}

/* The rows of one list that the other lacks, as a JSON array. */
static json_t *rows_missing(GPtrArray *rows, GPtrArray *other)
{
    json_t *out = json_array();
    for (guint i = 0; i < rows->len; i++) {
        bool found = false;
        for (guint j = 0; j < other->len && !found; j++)
            found = strcmp(g_ptr_array_index(rows, i), g_ptr_array_index(other, j)) == 0;
        if (!found)
            json_array_append_new(out, json_string(g_ptr_array_index(rows, i)));
    }
    return out;
}

/* The record of a schedule replaced: the periods it lost (before) and gained (after), so that
 * a change of one period reads as that period, not as the whole week twice. */
static json_t *schedule_change_json(const hp_schedule *stored, const hp_schedule *schedule)
{
    GPtrArray *was = schedule_words(stored), *now = schedule_words(schedule);
    json_t *change = hp_audit_change(json_pack("{s:o}", "periods", rows_missing(was, now)),
                                     json_pack("{s:o}", "periods", rows_missing(now, was)));
    g_ptr_array_unref(was);
    g_ptr_array_unref(now);
    return change;
}

static int put_schedule(hp_store *store, const hp_actor *actor, void *data)
{
    schedule_change *c = data;
    hp_schedule stored = {0};
    int rc = hp_store_schedule_get(store, actor->school.id, &stored);
    if (rc == HP_OK &&
        (rc = hp_store_schedule_put(store, actor->school.id, c->schedule, c->changed)) == HP_OK &&
        *c->changed) {
        hp_audit_by by = hp_audit_by_actor(actor);
        rc = hp_audit_write(store, &by, g_get_real_time() / G_USEC_PER_SEC, "schedule_update",
                            "schedule", schedule_change_json(&stored, c->schedule));
    }
    hp_schedule_release(&stored);
    return rc;
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

/* A blackout as its record names it, in the school's time: "2026-12-02T10:00:00-06:00 to
 * 2026-12-02T11:00:00-06:00", or "... until deleted". */
static char *blackout_words(const hp_blackout *b, const hp_tz *tz)
{
    char start[HP_DATETIME_LEN], end[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, b->start, start);
    if (!b->has_end)
        return g_strdup_printf("%s until deleted", start);
    hp_tz_format_datetime(tz, b->end, end);
    return g_strdup_printf("%s to %s", start, end);
}

static json_t *blackout_audit_json(const hp_blackout *b, const hp_tz *tz)
{
    char start[HP_DATETIME_LEN], end[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, b->start, start);
    if (b->has_end)
        hp_tz_format_datetime(tz, b->end, end);
    return json_pack("{s:s, s:o, s:o}", "start", start, "end",
                     b->has_end ? json_string(end) : json_null(), "reason",
                     hp_audit_text(b->reason));
}

/* A blackout's record: its creation (after) or its removal (before). */
static int write_blackout_audit(hp_store *store, const hp_actor *actor, const hp_blackout *b,
                                bool created)
{
    hp_audit_by by = hp_audit_by_actor(actor);
    json_t *json = blackout_audit_json(b, actor->tz);
    char *words = blackout_words(b, actor->tz);
    int rc = hp_audit_write(store, &by, g_get_real_time() / G_USEC_PER_SEC,
                            created ? "blackout_create" : "blackout_delete", words,
                            created ? hp_audit_change(NULL, json) : hp_audit_change(json, NULL));
    g_free(words);
    return rc;
}

static int insert_blackout(hp_store *store, const hp_actor *actor, void *data)
{
    int rc = hp_store_blackout_insert(store, actor->school.id, data);
    return rc < 0 ? rc : write_blackout_audit(store, actor, data, true);
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

static int delete_blackout(hp_store *store, const hp_actor *actor, void *data)
{
    int64_t id = *(const int64_t *)data;
    hp_blackout *list;
    size_t n;
    /* Read first for its record; the store's delete answers an id the school lacks. */
    int rc = hp_store_blackouts_list(store, actor->school.id, &list, &n);
    if (rc < 0)
        return rc;
    const hp_blackout *gone = NULL;
    for (size_t i = 0; i < n && gone == NULL; i++)
        if (list[i].id == id)
            gone = &list[i];
    if ((rc = hp_store_blackout_delete(store, actor->school.id, id)) == HP_OK && gone)
        rc = write_blackout_audit(store, actor, gone, false);
    hp_blackouts_free(list, n);
    return rc;
}

int hp_nopass_blackout_delete(hp_store *store, const hp_actor *actor, int64_t blackout_id)
{
    return change(store, actor, delete_blackout, &blackout_id);
}
