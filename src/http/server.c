/*
 * The HTTP server on GNU libmicrohttpd: a pool of worker threads, each with its own
 * connection to the store; request bodies capped; connections capped per client address and
 * in all, and a deadline for each whole request; one access-log line per request and one line
 * per kind of failure per minute; change notices after each successful change, for the event
 * streams (events.c), whose connections are suspended while they wait; a background thread for
 * the streams, the deadlines and expired sessions; a clean shutdown on SIGINT and SIGTERM that
 * ends the streams and lets requests in flight finish; HTTPS with --tls-cert and --tls-key
 * (the certificate from tls.c, re-read on SIGHUP); GET /healthz; the Prometheus metrics on a
 * daemon of their own (--metrics-listen). libmicrohttpd appears only in this file.
 */
#include "http/server.h"

#include "core/error.h"
#include "core/util.h"
#include "http/events.h"
#include "http/http.h"
#include "http/notify.h"
#include "http/tls.h"
#include "service/actor.h"
#include "service/schools.h"
#include "service/events.h"
#include "service/line.h"
#include "service/metrics.h"
#include "service/passes.h"
#include "service/retention.h"
#include "service/shares.h"
#include "service/roster.h"

#include <arpa/inet.h>
#include <glib.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Worker threads per core when --threads is not given: a request mostly waits on the store,
 * so twice the cores keeps the CPU busy. THREADS_FALLBACK when the cores cannot be counted. */
#define THREADS_PER_CORE 2
#define THREADS_FALLBACK 4
/* A request's headers and body must all arrive within this many times the silence timeout
 * (30 s by default), counted from the connection's opening or from the end of its previous
 * answer. A client that sends a byte now and then is cut off after it, not kept forever. */
#define REQUEST_DEADLINE_FACTOR 2

/* Connections one client address may hold. A whole school may reach the server from one NAT
 * address, each browser holding a few connections and an event stream, so this is generous;
 * its job is that one address can never take all of CONNECTIONS_MAX. */
#define CONNECTIONS_PER_ADDRESS 512
/* Connections in all, at most (fewer when the open-file limit is lower). */
#define CONNECTIONS_MAX 4096
/* Open files kept beside the connections: the listening socket, the log, and each worker's
 * store (SQLite holds three files per connection) on top of FD_RESERVE_PER_THREAD each. */
#define FD_RESERVE 64
#define FD_RESERVE_PER_THREAD 4

/* An oversized body without a Content-Length is read and dropped up to this many bytes, to
 * answer it 413; past it the connection is closed. */
#define DISCARD_MAX (1024 * 1024)
/* Bytes of the query string handed to a handler; the rest is dropped. */
#define QUERY_MAX 2048
/* Bytes kept of a request's method for the access log. */
#define LOG_METHOD_MAX 16
/* Random bytes of a request's id, written as twice as many hex digits. */
#define REQUEST_ID_BYTES 8
/* Room for one access-log line (its fields are all bounded: the method, the route pattern,
 * the address and a few numbers). */
#define LOG_LINE_MAX 512
/* Room for the log's time: 2026-12-02T14:26:24.123Z. */
#define LOG_TIME_MAX 32
/* Room for a client address as text (an IPv6 address is at most 45 characters). */
#define ADDRESS_MAX 64
/* Room for a 405's Allow header. */
#define ALLOW_MAX 64
/* Digits of a numeric id in a path; more could overflow int64_t. */
#define ID_DIGITS_MAX 18

/* The background thread wakes at every change and at least this often (microseconds). */
#define TICK_US G_USEC_PER_SEC
/* One log line per kind of failure per this many seconds; the rest are counted. */
#define FAILURE_LOG_SECONDS 60
/* How long a stop waits for event streams to end before the daemon closes them. */
#define STREAM_STOP_WAIT_US (2 * G_USEC_PER_SEC)
/* Bytes libmicrohttpd asks an event stream for at a time. */
#define STREAM_BLOCK 1024
/* How long a stop waits for the requests in flight to be answered before it closes their
 * connections: far more than any answer takes, well within systemd's 90 s stop timeout. */
#define REQUESTS_STOP_WAIT_US (10 * G_USEC_PER_SEC)
/* Over HTTPS, browsers are told to use nothing else for this host for a year. */
#define HSTS_VALUE "max-age=31536000"

/* One open connection, for the request deadline. Guarded by hp_server.conn_lock. */
typedef struct {
    int fd;
    gint64 since; /* Monotonic time its current request began to arrive. */
    bool busy;    /* Its request is being answered or streamed: no deadline. */
    bool cut;     /* Shut down for the deadline already. */
} conn_state;

/* A kind of line in the log (an operation and its error code, or one of libmicrohttpd's
 * messages), written at most once a minute. Guarded by hp_server.log_lock. */
typedef struct {
    gint64 logged;   /* Monotonic time of its last line. */
    unsigned hidden; /* Lines of the kind since then, not written. */
    char *last;      /* The latest of those. */
} failure_kind;

struct hp_server {
    const hp_server_config *config;
    pthread_key_t store_key;
    GMutex lock;             /* Guards the caches below. */
    GHashTable *zones;       /* School id -> hp_tz. */
    GHashTable *schools;     /* School id -> hp_school. */
    hp_auth_guard *guard;    /* Sessions' limits and the throttles of password checks. */
    hp_oidc *oidc;           /* Single sign-ons under way, the providers' keys. */
    gint64 deadline_us;      /* A request's whole deadline. */
    GMutex conn_lock;        /* Guards conns. */
    GHashTable *conns;       /* conn_state * (a set): every open connection. */
    GMutex log_lock;         /* Guards failures. */
    GHashTable *failures;    /* A kind's key -> failure_kind. */
    gint stopping;           /* Set when the background thread must end. */
    gint in_flight;          /* Requests begun and not yet completed. */
    gint closing;            /* Set at a stop: answers close their connections. */
    hp_tls *tls;             /* The certificate for HTTPS; NULL for plain HTTP. */
    hp_store *metrics_store; /* The metrics daemon's one thread's connection, or NULL. */
};

typedef struct {
    gint64 started;
    GByteArray *body;
    size_t body_max; /* The request's cap: HP_HTTP_BODY_MAX, or an upload's own. */
    bool too_large;
    size_t discarded; /* Bytes of an oversized body read and dropped. */
    bool answered;
    bool must_close; /* Close the connection after the answer. */
    int status;
    size_t route;   /* The route's slot for the log and the metrics (route_of). */
    int64_t school; /* The signed-in user's school, or 0. */
    char id[REQUEST_ID_BYTES * 2 + 1];
    char method[LOG_METHOD_MAX];
} request_state;

typedef struct {
    const char *method;
    const char *pattern; /* "*" stands for a numeric id. */
    hp_http_handler handler;
    bool needs_session;
} route;

