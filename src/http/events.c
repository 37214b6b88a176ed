/*
 * GET /api/events, the server-sent event streams of the pages, and the registry that resumes
 * them. Every stream is in one list under one lock, with a count per client address for the
 * cap; the lock is held while a stream decides to suspend and while the tick decides to
 * resume, so a change that lands in between is never lost.
 */
#include "http/events.h"

#include "service/events.h"

#include <glib.h>
#include <poll.h>
#include <stdio.h>

struct hp_http_stream {
    int64_t school_id;
    uint64_t seen;        /* The school's generation last told to the page. */
    gint64 keepalive_due; /* Monotonic time of the next keep-alive comment. */
    bool greeted;         /* The opening `retry:` and comment are written. */
    bool suspended;       /* The connection waits for hp_http_events_tick(). */
    bool gone;            /* The client hung up: the stream ends. */
    int fd;               /* The connection's socket, or -1. */
    char *client;         /* The address it is counted under. */
    void *conn;           /* NULL until attached. */
    hp_http_stream_fn suspend;
    hp_http_stream_fn resume;
};

static GMutex lock;
static GPtrArray *streams;      /* hp_http_stream *, made on first use. */
static GHashTable *per_address; /* Client address -> count of its streams. */
static bool stopping;

#define KEEPALIVE_US ((gint64)HP_EVENTS_KEEPALIVE * G_USEC_PER_SEC)

static void ensure_registry(void)
{
    if (streams == NULL) {
        streams = g_ptr_array_new();
        per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
}

void hp_http_events(hp_http_request *req, hp_http_response *res)
{
    g_mutex_lock(&lock);
    ensure_registry();
    guint mine = GPOINTER_TO_UINT(g_hash_table_lookup(per_address, req->client));
    if (stopping || streams->len >= HP_EVENTS_STREAMS_MAX) {
        g_mutex_unlock(&lock);
        hp_http_error(res, 503, "the server holds all the event streams it can; poll instead");
        res->retry_after = HP_EVENTS_KEEPALIVE;
        return;
    }
    if (mine >= HP_EVENTS_STREAMS_PER_ADDRESS) {
        g_mutex_unlock(&lock);
        hp_http_error(res, 429, "this address holds %d event streams already; poll instead",
                      HP_EVENTS_STREAMS_PER_ADDRESS);
        res->retry_after = HP_EVENTS_KEEPALIVE;
        return;
    }
    hp_http_stream *stream = g_new0(hp_http_stream, 1);
    stream->school_id = req->actor.school.id;
    stream->seen = hp_events_generation(stream->school_id);
    stream->keepalive_due = g_get_monotonic_time() + KEEPALIVE_US;
    stream->client = g_strdup(req->client);
    stream->fd = -1;
    g_ptr_array_add(streams, stream);
    g_hash_table_replace(per_address, g_strdup(req->client), GUINT_TO_POINTER(mine + 1));
    g_mutex_unlock(&lock);

    res->status = 200;
    res->content_type = "text/event-stream";
    res->stream = stream;
}

void hp_http_stream_attach(hp_http_stream *stream, void *conn, int fd, hp_http_stream_fn suspend,
                           hp_http_stream_fn resume)
{
    g_mutex_lock(&lock);
    stream->conn = conn;
    stream->fd = fd;
    stream->suspend = suspend;
    stream->resume = resume;
    g_mutex_unlock(&lock);
}

/* What the stream should say now, or 0 bytes when nothing is due. Called under the lock. */
static int due_text(hp_http_stream *stream, char *buf, size_t max, gint64 now)
{
    uint64_t generation = hp_events_generation(stream->school_id);
    if (!stream->greeted) {
        stream->greeted = true;
        return snprintf(buf, max, "retry: %d\n: hallpass events\n\n", HP_EVENTS_RETRY_MS);
    }
    if (generation != stream->seen) {
        stream->seen = generation;
        return snprintf(buf, max, "event: change\ndata: %" G_GUINT64_FORMAT "\n\n", generation);
    }
    if (now >= stream->keepalive_due)
        return snprintf(buf, max, ": keep-alive\n\n");
    return 0;
}

ssize_t hp_http_stream_read(hp_http_stream *stream, char *buf, size_t max)
{
    g_mutex_lock(&lock);
    if (stopping || stream->gone) {
        g_mutex_unlock(&lock);
        return -1;
    }
    gint64 now = g_get_monotonic_time();
    int n = due_text(stream, buf, max, now);
    if (n > 0 && (size_t)n < max) {
        stream->keepalive_due = now + KEEPALIVE_US;
        g_mutex_unlock(&lock);
        return n;
    }
    stream->suspended = true;
    stream->suspend(stream->conn);
    g_mutex_unlock(&lock);
    return 0;
}

void hp_http_stream_close(hp_http_stream *stream)
{
    g_mutex_lock(&lock);
    g_ptr_array_remove_fast(streams, stream);
    guint mine = GPOINTER_TO_UINT(g_hash_table_lookup(per_address, stream->client));
    if (mine <= 1)
        g_hash_table_remove(per_address, stream->client);
    else
        g_hash_table_replace(per_address, g_strdup(stream->client), GUINT_TO_POINTER(mine - 1));
    g_mutex_unlock(&lock);
    g_free(stream->client);
    g_free(stream);
}

/* Marks the suspended streams whose client hung up (one poll() over their sockets). Called
 * under the lock. */
static void find_hangups(void)
{
    GArray *fds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
    GPtrArray *owners = g_ptr_array_new();
    for (guint i = 0; i < streams->len; i++) {
        hp_http_stream *stream = streams->pdata[i];
        if (!stream->suspended || stream->fd < 0)
            continue;
        struct pollfd pfd = {.fd = stream->fd, .events = POLLRDHUP};
        g_array_append_val(fds, pfd);
        g_ptr_array_add(owners, stream);
    }
    if (fds->len > 0 && poll((struct pollfd *)(void *)fds->data, fds->len, 0) > 0)
        for (guint i = 0; i < fds->len; i++)
            if (g_array_index(fds, struct pollfd, i).revents != 0)
                ((hp_http_stream *)owners->pdata[i])->gone = true;
    g_array_free(fds, TRUE);
    g_ptr_array_free(owners, TRUE);
}

void hp_http_events_tick(void)
{
    g_mutex_lock(&lock);
    if (streams == NULL) {
        g_mutex_unlock(&lock);
        return;
    }
    find_hangups();
    gint64 now = g_get_monotonic_time();
    for (guint i = 0; i < streams->len; i++) {
        hp_http_stream *stream = streams->pdata[i];
        if (!stream->suspended)
            continue;
        if (stopping || stream->gone || now >= stream->keepalive_due ||
            hp_events_generation(stream->school_id) != stream->seen) {
            stream->suspended = false;
            stream->resume(stream->conn);
        }
    }
    g_mutex_unlock(&lock);
}

void hp_http_events_stop(void)
{
    g_mutex_lock(&lock);
    stopping = true;
    g_mutex_unlock(&lock);
    hp_http_events_tick();
}

size_t hp_http_events_open(void)
{
    g_mutex_lock(&lock);
    size_t n = streams ? streams->len : 0;
    g_mutex_unlock(&lock);
    return n;
}
