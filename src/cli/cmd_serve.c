/* hallpass serve: the HTTP server for pages and the JSON API. */
#include "cli/cli.h"

#include "core/error.h"
#include "http/server.h"
#include "service/auth.h"

#include <stdio.h>

#define THREADS_MAX 256                         /* More would only wait on the store. */
#define SESSION_IDLE_MAX_MINUTES (60 * 24 * 30) /* A month. */
#define TIMEOUT_MAX 3600                        /* An hour. */
#define SECONDS_PER_MINUTE 60
#define SESSION_MAX_DAYS 366 /* The longest --session-max: a school year and more. */
#define SECONDS_PER_DAY 86400

typedef struct {
    const char *db;
    const char *listen;
    long threads;      /* 0: not given. */
    long session_idle; /* Minutes; 0: not given. */
    long session_max;  /* Days; 0: not given. */
    long timeout;      /* Seconds; 0: not given. */
    bool secure_cookies;
    bool no_clock;
    const char *oidc_secret_file;
    const char *tls_cert;
    const char *tls_key;
    const char *metrics_listen;
} serve_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(serve_options, db),
    HP_OPT_TEXT_ROW(serve_options, listen, "listen", "ADDR:PORT",
                    "where to listen (default " HP_CLI_LISTEN_DEFAULT "; port 0 picks a free one)"),
    HP_OPT_NUMBER_ROW(serve_options, threads, "threads", "N",
                      "worker threads (default: twice the cores)", 1, THREADS_MAX),
    HP_OPT_NUMBER_ROW(serve_options, session_idle, "session-idle", "MIN",
                      "minutes a session may stay unused before it ends (default " HP_CLI_STR(
                          HP_SESSION_IDLE_DEFAULT_MINUTES) ")",
                      1, SESSION_IDLE_MAX_MINUTES),
    HP_OPT_NUMBER_ROW(
        serve_options, session_max, "session-max", "DAYS",
        "days a session lasts from its sign-in, however often used (default " HP_CLI_STR(
            HP_SESSION_MAX_DEFAULT_DAYS) ")",
        1, SESSION_MAX_DAYS),
    HP_OPT_NUMBER_ROW(serve_options, timeout, "timeout", "SEC",
                      "seconds a silent client keeps its connection (default " HP_CLI_STR(
                          HP_SERVER_TIMEOUT_DEFAULT) ")",
                      1, TIMEOUT_MAX),
    HP_OPT_FLAG_ROW(serve_options, secure_cookies, "secure-cookies",
                    "mark the session cookie Secure (behind a TLS proxy)"),
    HP_OPT_FLAG_ROW(serve_options, no_clock, "no-clock",
                    "leave auto-ends and the line's offers to another server"),
    HP_OPT_TEXT_ROW(serve_options, oidc_secret_file, "oidc-secret-file", "FILE",
                    "single sign-on's client secret, for schools that name no file"),
    HP_OPT_TEXT_ROW(serve_options, tls_cert, "tls-cert", "FILE",
                    "serve HTTPS with this PEM certificate chain (with --tls-key)"),
    HP_OPT_TEXT_ROW(serve_options, tls_key, "tls-key", "FILE", "the PEM private key of --tls-cert"),
    HP_OPT_TEXT_ROW(serve_options, metrics_listen, "metrics-listen", "ADDR:PORT",
                    "serve Prometheus metrics at /metrics there (default: off)"),
};

/* data: the scheme, "http" or "https". */
static void on_ready(const char *address, void *data)
{
    printf("hallpass serve: listening on %s://%s\n", (const char *)data, address);
    fflush(stdout);
}

static int run(const void *opts, int argc, char **argv)
{
    const serve_options *o = opts;
    hp_server_config config = {
        .db = hp_cli_db(o->db),
        .listen = o->listen ? o->listen : HP_CLI_LISTEN_DEFAULT,
        .threads = (unsigned)o->threads,
        .session_idle =
            o->session_idle ? o->session_idle * SECONDS_PER_MINUTE : HP_SESSION_IDLE_DEFAULT,
        .session_max = o->session_max ? o->session_max * SECONDS_PER_DAY : HP_SESSION_MAX_DEFAULT,
        .timeout = o->timeout ? (unsigned)o->timeout : HP_SERVER_TIMEOUT_DEFAULT,
        .secure_cookies = o->secure_cookies,
        .no_clock = o->no_clock,
        .oidc_secret_file = o->oidc_secret_file,
        .tls_cert = o->tls_cert,
        .tls_key = o->tls_key,
        .metrics_listen = o->metrics_listen,
        .on_ready = on_ready,
        .ready_data = (void *)(o->tls_cert ? "https" : "http"),
    };
    if (config.db == NULL)
        return hp_cli_no_store("serve");
    if (hp_cli_server_run(&config) < 0)
        return hp_cli_fail("serve");
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_serve = {
    .name = "serve",
    .summary = "serve the pages and the JSON API",
    .synopsis =
        "hallpass serve --db DB [--listen ADDR:PORT] [--threads N] [--session-idle MIN]\n"
        "               [--session-max DAYS] [--timeout SEC] [--secure-cookies] [--no-clock]\n"
        "               [--oidc-secret-file FILE] [--tls-cert FILE --tls-key FILE]\n"
        "               [--metrics-listen ADDR:PORT]",
    .about = "Serves the JSON API (see docs/api.md) until SIGINT or SIGTERM, then finishes the\n"
             "requests in flight and stops. One access-log line per request goes to stderr:\n"
             "time=... id=... method=... route=... status=... ms=... school=... client=...\n"
             "(the route's pattern, never the path; the id is also the X-Request-Id header).\n"
             "GET /healthz answers 200 while the store answers, else 503. With\n"
             "--metrics-listen, Prometheus metrics are served at /metrics on that address.\n"
             "Every second its clock writes the end of each pass that has reached its auto-end\n"
             "(start + auto_end_minutes), catching up at start on what fell due while no server\n"
             "ran; servers sharing one PostgreSQL store write each such end once. A pass is not\n"
             "active from its deadline on, whether or not its end is written yet. Then it walks\n"
             "the waiting line: offers past line_offer_seconds lapse, entries of an earlier day\n"
             "go, and each freed place is offered to the first entry the rules allow, once.\n"
             "At start and every hour it purges, for each school with retain_passes_days set,\n"
             "the passes, line entries and refusals older than that many days (once a day;\n"
             "see hallpass purge), recorded in the audit log as the server.\n"
             "A school whose oidc_* settings are set (see hallpass settings --help) gets a\n"
             "single sign-on button on the sign-in page; the client secret is read, at each\n"
             "sign-in, from the school's oidc_client_secret_file or else --oidc-secret-file.\n"
             "With --tls-cert and --tls-key it serves HTTPS only: every answer carries\n"
             "Strict-Transport-Security and the session cookie is Secure. SIGHUP reads the two\n"
             "files again (a renewal needs no restart): new connections get the new\n"
             "certificate; a pair that does not load leaves the current one, and the log says\n"
             "why. Behind a TLS proxy, use --secure-cookies instead and set HSTS there.\n",
    HP_CLI_OPTIONS(options, serve_options),
    .run = run,
};
