/* /api/kiosk: a staff member turns their session into a kiosk in a room (POST), and back
 * (DELETE, with their password); the rules are in service/kiosk.c. */
#include "http/http.h"

#include "core/error.h"
#include "service/kiosk.h"

void hp_http_kiosk_start(hp_http_request *req, hp_http_response *res)
{
    const char *name;
    hp_room room = {0};
    json_t *body = hp_http_body_object(req, res);
    if (body == NULL)
        return;
    if (hp_http_get_string(body, "room", HP_NAME_MAX, &name, res)) {
        int rc = hp_kiosk_start(req->store, &req->actor, req->token_hash, name, &room);
        if (rc < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, 200, json_pack("{s:o}", "kiosk", hp_http_kiosk_json(&room, true)));
    }
    hp_room_release(&room);
    json_decref(body);
}

void hp_http_kiosk_stop(hp_http_request *req, hp_http_response *res)
{
    const char *password;
    int64_t wait;
    json_t *body = hp_http_body_object(req, res);
    if (body == NULL)
        return;
    if (hp_http_get_string(body, "password", HP_PASSWORD_MAX, &password, res)) {
        int rc = hp_kiosk_stop(req->store, hp_server_guard(req->server), &req->actor,
                               req->token_hash, password, req->now, &wait);
        if (rc < 0)
            hp_http_fail_waiting(res, rc, wait);
        else
            hp_http_json(res, 200, json_pack("{s:n}", "kiosk"));
    }
    json_decref(body);
}
