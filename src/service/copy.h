/*
 * Copying a whole store into another: a school that outgrows SQLite moves to the district's
 * PostgreSQL. Everything moves but sessions (people sign in again); the report counters are
 * counted afresh from the passes, and every report is compared between the two stores before
 * the copy commits.
 */
#ifndef HP_SERVICE_COPY_H
#define HP_SERVICE_COPY_H

#include "store/store.h"

#include <stdio.h>

typedef struct {
    size_t schools;
    size_t rooms;
    size_t users;
    size_t passes;
    size_t reports_compared;
} hp_copy_stats;

/* Copies every school of `from` into `to`, which must hold none of them. All or nothing: on any
 * error, or any report that differs, `to` is left as it was. */
int hp_store_copy(hp_store *from, hp_store *to, hp_copy_stats *stats_out);

#endif
