/* /api/users: admins search, add and change the school's users and set a user's password.
 * The query and the body become a search or a user change, and the user becomes JSON; every
 * rule is in service/users.c. */
#include "http/http.h"

#include "core/error.h"
#include "core/util.h"
#include "service/users.h"

#include <glib.h>
#include <string.h>

/* Digits of the longest limit a search takes, so that a longer one is refused, not cut. */
#define LIMIT_DIGITS_MAX 6

static json_t *user_json(const hp_user_row *row)
{
    json_t *doc = hp_user_row_json(row);
    json_object_set_new(doc, "id", json_integer(row->user.id));
    return doc;
}

/* Reads the search's query parameters; answers 400 naming the one that is wrong. */
static bool read_search(const hp_http_request *req, hp_user_search *q, hp_http_response *res)
{
    const char *role = hp_http_query(req, "role");
    const char *limit = hp_http_query(req, "limit");
    const char *active = hp_http_query(req, "active");
    *q = (hp_user_search){.query = hp_http_query(req, "q"), .any_role = true, .any_state = true};
    if (role && role[0]) {
        if (hp_role_parse(role, &q->role) < 0) {
            hp_http_error(res, 400, "role: \"%.40s\" is not admin, teacher, student or kiosk",
                          role);
            return false;
        }
        q->any_role = false;
    }
    if (active && active[0]) {
        if (strcmp(active, "true") != 0 && strcmp(active, "false") != 0) {
            hp_http_error(res, 400, "active: \"%.40s\" is not true or false", active);
            return false;
        }
        q->any_state = false;
        q->active = strcmp(active, "true") == 0;
    }
    if (limit) {
        size_t n = strspn(limit, "0123456789");
        if (n == 0 || n > LIMIT_DIGITS_MAX || limit[n] != '\0' || strtoul(limit, NULL, 10) == 0 ||
            strtoul(limit, NULL, 10) > HP_USERS_LIMIT_MAX) {
            hp_http_error(res, 400, "limit: must be a whole number from 1 to %d",
                          HP_USERS_LIMIT_MAX);
            return false;
        }
        q->limit = strtoul(limit, NULL, 10);
    }
    return true;
}

void hp_http_users_list(hp_http_request *req, hp_http_response *res)
{
    hp_user_search q;
    hp_user_row *rows;
    size_t n;
    bool more;
    if (!read_search(req, &q, res))
        return;
    int rc = hp_users_find(req->store, &req->actor, &q, &rows, &n, &more);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, user_json(&rows[i]));
    hp_user_rows_free(rows, n);
    hp_http_json(res, 200, json_pack("{s:o, s:b}", "users", list, "more", more));
}

/* Reads the body's fields into a change; its strings stay owned by the body. A creation
 * takes a password, a change takes active. */
static bool read_change(json_t *body, bool create, hp_user_change *change, hp_http_response *res)
{
    static const char *const create_fields[] = {
        "name", "email", "role", "room", "student_id", "max_passes_per_day", "password"};
    static const char *const update_fields[] = {
        "name", "email", "role", "room", "student_id", "max_passes_per_day", "active"};
    *change = (hp_user_change){.active = HP_USER_ACTIVE_KEEP};
    if (!hp_http_only_known(body, create ? create_fields : update_fields,
                            create ? HP_ARRAY_SIZE(create_fields) : HP_ARRAY_SIZE(update_fields),
                            "a user", "", res) ||
        !hp_http_get_string(body, "name", HP_NAME_MAX + 1, &change->name, res) ||
        !hp_http_get_string(body, "email", HP_EMAIL_MAX + 1, &change->email, res) ||
        !hp_http_get_string(body, "role", HP_NAME_MAX + 1, &change->role, res) ||
        !hp_http_get_string(body, "room", HP_NAME_MAX + 1, &change->room, res) ||
        !hp_http_get_string(body, "student_id", HP_NAME_MAX + 1, &change->student_id, res) ||
        !hp_http_get_string(body, "password", HP_PASSWORD_MAX + 1, &change->password, res))
        return false;
    /* null removes a home room or a student ID, as an empty column does. */
    if (json_is_null(json_object_get(body, "room")))
        change->room = "";
    if (json_is_null(json_object_get(body, "student_id")))
        change->student_id = "";
    hp_http_field_change(body, &hp_field_max_passes_per_day, &change->max_passes_per_day);
    json_t *active = json_object_get(body, "active");
    if (active) {
        if (!json_is_boolean(active)) {
            hp_http_error(res, 400, "active: must be true or false");
            return false;
        }
        change->active = json_is_true(active);
    }
    return true;
}

static void change_user(hp_http_request *req, hp_http_response *res, bool create)
{
    hp_user_change change;
    hp_user_row row = {0};
    json_t *body;
    if ((body = hp_http_body_object(req, res)) == NULL)
        return;
    if (read_change(body, create, &change, res)) {
        int rc = create ? hp_user_create(req->store, &req->actor, &change, &row)
                        : hp_user_update(req->store, &req->actor, req->path_id, &change, &row);
        if (rc < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, create ? 201 : 200, user_json(&row));
    }
    hp_user_row_release(&row);
    json_decref(body);
}

void hp_http_users_create(hp_http_request *req, hp_http_response *res)
{
    change_user(req, res, true);
}

void hp_http_users_update(hp_http_request *req, hp_http_response *res)
{
    change_user(req, res, false);
}

void hp_http_users_password(hp_http_request *req, hp_http_response *res)
{
    const char *password = NULL;
    json_t *body;
    if ((body = hp_http_body_object(req, res)) == NULL)
        return;
    if (hp_http_only_known(body, (const char *const[]){"password"}, 1, "a new password", "", res) &&
        hp_http_get_string(body, "password", HP_PASSWORD_MAX + 1, &password, res)) {
        int rc = hp_user_reset_password(req->store, &req->actor, req->path_id, password);
        if (rc < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, 200, json_pack("{s:b}", "sessions_ended", true));
    }
    json_decref(body);
}
