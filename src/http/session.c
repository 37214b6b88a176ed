/* /api/session: sign in (POST), who am I (GET), sign out (DELETE). */
#include "http/http.h"

#include "core/error.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#define COOKIE "hallpass_session"

static json_t *session_json(hp_http_request *req)
{
    json_t *kiosk = json_null();
    if (hp_actor_is_kiosk(&req->actor)) {
        hp_room room = {0};
        if (hp_store_room_get(req->store, req->actor.school.id, hp_actor_kiosk_room(&req->actor),
                              &room) == HP_OK)
            kiosk = json_pack("{s:I, s:s, s:b}", "room_id", (json_int_t)room.id, "room", room.name,
                              "kiosk_mode", req->actor.kiosk_room_id != 0);
        hp_room_release(&room);
    }
    return json_pack("{s:o, s:{s:s, s:s}, s:o}", "user", hp_http_user_json(&req->actor.user),
                     "school", "name", req->actor.school.name, "timezone",
                     req->actor.school.timezone, "kiosk", kiosk);
}

void hp_http_session_create(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_body_object(req, res);
    const char *email, *password;
    if (body == NULL)
        return;
    if (!hp_http_get_string(body, "email", HP_EMAIL_MAX, &email, res) ||
        !hp_http_get_string(body, "password", HP_PASSWORD_MAX, &password, res))
        goto out;
    if (email == NULL || password == NULL) {
        hp_http_error(res, 400, "give email and password");
        goto out;
    }

    char *account = g_ascii_strdown(email, -1);
    hp_throttle *accounts = hp_server_throttle(req->server, false);
    hp_throttle *addresses = hp_server_throttle(req->server, true);
    int64_t wait = hp_throttle_attempt(accounts, account, req->now);
    if (wait == 0 && (wait = hp_throttle_attempt(addresses, req->client, req->now)) > 0)
        hp_throttle_forgive(accounts, account);
    if (wait > 0) {
        hp_http_error(res, 429, "too many failed sign-ins; try again in %lld seconds",
                      (long long)wait);
        res->retry_after = (int)wait;
        g_free(account);
        goto out;
    }

    char token[HP_TOKEN_MAX];
    hp_session session;
    int rc = hp_auth_sign_in(req->store, email, password, req->now, token, &session);
    if (rc < 0) {
        /* The attempt was counted as a failure when let through; a fault of the store's is
         * not the user's. */
        if (rc != HP_EAUTH) {
            hp_throttle_forgive(accounts, account);
            hp_throttle_forgive(addresses, req->client);
        }
        g_free(account);
        hp_http_fail(res, rc);
        goto out;
    }
    hp_throttle_success(accounts, account);
    hp_throttle_forgive(addresses, req->client);
    g_free(account);

    /* Fill the actor as a signed-in request would have it, to answer who signed in. */
    hp_school *schools;
    size_t n;
    if (hp_store_schools_list(req->store, &schools, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++) {
            if (schools[i].id == session.school_id) {
                req->actor.school = schools[i];
                schools[i] = (hp_school){0};
            }
        }
        hp_schools_free(schools, n);
    }
    hp_store_user_get(req->store, session.school_id, session.user_id, &req->actor.user);
    req->actor.tz = hp_server_tz(req->server, &req->actor.school);
    res->set_cookie = g_strdup_printf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                                      COOKIE, token, (long long)hp_server_session_idle(req->server),
                                      hp_server_cookie_secure(req->server));
    hp_http_json(res, 200, session_json(req));
out:
    json_decref(body);
}

void hp_http_session_get(hp_http_request *req, hp_http_response *res)
{
    hp_http_json(res, 200, session_json(req));
}

void hp_http_session_delete(hp_http_request *req, hp_http_response *res)
{
    int rc = hp_auth_sign_out(req->store, req->token_hash);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    res->set_cookie = g_strdup_printf("%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", COOKIE,
                                      hp_server_cookie_secure(req->server));
    hp_http_json(res, 200, json_pack("{s:b}", "signed_out", 1));
}
