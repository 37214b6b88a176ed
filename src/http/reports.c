/* /api/reports/rooms and /api/reports/staff: the reports for admins, as JSON, CSV or XLSX,
 * with the same bytes as the command line; and the one way any report or insight is answered
 * (insights.c answers the insights through it), each answer recorded in the audit log. */
#include "http/http.h"

#include "core/error.h"
#include "export/export.h"
#include "report/insight.h"
#include "report/report.h"
#include "service/audit.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

bool hp_http_report_format(const hp_http_request *req, hp_http_response *res, hp_format *out)
{
    const char *word = hp_http_query(req, "format");
    *out = HP_FORMAT_JSON;
    if (word && (hp_format_parse(word, out) < 0 || *out == HP_FORMAT_TABLE)) {
        hp_http_error(res, 400, "format: \"%.40s\" is not json, csv or xlsx", word);
        return false;
    }
    return true;
}

void hp_http_report_write(hp_http_response *res, const hp_report *rep, hp_format format)
{
    char *body = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&body, &len);
    if (out == NULL) {
        hp_http_fail(res, hp_error_set(HP_ERROR, "no memory to write the answer"));
        return;
    }
    int rc = hp_export(rep, format, out);
    fclose(out);
    if (rc < 0) {
        free(body);
        hp_http_fail(res, rc);
        return;
    }
    res->status = 200;
    res->body = g_memdup2(body, len); /* open_memstream's buffer is malloc memory. */
    res->body_len = len;
    free(body);
    res->content_type = hp_format_content_type(format);
    if (format != HP_FORMAT_JSON) {
        char name[96];
        hp_report_filename(rep, hp_format_extension(format), name, sizeof(name));
        res->content_disposition = g_strdup_printf("attachment; filename=\"%s\"", name);
    }
}

void hp_http_report_answer(hp_http_request *req, hp_http_response *res, hp_report_kind kind)
{
    bool insight = hp_report_kind_is_insight(kind);
    if (!hp_actor_is_admin(&req->actor)) {
        hp_http_error(res, 403, "only admins see %s", insight ? "insights" : "reports");
        return;
    }
    hp_format format;
    if (!hp_http_report_format(req, res, &format))
        return;
    hp_report_query query = {
        .from = hp_http_query(req, "from"),
        .to = hp_http_query(req, "to"),
        .sort = hp_http_query(req, "sort"),
        .order = hp_http_query(req, "order"),
        .compare = hp_http_query(req, "compare"),
        .destination = insight ? hp_http_query(req, "destination") : NULL,
    };
    hp_report *rep;
    int rc = insight ? hp_insight_build(&rep, req->store, &req->actor.school, req->actor.tz, kind,
                                        &query, req->now)
                     : hp_report_build(&rep, req->store, &req->actor.school, req->actor.tz, kind,
                                       &query);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    /* Recorded once built and before it is answered: nothing is seen unrecorded, and a view
     * that cannot be recorded is not shown. */
    rc = hp_audit_report_read(req->store, &req->actor, req->now, rep, hp_format_extension(format));
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_report_write(res, rep, format);
    hp_report_free(rep);
}

void hp_http_reports_rooms(hp_http_request *req, hp_http_response *res)
{
    hp_http_report_answer(req, res, HP_REPORT_ROOMS);
}

void hp_http_reports_staff(hp_http_request *req, hp_http_response *res)
{
    hp_http_report_answer(req, res, HP_REPORT_STAFF);
}
