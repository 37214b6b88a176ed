/* Sign-in, sessions and sign-in throttling; see auth.h. */
#include "service/auth.h"

#include "core/error.h"
#include "core/password.h"

#include <glib.h>
#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32
#define TOUCH_EVERY 60 /* Seconds between updates of a session's last use. */

void hp_token_hash(const char *token, unsigned char out[HP_TOKEN_HASH_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

/* A hash of a password no one has, so that an unknown email costs as much as a wrong
 * password and the answer time tells nothing. */
static const char *dummy_hash(void)
{
    static char hash[HP_PASSWORD_HASH_MAX];
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        hp_password_hash(hash, "not a password anyone has");
        g_once_init_leave(&done, 1);
    }
    return hash;
}

int hp_auth_sign_in(hp_store *store, const char *email, const char *password, int64_t now,
                    char token_out[HP_TOKEN_MAX], hp_session *session_out)
{
    hp_login *logins = NULL;
    size_t n = 0;
    int rc;
    const hp_login *match = NULL;

    if (sodium_init() < 0)
        return hp_error_set(HP_ERROR, "libsodium could not start");
    if ((rc = hp_store_logins_find(store, email, &logins, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n && match == NULL; i++)
        if (logins[i].password_hash && hp_password_verify(logins[i].password_hash, password))
            match = &logins[i];
    if (n == 0)
        hp_password_verify(dummy_hash(), password);
    if (match == NULL) {
        hp_logins_free(logins, n);
        return hp_error_set(HP_EAUTH, "wrong email or password");
    }

    unsigned char raw[TOKEN_BYTES], hash[HP_TOKEN_HASH_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token_out, HP_TOKEN_MAX, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    hp_token_hash(token_out, hash);

    hp_session session = {
        .school_id = match->school_id,
        .user_id = match->user.id,
        .created_at = now,
        .last_seen = now,
    };
    rc = hp_store_session_create(store, hash, &session);
    hp_logins_free(logins, n);
    if (rc < 0)
        return rc;
    *session_out = session;
    return HP_OK;
}

int hp_auth_session(hp_store *store, const char *token, int64_t now, int64_t idle_seconds,
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
    if (now - out->last_seen > idle_seconds) {
        hp_store_session_delete(store, hash_out);
        return hp_error_set(HP_EAUTH, "the session has expired; sign in again");
    }
    if (now - out->last_seen >= TOUCH_EVERY) {
        if ((rc = hp_store_session_touch(store, hash_out, now)) < 0)
            return rc;
        out->last_seen = now;
    }
    return HP_OK;
}

int hp_auth_sign_out(hp_store *store, const unsigned char *token_hash)
{
    return hp_store_session_delete(store, token_hash);
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
    free(hash);
    return ok;
}

#define THROTTLE_MAX_KEYS 100000
#define THROTTLE_FORGET 900 /* Seconds after the last failure when a key starts afresh. */

typedef struct {
    int failures;
    int64_t last_failure;
} throttle_entry;

struct hp_throttle {
    GMutex lock;
    GHashTable *entries;
    int free_failures;
    int64_t max_delay;
};

hp_throttle *hp_throttle_new(int free_failures, int64_t max_delay)
{
    hp_throttle *t = g_new0(hp_throttle, 1);
    g_mutex_init(&t->lock);
    t->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    t->free_failures = free_failures;
    t->max_delay = max_delay;
    return t;
}

void hp_throttle_free(hp_throttle *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->entries);
    g_mutex_clear(&t->lock);
    g_free(t);
}

static int64_t delay_for(const hp_throttle *t, int failures)
{
    int over = failures - t->free_failures;
    if (over < 0)
        return 0;
    int64_t delay = over >= 20 ? t->max_delay : ((int64_t)1 << over);
    return delay > t->max_delay ? t->max_delay : delay;
}

static gboolean is_forgotten(gpointer key, gpointer value, gpointer now)
{
    const throttle_entry *e = value;
    return *(const int64_t *)now - e->last_failure >= THROTTLE_FORGET;
}

int64_t hp_throttle_attempt(hp_throttle *t, const char *key, int64_t now)
{
    int64_t wait = 0;
    g_mutex_lock(&t->lock);
    throttle_entry *e = g_hash_table_lookup(t->entries, key);
    if (e && now - e->last_failure >= THROTTLE_FORGET)
        e->failures = 0;
    if (e) {
        int64_t until = e->last_failure + delay_for(t, e->failures);
        wait = until > now ? until - now : 0;
    }
    if (wait == 0) {
        if (e == NULL) {
            /* The table has a cap: old entries go first, and if an attack filled it with live
             * ones, it starts afresh rather than grow. */
            if (g_hash_table_size(t->entries) >= THROTTLE_MAX_KEYS)
                g_hash_table_foreach_remove(t->entries, is_forgotten, &now);
            if (g_hash_table_size(t->entries) >= THROTTLE_MAX_KEYS)
                g_hash_table_remove_all(t->entries);
            e = g_new0(throttle_entry, 1);
            g_hash_table_insert(t->entries, g_strdup(key), e);
        }
        e->failures++;
        e->last_failure = now;
    }
    g_mutex_unlock(&t->lock);
    return wait;
}

void hp_throttle_forgive(hp_throttle *t, const char *key)
{
    g_mutex_lock(&t->lock);
    throttle_entry *e = g_hash_table_lookup(t->entries, key);
    if (e && e->failures > 0 && --e->failures == 0)
        g_hash_table_remove(t->entries, key);
    g_mutex_unlock(&t->lock);
}

void hp_throttle_success(hp_throttle *t, const char *key)
{
    g_mutex_lock(&t->lock);
    g_hash_table_remove(t->entries, key);
    g_mutex_unlock(&t->lock);
}
