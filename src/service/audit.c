/*
 * The audit log's records, written for every service that changes or reads what the log
 * covers.
 */
#include "service/audit.h"

#include "core/error.h"
#include "core/util.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

hp_audit_by hp_audit_by_actor(const hp_actor *actor)
{
    return (hp_audit_by){.school_id = actor->school.id,
                         .user_id = actor->user.id,
                         .who = actor->user.email,
                         .address = actor->client};
}

hp_audit_by hp_audit_by_command(int64_t school_id)
{
    return (hp_audit_by){.school_id = school_id, .who = "command line"};
}

hp_audit_by hp_audit_by_server(int64_t school_id)
{
    return (hp_audit_by){.school_id = school_id, .who = "server"};
}

int hp_audit_write(hp_store *store, const hp_audit_by *by, int64_t now, const char *action,
                   const char *target, json_t *detail)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    hp_audit_record rec = {
        .at = now,
        .user_id = by->user_id,
        .who = (char *)(by->who ? by->who : ""),
        .address = (char *)by->address,
        .action = (char *)action,
        .target = (char *)(target ? target : ""),
        .detail = text,
    };
    int rc = hp_store_audit_append(store, by->school_id, &rec);
    free(text); /* jansson's memory. */
    return rc;
}

int hp_audit_note(hp_store *store, const hp_audit_by *by, int64_t now, const char *action,
                  const char *target, json_t *detail)
{
    int rc = hp_store_begin(store);
    if (rc < 0) {
        json_decref(detail);
        return rc;
    }
    if ((rc = hp_audit_write(store, by, now, action, target, detail)) < 0 ||
        (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        return rc;
    }
    return HP_OK;
}

json_t *hp_audit_change(json_t *before, json_t *after)
{
    json_t *change = json_object();
    if (before)
        json_object_set_new(change, "before", before);
    if (after)
        json_object_set_new(change, "after", after);
    return change;
}

json_t *hp_audit_diff(json_t *before, json_t *after)
{
    if (before == NULL || after == NULL)
        return hp_audit_change(before, after);
    json_t *was = json_object(), *now = json_object();
    const char *key;
    json_t *value;
    json_object_foreach(after, key, value)
    {
        json_t *old = json_object_get(before, key);
        if (old == NULL || !json_equal(old, value)) {
            json_object_set(was, key, old ? old : json_null());
            json_object_set(now, key, value);
        }
    }
    json_object_foreach(before, key, value)
    {
        if (json_object_get(after, key) == NULL) {
            json_object_set(was, key, value);
            json_object_set(now, key, json_null());
        }
    }
    json_decref(before);
    json_decref(after);
    if (json_object_size(now) == 0) {
        json_decref(was);
        json_decref(now);
        return NULL;
    }
    return hp_audit_change(was, now);
}

json_t *hp_audit_text(const char *text)
{
    return text ? json_string(text) : json_null();
}

/* Every action a record may name, as docs/design.md lists them. */
static const char *const actions[] = {
    "sign_in",         "sign_in_failed",      "sign_out",       "report_view",    "report_download",
    "insight_view",    "insight_download",    "room_create",    "room_update",    "room_delete",
    "settings_update", "group_create",        "group_update",   "group_delete",   "schedule_update",
    "blackout_create", "blackout_delete",     "user_create",    "user_update",    "user_deactivate",
    "user_activate",   "user_password_reset", "import",         "purge",          "share_create",
    "share_open",      "share_revoke",        "student_export", "student_delete",
};

bool hp_audit_action_known(const char *action)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(actions); i++)
        if (strcmp(action, actions[i]) == 0)
            return true;
    return false;
}

