/* Share links over HTTP. Admins make them (POST /api/shares, the only answer that holds a
 * link's token), list the school's open ones (GET /api/shares) and revoke them (DELETE
 * /api/shares/{id}). Anyone holding a link, signed in or not, opens its page (GET
 * /shared/{token}) and reads its one report (GET /api/shared/{token}, with sort, order and
 * format as a report takes them, never another range; each reading is recorded in the audit
 * log). The work is in service/shares.c. */
#include "http/http.h"

#include "core/error.h"
#include "core/tz.h"
#include "core/util.h"
#include "http/assets.h"
#include "service/schools.h"
#include "service/shares.h"

#include <glib.h>
#include <string.h>

/* Bytes of a date in a request: longer than any date a report takes. */
#define DATE_TEXT_MAX 32

static const char *const share_fields[] = {"report", "from", "to", "expires_in_days"};

/* A share as the admin's list shows it, in the school's zone; with a token, its link too. */
static json_t *share_json(const hp_share *share, const hp_tz *tz, const char *token)
{
    char made[HP_DATETIME_LEN], expires[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, share->created_at, made);
    hp_tz_format_datetime(tz, share->expires_at, expires);
    json_t *obj = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", (json_int_t)share->id,
                            "report", share->report, "title", hp_report_title(hp_share_kind(share)),
                            "from", share->from, "to", share->to, "created_by",
                            share->creator_name ? json_string(share->creator_name) : json_null(),
                            "created_at", made, "expires_at", expires);
    if (token) {
        char *link = g_strdup_printf("%s%s", HP_SHARE_PATH, token);
        json_object_set_new(obj, "link", json_string(link));
        g_free(link);
    }
    return obj;
}

/* expires_in_days: a whole number (range checked by the service); answers 400 otherwise. */
static bool get_days(json_t *body, int64_t *out, hp_http_response *res)
{
    json_t *v = json_object_get(body, "expires_in_days");
    if (v == NULL || json_is_null(v)) {
        hp_http_error(res, 400, "expires_in_days: missing; a whole number of days from %d to %d",
                      HP_SHARE_DAYS_MIN, HP_SHARE_DAYS_MAX);
        return false;
    }
    if (!json_is_integer(v)) {
        hp_http_error(res, 400, "expires_in_days: must be a whole number of days from %d to %d",
                      HP_SHARE_DAYS_MIN, HP_SHARE_DAYS_MAX);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

void hp_http_shares_create(hp_http_request *req, hp_http_response *res)
{
    int rc = hp_share_allowed(&req->actor);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *body = hp_http_body_object(req, res);
    if (body == NULL)
        return;
    hp_share_request request = {0};
    if (hp_http_only_known(body, share_fields, HP_ARRAY_SIZE(share_fields), "a share link", "",
                           res) &&
        hp_http_get_string(body, "report", DATE_TEXT_MAX, &request.report, res) &&
        hp_http_get_string(body, "from", DATE_TEXT_MAX, &request.from, res) &&
        hp_http_get_string(body, "to", DATE_TEXT_MAX, &request.to, res) &&
        get_days(body, &request.expires_in_days, res)) {
        hp_share made;
        char token[HP_TOKEN_MAX];
        if ((rc = hp_share_create(req->store, &req->actor, &request, req->now, &made, token)) < 0)
            hp_http_fail(res, rc);
        else {
            hp_http_json(res, 201, share_json(&made, req->actor.tz, token));
            hp_share_release(&made);
        }
    }
    json_decref(body);
}

void hp_http_shares_list(hp_http_request *req, hp_http_response *res)
{
    hp_share *list;
    size_t n;
    int rc = hp_shares_list(req->store, &req->actor, req->now, &list, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, share_json(&list[i], req->actor.tz, NULL));
    hp_shares_free(list, n);
    hp_http_json(res, 200, json_pack("{s:o}", "shares", items));
}

void hp_http_shares_delete(hp_http_request *req, hp_http_response *res)
{
    int rc = hp_share_revoke(req->store, &req->actor, req->path_id, req->now);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_json(res, 200, json_pack("{s:I}", "revoked", (json_int_t)req->path_id));
}

/* The parameters a report takes that a link fixes: naming one is an error, not ignored, so
 * that no one believes they read another range. */
static const char *const fixed_parameters[] = {"from", "to", "compare", "destination"};

void hp_http_shared_report(hp_http_request *req, hp_http_response *res)
{
    hp_format format;
    if (!hp_http_report_format(req, res, &format))
        return;
    for (size_t i = 0; i < HP_ARRAY_SIZE(fixed_parameters); i++) {
        if (hp_http_query(req, fixed_parameters[i])) {
            hp_http_error(res, 400, "%s: a share link shows the one range it was made for",
                          fixed_parameters[i]);
            return;
        }
    }
    hp_share share;
    hp_school school = {0};
    hp_report *rep = NULL;
    int rc = hp_share_open(req->store, req->path_token, req->now, &share);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    const hp_tz *tz = NULL;
    if ((rc = hp_school_get(req->store, share.school_id, &school)) == HP_OK &&
        (tz = hp_server_tz(req->server, &school)) == NULL)
        rc = hp_error_set(HP_ERROR, "the time zone of the school cannot be read");
    if (rc == HP_OK)
        rc = hp_share_report(req->store, &share, &school, tz, hp_http_query(req, "sort"),
                             hp_http_query(req, "order"), &rep);
    /* Every reading is in the audit log: one that cannot be recorded is not answered. */
    if (rc == HP_OK)
        rc = hp_share_opened(req->store, &share, tz, req->client, hp_format_extension(format),
                             req->now);
    if (rc < 0) {
        hp_http_fail(res, rc);
    } else if (format == HP_FORMAT_JSON) {
        /* The report's own JSON, and until when the link lasts. */
        char expires[HP_DATETIME_LEN];
        hp_tz_format_datetime(tz, share.expires_at, expires);
        json_t *root = hp_export_json_value(rep);
        json_object_set_new(root, "expires_at", json_string(expires));
        hp_http_json(res, 200, root);
    } else {
        hp_http_report_write(res, rep, format);
    }
    hp_report_free(rep);
    hp_school_release(&school);
    hp_share_release(&share);
}

void hp_http_shared_page(hp_http_request *req, hp_http_response *res)
{
    hp_share share;
    const char *token = req->path + strlen(HP_SHARE_PATH);
    int rc = req->store ? hp_share_open(req->store, token, req->now, &share) : HP_ESTORE;
    /* A wrong or ended link still gets the page, with the status that says so; the page reads
     * the same answer from the API and shows its words. */
    if (rc != HP_OK && rc != HP_ENOTFOUND && rc != HP_EGONE) {
        hp_http_fail(res, rc);
        return;
    }
    if (rc == HP_OK)
        hp_share_release(&share);
    const hp_asset *page = hp_asset_find("/shared.html");
    if (page == NULL) {
        hp_http_error(res, 404, "no such page");
        return;
    }
    res->status = rc == HP_OK ? 200 : rc == HP_EGONE ? 410 : 404;
    res->content_type = page->content_type;
    res->body = g_memdup2(page->data, page->size);
    res->body_len = page->size;
}
