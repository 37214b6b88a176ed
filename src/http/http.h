/*
 * The HTTP front end's own request and response, so that handlers never see
 * libmicrohttpd: server.c turns each MHD request into an hp_http_request, calls the route's
 * handler, and sends the hp_http_response it filled. One file per resource.
 */
#ifndef HP_HTTP_HTTP_H
#define HP_HTTP_HTTP_H

#include "service/actor.h"
#include "service/auth.h"
#include "service/oidc.h"
#include "service/passes.h"
#include "core/settings.h"
#include "service/settings.h"
#include "export/export.h"
#include "report/report.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HP_HTTP_BODY_MAX 65536 /* Bytes in a request body; past it, 413. */

typedef struct hp_server hp_server;

typedef struct {
    hp_server *server;
    hp_store *store; /* This thread's connection to the store. */
    const char *method;
    const char *path;
    const char *query; /* The query string, encoded again, without its "?"; "" if none. */
    const char *body;
    size_t body_len;
    const char *content_type;
    const char *token; /* The session cookie, or NULL. */
    const char *client;
    int64_t path_id;        /* The {id} in routes such as /api/passes/{id}/end. */
    const char *path_token; /* The {token} ending routes such as /api/shared/{token}. */
    int64_t now;
    void *connection; /* For query lookups; opaque here. */

    bool signed_in;
    hp_actor actor;
    unsigned char token_hash[HP_TOKEN_HASH_BYTES];
} hp_http_request;

typedef struct hp_http_stream hp_http_stream; /* An event stream; see events.h. */

/* An answer. Its char * fields are GLib memory (g_malloc, g_strdup, g_strdup_printf) that
 * the response owns; the server sends them and frees them all with hp_http_response_release. */
typedef struct {
    int status;
    char *body; /* The body, or NULL for none. */
    size_t body_len;
    const char *content_type;  /* Static text, or NULL for JSON. */
    char *set_cookie;          /* Or NULL. */
    char *content_disposition; /* Or NULL. */
    int retry_after;           /* Seconds, or 0 for no Retry-After. */
    char *location;            /* A redirect's target, or NULL. */
    char *allow;               /* A 405's Allow header, or NULL. */
    hp_http_stream *stream;    /* An event stream instead of a body (events.c), or NULL. */
    char *failure;             /* Why a 5xx happened, for the server's log (never sent). */
    int failure_code;          /* The core error code of that failure. */
} hp_http_response;

/* Frees what the response holds (not an event stream, which its connection owns). */
void hp_http_response_release(hp_http_response *res);

/* Answers a copy of len bytes of data (for bodies a library built with its own allocator,
 * which the caller then frees with that library's free). */
void hp_http_body_copy(hp_http_response *res, int status, const char *content_type,
                       const void *data, size_t len);

/* A query parameter, or NULL. */
const char *hp_http_query(const hp_http_request *req, const char *key);

