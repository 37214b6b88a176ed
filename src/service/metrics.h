/*
 * The server's metrics, in Prometheus's text exposition format (version 0.0.4): requests by
 * route, method and status, their durations as histograms by route, passes created, refused
 * by rule and overridden, store errors, and at each scrape the passes active and the line's
 * length per school, read from the store. Counters are C11 atomics, so a request counts itself
 * with no lock; a scrape reads them as they are at that moment.
 */
#ifndef HP_SERVICE_METRICS_H
#define HP_SERVICE_METRICS_H

#include "core/rules.h"
#include "store/store.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Routes the metrics can tell apart: the server's route table and its few other kinds of
 * request. */
#define HP_METRICS_ROUTES_MAX 96

/* Names the routes, once, before any request is counted: names[i] is route i's pattern as the
 * metrics and the log show it. The strings must live as long as the process. Routes past
 * HP_METRICS_ROUTES_MAX are not counted. */
void hp_metrics_set_routes(const char *const *names, size_t count);

/* A request answered: its route's index, its method, status and duration in microseconds. */
void hp_metrics_request(size_t route, const char *method, int status, int64_t duration_us);

/* A pass created (after its transaction committed); overridden when staff passed a rule. */
void hp_metrics_pass_created(bool overridden);
/* A pass refused by a rule (after the refusal's transaction committed). */
void hp_metrics_pass_refused(hp_rule_id rule);
/* A request or background task that failed in the store. */
void hp_metrics_store_error(void);

/* Appends every metric to out. The gauges are read from the store at now; when store is NULL
 * or the read fails, they are left out (and a failed read is counted as a store error). */
void hp_metrics_write(hp_store *store, int64_t now, GString *out);

/* The health check: HP_OK when the store answers a trivial query, else HP_ESTORE with the
 * reason. Reads no school's data. */
int hp_metrics_health(hp_store *store);

#endif
