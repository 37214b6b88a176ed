/*
 * The audit log: who did what, when and from where, per school. Records are only ever
 * appended (the store refuses changes, see store.h); a change and its record are written in
 * one transaction, so neither is kept without the other. Action names and what each record
 * holds are listed in docs/design.md ("The audit log").
 */
#ifndef HP_SERVICE_AUDIT_H
#define HP_SERVICE_AUDIT_H

#include "report/report.h"
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

/* The change from one object to another, of the members that differ only (both taken): a
 * room renamed is {"before": {"name": "A"}, "after": {"name": "B"}}. NULL when none differs. A
 * NULL before (a creation) keeps the whole of after, a NULL after (a removal) the whole of
 * before. */
json_t *hp_audit_diff(json_t *before, json_t *after);

/* A JSON string, or null for NULL: what a change's before and after hold for a text field. */
json_t *hp_audit_text(const char *text);

/* True for an action of the fixed list in docs/design.md. */
bool hp_audit_action_known(const char *action);

/* Records an admin's read of a report or an insight over the server, once it is built and
 * before it is answered, so that nothing is seen unrecorded: report_view or insight_view when
 * the page reads it (format json), report_download or insight_download for a file. The detail
 * is the range as the report resolved it (defaults filled in), the format and the compare
 * range (null without one). */
int hp_audit_report_read(hp_store *store, const hp_actor *actor, int64_t now,
                         const hp_report *report, const char *format);

/* Which records a reader asks for, as a request or a command line gives them; NULL or 0
 * fields match everything. */
typedef struct {
    const char *from;   /* A local date YYYY-MM-DD of the school's zone: records from its start. */
    const char *to;     /* A local date: records up to its end. */
    const char *user;   /* Records whose who contains this (ASCII case ignored). */
    const char *action; /* One action of the list. */
    const char *limit;  /* Text of a whole number 1 to HP_AUDIT_LIST_MAX; NULL for the default. */
    const char *before; /* Paging: the id of the oldest record seen; NULL for the newest. */
} hp_audit_filter;

/* Records a page shows unless it asks for more. */
#define HP_AUDIT_PAGE_DEFAULT 100

/* The school's records that match, newest first, at most limit (default_limit when the filter
 * names none); *more tells whether older ones match too. Bad values are HP_EINVALID naming the
 * field: `from: "2026-02-30" is not a date YYYY-MM-DD`. */
int hp_audit_read(hp_store *store, int64_t school_id, const hp_tz *tz,
                  const hp_audit_filter *filter, size_t default_limit, hp_audit_record **out,
                  size_t *count_out, bool *more);
/* The same for a signed-in user: admins of the school only (HP_EFORBIDDEN). */
int hp_audit_read_actor(hp_store *store, const hp_actor *actor, const hp_audit_filter *filter,
                        size_t default_limit, hp_audit_record **out, size_t *count_out, bool *more);

/* "audit_2026-11-01_2026-11-30.csv"; a date not given reads "all". */
char *hp_audit_filename(const hp_audit_filter *filter, const char *extension);

#endif
