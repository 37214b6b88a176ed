/* /api/passes: create, list the active ones, end and cancel. */
#include "http/http.h"

#include "core/error.h"
#include "service/passes.h"

#include <stdlib.h>
#include <string.h>

void hp_http_passes_create(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_body_object(req, res);
    hp_pass_request pr = {0};
    const char *type = NULL;
    if (body == NULL)
        return;
    if (!hp_http_get_string(body, "student", HP_EMAIL_MAX, &pr.student, res) ||
        !hp_http_get_string(body, "origin", HP_NAME_MAX, &pr.origin, res) ||
        !hp_http_get_string(body, "destination", HP_NAME_MAX, &pr.destination, res) ||
        !hp_http_get_string(body, "type", 16, &type, res) ||
        !hp_http_get_string(body, "start", 64, &pr.start, res))
        goto out;
    json_t *override = json_object_get(body, "override");
    if (override && !json_is_boolean(override) && !json_is_null(override)) {
        hp_http_error(res, 400, "override: must be true or false");
        goto out;
    }
    pr.override = json_is_true(override);
    pr.type = HP_PASS_NOW;
    if (type && hp_pass_type_parse(type, &pr.type) < 0) {
        hp_http_error(res, 400, "type: \"%s\" is not now or scheduled", type);
        goto out;
    }

    hp_pass pass;
    int rc = hp_pass_create(req->store, &req->actor, &pr, req->now, &pass);
    if (rc < 0) {
        hp_http_fail(res, rc);
    } else {
        /* The pass's time was read under its locks, maybe after the request came. */
        if (pr.type == HP_PASS_NOW && pass.start > req->now)
            req->now = pass.start;
        hp_http_json(res, 201, hp_http_pass_json(req, &pass));
    }
out:
    json_decref(body);
}

void hp_http_passes_list(hp_http_request *req, hp_http_response *res)
{
    const char *active = hp_http_query(req, "active");
    const char *scheduled = hp_http_query(req, "scheduled");
    bool want_active = active && strcmp(active, "true") == 0;
    bool want_upcoming = scheduled && strcmp(scheduled, "true") == 0;
    if (want_active == want_upcoming) {
        hp_http_error(res, 400,
                      "give active=true (passes out now) or scheduled=true "
                      "(scheduled passes still to start)");
        return;
    }
    hp_pass *passes;
    size_t n;
    int rc = hp_passes_visible(req->store, &req->actor, req->now, want_upcoming, &passes, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hp_http_pass_json(req, &passes[i]));
    hp_passes_free(passes, n);
    hp_http_json(res, 200, json_pack("{s:o}", "passes", list));
}

static void change(hp_http_request *req, hp_http_response *res, bool cancel)
{
    hp_pass pass;
    int rc = cancel ? hp_pass_cancel(req->store, &req->actor, req->path_id, req->now, &pass)
                    : hp_pass_end(req->store, &req->actor, req->path_id, req->now, &pass);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    if (pass.has_end && pass.end > req->now)
        req->now = pass.end;
    hp_http_json(res, 200, hp_http_pass_json(req, &pass));
    free(pass.ext_id);
}

void hp_http_passes_end(hp_http_request *req, hp_http_response *res)
{
    change(req, res, false);
}

void hp_http_passes_cancel(hp_http_request *req, hp_http_response *res)
{
    change(req, res, true);
}
