/*
 * The waiting line's entries and how one stands at an instant. Like a pass's auto-end, an
 * entry's state is defined by time: an offer is outstanding from its offer until its expiry
 * whether or not the clock has written its lapse, and an entry that joined on an earlier local
 * day is no longer in line, whatever is written. The store's queries read the same definition
 * (store/sqlite.c, store/postgres.c); no I/O here.
 */
#ifndef HP_CORE_LINE_H
#define HP_CORE_LINE_H

#include "core/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An entry's state as written; JSON says the names of hp_line_state_name(). */
typedef enum {
    HP_LINE_WAITING, /* In line, no offer. */
    HP_LINE_OFFERED, /* Offered a place until offer_expires. */
    HP_LINE_STARTED, /* The offer was taken: pass_id is the pass. */
    HP_LINE_LAPSED,  /* A second offer lapsed: out of the line. */
    HP_LINE_LEFT,    /* Left the line (DELETE). */
    HP_LINE_REMOVED  /* Removed: a pass started for the student, or the day ended. */
} hp_line_state;

const char *hp_line_state_name(hp_line_state state);
int hp_line_state_parse(const char *name, hp_line_state *out);

typedef struct {
    int64_t id;
    int64_t student_id;
    int64_t origin_id;
    int64_t destination_id;
    int64_t creator_id; /* Who put the student in line. */
    hp_source source;   /* And as what: the asker of the offers' rules. */
    int64_t joined;
    int32_t local_day; /* The local day of joined. */
    hp_line_state state;
    int64_t offered_at;    /* 0 when not offered. */
    int64_t offer_expires; /* offered_at + the offer seconds as they stood then; 0 when none. */
    int lapses;            /* Offers that lapsed: 0 or 1 (the second ends the entry). */
    int64_t pass_id;       /* The pass when started; else 0. */
    int64_t ended_at;      /* When it left the line; 0 while in it. */
    /* Names read with the entry, for its JSON; NULL when not read. */
    char *student_name;
    char *student_email;
    char *student_code; /* The student's ID in the school, or NULL. */
    char *origin_name;
    char *destination_name;
    /* Computed by the service, never stored: 1 + the school's entries in line that joined
     * before it (hp_line_position()); 0 when it is not in line. */
    size_t position;
} hp_line_entry;

void hp_line_entry_release(hp_line_entry *entry);
void hp_line_entries_free(hp_line_entry *entries, size_t count);

/* How the entry stands at now, today being now's local day: a written waiting entry of an
 * earlier day is removed; an offer past its expiry is waiting again (first lapse, same day),
 * lapsed (second), or removed (first lapse, an earlier day). Other states are as written. */
hp_line_state hp_line_state_at(const hp_line_entry *entry, int32_t today, int64_t now);

/* Whether the entry is in line at now: waiting or offered by hp_line_state_at(). */
bool hp_line_in_line(const hp_line_entry *entry, int32_t today, int64_t now);

/* Whether the entry holds an outstanding offer at now: offered, and now before its expiry.
 * An outstanding offer counts as an active pass from its origin to its destination. */
bool hp_line_offer_outstanding(const hp_line_entry *entry, int64_t now);

/* Whole seconds left of an outstanding offer at now (rounded up); -1 when none stands. */
int64_t hp_line_offer_seconds_left(const hp_line_entry *entry, int64_t now);

/* The position of entry_id in a school's line, the entries in line at one instant in join
 * order: 1 + those before it; 0 when it is not among them. */
size_t hp_line_position(const hp_line_entry *line, size_t count, int64_t entry_id);

#endif
