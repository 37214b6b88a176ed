/* /api/students?q=TEXT: staff find a student by name or email to write a pass for. */
#include "http/http.h"

#include "core/error.h"

#include <glib.h>
#include <string.h>

#define MATCHES_MAX 20

void hp_http_students_list(hp_http_request *req, hp_http_response *res)
{
    if (!hp_actor_is_staff(&req->actor)) {
        hp_http_error(res, 403, "only staff look up students");
        return;
    }
    const char *q = hp_http_query(req, "q");
    if (q && strlen(q) > HP_NAME_MAX) {
        hp_http_error(res, 400, "q: longer than %d bytes", HP_NAME_MAX);
        return;
    }
    hp_user *users;
    size_t n;
    int rc = hp_store_users_list(req->store, req->actor.school.id, false, &users, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    char *needle = g_ascii_strdown(q ? q : "", -1);
    json_t *list = json_array();
    for (size_t i = 0; i < n && json_array_size(list) < MATCHES_MAX; i++) {
        if (users[i].role != HP_ROLE_STUDENT)
            continue;
        char *name = g_ascii_strdown(users[i].name, -1);
        char *email = g_ascii_strdown(users[i].email, -1);
        if (strstr(name, needle) || strstr(email, needle))
            json_array_append_new(list, hp_http_user_json(&users[i]));
        g_free(name);
        g_free(email);
    }
    g_free(needle);
    hp_users_free(users, n);
    hp_http_json(res, 200, json_pack("{s:o}", "students", list));
}