static const route routes[] = {
    {"POST", "/api/session", hp_http_session_create, false},
    {"GET", "/api/session", hp_http_session_get, true},
    {"DELETE", "/api/session", hp_http_session_delete, true},
    {"GET", "/api/passes", hp_http_passes_list, true},
    {"POST", "/api/passes", hp_http_passes_create, true},
    {"POST", "/api/passes/*/end", hp_http_passes_end, true},
    {"POST", "/api/passes/*/cancel", hp_http_passes_cancel, true},
    {"POST", "/api/passes/*/resume", hp_http_passes_resume, true},
    {"GET", "/api/line", hp_http_line_list, true},
    {"POST", "/api/line/*/start", hp_http_line_start, true},
    {"DELETE", "/api/line/*", hp_http_line_delete, true},
    {"POST", "/api/kiosk", hp_http_kiosk_start, true},
    {"DELETE", "/api/kiosk", hp_http_kiosk_stop, true},
    {"GET", "/api/rooms", hp_http_rooms_list, true},
    {"POST", "/api/rooms", hp_http_rooms_create, true},
    {"PATCH", "/api/rooms/*", hp_http_rooms_update, true},
    {"GET", "/api/students", hp_http_students_list, true},
    {"GET", "/api/users", hp_http_users_list, true},
    {"POST", "/api/users", hp_http_users_create, true},
    {"PATCH", "/api/users/*", hp_http_users_update, true},
    {"POST", "/api/users/*/password", hp_http_users_password, true},
    {"GET", "/api/reports/rooms", hp_http_reports_rooms, true},
    {"GET", "/api/reports/staff", hp_http_reports_staff, true},
    {"GET", "/api/insights/daily", hp_http_insights, true},
    {"GET", "/api/insights/heatmap", hp_http_insights, true},
    {"GET", "/api/insights/durations", hp_http_insights, true},
    {"GET", "/api/insights/students", hp_http_insights, true},
    {"GET", "/api/insights/limits", hp_http_insights, true},
    {"GET", "/api/insights/rules", hp_http_insights, true},
    {"GET", "/api/insights/sources", hp_http_insights, true},
    {"GET", "/api/insights/encounters", hp_http_insights, true},
    {"GET", "/api/events", hp_http_events, true},
    {"GET", "/api/audit", hp_http_audit_list, true},
    {"GET", "/api/settings", hp_http_settings_get, true},
    {"PATCH", "/api/settings", hp_http_settings_update, true},
    {"GET", "/api/encounter-groups", hp_http_groups_list, true},
    {"POST", "/api/encounter-groups", hp_http_groups_create, true},
    {"PATCH", "/api/encounter-groups/*", hp_http_groups_update, true},
    {"DELETE", "/api/encounter-groups/*", hp_http_groups_delete, true},
    {"GET", "/api/schedule", hp_http_schedule_get, true},
    {"PUT", "/api/schedule", hp_http_schedule_put, true},
    {"GET", "/api/blackouts", hp_http_blackouts_list, true},
    {"POST", "/api/blackouts", hp_http_blackouts_create, true},
    {"DELETE", "/api/blackouts/*", hp_http_blackouts_delete, true},
    {"GET", "/api/shares", hp_http_shares_list, true},
    {"POST", "/api/shares", hp_http_shares_create, true},
    {"DELETE", "/api/shares/*", hp_http_shares_delete, true},
    /* A share link's report: the token is the right to read it, no session. */
    {"GET", "/api/shared/$", hp_http_shared_report, false},
    {"POST", "/api/users/import", hp_http_roster_import, true},
    /* Whether the server and its store answer, for a load balancer or a monitor. */
    {"GET", "/healthz", hp_http_healthz, false},
};

/* What the log and the metrics call requests outside the route table: they come after its
 * routes' slots. */
enum {
    ROUTE_PAGE = HP_ARRAY_SIZE(routes), /* A page or an asset. */
    ROUTE_SHARED_PAGE,                  /* A share link's page. */
    ROUTE_OIDC,                         /* A step of a single sign-on. */
    ROUTE_UNMATCHED,                    /* No route: answered 404. */
    ROUTE_SLOTS
};
_Static_assert(ROUTE_SLOTS <= HP_METRICS_ROUTES_MAX, "more routes than the metrics count");

/* The route patterns as the log and the metrics show them: ":id" for a number, ":token" for a
 * share link's token (never the path itself, which holds the token and unbounded values). Made
 * once, at the first start, and kept for the process's life. */
static const char *route_names[ROUTE_SLOTS];

static void name_routes(void)
{
    if (route_names[0])
        return;
    for (size_t i = 0; i < HP_ARRAY_SIZE(routes); i++) {
        GString *name = g_string_new(NULL);
        for (const char *p = routes[i].pattern; *p; p++)
            if (*p == '*')
                g_string_append(name, ":id");
            else if (*p == '$')
                g_string_append(name, ":token");
            else
                g_string_append_c(name, *p);
        route_names[i] = g_string_free(name, FALSE);
    }
    route_names[ROUTE_PAGE] = "(page)";
    route_names[ROUTE_SHARED_PAGE] = HP_SHARE_PATH ":token";
    route_names[ROUTE_OIDC] = HP_OIDC_PATH ":step";
    route_names[ROUTE_UNMATCHED] = "(unmatched)";
    hp_metrics_set_routes(route_names, ROUTE_SLOTS);
}

/* Routes whose body is a file rather than JSON: the one content type each takes, and its own
 * cap on the body's size in place of HP_HTTP_BODY_MAX. */
typedef struct {
    const char *method;
    const char *pattern;
    const char *content_type;
    size_t body_max;
} upload_route;

static const upload_route uploads[] = {
    {"POST", "/api/users/import", "application/zip", HP_ROSTER_UPLOAD_MAX},
};

/* The bytes a token segment may hold: base64url. */
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* Matches a path against a pattern, segment by segment; a "*" segment takes digits, a "$"
 * segment a token (base64url, shorter than HP_TOKEN_MAX). */
