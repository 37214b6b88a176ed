/* Sign-in, sessions and the throttling of password checks; see auth.h. */
#include "service/auth.h"

#include "core/error.h"
#include "core/password.h"
#include "service/audit.h"
#include "service/throttle.h"

#include <glib.h>
#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32
#define TOUCH_EVERY 60 /* Seconds between updates of a session's last use. */

struct hp_auth_guard {
    hp_session_limits limits;
    hp_throttle *accounts;    /* Sign-ins per email. */
    hp_throttle *addresses;   /* Sign-ins per client address. */
    hp_throttle *kiosk_exits; /* Staff passwords typed at kiosks, per email. */
    hp_throttle *kiosks;      /* The same, per kiosk: many people use one. */
};

hp_auth_guard *hp_auth_guard_new(const hp_session_limits *limits)
{
    hp_auth_guard *g = g_new0(hp_auth_guard, 1);
    g->limits = *limits;
    g->accounts = hp_throttle_new(HP_THROTTLE_ACCOUNT_FREE, HP_THROTTLE_MAX_DELAY);
    g->addresses = hp_throttle_new(HP_THROTTLE_ADDRESS_FREE, HP_THROTTLE_MAX_DELAY);
    g->kiosk_exits = hp_throttle_new(HP_THROTTLE_ACCOUNT_FREE, HP_THROTTLE_MAX_DELAY);
    g->kiosks = hp_throttle_new(HP_THROTTLE_ADDRESS_FREE, HP_THROTTLE_MAX_DELAY);
    return g;
}

void hp_auth_guard_free(hp_auth_guard *g)
{
    if (g == NULL)
        return;
    hp_throttle_free(g->accounts);
    hp_throttle_free(g->addresses);
    hp_throttle_free(g->kiosk_exits);
    hp_throttle_free(g->kiosks);
    g_free(g);
}

const hp_session_limits *hp_auth_guard_limits(const hp_auth_guard *g)
{
    return &g->limits;
}

void hp_token_hash(const char *token, unsigned char out[HP_TOKEN_HASH_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

int hp_token_new(char token_out[HP_TOKEN_MAX], unsigned char hash_out[HP_TOKEN_HASH_BYTES])
{
    unsigned char raw[TOKEN_BYTES];
    if (sodium_init() < 0)
        return hp_error_set(HP_ERROR, "libsodium could not start");
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token_out, HP_TOKEN_MAX, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    hp_token_hash(token_out, hash_out);
    return HP_OK;
}

/* A hash of a password no one has, so that an unknown email costs as much as a wrong
 * password and the answer time tells nothing. */
static const char *dummy_hash(void)
{
    static char hash[HP_PASSWORD_HASH_MAX];
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        /* Should hashing fail (out of memory), an empty hash verifies nothing, only faster. */
        if (hp_password_hash(hash, "not a password anyone has") < 0)
            hash[0] = '\0';
        g_once_init_leave(&done, 1);
    }
    return hash;
}

int hp_auth_expire(hp_store *store, int64_t now, const hp_session_limits *limits)
{
    return hp_store_sessions_expire(store, now - limits->idle, now - limits->max);
}

int hp_auth_session_open(hp_store *store, int64_t school_id, const hp_user *user,
                         const char *method, const char *client, int64_t now,
                         char token_out[HP_TOKEN_MAX], hp_session *session_out)
{
    unsigned char hash[HP_TOKEN_HASH_BYTES];
    int rc = hp_token_new(token_out, hash);
    if (rc < 0)
        return rc;

    hp_session session = {
        .school_id = school_id,
        .user_id = user->id,
        .created_at = now,
        .last_seen = now,
    };
    hp_audit_by by = {
        .school_id = school_id, .user_id = user->id, .who = user->email, .address = client};
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_session_create(store, hash, &session)) < 0 ||
        (rc = hp_audit_write(store, &by, now, "sign_in", user->email,
                             json_pack("{ss}", "method", method))) < 0 ||
        (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        return rc;
    }
    *session_out = session;
    return HP_OK;
}

/* Records a refused sign-in in every school that has the email (one unknown everywhere has
 * no school to be recorded in). */
