/* Purges of old records, by command and by the server each day; see retention.h. */
#include "service/retention.h"

#include "core/error.h"
#include "service/settings.h"

#include <glib.h>
#include <jansson.h>

#define SECONDS_PER_DAY 86400

/* The audit detail of a purge: the date and what went. */
static json_t *purge_detail(const char *date, const hp_purge_result *r)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "before", date, "passes",
                     (json_int_t)r->removed.passes, "line_entries",
                     (json_int_t)r->removed.line_entries, "refusals",
                     (json_int_t)r->removed.refusals, "prevented", (json_int_t)r->removed.prevented,
                     "audit", (json_int_t)r->audit);
}

int hp_retention_purge(hp_store *store, const hp_school *school, const hp_tz *tz, const char *field,
                       int32_t before_day, int64_t now, bool dry_run, const hp_audit_by *by,
                       hp_purge_result *out)
{
    char date[HP_DATE_LEN], today_text[HP_DATE_LEN];
    int32_t today = hp_tz_local_day(tz, now);
    hp_date_format(before_day, date);
    *out = (hp_purge_result){.before_day = before_day};
    if (before_day > today) {
        hp_date_format(today, today_text);
        return hp_error_set(HP_EINVALID,
                            "%s: %s is after today (%s); only the days before today are purged",
                            field, date, today_text);
    }
    /* The audit log keeps its last days whatever the date: those are what a school is asked
     * about first. */
    int64_t audit_before = hp_tz_day_start(tz, before_day);
    int64_t audit_floor = now - (int64_t)HP_AUDIT_KEEP_MIN_DAYS * SECONDS_PER_DAY;
    if (audit_before > audit_floor)
        audit_before = audit_floor;

    int rc = hp_store_begin(store);
    if (rc < 0)
        return rc;
    if ((rc = hp_store_purge(store, school->id, before_day, &out->removed)) < 0 ||
        (rc = hp_store_audit_purge(store, school->id, audit_before, now, &out->audit)) < 0)
        goto fail;
    if (dry_run) {
        hp_store_rollback(store);
        return HP_OK;
    }
    if ((rc = hp_audit_write(store, by, now, "purge", date, purge_detail(date, out))) < 0 ||
        (rc = hp_store_commit(store)) < 0)
        goto fail;
    return HP_OK;
fail:
    hp_store_rollback(store);
    return rc;
}

int hp_retention_purge_date(hp_store *store, const hp_school *school, const hp_tz *tz,
                            const char *field, const char *date, int64_t now, bool dry_run,
                            const hp_audit_by *by, hp_purge_result *out)
{
    int32_t day;
    int rc = hp_date_parse(date, &day);
    if (rc < 0)
        return hp_error_prefix(rc, "%s", field);
    return hp_retention_purge(store, school, tz, field, day, now, dry_run, by, out);
}

/* One school's daily purge, when its setting asks for one and the day has moved on. */
static int purge_school(hp_store *store, const hp_school *school, int64_t now, bool *purged)
{
    hp_settings settings;
    int32_t purged_before;
    hp_tz *tz;
    *purged = false;
    int rc = hp_school_settings_get(store, school->id, &settings);
    if (rc < 0 || settings.retain_passes_days == 0)
        return rc;
    if ((rc = hp_tz_new(&tz, school->timezone)) < 0)
        return rc;
    int32_t before_day = hp_tz_local_day(tz, now) - settings.retain_passes_days;
    if ((rc = hp_store_purged_before(store, school->id, &purged_before)) == HP_OK &&
        before_day > purged_before) {
        hp_audit_by by = hp_audit_by_server(school->id);
        hp_purge_result result;
        rc = hp_retention_purge(store, school, tz, "retain_passes_days", before_day, now, false,
                                &by, &result);
        *purged = rc == HP_OK;
    }
    hp_tz_free(tz);
    return rc;
}

int hp_retention_daily(hp_store *store, int64_t now, size_t *purged_out)
{
    hp_school *schools;
    size_t n;
    *purged_out = 0;
    int rc = hp_store_schools_list(store, &schools, &n);
    if (rc < 0)
        return rc;
    int first = HP_OK;
    for (size_t i = 0; i < n; i++) {
        bool purged;
        rc = purge_school(store, &schools[i], now, &purged);
        if (rc < 0) {
            if (first == HP_OK)
                first = hp_error_prefix(rc, "%s", schools[i].name);
            continue;
        }
        *purged_out += purged;
    }
    hp_schools_free(schools, n);
    return first;
}
