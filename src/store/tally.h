/*
 * A tally of report counters: what a set of passes adds to each room's and staff member's
 * counter per local day, summed in memory. An import, a copy and a check all count passes
 * this way; the store then takes the sums in one go (hp_store_counts_add). Memory grows with
 * rooms, staff and days, never with passes.
 */
#ifndef HP_STORE_TALLY_H
#define HP_STORE_TALLY_H

#include "store/store.h"

typedef struct hp_tally hp_tally;

hp_tally *hp_tally_new(void);
void hp_tally_free(hp_tally *tally);

/* Adds what one pass counts (SPEC section 4) times sign: +1 for a pass, -1 to take one out. */
void hp_tally_pass(hp_tally *tally, const hp_pass *pass, int sign);

/* The sums, one delta per (kind, id, day); the array belongs to the tally. */
const hp_counter_delta *hp_tally_deltas(hp_tally *tally, size_t *count_out);

/* Writes the sums into the store's counters. */
int hp_tally_commit(hp_tally *tally, hp_store *store, int64_t school_id);

#endif
