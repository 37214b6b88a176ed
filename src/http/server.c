/*
 * The HTTP server on GNU libmicrohttpd: a pool of worker threads, each with its own
 * connection to the store; request bodies capped; one access-log line per request; a clean
 * shutdown on SIGINT and SIGTERM that lets requests in flight finish. libmicrohttpd appears
 * only in this file.
 */
#include "http/server.h"

#include "core/error.h"
#include "http/http.h"
#include "service/actor.h"
#include "service/schools.h"

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
#include <sys/socket.h>
#include <unistd.h>

#define DISCARD_MAX (1024 * 1024)

struct hp_server {
    const hp_server_config *config;
    pthread_key_t store_key;
    GMutex lock;          /* Guards the caches below. */
    GHashTable *zones;    /* School id -> hp_tz. */
    GHashTable *schools;  /* School id -> hp_school. */
    hp_auth_guard *guard; /* Sessions' limits and the throttles of password checks. */
};

typedef struct {
    gint64 started;
    GByteArray *body;
    bool too_large;
    size_t discarded; /* Bytes of an oversized body read and dropped. */
    bool answered;
    int status;
    char method[16];
    char path[128];
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
    {"POST", "/api/kiosk", hp_http_kiosk_start, true},
    {"DELETE", "/api/kiosk", hp_http_kiosk_stop, true},
    {"GET", "/api/rooms", hp_http_rooms_list, true},
    {"POST", "/api/rooms", hp_http_rooms_create, true},
    {"PATCH", "/api/rooms/*", hp_http_rooms_update, true},
    {"GET", "/api/students", hp_http_students_list, true},
    {"GET", "/api/reports/rooms", hp_http_reports_rooms, true},
    {"GET", "/api/reports/staff", hp_http_reports_staff, true},
    {"GET", "/api/settings", hp_http_settings_get, true},
    {"PATCH", "/api/settings", hp_http_settings_update, true},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

/* Matches a path against a pattern, segment by segment; a "*" segment takes digits. */
static bool path_matches(const char *pattern, const char *path, int64_t *id_out)
{
    while (*pattern && *path) {
        if (*pattern == '*') {
            size_t n = strspn(path, "0123456789");
            if (n == 0 || n > 18)
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

const char *hp_server_cookie_secure(hp_server *server)
{
    return server->config->secure_cookies ? "; Secure" : "";
}

int64_t hp_server_session_idle(hp_server *server)
{
    return server->config->session_idle;
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
        out->name = strdup(cached->name);
        out->timezone = strdup(cached->timezone);
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

static bool is_json(const char *content_type)
{
    if (content_type == NULL)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(content_type, "application/json", n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

static void dispatch(hp_http_request *req, hp_http_response *res)
{
    const route *found = NULL;
    bool path_known = false;
    char allow[64] = "";

    if (strcmp(req->method, "GET") == 0 && strncmp(req->path, "/api/", 5) != 0) {
        /* A page: signed in or not, the page decides. */
        if (req->store && req->token && sign_in_request(req) < 0) {
            hp_school_release(&req->actor.school);
            hp_user_release(&req->actor.user);
            req->signed_in = false;
        }
        hp_http_page(req, res);
        return;
    }
    for (size_t i = 0; i < ROUTE_COUNT && found == NULL; i++) {
        if (!path_matches(routes[i].pattern, req->path, &req->path_id))
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
    if (strcmp(req->method, "GET") != 0 && !is_json(req->content_type)) {
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
    if (query->len < 2048)
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

static enum MHD_Result send_response(struct MHD_Connection *conn, request_state *rs,
                                     hp_http_response *res)
{
    struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback(
        res->body_len, res->body ? res->body : g_strdup(""), g_free);
    res->body = NULL;
    MHD_add_response_header(response, "Content-Type",
                            res->content_type ? res->content_type : "application/json");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    if (res->set_cookie)
        MHD_add_response_header(response, "Set-Cookie", res->set_cookie);
    if (res->location)
        MHD_add_response_header(response, "Location", res->location);
    if (res->allow)
        MHD_add_response_header(response, "Allow", res->allow);
    /* Pages load only their own scripts and styles, and no other site may frame them. */
    MHD_add_response_header(response, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                            "form-action 'self'; base-uri 'none'");
    MHD_add_response_header(response, "Referrer-Policy", "same-origin");
    if (res->content_disposition)
        MHD_add_response_header(response, "Content-Disposition", res->content_disposition);
    if (res->retry_after > 0) {
        char seconds[24];
        snprintf(seconds, sizeof(seconds), "%d", res->retry_after);
        MHD_add_response_header(response, "Retry-After", seconds);
    }
    rs->status = res->status;
    rs->answered = true;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, response);
    MHD_destroy_response(response);
    g_free(res->set_cookie);
    g_free(res->content_disposition);
    g_free(res->location);
    g_free(res->allow);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    hp_server *server = cls;
    request_state *rs = *con_cls;
    hp_http_response res = {0};

    if (rs == NULL) {
        rs = g_new0(request_state, 1);
        rs->started = g_get_monotonic_time();
        rs->body = g_byte_array_new();
        g_strlcpy(rs->method, method, sizeof(rs->method));
        g_strlcpy(rs->path, url, sizeof(rs->path));
        *con_cls = rs;
        const char *length =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && g_ascii_strtoull(length, NULL, 10) > HP_HTTP_BODY_MAX) {
            hp_http_error(&res, 413, "the request body is larger than %d bytes", HP_HTTP_BODY_MAX);
            return send_response(conn, rs, &res);
        }
        return MHD_YES;
    }
    if (rs->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* libmicrohttpd takes an answer only before the body or after all of it, so a body
         * without a Content-Length that grows past the cap is read and dropped, then answered
         * 413. One that goes on past DISCARD_MAX has the connection closed on it. */
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rs->too_large || rs->body->len + n > HP_HTTP_BODY_MAX) {
            rs->too_large = true;
            rs->discarded += n;
            return rs->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
        }
        g_byte_array_append(rs->body, (const guint8 *)upload_data, (guint)n);
        return MHD_YES;
    }
    if (rs->too_large) {
        hp_http_error(&res, 413, "the request body is larger than %d bytes", HP_HTTP_BODY_MAX);
        return send_response(conn, rs, &res);
    }

    char client[64];
    client_address(conn, client, sizeof(client));
    query_state qs = {g_string_new(NULL), false};
    GString *query = qs.text;
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, add_argument, &qs);
    hp_http_request req = {
        .server = server,
        .store = thread_store(server),
        .method = method,
        .path = url,
        .query = query->str,
        .body = (const char *)rs->body->data,
        .body_len = rs->body->len,
        .content_type =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, HP_SESSION_COOKIE),
        .client = client,
        .now = g_get_real_time() / G_USEC_PER_SEC,
        .connection = conn,
    };
    (void)version;
    hp_error_clear();
    if (qs.has_nul)
        hp_http_error(&res, 400, "a query parameter holds a NUL byte (%%00)");
    else
        dispatch(&req, &res);
    if (res.status == 0)
        hp_http_error(&res, 500, "the request was not answered");
    hp_school_release(&req.actor.school);
    hp_user_release(&req.actor.user);
    g_string_free(query, TRUE);
    return send_response(conn, rs, &res);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    request_state *rs = *con_cls;
    if (rs == NULL)
        return;
    char client[64];
    client_address(conn, client, sizeof(client));
    double ms = (double)(g_get_monotonic_time() - rs->started) / 1000.0;
    /* The path is logged without its query, and with control bytes escaped, so that no value a
     * client sends can forge a log line. */
    char *path = g_strescape(rs->path, NULL);
    fprintf(stderr, "%s %s %s %d %.1fms%s\n", client, rs->method, path, rs->status, ms,
            code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (closed early)");
    g_free(path);
    g_byte_array_free(rs->body, TRUE);
    g_free(rs);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *addr)
{
    const char *colon = strrchr(listen, ':');
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    if (colon == NULL)
        return hp_error_set(HP_EINVALID, "--listen: \"%s\" is not ADDR:PORT", listen);
    char host[64];
    size_t n = (size_t)(colon - listen);
    if (n >= sizeof(host))
        return hp_error_set(HP_EINVALID, "--listen: \"%s\" is not ADDR:PORT", listen);
    memcpy(host, listen, n);
    host[n] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
        return hp_error_set(HP_EINVALID, "--listen: \"%s\" is not a port number", colon + 1);
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, n ? host : "0.0.0.0", &addr->sin_addr) != 1)
        return hp_error_set(HP_EINVALID, "--listen: \"%s\" is not an IPv4 address", host);
    addr->sin_port = htons((uint16_t)port);
    return HP_OK;
}

int hp_server_run(const hp_server_config *config)
{
    struct sockaddr_in addr;
    int rc = parse_listen(config->listen, &addr);
    if (rc < 0)
        return rc;

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

    hp_server server = {.config = config};
    pthread_key_create(&server.store_key, close_store);
    g_mutex_init(&server.lock);
    server.zones = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_tz);
    server.schools = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_school);
    server.guard = hp_auth_guard_new(&limits);

    /* The workers inherit a mask without SIGINT and SIGTERM, so only sigwait() below sees
     * them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = config->threads ? config->threads : (unsigned)(cores > 0 ? cores * 2 : 4);
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, &server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(config->timeout ? config->timeout : 15), MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)1000, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &server, MHD_OPTION_END);
    if (daemon == NULL) {
        rc = hp_error_set(HP_ERROR, "cannot listen on %s (in use, or not this machine's)",
                          config->listen);
        goto out;
    }

    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    char address[96];
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof(host));
    snprintf(address, sizeof(address), "%s:%u", host, info ? info->port : ntohs(addr.sin_port));
    if (config->on_ready)
        config->on_ready(address, config->ready_data);

    int sig;
    sigwait(&signals, &sig);
    fprintf(stderr, "hallpass serve: %s, finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    MHD_quiesce_daemon(daemon);
    MHD_stop_daemon(daemon);
    rc = HP_OK;
out:
    hp_auth_guard_free(server.guard);
    g_hash_table_destroy(server.zones);
    g_hash_table_destroy(server.schools);
    g_mutex_clear(&server.lock);
    pthread_key_delete(server.store_key);
    pthread_sigmask(SIG_UNBLOCK, &signals, NULL);
    return rc;
}
