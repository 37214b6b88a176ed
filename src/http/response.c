/* Building answers: JSON bodies, errors with their status, the one release of a response's
 * memory, and the JSON of rooms, users and passes that several resources share. A failure of
 * the server's own (a 5xx) is answered in plain words and its reason kept for the server's
 * log, where server.c names the request and limits how often it is written. */
#include "http/http.h"

#include "core/error.h"
#include "core/rules.h"
#include "service/groups.h"
#include "service/passes.h"

#include <glib.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hp_http_response_release(hp_http_response *res)
{
    g_free(res->body);
    g_free(res->set_cookie);
    g_free(res->content_disposition);
    g_free(res->location);
    g_free(res->allow);
    g_free(res->failure);
    *res = (hp_http_response){0};
}

void hp_http_body_copy(hp_http_response *res, int status, const char *content_type,
                       const void *data, size_t len)
{
    g_free(res->body);
    res->status = status;
    res->content_type = content_type;
    res->body = g_malloc(len + 1);
    memcpy(res->body, data, len);
    res->body[len] = '\0';
    res->body_len = len;
}

void hp_http_json(hp_http_response *res, int status, json_t *value)
{
    /* Measured first, then written into GLib memory, so the body has one allocator. */
    size_t len = json_dumpb(value, NULL, 0, 0);
    g_free(res->body);
    res->status = status;
    res->content_type = "application/json";
    res->body = g_malloc(len + 1);
    res->body_len = json_dumpb(value, res->body, len, 0);
    res->body[res->body_len] = '\0';
    json_decref(value);
}

void hp_http_error(hp_http_response *res, int status, const char *fmt, ...)
{
    char message[HP_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    /* A message may quote what the client sent; jansson refuses text that is not UTF-8, so
     * such bytes are replaced. */
    json_t *text = json_string(message);
    if (text == NULL) {
        for (char *p = message; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        text = json_string(message);
    }
    json_t *obj = json_object();
    json_object_set_new(obj, "error", text);
    hp_http_json(res, status, obj);
}

void hp_http_fail_waiting(hp_http_response *res, int rc, int64_t wait)
{
    hp_http_fail(res, rc);
    if (rc == HP_ETHROTTLED && wait > 0)
        res->retry_after = (int)wait;
}

void hp_http_fail(hp_http_response *res, int rc)
{
    int status;
    switch (rc) {
    case HP_EINVALID:
    case HP_ETOOBIG:
        status = 400;
        break;
    case HP_EAUTH:
        status = 401;
        break;
    case HP_EFORBIDDEN:
        status = 403;
        break;
    case HP_ENOTFOUND:
        status = 404;
        break;
    case HP_ECONFLICT:
    case HP_EEXISTS:
        status = 409;
        break;
    case HP_ETHROTTLED:
        status = 429;
        break;
    case HP_EGONE:
        status = 410;
        break;
    case HP_ESTORE:
        status = 503;
        break;
    default:
        status = 500;
        break;
    }
    if (status >= 500) {
        /* The store's own words (file paths, database processes) go to the log, not to the
         * client; server.c writes them with the request they failed. */
        g_free(res->failure);
        res->failure = g_strdup(hp_error_last());
        res->failure_code = rc;
        hp_http_error(res, status, "%s",
                      status == 503 ? "the store is not answering; try again"
                                    : "the server failed; try again");
        return;
    }
    hp_http_error(res, status, "%s", hp_error_last());
}

json_t *hp_http_body_object(const hp_http_request *req, hp_http_response *res)
{
    json_error_t err;
    json_t *obj = json_loadb(req->body ? req->body : "", req->body_len,
                             JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (obj == NULL) {
        if (json_error_code(&err) == json_error_null_character)
            hp_http_error(res, 400, "the body is not JSON: a string holds \\u0000");
        else
            hp_http_error(res, 400, "the body is not JSON: %s (line %d, column %d)", err.text,
                          err.line, err.column);
        return NULL;
    }
    if (!json_is_object(obj)) {
        json_decref(obj);
        hp_http_error(res, 400, "the body must be a JSON object");
        return NULL;
    }
    return obj;
}

bool hp_http_get_string(json_t *obj, const char *key, size_t max, const char **out,
                        hp_http_response *res)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        hp_http_error(res, 400, "%s: must be a string", key);
        return false;
    }
    if (json_string_length(v) > max) {
        hp_http_error(res, 400, "%s: longer than %zu bytes", key, max);
        return false;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        hp_http_error(res, 400, "%s: holds a NUL byte", key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool hp_http_only_known(json_t *obj, const char *const *known, size_t count, const char *what,
                        const char *where, hp_http_response *res)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        bool ok = false;
        for (size_t i = 0; i < count; i++)
            ok = ok || strcmp(key, known[i]) == 0;
        if (!ok) {
            hp_http_error(res, 400, "%s\"%.60s\" is not a field of %s", where, key, what);
            return false;
        }
    }
    return true;
}

static json_t *limit_json(int limit)
{
    return limit > 0 ? json_integer(limit) : json_null();
}

json_t *hp_http_room_json(const hp_room *room)
{
    json_t *obj =
        json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)room->id, "name", room->name,
                  "folder", room->folder ? room->folder : "", "max_passes_from",
                  limit_json(room->max_from), "max_passes_to", limit_json(room->max_to));
    hp_http_room_rules_json(obj, room);
    return obj;
}

