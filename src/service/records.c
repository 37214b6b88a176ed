/* A student's records exported or removed; see records.h. */
#include "service/records.h"

#include "core/error.h"
#include "core/line.h"
#include "core/rules.h"
#include "service/check.h"
#include "service/students.h"

#include <glib.h>
#include <string.h>

/* ---- Export --------------------------------------------------------------------------- */

static json_t *time_or_null(const hp_tz *tz, int64_t t, bool has)
{
    if (!has)
        return json_null();
    char text[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, t, text);
    return json_string(text);
}

static json_t *text_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

/* Room names by id, for the rows that keep only ids. */
static GHashTable *room_names(hp_store *store, int64_t school_id, int *rc)
{
    GHashTable *names = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    hp_room *rooms;
    size_t n;
    if ((*rc = hp_store_rooms_list(store, school_id, &rooms, &n)) < 0)
        return names;
    for (size_t i = 0; i < n; i++) {
        int64_t *id = g_new(int64_t, 1);
        *id = rooms[i].id;
        g_hash_table_insert(names, id, g_strdup(rooms[i].name));
    }
    hp_rooms_free(rooms, n);
    return names;
}

static json_t *room_name(GHashTable *names, int64_t id)
{
    return text_or_null(g_hash_table_lookup(names, &id));
}

static json_t *user_json(const hp_user *u, const hp_school *school)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "school", school->name, "name", u->name,
                          "email", u->email, "role", hp_role_name(u->role), "active", u->active);
    json_object_set_new(o, "student_id", text_or_null(u->student_id));
    json_object_set_new(o, "max_passes_per_day",
                        u->max_passes_per_day ? json_integer(u->max_passes_per_day) : json_null());
    return o;
}

static int add_passes(hp_store *store, const hp_school *school, const hp_tz *tz, const hp_user *u,
                      json_t *doc, size_t *count)
{
    hp_pass_filter filter = {.student_id = u->id};
    hp_pass_view *views;
    size_t n;
    int rc = hp_store_passes_list(store, school->id, &filter, &views, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const hp_pass *p = &views[i].pass;
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)p->id, "origin",
                      views[i].origin_name, "destination", views[i].destination_name, "creator",
                      views[i].creator_name, "creator_email", views[i].creator_email, "source",
                      hp_source_name(p->source), "type", hp_pass_type_name(p->type), "cancelled",
                      p->cancelled);
        json_object_set_new(o, "start", time_or_null(tz, p->start, true));
        json_object_set_new(o, "end", time_or_null(tz, p->end, p->has_end));
        json_object_set_new(o, "ext_id", text_or_null(p->ext_id));
        json_array_append_new(list, o);
    }
    hp_pass_views_free(views, n);
    json_object_set_new(doc, "passes", list);
    *count = n;
    return HP_OK;
}

static int add_line_entries(hp_store *store, const hp_school *school, const hp_tz *tz,
                            const hp_user *u, json_t *doc, size_t *count)
{
    hp_line_filter filter = {.kind = HP_LINE_LIST_ALL, .student_id = u->id};
    hp_line_entry *entries;
    size_t n;
    int rc = hp_store_line_list(store, school->id, &filter, &entries, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const hp_line_entry *e = &entries[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "origin",
                              e->origin_name, "destination", e->destination_name, "source",
                              hp_source_name(e->source), "state", hp_line_state_name(e->state));
        json_object_set_new(o, "joined", time_or_null(tz, e->joined, true));
        json_object_set_new(o, "offered_at", time_or_null(tz, e->offered_at, e->offered_at != 0));
        json_object_set_new(o, "ended_at", time_or_null(tz, e->ended_at, e->ended_at != 0));
        json_object_set_new(o, "pass_id", e->pass_id ? json_integer(e->pass_id) : json_null());
        json_array_append_new(list, o);
    }
    hp_line_entries_free(entries, n);
    json_object_set_new(doc, "line_entries", list);
    *count = n;
    return HP_OK;
}

