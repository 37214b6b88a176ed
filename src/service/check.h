/*
 * A school's report counters checked against a recount of its passes and refusals: after a
 * crash, a restore or a bug, `hallpass check` says whether every count a report shows is
 * right.
 */
#ifndef HP_SERVICE_CHECK_H
#define HP_SERVICE_CHECK_H

#include "store/store.h"

#include <stdio.h>

typedef struct {
    size_t passes;         /* Passes recounted. */
    size_t refusals;       /* Recorded refusals recounted (prevented passes are among them). */
    size_t counters;       /* Counters compared. */
    size_t mismatches;     /* Counters whose stored value differs from the recount. */
    size_t skipped;        /* Refusal counters not compared: they count refusals from before the
                            * store recorded them (hp_store_refusals_unrecorded). */
    size_t purged;         /* Counters not compared: their days were purged, their rows are gone. */
    int32_t purged_before; /* The first day recounted (hp_store_purged_before); 0: none purged. */
} hp_check_stats;

/* Recounts the school's passes and recorded refusals and compares every stored counter, per
 * day and per month, but the refusal counters of the days when refusals were counted and not
 * yet recorded, and the counters of purged days (a month partly purged is compared: its
 * purged days count as stored). What records removed with a student counted is added to the
 * recount. Writes one line per mismatch to out (at most max_lines of them). */
int hp_school_check(hp_store *store, const hp_school *school, FILE *out, size_t max_lines,
                    hp_check_stats *stats_out);

/* What the school's rows count (passes, refusals, prevented passes, overrides, waits), as one
 * day counter per kind, day and subject: the check's recount. *out is freed with
 * hp_counters_free(). */
int hp_school_recount(hp_store *store, const hp_school *school, hp_counter **out,
                      size_t *count_out);

#endif