static bool path_matches(const char *pattern, const char *path, int64_t *id_out,
                         const char **token_out)
{
    while (*pattern && *path) {
        if (*pattern == '$') {
            size_t n = strspn(path, TOKEN_CHARS);
            if (n == 0 || n >= HP_TOKEN_MAX)
                return false;
            *token_out = path;
            path += n;
            pattern++;
        } else if (*pattern == '*') {
            size_t n = strspn(path, "0123456789");
            if (n == 0 || n > ID_DIGITS_MAX)
                return false;
            *id_out = g_ascii_strtoll(path, NULL, 10);
            path += n;
            pattern++;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

/* The route slot of a request, as dispatch() below will take it: the route of its path and
 * method, or of its path alone (a 405), or what else it is. */
static size_t route_of(const char *method, const char *path)
{
    bool get = strcmp(method, "GET") == 0;
    if (get && g_str_has_prefix(path, HP_OIDC_PATH))
        return ROUTE_OIDC;
    if (get && strncmp(path, "/api/", 5) != 0 && strcmp(path, "/healthz") != 0)
        return g_str_has_prefix(path, HP_SHARE_PATH) ? ROUTE_SHARED_PAGE : ROUTE_PAGE;
    size_t known = ROUTE_UNMATCHED;
    for (size_t i = 0; i < HP_ARRAY_SIZE(routes); i++) {
        int64_t id;
        const char *token;
        if (!path_matches(routes[i].pattern, path, &id, &token))
            continue;
        if (strcmp(routes[i].method, method) == 0)
            return i;
        if (known == ROUTE_UNMATCHED)
            known = i;
    }
    return known;
}

const char *hp_http_query(const hp_http_request *req, const char *key)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, key);
}

const hp_tz *hp_server_tz(hp_server *server, const hp_school *school)
{
    g_mutex_lock(&server->lock);
    hp_tz *tz = g_hash_table_lookup(server->zones, &school->id);
    if (tz == NULL && hp_tz_new(&tz, school->timezone) == HP_OK) {
        int64_t *key = g_new(int64_t, 1);
        *key = school->id;
        g_hash_table_insert(server->zones, key, tz);
    }
    g_mutex_unlock(&server->lock);
    return tz;
}

hp_auth_guard *hp_server_guard(hp_server *server)
{
    return server->guard;
}

hp_oidc *hp_server_oidc(hp_server *server)
{
    return server->oidc;
}

const char *hp_http_header(const hp_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *hp_http_cookie(const hp_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, name);
}

const char *hp_server_cookie_secure(hp_server *server)
{
    /* Over our own TLS the cookie is always Secure; behind a TLS proxy when told so. */
    return server->config->secure_cookies || server->tls ? "; Secure" : "";
}

int64_t hp_server_session_max(hp_server *server)
{
    return hp_auth_guard_limits(server->guard)->max;
}

/* Schools never change while serving, so their names are cached once read. */
static int find_school(hp_server *server, hp_store *store, int64_t id, hp_school *out)
{
    g_mutex_lock(&server->lock);
    hp_school *cached = g_hash_table_lookup(server->schools, &id);
    int rc = HP_OK;
    if (cached == NULL) {
        hp_school found = {0};
        if ((rc = hp_school_get(store, id, &found)) == HP_OK) {
            int64_t *key = g_new(int64_t, 1);
            cached = g_new(hp_school, 1);
            *key = found.id;
            *cached = found;
            g_hash_table_replace(server->schools, key, cached);
        }
    }
    if (cached) {
        out->id = cached->id;
        out->name = g_strdup(cached->name);
        out->timezone = g_strdup(cached->timezone);
    }
    g_mutex_unlock(&server->lock);
    return rc;
}

static void free_school(gpointer p)
{
    hp_school_release(p);
    g_free(p);
}

static void free_tz(gpointer p)
{
    hp_tz_free(p);
}

static void close_store(void *store)
{
    hp_store_free(store);
}

static hp_store *thread_store(hp_server *server)
{
    hp_store *store = pthread_getspecific(server->store_key);
    if (store == NULL && hp_store_open(&store, server->config->db, false) == HP_OK)
        pthread_setspecific(server->store_key, store);
    return store;
}

int hp_server_actor(hp_http_request *req, const hp_session *session)
{
    int rc = find_school(req->server, req->store, session->school_id, &req->actor.school);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_EAUTH, "the school no longer exists");
    if (rc < 0)
        return rc;
    if ((rc = hp_store_user_get(req->store, session->school_id, session->user_id,
                                &req->actor.user)) < 0)
        return rc == HP_ENOTFOUND ? hp_error_set(HP_EAUTH, "the account no longer exists") : rc;
    if (!req->actor.user.active) {
        /* Deactivation ends sessions; one that raced it ends here. */
        if ((rc = hp_store_session_delete(req->store, req->token_hash)) < 0)
            return rc;
        return hp_error_set(HP_EAUTH, "this account is deactivated; ask the school's office");
    }
    req->actor.client = req->client;
    req->actor.tz = hp_server_tz(req->server, &req->actor.school);
    req->actor.kiosk_room_id = session->kiosk_room_id;
    req->signed_in = true;
    return HP_OK;
}

/* Resolves the session cookie into the actor. */
static int sign_in_request(hp_http_request *req)
{
    hp_session session;
    int rc = hp_auth_session(req->store, req->server->guard, req->token, req->now, &session,
                             req->token_hash);
    if (rc < 0)
        return rc;
    return hp_server_actor(req, &session);
}

static bool is_type(const char *content_type, const char *want)
{
    if (content_type == NULL)
        return false;
    size_t n = strlen(want);
    return strncasecmp(content_type, want, n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/* The upload route a request is for, or NULL for a JSON one. */
static const upload_route *upload_of(const char *method, const char *path)
{
    int64_t id;
    const char *token;
    for (size_t i = 0; i < HP_ARRAY_SIZE(uploads); i++)
        if (strcmp(uploads[i].method, method) == 0 &&
            path_matches(uploads[i].pattern, path, &id, &token))
            return &uploads[i];
    return NULL;
}

/* Runs the request's route; *operation names what was asked (the route, never the client's
 * own path) for the log. */
static void dispatch(hp_http_request *req, hp_http_response *res, const char **operation)
{
    const route *found = NULL;
    bool path_known = false;
    char allow[ALLOW_MAX] = "";

    if (strcmp(req->method, "GET") == 0 && g_str_has_prefix(req->path, HP_OIDC_PATH)) {
        /* Single sign-on: navigations of the browser, answered with redirects and pages. */
        *operation = "(single sign-on)";
        if (req->store == NULL)
            hp_http_fail(res, HP_ESTORE);
        else
            hp_http_oidc(req, res);
        return;
    }
    if (strcmp(req->method, "GET") == 0 && strncmp(req->path, "/api/", 5) != 0 &&
        strcmp(req->path, "/healthz") != 0) {
        /* A page: signed in or not, the page decides. */
        if (req->store && req->token && sign_in_request(req) < 0) {
            hp_school_release(&req->actor.school);
            hp_user_release(&req->actor.user);
            req->signed_in = false;
        }
        *operation = "(a page)";
        hp_http_page(req, res);
        return;
    }
    for (size_t i = 0; i < HP_ARRAY_SIZE(routes) && found == NULL; i++) {
        if (!path_matches(routes[i].pattern, req->path, &req->path_id, &req->path_token))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, req->method) == 0)
            found = &routes[i];
        if (strlen(allow) + strlen(routes[i].method) + 3 < sizeof(allow)) {
            strcat(allow, allow[0] ? ", " : "");
            strcat(allow, routes[i].method);
        }
    }
    if (found == NULL) {
        if (path_known) {
            hp_http_error(res, 405, "%s is not allowed on %s", req->method, req->path);
            res->allow = g_strdup(allow);
        } else
            hp_http_error(res, 404, "no such resource: %s", req->path);
        return;
    }
    *operation = found->pattern;
    const upload_route *upload = upload_of(req->method, req->path);
    if (upload && !is_type(req->content_type, upload->content_type)) {
        hp_http_error(res, 415, "this request must send Content-Type: %s", upload->content_type);
        return;
    }
    if (upload == NULL && strcmp(req->method, "GET") != 0 &&
        !is_type(req->content_type, "application/json")) {
        hp_http_error(res, 415,
                      "a request that changes data must send Content-Type: "
                      "application/json");
        return;
    }
    if (req->store == NULL) {
        hp_http_fail(res, HP_ESTORE);
        return;
    }
    if (found->needs_session) {
        int rc = sign_in_request(req);
        if (rc < 0) {
            hp_http_fail(res, rc);
            return;
        }
    }
    found->handler(req, res);
}