json_t *hp_http_user_json(const hp_user *user, const char *room_name)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?}", "id", (json_int_t)user->id, "name",
                     user->name, "email", user->email, "role", hp_role_name(user->role),
                     "student_id", user->student_id, "room", room_name);
}

json_t *hp_http_kiosk_json(const hp_room *room, bool kiosk_mode)
{
    return json_pack("{s:I, s:s, s:b}", "room_id", (json_int_t)room->id, "room", room->name,
                     "kiosk_mode", kiosk_mode);
}

json_t *hp_http_pass_json(const hp_pass_view *view, const hp_actor *reader, int64_t now)
{
    const hp_pass *pass = &view->pass;
    const hp_tz *tz = reader->tz;
    char start[HP_DATETIME_LEN], end[HP_DATETIME_LEN], auto_end[HP_DATETIME_LEN];
    int64_t end_at = 0;
    /* An auto-end holds from its deadline, whether or not its end is written yet. */
    hp_end_reason reason = hp_pass_end_reason(pass, now, &end_at);
    hp_tz_format_datetime(tz, pass->start, start);
    if (reason != HP_END_NONE)
        hp_tz_format_datetime(tz, end_at, end);
    else if (pass->has_end) /* Ends after now: shown as written. */
        hp_tz_format_datetime(tz, pass->end, end);
    hp_tz_format_datetime(tz, pass->auto_end_at, auto_end);
    bool has_end = reason != HP_END_NONE || pass->has_end;
    int64_t over = hp_pass_overtime(pass, now);
    json_t *overrides = json_array();
    hp_rule_set seen = hp_groups_overrides_seen(reader, pass->overrides);
    for (int rule = 1; rule <= HP_RULE_COUNT; rule++)
        if (seen & HP_RULE_BIT(rule))
            json_array_append_new(overrides, json_string(hp_rule_name((hp_rule_id)rule)));
    json_t *json = json_pack(
        "{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:o, s:b, s:b}", "id",
        (json_int_t)pass->id, "student", view->student_email, "student_name", view->student_name,
        "student_id", view->student_id, "origin", view->origin_name, "destination",
        view->destination_name, "creator", view->creator_email, "creator_name", view->creator_name,
        "source", hp_source_name(pass->source), "type", hp_pass_type_name(pass->type), "start",
        start, "end", has_end ? json_string(end) : json_null(), "cancelled", pass->cancelled,
        "active", hp_pass_active(pass, now));
    const char *reason_name = hp_end_reason_name(reason);
    json_object_set_new(json, "end_reason", reason_name ? json_string(reason_name) : json_null());
    json_object_set_new(json, "time_limit_minutes",
                        pass->time_limit_minutes > 0 ? json_integer(pass->time_limit_minutes)
                                                     : json_null());
    json_object_set_new(json, "overtime", json_boolean(over > 0));
    json_object_set_new(json, "overtime_seconds", json_integer(over));
    json_object_set_new(json, "auto_end_at", json_string(auto_end));
    json_object_set_new(json, "overrides", overrides);
    return json;
}
