/* /api/line: the waiting line as each role sees it, taking an offer and leaving; the line's
 * rules are in service/line.c, and joining it is a creation of a pass with `wait`
 * (passes.c). */
#include "http/http.h"

#include "core/error.h"
#include "service/line.h"

/* A date-time as passes show them, or null for 0. */
static json_t *datetime_or_null(const hp_tz *tz, int64_t t)
{
    if (t == 0)
        return json_null();
    char text[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, t, text);
    return json_string(text);
}

/* An entry as the answers show it at now: its state as time defines it, its position and
 * the whole seconds left of its offer (so a page's countdown needs no clock of its own). */
static json_t *entry_json(const hp_line_entry *e, const hp_tz *tz, int64_t now)
{
    hp_line_state state = hp_line_state_at(e, hp_tz_local_day(tz, now), now);
    bool offered = state == HP_LINE_OFFERED;
    bool in_line = offered || state == HP_LINE_WAITING;
    int64_t left = hp_line_offer_seconds_left(e, now);
    json_t *json = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s}", "id", (json_int_t)e->id,
                             "student", e->student_email, "student_name", e->student_name,
                             "student_id", e->student_code, "origin", e->origin_name, "destination",
                             e->destination_name, "state", hp_line_state_name(state));
    if (e->student_code == NULL)
        json_object_set_new(json, "student_id", json_null());
    json_object_set_new(json, "position",
                        in_line && e->position > 0 ? json_integer((json_int_t)e->position)
                                                   : json_null());
    json_object_set_new(json, "joined", datetime_or_null(tz, e->joined));
    json_object_set_new(json, "offered_at", datetime_or_null(tz, offered ? e->offered_at : 0));
    json_object_set_new(json, "offer_expires",
                        datetime_or_null(tz, offered ? e->offer_expires : 0));
    json_object_set_new(json, "offer_seconds_left",
                        left >= 0 ? json_integer((json_int_t)left) : json_null());
    json_object_set_new(json, "pass",
                        e->pass_id ? json_integer((json_int_t)e->pass_id) : json_null());
    return json;
}

/* Answers an entry as of `at` or now, whichever is later: a change reads its time under its
 * locks, maybe after the request came. */
static void answer_entry(hp_http_request *req, hp_http_response *res, int status,
                         hp_line_entry *entry, int64_t at)
{
    hp_http_json(res, status, entry_json(entry, req->actor.tz, at > req->now ? at : req->now));
    hp_line_entry_release(entry);
}

void hp_http_line_joined(hp_http_request *req, hp_http_response *res, int64_t entry_id)
{
    hp_line_entry entry;
    int rc = hp_line_entry_get(req->store, &req->actor, entry_id, req->now, &entry);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        answer_entry(req, res, 202, &entry, entry.joined);
}

void hp_http_line_list(hp_http_request *req, hp_http_response *res)
{
    hp_line_entry *entries;
    size_t n;
    int rc = hp_line_visible(req->store, &req->actor, req->now, &entries, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, entry_json(&entries[i], req->actor.tz, req->now));
    hp_line_entries_free(entries, n);
    hp_http_json(res, 200, json_pack("{s:o}", "entries", list));
}

void hp_http_line_start(hp_http_request *req, hp_http_response *res)
{
    hp_pass_refusal refusal;
    hp_pass_view view;
    int rc = hp_line_start(req->store, &req->actor, req->path_id, req->now, &view, &refusal);
    if (rc < 0)
        hp_http_pass_refused(res, rc, &refusal);
    else
        hp_http_pass_answer(req, res, 201, &view);
}

void hp_http_line_delete(hp_http_request *req, hp_http_response *res)
{
    hp_line_entry entry;
    int rc = hp_line_leave(req->store, &req->actor, req->path_id, req->now, &entry);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        answer_entry(req, res, 200, &entry, entry.ended_at);
}