typedef struct {
    GString *text;
    bool has_nul; /* A value held %00, which C strings would silently cut. */
} query_state;

static enum MHD_Result add_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    query_state *qs = cls;
    GString *query = qs->text;
    if (strlen(key) != key_size || (value && strlen(value) != value_size))
        qs->has_nul = true;
    char *k = g_uri_escape_string(key, NULL, FALSE);
    char *v = value ? g_uri_escape_string(value, NULL, FALSE) : NULL;
    (void)kind;
    if (query->len < QUERY_MAX)
        g_string_append_printf(query, "%s%s%s%s", query->len ? "&" : "", k, v ? "=" : "",
                               v ? v : "");
    g_free(k);
    g_free(v);
    return MHD_YES;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, size, "-");
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

/* ---- Logging failures: which operation failed and why, once per kind per minute ---- */

/* Writes "hallpass serve: LINE", or only counts it when a line of the same kind was written
 * less than FAILURE_LOG_SECONDS ago; the background thread writes the count of those once the
 * minute is over (flush_failures), with the latest of them. Takes line. */
static void log_limited(hp_server *server, const char *kind_key, char *line)
{
    gint64 now = g_get_monotonic_time();
    g_mutex_lock(&server->log_lock);
    failure_kind *kind = g_hash_table_lookup(server->failures, kind_key);
    if (kind && now - kind->logged < (gint64)FAILURE_LOG_SECONDS * G_USEC_PER_SEC) {
        kind->hidden++;
        g_free(kind->last);
        kind->last = line;
        g_mutex_unlock(&server->log_lock);
        return;
    }
    if (kind == NULL) {
        kind = g_new0(failure_kind, 1);
        g_hash_table_insert(server->failures, g_strdup(kind_key), kind);
    }
    if (kind->hidden > 0)
        fprintf(stderr, "hallpass serve: %s (and %u more like it in the last minute)\n", line,
                kind->hidden);
    else
        fprintf(stderr, "hallpass serve: %s\n", line);
    kind->logged = now;
    kind->hidden = 0;
    g_mutex_unlock(&server->log_lock);
    g_free(line);
}

/* A failure of an operation, with its reason; its kind is the operation and the error code. */
static void log_failure(hp_server *server, const char *operation, int code, const char *why)
{
    if (code == HP_ESTORE)
        hp_metrics_store_error();
    char *key = g_strdup_printf("%s (code %d)", operation, code);
    /* hp_error_last() says "unknown error" when nothing set a message; say so plainly. */
    char *text =
        g_strescape(strcmp(why, "unknown error") == 0 ? "no reason was recorded" : why, NULL);
    log_limited(server, key, g_strdup_printf("%s failed: %s", operation, text));
    g_free(text);
    g_free(key);
}

/* libmicrohttpd's own messages (a connection limit reached, a client gone), which an attack
 * can make by the thousand: limited like failures, one kind per message format. */
__attribute__((format(printf, 2, 0))) static void log_library(void *cls, const char *fmt,
                                                              va_list ap)
{
    char *message = g_strdup_vprintf(fmt, ap);
    g_strchomp(message);
    char *text = g_strescape(message, NULL);
    log_limited(cls, fmt, g_strdup_printf("libmicrohttpd: %s", text));
    g_free(text);
    g_free(message);
}

/* Writes the counts of lines held back for a minute, so that none goes unmentioned. */
static void flush_failures(hp_server *server, gint64 now)
{
    GHashTableIter it;
    gpointer value;
    g_mutex_lock(&server->log_lock);
    g_hash_table_iter_init(&it, server->failures);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        failure_kind *kind = value;
        if (kind->hidden == 0 || now - kind->logged < (gint64)FAILURE_LOG_SECONDS * G_USEC_PER_SEC)
            continue;
        fprintf(stderr, "hallpass serve: %u more in the last minute like: %s\n", kind->hidden,
                kind->last);
        kind->logged = now;
        kind->hidden = 0;
    }
    g_mutex_unlock(&server->log_lock);
}

static void free_failure_kind(gpointer p)
{
    failure_kind *kind = p;
    g_free(kind->last);
    g_free(kind);
}

/* ---- Connections: the per-request deadline ---- */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    hp_server *server = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_state *cs = g_new0(conn_state, 1);
        cs->fd = info ? info->connect_fd : -1;
        cs->since = g_get_monotonic_time();
        g_mutex_lock(&server->conn_lock);
        g_hash_table_add(server->conns, cs);
        g_mutex_unlock(&server->conn_lock);
        *socket_context = cs;
    } else if (*socket_context) {
        /* libmicrohttpd tells of the close before it closes the socket, so the sweep below
         * never shuts down a descriptor that another connection has taken. */
        g_mutex_lock(&server->conn_lock);
        g_hash_table_remove(server->conns, *socket_context);
        g_mutex_unlock(&server->conn_lock);
        g_free(*socket_context);
        *socket_context = NULL;
    }
}

static conn_state *connection_state(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* A request is answered (busy: no deadline until its answer is sent), or its answer is sent
 * and the connection waits for the next one (the deadline starts again). */
static void connection_mark(hp_server *server, struct MHD_Connection *conn, bool busy)
{
    conn_state *cs = connection_state(conn);
    if (cs == NULL)
        return;
    g_mutex_lock(&server->conn_lock);
    cs->busy = busy;
    cs->since = g_get_monotonic_time();
    g_mutex_unlock(&server->conn_lock);
}

/* Shuts down every connection whose request has taken longer than the deadline to arrive;
 * libmicrohttpd then sees the end of the stream and closes it in its own thread. */
static void sweep_deadlines(hp_server *server, gint64 now)
{
    unsigned cut = 0;
    GHashTableIter it;
    gpointer key;
    g_mutex_lock(&server->conn_lock);
    g_hash_table_iter_init(&it, server->conns);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        conn_state *cs = key;
        if (cs->busy || cs->cut || cs->fd < 0 || now - cs->since < server->deadline_us)
            continue;
        shutdown(cs->fd, SHUT_RDWR);
        cs->cut = true;
        cut++;
    }
    g_mutex_unlock(&server->conn_lock);
    if (cut > 0)
        log_limited(server, "request deadline",
                    g_strdup_printf("closed %u connection(s) that sent no whole request within "
                                    "%lld s",
                                    cut, (long long)(server->deadline_us / G_USEC_PER_SEC)));
}

