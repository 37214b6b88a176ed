/*
 * The audit log's records, written for every service that changes or reads what the log
 * covers.
 */
#include "service/audit.h"

#include "core/error.h"

#include <glib.h>
#include <stdlib.h>

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