static int record_refusal(hp_store *store, const hp_login *logins, size_t n, const char *client,
                          int64_t now, const char *reason)
{
    for (size_t i = 0; i < n; i++) {
        hp_audit_by by = {
            .school_id = logins[i].school_id, .who = logins[i].user.email, .address = client};
        int rc = hp_audit_note(store, &by, now, "sign_in_failed", logins[i].user.email,
                               json_pack("{ss}", "reason", reason));
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

/* Checks the password against every login of the email: the matching one, or NULL. */
static int check_password(hp_store *store, const char *email, const char *password,
                          hp_login **logins, size_t *n, const hp_login **match)
{
    int rc = hp_store_logins_find(store, email, logins, n);
    *match = NULL;
    if (rc < 0)
        return rc;
    bool checked = false;
    for (size_t i = 0; i < *n && *match == NULL; i++) {
        if ((*logins)[i].password_hash == NULL)
            continue;
        checked = true;
        if (hp_password_verify((*logins)[i].password_hash, password))
            *match = &(*logins)[i];
    }
    /* An unknown email, or one whose users have no password (most students, who sign in
     * through their school), costs one slow hash like a wrong password. */
    if (!checked)
        hp_password_verify(dummy_hash(), password);
    return HP_OK;
}

/* Lets a try through both throttles, or says how long to wait. */
static int64_t sign_in_wait(hp_auth_guard *g, const char *account, const char *client, int64_t now)
{
    int64_t wait = hp_throttle_attempt(g->accounts, account, now);
    if (wait == 0 && (wait = hp_throttle_attempt(g->addresses, client, now)) > 0)
        hp_throttle_forgive(g->accounts, account);
    return wait;
}

int hp_auth_sign_in(hp_store *store, hp_auth_guard *g, const char *email, const char *password,
                    const char *client, int64_t now, char token_out[HP_TOKEN_MAX],
                    hp_session *session_out, int64_t *wait_out)
{
    hp_login *logins = NULL;
    size_t n = 0;
    const hp_login *match = NULL;
    int rc;

    *wait_out = 0;
    if (sodium_init() < 0)
        return hp_error_set(HP_ERROR, "libsodium could not start");
    char *account = g_ascii_strdown(email, -1);
    if ((*wait_out = sign_in_wait(g, account, client, now)) > 0) {
        rc = hp_error_set(HP_ETHROTTLED, "too many failed sign-ins; try again in %lld seconds",
                          (long long)*wait_out);
        goto out;
    }
    rc = check_password(store, email, password, &logins, &n, &match);
    if (rc == HP_OK && match == NULL) {
        if ((rc = record_refusal(store, logins, n, client, now, "wrong password")) == HP_OK)
            rc = hp_error_set(HP_EAUTH, "wrong email or password");
    } else if (rc == HP_OK && !match->user.active) {
        if ((rc = record_refusal(store, match, 1, client, now, "deactivated")) == HP_OK)
            rc = hp_error_set(HP_EAUTH, "this account is deactivated; ask the school's office");
    }
    if (rc == HP_OK)
        rc = hp_auth_session_open(store, match->school_id, &match->user, "password", client, now,
                                  token_out, session_out);
    if (rc == HP_OK) {
        hp_throttle_success(g->accounts, account);
        hp_throttle_forgive(g->addresses, client);
    } else if (rc != HP_EAUTH) {
        /* The try was counted as a failure when let through; a fault of the store's is not
         * the user's. */
        hp_throttle_forgive(g->accounts, account);
        hp_throttle_forgive(g->addresses, client);
    }
out:
    hp_logins_free(logins, n);
    g_free(account);
    return rc;
}

int hp_auth_session(hp_store *store, const hp_auth_guard *g, const char *token, int64_t now,
                    hp_session *out, unsigned char hash_out[HP_TOKEN_HASH_BYTES])
{
    if (token == NULL || token[0] == '\0' || strlen(token) >= HP_TOKEN_MAX)
        return hp_error_set(HP_EAUTH, "not signed in");
    hp_token_hash(token, hash_out);
    int rc = hp_store_session_get(store, hash_out, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_EAUTH, "not signed in, or the session has ended");
    if (rc < 0)
        return rc;
    bool idle = now - out->last_seen > g->limits.idle;
    bool old = now - out->created_at > g->limits.max;
    if (idle || old) {
        if ((rc = hp_store_session_delete(store, hash_out)) < 0)
            return rc;
        return hp_error_set(HP_EAUTH, idle ? "the session has expired; sign in again"
                                           : "the session has reached its maximum lifetime; "
                                             "sign in again");
    }
    if (now - out->last_seen >= TOUCH_EVERY) {
        if ((rc = hp_store_session_touch(store, hash_out, now)) < 0)
            return rc;
        out->last_seen = now;
    }
    return HP_OK;
}

/* Whether email and password are those of a staff member of the school; an unknown email
 * costs a verification too. */
static int staff_password_ok(hp_store *store, int64_t school_id, const char *email,
                             const char *password, bool *ok)
{
    hp_user user = {0};
    char *hash = NULL;
    *ok = false;
    int rc = hp_store_user_find(store, school_id, email, &user, &hash);
    if (rc == HP_ENOTFOUND) {
        hp_password_verify(dummy_hash(), password);
        return HP_OK;
    }
    if (rc == HP_OK) {
        /* The hash is checked whatever the role, so the time tells nothing of it. */
        bool match = hp_password_verify(hash ? hash : dummy_hash(), password) && hash;
        *ok = match && hp_role_is_staff(user.role);
    }
    hp_user_release(&user);
    g_free(hash);
    return rc;
}

bool hp_auth_password_ok(hp_store *store, int64_t school_id, const char *email,
                         const char *password)
{
    hp_user user = {0};
    char *hash = NULL;
    bool ok = false;
    if (hp_store_user_find(store, school_id, email, &user, &hash) == HP_OK)
        ok = hash && hp_password_verify(hash, password);
    hp_user_release(&user);
    g_free(hash);
    return ok;
}

int hp_auth_kiosk_exit_check(hp_store *store, hp_auth_guard *g, const hp_actor *actor,
                             const char *email, const char *password, int64_t now,
                             const char *refusal, int64_t *wait_out)
{
    *wait_out = 0;
    if (email == NULL || password == NULL)
        return hp_error_set(HP_EFORBIDDEN, "%s", refusal); /* Nothing to check, or to count. */

    /* Counted per email tried and per kiosk, so that trying many emails at one kiosk is slowed
     * down too. */
    char *account = g_ascii_strdown(email, -1);
    char *kiosk =
        g_strdup_printf("%lld/%lld", (long long)actor->school.id, (long long)actor->user.id);
    bool ok = false;
    int rc = HP_OK;

    *wait_out = hp_throttle_attempt(g->kiosk_exits, account, now);
    if (*wait_out == 0 && (*wait_out = hp_throttle_attempt(g->kiosks, kiosk, now)) > 0)
        hp_throttle_forgive(g->kiosk_exits, account);
    if (*wait_out > 0) {
        rc = hp_error_set(HP_ETHROTTLED, "too many wrong passwords; try again in %lld seconds",
                          (long long)*wait_out);
        goto out;
    }
    rc = staff_password_ok(store, actor->school.id, email, password, &ok);
    if (rc < 0) {
        hp_throttle_forgive(g->kiosk_exits, account);
        hp_throttle_forgive(g->kiosks, kiosk);
    } else if (!ok) {
        rc = hp_error_set(HP_EFORBIDDEN, "%s", refusal);
    } else {
        hp_throttle_success(g->kiosk_exits, account);
        hp_throttle_forgive(g->kiosks, kiosk);
    }
out:
    g_free(account);
    g_free(kiosk);
    return rc;
}

int hp_auth_sign_out(hp_store *store, hp_auth_guard *g, const hp_actor *actor,
                     const unsigned char *token_hash, const char *email, const char *password,
                     int64_t now, int64_t *wait_out)
{
    *wait_out = 0;
    if (hp_actor_is_kiosk(actor)) {
        int rc = hp_auth_kiosk_exit_check(store, g, actor, email, password, now,
                                          "email, password: a staff member of the school signs "
                                          "a kiosk out",
                                          wait_out);
        if (rc < 0)
            return rc;
    }
    hp_audit_by by = hp_audit_by_actor(actor);
    int rc = hp_store_begin(store);
    if (rc < 0)
        return rc;
    if ((rc = hp_store_session_delete(store, token_hash)) < 0 ||
        (rc = hp_audit_write(store, &by, now, "sign_out", actor->user.email, NULL)) < 0 ||
        (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        return rc;
    }
    return HP_OK;
}
