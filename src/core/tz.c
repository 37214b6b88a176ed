/* Local days and date parsing over GLib's GTimeZone and GDate; see tz.h. */
#include "core/tz.h"

#include "core/error.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct hp_tz {
    GTimeZone *zone;
    /* The last UTC day whose offset held all day long, packed as (day << 32 | offset) and
     * read and written atomically, since server threads share a zone. GLib finds an
     * instant's offset by a walk over the zone's transitions; most instants asked for in a
     * row fall on the same day. */
    uint64_t same_offset_day;
};

#define NO_DAY ((uint64_t)INT32_MIN << 32)

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
    tz->same_offset_day = NO_DAY;
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

static int32_t zone_offset(const hp_tz *tz, int64_t unix_seconds)
{
    int interval = g_time_zone_find_interval(tz->zone, G_TIME_TYPE_UNIVERSAL, unix_seconds);
    return g_time_zone_get_offset(tz->zone, interval);
}

static int32_t offset_at(const hp_tz *tz, int64_t unix_seconds)
{
    int64_t day = floor_div(unix_seconds, 86400);
    uint64_t cached = __atomic_load_n(&tz->same_offset_day, __ATOMIC_RELAXED);
    if ((int32_t)(cached >> 32) == day && cached != NO_DAY)
        return (int32_t)(uint32_t)cached;
    int32_t offset = zone_offset(tz, unix_seconds);
    /* A day with the same offset at its first and last second has no change in it: zones
     * change their offset at most a few times a year. */
    if (day > INT32_MIN && day < INT32_MAX && zone_offset(tz, day * 86400) == offset &&
        zone_offset(tz, day * 86400 + 86399) == offset) {
        uint64_t packed = ((uint64_t)(uint32_t)day << 32) | (uint32_t)offset;
        /* hp_tz is otherwise read-only; only this cache changes. */
        __atomic_store_n(&((hp_tz *)tz)->same_offset_day, packed, __ATOMIC_RELAXED);
    }
    return offset;
}

int32_t hp_tz_local_day(const hp_tz *tz, int64_t unix_seconds)
{
    return (int32_t)floor_div(unix_seconds + offset_at(tz, unix_seconds), 86400);
}

int hp_tz_local_hour(const hp_tz *tz, int64_t unix_seconds)
{
    int64_t local = unix_seconds + offset_at(tz, unix_seconds);
    return (int)((local - floor_div(local, 86400) * 86400) / 3600);
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
    /* Before standard time, zones ran on local mean time, whose offset has seconds (Chicago's
     * was -5:50:36); an offset in minutes cannot say that, so such instants are written in
     * UTC. */
    bool utc = off % 60 != 0;
    if (utc)
        off = 0;
    int64_t local = unix_seconds + off;
    int32_t day = (int32_t)floor_div(local, 86400);
    int64_t sec = local - (int64_t)day * 86400;
    char date[HP_DATE_LEN], zone[16] = "Z";
    hp_date_format(day, date);
    int aoff = off < 0 ? -off : off;
    if (!utc)
        snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+', aoff / 3600,
                 aoff / 60 % 60);
    snprintf(out, HP_DATETIME_LEN, "%sT%02d:%02d:%02d%s", date, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60), zone);
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

int32_t hp_day_month(int32_t day)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, (guint32)(day + EPOCH_JULIAN));
    return (int32_t)g_date_get_year(&date) * 12 + (int32_t)g_date_get_month(&date) - 1;
}

int32_t hp_month_first_day(int32_t month)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, 1, (GDateMonth)(month % 12 + 1), (GDateYear)(month / 12));
    return (int32_t)g_date_get_julian(&date) - EPOCH_JULIAN;
}

int hp_date_weekday(int32_t day)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, (guint32)(day + EPOCH_JULIAN));
    return (int)g_date_get_weekday(&date);
}

static int two_digits(const char *p)
{
    return g_ascii_isdigit(p[0]) && g_ascii_isdigit(p[1]) ? (p[0] - '0') * 10 + (p[1] - '0') : -1;
}

/* The form nearly every file holds, YYYY-MM-DDTHH:MM:SS followed by Z or +HH:MM, read
 * without GLib's general parser, which costs more than the rest of an imported row. Returns
 * false for anything else, which then goes to GLib. */
static bool parse_common_datetime(const char *t, size_t n, int64_t *unix_out)
{
    if (n != 20 && n != 25)
        return false;
    for (int i = 0; i < 4; i++)
        if (!g_ascii_isdigit(t[i]))
            return false;
    int year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    int month = two_digits(t + 5), day = two_digits(t + 8);
    int hour = two_digits(t + 11), minute = two_digits(t + 14), second = two_digits(t + 17);
    if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
        t[16] != ':' || year < 1 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 59 ||
        !g_date_valid_dmy((GDateDay)day, (GDateMonth)month, (GDateYear)year))
        return false;
    int offset = 0;
    if (n == 20) {
        if (t[19] != 'Z' && t[19] != 'z')
            return false;
    } else {
        int oh = two_digits(t + 20), om = two_digits(t + 23);
        if ((t[19] != '+' && t[19] != '-') || t[22] != ':' || oh < 0 || oh > 23 || om < 0 ||
            om > 59)
            return false;
        offset = (t[19] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
    int64_t days = (int64_t)g_date_get_julian(&date) - EPOCH_JULIAN;
    *unix_out = days * 86400 + hour * 3600 + minute * 60 + second - offset;
    return true;
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
    if (parse_common_datetime(text, n, unix_out))
        return HP_OK;
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
