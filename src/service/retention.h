/*
 * Retention: a school keeps its students' passes, places in line and refusals for as long as
 * it chooses (the retain_passes_days setting), and no longer. A purge removes the records of
 * the days before a date, and the per-student counters of those days, in one transaction;
 * the room, staff and school counters stay, so Room Usage, Staff Usage and every insight but
 * `students` answer as before over the purged days. The same purge takes the audit records
 * older than the date, but never any of the last HP_AUDIT_KEEP_MIN_DAYS days. The server
 * purges once a day for each school that has the setting.
 */
#ifndef HP_SERVICE_RETENTION_H
#define HP_SERVICE_RETENTION_H

#include "core/tz.h"
#include "service/audit.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* What a purge removed (or, in a dry run, would remove). */
typedef struct {
    int32_t before_day;        /* The first local day kept. */
    hp_removed_counts removed; /* Records and per-student counters. */
    int64_t audit;             /* Audit records. */
} hp_purge_result;

/* Purges the school's records of the local days before before_day (a date not after today),
 * and the audit records from before that day's start and more than HP_AUDIT_KEEP_MIN_DAYS
 * before now, all in one transaction, recorded in the audit log as `purge` by `by`. A dry run
 * counts the same and keeps nothing (and records nothing). HP_EINVALID naming `field` for a
 * date after today. */
int hp_retention_purge(hp_store *store, const hp_school *school, const hp_tz *tz, const char *field,
                       int32_t before_day, int64_t now, bool dry_run, const hp_audit_by *by,
                       hp_purge_result *out);

/* The same from a date as text (YYYY-MM-DD), checked and named by field (`--before`). */
int hp_retention_purge_date(hp_store *store, const hp_school *school, const hp_tz *tz,
                            const char *field, const char *date, int64_t now, bool dry_run,
                            const hp_audit_by *by, hp_purge_result *out);

/* The daily purge: for each school whose retain_passes_days is set, purges the days before
 * today minus that many, when that day is later than its purged-before day (so once a day,
 * however often it runs and however many servers share the store), audited as the server.
 * *purged_out counts the schools purged. A school that fails does not stop the others; the
 * first failure is returned. */
int hp_retention_daily(hp_store *store, int64_t now, size_t *purged_out);

/* How often the server runs hp_retention_daily(), in seconds, after its run at start: often
 * enough that a school's purge follows its midnight within the hour, and cheap, as a run with
 * nothing to purge reads one setting per school. */
#define HP_RETENTION_CHECK_EVERY 3600

#endif
