/*
 * Report counters: what the reports read instead of the passes. A counter has a key (what it
 * counts, whose, over which day or month) and the values its kind names. The store keeps one
 * per room or staff member and local day, and one per month; each pass adds to them in the
 * transaction that writes it.
 */
#ifndef HP_STORE_COUNTER_H
#define HP_STORE_COUNTER_H

#include "core/tz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a counter counts, and so what its subject is and what its values mean. The numbers are
 * stored: a new kind takes the next one, and none is ever renumbered. */
typedef enum {
    HP_COUNTER_ROOM = 0,  /* Subject a room; values hp_room_counts. */
    HP_COUNTER_STAFF = 1, /* Subject a staff member; values hp_staff_counts. */
    /* Refusals by the pass rules, counted in the transaction that refused and recounted
     * from the refusals it records as rows (hp_store_refusal_add). */
    HP_COUNTER_RULE_REFUSALS = 2,    /* Subject a rule (hp_rule_id); hp_rule_refusals. */
    HP_COUNTER_ROOM_REFUSALS = 3,    /* Subject a room; hp_room_refusals. */
    HP_COUNTER_STUDENT_REFUSALS = 4, /* Subject a student; hp_student_refusals. */
    /* Recounted from the recorded prevented passes. */
    HP_COUNTER_GROUP_REFUSALS = 5, /* Subject an encounter group; hp_group_refusals. */
    /* What the insights read, written with each pass (the hours and the students when it is
     * written, the durations when its end is) and recounted from the passes. */
    HP_COUNTER_SOURCE = 6,        /* Subject an hp_source; hp_source_counts. */
    HP_COUNTER_HOUR = 7,          /* Subject hp_counter_week_hour(): the local weekday and hour
                                     of start, so a month's counter still answers by weekday;
                                     hp_hour_counts. */
    HP_COUNTER_ROOM_HOUR = 8,     /* Subject hp_counter_room_hour(destination, week hour). */
    HP_COUNTER_DURATION = 9,      /* Subject the destination; hp_duration_counts. */
    HP_COUNTER_OVERTIME = 10,     /* Subject the destination; hp_overtime_counts. */
    HP_COUNTER_MINUTES = 11,      /* Subject hp_counter_room_minute(destination, whole minutes out,
                                     at most HP_DURATION_MINUTES_MAX); hp_minute_counts: the
                                     histogram the median is read from. */
    HP_COUNTER_STUDENT = 12,      /* Subject the student; hp_student_counts. */
    HP_COUNTER_STUDENT_TIME = 13, /* No longer written: a student's time out is in kind 12
                                     (the students insight reads one row per student and
                                     bucket). Kept so that the kinds after it keep their
                                     numbers. */
    /* Staff overrides, written with the pass that passed a rule by override. */
    HP_COUNTER_RULE_OVERRIDES = 14,  /* Subject a rule (hp_rule_id); hp_override_counts. */
    HP_COUNTER_ROOM_OVERRIDES = 15,  /* Subject a room, origin and destination of a pass that
                                        passed any rule by override; hp_override_counts. */
    HP_COUNTER_GROUP_OVERRIDES = 16, /* Subject an encounter group whose rule a pass passed by
                                        override; hp_override_counts. */
    /* The waiting line: passes started from it, per destination. */
    HP_COUNTER_ROOM_WAITS = 17, /* Subject the destination; hp_wait_counts. */
} hp_counter_kind;

#define HP_COUNTER_KIND_COUNT 18 /* Kinds above, for loops over all of them. */

/* Hours of a week in the hour counters (weekday 1-7 x hour 0-23), and the most whole minutes a
 * duration counts as in the histogram (a pass out longer counts as this many). */
#define HP_HOURS_PER_DAY 24
#define HP_WEEK_HOURS (7 * HP_HOURS_PER_DAY)
#define HP_DURATION_MINUTES_MAX 720

/* The hour of a week: (weekday - 1) x 24 + hour, weekday 1 Monday ... 7 Sunday. */
int hp_counter_week_hour(int weekday, int hour);
void hp_counter_week_hour_split(int week_hour, int *weekday, int *hour);

/* The subjects of the counters per room and week hour or minute: one number for the two. */
int64_t hp_counter_room_hour(int64_t room_id, int week_hour);
int64_t hp_counter_room_minute(int64_t room_id, int minute);
void hp_counter_room_hour_split(int64_t subject, int64_t *room_id, int *week_hour);
void hp_counter_room_minute_split(int64_t subject, int64_t *room_id, int *minute);

