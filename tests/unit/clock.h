/* What the pass-rule tests share: instants from UTC wall-clock times worked out by hand, and
 * the school's zone, America/Chicago, as cmocka group state. */
#ifndef HP_TEST_CLOCK_H
#define HP_TEST_CLOCK_H

#include <stdint.h>

/* Unix seconds of a UTC wall-clock time. */
int64_t utc(int year, int month, int day, int hour, int minute, int second);

/* The day number (days since 1970-01-01) of a calendar date. */
int32_t day_of(int year, int month, int day);

/* cmocka group setup and teardown: *state is an hp_tz of America/Chicago. */
int chicago_setup(void **state);
int chicago_teardown(void **state);

#endif
