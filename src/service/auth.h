/*
 * Sign-in and sessions. A session token is 32 random bytes, sent to the browser as a cookie
 * and kept in the store only as its SHA-256, so a copy of the store signs no one in. A session
 * ends on sign-out, after an idle time, or at its maximum lifetime however often it is used.
 *
 * Password checks are throttled (see throttle.h) by an hp_auth_guard that the server keeps for
 * its life: sign-ins per account and per client address, and the staff passwords typed at a
 * kiosk (to leave kiosk mode or sign a kiosk login out) on a count of their own, so that a
 * student guessing at a kiosk never locks the teacher out of their own sign-in.
 */
#ifndef HP_SERVICE_AUTH_H
#define HP_SERVICE_AUTH_H

#include "service/actor.h"
#include "store/store.h"

#include <stdbool.h>

#define HP_SESSION_COOKIE "hallpass_session" /* The cookie that carries the token. */
#define HP_TOKEN_MAX 64                      /* Base64url of 32 bytes, and its NUL. */
/* How long a session lasts unless serve is told otherwise, in seconds; the minutes and days
 * are what serve --session-idle and --session-max count in, and their --help shows. */
#define HP_SESSION_IDLE_DEFAULT_MINUTES 480 /* A school day. */
#define HP_SESSION_MAX_DEFAULT_DAYS 7       /* A school week and its weekend. */
#define HP_SESSION_IDLE_DEFAULT (HP_SESSION_IDLE_DEFAULT_MINUTES * 60)
#define HP_SESSION_MAX_DEFAULT (HP_SESSION_MAX_DEFAULT_DAYS * 86400)
/* Seconds between two sweeps of expired sessions while the server runs. */
#define HP_SESSION_SWEEP_EVERY 60

/* How long sessions live. */
typedef struct {
    int64_t idle; /* Seconds a session may stay unused. */
    int64_t max;  /* Seconds a session may live from its sign-in, used or not. */
} hp_session_limits;

typedef struct hp_auth_guard hp_auth_guard;

hp_auth_guard *hp_auth_guard_new(const hp_session_limits *limits);
void hp_auth_guard_free(hp_auth_guard *guard);
const hp_session_limits *hp_auth_guard_limits(const hp_auth_guard *guard);

/* Checks email and password and opens a session, throttled per email and per client address.
 * With several schools holding the email, the first whose password matches wins. HP_EAUTH on
 * any mismatch, with the same message whether the email exists or not; HP_ETHROTTLED with
 * *wait_out set to the seconds to wait. Now and then it also removes expired sessions. */
int hp_auth_sign_in(hp_store *store, hp_auth_guard *guard, const char *email, const char *password,
                    const char *client, int64_t now, char token_out[HP_TOKEN_MAX],
                    hp_session *session_out, int64_t *wait_out);

/* Opens a session for a user already known to be who they say (a password that matched, a
 * provider's verified sign-on): a new random token in token_out, its hash in the store, and
 * the audit record `sign_in` with {"method": method} ("password" or "oidc") from the client
 * address, in one transaction. */
int hp_auth_session_open(hp_store *store, int64_t school_id, const hp_user *user,
                         const char *method, const char *client, int64_t now,
                         char token_out[HP_TOKEN_MAX], hp_session *session_out);

/* Finds the live session of a token; one idle too long or past its maximum lifetime is ended
 * and is HP_EAUTH, like an unknown token. */
int hp_auth_session(hp_store *store, const hp_auth_guard *guard, const char *token, int64_t now,
                    hp_session *out, unsigned char hash_out[HP_TOKEN_HASH_BYTES]);

/* Ends the actor's session. A kiosk (a kiosk login or kiosk mode) needs the email and password
 * of a staff member of its school (HP_EFORBIDDEN otherwise), so that a student at the kiosk
 * cannot sign it out; those tries are throttled as kiosk exits. */
int hp_auth_sign_out(hp_store *store, hp_auth_guard *guard, const hp_actor *actor,
                     const unsigned char *token_hash, const char *email, const char *password,
                     int64_t now, int64_t *wait_out);

/* Checks, at a kiosk, the password of the staff member with this email in the actor's school:
 * HP_OK, HP_EFORBIDDEN (with `refusal` as the message) or HP_ETHROTTLED (*wait_out set).
 * Counted apart from sign-ins. */
int hp_auth_kiosk_exit_check(hp_store *store, hp_auth_guard *guard, const hp_actor *actor,
                             const char *email, const char *password, int64_t now,
                             const char *refusal, int64_t *wait_out);

/* Removes every session idle longer than limits->idle or older than limits->max at `now`.
 * The server calls it every HP_SESSION_SWEEP_EVERY seconds. */
int hp_auth_expire(hp_store *store, int64_t now, const hp_session_limits *limits);

/* Checks a password against a user's stored hash, as sign-in does. */
bool hp_auth_password_ok(hp_store *store, int64_t school_id, const char *email,
                         const char *password);

void hp_token_hash(const char *token, unsigned char out[HP_TOKEN_HASH_BYTES]);
/* A new token of 32 random bytes from libsodium in base64url, and its hash: what a session's
 * cookie and a share link carry, and what the store keeps of them. HP_ERROR when libsodium
 * cannot start. */
int hp_token_new(char token_out[HP_TOKEN_MAX], unsigned char hash_out[HP_TOKEN_HASH_BYTES]);

#endif
