/* /api/kiosk: a staff member turns their session into a kiosk in a room (POST), and back
 * (DELETE, with their password, so that a student at the kiosk cannot). */
#include "http/http.h"

#include "core/error.h"

#include <glib.h>

void hp_http_kiosk_start(hp_http_request *req, hp_http_response *res)
{
    const char *name;
    hp_room room = {0};
    if (!hp_actor_is_staff(&req->actor)) {
        hp_http_error(res, 403, "only staff launch kiosk mode");
        return;
    }
    json_t *body = hp_http_body_object(req, res);
    if (body == NULL)
        return;
    if (!hp_http_get_string(body, "room", HP_NAME_MAX, &name, res))
        goto out;
    if (name == NULL) {
        hp_http_error(res, 400, "room: missing");
        goto out;
    }
    int rc = hp_store_room_find(req->store, req->actor.school.id, name, &room);
    if (rc == HP_ENOTFOUND) {
        hp_http_error(res, 400, "room: no room named \"%s\"", name);
        goto out;
    }
    if (rc < 0 || (rc = hp_store_session_set_kiosk(req->store, req->token_hash, room.id)) < 0) {
        hp_http_fail(res, rc);
        goto out;
    }
    hp_http_json(res, 200,
                 json_pack("{s:{s:I, s:s, s:b}}", "kiosk", "room_id", (json_int_t)room.id, "room",
                           room.name, "kiosk_mode", 1));
out:
    hp_room_release(&room);
    json_decref(body);
}

void hp_http_kiosk_stop(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_body_object(req, res);
    const char *password;
    if (body == NULL)
        return;
    if (!hp_http_get_string(body, "password", HP_PASSWORD_MAX, &password, res))
        goto out;
    if (req->actor.kiosk_room_id == 0) {
        hp_http_error(res, 409, "this session is not in kiosk mode");
        goto out;
    }
    /* Guesses at the staff member's password from the kiosk are slowed down as sign-ins
     * are, on the same count. */
    char *account = g_ascii_strdown(req->actor.user.email, -1);
    hp_throttle *accounts = hp_server_throttle(req->server, false);
    int64_t wait = hp_throttle_attempt(accounts, account, req->now);
    if (wait > 0) {
        hp_http_error(res, 429, "too many wrong passwords; try again in %lld seconds",
                      (long long)wait);
        res->retry_after = (int)wait;
        g_free(account);
        goto out;
    }
    if (password == NULL ||
        !hp_auth_password_ok(req->store, req->actor.school.id, req->actor.user.email, password)) {
        hp_http_error(res, 403,
                      "password: the staff member's password is needed to leave "
                      "kiosk mode");
        g_free(account);
        goto out;
    }
    hp_throttle_success(accounts, account);
    g_free(account);
    int rc = hp_store_session_set_kiosk(req->store, req->token_hash, 0);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_json(res, 200, json_pack("{s:n}", "kiosk"));
out:
    json_decref(body);
}
