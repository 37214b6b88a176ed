/*
 * Single sign-on's routes, all browser navigations under /auth/oidc/ (the flow is in
 * service/oidc.c):
 *   GET /auth/oidc/schools           which schools show a sign-on button, and its words (JSON);
 *   GET /auth/oidc/start?school=ID   a redirect to the school's provider;
 *   GET /auth/oidc/callback          where the provider sends the browser back: a session and
 *                                    a page that goes on to the user's home page, or a page
 *                                    that says why not.
 * The state goes to the browser in a cookie of its own (SameSite=Lax, since the provider's
 * redirect back is a navigation from another site, which a Strict cookie would not come
 * with), so that only the browser that started a sign-in can finish it.
 */
#include "http/http.h"

#include "core/error.h"

#include <glib.h>
#include <string.h>

#define STATE_COOKIE "hallpass_oidc_state"
#define CALLBACK_PATH HP_OIDC_PATH "callback"
#define HOST_MAX 255 /* Bytes of a Host header we build a callback address from. */

/* A page of our own: a title and a paragraph (both escaped here), a link, and, for a sign-in
 * that worked, a refresh to go on. The refresh, not a redirect, carries the browser on: the
 * provider's redirect made this a navigation from another site, and a SameSite=Strict
 * session cookie set in it would not come with a redirect onward. */
static void page(hp_http_response *res, int status, const char *title, const char *text,
                 const char *go_to, const char *link_text)
{
    char *t = g_markup_escape_text(title, -1);
    char *p = g_markup_escape_text(text, -1);
    char *refresh =
        status == 200
            ? g_strdup_printf("<meta http-equiv=\"refresh\" content=\"0; url=%s\">\n  ", go_to)
            : g_strdup("");
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
    res->body = g_strdup_printf(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  %s"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "  <title>%s · hallpass</title>\n  <link rel=\"stylesheet\" href=\"/css/app.css\">\n"
        "</head>\n<body>\n  <main id=\"main\">\n    <div class=\"card signin\">\n"
        "      <h1>%s</h1>\n      <p id=\"oidc-message\">%s</p>\n"
        "      <p><a href=\"%s\">%s</a></p>\n    </div>\n  </main>\n</body>\n</html>\n",
        refresh, t, t, p, go_to, link_text);
    res->body_len = strlen(res->body);
    g_free(t);
    g_free(p);
    g_free(refresh);
}

static void refused(hp_http_response *res, int status, const char *text)
{
    page(res, status, "Sign-in refused", text, "/signin", "Back to sign-in");
}

/* The callback's address as the browser reaches this server: its Host header, over https
 * when the server sits behind TLS (--secure-cookies). NULL for a Host we would not put in
 * a URL. */
static char *callback_uri(const hp_http_request *req)
{
    const char *host = hp_http_header(req, "Host");
    if (host == NULL || host[0] == '\0' || strlen(host) > HOST_MAX)
        return NULL;
    for (const char *p = host; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr(".-:[]", *p))
            return NULL;
    bool tls = hp_server_cookie_secure(req->server)[0] != '\0';
    return g_strdup_printf("%s://%s%s", tls ? "https" : "http", host, CALLBACK_PATH);
}

static char *state_cookie(const hp_http_request *req, const char *state, int max_age)
{
    return g_strdup_printf("%s=%s; Path=%s; HttpOnly; SameSite=Lax; Max-Age=%d%s", STATE_COOKIE,
                           state, CALLBACK_PATH, max_age, hp_server_cookie_secure(req->server));
}

static void schools(hp_http_request *req, hp_http_response *res)
{
    hp_oidc_button *buttons;
    size_t n;
    int rc = hp_oidc_buttons(req->store, &buttons, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char *start =
            g_strdup_printf("%sstart?school=%lld", HP_OIDC_PATH, (long long)buttons[i].school_id);
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)buttons[i].school_id, "name",
                            buttons[i].school_name, "label", buttons[i].label, "start", start));
        g_free(start);
    }
    hp_oidc_buttons_free(buttons, n);
    hp_http_json(res, 200, json_pack("{s:o}", "schools", list));
}

/* The page of a start that failed, by the error's code. */
static void start_refused(hp_http_response *res, int rc)
{
    switch (rc) {
    case HP_ENOTFOUND:
        refused(res, 404, "there is no such school");
        return;
    case HP_EINVALID:
        refused(res, 400, hp_error_last());
        return;
    case HP_ECONFLICT:
        refused(res, 503, hp_error_last());
        return;
    case HP_EIO:
        /* The provider's own words go to the log, not to the person. */
        res->failure = g_strdup(hp_error_last());
        res->failure_code = rc;
        refused(res, 502, "the school's sign-in provider is not answering; try again later");
        return;
    default:
        hp_http_fail(res, rc);
    }
}

static void start(hp_http_request *req, hp_http_response *res)
{
    const char *school = hp_http_query(req, "school");
    char *end = NULL;
    long long id = school ? strtoll(school, &end, 10) : 0;
    if (school == NULL || end == school || *end != '\0' || id <= 0) {
        refused(res, 400, "school: give the number of the school, as /auth/oidc/start?school=1");
        return;
    }
    char *redirect_uri = callback_uri(req);
    if (redirect_uri == NULL) {
        refused(res, 400, "the request's Host header cannot make a return address");
        return;
    }
    char *location = NULL, *state = NULL;
    int rc = hp_oidc_start(hp_server_oidc(req->server), req->store, id, redirect_uri, req->now,
                           &location, &state);
    g_free(redirect_uri);
    if (rc < 0) {
        start_refused(res, rc);
        return;
    }
    res->status = 302;
    res->location = location;
    res->set_cookie = state_cookie(req, state, HP_OIDC_FLOW_LIFETIME);
    res->content_type = "text/plain; charset=utf-8";
    res->body = g_strdup("");
    g_free(state);
}

static void callback(hp_http_request *req, hp_http_response *res)
{
    hp_oidc_answer answer = {
        .state = hp_http_query(req, "state"),
        .browser_state = hp_http_cookie(req, STATE_COOKIE),
        .code = hp_http_query(req, "code"),
        .error = hp_http_query(req, "error"),
        .client = req->client,
    };
    hp_oidc_result result;
    int rc = hp_oidc_finish(hp_server_oidc(req->server), req->store, &answer, req->now, &result);
    if (rc == HP_OK) {
        hp_session session = result.session;
        rc = hp_server_actor(req, &session);
    }
    if (rc == HP_OK) {
        res->set_cookie =
            hp_http_session_cookie(req, result.token, hp_server_session_max(req->server));
        page(res, 200, "Signed in", "You are signed in.", hp_http_home(req), "Go on");
    } else if (rc == HP_EAUTH) {
        refused(res, 403, hp_error_last());
        res->set_cookie = state_cookie(req, "", 0);
    } else if (rc == HP_EIO) {
        res->failure = g_strdup(hp_error_last());
        res->failure_code = rc;
        refused(res, 502,
                "the school's sign-in provider did not answer as it should; try again "
                "later");
    } else {
        hp_http_fail(res, rc);
    }
    hp_oidc_result_release(&result);
}

void hp_http_oidc(hp_http_request *req, hp_http_response *res)
{
    const char *what = req->path + strlen(HP_OIDC_PATH);
    if (strcmp(what, "schools") == 0)
        schools(req, res);
    else if (strcmp(what, "start") == 0)
        start(req, res);
    else if (strcmp(what, "callback") == 0)
        callback(req, res);
    else
        hp_http_error(res, 404, "no such resource: %s", req->path);
}
