/* The provider's endpoints through libcurl; see oidc_fetch.h. */
#include "service/oidc_fetch.h"

#include "core/error.h"
#include "core/settings.h"

#include <curl/curl.h>
#include <glib.h>
#include <string.h>

typedef struct {
    GByteArray *body;
    bool too_big;
} answer;

static size_t take_bytes(char *data, size_t size, size_t count, void *arg)
{
    answer *a = arg;
    size_t n = size * count;
    if (a->body->len + n > HP_OIDC_FETCH_MAX) {
        a->too_big = true;
        return 0; /* Makes curl stop with CURLE_WRITE_ERROR. */
    }
    g_byte_array_append(a->body, (const guint8 *)data, (guint)n);
    return n;
}

static void global_init(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        g_once_init_leave(&done, 1);
    }
}

char *hp_oidc_form_escape(const char *value)
{
    return g_uri_escape_string(value, NULL, FALSE);
}

/* Whether the URL may be fetched: https, or the tests' loopback when they allow it. */
static bool url_allowed(const char *url)
{
    if (g_str_has_prefix(url, "https://"))
        return true;
    return hp_settings_loopback_issuer_allowed() && (g_str_has_prefix(url, "http://127.0.0.1:") ||
                                                     g_str_has_prefix(url, "http://127.0.0.1/"));
}

int hp_oidc_fetch(const char *what, const hp_oidc_request *request, json_t **out, long *status_out)
{
    *out = NULL;
    *status_out = 0;
    if (!url_allowed(request->url))
        return hp_error_set(HP_EIO, "%s: %s is not an https URL", what, request->url);
    global_init();
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return hp_error_set(HP_EIO, "%s: libcurl could not start", what);
    answer a = {.body = g_byte_array_new()};
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    char *userpwd = NULL;
    int rc = HP_OK;

    curl_easy_setopt(curl, CURLOPT_URL, request->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
                     hp_settings_loopback_issuer_allowed() ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)HP_OIDC_FETCH_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)HP_OIDC_FETCH_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* Threads: no SIGALRM for timeouts. */
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HP_OIDC_FETCH_MAX);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_bytes);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "hallpass");
    if (request->form) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->form);
        headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    }
    if (request->user) {
        char *user = hp_oidc_form_escape(request->user);
        char *password = hp_oidc_form_escape(request->password ? request->password : "");
        userpwd = g_strdup_printf("%s:%s", user, password);
        g_free(user);
        g_free(password);
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    CURLcode res = curl_easy_perform(curl);
    if (res != CURLE_OK) {
        rc = a.too_big || res == CURLE_FILESIZE_EXCEEDED
                 ? hp_error_set(HP_EIO, "%s: the answer is larger than %d bytes", what,
                                HP_OIDC_FETCH_MAX)
                 : hp_error_set(HP_EIO, "%s: %s", what, curl_easy_strerror(res));
        goto out;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status_out);
    json_error_t err;
    json_t *doc = json_loadb((const char *)a.body->data, a.body->len, JSON_REJECT_DUPLICATES, &err);
    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        rc = hp_error_set(HP_EIO, "%s: HTTP %ld, and the answer is not a JSON object", what,
                          *status_out);
        goto out;
    }
    *out = doc;
out:
    if (userpwd) {
        memset(userpwd, 0, strlen(userpwd)); /* It holds the client secret. */
        g_free(userpwd);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    g_byte_array_free(a.body, TRUE);
    return rc;
}
