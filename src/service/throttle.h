/*
 * Slows down repeated failed password checks, per key (an email, an address). After
 * `free_failures` failures in a row, each attempt waits twice as long as the one before, up to
 * max_delay seconds. Safe to share between threads. Every call takes `now`, so that tests and
 * callers decide the clock.
 *
 * An attempt counts as a failure from the moment it is let through, before the slow hash is
 * checked, so that many attempts racing in together get no more tries than one at a time.
 */
#ifndef HP_SERVICE_THROTTLE_H
#define HP_SERVICE_THROTTLE_H

#include <stdint.h>

/* Failures an account may have before each try is slowed down: a person mistyping. */
#define HP_THROTTLE_ACCOUNT_FREE 5
/* Failures one client address may have: a whole school may sign in from one address. */
#define HP_THROTTLE_ADDRESS_FREE 50
/* The longest wait, in seconds, between two tries of one key. */
#define HP_THROTTLE_MAX_DELAY 300
/* Seconds after its last failure when a key starts afresh. */
#define HP_THROTTLE_FORGET 900
/* Keys kept at most; past it the oldest go, so an attack cannot grow the table. */
#define HP_THROTTLE_MAX_KEYS 100000

typedef struct hp_throttle hp_throttle;

hp_throttle *hp_throttle_new(int free_failures, int64_t max_delay);
void hp_throttle_free(hp_throttle *throttle);
/* Lets an attempt through and counts it as a failure (returns 0), or returns the seconds the
 * key must wait first. */
int64_t hp_throttle_attempt(hp_throttle *throttle, const char *key, int64_t now);
/* The attempt succeeded: the key starts afresh. */
void hp_throttle_success(hp_throttle *throttle, const char *key);
/* Takes back one attempt that did not fail (for a key shared by many people, such as an
 * address, where one success must not clear the others' failures, or when the store failed
 * and the password was never checked). */
void hp_throttle_forgive(hp_throttle *throttle, const char *key);

#endif
