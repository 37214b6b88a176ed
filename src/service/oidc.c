/* Single sign-on with OpenID Connect: the flow, its state and the provider's caches; see
 * oidc.h. The provider's endpoints are fetched in oidc_fetch.c, the ID token checked in
 * oidc_token.c. */
#include "service/oidc.h"

#include "core/error.h"
#include "core/util.h"
#include "service/audit.h"
#include "service/oidc_fetch.h"
#include "service/schools.h"
#include "service/settings.h"

#include <glib.h>
#include <sodium.h>
#include <string.h>

#define RANDOM_BYTES 32 /* Of a state, a nonce and a PKCE verifier: 256 bits each. */
#define DEFAULT_LABEL "Sign in with single sign-on"

/* A sign-in under way, keyed by its state. */
typedef struct {
    int64_t school_id;
    int64_t started;
    char *issuer; /* The issuer when it started: a change of settings since refuses it. */
    char *nonce;
    char *verifier; /* PKCE: the secret whose SHA-256 the provider was sent. */
    char *redirect_uri;
} flow;

/* What the server keeps of one provider: its discovery document and its key set. */
typedef struct {
    char *authorization_endpoint;
    char *token_endpoint;
    char *jwks_uri;
    int64_t discovered; /* When the document was fetched; 0: never. */
    json_t *jwks;
    int64_t jwks_fetched;
} provider;

struct hp_oidc {
    char *secret_file;
    GMutex lock;         /* Guards the two tables. */
    GHashTable *flows;   /* state -> flow. */
    GHashTable *issuers; /* issuer -> provider. */
};

static void flow_free(gpointer p)
{
    flow *f = p;
    g_free(f->issuer);
    g_free(f->nonce);
    if (f->verifier)
        sodium_memzero(f->verifier, strlen(f->verifier));
    g_free(f->verifier);
    g_free(f->redirect_uri);
    g_free(f);
}

static void provider_free(gpointer p)
{
    provider *pr = p;
    g_free(pr->authorization_endpoint);
    g_free(pr->token_endpoint);
    g_free(pr->jwks_uri);
    json_decref(pr->jwks);
    g_free(pr);
}

hp_oidc *hp_oidc_new(const char *secret_file)
{
    hp_oidc *o = g_new0(hp_oidc, 1);
    o->secret_file = g_strdup(secret_file);
    g_mutex_init(&o->lock);
    o->flows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, flow_free);
    o->issuers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, provider_free);
    return o;
}

void hp_oidc_free(hp_oidc *o)
{
    if (o == NULL)
        return;
    g_hash_table_destroy(o->flows);
    g_hash_table_destroy(o->issuers);
    g_mutex_clear(&o->lock);
    g_free(o->secret_file);
    g_free(o);
}

void hp_oidc_buttons_free(hp_oidc_button *buttons, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        g_free(buttons[i].school_name);
        g_free(buttons[i].label);
    }
    g_free(buttons);
}

int hp_oidc_buttons(hp_store *store, hp_oidc_button **out, size_t *count_out)
{
    hp_school *schools = NULL;
    size_t n = 0;
    *out = NULL;
    *count_out = 0;
    int rc = hp_store_schools_list(store, &schools, &n);
    if (rc < 0)
        return rc;
    GArray *list = g_array_new(FALSE, TRUE, sizeof(hp_oidc_button));
    for (size_t i = 0; i < n && rc == HP_OK; i++) {
        hp_settings settings;
        if ((rc = hp_school_settings_get(store, schools[i].id, &settings)) < 0)
            break;
        if (!hp_settings_oidc_on(&settings))
            continue;
        hp_oidc_button b = {
            .school_id = schools[i].id,
            .school_name = g_strdup(schools[i].name),
            .label = g_strdup(settings.oidc_label[0] ? settings.oidc_label : DEFAULT_LABEL),
        };
        g_array_append_val(list, b);
    }
    hp_schools_free(schools, n);
    if (rc < 0) {
        hp_oidc_buttons_free((hp_oidc_button *)(void *)list->data, list->len);
        g_array_free(list, FALSE);
        return rc;
    }
    *count_out = list->len;
    *out = (hp_oidc_button *)(void *)g_array_free(list, FALSE);
    return HP_OK;
}

