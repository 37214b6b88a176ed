/* /api/rooms: the request's fields into a room change, and the room into JSON; the rules are
 * in service/rooms.c. */
#include "http/http.h"

#include "core/error.h"
#include "core/util.h"
#include "service/rooms.h"

#include <string.h>

/* A limit value that is not a whole number is passed on as this, which the service refuses
 * with the one message for a bad limit. */
#define NOT_A_LIMIT (-1)

void hp_http_rooms_list(hp_http_request *req, hp_http_response *res)
{
    hp_room *rooms;
    size_t n;
    int rc = hp_rooms_list(req->store, &req->actor, &rooms, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hp_http_room_json(&rooms[i]));
    hp_rooms_free(rooms, n);
    hp_http_json(res, 200, json_pack("{s:o}", "rooms", list));
}

/* Reads a limit: a whole number, or null for none. */
static void read_limit(json_t *body, const char *key, bool *has, int64_t *limit)
{
    json_t *v = json_object_get(body, key);
    *has = v != NULL;
    if (json_is_null(v))
        *limit = 0;
    else if (json_is_integer(v))
        *limit = json_integer_value(v) == 0 ? NOT_A_LIMIT : json_integer_value(v);
    else
        *limit = NOT_A_LIMIT;
}

/* Reads the body's fields into a change; its strings stay owned by the body. */
static bool read_change(json_t *body, hp_room_change *change, hp_http_response *res)
{
    static const char *const known[] = {"name",
                                        "folder",
                                        "max_passes_from",
                                        "max_passes_to",
                                        "time_limit_minutes",
                                        "counts_toward_limit"};
    if (!hp_http_only_known(body, known, HP_ARRAY_SIZE(known), "a room", "", res))
        return false;
    if (!hp_http_get_string(body, "name", HP_NAME_MAX + 1, &change->name, res) ||
        !hp_http_get_string(body, "folder", HP_NAME_MAX + 1, &change->folder, res))
        return false;
    if (json_object_get(body, "folder") && change->folder == NULL)
        change->folder = ""; /* null: no folder. */
    read_limit(body, "max_passes_from", &change->has_max_from, &change->max_from);
    read_limit(body, "max_passes_to", &change->has_max_to, &change->max_to);
    hp_http_field_change(body, &hp_field_time_limit_minutes, &change->time_limit_minutes);
    hp_http_field_change(body, &hp_field_counts_toward_limit, &change->counts_toward_limit);
    return true;
}

static void change_room(hp_http_request *req, hp_http_response *res, bool create)
{
    hp_room_change change = {0};
    hp_room room = {0};
    json_t *body;
    if ((body = hp_http_body_object(req, res)) == NULL)
        return;
    if (read_change(body, &change, res)) {
        int rc = create ? hp_room_create(req->store, &req->actor, &change, &room)
                        : hp_room_update(req->store, &req->actor, req->path_id, &change, &room);
        if (rc < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, create ? 201 : 200, hp_http_room_json(&room));
    }
    hp_room_release(&room);
    json_decref(body);
}

void hp_http_rooms_create(hp_http_request *req, hp_http_response *res)
{
    change_room(req, res, true);
}

void hp_http_rooms_update(hp_http_request *req, hp_http_response *res)
{
    change_room(req, res, false);
}
