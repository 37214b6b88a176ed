/* hallpass serve: the HTTP server over the store. */
#ifndef HP_HTTP_SERVER_H
#define HP_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds a silent connection is kept when the caller does not say (serve --timeout): long
 * enough for a slow phone on a school's Wi-Fi, short enough that idle sockets do not pile up. */
#define HP_SERVER_TIMEOUT_DEFAULT 15

typedef struct {
    const char *db;       /* The store's address. */
    const char *listen;   /* "ADDR:PORT". */
    unsigned threads;     /* Worker threads; 0 picks from the machine. */
    int64_t session_idle; /* Seconds a session may stay unused. */
    int64_t session_max;  /* Seconds a session may live however used; 0 for the default. */
    unsigned timeout;     /* Seconds a slow client may stay silent. */
    bool secure_cookies;  /* Behind TLS: the cookie goes only over HTTPS. */
    bool no_clock;        /* Leave the writing of auto-ends to the other servers of the store. */
    const char *oidc_secret_file; /* Single sign-on's client secret for schools naming none. */
    const char *tls_cert;         /* HTTPS: the PEM certificate chain; NULL for plain HTTP. */
    const char *tls_key;          /* HTTPS: its PEM private key. */
    const char *metrics_listen;   /* "ADDR:PORT" of the Prometheus metrics, or NULL for none. */
    void (*on_ready)(const char *address, void *data); /* Called once listening. */
    void *ready_data;
} hp_server_config;

/* Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns. SIGHUP
 * re-reads the TLS certificate and key. */
int hp_server_run(const hp_server_config *config);

#endif