/* The span of time one counter sums. Stored numbers too. */
typedef enum {
    HP_PERIOD_DAY = 0,     /* One local day: bucket is its day number. */
    HP_PERIOD_MONTH = 1,   /* One calendar month: bucket is year * 12 + month - 1. */
    HP_PERIOD_WEEK = 2,    /* Monday to Sunday: bucket is the Monday's day number. */
    HP_PERIOD_QUARTER = 3, /* January to March, April to June...: bucket is year * 4 +
                              quarter - 1 (a month's bucket / 3). */
} hp_counter_period;

typedef struct {
    hp_counter_kind kind;
    hp_counter_period period;
    int32_t bucket;  /* Which day or month (see hp_counter_period). */
    int64_t subject; /* The room's or user's id. */
} hp_counter_key;

/* Room Usage: passes from the room and passes to it. */
typedef struct {
    int64_t from;
    int64_t to;
} hp_room_counts;

/* Staff Usage: the now passes and the scheduled passes a staff member wrote that count, and
 * of the now passes those from a kiosk they launched (the rest are from their own login). */
typedef struct {
    int64_t now;
    int64_t scheduled;
    int64_t now_kiosk;
} hp_staff_counts;

/* Refusals of one rule. */
typedef struct {
    int64_t refused;
} hp_rule_refusals;

/* Refusals naming a room: by Max Passes From (as the origin) and To (as the destination). */
typedef struct {
    int64_t refused_from;
    int64_t refused_to;
} hp_room_refusals;

/* A student's refusals, of any rule, and those by encounter prevention among them. */
typedef struct {
    int64_t refused;
    int64_t prevented;
} hp_student_refusals;

/* Passes an encounter group prevented (each also recorded as a row; see store.h). */
typedef struct {
    int64_t prevented;
} hp_group_refusals;

/* Passes of one source, by type (cancelled ones never count). */
typedef struct {
    int64_t now;
    int64_t scheduled;
} hp_source_counts;

/* Passes that started in one local hour (of the school, or to one room). */
typedef struct {
    int64_t passes;
} hp_hour_counts;

/* Ended passes to a room and the seconds they were out (end - start, an auto-end's deadline
 * for its end). */
typedef struct {
    int64_t ended;
    int64_t seconds;
} hp_duration_counts;

/* Ended passes to a room that were out longer than their time limit. */
typedef struct {
    int64_t overtime;
} hp_overtime_counts;

/* Ended passes to a room out for one number of whole minutes. */
typedef struct {
    int64_t passes;
} hp_minute_counts;

/* A student's passes by type, written with each pass; and of their ended passes, the whole
 * minutes they were out, summed, and how many were overtime, written with each end. One
 * counter, so that the students insight reads one row per student and bucket. */
typedef struct {
    int64_t now;
    int64_t scheduled;
    int64_t minutes;
    int64_t overtime;
} hp_student_counts;

/* Passes that passed a rule by a staff override. */
typedef struct {
    int64_t overridden;
} hp_override_counts;

/* Passes started from the line, and the seconds from joining it to starting, summed. */
typedef struct {
    int64_t waited;
    int64_t seconds;
} hp_wait_counts;

/* The most values any kind has: the store keeps this many per counter. */
#define HP_COUNTER_VALUES 4

/* A counter, or a change to one. Code that knows the kind reads the named fields; code that
 * only adds, stores or compares counters (the tally, the backends, the check) goes through
 * values[], which holds the same numbers in the order of the kind's struct. */
typedef struct {
    hp_counter_key key;
    union {
        hp_room_counts room;                  /* kind HP_COUNTER_ROOM */
        hp_staff_counts staff;                /* kind HP_COUNTER_STAFF */
        hp_rule_refusals rule_refusals;       /* kind HP_COUNTER_RULE_REFUSALS */
        hp_room_refusals room_refusals;       /* kind HP_COUNTER_ROOM_REFUSALS */
        hp_student_refusals student_refusals; /* kind HP_COUNTER_STUDENT_REFUSALS */
        hp_group_refusals group_refusals;     /* kind HP_COUNTER_GROUP_REFUSALS */
        hp_source_counts source;              /* kind HP_COUNTER_SOURCE */
        hp_hour_counts hour;                  /* kinds HP_COUNTER_HOUR, HP_COUNTER_ROOM_HOUR */
        hp_duration_counts duration;          /* kind HP_COUNTER_DURATION */
        hp_overtime_counts overtime;          /* kind HP_COUNTER_OVERTIME */
        hp_minute_counts minute;              /* kind HP_COUNTER_MINUTES */
        hp_student_counts student;            /* kind HP_COUNTER_STUDENT */
        hp_override_counts overrides;         /* kinds HP_COUNTER_*_OVERRIDES */
        hp_wait_counts waits;                 /* kind HP_COUNTER_ROOM_WAITS */
        int64_t values[HP_COUNTER_VALUES];
    };
} hp_counter;

