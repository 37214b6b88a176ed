/* GET /api/audit: the school's audit log for its admins, newest first, a page at a time
 * (`before` the oldest id seen), or as a CSV file of the same records (`format=csv`). */
#include "http/http.h"

#include "core/error.h"
#include "export/export.h"
#include "service/audit.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A CSV file takes every matching record, up to what one read hands back. */
#define AUDIT_FILE_LIMIT HP_AUDIT_LIST_MAX

static void answer_csv(hp_http_response *res, const hp_audit_filter *filter,
                       const hp_audit_record *records, size_t n, const hp_tz *tz)
{
    char *body = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&body, &len);
    if (out == NULL) {
        hp_http_fail(res, hp_error_set(HP_ERROR, "no memory to write the answer"));
        return;
    }
    int rc = hp_export_audit(records, n, tz, HP_FORMAT_CSV, out);
    fclose(out);
    if (rc < 0) {
        free(body);
        hp_http_fail(res, rc);
        return;
    }
    hp_http_body_copy(res, 200, hp_format_content_type(HP_FORMAT_CSV), body, len);
    free(body); /* open_memstream's buffer is malloc memory. */
    char *name = hp_audit_filename(filter, "csv");
    res->content_disposition = g_strdup_printf("attachment; filename=\"%s\"", name);
    g_free(name);
}

void hp_http_audit_list(hp_http_request *req, hp_http_response *res)
{
    const char *format = hp_http_query(req, "format");
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0) {
        hp_http_error(res, 400, "format: \"%.40s\" is not json or csv", format);
        return;
    }
    hp_audit_filter filter = {
        .from = hp_http_query(req, "from"),
        .to = hp_http_query(req, "to"),
        .user = hp_http_query(req, "user"),
        .action = hp_http_query(req, "action"),
        .limit = hp_http_query(req, "limit"),
        .before = hp_http_query(req, "before"),
    };
    hp_audit_record *records;
    size_t n;
    bool more;
    int rc =
        hp_audit_read_actor(req->store, &req->actor, &filter,
                            csv ? AUDIT_FILE_LIMIT : HP_AUDIT_PAGE_DEFAULT, &records, &n, &more);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    if (csv) {
        answer_csv(res, &filter, records, n, req->actor.tz);
    } else {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(items, hp_audit_record_json(&records[i], req->actor.tz));
        /* The next page is the records older than the last one shown. */
        json_t *older = more && n > 0 ? json_integer((json_int_t)records[n - 1].id) : json_null();
        hp_http_json(res, 200, json_pack("{s:o, s:o}", "records", items, "older", older));
    }
    hp_audit_records_free(records, n);
}
