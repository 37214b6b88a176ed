/*
 * Sign-in and sessions. A session token is 32 random bytes, sent to the browser as a cookie
 * and kept in the store only as its SHA-256, so a copy of the store signs no one in. A session
 * ends on sign-out or after an idle time.
 */
#ifndef HP_SERVICE_AUTH_H
#define HP_SERVICE_AUTH_H

#include "store/store.h"

#include <stdbool.h>

#define HP_TOKEN_MAX 64                    /* Base64url of 32 bytes, and its NUL. */
#define HP_SESSION_IDLE_DEFAULT (8 * 3600) /* A school day. */

/* Checks email and password and opens a session. With several schools holding the email,
 * the first whose password matches wins. HP_EAUTH on any mismatch, with the same message
 * whether the email exists or not. */
int hp_auth_sign_in(hp_store *store, const char *email, const char *password, int64_t now,
                    char token_out[HP_TOKEN_MAX], hp_session *session_out);

/* Finds the live session of a token; one idle longer than idle_seconds is ended and is
 * HP_EAUTH, like an unknown token. */
int hp_auth_session(hp_store *store, const char *token, int64_t now, int64_t idle_seconds,
                    hp_session *out, unsigned char hash_out[HP_TOKEN_HASH_BYTES]);

int hp_auth_sign_out(hp_store *store, const unsigned char *token_hash);

/* Checks a password against a user's stored hash, as sign-in does. */
bool hp_auth_password_ok(hp_store *store, int64_t school_id, const char *email,
                         const char *password);

void hp_token_hash(const char *token, unsigned char out[HP_TOKEN_HASH_BYTES]);

/* Slows down repeated failed password checks, per key (an email, an address). After
 * `free_failures` failures in a row, each attempt waits twice as long as the one before, up to
 * max_delay seconds. Safe to share between threads.
 *
 * An attempt counts as a failure from the moment it is let through, before the slow hash is
 * checked, so that many attempts racing in together get no more tries than one at a time. */
typedef struct hp_throttle hp_throttle;

hp_throttle *hp_throttle_new(int free_failures, int64_t max_delay);
void hp_throttle_free(hp_throttle *throttle);
/* Lets an attempt through and counts it as a failure (returns 0), or returns the seconds the
 * key must wait first. */
int64_t hp_throttle_attempt(hp_throttle *throttle, const char *key, int64_t now);
/* The attempt succeeded: the key starts afresh. */
void hp_throttle_success(hp_throttle *throttle, const char *key);
/* Takes back one attempt that did not fail (for a key shared by many people, such as an
 * address, where one success must not clear the others' failures). */
void hp_throttle_forgive(hp_throttle *throttle, const char *key);

#endif
