/*
 * The checks of an OpenID Connect ID token: its signature against the provider's key set
 * (RS256 or ES256 only, the key's type matching the algorithm), then its claims: iss, aud
 * (and azp), exp and iat with HP_OIDC_SKEW seconds of leeway, nonce, and a verified email.
 * libcjose appears only in oidc_token.c; no signature code of our own.
 */
#ifndef HP_SERVICE_OIDC_TOKEN_H
#define HP_SERVICE_OIDC_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#define HP_OIDC_SKEW 60           /* Seconds a clock may be off, ours or the provider's. */
#define HP_OIDC_TOKEN_MAX 16384   /* Bytes of an ID token; real ones are 1 or 2 KiB. */
#define HP_OIDC_FLOW_LIFETIME 600 /* Seconds a sign-in may take, from its start. */

/* What the token must say. */
typedef struct {
    const char *issuer;    /* The school's oidc_issuer, exactly. */
    const char *client_id; /* The school's oidc_client_id. */
    const char *nonce;     /* The nonce sent with the sign-in. */
    int64_t now;
} hp_oidc_expect;

/* What a verified token tells. */
typedef struct {
    char *email;
    char *subject;
} hp_oidc_claims;

void hp_oidc_claims_release(hp_oidc_claims *claims);

/* Verifies the compact ID token against jwks (the provider's {"keys": [...]}). HP_ENOTFOUND
 * when no key of the set has the token's kid, so that the caller may fetch the set again;
 * HP_EAUTH with the reason for any other refusal. */
int hp_oidc_token_verify(const char *id_token, json_t *jwks, const hp_oidc_expect *expect,
                         hp_oidc_claims *out);

#endif
