/* /api/encounter-groups: admins list, create, change, pause and remove encounter groups. The
 * request's fields become a group change and the group becomes JSON; the rules are in
 * service/groups.c. */
#include "http/http.h"

#include "core/error.h"
#include "core/util.h"
#include "service/groups.h"

#include <glib.h>
#include <string.h>

/* Bytes of one entry of `students` (an email or a student ID). */
#define STUDENT_FIELD_MAX (HP_EMAIL_MAX + 1)

static json_t *group_json(const hp_group_view *view)
{
    json_t *students = json_array();
    for (size_t i = 0; i < view->group.member_count; i++)
        json_array_append_new(students, hp_http_user_json(&view->students[i], NULL));
    return json_pack("{s:I, s:s, s:b, s:o}", "id", (json_int_t)view->group.id, "name",
                     view->group.name, "active", view->group.active, "students", students);
}

/* Answers rc's error, after asking whether the actor may manage groups at all. */
static bool allowed(hp_http_request *req, hp_http_response *res)
{
    int rc = hp_groups_may_manage(&req->actor);
    if (rc < 0)
        hp_http_fail(res, rc);
    return rc == HP_OK;
}

void hp_http_groups_list(hp_http_request *req, hp_http_response *res)
{
    hp_group_view *views;
    size_t n;
    if (!allowed(req, res))
        return;
    int rc = hp_groups_list(req->store, &req->actor, &views, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, group_json(&views[i]));
    hp_group_views_free(views, n);
    hp_http_json(res, 200, json_pack("{s:o}", "groups", list));
}

/* Reads the body into a change; its strings stay owned by the body, the students' list is
 * g_free'd by the caller. */
static bool read_change(json_t *body, hp_group_change *change, const char ***students,
                        hp_http_response *res)
{
    static const char *const known[] = {"name", "students", "active"};
    if (!hp_http_only_known(body, known, HP_ARRAY_SIZE(known), "an encounter group", "", res))
        return false;
    if (!hp_http_get_string(body, "name", HP_NAME_MAX + 1, &change->name, res))
        return false;
    json_t *active = json_object_get(body, "active");
    if (active) {
        if (!json_is_boolean(active)) {
            hp_http_error(res, 400, "active: must be true or false");
            return false;
        }
        change->has_active = true;
        change->active = json_is_true(active);
    }
    json_t *list = json_object_get(body, "students");
    if (list == NULL)
        return true;
    if (!json_is_array(list)) {
        hp_http_error(res, 400, "students: must be a list of emails or student IDs");
        return false;
    }
    /* A body is at most HP_HTTP_BODY_MAX bytes, so the list is short enough to hold. */
    size_t n = json_array_size(list);
    *students = g_new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        const char *text = json_string_value(item);
        if (text == NULL || strlen(text) != json_string_length(item) ||
            strlen(text) >= STUDENT_FIELD_MAX) {
            hp_http_error(res, 400, "students[%zu]: must be an email or a student ID", i);
            return false;
        }
        (*students)[i] = text;
    }
    change->has_students = true;
    change->students = *students;
    change->student_count = n; /* The service refuses a count out of range, naming it. */
    return true;
}

static void change_group(hp_http_request *req, hp_http_response *res, bool create)
{
    hp_group_change change = {0};
    hp_group_view view = {0};
    const char **students = NULL;
    json_t *body;
    if (!allowed(req, res) || (body = hp_http_body_object(req, res)) == NULL)
        return;
    if (read_change(body, &change, &students, res)) {
        int rc = create ? hp_group_create(req->store, &req->actor, &change, &view)
                        : hp_group_update(req->store, &req->actor, req->path_id, &change, &view);
        if (rc < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, create ? 201 : 200, group_json(&view));
    }
    hp_group_view_release(&view);
    g_free(students);
    json_decref(body);
}

void hp_http_groups_create(hp_http_request *req, hp_http_response *res)
{
    change_group(req, res, true);
}

void hp_http_groups_update(hp_http_request *req, hp_http_response *res)
{
    change_group(req, res, false);
}

void hp_http_groups_delete(hp_http_request *req, hp_http_response *res)
{
    if (!allowed(req, res))
        return;
    int rc = hp_group_delete(req->store, &req->actor, req->path_id);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_json(res, 200, json_pack("{s:b}", "deleted", true));
}