/* Answers a JSON value (the reference is taken). */
void hp_http_json(hp_http_response *res, int status, json_t *value);
/* Answers {"error": message}. */
void hp_http_error(hp_http_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers the last core error with the status its code means. */
void hp_http_fail(hp_http_response *res, int rc);
/* The same, with Retry-After: wait seconds when rc is HP_ETHROTTLED. */
void hp_http_fail_waiting(hp_http_response *res, int rc, int64_t wait);

/* Parses the body as a JSON object; answers 400 and returns NULL when it is not one. */
json_t *hp_http_body_object(const hp_http_request *req, hp_http_response *res);

/* Reads an optional string member; answers 400 and returns false when it is there but not a
 * string, holds a NUL, or is longer than max bytes. */
bool hp_http_get_string(json_t *obj, const char *key, size_t max, const char **out,
                        hp_http_response *res);

/* Whether every key of obj is one of the count known; answers 400 naming the first that is
 * not: `WHERE"KEY" is not a field of WHAT` (where: "" or a prefix such as "schedule[2]: "). */
bool hp_http_only_known(json_t *obj, const char *const *known, size_t count, const char *what,
                        const char *where, hp_http_response *res);
/* A request header, or a cookie of the request, or NULL. */
const char *hp_http_header(const hp_http_request *req, const char *name);
const char *hp_http_cookie(const hp_http_request *req, const char *name);

/* The school's zone, cached for the server's life. */
const hp_tz *hp_server_tz(hp_server *server, const hp_school *school);
/* Sessions' limits and the throttles of password checks, for the server's life. */
hp_auth_guard *hp_server_guard(hp_server *server);
/* Fills req->actor (school, user, zone, kiosk room) from a session, as every signed-in request
 * has it. HP_EAUTH when its school or user is gone. */
int hp_server_actor(hp_http_request *req, const hp_session *session);
int64_t hp_server_session_max(hp_server *server);
/* Single sign-ons under way and the providers' caches, for the server's life. */
hp_oidc *hp_server_oidc(hp_server *server);
/* The session cookie of a new session (the token) or of a sign-out ("", max_age 0). */
char *hp_http_session_cookie(const hp_http_request *req, const char *token, int64_t max_age);
/* Where the request's user starts (/analytics, /passes, /student, /kiosk; /signin when not
 * signed in). */
const char *hp_http_home(const hp_http_request *req);
/* "; Secure" when the server sits behind TLS, else "". */
const char *hp_server_cookie_secure(hp_server *server);

/* JSON for a pass with the names of its rooms and people, as the reader may see it (times in
 * the reader's school's zone); "active" at now. */
json_t *hp_http_pass_json(const hp_pass_view *view, const hp_actor *reader, int64_t now);
json_t *hp_http_room_json(const hp_room *room);
/* A user: id, name, email, role, student_id and room (room_name, or null). */
json_t *hp_http_user_json(const hp_user *user, const char *room_name);
/* What a kiosk says of itself: its room and whether it is a staff session in kiosk mode. */
json_t *hp_http_kiosk_json(const hp_room *room, bool kiosk_mode);

/* Handlers, one file per resource. */
typedef void (*hp_http_handler)(hp_http_request *req, hp_http_response *res);

/* Single sign-on (oidc.c): every GET under HP_OIDC_PATH. */
#define HP_OIDC_PATH "/auth/oidc/"
void hp_http_oidc(hp_http_request *req, hp_http_response *res);
void hp_http_session_create(hp_http_request *req, hp_http_response *res);
void hp_http_session_get(hp_http_request *req, hp_http_response *res);
void hp_http_session_delete(hp_http_request *req, hp_http_response *res);
void hp_http_passes_create(hp_http_request *req, hp_http_response *res);
void hp_http_passes_list(hp_http_request *req, hp_http_response *res);
void hp_http_passes_end(hp_http_request *req, hp_http_response *res);
void hp_http_passes_cancel(hp_http_request *req, hp_http_response *res);
void hp_http_passes_resume(hp_http_request *req, hp_http_response *res);
/* A changed pass's answer (passes.c), shown as of the time its change read under its locks. */
void hp_http_pass_answer(hp_http_request *req, hp_http_response *res, int status,
                         hp_pass_view *view);
/* A failed pass change's answer: a rule's refusal carries `rule` and `can_wait`. */
void hp_http_pass_refused(hp_http_response *res, int rc, const hp_pass_refusal *refusal);
/* The waiting line (line.c): the 202 of a creation that joined it, and its resource. */
void hp_http_line_joined(hp_http_request *req, hp_http_response *res, int64_t entry_id);
void hp_http_line_list(hp_http_request *req, hp_http_response *res);
void hp_http_line_start(hp_http_request *req, hp_http_response *res);
void hp_http_line_delete(hp_http_request *req, hp_http_response *res);
void hp_http_kiosk_start(hp_http_request *req, hp_http_response *res);
void hp_http_kiosk_stop(hp_http_request *req, hp_http_response *res);
void hp_http_rooms_list(hp_http_request *req, hp_http_response *res);
void hp_http_rooms_create(hp_http_request *req, hp_http_response *res);
void hp_http_rooms_update(hp_http_request *req, hp_http_response *res);
void hp_http_students_list(hp_http_request *req, hp_http_response *res);
/* /api/users (users.c): admins only. */
void hp_http_users_list(hp_http_request *req, hp_http_response *res);
void hp_http_users_create(hp_http_request *req, hp_http_response *res);
void hp_http_users_update(hp_http_request *req, hp_http_response *res);
void hp_http_users_password(hp_http_request *req, hp_http_response *res);
void hp_http_reports_rooms(hp_http_request *req, hp_http_response *res);
void hp_http_reports_staff(hp_http_request *req, hp_http_response *res);
/* Answers a report or an insight of the kind for an admin (403 for anyone else), in the
 * format the query asks for, recorded in the audit log as the admin's read: what reports.c
 * and insights.c share. */
void hp_http_report_answer(hp_http_request *req, hp_http_response *res, hp_report_kind kind);
/* Reads the query's format (json, the default, csv or xlsx); answers 400 and returns false
 * for another. */
bool hp_http_report_format(const hp_http_request *req, hp_http_response *res, hp_format *out);
/* Answers a built report in a format: CSV and XLSX with the export's file name. */
void hp_http_report_write(hp_http_response *res, const hp_report *rep, hp_format format);
/* Share links (shares.c): admins make, list and revoke them; anyone with a link reads its
 * report (GET /api/shared/{token}) and opens its page (GET /shared/{token}). */
void hp_http_shares_create(hp_http_request *req, hp_http_response *res);
void hp_http_shares_list(hp_http_request *req, hp_http_response *res);
void hp_http_shares_delete(hp_http_request *req, hp_http_response *res);
void hp_http_shared_report(hp_http_request *req, hp_http_response *res);
void hp_http_shared_page(hp_http_request *req, hp_http_response *res);
/* GET /api/insights/KIND: the kind is the path's last segment. */
void hp_http_insights(hp_http_request *req, hp_http_response *res);
/* /api/encounter-groups (groups.c): admins only. */
void hp_http_groups_list(hp_http_request *req, hp_http_response *res);
void hp_http_groups_create(hp_http_request *req, hp_http_response *res);
void hp_http_groups_update(hp_http_request *req, hp_http_response *res);
void hp_http_groups_delete(hp_http_request *req, hp_http_response *res);
/* GET /api/audit (audit.c): the audit log, admins only. */
void hp_http_audit_list(hp_http_request *req, hp_http_response *res);
/* GET /api/events: the school's change stream (events.c). */
void hp_http_events(hp_http_request *req, hp_http_response *res);
/* GET /healthz (health.c): 200 {"status":"ok"} when the store answers, else 503. */
void hp_http_healthz(hp_http_request *req, hp_http_response *res);
/* Pages and their assets: every GET outside /api/. */
void hp_http_page(hp_http_request *req, hp_http_response *res);

/* The pass-rule settings (settings.c): GET and PATCH /api/settings, and the rule fields of a
 * room in the rooms' JSON. */
void hp_http_settings_get(hp_http_request *req, hp_http_response *res);
void hp_http_settings_update(hp_http_request *req, hp_http_response *res);
/* A setting's or field's stored value as JSON: null when off, else a number or a boolean. */
json_t *hp_http_setting_json(const hp_setting_spec *spec, int value);
/* The body of a request that changes the pass rules, read only once the actor is known to be
 * an admin of the school (settings.c); NULL when answered: 403, or 400 for a bad body. */
json_t *hp_http_admin_body(hp_http_request *req, hp_http_response *res);
/* No-pass times (nopass.c): GET and PUT /api/schedule, GET and POST /api/blackouts, DELETE
 * /api/blackouts/{id}; admins only. */
void hp_http_schedule_get(hp_http_request *req, hp_http_response *res);
void hp_http_schedule_put(hp_http_request *req, hp_http_response *res);
void hp_http_blackouts_list(hp_http_request *req, hp_http_response *res);
void hp_http_blackouts_create(hp_http_request *req, hp_http_response *res);
void hp_http_blackouts_delete(hp_http_request *req, hp_http_response *res);
/* POST /api/users/import (roster.c): an admin's upload of a OneRoster export. */
void hp_http_roster_import(hp_http_request *req, hp_http_response *res);
/* Adds time_limit_minutes and counts_toward_limit to a room's JSON. */
void hp_http_room_rules_json(json_t *room_json, const hp_room *room);
/* Reads a rule field of a room from a request's body (see service/settings.h). */
void hp_http_field_change(json_t *body, const hp_setting_spec *spec, hp_field_change *out);

#endif
