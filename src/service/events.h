/*
 * Change notices per school: every committed change to a school's data bumps that school's
 * generation, and whoever shows the data (the server's event streams) waits for a bump instead
 * of asking the store again and again. The counters live in memory, for one process: a page
 * that loses its stream falls back to polling, so nothing depends on them across restarts.
 * Safe to call from any thread.
 */
#ifndef HP_SERVICE_EVENTS_H
#define HP_SERVICE_EVENTS_H

#include <stdint.h>

/* A change to school_id's data was committed: its generation goes up by one and every
 * waiter wakes. */
void hp_events_notify(int64_t school_id);

/* The school's generation: 0 until its first change in this process. */
uint64_t hp_events_generation(int64_t school_id);

/* The sum of every school's generation, for hp_events_wait(). */
uint64_t hp_events_total(void);

/* Waits until the total moves past `seen`, hp_events_wake() is called, or timeout_us
 * microseconds pass; returns the total then. */
uint64_t hp_events_wait(uint64_t seen, int64_t timeout_us);

/* Wakes every waiter without a change (to stop a thread that waits). */
void hp_events_wake(void);

#endif
