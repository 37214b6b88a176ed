/* ID token checks through libcjose; see oidc_token.h. */
#include "service/oidc_token.h"

#include "core/error.h"

#include <cjose/cjose.h>
#include <glib.h>
#include <string.h>

void hp_oidc_claims_release(hp_oidc_claims *claims)
{
    g_free(claims->email);
    g_free(claims->subject);
    memset(claims, 0, sizeof(*claims));
}

/* The key of the set that may have signed a token of this alg and kid: NULL when none has
 * the kid (*kid_unknown set) or none fits. */
static json_t *find_key(json_t *jwks, const char *alg, const char *kid, bool *kid_unknown)
{
    json_t *keys = json_object_get(jwks, "keys");
    const char *kty = strcmp(alg, "RS256") == 0 ? "RSA" : "EC";
    size_t i;
    json_t *key;
    json_t *found = NULL;
    size_t fitting = 0;
    *kid_unknown = true;
    json_array_foreach(keys, i, key)
    {
        const char *key_kid = json_string_value(json_object_get(key, "kid"));
        const char *use = json_string_value(json_object_get(key, "use"));
        if (kid && (key_kid == NULL || strcmp(key_kid, kid) != 0))
            continue;
        *kid_unknown = false;
        if (g_strcmp0(json_string_value(json_object_get(key, "kty")), kty) != 0 ||
            (use && strcmp(use, "sig") != 0))
            continue;
        if (strcmp(kty, "EC") == 0 &&
            g_strcmp0(json_string_value(json_object_get(key, "crv")), "P-256") != 0)
            continue;
        found = key;
        fitting++;
    }
    /* Without a kid, only a set with one fitting key says which key it is. */
    return fitting == 1 || (kid && found) ? found : NULL;
}

/* Checks the signature with the key; HP_EAUTH when it does not hold. */
static int verify_signature(cjose_jws_t *jws, json_t *key)
{
    char *text = json_dumps(key, JSON_COMPACT);
    cjose_err err;
    cjose_jwk_t *jwk = text ? cjose_jwk_import(text, strlen(text), &err) : NULL;
    free(text); /* jansson's allocation. */
    if (jwk == NULL)
        return hp_error_set(HP_EAUTH, "the provider's key could not be read");
    bool ok = cjose_jws_verify(jws, jwk, &err);
    cjose_jwk_release(jwk);
    return ok ? HP_OK : hp_error_set(HP_EAUTH, "the ID token's signature is not valid");
}

static bool audience_has(json_t *aud, const char *client_id)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), client_id) == 0;
    size_t i;
    json_t *one;
    json_array_foreach(aud, i, one) if (json_is_string(one) &&
                                        strcmp(json_string_value(one), client_id) == 0) return true;
    return false;
}

/* Checks the claims of a token whose signature holds. */
static int check_claims(json_t *claims, const hp_oidc_expect *expect, hp_oidc_claims *out)
{
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    json_t *aud = json_object_get(claims, "aud");
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    json_t *exp = json_object_get(claims, "exp");
    json_t *iat = json_object_get(claims, "iat");
    const char *nonce = json_string_value(json_object_get(claims, "nonce"));
    const char *email = json_string_value(json_object_get(claims, "email"));
    const char *sub = json_string_value(json_object_get(claims, "sub"));

    if (iss == NULL || strcmp(iss, expect->issuer) != 0)
        return hp_error_set(HP_EAUTH, "the ID token was issued by another provider");
    if (!audience_has(aud, expect->client_id) || (azp && strcmp(azp, expect->client_id) != 0))
        return hp_error_set(HP_EAUTH, "the ID token was issued for another client");
    if (!json_is_integer(exp) || expect->now >= json_integer_value(exp) + HP_OIDC_SKEW)
        return hp_error_set(HP_EAUTH, "the ID token has expired");
    if (!json_is_integer(iat) || json_integer_value(iat) > expect->now + HP_OIDC_SKEW ||
        json_integer_value(iat) < expect->now - HP_OIDC_FLOW_LIFETIME - HP_OIDC_SKEW)
        return hp_error_set(HP_EAUTH, "the ID token's time of issue is not now");
    if (nonce == NULL || strcmp(nonce, expect->nonce) != 0)
        return hp_error_set(HP_EAUTH, "the ID token's nonce is not this sign-in's");
    if (sub == NULL || sub[0] == '\0')
        return hp_error_set(HP_EAUTH, "the ID token names no subject");
    if (email == NULL || email[0] == '\0')
        return hp_error_set(HP_EAUTH, "the provider gave no email address");
    if (!json_is_true(json_object_get(claims, "email_verified")))
        return hp_error_set(HP_EAUTH, "the provider has not verified the email address %s", email);
    out->email = g_strdup(email);
    out->subject = g_strdup(sub);
    return HP_OK;
}

int hp_oidc_token_verify(const char *id_token, json_t *jwks, const hp_oidc_expect *expect,
                         hp_oidc_claims *out)
{
    cjose_err err;
    memset(out, 0, sizeof(*out));
    if (id_token == NULL || strlen(id_token) > HP_OIDC_TOKEN_MAX)
        return hp_error_set(HP_EAUTH, "the provider sent no ID token, or one too large");
    cjose_jws_t *jws = cjose_jws_import(id_token, strlen(id_token), &err);
    if (jws == NULL)
        return hp_error_set(HP_EAUTH, "the ID token is not a signed token");
    int rc = HP_OK;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    json_t *claims = NULL;
    cjose_header_t *header = cjose_jws_get_protected(jws);
    const char *alg = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : NULL;
    const char *kid = header ? cjose_header_get(header, CJOSE_HDR_KID, &err) : NULL;
    /* Only the two algorithms asked for: never "none", never an HMAC keyed by a public key. */
    if (alg == NULL || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)) {
        rc = hp_error_set(HP_EAUTH, "the ID token is signed with %s, not RS256 or ES256",
                          alg ? alg : "no algorithm");
        goto out;
    }
    bool kid_unknown;
    json_t *key = find_key(jwks, alg, kid, &kid_unknown);
    if (key == NULL) {
        rc = kid_unknown ? hp_error_set(HP_ENOTFOUND, "no key of the provider has the ID "
                                                      "token's key ID")
                         : hp_error_set(HP_EAUTH, "no key of the provider fits the ID token");
        goto out;
    }
    if ((rc = verify_signature(jws, key)) < 0)
        goto out;
    /* The plaintext belongs to the jws. */
    if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &err) ||
        (claims = json_loadb((const char *)plain, plain_len, JSON_REJECT_DUPLICATES, NULL)) ==
            NULL ||
        !json_is_object(claims)) {
        rc = hp_error_set(HP_EAUTH, "the ID token's claims are not a JSON object");
        goto out;
    }
    rc = check_claims(claims, expect, out);
out:
    json_decref(claims);
    cjose_jws_release(jws);
    return rc;
}
