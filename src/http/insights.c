/* /api/insights/KIND: the insights for admins, as JSON, CSV or XLSX, answered as the reports
 * are (reports.c), with the same bytes as `hallpass insights`. */
#include "http/http.h"

#include "report/insight.h"

#include <string.h>

void hp_http_insights(hp_http_request *req, hp_http_response *res)
{
    /* The routes name only the insights' kinds, so the last segment is one. */
    const char *word = strrchr(req->path, '/') + 1;
    hp_report_kind kind;
    if (hp_insight_kind_parse(word, &kind) < 0) {
        hp_http_error(res, 404, "no insight named \"%.40s\"", word);
        return;
    }
    hp_http_report_answer(req, res, kind);
}