/* ---- Answers ---- */

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    ssize_t n = hp_http_stream_read(cls, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void free_stream(void *cls)
{
    hp_http_stream_close(cls);
}

static void suspend_connection(void *conn)
{
    MHD_suspend_connection(conn);
}

static void resume_connection(void *conn)
{
    MHD_resume_connection(conn);
}

/* Security headers every answer carries. */
static void add_common_headers(struct MHD_Response *response)
{
    MHD_add_response_header(response, "Cache-Control", "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    /* Pages load only their own scripts and styles, and no other site may frame them. */
    MHD_add_response_header(response, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                            "form-action 'self'; base-uri 'none'");
    MHD_add_response_header(response, "Referrer-Policy", "same-origin");
}

/* Turns the response into libmicrohttpd's and queues it; the body goes to libmicrohttpd
 * (freed with g_free), the rest is released here. */
static enum MHD_Result send_response(struct MHD_Connection *conn, hp_server *server,
                                     request_state *rs, hp_http_response *res)
{
    struct MHD_Response *response;
    if (res->stream) {
        response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, read_stream,
                                                     res->stream, free_stream);
        if (response == NULL) {
            hp_http_stream_close(res->stream); /* Gives its place back. */
            res->stream = NULL;
        } else {
            conn_state *cs = connection_state(conn);
            hp_http_stream_attach(res->stream, conn, cs ? cs->fd : -1, suspend_connection,
                                  resume_connection);
            /* Proxies that buffer (nginx) would hold the events back. */
            MHD_add_response_header(response, "X-Accel-Buffering", "no");
        }
    } else if (res->body) {
        response =
            MHD_create_response_from_buffer_with_free_callback(res->body_len, res->body, g_free);
        if (response)
            res->body = NULL; /* libmicrohttpd frees it now. */
    } else {
        response = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (response == NULL) {
        /* Only when memory runs out: the connection is closed rather than answered. */
        log_failure(server, "answering a request", HP_ERROR,
                    "libmicrohttpd could not make the answer");
        hp_http_response_release(res);
        return MHD_NO;
    }
    MHD_add_response_header(response, "Content-Type",
                            res->content_type ? res->content_type : "application/json");
    add_common_headers(response);
    if (server->tls)
        MHD_add_response_header(response, "Strict-Transport-Security", HSTS_VALUE);
    if (res->set_cookie)
        MHD_add_response_header(response, "Set-Cookie", res->set_cookie);
    if (res->location)
        MHD_add_response_header(response, "Location", res->location);
    if (res->allow)
        MHD_add_response_header(response, "Allow", res->allow);
    if (res->content_disposition)
        MHD_add_response_header(response, "Content-Disposition", res->content_disposition);
    if (res->retry_after > 0) {
        char seconds[24];
        snprintf(seconds, sizeof(seconds), "%d", res->retry_after);
        MHD_add_response_header(response, "Retry-After", seconds);
    }
    /* While stopping, a kept-alive connection must not bring the next request. */
    if (rs->must_close || g_atomic_int_get(&server->closing))
        MHD_add_response_header(response, "Connection", "close");
    MHD_add_response_header(response, "X-Request-Id", rs->id);
    rs->status = res->status;
    rs->answered = true;
    /* Counted before the answer goes out, so that a client that has its answer finds it in
     * the metrics; the duration is the time to the answer (an event stream's, to its start). */
    hp_metrics_request(rs->route, rs->method, res->status, g_get_monotonic_time() - rs->started);
    connection_mark(server, conn, true);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, response);
    MHD_destroy_response(response);
    hp_http_response_release(res);
    return ok;
}

/* ---- Requests, step by step ---- */

/* Whether the request's session cookie names a live session, before its body is read. */
static int upload_signed_in(hp_server *server, struct MHD_Connection *conn)
{
    hp_http_request req = {
        .server = server,
        .store = thread_store(server),
        .token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, HP_SESSION_COOKIE),
        .now = g_get_real_time() / G_USEC_PER_SEC,
    };
    int rc = req.store ? sign_in_request(&req) : HP_ESTORE;
    hp_school_release(&req.actor.school);
    hp_user_release(&req.actor.user);
    return rc;
}

/* A request's id: random, written in hex, so that a line of the log and an answer's
 * X-Request-Id find each other. */
