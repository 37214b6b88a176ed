/* /api/schedule and /api/blackouts: admins read and replace the bell schedule, and add,
 * list and delete blackouts. The work is in service/nopass.c; this file only turns JSON into
 * rows and fields, and rows into JSON. */
#include "http/http.h"

#include "core/error.h"
#include "core/schedule.h"
#include "core/util.h"
#include "service/nopass.h"
#include "service/settings.h"

#include <glib.h>
#include <string.h>

/* Bytes of a date-time in a request: longer than any ISO 8601 form the core takes. */
#define DATETIME_TEXT_MAX 64

static const char *const schedule_fields[] = {"day", "period", "start", "end"};
static const char *const blackout_fields[] = {"start", "end", "reason"};

static json_t *schedule_json(const hp_schedule *schedule)
{
    json_t *rows = json_array();
    for (guint i = 0; i < schedule->rows->len; i++) {
        const hp_bell_row *row = &g_array_index(schedule->rows, hp_bell_row, i);
        char day[HP_DATE_LEN], start[8], end[8];
        hp_bell_row_day(row, day);
        hp_minutes_format(row->start, start);
        hp_minutes_format(row->end, end);
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "day", day, "period",
                                              row->period, "start", start, "end", end));
    }
    return json_pack("{s:o}", "schedule", rows);
}

void hp_http_schedule_get(hp_http_request *req, hp_http_response *res)
{
    hp_schedule schedule;
    int rc = hp_nopass_schedule_get(req->store, &req->actor, &schedule);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    hp_http_json(res, 200, schedule_json(&schedule));
    hp_schedule_release(&schedule);
}

/* Reads the body's rows into schedule, each checked as a file's row is (hp_schedule_add);
 * answers 400 naming the row and the field. */
static bool read_schedule(json_t *body, hp_schedule *schedule, hp_http_response *res)
{
    json_t *rows = json_object_get(body, "schedule");
    if (!hp_http_only_known(body, (const char *const[]){"schedule"}, 1, "a bell schedule", "", res))
        return false;
    if (!json_is_array(rows)) {
        hp_http_error(res, 400, "schedule: must be a list of rows {day, period, start, end}");
        return false;
    }
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const char *f[HP_ARRAY_SIZE(schedule_fields)] = {NULL};
        char where[48];
        snprintf(where, sizeof(where), "schedule[%zu]: ", i);
        if (!json_is_object(row)) {
            hp_http_error(res, 400, "%smust be an object {day, period, start, end}", where);
            return false;
        }
        if (!hp_http_only_known(row, schedule_fields, HP_ARRAY_SIZE(schedule_fields), "a period",
                                where, res))
            return false;
        for (size_t k = 0; k < HP_ARRAY_SIZE(schedule_fields); k++) {
            json_t *v = json_object_get(row, schedule_fields[k]);
            if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
                json_string_length(v) > HP_NAME_MAX) {
                hp_http_error(res, 400, "%s%s: must be text of at most %d bytes", where,
                              schedule_fields[k], HP_NAME_MAX);
                return false;
            }
            f[k] = json_string_value(v);
        }
        int rc = hp_schedule_add(schedule, f[0], f[1], f[2], f[3]);
        if (rc < 0) {
            char message[HP_ERROR_MAX];
            g_strlcpy(message, hp_error_last(), sizeof(message));
            hp_http_error(res, 400, "%s%s", where, message);
            return false;
        }
    }
    return true;
}

void hp_http_schedule_put(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_admin_body(req, res);
    int rc;
    if (body == NULL)
        return;
    hp_schedule schedule;
    hp_schedule_init(&schedule);
    bool changed;
    if (read_schedule(body, &schedule, res)) {
        if ((rc = hp_nopass_schedule_put(req->store, &req->actor, &schedule, &changed)) < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, 200, schedule_json(&schedule));
    }
    hp_schedule_release(&schedule);
    json_decref(body);
}

static json_t *blackout_json(const hp_blackout *b, const hp_tz *tz, int64_t now)
{
    char start[HP_DATETIME_LEN], end[HP_DATETIME_LEN], made[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, b->start, start);
    hp_tz_format_datetime(tz, b->created_at, made);
    if (b->has_end)
        hp_tz_format_datetime(tz, b->end, end);
    bool active = b->start <= now && (!b->has_end || now < b->end);
    return json_pack("{s:I, s:s, s:o, s:o, s:b, s:o, s:s}", "id", (json_int_t)b->id, "start", start,
                     "end", b->has_end ? json_string(end) : json_null(), "reason",
                     b->reason ? json_string(b->reason) : json_null(), "active", active,
                     "created_by", b->creator_name ? json_string(b->creator_name) : json_null(),
                     "created_at", made);
}

void hp_http_blackouts_list(hp_http_request *req, hp_http_response *res)
{
    hp_blackout *list;
    size_t n;
    int rc = hp_nopass_blackouts_list(req->store, &req->actor, &list, &n);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, blackout_json(&list[i], req->actor.tz, req->now));
    hp_blackouts_free(list, n);
    hp_http_json(res, 200, json_pack("{s:o}", "blackouts", items));
}

void hp_http_blackouts_create(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_admin_body(req, res);
    int rc;
    if (body == NULL)
        return;
    const char *start, *end, *reason;
    hp_blackout made;
    if (hp_http_only_known(body, blackout_fields, HP_ARRAY_SIZE(blackout_fields), "a blackout", "",
                           res) &&
        hp_http_get_string(body, "start", DATETIME_TEXT_MAX, &start, res) &&
        hp_http_get_string(body, "end", DATETIME_TEXT_MAX, &end, res) &&
        hp_http_get_string(body, "reason", HP_NAME_MAX + 1, &reason, res)) {
        if ((rc = hp_nopass_blackout_add(req->store, &req->actor, start, end, reason, req->now,
                                         &made)) < 0)
            hp_http_fail(res, rc);
        else {
            hp_http_json(res, 201, blackout_json(&made, req->actor.tz, req->now));
            hp_blackout_release(&made);
        }
    }
    json_decref(body);
}

void hp_http_blackouts_delete(hp_http_request *req, hp_http_response *res)
{
    int rc = hp_nopass_blackout_delete(req->store, &req->actor, req->path_id);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_json(res, 200, json_pack("{s:I}", "deleted", (json_int_t)req->path_id));
}
