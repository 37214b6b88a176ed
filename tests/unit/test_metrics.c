/*
 * The metrics' text, with no store (so no gauges): a request counted under its route, method
 * and status, an unknown method and status as "other", label values escaped, histogram
 * buckets cumulative and ending with +Inf equal to the count, refusals by rule's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/metrics.h"

#include <string.h>

static const char *const names[] = {"/api/passes", "/odd\"route\\"};

static void has(const char *text, const char *line)
{
    if (strstr(text, line) == NULL)
        fail_msg("missing: %s\nin:\n%s", line, text);
}

static void test_requests_durations_and_passes(void **state)
{
    (void)state;
    hp_metrics_set_routes(names, 2);
    hp_metrics_request(0, "POST", 201, 1500);     /* In the 2.5 ms bucket. */
    hp_metrics_request(0, "POST", 201, 20000000); /* Past 10 s: only +Inf. */
    hp_metrics_request(1, "BREW", 299, 10);
    hp_metrics_request(7, "GET", 200, 10); /* Not a route: not counted. */
    hp_metrics_pass_created(true);
    hp_metrics_pass_created(false);
    hp_metrics_pass_refused(HP_RULE_MAX_TO);
    GString *out = g_string_new(NULL);
    hp_metrics_write(NULL, 0, out);
    const char *t = out->str;
    has(t, "# TYPE hallpass_http_requests_total counter\n");
    has(t, "hallpass_http_requests_total{route=\"/api/passes\",method=\"POST\",status=\"201\"} "
           "2\n");
    has(t, "hallpass_http_requests_total{route=\"/odd\\\"route\\\\\",method=\"other\","
           "status=\"other\"} 1\n");
    has(t, "hallpass_http_request_duration_seconds_bucket{route=\"/api/passes\",le=\"0.001\"} 0\n");
    has(t, "hallpass_http_request_duration_seconds_bucket{route=\"/api/passes\",le=\"0.0025\"} "
           "1\n");
    has(t, "hallpass_http_request_duration_seconds_bucket{route=\"/api/passes\",le=\"10\"} 1\n");
    has(t, "hallpass_http_request_duration_seconds_bucket{route=\"/api/passes\",le=\"+Inf\"} 2\n");
    has(t, "hallpass_http_request_duration_seconds_count{route=\"/api/passes\"} 2\n");
    has(t, "hallpass_http_request_duration_seconds_sum{route=\"/api/passes\"} 20.001500\n");
    has(t, "hallpass_passes_created_total 2\n");
    has(t, "hallpass_passes_overridden_total 1\n");
    has(t, "hallpass_passes_refused_total{rule=\"max_to\"} 1\n");
    has(t, "hallpass_passes_refused_total{rule=\"hallway_cap\"} 0\n");
    has(t, "hallpass_store_errors_total 0\n");
    assert_null(strstr(t, "hallpass_passes_active"));
    assert_null(strstr(t, "status=\"200\""));
    g_string_free(out, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_durations_and_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