static void request_id(char out[REQUEST_ID_BYTES * 2 + 1])
{
    unsigned char bytes[REQUEST_ID_BYTES] = {0};
    if (getrandom(bytes, sizeof(bytes), GRND_NONBLOCK) != (ssize_t)sizeof(bytes)) {
        guint64 v = ((guint64)g_random_int() << 32) | g_random_int();
        memcpy(bytes, &v, sizeof(bytes));
    }
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* The first call for a request: its headers are in, its body not yet. Refuses here what must
 * never reach the body: a framing that two parsers could read two ways, and a declared body
 * past the cap. */
static enum MHD_Result begin_request(hp_server *server, struct MHD_Connection *conn,
                                     const char *url, const char *method, void **con_cls)
{
    request_state *rs = g_new0(request_state, 1);
    g_atomic_int_inc(&server->in_flight);
    rs->started = g_get_monotonic_time();
    rs->body = g_byte_array_new();
    const upload_route *upload = upload_of(method, url);
    rs->body_max = upload ? upload->body_max : HP_HTTP_BODY_MAX;
    /* The log names the route, never the path: a share link's token opens a report to whoever
     * reads it, and ids and other values would only make the lines and metrics unbounded. */
    rs->route = route_of(method, url);
    request_id(rs->id);
    /* The method as the log writes it: no byte a client sends can forge a log line. */
    g_strlcpy(rs->method, method, sizeof(rs->method));
    for (char *p = rs->method; *p; p++)
        if (!g_ascii_isalpha(*p) && *p != '-' && *p != '_')
            *p = '?';
    *con_cls = rs;

    hp_http_response res = {0};
    const char *length =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *encoding =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (length && encoding) {
        /* A proxy in front may frame the body by one and this server by the other, and the
         * rest of the connection would then hold a request smuggled past the proxy: refuse,
         * and close the connection without reading on. */
        hp_http_error(&res, 400,
                      "a request may not carry both Content-Length and Transfer-Encoding");
        rs->must_close = true;
        return send_response(conn, server, rs, &res);
    }
    /* An upload's body may be large: only a signed-in user's is read at all, so that no
     * stranger can make the server hold megabytes per connection. */
    int rc = upload ? upload_signed_in(server, conn) : HP_OK;
    if (rc < 0) {
        hp_http_fail(&res, rc);
        rs->must_close = true;
        return send_response(conn, server, rs, &res);
    }
    if (length && g_ascii_strtoull(length, NULL, 10) > rs->body_max) {
        hp_http_error(&res, 413, "the request body is larger than %zu bytes", rs->body_max);
        rs->must_close = true;
        return send_response(conn, server, rs, &res);
    }
    return MHD_YES;
}

/* A piece of the body: kept up to the cap. libmicrohttpd takes an answer only before the body
 * or after all of it, so a body without a Content-Length that grows past the cap is read and
 * dropped, then answered 413; one that goes on past DISCARD_MAX has the connection closed on
 * it. */
static enum MHD_Result take_body(request_state *rs, const char *data, size_t *size)
{
    size_t n = *size;
    *size = 0;
    if (rs->too_large || rs->body->len + n > rs->body_max) {
        rs->too_large = true;
        rs->discarded += n;
        return rs->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    g_byte_array_append(rs->body, (const guint8 *)data, (guint)n);
    return MHD_YES;
}

/* After a change that succeeded, the school's pages hear of it (their event streams). */
static void notify_change(const hp_http_request *req, const hp_http_response *res)
{
    if (req->signed_in && strcmp(req->method, "GET") != 0 && res->status >= 200 &&
        res->status < 300)
        hp_events_notify(req->actor.school.id);
}

/* The whole request is in: builds our request, runs its route, and answers. */
static enum MHD_Result answer_request(hp_server *server, struct MHD_Connection *conn,
                                      request_state *rs, const char *url, const char *method)
{
    hp_http_response res = {0};
    if (rs->too_large) {
        hp_http_error(&res, 413, "the request body is larger than %zu bytes", rs->body_max);
        return send_response(conn, server, rs, &res);
    }

    char client[ADDRESS_MAX];
    client_address(conn, client, sizeof(client));
    query_state qs = {g_string_new(NULL), false};
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, add_argument, &qs);
    /* Cleared before the store is opened: when it cannot be, its reason is what the failure
     * logs. */
    hp_error_clear();
    hp_http_request req = {
        .server = server,
        .store = thread_store(server),
        .method = method,
        .path = url,
        .query = qs.text->str,
        .body = (const char *)rs->body->data,
        .body_len = rs->body->len,
        .content_type =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, HP_SESSION_COOKIE),
        .client = client,
        .now = g_get_real_time() / G_USEC_PER_SEC,
        .connection = conn,
    };
    const char *operation = "(an unknown path)";
    if (qs.has_nul)
        hp_http_error(&res, 400, "a query parameter holds a NUL byte (%%00)");
    else
        dispatch(&req, &res, &operation);
    if (res.status == 0)
        hp_http_error(&res, 500, "the request was not answered");
    if (res.failure) {
        char *what = g_strdup_printf("%s %s", method, operation);
        log_failure(server, what, res.failure_code, res.failure);
        g_free(what);
    }
    notify_change(&req, &res);
    if (req.signed_in)
        rs->school = req.actor.school.id;
    hp_school_release(&req.actor.school);
    hp_user_release(&req.actor.user);
    g_string_free(qs.text, TRUE);
    return send_response(conn, server, rs, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    hp_server *server = cls;
    request_state *rs = *con_cls;
    (void)version;

    if (rs == NULL)
        return begin_request(server, conn, url, method, con_cls);
    if (rs->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0)
        return take_body(rs, upload_data, upload_data_size);
    return answer_request(server, conn, rs, url, method);
}

/* The access log: one line per request, key=value, written with one fprintf from a stack
 * buffer. Every field is bounded and chosen by the server (the route pattern, not the path),
 * so no password, token, cookie or query value can reach it. */
static void log_request(struct MHD_Connection *conn, const request_state *rs, gint64 took_us,
                        bool completed)
{
    char client[ADDRESS_MAX];
    client_address(conn, client, sizeof(client));
    gint64 now_us = g_get_real_time();
    time_t seconds = (time_t)(now_us / G_USEC_PER_SEC);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    char when[LOG_TIME_MAX];
    size_t n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(when + n, sizeof(when) - n, ".%03dZ", (int)(now_us % G_USEC_PER_SEC / 1000));
    char school[24] = "-";
    if (rs->school)
        snprintf(school, sizeof(school), "%lld", (long long)rs->school);
    char line[LOG_LINE_MAX];
    snprintf(line, sizeof(line),
             "time=%s id=%s method=%s route=%s status=%d ms=%.1f school=%s client=%s%s\n", when,
             rs->id, rs->method, route_names[rs->route], rs->status, (double)took_us / 1000.0,
             school, client, completed ? "" : " closed=early");
    fputs(line, stderr);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    hp_server *server = cls;
    request_state *rs = *con_cls;
    connection_mark(server, conn, false);
    if (rs == NULL)
        return;
    log_request(conn, rs, g_get_monotonic_time() - rs->started,
                code == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    g_byte_array_free(rs->body, TRUE);
    g_free(rs);
    *con_cls = NULL;
    (void)g_atomic_int_add(&server->in_flight, -1);
}

/* ---- The background thread: event streams, deadlines, expired sessions, the clock, the log ----
 */

/* The background thread's own store connection, opened when first needed. */
static int background_store(hp_server *server, hp_store **store)
{
    return *store ? HP_OK : hp_store_open(store, server->config->db, false);
}

static void expire_sessions(hp_server *server, hp_store **store, int64_t now)
{
    int rc = background_store(server, store);
    if (rc == HP_OK)
        rc = hp_auth_expire(*store, now, hp_auth_guard_limits(server->guard));
    if (rc < 0)
        log_failure(server, "expiring sessions", rc, hp_error_last());
    hp_oidc_expire(server->oidc, now);
}

/* The clock: writes the ends of the passes whose auto-end deadline has come, then walks the
 * waiting line (lapses, stale entries, offers), every tick, on the thread's own store
 * connection. Its first run, at start, catches up on what fell due
 * while no server ran. Nothing waits on it: every rule reads the deadline itself. */
static void run_clock(hp_server *server, hp_store **store, int64_t now)
{
    size_t ended = 0;
    int rc = background_store(server, store);
    if (rc == HP_OK)
        rc = hp_passes_auto_end(*store, now, &ended);
    if (rc < 0)
        log_failure(server, "writing auto-ends", rc, hp_error_last());
    else if (ended > 0)
        fprintf(stderr, "hallpass serve: %zu pass%s ended at %s auto-end\n", ended,
                ended == 1 ? "" : "es", ended == 1 ? "its" : "their");
    /* Then the waiting line, after the ends that may have freed places. */
    hp_line_walked walked = {0};
    if (rc == HP_OK && (rc = hp_line_walk(*store, now, &walked)) < 0)
        log_failure(server, "walking the waiting line", rc, hp_error_last());
    else if (walked.offers > 0)
        fprintf(stderr, "hallpass serve: %zu place%s offered from the line\n", walked.offers,
                walked.offers == 1 ? "" : "s");
}

/* The daily purge of the schools that keep passes for a number of days: at start, then every
 * HP_RETENTION_CHECK_EVERY seconds. A school is purged once per local day however often this
 * runs and however many servers share the store. */
static void run_retention(hp_server *server, hp_store **store, int64_t now)
{
    size_t purged = 0;
    int rc = background_store(server, store);
    if (rc == HP_OK)
        rc = hp_retention_daily(*store, now, &purged);
    if (rc < 0)
        log_failure(server, "purging old passes", rc, hp_error_last());
    else if (purged > 0)
        fprintf(stderr, "hallpass serve: purged the old passes of %zu school%s\n", purged,
                purged == 1 ? "" : "s");
}

static gpointer background(gpointer data)
{
    hp_server *server = data;
    hp_store *store = NULL;
    uint64_t seen = hp_events_total();
    gint64 next_sweep = 0;
    int64_t next_expiry = g_get_real_time() / G_USEC_PER_SEC + HP_SESSION_SWEEP_EVERY;
    int64_t next_purge = 0; /* At start. */
    while (!g_atomic_int_get(&server->stopping)) {
        seen = hp_events_wait(seen, TICK_US);
        hp_http_events_tick();
        gint64 now = g_get_monotonic_time();
        if (now < next_sweep)
            continue;
        next_sweep = now + TICK_US;
        sweep_deadlines(server, now);
        flush_failures(server, now);
        int64_t wall = g_get_real_time() / G_USEC_PER_SEC;
        if (!server->config->no_clock)
            run_clock(server, &store, wall);
        if (wall >= next_expiry) {
            expire_sessions(server, &store, wall);
            next_expiry = wall + HP_SESSION_SWEEP_EVERY;
        }
        if (wall >= next_purge) {
            run_retention(server, &store, wall);
            next_purge = wall + HP_RETENTION_CHECK_EVERY;
        }
    }
    if (store)
        hp_store_free(store);
    return NULL;
}

/* Reads ADDR:PORT given to the option named (--listen, --metrics-listen). */
static int parse_listen(const char *option, const char *listen, struct sockaddr_in *addr)
{
    const char *colon = strrchr(listen, ':');
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    if (colon == NULL)
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not ADDR:PORT", option, listen);
    char host[64];
    size_t n = (size_t)(colon - listen);
    if (n >= sizeof(host))
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not ADDR:PORT", option, listen);
    memcpy(host, listen, n);
    host[n] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not a port number", option, colon + 1);
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, n ? host : "0.0.0.0", &addr->sin_addr) != 1)
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not an IPv4 address", option, host);
    addr->sin_port = htons((uint16_t)port);
    return HP_OK;
}