static int add_refusals(hp_store *store, const hp_school *school, const hp_tz *tz, const hp_user *u,
                        GHashTable *rooms, json_t *doc, size_t *count)
{
    hp_refusal *refusals;
    size_t n;
    int rc = hp_store_student_refusals(store, school->id, u->id, &refusals, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const hp_refusal *r = &refusals[i];
        json_t *o = json_pack("{s:s, s:s}", "rule", hp_rule_name((hp_rule_id)r->rule), "source",
                              hp_source_name(r->source));
        json_object_set_new(o, "origin", room_name(rooms, r->origin_id));
        json_object_set_new(o, "destination", room_name(rooms, r->destination_id));
        json_object_set_new(o, "at", time_or_null(tz, r->at, true));
        json_array_append_new(list, o);
    }
    g_free(refusals);
    json_object_set_new(doc, "refusals", list);
    *count = n;
    return HP_OK;
}

static bool group_has(const hp_group *g, int64_t id)
{
    for (size_t m = 0; m < g->member_count; m++)
        if (g->members[m] == id)
            return true;
    return false;
}

static int add_groups(hp_store *store, const hp_school *school, const hp_user *u, json_t *doc,
                      size_t *count)
{
    hp_group *groups;
    size_t n;
    int rc = hp_store_groups_list(store, school->id, &groups, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        if (group_has(&groups[i], u->id))
            json_array_append_new(list, json_pack("{s:s, s:b, s:I}", "name", groups[i].name,
                                                  "active", groups[i].active, "members",
                                                  (json_int_t)groups[i].member_count));
    hp_groups_free(groups, n);
    *count = json_array_size(list);
    json_object_set_new(doc, "encounter_groups", list);
    return HP_OK;
}

/* Whether an audit record names the student: made by them, or about them. */
static bool audit_names(const hp_audit_record *rec, const hp_user *u)
{
    return rec->user_id == u->id || g_ascii_strcasecmp(rec->target, u->email) == 0;
}

/* The audit records that name the student, newest first, read a page at a time. */
static int add_audit(hp_store *store, const hp_school *school, const hp_tz *tz, const hp_user *u,
                     json_t *doc, size_t *count)
{
    json_t *list = json_array();
    hp_audit_query q = {.limit = HP_AUDIT_LIST_MAX};
    int rc;
    for (;;) {
        hp_audit_record *recs;
        size_t n;
        if ((rc = hp_store_audit_list(store, school->id, &q, &recs, &n)) < 0)
            break;
        for (size_t i = 0; i < n; i++) {
            if (!audit_names(&recs[i], u))
                continue;
            json_t *o = json_pack("{s:s, s:s, s:s}", "who", recs[i].who, "action", recs[i].action,
                                  "target", recs[i].target);
            json_object_set_new(o, "at", time_or_null(tz, recs[i].at, true));
            json_object_set_new(o, "address", text_or_null(recs[i].address));
            json_t *detail = recs[i].detail ? json_loads(recs[i].detail, 0, NULL) : NULL;
            json_object_set_new(o, "detail", detail ? detail : json_null());
            json_array_append_new(list, o);
        }
        if (n > 0)
            q.before_id = recs[n - 1].id;
        hp_audit_records_free(recs, n);
        if (n < HP_AUDIT_LIST_MAX)
            break;
    }
    *count = json_array_size(list);
    json_object_set_new(doc, "audit", list);
    return rc;
}

int hp_student_export(hp_store *store, const hp_school *school, const hp_tz *tz, const char *field,
                      const char *who, int64_t now, const hp_audit_by *by, json_t **out,
                      hp_export_counts *counts_out)
{
    hp_user u;
    hp_export_counts c = {0};
    *out = NULL;
    int rc = hp_student_find(store, school->id, field, who, &u);
    if (rc < 0)
        return rc;
    json_t *doc = json_object();
    json_object_set_new(doc, "exported_at", time_or_null(tz, now, true));
    json_object_set_new(doc, "student", user_json(&u, school));
    GHashTable *rooms = room_names(store, school->id, &rc);
    if (rc == HP_OK && (rc = add_passes(store, school, tz, &u, doc, &c.passes)) == HP_OK &&
        (rc = add_line_entries(store, school, tz, &u, doc, &c.line_entries)) == HP_OK &&
        (rc = add_refusals(store, school, tz, &u, rooms, doc, &c.refusals)) == HP_OK &&
        (rc = add_groups(store, school, &u, doc, &c.groups)) == HP_OK &&
        (rc = add_audit(store, school, tz, &u, doc, &c.audit)) == HP_OK)
        rc = hp_audit_note(store, by, now, "student_export", u.email,
                           json_pack("{s:I, s:I, s:I, s:I, s:I}", "passes", (json_int_t)c.passes,
                                     "line_entries", (json_int_t)c.line_entries, "refusals",
                                     (json_int_t)c.refusals, "encounter_groups",
                                     (json_int_t)c.groups, "audit", (json_int_t)c.audit));
    g_hash_table_destroy(rooms);
    hp_user_release(&u);
    if (rc < 0) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    if (counts_out)
        *counts_out = c;
    return HP_OK;
}

/* ---- Removal -------------------------------------------------------------------------- */

static bool per_student(hp_counter_kind kind)
{
    return kind == HP_COUNTER_STUDENT || kind == HP_COUNTER_STUDENT_TIME ||
           kind == HP_COUNTER_STUDENT_REFUSALS;
}

/* What the rows removed counted in the counters that stay: the recount before the removal less
 * the recount after it, per kind, day and subject. */
static int keep_removed_counts(hp_store *store, const hp_school *school, const hp_counter *before,
                               size_t before_count)
{
    hp_counter *after;
    size_t after_count;
    int rc = hp_school_recount(store, school, &after, &after_count);
    if (rc < 0)
        return rc;
    GHashTable *left = g_hash_table_new(hp_counter_key_hash, hp_counter_key_equal);
    for (size_t i = 0; i < after_count; i++)
        g_hash_table_insert(left, &after[i].key, &after[i]);
    GArray *removed = g_array_new(FALSE, FALSE, sizeof(hp_counter));
    for (size_t i = 0; i < before_count; i++) {
        if (per_student(before[i].key.kind))
            continue;
        hp_counter diff = before[i];
        const hp_counter *kept = g_hash_table_lookup(left, &before[i].key);
        bool any = false;
        for (int v = 0; v < HP_COUNTER_VALUES; v++) {
            diff.values[v] -= kept ? kept->values[v] : 0;
            any = any || diff.values[v] != 0;
        }
        if (any)
            g_array_append_val(removed, diff);
    }
    rc = hp_store_counts_removed_add(store, school->id, (const hp_counter *)removed->data,
                                     removed->len);
    g_array_free(removed, TRUE);
    g_hash_table_destroy(left);
    hp_counters_free(after);
    return rc;
}

int hp_student_delete(hp_store *store, const hp_school *school, const char *field, const char *who,
                      int64_t now, const hp_audit_by *by, hp_removed_counts *out, char **email_out)
{
    hp_user u;
    hp_counter *before = NULL;
    size_t before_count = 0;
    *out = (hp_removed_counts){0};
    if (email_out)
        *email_out = NULL;
    int rc = hp_student_find(store, school->id, field, who, &u);
    if (rc < 0)
        return rc;
    if ((rc = hp_store_begin(store)) < 0)
        goto out;
    if ((rc = hp_school_recount(store, school, &before, &before_count)) < 0 ||
        (rc = hp_store_student_erase(store, school->id, u.id, out)) < 0 ||
        (rc = keep_removed_counts(store, school, before, before_count)) < 0 ||
        (rc = hp_audit_write(
             store, by, now, "student_delete", u.email,
             json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "passes", (json_int_t)out->passes,
                       "line_entries", (json_int_t)out->line_entries, "refusals",
                       (json_int_t)out->refusals, "prevented", (json_int_t)out->prevented,
                       "memberships", (json_int_t)out->memberships, "counters",
                       (json_int_t)out->counters))) < 0 ||
        (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        *out = (hp_removed_counts){0};
        goto out;
    }
    if (email_out)
        *email_out = g_strdup(u.email);
out:
    hp_counters_free(before);
    hp_user_release(&u);
    return rc;
}