_Static_assert(sizeof(hp_room_counts) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_room_counts must fit the stored values");
_Static_assert(sizeof(hp_staff_counts) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_staff_counts must fit the stored values");

_Static_assert(sizeof(hp_room_refusals) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_room_refusals must fit the stored values");
_Static_assert(sizeof(hp_student_refusals) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_student_refusals must fit the stored values");
_Static_assert(sizeof(hp_source_counts) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_source_counts must fit the stored values");
_Static_assert(sizeof(hp_duration_counts) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_duration_counts must fit the stored values");
_Static_assert(sizeof(hp_student_counts) <= sizeof(int64_t[HP_COUNTER_VALUES]),
               "hp_student_counts must fit the stored values");

/* How a kind reads in messages: "room", and its values "from" and "to"; recounted_from: the
 * rows `hallpass check` recounts it from ("passes"). recorded_late: those rows exist only from
 * a later schema version on, so its counters of the days before cannot be recounted (see
 * hp_store_refusals_unrecorded). */
typedef struct {
    const char *name;
    const char *recounted_from;
    bool recorded_late;
    size_t value_count;
    const char *value_names[HP_COUNTER_VALUES];
} hp_counter_kind_info;

const hp_counter_kind_info *hp_counter_kind_describe(hp_counter_kind kind);

/* A bucket as people write it: "2026-09-14" for a day and for a week (its Monday), "2026-09"
 * for a month, "2026-Q3" for a quarter. */
void hp_counter_bucket_format(hp_counter_period period, int32_t bucket, char out[HP_DATE_LEN]);

/* The key of the month counter that a day counter's key adds to as well. */
hp_counter_key hp_counter_key_month(hp_counter_key day);

/* The Monday of the week (Monday to Sunday) that holds a day. */
int32_t hp_day_week(int32_t day);

/* A quarter's bucket is its months' bucket divided by this. */
#define HP_MONTHS_PER_QUARTER 3

/* Every stored counter a day counter adds to: its day's, week's, month's and quarter's. */
#define HP_COUNTER_LEVELS 4
void hp_counter_key_levels(hp_counter_key day, hp_counter_key out[HP_COUNTER_LEVELS]);

/* Hash and equality of keys, shaped for GHashTable (GHashFunc, GEqualFunc). */
unsigned int hp_counter_key_hash(const void *key);
int hp_counter_key_equal(const void *a, const void *b);
/* Orders keys by kind, period, bucket, subject: the order the store writes them in. */
int hp_counter_key_compare(const hp_counter_key *a, const hp_counter_key *b);

/* Adds what `from` counts to `to` (the same kind; keys are not looked at). */
void hp_counter_add(hp_counter *to, const hp_counter *from);
bool hp_counter_values_equal(const hp_counter *a, const hp_counter *b);

/* Frees an array of counters handed back by the store. */
void hp_counters_free(hp_counter *counters);

/* One run of buckets a range of days reads. */
typedef struct {
    hp_counter_period period;
    int32_t from; /* First and last bucket, inclusive. */
    int32_t to;
} hp_counter_span;

/* Before the whole quarters: the days, the whole weeks and the days before the whole months,
 * and those months; then the quarters; then the same after them. */
#define HP_COUNTER_SPANS_MAX 9

/* Splits the local days [from_day, to_day] into what the counters are read as: the whole
 * quarters inside the range as quarters, the other whole months as months; of the days
 * before and after those, the whole weeks (Monday to Sunday) as weeks, and the rest as days.
 * A school year reads about fifteen counters per subject and a month's range about ten,
 * where days alone would be one a day. Returns the number of spans written (0 when
 * from_day > to_day), in time order. */
size_t hp_counter_range_split(int32_t from_day, int32_t to_day,
                              hp_counter_span spans[HP_COUNTER_SPANS_MAX]);

#endif
