/* /api/students?q=TEXT: staff find a student by name, email or student ID to write a pass
 * for; the search is service/students.c's. */
#include "http/http.h"

#include "service/students.h"

void hp_http_students_list(hp_http_request *req, hp_http_response *res)
{
    hp_user *users;
    size_t n;
    int rc = hp_students_search(req->store, &req->actor, hp_http_query(req, "q"), &users, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hp_http_user_json(&users[i], NULL));
    hp_users_free(users, n);
    hp_http_json(res, 200, json_pack("{s:o}", "students", list));
}
