/*
 * A tally of counters: what a set of passes (and refusals) adds to each counter per local day,
 * summed in memory: the reports' rooms and staff, and the insights' sources, hours, durations
 * and students. An import, a copy, a live pass, its end and a check all count passes this way;
 * the store then takes the sums in one go (hp_store_counts_add). Memory grows with rooms,
 * people and days, never with passes.
 */
#ifndef HP_STORE_TALLY_H
#define HP_STORE_TALLY_H

#include "store/store.h"

typedef struct hp_tally hp_tally;

/* A tally in a school's zone, which decides the local hour of a pass's start (the heatmap's
 * counters); tz may be NULL for a tally of refusals only, never for one of passes. */
hp_tally *hp_tally_new(const hp_tz *tz);
void hp_tally_free(hp_tally *tally);

/* Adds what one pass counts times sign: +1 for a pass, -1 to take one out. A pass that is not
 * cancelled counts once from its origin and once to its destination; in Staff Usage it counts
 * for its creator when a staff member wrote it (a teacher's or a kiosk mode's now pass, a
 * teacher's scheduled pass); for the insights it counts for its source and type, the local
 * hour of its start (in the school and to its destination) and its student; and once its end
 * is written, what hp_tally_pass_ended() adds. */
void hp_tally_pass(hp_tally *tally, const hp_pass *pass, int sign);

/* What a pass adds once its end is written, times sign (a pass that is ended adds it, one made
 * active again takes it out): to its destination, one ended pass, the seconds it was out (an
 * end after its auto-end deadline counts as the deadline), the whole minutes in the histogram
 * (at most HP_DURATION_MINUTES_MAX) and whether it was overtime; to its student, the whole
 * minutes and the overtime. Nothing for a pass with no end written or a cancelled one. */
void hp_tally_pass_ended(hp_tally *tally, const hp_pass *pass, int sign);

/* Adds one pass that passed an encounter group's rule by override, on its local day. */
void hp_tally_group_override(hp_tally *tally, int64_t group_id, int32_t day);

/* Adds one pass started from the line to its destination's waits on its local day: seconds
 * from joining the line to starting, times sign. */
void hp_tally_wait(hp_tally *tally, int64_t destination_id, int32_t day, int64_t seconds, int sign);

/* Adds `count` refusals alike by the pass rules on their local day: to the rule's counter, to
 * the student's (prevented as well when encounter prevention refused) and, when the rule names
 * a room, to that room's (refused_from on the origin for Max Passes From, refused_to on the
 * destination for Max Passes To). The one place that says what a refusal counts, for the
 * transaction that refused and for the check's recount alike. */
void hp_tally_refusal(hp_tally *tally, const hp_refusal *refusal, int64_t count);

/* Adds one pass prevented by an encounter group on a local day to the group's counter. */
void hp_tally_prevented(hp_tally *tally, int64_t group_id, int32_t day);

/* Adds every stored pass of a school, read a page at a time so memory stays flat however many
 * there are; *passes_out (may be NULL) gets how many. */
int hp_tally_school_passes(hp_tally *tally, hp_store *store, int64_t school_id, size_t *passes_out);

/* The sums, one day counter per (kind, subject, day); the array belongs to the tally. */
const hp_counter *hp_tally_counters(const hp_tally *tally, size_t *count_out);

/* Writes the sums into the store's counters. */
int hp_tally_commit(const hp_tally *tally, hp_store *store, int64_t school_id);

#endif
