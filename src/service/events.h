/*
 * Change notices for the pages. Each school has a generation number that grows by one each
 * time something its pages show changes (a pass started, ended or cancelled, a room edited,
 * an import). A writer calls hp_events_notify() after its change is committed; the event
 * stream of GET /api/events waits with hp_events_wait() and sends a `change` event each time
 * the generation moves. Nothing is queued per listener: a page that hears "changed" reloads
 * what it shows, so many changes in a row are one reload.
 *
 * Thread-safe; the state is process-wide (one server per process).
 */
#ifndef HP_SERVICE_EVENTS_H
#define HP_SERVICE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

/* Something the school's pages show changed: wakes every waiter of that school. */
void hp_events_notify(int64_t school_id);

/* The school's generation now (0 until its first change). */
uint64_t hp_events_generation(int64_t school_id);

/* Waits until the school's generation differs from `seen`, at most timeout_ms milliseconds,
 * or until hp_events_close(). Returns the generation then: equal to `seen` on a timeout. */
uint64_t hp_events_wait(int64_t school_id, uint64_t seen, int64_t timeout_ms);

/* Wakes every waiter for good, so that a server can stop while streams are open; waits
 * return at once from then on. */
void hp_events_close(void);

/* Whether hp_events_close() was called. */
bool hp_events_closed(void);

/* Forgets every generation and reopens (for tests). */
void hp_events_reset(void);

#endif
