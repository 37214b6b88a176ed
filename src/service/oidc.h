/*
 * Single sign-on with a school's OpenID provider: the authorization code flow with PKCE
 * (S256), a state and a nonce. hp_oidc_start() makes the address to send the browser to;
 * hp_oidc_finish() takes the provider's answer, trades the code for an ID token at the token
 * endpoint, verifies the token (oidc_token.h), finds the user by email in the school and
 * opens a session exactly as a password sign-in does (hp_auth_session_open()).
 *
 * An hp_oidc lives as long as the server: it keeps the sign-ins under way (each used once, for
 * HP_OIDC_FLOW_LIFETIME seconds at most) and, per provider, its discovery document and its key
 * set, fetched again when a token names a key the set does not hold.
 */
#ifndef HP_SERVICE_OIDC_H
#define HP_SERVICE_OIDC_H

#include "service/auth.h"
#include "service/oidc_token.h"
#include "store/store.h"

#define HP_OIDC_FLOWS_MAX 10000    /* Sign-ins under way at once; past it, refused. */
#define HP_OIDC_CACHE_SECONDS 3600 /* A discovery document or key set is used this long. */
#define HP_OIDC_JWKS_REFETCH_MIN                                                                   \
    5                           /* Seconds between two fetches of a key set for an                 \
                                   unknown key, so forged key IDs cannot flood the                 \
                                   provider with our requests. */
#define HP_OIDC_SECRET_MAX 4096 /* Bytes of the client secret file. */
#define HP_OIDC_STATE_MAX 64    /* A state's text and its NUL. */

typedef struct hp_oidc hp_oidc;

/* secret_file: serve --oidc-secret-file, for schools that name no file of their own (NULL:
 * none). */
hp_oidc *hp_oidc_new(const char *secret_file);
void hp_oidc_free(hp_oidc *oidc);

/* What the sign-in page shows for one school with sign-on set. */
typedef struct {
    int64_t school_id;
    char *school_name;
    char *label; /* oidc_label, or "Sign in with single sign-on" when it is empty. */
} hp_oidc_button;

void hp_oidc_buttons_free(hp_oidc_button *buttons, size_t count);

/* The schools whose sign-on is set, in the store's order of schools. */
int hp_oidc_buttons(hp_store *store, hp_oidc_button **out, size_t *count_out);

/* Starts a sign-in for the school: *location_out is the provider's authorization address
 * with this sign-in's state, nonce and PKCE challenge; *state_out the state, which the
 * browser keeps in a cookie so that only the browser that started may finish. redirect_uri
 * is this server's callback as the browser reaches it. HP_ENOTFOUND for no such school,
 * HP_EINVALID when its sign-on is not set, HP_EIO when the provider does not answer, HP_ECONFLICT
 * when too many sign-ins are under way. Both out strings are the caller's to g_free. */
int hp_oidc_start(hp_oidc *oidc, hp_store *store, int64_t school_id, const char *redirect_uri,
                  int64_t now, char **location_out, char **state_out);

/* What the provider sent back to the callback. */
typedef struct {
    const char *state;         /* The state parameter. */
    const char *browser_state; /* The state of the browser's cookie, or NULL. */
    const char *code;          /* The code, or NULL. */
    const char *error;         /* The provider's error parameter, or NULL. */
    const char *client;        /* The browser's address, for the audit log; or NULL. */
} hp_oidc_answer;

/* The end of a sign-in, whether it worked or not. */
typedef struct {
    int64_t school_id;        /* 0 when the sign-in named no school (an unknown state). */
    char *email;              /* The provider's email, once the token held; else NULL. */
    const char *reason;       /* On failure, a few words for the audit log. */
    hp_session session;       /* On success. */
    char token[HP_TOKEN_MAX]; /* On success: the session cookie's value. */
    hp_role role;             /* On success: the user's role. */
} hp_oidc_result;

void hp_oidc_result_release(hp_oidc_result *result);

/* Finishes a sign-in. HP_EAUTH with a message for the person (an old or used state, a
 * refused token, no such user, a deactivated one), HP_EIO when the provider does not answer
 * as it should. Audited in the school the sign-in was for: `sign_in` {"method": "oidc"} with
 * the session, or `sign_in_failed` {"method": "oidc", "reason": result->reason}, whose target
 * is the email when a verified token gave one (else empty). */
int hp_oidc_finish(hp_oidc *oidc, hp_store *store, const hp_oidc_answer *answer, int64_t now,
                   hp_oidc_result *result);

/* Forgets sign-ins older than HP_OIDC_FLOW_LIFETIME; the server calls it now and then. */
void hp_oidc_expire(hp_oidc *oidc, int64_t now);

#endif
