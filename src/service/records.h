/*
 * One student's records, for a school that must answer a request about them: everything the
 * store holds about a student as one JSON document (hallpass student export), and the removal
 * of their personal records (hallpass student delete). Both are in the audit log.
 *
 * A removal takes the student's user row, passes, places in line, refusals, prevented passes,
 * encounter overrides of their passes, group memberships, per-student counters and sessions.
 * The counters of rooms, staff and the school stay, so Room Usage, Staff Usage and the
 * insights but `students` answer as before over past ranges; what the removed rows counted
 * there is kept (hp_store_counts_removed_add), so that `hallpass check` still adds up. Audit
 * records naming the student are append-only and stay until retention removes them.
 */
#ifndef HP_SERVICE_RECORDS_H
#define HP_SERVICE_RECORDS_H

#include "core/tz.h"
#include "service/audit.h"
#include "store/store.h"

#include <jansson.h>

/* What an export holds, by kind. */
typedef struct {
    size_t passes, line_entries, refusals, groups, audit;
} hp_export_counts;

/* The document of everything the store holds about the student named by `who` (an email or a
 * student ID; errors name `field`), in a new *out (json_decref it), recorded as
 * `student_export`. */
int hp_student_export(hp_store *store, const hp_school *school, const hp_tz *tz, const char *field,
                      const char *who, int64_t now, const hp_audit_by *by, json_t **out,
                      hp_export_counts *counts_out);

/* Removes the student named by `who` as the header says, in one transaction with its
 * `student_delete` record. *email_out (may be NULL) gets their email, to g_free(). */
int hp_student_delete(hp_store *store, const hp_school *school, const char *field, const char *who,
                      int64_t now, const hp_audit_by *by, hp_removed_counts *out, char **email_out);

#endif
