/*
 * A school's report counters checked against a recount of its passes: after a crash, a
 * restore or a bug, `hallpass check` says whether every count a report shows is right.
 */
#ifndef HP_SERVICE_CHECK_H
#define HP_SERVICE_CHECK_H

#include "store/store.h"

#include <stdio.h>

typedef struct {
    size_t passes;     /* Passes recounted. */
    size_t counters;   /* Counters compared. */
    size_t mismatches; /* Counters whose stored value differs from the recount. */
} hp_check_stats;

/* Recounts the school's passes and compares every stored counter, per day and per month.
 * Writes one line per mismatch to out (at most max_lines of them). */
int hp_school_check(hp_store *store, const hp_school *school, FILE *out, size_t max_lines,
                    hp_check_stats *stats_out);

#endif
