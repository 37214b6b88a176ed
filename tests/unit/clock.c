/* Instants and the school's zone for the pass-rule tests; see clock.h. GLib's UTC calendar,
 * which knows no zone, gives the instants, so they do not come from the code under test. */
#include "clock.h"

#include "core/error.h"
#include "core/tz.h"

#include <glib.h>

int64_t utc(int year, int month, int day, int hour, int minute, int second)
{
    GDateTime *when = g_date_time_new_utc(year, month, day, hour, minute, second);
    int64_t unix_seconds = g_date_time_to_unix(when);
    g_date_time_unref(when);
    return unix_seconds;
}

int32_t day_of(int year, int month, int day)
{
    return (int32_t)(utc(year, month, day, 0, 0, 0) / 86400);
}

int chicago_setup(void **state)
{
    hp_tz *tz = NULL;
    if (hp_tz_new(&tz, "America/Chicago") != HP_OK)
        return -1;
    *state = tz;
    return 0;
}

int chicago_teardown(void **state)
{
    hp_tz_free(*state);
    return 0;
}