/* Raises the open-file limit as far as the connections need and the system allows, and
 * returns how many connections fit under it. */
static unsigned connection_limit(unsigned threads)
{
    rlim_t reserve = FD_RESERVE + (rlim_t)threads * FD_RESERVE_PER_THREAD;
    rlim_t want = CONNECTIONS_MAX + reserve;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return CONNECTIONS_MAX;
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
        lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= want ? want : lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= want)
        return CONNECTIONS_MAX;
    unsigned fit = lim.rlim_cur > reserve ? (unsigned)(lim.rlim_cur - reserve) : 1;
    fprintf(stderr,
            "hallpass serve: the open-file limit (%llu) leaves room for %u connections, not %d\n",
            (unsigned long long)lim.rlim_cur, fit, CONNECTIONS_MAX);
    return fit;
}

static unsigned worker_threads(const hp_server_config *config)
{
    if (config->threads)
        return config->threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (unsigned)cores * THREADS_PER_CORE : THREADS_FALLBACK;
}

static struct MHD_Daemon *start_daemon(hp_server *server, struct sockaddr_in *addr)
{
    const hp_server_config *config = server->config;
    unsigned threads = worker_threads(config);
    unsigned timeout = config->timeout ? config->timeout : HP_SERVER_TIMEOUT_DEFAULT;
    unsigned total = connection_limit(threads);
    unsigned per_address = total < CONNECTIONS_PER_ADDRESS ? total : CONNECTIONS_PER_ADDRESS;
    server->deadline_us = (gint64)timeout * REQUEST_DEADLINE_FACTOR * G_USEC_PER_SEC;
    /* poll(), not epoll: with a thread pool, libmicrohttpd 0.9.75's MHD_quiesce_daemon() and a
     * worker's own loop both take the listening socket out of the worker's epoll set, and the
     * one that comes second aborts the process ("Failed to remove listen FD from epoll set"),
     * now and then on a stop. With poll() a quiesce only signals the workers. Each worker
     * polls its own share of the connections. */
    /* With TLS, each handshake asks tls.c for the certificate, which SIGHUP can replace;
     * without, the list ends before the certificate option. */
    unsigned tls_flag = server->tls ? MHD_USE_TLS : 0;
    enum MHD_OPTION tls_option = server->tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END;
    return MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG | tls_flag,
        0, NULL, NULL, on_request, server, MHD_OPTION_EXTERNAL_LOGGER, log_library, server,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_CONNECTION_LIMIT, total,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, server, MHD_OPTION_NOTIFY_COMPLETED, on_completed, server, tls_option,
        hp_tls_retrieve, MHD_OPTION_END);
}

/* ---- The metrics daemon: GET /metrics on an address of its own, one thread ---- */

/* The metrics answer's type: Prometheus's text exposition format. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned status,
                                   const char *content_type, GString *text)
{
    size_t len = text->len;
    struct MHD_Response *response =
        MHD_create_response_from_buffer_with_free_callback(len, g_string_free(text, FALSE), g_free);
    if (response == NULL)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", content_type);
    MHD_add_response_header(response, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, status, response);
    MHD_destroy_response(response);
    return ok;
}

static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    hp_server *server = cls;
    static int first_call; /* Its address marks a request whose headers have come. */
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &first_call;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* A body is not read. */
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") != 0)
        return answer_text(conn, 404, "text/plain", g_string_new("only /metrics is here\n"));
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return answer_text(conn, 405, "text/plain", g_string_new("/metrics takes GET\n"));
    /* The daemon has one thread, so its store connection is its own; opened again after a
     * failure to open it. */
    if (server->metrics_store == NULL &&
        hp_store_open(&server->metrics_store, server->config->db, false) < 0) {
        log_failure(server, "opening the store for the metrics", HP_ESTORE, hp_error_last());
        server->metrics_store = NULL;
    }
    GString *text = g_string_new(NULL);
    hp_metrics_write(server->metrics_store, g_get_real_time() / G_USEC_PER_SEC, text);
    return answer_text(conn, 200, METRICS_CONTENT_TYPE, text);
}

static struct MHD_Daemon *start_metrics(hp_server *server, struct sockaddr_in *addr)
{
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0,
                            NULL, NULL, on_metrics, server, MHD_OPTION_EXTERNAL_LOGGER, log_library,
                            server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)addr,
                            MHD_OPTION_CONNECTION_TIMEOUT, HP_SERVER_TIMEOUT_DEFAULT,
                            MHD_OPTION_END);
}

/* Tells where the metrics are served (the port the system chose for port 0). */
static void announce_metrics(struct MHD_Daemon *daemon, const struct sockaddr_in *addr)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr->sin_addr, host, sizeof(host));
    fprintf(stderr, "hallpass serve: metrics on http://%s:%u/metrics\n", host,
            info ? info->port : ntohs(addr->sin_port));
}

/* Stops in order: no new connections (the listening socket closed, so that clients are
 * refused at once rather than left waiting), event streams told to end (a suspended
 * connection would hold the stop up), a short wait for them, then a bounded wait for the
 * requests in flight to be answered: closing the daemon before would cut off a client whose
 * change is written but not yet acknowledged. */
