/* /api/rooms: every signed-in user lists the rooms (to pick a destination); admins create
 * rooms and change their name, folder and limits. */
#include "http/http.h"

#include "core/error.h"

#include <glib.h>
#include <string.h>

void hp_http_rooms_list(hp_http_request *req, hp_http_response *res)
{
    hp_room *rooms;
    size_t n;
    int rc = hp_store_rooms_list(req->store, req->actor.school.id, &rooms, &n);
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

/* Reads a limit: a whole number from 1 to HP_LIMIT_MAX, or null for none. */
static bool read_limit(json_t *body, const char *key, int *limit, hp_http_response *res)
{
    json_t *v = json_object_get(body, key);
    if (v == NULL)
        return true;
    if (json_is_null(v)) {
        *limit = 0;
        return true;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > HP_LIMIT_MAX) {
        hp_http_error(res, 400, "%s: must be a whole number from 1 to %d, or null for no limit",
                      key, HP_LIMIT_MAX);
        return false;
    }
    *limit = (int)json_integer_value(v);
    return true;
}

/* Applies the body's fields to a room; the strings stay owned by the body. */
static bool read_room(json_t *body, hp_room *room, hp_http_response *res)
{
    static const char *const known[] = {"name", "folder", "max_passes_from", "max_passes_to"};
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value)
    {
        bool ok = false;
        for (size_t i = 0; i < 4; i++)
            ok = ok || strcmp(key, known[i]) == 0;
        ok = ok || hp_http_room_rules_known(key);
        if (!ok) {
            hp_http_error(res, 400, "\"%.60s\" is not a field of a room", key);
            return false;
        }
    }
    const char *name, *folder;
    if (!hp_http_get_string(body, "name", HP_NAME_MAX + 1, &name, res) ||
        !hp_http_get_string(body, "folder", HP_NAME_MAX + 1, &folder, res))
        return false;
    if (name) {
        char *trimmed = g_strstrip(g_strdup(name));
        int rc = hp_check_name("name", trimmed, true);
        if (rc < 0) {
            g_free(trimmed);
            hp_http_fail(res, rc);
            return false;
        }
        free(room->name);
        room->name = strdup(trimmed);
        g_free(trimmed);
    }
    if (json_object_get(body, "folder")) {
        char *trimmed = g_strstrip(g_strdup(folder ? folder : ""));
        int rc = hp_check_name("folder", trimmed, false);
        if (rc < 0) {
            g_free(trimmed);
            hp_http_fail(res, rc);
            return false;
        }
        free(room->folder);
        room->folder = strdup(trimmed);
        g_free(trimmed);
    }
    return read_limit(body, "max_passes_from", &room->max_from, res) &&
           read_limit(body, "max_passes_to", &room->max_to, res) &&
           hp_http_room_rules_read(body, room, res);
}

static void save(hp_http_request *req, hp_http_response *res, hp_room *room, int status)
{
    bool changed;
    int rc = hp_store_begin(req->store);
    if (rc == HP_OK &&
        (rc = hp_store_room_put(req->store, req->actor.school.id, room, &changed)) == HP_OK &&
        (rc = hp_store_room_rules_put(req->store, req->actor.school.id, room, &changed)) == HP_OK)
        rc = hp_store_commit(req->store);
    if (rc < 0) {
        hp_store_rollback(req->store);
        hp_http_fail(res, rc);
        return;
    }
    hp_http_json(res, status, hp_http_room_json(room));
}

void hp_http_rooms_create(hp_http_request *req, hp_http_response *res)
{
    hp_room room = {0};
    json_t *body;
    if (!hp_actor_is_admin(&req->actor)) {
        hp_http_error(res, 403, "only admins change rooms");
        return;
    }
    if ((body = hp_http_body_object(req, res)) == NULL)
        return;
    room.counts_toward_limit = hp_field_counts_toward_limit.default_value != 0;
    if (read_room(body, &room, res)) {
        if (room.name == NULL)
            hp_http_error(res, 400, "name: missing");
        else
            save(req, res, &room, 201);
    }
    hp_room_release(&room);
    json_decref(body);
}

void hp_http_rooms_update(hp_http_request *req, hp_http_response *res)
{
    hp_room room = {0};
    json_t *body;
    if (!hp_actor_is_admin(&req->actor)) {
        hp_http_error(res, 403, "only admins change rooms");
        return;
    }
    if ((body = hp_http_body_object(req, res)) == NULL)
        return;
    int rc = hp_store_room_get(req->store, req->actor.school.id, req->path_id, &room);
    if (rc < 0)
        hp_http_fail(res, rc);
    else if (read_room(body, &room, res))
        save(req, res, &room, 200);
    hp_room_release(&room);
    json_decref(body);
}
