/* Local days and date parsing over GLib's GTimeZone and GDate; see tz.h. */
#include "core/tz.h"

#include "core/error.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct hp_tz {
    GTimeZone *zone;
};

/* Julian day number (GDate's, 1 = 0001-01-01) of 1970-01-01. */
#define EPOCH_JULIAN 719163

/* True when the name has the form of a tz database name (Area/Location, letters, digits, _ - +)
 * and the tz database holds a zone file of that name. */
static bool is_iana_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || !g_ascii_isalpha(name[0]) || strstr(name, "..") ||
        strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0)
        return false;
    for (const char *p = name; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("/_-+", *p))
            return false;
    const char *dir = g_getenv("TZDIR");
    char *path = g_build_filename(dir && dir[0] ? dir : "/usr/share/zoneinfo", name, NULL);
    bool found = g_file_test(path, G_FILE_TEST_IS_REGULAR);
    g_free(path);
    return found;
}

int hp_tz_new(hp_tz **out, const char *identifier)
{
    *out = NULL;
    if (identifier == NULL || identifier[0] == '\0')
        return hp_error_set(HP_EINVALID, "no time zone given");
    /* GLib also takes POSIX TZ strings such as "UTC+5" or "CST6" (whose signs run backwards)
     * and offsets such as "+05:00"; a school needs a named zone of the tz database, which
     * knows its daylight-saving rules. */
    if (!is_iana_name(identifier))
        return hp_error_set(HP_EINVALID, "\"%s\" is not an IANA time zone such as America/Chicago",
                            identifier);
    GTimeZone *zone = g_time_zone_new_identifier(identifier);
    if (zone == NULL)
        return hp_error_set(HP_EINVALID, "\"%s\" is not an IANA time zone such as America/Chicago",
                            identifier);
    hp_tz *tz = g_new0(hp_tz, 1);
    tz->zone = zone;
    *out = tz;
    return HP_OK;
}

void hp_tz_free(hp_tz *tz)
{
    if (tz == NULL)
        return;
    g_time_zone_unref(tz->zone);
    g_free(tz);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int32_t offset_at(const hp_tz *tz, int64_t unix_seconds)
{
    int interval = g_time_zone_find_interval(tz->zone, G_TIME_TYPE_UNIVERSAL, unix_seconds);
    return g_time_zone_get_offset(tz->zone, interval);
}

int32_t hp_tz_local_day(const hp_tz *tz, int64_t unix_seconds)
{
    return (int32_t)floor_div(unix_seconds + offset_at(tz, unix_seconds), 86400);
}

int32_t hp_tz_today(const hp_tz *tz)
{
    return hp_tz_local_day(tz, g_get_real_time() / G_USEC_PER_SEC);
}

int64_t hp_tz_local_time(const hp_tz *tz, int32_t day, int hour, int minute, int second)
{
    gint64 local = (gint64)day * 86400 + hour * 3600 + minute * 60 + second;
    gint64 t = local;
    /* adjust_time moves a time that falls in a gap forward. A time that comes twice, when the
     * clocks go back, is first daylight-saving time, so asking for that picks the first. */
    int interval = g_time_zone_adjust_time(tz->zone, G_TIME_TYPE_DAYLIGHT, &t);
    return t - g_time_zone_get_offset(tz->zone, interval);
}

int64_t hp_tz_day_start(const hp_tz *tz, int32_t day)
{
    return hp_tz_local_time(tz, day, 0, 0, 0);
}

void hp_tz_format_datetime(const hp_tz *tz, int64_t unix_seconds, char out[HP_DATETIME_LEN])
{
    int32_t off = offset_at(tz, unix_seconds);
    int64_t local = unix_seconds + off;
    int32_t day = (int32_t)floor_div(local, 86400);
    int64_t sec = local - (int64_t)day * 86400;
    char date[HP_DATE_LEN];
    hp_date_format(day, date);
    int aoff = off < 0 ? -off : off;
    snprintf(out, HP_DATETIME_LEN, "%sT%02d:%02d:%02d%c%02d:%02d", date, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60), off < 0 ? '-' : '+', aoff / 3600,
             aoff / 60 % 60);
}

int hp_date_parse(const char *text, int32_t *day_out)
{
    int y, m, d;
    char tail;

    if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        goto bad;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !g_ascii_isdigit(text[i]))
            goto bad;
    if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        goto bad;
    if (y < 1 || m < 1 || m > 12 || d < 1 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, y))
        goto bad;
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    *day_out = (int32_t)g_date_get_julian(&date) - EPOCH_JULIAN;
    return HP_OK;
bad:
    return hp_error_set(HP_EINVALID, "\"%s\" is not a date YYYY-MM-DD", text ? text : "");
}

void hp_date_format(int32_t day, char out[HP_DATE_LEN])
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, (guint32)(day + EPOCH_JULIAN));
    snprintf(out, HP_DATE_LEN, "%04d-%02d-%02d", g_date_get_year(&date),
             (int)g_date_get_month(&date), (int)g_date_get_day(&date));
}

int hp_date_weekday(int32_t day)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, (guint32)(day + EPOCH_JULIAN));
    return (int)g_date_get_weekday(&date);
}

int hp_datetime_parse(const char *text, int64_t *unix_out)
{
    /* GLib reads ISO 8601 but accepts forms no school system writes (week dates, ordinal
     * dates); insist on a calendar date, a time and an explicit offset. */
    size_t n = text ? strlen(text) : 0;
    if (n < 20 || n > 40 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != 't'))
        goto bad;
    char last = text[n - 1];
    bool zulu = last == 'Z' || last == 'z';
    bool offset = n >= 6 && (text[n - 6] == '+' || text[n - 6] == '-') && text[n - 3] == ':';
    if (!zulu && !offset)
        goto bad;
    GDateTime *dt = g_date_time_new_from_iso8601(text, NULL);
    if (dt == NULL)
        goto bad;
    *unix_out = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return HP_OK;
bad:
    return hp_error_set(HP_EINVALID,
                        "\"%s\" is not an ISO 8601 date-time with a UTC offset, such as "
                        "2026-09-14T10:03:00-05:00",
                        text ? text : "");
}