/* 32 random bytes in base64url, as a state, a nonce or a verifier. */
static char *random_text(void)
{
    unsigned char raw[RANDOM_BYTES];
    char text[sodium_base64_ENCODED_LEN(RANDOM_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(text, sizeof(text), raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return g_strdup(text);
}

/* PKCE S256: base64url(SHA-256(verifier)). */
static char *challenge_of(const char *verifier)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    char text[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                        sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    crypto_hash_sha256(hash, (const unsigned char *)verifier, strlen(verifier));
    sodium_bin2base64(text, sizeof(text), hash, sizeof(hash),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return g_strdup(text);
}

/* An endpoint of the discovery document: a string that is an https URL (or the tests'
 * loopback), so that a provider cannot send us to fetch over plain http. */
static int endpoint(json_t *doc, const char *key, char **out)
{
    const char *url = json_string_value(json_object_get(doc, key));
    if (url == NULL)
        return hp_error_set(HP_EIO, "the provider's discovery document has no %s", key);
    if (hp_settings_issuer_check(key, url) < 0)
        return hp_error_prefix(HP_EIO, "the provider's discovery document");
    *out = g_strdup(url);
    return HP_OK;
}

/* Fetches the issuer's discovery document into pr. Called with no lock held. */
static int discover(const char *issuer, provider *pr, int64_t now)
{
    char *url = g_strdup_printf("%s%s.well-known/openid-configuration", issuer,
                                g_str_has_suffix(issuer, "/") ? "" : "/");
    json_t *doc = NULL;
    long status;
    int rc = hp_oidc_fetch("the provider's discovery document", &(hp_oidc_request){.url = url},
                           &doc, &status);
    g_free(url);
    if (rc < 0)
        return rc;
    if (status != 200)
        rc = hp_error_set(HP_EIO, "the provider's discovery document: HTTP %ld", status);
    else if (g_strcmp0(json_string_value(json_object_get(doc, "issuer")), issuer) != 0)
        rc = hp_error_set(HP_EIO, "the provider's discovery document names another issuer");
    if (rc == HP_OK &&
        (rc = endpoint(doc, "authorization_endpoint", &pr->authorization_endpoint)) == HP_OK &&
        (rc = endpoint(doc, "token_endpoint", &pr->token_endpoint)) == HP_OK)
        rc = endpoint(doc, "jwks_uri", &pr->jwks_uri);
    if (rc == HP_OK)
        pr->discovered = now;
    json_decref(doc);
    return rc;
}

static void provider_release(provider *pr)
{
    g_free(pr->authorization_endpoint);
    g_free(pr->token_endpoint);
    g_free(pr->jwks_uri);
    json_decref(pr->jwks);
    memset(pr, 0, sizeof(*pr));
}

/* A copy of the issuer's endpoints, from the cache or fetched. */
static int provider_get(hp_oidc *o, const char *issuer, int64_t now, provider *out)
{
    memset(out, 0, sizeof(*out));
    g_mutex_lock(&o->lock);
    provider *cached = g_hash_table_lookup(o->issuers, issuer);
    bool fresh = cached && cached->discovered && now - cached->discovered < HP_OIDC_CACHE_SECONDS;
    if (fresh) {
        out->authorization_endpoint = g_strdup(cached->authorization_endpoint);
        out->token_endpoint = g_strdup(cached->token_endpoint);
        out->jwks_uri = g_strdup(cached->jwks_uri);
    }
    g_mutex_unlock(&o->lock);
    if (fresh)
        return HP_OK;

    /* Fetched without the lock: a slow provider holds up only its own sign-ins. */
    int rc = discover(issuer, out, now);
    if (rc < 0) {
        provider_release(out);
        return rc;
    }
    g_mutex_lock(&o->lock);
    provider *entry = g_hash_table_lookup(o->issuers, issuer);
    if (entry == NULL) {
        entry = g_new0(provider, 1);
        g_hash_table_insert(o->issuers, g_strdup(issuer), entry);
    }
    if (g_strcmp0(entry->jwks_uri, out->jwks_uri) != 0) {
        json_decref(entry->jwks); /* Another key set: the old one says nothing of it. */
        entry->jwks = NULL;
        entry->jwks_fetched = 0;
    }
    g_free(entry->authorization_endpoint);
    g_free(entry->token_endpoint);
    g_free(entry->jwks_uri);
    entry->authorization_endpoint = g_strdup(out->authorization_endpoint);
    entry->token_endpoint = g_strdup(out->token_endpoint);
    entry->jwks_uri = g_strdup(out->jwks_uri);
    entry->discovered = now;
    g_mutex_unlock(&o->lock);
    return HP_OK;
}

/* The issuer's key set (a new reference): the cached one while it is fresh, else fetched.
 * For a token whose key the cached set lacks (unknown_kid), fetched again, unless the last
 * fetch is too recent to have changed anything. */
static int jwks_get(hp_oidc *o, const char *issuer, const char *jwks_uri, int64_t now,
                    bool unknown_kid, json_t **out)
{
    *out = NULL;
    g_mutex_lock(&o->lock);
    provider *entry = g_hash_table_lookup(o->issuers, issuer);
    bool have = entry && entry->jwks;
    bool fresh = have && now - entry->jwks_fetched < HP_OIDC_CACHE_SECONDS;
    bool recent = have && now - entry->jwks_fetched < HP_OIDC_JWKS_REFETCH_MIN;
    if (!unknown_kid && fresh)
        *out = json_incref(entry->jwks);
    g_mutex_unlock(&o->lock);
    if (*out)
        return HP_OK;
    if (unknown_kid && recent)
        return hp_error_set(HP_EAUTH, "no key of the provider has the ID token's key ID");

    json_t *doc = NULL;
    long status;
    int rc =
        hp_oidc_fetch("the provider's key set", &(hp_oidc_request){.url = jwks_uri}, &doc, &status);
    if (rc < 0)
        return rc;
    if (status != 200 || !json_is_array(json_object_get(doc, "keys"))) {
        json_decref(doc);
        return hp_error_set(HP_EIO, "the provider's key set: HTTP %ld, or no keys", status);
    }
    g_mutex_lock(&o->lock);
    entry = g_hash_table_lookup(o->issuers, issuer);
    if (entry) {
        json_decref(entry->jwks);
        entry->jwks = json_incref(doc);
        entry->jwks_fetched = now;
    }
    g_mutex_unlock(&o->lock);
    *out = doc;
    return HP_OK;
}

/* Drops the sign-ins past their lifetime; the lock is held. */
static void expire_locked(hp_oidc *o, int64_t now)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, o->flows);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (now - ((flow *)value)->started > HP_OIDC_FLOW_LIFETIME)
            g_hash_table_iter_remove(&it);
}

void hp_oidc_expire(hp_oidc *o, int64_t now)
{
    g_mutex_lock(&o->lock);
    expire_locked(o, now);
    g_mutex_unlock(&o->lock);
}

int hp_oidc_start(hp_oidc *o, hp_store *store, int64_t school_id, const char *redirect_uri,
                  int64_t now, char **location_out, char **state_out)
{
    hp_school school = {0};
    hp_settings settings;
    provider pr = {0};
    *location_out = NULL;
    *state_out = NULL;
    if (sodium_init() < 0)
        return hp_error_set(HP_ERROR, "libsodium could not start");
    int rc = hp_school_get(store, school_id, &school);
    if (rc < 0)
        return rc;
    if ((rc = hp_school_settings_get(store, school_id, &settings)) < 0)
        goto out;
    if (!hp_settings_oidc_on(&settings)) {
        rc = hp_error_set(HP_EINVALID, "%s does not sign in with single sign-on", school.name);
        goto out;
    }
    if ((rc = hp_settings_issuer_check("oidc_issuer", settings.oidc_issuer)) < 0 ||
        (rc = provider_get(o, settings.oidc_issuer, now, &pr)) < 0)
        goto out;

    flow *f = g_new0(flow, 1);
    f->school_id = school_id;
    f->started = now;
    f->issuer = g_strdup(settings.oidc_issuer);
    f->nonce = random_text();
    f->verifier = random_text();
    f->redirect_uri = g_strdup(redirect_uri);
    char *state = random_text();
    char *challenge = challenge_of(f->verifier);
    char *client = hp_oidc_form_escape(settings.oidc_client_id);
    char *redirect = hp_oidc_form_escape(redirect_uri);
    *location_out = g_strdup_printf(
        "%s%sresponse_type=code&client_id=%s&redirect_uri=%s&scope=openid%%20email"
        "&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256",
        pr.authorization_endpoint, strchr(pr.authorization_endpoint, '?') ? "&" : "?", client,
        redirect, state, f->nonce, challenge);
    g_free(client);
    g_free(redirect);
    g_free(challenge);

    g_mutex_lock(&o->lock);
    if (g_hash_table_size(o->flows) >= HP_OIDC_FLOWS_MAX)
        expire_locked(o, now);
    bool full = g_hash_table_size(o->flows) >= HP_OIDC_FLOWS_MAX;
    if (!full)
        g_hash_table_insert(o->flows, g_strdup(state), f);
    g_mutex_unlock(&o->lock);
    if (full) {
        flow_free(f);
        g_free(state);
        g_free(*location_out);
        *location_out = NULL;
        rc = hp_error_set(HP_ECONFLICT, "too many sign-ins are under way; try again in a minute");
        goto out;
    }
    *state_out = state;
out:
    provider_release(&pr);
    hp_school_release(&school);
    return rc;
}

void hp_oidc_result_release(hp_oidc_result *result)
{
    g_free(result->email);
    sodium_memzero(result->token, sizeof(result->token));
    memset(result, 0, sizeof(*result));
}

/* The client secret: the school's file, else the server's; NULL (and HP_OK) when neither
 * names one, for a public client that proves itself by PKCE alone. The file is read at each
 * sign-in, so that a secret changed on disk is used at once. */
static int read_secret(const hp_oidc *o, const hp_settings *settings, char **out)
{
    const char *path =
        settings->oidc_client_secret_file[0] ? settings->oidc_client_secret_file : o->secret_file;
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return HP_OK;
    gchar *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &text, &len, &err)) {
        int rc = hp_error_set(HP_EIO, "the client secret file %s: %s", path, err->message);
        g_error_free(err);
        return rc;
    }
    /* One line: the secret, perhaps with a newline after it. */
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    if (len == 0 || len > HP_OIDC_SECRET_MAX || strlen(text) != len || strchr(text, '\n')) {
        sodium_memzero(text, len);
        g_free(text);
        return hp_error_set(HP_EIO,
                            "the client secret file %s does not hold one line of at "
                            "most %d bytes",
                            path, HP_OIDC_SECRET_MAX);
    }
    *out = text;
    return HP_OK;
}

