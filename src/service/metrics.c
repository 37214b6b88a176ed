/*
 * The metrics (metrics.h): fixed tables of atomic counters, written by the requests with no
 * lock, and the few rules of Prometheus's text format written once here. Debian 12 packages no
 * C client library for Prometheus, and the format needs only HELP and TYPE lines, escaped label
 * values and cumulative histogram buckets.
 */
#include "service/metrics.h"

#include "core/error.h"
#include "core/line.h"
#include "core/tz.h"
#include "core/util.h"

#include <stdatomic.h>
#include <string.h>

/* The methods counted apart; any other is counted as "other". */
static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"};
#define METHOD_SLOTS (HP_ARRAY_SIZE(methods) + 1)

/* The statuses counted apart (every one the server answers); any other is "other". */
static const int statuses[] = {200, 201, 202, 204, 301, 302, 303, 304, 307, 308, 400,
                               401, 403, 404, 405, 406, 409, 410, 411, 413, 414, 415,
                               416, 422, 429, 431, 500, 501, 502, 503, 505};
#define STATUS_SLOTS (HP_ARRAY_SIZE(statuses) + 1)

/* Upper bounds of the duration histogram's buckets, in microseconds (1 ms to 10 s), and how
 * the exposition writes them, in seconds. */
static const int64_t bucket_us[] = {1000,   2500,   5000,    10000,   25000,   50000,   100000,
                                    250000, 500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bucket_le[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                        "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};
#define BUCKET_SLOTS (HP_ARRAY_SIZE(bucket_us) + 1) /* The last one: past 10 s (+Inf). */

typedef atomic_uint_fast64_t counter;

static const char *const *route_names;
static size_t route_count;

static counter requests[HP_METRICS_ROUTES_MAX][METHOD_SLOTS][STATUS_SLOTS];
/* Each bucket counts only the durations that fall in it; a scrape adds them up, so that the
 * +Inf bucket always equals the count even while requests come in. */
static counter durations[HP_METRICS_ROUTES_MAX][BUCKET_SLOTS];
static counter duration_sum_us[HP_METRICS_ROUTES_MAX];
static counter passes_created;
static counter passes_overridden;
static counter passes_refused[HP_RULE_COUNT + 1]; /* By hp_rule_id; 0 is a refusal of no rule. */
static counter store_errors;

void hp_metrics_set_routes(const char *const *names, size_t count)
{
    route_names = names;
    route_count = count < HP_METRICS_ROUTES_MAX ? count : HP_METRICS_ROUTES_MAX;
}

static size_t method_slot(const char *method)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(methods); i++)
        if (strcmp(methods[i], method) == 0)
            return i;
    return HP_ARRAY_SIZE(methods);
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(statuses); i++)
        if (statuses[i] == status)
            return i;
    return HP_ARRAY_SIZE(statuses);
}

