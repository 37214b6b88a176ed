/*
 * The OpenID provider's endpoints over HTTPS: its discovery document, its token endpoint and
 * its key set (JWKS). libcurl appears only in oidc_fetch.c. Every answer is capped in size
 * and time, certificates are verified, redirects are not followed, and only https URLs are
 * fetched (and http://127.0.0.1 when a test allows it; see core/settings.h).
 */
#ifndef HP_SERVICE_OIDC_FETCH_H
#define HP_SERVICE_OIDC_FETCH_H

#include <jansson.h>

#define HP_OIDC_FETCH_TIMEOUT 10       /* Seconds for one whole request. */
#define HP_OIDC_FETCH_MAX (256 * 1024) /* Bytes of one answer: a JWKS is a few KiB. */

/* One request: a GET when form is NULL, else a POST of the form (application/x-www-form-
 * urlencoded, already encoded). With user set, HTTP Basic authentication with user and
 * password (the client's ID and secret, each form-encoded first, as OAuth 2.0 asks). */
typedef struct {
    const char *url;
    const char *form;
    const char *user;
    const char *password;
} hp_oidc_request;

/* Fetches a JSON object. *status_out gets the HTTP status. HP_EIO naming `what` and the reason
 * when the provider cannot be reached, answers too much or too slowly, or sends something other
 * than a JSON object; an answer that is an object is given whatever its status. */
int hp_oidc_fetch(const char *what, const hp_oidc_request *request, json_t **out, long *status_out);

/* Form-encodes one value (RFC 3986 unreserved characters kept); g_free it. */
char *hp_oidc_form_escape(const char *value);

#endif
