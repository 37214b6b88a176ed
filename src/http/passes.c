/* /api/passes: create (or, with wait, join the waiting line), list the active ones, end,
 * resume and cancel; the rules are in service/passes.c. */
#include "http/http.h"

#include "core/error.h"
#include "service/passes.h"

#include <string.h>

#define TYPE_MAX 16  /* Bytes in a pass type word ("now", "scheduled"). */
#define START_MAX 64 /* Bytes in a start date-time. */

/* Answers a changed pass. Its time was read under its locks, maybe after the request came, so
 * it is shown as of that time. */
void hp_http_pass_answer(hp_http_request *req, hp_http_response *res, int status,
                         hp_pass_view *view)
{
    const hp_pass *pass = &view->pass;
    int64_t at = req->now;
    if (pass->has_end && pass->end > at)
        at = pass->end;
    if (pass->type == HP_PASS_NOW && pass->start > at)
        at = pass->start;
    hp_http_json(res, status, hp_http_pass_json(view, req->actor.tz, at));
    hp_pass_view_release(view);
}

/* Answers an error; a refusal by a pass rule carries `rule` (unless the asker may not learn
 * which) and `can_wait` when the line could answer it. */
void hp_http_pass_refused(hp_http_response *res, int rc, const hp_pass_refusal *refusal)
{
    if (rc != HP_ECONFLICT || refusal->rule == HP_RULE_NONE) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *body = json_pack("{s:s}", "error", hp_error_last());
    if (refusal->rule_field)
        json_object_set_new(body, "rule", json_string(refusal->rule_field));
    if (refusal->can_wait)
        json_object_set_new(body, "can_wait", json_true());
    hp_http_json(res, 409, body);
}

/* Reads the body's fields into a pass request; its strings stay owned by the body. */
static bool read_request(json_t *body, hp_pass_request *pr, hp_http_response *res)
{
    const char *type = NULL;
    if (!hp_http_get_string(body, "student", HP_EMAIL_MAX, &pr->student, res) ||
        !hp_http_get_string(body, "origin", HP_NAME_MAX, &pr->origin, res) ||
        !hp_http_get_string(body, "destination", HP_NAME_MAX, &pr->destination, res) ||
        !hp_http_get_string(body, "type", TYPE_MAX, &type, res) ||
        !hp_http_get_string(body, "start", START_MAX, &pr->start, res))
        return false;
    json_t *override = json_object_get(body, "override");
    if (override && !json_is_boolean(override) && !json_is_null(override)) {
        hp_http_error(res, 400, "override: must be true or false");
        return false;
    }
    pr->override = json_is_true(override);
    json_t *wait = json_object_get(body, "wait");
    if (wait && !json_is_boolean(wait) && !json_is_null(wait)) {
        hp_http_error(res, 400, "wait: must be true or false");
        return false;
    }
    pr->wait = json_is_true(wait);
    pr->type = HP_PASS_NOW;
    if (type && hp_pass_type_parse(type, &pr->type) < 0) {
        hp_http_error(res, 400, "type: \"%s\" is not now or scheduled", type);
        return false;
    }
    return true;
}

void hp_http_passes_create(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_body_object(req, res);
    hp_pass_request pr = {0};
    hp_pass_refusal refusal;
    hp_pass_view view;
    if (body == NULL)
        return;
    if (read_request(body, &pr, res)) {
        int rc = hp_pass_create(req->store, &req->actor, &pr, req->now, &view, &refusal);
        if (rc < 0)
            hp_http_pass_refused(res, rc, &refusal);
        else if (rc == HP_PASS_JOINED_LINE)
            hp_http_line_joined(req, res, refusal.joined_entry);
        else
            hp_http_pass_answer(req, res, 201, &view);
    }
    json_decref(body);
}

void hp_http_passes_list(hp_http_request *req, hp_http_response *res)
{
    const char *active = hp_http_query(req, "active");
    const char *scheduled = hp_http_query(req, "scheduled");
    const char *date = hp_http_query(req, "date");
    bool want_active = active && strcmp(active, "true") == 0;
    bool want_upcoming = scheduled && strcmp(scheduled, "true") == 0;
    if (want_active + want_upcoming + (date != NULL) != 1) {
        hp_http_error(res, 400,
                      "give active=true (passes out now), scheduled=true (scheduled passes "
                      "still to start) or date=YYYY-MM-DD (every pass that started that day)");
        return;
    }
    hp_pass_view *views;
    size_t n;
    int rc = date ? hp_passes_of_day(req->store, &req->actor, date, hp_http_query(req, "student"),
                                     &views, &n)
                  : hp_passes_visible(req->store, &req->actor, req->now, want_upcoming, &views, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hp_http_pass_json(&views[i], req->actor.tz, req->now));
    hp_pass_views_free(views, n);
    hp_http_json(res, 200, json_pack("{s:o}", "passes", list));
}

static void change(hp_http_request *req, hp_http_response *res, bool cancel)
{
    hp_pass_view view;
    int rc = cancel ? hp_pass_cancel(req->store, &req->actor, req->path_id, req->now, &view)
                    : hp_pass_end(req->store, &req->actor, req->path_id, req->now, &view);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_pass_answer(req, res, 200, &view);
}

void hp_http_passes_end(hp_http_request *req, hp_http_response *res)
{
    change(req, res, false);
}

void hp_http_passes_cancel(hp_http_request *req, hp_http_response *res)
{
    change(req, res, true);
}

void hp_http_passes_resume(hp_http_request *req, hp_http_response *res)
{
    hp_pass_refusal refusal;
    hp_pass_view view;
    int rc = hp_pass_resume(req->store, &req->actor, req->path_id, req->now, &view, &refusal);
    if (rc < 0)
        hp_http_pass_refused(res, rc, &refusal);
    else
        hp_http_pass_answer(req, res, 200, &view);
}
