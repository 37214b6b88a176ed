/* /api/session: sign in (POST), who am I (GET), sign out (DELETE); the rules are in
 * service/auth.c. */
#include "http/http.h"

#include "core/error.h"

#include <glib.h>

/* The answer of GET /api/session (and of a sign-in): the user with their room, the school,
 * and the kiosk the session stands in, if any. */
static int session_json(hp_http_request *req, json_t **out)
{
    hp_actor_rooms rooms;
    int rc = hp_actor_rooms_load(req->store, &req->actor, &rooms);
    if (rc < 0)
        return rc;
    json_t *kiosk = hp_actor_is_kiosk(&req->actor) && rooms.kiosk.id
                        ? hp_http_kiosk_json(&rooms.kiosk, req->actor.kiosk_room_id != 0)
                        : json_null();
    *out =
        json_pack("{s:o, s:{s:s, s:s}, s:o}", "user",
                  hp_http_user_json(&req->actor.user, rooms.home.name), "school", "name",
                  req->actor.school.name, "timezone", req->actor.school.timezone, "kiosk", kiosk);
    hp_actor_rooms_release(&rooms);
    return HP_OK;
}

static void answer_session(hp_http_request *req, hp_http_response *res)
{
    json_t *doc;
    int rc = session_json(req, &doc);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_json(res, 200, doc);
}

/* The session cookie: the token, or "" with max_age 0 to remove it. It lasts as long as the
 * longest a session may live; the server ends an idle one sooner, on its own clock, so a
 * session in use never loses its cookie while it is valid. */
char *hp_http_session_cookie(const hp_http_request *req, const char *token, int64_t max_age)
{
    return g_strdup_printf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                           HP_SESSION_COOKIE, token, (long long)max_age,
                           hp_server_cookie_secure(req->server));
}

void hp_http_session_create(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_body_object(req, res);
    const char *email, *password;
    char token[HP_TOKEN_MAX];
    hp_session session;
    int64_t wait;
    int rc;
    if (body == NULL)
        return;
    if (!hp_http_get_string(body, "email", HP_EMAIL_MAX, &email, res) ||
        !hp_http_get_string(body, "password", HP_PASSWORD_MAX, &password, res))
        goto out;
    if (email == NULL || password == NULL) {
        hp_http_error(res, 400, "give email and password");
        goto out;
    }
    if ((rc = hp_auth_sign_in(req->store, hp_server_guard(req->server), email, password,
                              req->client, req->now, token, &session, &wait)) < 0 ||
        (rc = hp_server_actor(req, &session)) < 0) {
        hp_http_fail_waiting(res, rc, wait);
        goto out;
    }
    answer_session(req, res);
    if (res->status == 200)
        res->set_cookie = hp_http_session_cookie(req, token, hp_server_session_max(req->server));
out:
    json_decref(body);
}

void hp_http_session_get(hp_http_request *req, hp_http_response *res)
{
    answer_session(req, res);
}

void hp_http_session_delete(hp_http_request *req, hp_http_response *res)
{
    const char *email = NULL, *password = NULL;
    json_t *body = NULL;
    int64_t wait;
    /* A kiosk signs out with a staff member's email and password; others send no body. */
    if (hp_actor_is_kiosk(&req->actor) && req->body_len > 0) {
        if ((body = hp_http_body_object(req, res)) == NULL)
            return;
        if (!hp_http_get_string(body, "email", HP_EMAIL_MAX, &email, res) ||
            !hp_http_get_string(body, "password", HP_PASSWORD_MAX, &password, res))
            goto out;
    }
    int rc = hp_auth_sign_out(req->store, hp_server_guard(req->server), &req->actor,
                              req->token_hash, email, password, req->now, &wait);
    if (rc < 0) {
        hp_http_fail_waiting(res, rc, wait);
        goto out;
    }
    res->set_cookie = hp_http_session_cookie(req, "", 0);
    hp_http_json(res, 200, json_pack("{s:b}", "signed_out", 1));
out:
    json_decref(body);
}
