/* GET /healthz: whether the server and its store answer, for a load balancer or a monitor. No
 * sign-in, no school's data, never cached (every answer says Cache-Control: no-store). */
#include "http/http.h"

#include "service/metrics.h"

void hp_http_healthz(hp_http_request *req, hp_http_response *res)
{
    int rc = hp_metrics_health(req->store);
    if (rc < 0) {
        /* 503 with the store's usual words; the reason goes to the server's log. */
        hp_http_fail(res, rc);
        return;
    }
    json_t *ok = json_object();
    json_object_set_new(ok, "status", json_string("ok"));
    hp_http_json(res, 200, ok);
}
