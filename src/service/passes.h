/*
 * Creating, ending, resuming and cancelling passes under the pass rules (core/rules.h), and
 * the clock's job of writing the ends of passes that ended themselves. Each change is one
 * store transaction that takes its row locks in one fixed order (the rooms by id, the student,
 * then the school when the hallway cap is checked), gathers the counts the rules read, asks
 * hp_rules_check() once, and writes the pass, its counters and any refusal's counters, so that
 * no interleaving of requests, on one server or several, breaks a rule.
 */
#ifndef HP_SERVICE_PASSES_H
#define HP_SERVICE_PASSES_H

#include "core/rules.h"
#include "service/actor.h"
#include "store/store.h"

typedef struct {
    const char *student;     /* Email or student ID; a student may leave it out. */
    const char *origin;      /* Room name; a kiosk may leave it out. */
    const char *destination; /* Room name. */
    hp_pass_type type;
    const char *start;  /* ISO 8601 date-time with offset; scheduled passes only. */
    bool override;      /* Staff only: pass every rule staff may pass. */
    bool wait;          /* Join the waiting line if the rules refuse with can_wait. */
    int64_t line_entry; /* Take this line entry's offer (hp_line_start); 0 otherwise. */
} hp_pass_request;

/* Why the rules refused a pass, beside the HP_ECONFLICT error and its message. */
typedef struct {
    hp_rule_id rule;        /* HP_RULE_NONE when the refusal was not a rule's. */
    const char *rule_field; /* The answer's `rule`; NULL when the asker may not be told. */
    bool can_wait;          /* The line could answer it (the answer's `can_wait`). */
    int64_t joined_entry;   /* With HP_PASS_JOINED_LINE: the line entry the request made. */
} hp_pass_refusal;

/* What hp_pass_create() answers (a positive value, not an error) when a request with wait
 * joined the waiting line instead of a refusal: *out is not filled, the refusal's
 * joined_entry names the entry. */
#define HP_PASS_JOINED_LINE 1

/* Creates a pass for the actor; *out is it with its names. Errors: HP_EINVALID (a field; the
 * message names it), HP_EFORBIDDEN (the actor may not), HP_ECONFLICT (a limit or an active
 * pass; the message names the room, the limit and how many are out). */
int hp_pass_create(hp_store *store, const hp_actor *actor, const hp_pass_request *request,
                   int64_t now, hp_pass_view *out, hp_pass_refusal *refusal);

/* The waiting line's check of an offer (service/line.c): whether a now pass (its student,
 * rooms and source, the asker) would pass every rule at now, counting the line's outstanding
 * offers. Reads only, under locks the caller holds; a refusal is not counted. */
int hp_pass_rules_allow(hp_store *store, const hp_actor *actor, const hp_pass *pass, int64_t now,
                        bool *allowed);

/* Ends an active pass now. */
int hp_pass_end(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                hp_pass_view *out);

/* Every pass the actor may see that started on a local date (YYYY-MM-DD), in any state,
 * oldest first: staff the school's (only one student's when student, an email or a student ID,
 * is given), a student their own, a kiosk those from or to its room. */
int hp_passes_of_day(hp_store *store, const hp_actor *actor, const char *date, const char *student,
                     hp_pass_view **out, size_t *count_out);

/* How long after its end a pass may still be resumed: a mis-tapped end is undone quickly. */
#define HP_RESUME_SECONDS 60

/* Makes a pass ended by someone (not by its auto-end) in the last HP_RESUME_SECONDS active
 * again, by whoever could end it, unless the one-active-pass rule or the room and hallway
 * limits would refuse it now (HP_ECONFLICT, *refusal filled as for a creation). */
int hp_pass_resume(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                   hp_pass_view *out, hp_pass_refusal *refusal);

/* Cancels a scheduled pass that has not started. */
int hp_pass_cancel(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                   hp_pass_view *out);

/* The passes the actor may see that are active now, or (upcoming) the scheduled passes not
 * yet started: staff see the school's, a student their own, a kiosk those from or to its
 * room. */
int hp_passes_visible(hp_store *store, const hp_actor *actor, int64_t now, bool upcoming,
                      hp_pass_view **out, size_t *count_out);

/* The clock's job: writes the end of every pass whose auto-end deadline has passed, in every
 * school of the store (end = its deadline, a batch per transaction). Each due pass is written
 * once even when several servers run this on one store: a backend that runs writers in
 * parallel skips the passes another transaction holds. *ended_out (may be NULL) gets how many
 * this call wrote. Nothing depends on when this runs: every rule reads the deadline itself. */
int hp_passes_auto_end(hp_store *store, int64_t now, size_t *ended_out);

#endif
