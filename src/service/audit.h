/*
 * The audit log: who did what, when and from where, per school. Records are only ever
 * appended (the store refuses changes, see store.h); a change and its record are written in
 * one transaction, so neither is kept without the other. Action names and what each record
 * holds are listed in docs/design.md ("The audit log").
 */
#ifndef HP_SERVICE_AUDIT_H
#define HP_SERVICE_AUDIT_H

#include "service/actor.h"
#include "store/store.h"

#include <jansson.h>

/* Who did it; the strings are borrowed. */
typedef struct {
    int64_t school_id;
    int64_t user_id;     /* 0: no signed-in user. */
    const char *who;     /* The user's email, or words such as "command line". */
    const char *address; /* The client's address, or NULL. */
} hp_audit_by;

/* The actor's user, email and request address. */
hp_audit_by hp_audit_by_actor(const hp_actor *actor);
/* Someone with the store in hand: "command line", no address. */
hp_audit_by hp_audit_by_command(int64_t school_id);
/* The server on its own (the daily purge): "server". */
hp_audit_by hp_audit_by_server(int64_t school_id);

/* Appends a record inside the caller's open write transaction. detail is taken (its
 * reference dropped) and may be NULL. */
int hp_audit_write(hp_store *store, const hp_audit_by *by, int64_t now, const char *action,
                   const char *target, json_t *detail);
/* The same in a write transaction of its own, for what changes nothing else (a report read,
 * a sign-in refused). */
int hp_audit_note(hp_store *store, const hp_audit_by *by, int64_t now, const char *action,
                  const char *target, json_t *detail);
/* {"before": before, "after": after}, both taken; a NULL one is left out (a creation has no
 * before, a removal no after). */
json_t *hp_audit_change(json_t *before, json_t *after);

#endif
