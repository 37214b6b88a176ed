/*
 * No-pass times and the school's calendar: the bell schedule (periods by weekday, or for one
 * date in place of its weekday), the first and last minutes of each period in which students
 * and kiosks may not start a pass, blackouts (windows with an optional end, such as "stop all
 * passes"), the local week of an instant for the weekly limit, and the local midnight at which
 * the waiting line forgets an entry. Local times go through the school's zone, so a period at
 * 10:00 is at 10:00 on the days the clocks change too. No I/O here.
 */
#ifndef HP_CORE_SCHEDULE_H
#define HP_CORE_SCHEDULE_H

#include "core/tz.h"

#include <glib.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HP_SCHEDULE_ROWS_MAX 5000 /* Rows of a bell schedule: a year of special days. */

/* One period of the bell schedule. */
typedef struct {
    int weekday;  /* 1 = Monday ... 7 = Sunday, or 0 when the row is for one date. */
    int32_t date; /* The local day number of that date, when weekday is 0. */
    char *period; /* Its name, "Period 2". */
    int start;    /* Local minutes after midnight, 0-1439. */
    int end;      /* Local minutes after midnight, after start. */
} hp_bell_row;

/* A bell schedule: the rows of a file, in the order added (g_array_index(rows, hp_bell_row,
 * i)); hp_schedule_release frees them and their names. */
typedef struct {
    GArray *rows;
} hp_schedule;

void hp_schedule_init(hp_schedule *schedule);
void hp_schedule_release(hp_schedule *schedule);

/* Adds one row from its fields as they stand in the file: day `mon` ... `sun` (any ASCII
 * case) or a date `YYYY-MM-DD`, period a name, start and end local `HH:MM` with end after
 * start. A period that overlaps another of the same day is refused. The message names the
 * field and the value (`start: "8:5" is not a time HH:MM`); on failure nothing changes. */
int hp_schedule_add(hp_schedule *schedule, const char *day, const char *period, const char *start,
                    const char *end);

/* The day field of a row as text: `mon` ... `sun` or `YYYY-MM-DD`; HH:MM of a minute. */
void hp_bell_row_day(const hp_bell_row *row, char out[HP_DATE_LEN]);
void hp_minutes_format(int minutes, char out[8]);

/* The periods of a local day: its date's rows when it has any, else its weekday's, in the
 * order added, as pointers into the schedule; g_ptr_array_unref the array. */
GPtrArray *hp_schedule_day(const hp_schedule *schedule, int32_t day);

/* A blackout: no passes from start until end, or until it is deleted. */
typedef struct {
    int64_t id;
    int64_t start;
    int64_t end; /* Meaningful only when has_end. */
    bool has_end;
    char *reason;       /* NULL when none given. */
    int64_t created_by; /* The admin who made it (0 when not known). */
    int64_t created_at; /* When it was made. */
    char *creator_name; /* Their name as the store read it, or NULL. */
} hp_blackout;

/* Takes a blackout from a request: start and end date-times with offsets (an empty start
 * means now, an empty end means until it is deleted) and an optional reason. The end must lie
 * after the start and after now. */
int hp_blackout_parse(hp_blackout *out, const char *start, const char *end, const char *reason,
                      int64_t now);
void hp_blackout_release(hp_blackout *blackout);
void hp_blackouts_free(hp_blackout *blackouts, size_t count);

typedef enum {
    HP_NO_PASS_FIRST,   /* The first minutes of a period. */
    HP_NO_PASS_LAST,    /* The last minutes of a period. */
    HP_NO_PASS_BLACKOUT /* A blackout. */
} hp_no_pass_kind;

/* A no-pass window that an instant falls in. */
typedef struct {
    hp_no_pass_kind kind;
    int64_t start;
    int64_t end;       /* When passes may start again; meaningful only when has_end. */
    bool has_end;      /* Always true for a period; false for a blackout until deleted. */
    int minutes;       /* The N of "first N minutes" or M of "last M minutes". */
    const char *label; /* The period's name or the blackout's reason (NULL when none); it points
                          into the schedule or the blackout it came from. */
} hp_no_pass_window;

/* The period window t falls in, given the school's first and last minutes (0: off): the
 * first minutes are [period start, start + N) and the last [end - M, end), by the clock of
 * that day. When t falls in two (a period shorter than N + M), the one that lasts longer wins.
 * False when t falls in none. */
bool hp_schedule_window_at(const hp_schedule *schedule, const hp_tz *tz, int first_minutes,
                           int last_minutes, int64_t t, hp_no_pass_window *out);

/* The blackout t falls in ([start, end)); one without an end wins, then the one that ends
 * last. */
bool hp_blackout_window_at(const hp_blackout *blackouts, size_t count, int64_t t,
                           hp_no_pass_window *out);

/* The no-pass window that applies at t: a blackout, else a period window; when windows touch
 * one another (the last minutes of a period and the first of the next), the last of that run,
 * whose end is when passes may start again. */
bool hp_no_pass_at(const hp_schedule *schedule, const hp_blackout *blackouts, size_t blackout_count,
                   const hp_tz *tz, int first_minutes, int last_minutes, int64_t t,
                   hp_no_pass_window *out);

/* The local week of t, Monday to Sunday, as day numbers. */
void hp_local_week(const hp_tz *tz, int64_t t, int32_t *monday_out, int32_t *sunday_out);

/* The local midnight that ends the day of t: when a line entry that joined at t is removed. */
int64_t hp_local_midnight_after(const hp_tz *tz, int64_t t);

#endif
