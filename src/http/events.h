/*
 * GET /api/events: server-sent events for the pages. A signed-in page opens one stream and
 * hears `event: change` whenever a request changed its school's data, so it loads again
 * instead of polling; a comment line every HP_EVENTS_KEEPALIVE seconds keeps proxies from
 * closing a quiet stream. A stream never holds a worker thread: when it has nothing to send,
 * the server suspends its connection and one background tick resumes it. server.c supplies
 * the suspend and resume (this file never sees libmicrohttpd).
 */
#ifndef HP_HTTP_EVENTS_H
#define HP_HTTP_EVENTS_H

#include "http/http.h"

#include <stdint.h>
#include <sys/types.h>

/* A school's pages behind one address (a school's NAT) may hold this many streams; past it
 * a page gets 429 and polls. Half of the server's connections per address, so that streams
 * never crowd out ordinary requests from that address. */
#define HP_EVENTS_STREAMS_PER_ADDRESS 256
/* Streams in all; past it, 503 and pages poll. */
#define HP_EVENTS_STREAMS_MAX 2048
/* Seconds between keep-alive comments on a quiet stream. */
#define HP_EVENTS_KEEPALIVE 15
/* Milliseconds a browser waits before it opens a lost stream again (the `retry:` field). */
#define HP_EVENTS_RETRY_MS 2000

typedef void (*hp_http_stream_fn)(void *conn);

/* Called by server.c once the stream's answer is queued: how to suspend and resume the
 * connection the stream is written to, and its socket (watched while suspended, because a
 * suspended connection does not notice that the client has gone). */
void hp_http_stream_attach(hp_http_stream *stream, void *conn, int fd, hp_http_stream_fn suspend,
                           hp_http_stream_fn resume);

/* Writes what is due into buf (at most max bytes) and returns its length; with nothing due,
 * suspends the connection and returns 0; returns -1 when the stream ends (the server
 * stops). */
ssize_t hp_http_stream_read(hp_http_stream *stream, char *buf, size_t max);

/* The connection is gone: forgets and frees the stream. */
void hp_http_stream_close(hp_http_stream *stream);

/* Resumes every suspended stream that has something due (a change, a keep-alive) or whose
 * client has hung up (it then ends). Called by the server's background thread at least once a
 * second and at every change. */
void hp_http_events_tick(void);

/* Ends every stream (they answer their end at once) and refuses new ones. */
void hp_http_events_stop(void);

/* Streams open now. */
size_t hp_http_events_open(void);

#endif
