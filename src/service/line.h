/*
 * The waiting line: a student refused by a full room or a full hallway waits for a place
 * (the join itself is a pass creation with `wait`, service/passes.c), and the clock offers
 * places as they free, in join order. An offer holds its place for the school's
 * line_offer_seconds; taking it creates the pass with the rules checked again, the offer's
 * own place counting for it. Every entry stands by time (core/line.h), so nothing depends on
 * when the clock runs; the clock writes what time already decided and makes the offers.
 */
#ifndef HP_SERVICE_LINE_H
#define HP_SERVICE_LINE_H

#include "core/line.h"
#include "service/actor.h"
#include "service/passes.h"
#include "store/store.h"

/* The most entries of one school a walk of the line reads and offers in one second; those
 * after wait for the next walk. */
#define HP_LINE_WALK_MAX 500

/* The entries in line at now the actor may see, in join order, each with its position:
 * staff the school's, a kiosk those from its room, a student their own. */
int hp_line_visible(hp_store *store, const hp_actor *actor, int64_t now, hp_line_entry **out,
                    size_t *count_out);

/* One entry the actor may see, with its position at now (HP_ENOTFOUND otherwise). */
int hp_line_entry_get(hp_store *store, const hp_actor *actor, int64_t entry_id, int64_t now,
                      hp_line_entry *out);

/* Takes an entry's offer: its student, a kiosk of its origin or staff. The pass as
 * hp_pass_create() answers it; HP_ECONFLICT "the offer has lapsed", "the offer has not come
 * yet", or a rule's refusal (*refusal filled); HP_ENOTFOUND for an entry the actor may not
 * see. */
int hp_line_start(hp_store *store, const hp_actor *actor, int64_t entry_id, int64_t now,
                  hp_pass_view *out, hp_pass_refusal *refusal);

/* Leaves the line (state left), by the same actors; HP_ECONFLICT when it is no longer in
 * line. *out is the entry as it stands after. */
int hp_line_leave(hp_store *store, const hp_actor *actor, int64_t entry_id, int64_t now,
                  hp_line_entry *out);

/* What one walk changed, for the server's log. */
typedef struct {
    size_t offers;  /* Places offered. */
    size_t changes; /* Entries changed in any way (offers, lapses, removals). */
} hp_line_walked;

/* The clock's walk, every school, at now: writes the lapses of offers past their expiry (the
 * first puts the entry back in its place, skipped by this walk; the second ends it), removes
 * entries of an earlier local day and of students with an active pass, then offers a place
 * to each waiting entry, in join order, whose pass would pass every rule at that instant,
 * each offer counting at once for the entries after it. With several servers on one store,
 * one walk of a school runs at a time and the others skip that second. *walked (may be NULL)
 * gets what changed. */
int hp_line_walk(hp_store *store, int64_t now, hp_line_walked *walked);

#endif