void hp_metrics_request(size_t route, const char *method, int status, int64_t duration_us)
{
    if (route >= route_count)
        return;
    atomic_fetch_add_explicit(&requests[route][method_slot(method)][status_slot(status)], 1,
                              memory_order_relaxed);
    size_t b = 0;
    while (b < HP_ARRAY_SIZE(bucket_us) && duration_us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&durations[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&duration_sum_us[route],
                              (uint64_t)(duration_us > 0 ? duration_us : 0), memory_order_relaxed);
}

void hp_metrics_pass_created(bool overridden)
{
    atomic_fetch_add_explicit(&passes_created, 1, memory_order_relaxed);
    if (overridden)
        atomic_fetch_add_explicit(&passes_overridden, 1, memory_order_relaxed);
}

void hp_metrics_pass_refused(hp_rule_id rule)
{
    size_t slot = rule > 0 && rule <= HP_RULE_COUNT ? (size_t)rule : 0;
    atomic_fetch_add_explicit(&passes_refused[slot], 1, memory_order_relaxed);
}

void hp_metrics_store_error(void)
{
    atomic_fetch_add_explicit(&store_errors, 1, memory_order_relaxed);
}

static uint64_t get(counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* A metric family's HELP and TYPE lines. */
static void family(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void label_value(GString *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            g_string_append_c(out, '\\');
        if (*p == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *p);
    }
}

static void write_requests(GString *out)
{
    family(out, "hallpass_http_requests_total", "counter",
           "HTTP requests answered, by route pattern, method and status.");
    for (size_t r = 0; r < route_count; r++)
        for (size_t m = 0; m < METHOD_SLOTS; m++)
            for (size_t s = 0; s < STATUS_SLOTS; s++) {
                uint64_t n = get(&requests[r][m][s]);
                if (n == 0)
                    continue;
                g_string_append(out, "hallpass_http_requests_total{route=\"");
                label_value(out, route_names[r]);
                g_string_append_printf(out, "\",method=\"%s\",status=\"",
                                       m < HP_ARRAY_SIZE(methods) ? methods[m] : "other");
                if (s < HP_ARRAY_SIZE(statuses))
                    g_string_append_printf(out, "%d", statuses[s]);
                else
                    g_string_append(out, "other");
                g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n", n);
            }
}

static void write_durations(GString *out)
{
    const char *name = "hallpass_http_request_duration_seconds";
    family(out, name, "histogram", "Time from a request's arrival to its answer, by route.");
    for (size_t r = 0; r < route_count; r++) {
        uint64_t seen[BUCKET_SLOTS];
        uint64_t total = 0;
        for (size_t b = 0; b < BUCKET_SLOTS; b++)
            total += seen[b] = get(&durations[r][b]);
        if (total == 0)
            continue;
        uint64_t cumulative = 0;
        for (size_t b = 0; b < BUCKET_SLOTS; b++) {
            cumulative += seen[b];
            g_string_append_printf(out, "%s_bucket{route=\"", name);
            label_value(out, route_names[r]);
            g_string_append_printf(out, "\",le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                                   b < HP_ARRAY_SIZE(bucket_le) ? bucket_le[b] : "+Inf",
                                   cumulative);
        }
        g_string_append_printf(out, "%s_sum{route=\"", name);
        label_value(out, route_names[r]);
        g_string_append_printf(out, "\"} %.6f\n",
                               (double)get(&duration_sum_us[r]) / (double)G_USEC_PER_SEC);
        g_string_append_printf(out, "%s_count{route=\"", name);
        label_value(out, route_names[r]);
        g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n", total);
    }
}

static void write_passes(GString *out)
{
    family(out, "hallpass_passes_created_total", "counter", "Passes created.");
    g_string_append_printf(out, "hallpass_passes_created_total %" G_GUINT64_FORMAT "\n",
                           get(&passes_created));
    family(out, "hallpass_passes_refused_total", "counter",
           "Passes refused (made or resumed), by the rule that refused them.");
    for (size_t rule = 0; rule <= HP_RULE_COUNT; rule++) {
        uint64_t n = get(&passes_refused[rule]);
        if (rule == 0 && n == 0)
            continue; /* A refusal of no rule does not happen; shown only if it did. */
        g_string_append_printf(out,
                               "hallpass_passes_refused_total{rule=\"%s\"} %" G_GUINT64_FORMAT "\n",
                               rule ? hp_rule_name((hp_rule_id)rule) : "other", n);
    }
    family(out, "hallpass_passes_overridden_total", "counter",
           "Passes created by staff passing over a rule that refused them.");
    g_string_append_printf(out, "hallpass_passes_overridden_total %" G_GUINT64_FORMAT "\n",
                           get(&passes_overridden));
}

/* The passes active and the students in line at now in one school. */
static int school_gauges(hp_store *store, const hp_school *school, int64_t now, int64_t *active,
                         size_t *line)
{
    int rc = hp_store_active_count(store, school->id, HP_ACTIVE_IN_SCHOOL, 0, now, active);
    if (rc < 0)
        return rc;
    hp_tz *tz = NULL;
    if ((rc = hp_tz_new(&tz, school->timezone)) < 0)
        return rc;
    hp_line_filter filter = {
        .kind = HP_LINE_LIST_IN_LINE, .now = now, .today = hp_tz_local_day(tz, now)};
    hp_tz_free(tz);
    hp_line_entry *entries = NULL;
    if ((rc = hp_store_line_list(store, school->id, &filter, &entries, line)) < 0)
        return rc;
    hp_line_entries_free(entries, *line);
    return HP_OK;
}

/* The gauges of every school, written only once all are read. */
static int write_gauges(hp_store *store, int64_t now, GString *out)
{
    hp_school *schools = NULL;
    size_t count = 0;
    int rc = store ? hp_store_schools_list(store, &schools, &count) : HP_ESTORE;
    if (rc < 0)
        return rc;
    GString *active = g_string_new(NULL);
    GString *line = g_string_new(NULL);
    for (size_t i = 0; i < count && rc == HP_OK; i++) {
        int64_t n_active = 0;
        size_t n_line = 0;
        if ((rc = school_gauges(store, &schools[i], now, &n_active, &n_line)) < 0)
            break;
        g_string_append_printf(active, "hallpass_passes_active{school=\"%lld\"} %lld\n",
                               (long long)schools[i].id, (long long)n_active);
        g_string_append_printf(line, "hallpass_line_length{school=\"%lld\"} %zu\n",
                               (long long)schools[i].id, n_line);
    }
    if (rc == HP_OK) {
        family(out, "hallpass_passes_active", "gauge", "Passes active now, by school id.");
        g_string_append(out, active->str);
        family(out, "hallpass_line_length", "gauge",
               "Students waiting in the line now, by school id.");
        g_string_append(out, line->str);
    }
    g_string_free(active, TRUE);
    g_string_free(line, TRUE);
    hp_schools_free(schools, count);
    return rc;
}

void hp_metrics_write(hp_store *store, int64_t now, GString *out)
{
    write_requests(out);
    write_durations(out);
    write_passes(out);
    /* A store that could not be opened was counted by whoever tried to open it. */
    if (write_gauges(store, now, out) < 0 && store)
        hp_metrics_store_error();
    family(out, "hallpass_store_errors_total", "counter",
           "Requests and background tasks that failed in the store.");
    g_string_append_printf(out, "hallpass_store_errors_total %" G_GUINT64_FORMAT "\n",
                           get(&store_errors));
}

int hp_metrics_health(hp_store *store)
{
    if (store == NULL)
        return hp_error_set(HP_ESTORE, "the store cannot be opened");
    return hp_store_ping(store);
}