int hp_audit_report_read(hp_store *store, const hp_actor *actor, int64_t now,
                         const hp_report *report, const char *format)
{
    bool insight = hp_report_kind_is_insight(report->kind);
    bool view = strcmp(format, "json") == 0;
    char from[HP_DATE_LEN], to[HP_DATE_LEN];
    hp_date_format(report->from_day, from);
    hp_date_format(report->to_day, to);
    json_t *compare = json_null();
    if (report->compare) {
        char cfrom[HP_DATE_LEN], cto[HP_DATE_LEN];
        hp_date_format(report->compare_from_day, cfrom);
        hp_date_format(report->compare_to_day, cto);
        compare = json_sprintf("%s..%s", cfrom, cto);
    }
    json_t *detail = json_pack("{s:s, s:s, s:s, s:o}", "from", from, "to", to, "format", format,
                               "compare", compare);
    if (report->destination)
        json_object_set_new(detail, "destination", json_string(report->destination));
    hp_audit_by by = hp_audit_by_actor(actor);
    const char *action = insight ? (view ? "insight_view" : "insight_download")
                                 : (view ? "report_view" : "report_download");
    return hp_audit_note(store, &by, now, action, hp_report_kind_name(report->kind), detail);
}

/* A whole number of a filter's field, 1 to max. */
static int take_number(const char *field, const char *text, int64_t max, int64_t *out)
{
    char *end;
    gint64 n = g_ascii_strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || n < 1 || n > max)
        return hp_error_set(HP_EINVALID, "%s: \"%.40s\" is not a whole number from 1 to %lld",
                            field, text, (long long)max);
    *out = n;
    return HP_OK;
}

static int take_date(const char *field, const char *text, int32_t *day)
{
    int rc = hp_date_parse(text, day);
    return rc < 0 ? hp_error_prefix(rc, "%s", field) : HP_OK;
}

int hp_audit_read(hp_store *store, int64_t school_id, const hp_tz *tz,
                  const hp_audit_filter *filter, size_t default_limit, hp_audit_record **out,
                  size_t *count_out, bool *more)
{
    hp_audit_query q = {.who = filter->user && filter->user[0] ? filter->user : NULL,
                        .action = filter->action && filter->action[0] ? filter->action : NULL};
    int32_t from_day = 0, to_day = 0;
    int64_t limit = (int64_t)default_limit, before = 0;
    int rc;
    if ((filter->from && (rc = take_date("from", filter->from, &from_day)) < 0) ||
        (filter->to && (rc = take_date("to", filter->to, &to_day)) < 0) ||
        (filter->limit &&
         (rc = take_number("limit", filter->limit, HP_AUDIT_LIST_MAX, &limit)) < 0) ||
        (filter->before && (rc = take_number("before", filter->before, INT64_MAX, &before)) < 0))
        return rc;
    if (filter->from && filter->to && to_day < from_day)
        return hp_error_set(HP_EINVALID, "to: %s is before from (%s)", filter->to, filter->from);
    if (q.action && !hp_audit_action_known(q.action))
        return hp_error_set(HP_EINVALID, "action: \"%.40s\" is not an action of the audit log",
                            q.action);
    if (q.who && strlen(q.who) > HP_EMAIL_MAX)
        return hp_error_set(HP_EINVALID, "user: longer than %d bytes", HP_EMAIL_MAX);
    /* Local dates: the range runs from the first instant of from to the first of the day
     * after to, so a day of 23 or 25 hours is whole too. */
    if (filter->from)
        q.from = hp_tz_day_start(tz, from_day);
    if (filter->to)
        q.to = hp_tz_day_start(tz, to_day + 1);
    q.before_id = before;
    /* One more than asked tells whether an older page follows. */
    q.limit = (size_t)limit + 1;
    hp_audit_record *records;
    size_t n;
    if ((rc = hp_store_audit_list(store, school_id, &q, &records, &n)) < 0)
        return rc;
    *more = n > (size_t)limit;
    if (*more) {
        for (size_t i = (size_t)limit; i < n; i++)
            hp_audit_record_release(&records[i]);
        n = (size_t)limit;
    }
    *out = records;
    *count_out = n;
    return HP_OK;
}

int hp_audit_read_actor(hp_store *store, const hp_actor *actor, const hp_audit_filter *filter,
                        size_t default_limit, hp_audit_record **out, size_t *count_out, bool *more)
{
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, "only admins read the audit log");
    return hp_audit_read(store, actor->school.id, actor->tz, filter, default_limit, out, count_out,
                         more);
}

char *hp_audit_filename(const hp_audit_filter *filter, const char *extension)
{
    return g_strdup_printf("audit_%s_%s.%s", filter->from ? filter->from : "all",
                           filter->to ? filter->to : "all", extension);
}
