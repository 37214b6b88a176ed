/* POST /api/users/import?dry_run=true|false: an admin uploads the school's OneRoster export
 * (a .zip) and gets the plan of what it changes, applied unless it is a dry run. The import is
 * service/roster.c's; this file turns its plan and its errors into JSON. */
#include "http/http.h"

#include "core/error.h"
#include "service/roster.h"

#include <string.h>

static json_t *changes_json(const GArray *list, bool with_role, bool with_changes)
{
    json_t *out = json_array();
    for (guint i = 0; i < list->len; i++) {
        const hp_roster_change *c = &g_array_index(list, hp_roster_change, i);
        json_t *item = json_pack("{s:s, s:s}", "email", c->email, "name", c->name);
        if (with_role)
            json_object_set_new(item, "role", json_string(hp_role_name(c->role)));
        if (with_changes) {
            json_t *fields = json_array();
            for (unsigned f = 0; f < HP_ROSTER_FIELDS; f++)
                if (c->changes & (1u << f))
                    json_array_append_new(fields, json_string(hp_roster_field_name(f)));
            json_object_set_new(item, "changes", fields);
        }
        json_array_append_new(out, item);
    }
    return out;
}

static json_t *plan_json(const hp_roster_plan *plan)
{
    json_t *left_out = json_array();
    for (guint i = 0; i < plan->left_out->len; i++) {
        const hp_roster_left_out *l = &g_array_index(plan->left_out, hp_roster_left_out, i);
        json_array_append_new(left_out, json_pack("{s:s, s:I, s:s}", "file", l->file, "line",
                                                  (json_int_t)l->line, "reason", l->reason));
    }
    return json_pack("{s:b, s:o, s:o, s:o, s:o}", "applied", plan->applied, "added",
                     changes_json(plan->added, true, false), "updated",
                     changes_json(plan->updated, true, true), "deactivated",
                     changes_json(plan->deactivated, false, false), "left_out", left_out);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* An error in the export: the message, and where it is. */
static void export_error(hp_http_response *res, int rc, const hp_roster_error *err)
{
    json_t *body = json_pack(
        "{s:s, s:o, s:o, s:o, s:o}", "error", hp_error_last(), "file", string_or_null(err->file),
        "line", err->line ? json_integer((json_int_t)err->line) : json_null(), "column",
        string_or_null(err->column), "value", string_or_null(err->value));
    hp_http_json(res, rc == HP_ECONFLICT ? 409 : 400, body);
}

void hp_http_roster_import(hp_http_request *req, hp_http_response *res)
{
    const char *dry = hp_http_query(req, "dry_run");
    /* Without the parameter the upload only shows what it would do: applying is asked for. */
    bool dry_run = dry == NULL || strcmp(dry, "true") == 0;
    if (dry && !dry_run && strcmp(dry, "false") != 0) {
        hp_http_error(res, 400, "dry_run: \"%.40s\" is not true or false", dry);
        return;
    }
    hp_roster_input input = {.data = req->body, .len = req->body_len};
    hp_roster_options options = {
        .org = hp_http_query(req, "org"), .dry_run = dry_run, .label = "upload"};
    hp_roster_plan plan;
    hp_roster_error err;
    int rc = hp_roster_import_as(req->store, &req->actor, &input, &options, &plan, &err);
    bool in_export = rc == HP_EINVALID || rc == HP_ETOOBIG || rc == HP_ECONFLICT ||
                     rc == HP_EEXISTS || (rc == HP_ENOTFOUND && err.file);
    if (rc == HP_OK)
        hp_http_json(res, 200, plan_json(&plan));
    else if (in_export)
        export_error(res, rc, &err);
    else
        hp_http_fail(res, rc);
    hp_roster_plan_release(&plan);
    hp_roster_error_release(&err);
}