/* Takes the flow of the state out of the table: a state is good once. */
static flow *flow_take(hp_oidc *o, const char *state)
{
    gpointer key = NULL, value = NULL;
    g_mutex_lock(&o->lock);
    if (state && g_hash_table_steal_extended(o->flows, state, &key, &value))
        g_free(key);
    g_mutex_unlock(&o->lock);
    return value;
}

/* Trades the code for the token endpoint's answer and gives its id_token (a copy). */
static int exchange(const hp_oidc *o, const hp_settings *settings, const provider *pr,
                    const flow *f, const char *code, char **id_token_out)
{
    char *secret = NULL;
    *id_token_out = NULL;
    int rc = read_secret(o, settings, &secret);
    if (rc < 0)
        return rc;
    char *e_code = hp_oidc_form_escape(code);
    char *e_redirect = hp_oidc_form_escape(f->redirect_uri);
    char *e_verifier = hp_oidc_form_escape(f->verifier);
    char *e_client = hp_oidc_form_escape(settings->oidc_client_id);
    char *form = g_strdup_printf("grant_type=authorization_code&code=%s&redirect_uri=%s"
                                 "&code_verifier=%s%s%s",
                                 e_code, e_redirect, e_verifier,
                                 secret ? "" : "&client_id=", secret ? "" : e_client);
    hp_oidc_request request = {
        .url = pr->token_endpoint,
        .form = form,
        .user = secret ? settings->oidc_client_id : NULL,
        .password = secret,
    };
    json_t *doc = NULL;
    long status;
    rc = hp_oidc_fetch("the provider's token endpoint", &request, &doc, &status);
    if (rc == HP_OK && status != 200) {
        const char *error = json_string_value(json_object_get(doc, "error"));
        rc = hp_error_set(HP_EAUTH, "the provider refused the sign-in's code (%s)",
                          error ? error : "no reason given");
    } else if (rc == HP_OK) {
        const char *id_token = json_string_value(json_object_get(doc, "id_token"));
        if (id_token == NULL)
            rc = hp_error_set(HP_EIO, "the provider's token endpoint sent no ID token");
        else
            *id_token_out = g_strdup(id_token);
    }
    json_decref(doc);
    sodium_memzero(form, strlen(form));
    g_free(form);
    g_free(e_code);
    g_free(e_redirect);
    sodium_memzero(e_verifier, strlen(e_verifier));
    g_free(e_verifier);
    g_free(e_client);
    if (secret) {
        sodium_memzero(secret, strlen(secret));
        g_free(secret);
    }
    return rc;
}