static void stop_daemon(hp_server *server, struct MHD_Daemon *daemon, GThread *thread)
{
    g_atomic_int_set(&server->closing, 1);
    MHD_socket listening = MHD_quiesce_daemon(daemon);
    if (listening != MHD_INVALID_SOCKET)
        close(listening);
    hp_http_events_stop();
    gint64 until = g_get_monotonic_time() + STREAM_STOP_WAIT_US;
    while (hp_http_events_open() > 0 && g_get_monotonic_time() < until)
        g_usleep(G_USEC_PER_SEC / 50);
    until = g_get_monotonic_time() + REQUESTS_STOP_WAIT_US;
    while (g_atomic_int_get(&server->in_flight) > 0 && g_get_monotonic_time() < until)
        g_usleep(G_USEC_PER_SEC / 50);
    if (g_atomic_int_get(&server->in_flight) > 0)
        fprintf(stderr, "hallpass serve: closing %d request(s) still unanswered after %d s\n",
                g_atomic_int_get(&server->in_flight),
                (int)(REQUESTS_STOP_WAIT_US / G_USEC_PER_SEC));
    g_atomic_int_set(&server->stopping, 1);
    hp_events_wake();
    g_thread_join(thread);
    MHD_stop_daemon(daemon);
}

static void server_init(hp_server *server, const hp_server_config *config,
                        const hp_session_limits *limits)
{
    *server = (hp_server){.config = config};
    pthread_key_create(&server->store_key, close_store);
    g_mutex_init(&server->lock);
    g_mutex_init(&server->conn_lock);
    g_mutex_init(&server->log_lock);
    server->zones = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_tz);
    server->schools = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_school);
    server->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
    server->failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_failure_kind);
    server->guard = hp_auth_guard_new(limits);
    server->oidc = hp_oidc_new(config->oidc_secret_file);
}

static void server_release(hp_server *server)
{
    hp_auth_guard_free(server->guard);
    hp_oidc_free(server->oidc);
    g_hash_table_destroy(server->zones);
    g_hash_table_destroy(server->schools);
    g_hash_table_destroy(server->conns);
    g_hash_table_destroy(server->failures);
    if (server->metrics_store)
        hp_store_free(server->metrics_store);
    g_mutex_clear(&server->lock);
    g_mutex_clear(&server->conn_lock);
    g_mutex_clear(&server->log_lock);
    pthread_key_delete(server->store_key);
}

/* The workers inherit a mask without SIGINT, SIGTERM and SIGHUP, so only sigwait() sees them. A
 * file-size limit (ulimit -f) makes writes fail with an error, logged and answered 503,
 * instead of killing the server. */
static void block_signals(sigset_t *signals)
{
    sigemptyset(signals);
    sigaddset(signals, SIGINT);
    sigaddset(signals, SIGTERM);
    sigaddset(signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
}

/* Tells the caller the address listened on (the port the system chose for port 0). */
static void announce(struct MHD_Daemon *daemon, const struct sockaddr_in *addr,
                     const hp_server_config *config)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    char address[96];
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr->sin_addr, host, sizeof(host));
    snprintf(address, sizeof(address), "%s:%u", host, info ? info->port : ntohs(addr->sin_port));
    if (config->on_ready)
        config->on_ready(address, config->ready_data);
}

/* The certificate for HTTPS when --tls-cert and --tls-key are given (both or neither), read
 * before the server listens so that a bad pair stops the start. */
static int open_tls(const hp_server_config *config, hp_tls **out)
{
    *out = NULL;
    if (config->tls_cert == NULL && config->tls_key == NULL)
        return HP_OK;
    if (config->tls_cert == NULL || config->tls_key == NULL)
        return hp_error_set(HP_EINVALID, "%s needs %s too: give both or neither",
                            config->tls_cert ? "--tls-cert" : "--tls-key",
                            config->tls_cert ? "--tls-key" : "--tls-cert");
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES ||
        MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES)
        return hp_error_set(HP_ERROR, "--tls-cert: this libmicrohttpd was built without TLS");
    int rc = hp_tls_new(out, config->tls_cert, config->tls_key);
    if (rc == HP_OK) {
        char *what = hp_tls_describe(*out);
        fprintf(stderr, "hallpass serve: HTTPS with %s\n", what);
        g_free(what);
    }
    return rc;
}

/* SIGHUP: the certificate and key are read again for the connections to come; a pair that
 * does not load leaves the current one in use. */
static void reread_tls(hp_server *server)
{
    if (server->tls == NULL) {
        fprintf(stderr, "hallpass serve: SIGHUP: no --tls-cert to re-read\n");
        return;
    }
    if (hp_tls_reload(server->tls) < 0) {
        fprintf(stderr, "hallpass serve: SIGHUP: keeping the current certificate: %s\n",
                hp_error_last());
        return;
    }
    char *what = hp_tls_describe(server->tls);
    fprintf(stderr, "hallpass serve: SIGHUP: now serving %s\n", what);
    g_free(what);
}

int hp_server_run(const hp_server_config *config)
{
    struct sockaddr_in addr, metrics_addr;
    int rc = parse_listen("--listen", config->listen, &addr);
    if (rc == HP_OK && config->metrics_listen)
        rc = parse_listen("--metrics-listen", config->metrics_listen, &metrics_addr);
    if (rc < 0)
        return rc;
    /* One access-log line is one write, however many threads log at once. */
    setvbuf(stderr, NULL, _IOLBF, 0);
    name_routes();

    /* Opening the store once here migrates it and fails early if it cannot be used. */
    hp_store *probe;
    if ((rc = hp_store_open(&probe, config->db, false)) < 0)
        return rc;
    hp_session_limits limits = {
        .idle = config->session_idle,
        .max = config->session_max ? config->session_max : HP_SESSION_MAX_DEFAULT,
    };
    rc = hp_auth_expire(probe, g_get_real_time() / G_USEC_PER_SEC, &limits);
    hp_store_free(probe);
    if (rc < 0)
        return rc;

    hp_tls *tls;
    if ((rc = open_tls(config, &tls)) < 0)
        return rc;
    hp_server server;
    server_init(&server, config, &limits);
    server.tls = tls;
    sigset_t signals;
    block_signals(&signals);
    struct MHD_Daemon *metrics =
        config->metrics_listen ? start_metrics(&server, &metrics_addr) : NULL;
    struct MHD_Daemon *daemon = NULL;
    if (config->metrics_listen && metrics == NULL)
        rc = hp_error_set(HP_ERROR, "cannot listen on %s (in use, or not this machine's)",
                          config->metrics_listen);
    else if ((daemon = start_daemon(&server, &addr)) == NULL)
        rc = hp_error_set(HP_ERROR, "cannot listen on %s (in use, or not this machine's)",
                          config->listen);
    if (daemon) {
        GThread *thread = g_thread_new("hallpass-background", background, &server);
        if (metrics)
            announce_metrics(metrics, &metrics_addr);
        announce(daemon, &addr, config);
        hp_notify_ready();
        int sig;
        while (sigwait(&signals, &sig) == 0 && sig == SIGHUP)
            reread_tls(&server);
        hp_notify_stopping();
        fprintf(stderr, "hallpass serve: %s, finishing requests in flight\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
        stop_daemon(&server, daemon, thread);
    }
    if (metrics)
        MHD_stop_daemon(metrics);
    server_release(&server);
    hp_tls_free(tls);
    pthread_sigmask(SIG_UNBLOCK, &signals, NULL);
    return rc;
}
