/*
 * Time: a school's IANA zone decides its local dates. Local dates are kept as day numbers
 * (days since 1970-01-01 on the local calendar), so a report's range is a range of integers
 * however long the days around a daylight-saving change are. Backed by GLib's GTimeZone, so one
 * process can serve schools in several zones at once.
 */
#ifndef HP_CORE_TZ_H
#define HP_CORE_TZ_H

#include <stddef.h>
#include <stdint.h>

typedef struct hp_tz hp_tz;

#define HP_DATE_LEN 16     /* "YYYY-MM-DD", its NUL, and room for any year GDate holds. */
#define HP_DATETIME_LEN 40 /* "YYYY-MM-DDTHH:MM:SS+HH:MM" and room to spare. */

/* Opens the zone named by an IANA identifier such as "America/Chicago". */
int hp_tz_new(hp_tz **out, const char *identifier);
void hp_tz_free(hp_tz *tz);

/* The local day of the instant `unix` (seconds since the epoch). */
int32_t hp_tz_local_day(const hp_tz *tz, int64_t unix_seconds);

/* The hour (0-23) of the local wall clock at the instant: on the night the clocks go back the
 * repeated hour comes twice, and the skipped one never. */
int hp_tz_local_hour(const hp_tz *tz, int64_t unix_seconds);

/* The local day of now. */
int32_t hp_tz_today(const hp_tz *tz);

/* The first instant of a local day, in unix seconds. */
int64_t hp_tz_day_start(const hp_tz *tz, int32_t day);

/* Unix seconds of a local wall-clock time on a day; a time skipped by a daylight-saving change
 * moves forward, a repeated one takes the first. */
int64_t hp_tz_local_time(const hp_tz *tz, int32_t day, int hour, int minute, int second);

/* Formats an instant as ISO 8601 with the zone's offset at that instant. */
void hp_tz_format_datetime(const hp_tz *tz, int64_t unix_seconds, char out[HP_DATETIME_LEN]);

/* Parses a calendar date "YYYY-MM-DD" strictly into a day number. */
int hp_date_parse(const char *text, int32_t *day_out);
void hp_date_format(int32_t day, char out[HP_DATE_LEN]);

/* Months as numbers, year * 12 + month - 1, for the report counters' monthly sums. */
int32_t hp_day_month(int32_t day);
int32_t hp_month_first_day(int32_t month);

/* Day of the week of a day number, 1 = Monday ... 7 = Sunday. */
int hp_date_weekday(int32_t day);

/* Parses an ISO 8601 date-time that carries a UTC offset or Z into unix seconds. */
int hp_datetime_parse(const char *text, int64_t *unix_out);

#endif