/* Verifies the token with the provider's keys, fetching them again once for an unknown key. */
static int verify(hp_oidc *o, const char *issuer, const provider *pr, const char *id_token,
                  const hp_oidc_expect *expect, hp_oidc_claims *claims)
{
    json_t *jwks = NULL;
    int rc = jwks_get(o, issuer, pr->jwks_uri, expect->now, false, &jwks);
    if (rc == HP_OK)
        rc = hp_oidc_token_verify(id_token, jwks, expect, claims);
    json_decref(jwks);
    if (rc != HP_ENOTFOUND)
        return rc;
    jwks = NULL;
    if ((rc = jwks_get(o, issuer, pr->jwks_uri, expect->now, true, &jwks)) == HP_OK)
        rc = hp_oidc_token_verify(id_token, jwks, expect, claims);
    json_decref(jwks);
    if (rc == HP_ENOTFOUND)
        rc = hp_error_set(HP_EAUTH, "no key of the provider has the ID token's key ID");
    return rc;
}

/* Records a refused sign-in in its school; the person's message is kept. A store that cannot
 * take the record fails the same way for the sign-in itself, so that is not reported twice. */
static void record_refusal(hp_store *store, const hp_oidc_result *result, int64_t user_id,
                           const char *client, int64_t now)
{
    char message[HP_ERROR_MAX];
    g_strlcpy(message, hp_error_last(), sizeof(message));
    hp_audit_by by = {.school_id = result->school_id,
                      .user_id = user_id,
                      .who = result->email ? result->email : "single sign-on",
                      .address = client};
    hp_audit_note(store, &by, now, "sign_in_failed", result->email ? result->email : "",
                  json_pack("{s:s, s:s}", "method", "oidc", "reason", result->reason));
    hp_error_set(HP_EAUTH, "%s", message);
}

