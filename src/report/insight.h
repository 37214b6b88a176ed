/*
 * The insights: what admins read beyond the two reports, each a report (report/report.h) of
 * its own kind built from the counters written with the passes (store/counter.h kinds 2-17),
 * never from the passes one by one. Only durations' `open` reads passes: those still out,
 * through the store's index of passes not ended, so as many as are out.
 *
 *   daily       one row per local date of the range: passes by source.
 *   heatmap     168 rows, weekday (1 Monday ... 7 Sunday) x local hour of start; optionally
 *               only the passes to one room.
 *   durations   every room: ended passes to it, their mean and lower median in minutes, how
 *               many were overtime, and how many of the range's passes to it are still out.
 *   students    every student with a pass or a refusal in the range (or compare range).
 *   limits      every room: refusals naming it by Max Passes From / To, passes started from
 *               the line to it and their mean wait, passes from or to it passed by override.
 *   rules       one row per pass rule, in the rules' order: refusals and overrides.
 *   sources     one row per source x type: passes, and whether they count in Staff Usage.
 *   encounters  every encounter group: members, active, passes it prevented, overrides.
 *
 * The arithmetic (averages rounded half up, the lower median of a histogram) is in pure
 * functions below, so that it is tested on numbers alone.
 */
#ifndef HP_REPORT_INSIGHT_H
#define HP_REPORT_INSIGHT_H

#include "report/report.h"

#include <stddef.h>
#include <stdint.h>

/* The most days the daily insight answers at once (one row each): ten years and a bit. */
#define HP_DAILY_DAYS_MAX 3700

/* The insight of a name ("durations"); HP_EINVALID naming the kinds otherwise. */
int hp_insight_kind_parse(const char *word, hp_report_kind *out);

/* Builds an insight for a school. `now` is the time of the answer (durations' open passes).
 * Bad query values are HP_EINVALID errors naming the parameter, as for the reports; compare is
 * refused by the insights that have none, destination names a room (heatmap only). */
int hp_insight_build(hp_report **out, hp_store *store, const hp_school *school, const hp_tz *tz,
                     hp_report_kind kind, const hp_report_query *query, int64_t now);

/* An insight's columns without compare (static). */
const hp_report_column *hp_insight_columns(hp_report_kind kind, size_t *count);

/* sum / count rounded half up to a whole number, for sum >= 0 and count > 0, in integers. */
int64_t hp_round_half_up(int64_t sum, int64_t count);

/* The mean of `seconds` over `count` passes in minutes, in tenths of a minute rounded half up;
 * HP_REPORT_NULL when count is 0. */
int64_t hp_average_minutes_tenths(int64_t seconds, int64_t count);

/* The mean of `seconds` over `count` in whole seconds rounded half up; HP_REPORT_NULL when
 * count is 0. */
int64_t hp_average_seconds(int64_t seconds, int64_t count);

/* The lower median of a histogram (counts[i] values equal to i): with n values in all, the
 * one at position ceil(n / 2) in ascending order, 1-based. HP_REPORT_NULL when n is 0. */
int64_t hp_histogram_lower_median(const int64_t *counts, size_t buckets);

#endif
