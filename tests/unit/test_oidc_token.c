/*
 * The ID token checks (service/oidc_token.c) without a provider: tokens signed here with
 * libcjose and a key made for the test, each with one claim or header changed, and what the
 * check says of each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "service/oidc_token.h"

#include <cjose/cjose.h>
#include <glib.h>
#include <string.h>

#define ISSUER "https://login.example.com"
#define CLIENT "hallpass"
#define NONCE "n-0123456789"
#define NOW 1800000000
#define RSA_BITS 2048

static cjose_jwk_t *key;   /* Signs the tokens; its public half is in the set. */
static cjose_jwk_t *other; /* Never published. */
static json_t *jwks;

static int setup(void **state)
{
    (void)state;
    cjose_err err;
    static const uint8_t e[] = {1, 0, 1};
    key = cjose_jwk_create_RSA_random(RSA_BITS, e, sizeof(e), &err);
    other = cjose_jwk_create_RSA_random(RSA_BITS, e, sizeof(e), &err);
    cjose_jwk_set_kid(key, "k1", 2, &err);
    cjose_jwk_set_kid(other, "k1", 2, &err); /* The same kid: only the signature differs. */
    char *pub = cjose_jwk_to_json(key, false, &err);
    jwks = json_pack("{s:[o]}", "keys", json_loads(pub, 0, NULL));
    free(pub);
    return key && other ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cjose_jwk_release(key);
    cjose_jwk_release(other);
    json_decref(jwks);
    return 0;
}

/* Good claims; the caller changes one. */
static json_t *claims(void)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:b}", "iss", ISSUER, "sub", "u1", "aud",
                     CLIENT, "iat", (json_int_t)NOW, "exp", (json_int_t)NOW + 300, "nonce", NONCE,
                     "email", "t@lincoln.example", "email_verified", 1);
}

/* A compact token of the claims (taken), signed with signer under alg and kid; g_free it. */
static char *token(json_t *body, cjose_jwk_t *signer, const char *alg, const char *kid)
{
    cjose_err err;
    cjose_header_t *header = cjose_header_new(&err);
    cjose_header_set(header, CJOSE_HDR_ALG, alg, &err);
    if (kid)
        cjose_header_set(header, CJOSE_HDR_KID, kid, &err);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    cjose_jws_t *jws = cjose_jws_sign(signer, header, (const uint8_t *)text, strlen(text), &err);
    free(text);
    const char *compact = NULL;
    assert_non_null(jws);
    assert_true(cjose_jws_export(jws, &compact, &err));
    char *out = g_strdup(compact);
    cjose_jws_release(jws);
    cjose_header_release(header);
    return out;
}

static int check(char *compact, const char *message)
{
    hp_oidc_expect expect = {.issuer = ISSUER, .client_id = CLIENT, .nonce = NONCE, .now = NOW};
    hp_oidc_claims out;
    int rc = hp_oidc_token_verify(compact, jwks, &expect, &out);
    g_free(compact);
    if (message)
        assert_string_equal(hp_error_last(), message);
    if (rc == HP_OK) {
        assert_string_equal(out.email, "t@lincoln.example");
        assert_string_equal(out.subject, "u1");
    }
    hp_oidc_claims_release(&out);
    return rc;
}

static void test_good(void **state)
{
    (void)state;
    assert_int_equal(check(token(claims(), key, "RS256", "k1"), NULL), HP_OK);
    /* No kid: the set's one fitting key. An audience list holding us, with azp, is ours. */
    assert_int_equal(check(token(claims(), key, "RS256", NULL), NULL), HP_OK);
    json_t *c = claims();
    json_object_set_new(c, "aud", json_pack("[ss]", "other", CLIENT));
    json_object_set_new(c, "azp", json_string(CLIENT));
    assert_int_equal(check(token(c, key, "RS256", "k1"), NULL), HP_OK);
    /* Within the leeway on either side. */
    c = claims();
    json_object_set_new(c, "exp", json_integer(NOW - HP_OIDC_SKEW + 1));
    json_object_set_new(c, "iat", json_integer(NOW + HP_OIDC_SKEW));
    assert_int_equal(check(token(c, key, "RS256", "k1"), NULL), HP_OK);
}

static void test_signature_and_key(void **state)
{
    (void)state;
    assert_int_equal(
        check(token(claims(), other, "RS256", "k1"), "the ID token's signature is not valid"),
        HP_EAUTH);
    assert_int_equal(check(token(claims(), key, "RS256", "k2"),
                           "no key of the provider has the ID token's key ID"),
                     HP_ENOTFOUND);
    assert_int_equal(check(token(claims(), key, "PS256", "k1"),
                           "the ID token is signed with PS256, not RS256 or ES256"),
                     HP_EAUTH);
    assert_int_equal(check(g_strdup("not.a.token"), NULL), HP_EAUTH);
    assert_int_equal(check(g_strdup("e30.e30."), NULL), HP_EAUTH);
}

/* Each claim changed alone is refused with its own words. */
static void test_claims(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        json_int_t number; /* When text is NULL. */
        const char *text;
        const char *message;
    } cases[] = {
        {"iss", 0, "https://evil.example.com", "the ID token was issued by another provider"},
        {"aud", 0, "another-client", "the ID token was issued for another client"},
        {"azp", 0, "another-client", "the ID token was issued for another client"},
        {"exp", NOW - HP_OIDC_SKEW, NULL, "the ID token has expired"},
        {"iat", NOW + HP_OIDC_SKEW + 1, NULL, "the ID token's time of issue is not now"},
        {"iat", NOW - HP_OIDC_FLOW_LIFETIME - HP_OIDC_SKEW - 1, NULL,
         "the ID token's time of issue is not now"},
        {"nonce", 0, "another", "the ID token's nonce is not this sign-in's"},
        {"sub", 0, "", "the ID token names no subject"},
        {"email", 0, "", "the provider gave no email address"},
        {"email_verified", 0, "true",
         "the provider has not verified the email address t@lincoln.example"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *c = claims();
        json_object_set_new(c, cases[i].key,
                            cases[i].text ? json_string(cases[i].text)
                                          : json_integer(cases[i].number));
        assert_int_equal(check(token(c, key, "RS256", "k1"), cases[i].message), HP_EAUTH);
    }
    json_t *c = claims();
    json_object_del(c, "email_verified");
    assert_int_equal(check(token(c, key, "RS256", "k1"), NULL), HP_EAUTH);
    c = claims();
    json_object_set_new(c, "exp", json_string("tomorrow"));
    assert_int_equal(check(token(c, key, "RS256", "k1"), "the ID token has expired"), HP_EAUTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_signature_and_key),
        cmocka_unit_test(test_claims),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