/* Sets the reason for the audit log and passes rc on. */
static int refuse(hp_oidc_result *result, const char *reason, int rc)
{
    result->reason = reason;
    return rc;
}

int hp_oidc_finish(hp_oidc *o, hp_store *store, const hp_oidc_answer *answer, int64_t now,
                   hp_oidc_result *result)
{
    memset(result, 0, sizeof(*result));
    flow *f = flow_take(o, answer->state);
    if (f == NULL)
        return refuse(result, "unknown or used state",
                      hp_error_set(HP_EAUTH, "this sign-in is not known or was already used; "
                                             "start again"));
    hp_settings settings;
    provider pr = {0};
    char *id_token = NULL;
    hp_oidc_claims claims = {0};
    hp_user user = {0};
    hp_school school = {0};
    int rc;

    result->school_id = f->school_id;
    if (answer->browser_state == NULL || strlen(answer->browser_state) != strlen(answer->state) ||
        sodium_memcmp(answer->browser_state, answer->state, strlen(answer->state)) != 0) {
        rc = refuse(result, "state of another browser",
                    hp_error_set(HP_EAUTH, "this sign-in was started in another browser; "
                                           "start again"));
        goto out;
    }
    if (now - f->started > HP_OIDC_FLOW_LIFETIME) {
        rc = refuse(result, "old state",
                    hp_error_set(HP_EAUTH, "the sign-in took more than %d minutes; start again",
                                 HP_OIDC_FLOW_LIFETIME / 60));
        goto out;
    }
    if (answer->error || answer->code == NULL) {
        rc = refuse(result, "provider refused",
                    hp_error_set(HP_EAUTH, "the provider did not sign you in (%s)",
                                 answer->error ? answer->error : "no code"));
        goto out;
    }
    if ((rc = hp_school_get(store, f->school_id, &school)) < 0 ||
        (rc = hp_school_settings_get(store, f->school_id, &settings)) < 0)
        goto out;
    if (!hp_settings_oidc_on(&settings) || strcmp(settings.oidc_issuer, f->issuer) != 0) {
        rc = refuse(result, "settings changed",
                    hp_error_set(HP_EAUTH, "the school's single sign-on changed during the "
                                           "sign-in; start again"));
        goto out;
    }
    if ((rc = provider_get(o, f->issuer, now, &pr)) < 0 ||
        (rc = exchange(o, &settings, &pr, f, answer->code, &id_token)) < 0) {
        result->reason = rc == HP_EAUTH ? "code refused" : "provider failed";
        goto out;
    }
    hp_oidc_expect expect = {
        .issuer = f->issuer, .client_id = settings.oidc_client_id, .nonce = f->nonce, .now = now};
    if ((rc = verify(o, f->issuer, &pr, id_token, &expect, &claims)) < 0) {
        result->reason = rc == HP_EAUTH ? "token refused" : "provider failed";
        goto out;
    }
    result->email = g_strdup(claims.email);
    if (!hp_settings_oidc_domain_ok(&settings, claims.email)) {
        rc = refuse(result, "domain not allowed",
                    hp_error_set(HP_EAUTH,
                                 "%s may not sign in to %s: its domain is not one "
                                 "the school allows",
                                 claims.email, school.name));
        goto out;
    }
    rc = hp_store_user_find(store, f->school_id, claims.email, &user, NULL);
    if (rc == HP_ENOTFOUND) {
        rc = refuse(result, "no such user",
                    hp_error_set(HP_EAUTH,
                                 "%s has no hallpass account at %s; ask the school's "
                                 "office",
                                 claims.email, school.name));
        goto out;
    }
    if (rc < 0)
        goto out;
    if (!user.active) {
        rc = refuse(result, "deactivated",
                    hp_error_set(HP_EAUTH, "this account is deactivated; ask the school's office"));
        goto out;
    }
    if ((rc = hp_auth_session_open(store, f->school_id, &user, "oidc", answer->client, now,
                                   result->token, &result->session)) < 0)
        goto out;
    result->role = user.role;
out:
    if (rc < 0 && result->reason == NULL)
        result->reason = "server failed";
    if (rc < 0 && rc != HP_ESTORE && result->school_id)
        record_refusal(store, result, user.id, answer->client, now);
    hp_user_release(&user);
    hp_school_release(&school);
    hp_oidc_claims_release(&claims);
    g_free(id_token);
    provider_release(&pr);
    flow_free(f);
    return rc;
}
