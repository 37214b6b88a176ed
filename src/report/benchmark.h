/*
 * Folder benchmarks for Room Usage: the median count over the rooms of a folder, and whether a
 * room's count stands out from it. Pure functions over numbers. A median is kept as twice its
 * value ("halves"): the mean of the two middle counts of an even folder is then still an exact
 * integer, and the flag's comparisons need no floating point.
 */
#ifndef HP_REPORT_BENCHMARK_H
#define HP_REPORT_BENCHMARK_H

#include <stddef.h>
#include <stdint.h>

/* A folder of fewer rooms has no median: two rooms are a pair, not a benchmark. */
#define HP_FOLDER_MIN_ROOMS 3
/* A folder whose median is under this many passes flags no room: so few passes say nothing. */
#define HP_FLAG_MIN_MEDIAN 5
/* A room is high above twice its folder's median and low under half of it. */
#define HP_FLAG_FACTOR 2
/* "No median" in halves; real medians of counts are never negative. */
#define HP_MEDIAN_NONE (-1)

typedef enum { HP_FLAG_NONE, HP_FLAG_HIGH, HP_FLAG_LOW } hp_folder_flag;

/* Twice the median of the counts, the mean of the two middle ones for an even number, or
 * HP_MEDIAN_NONE for fewer than HP_FOLDER_MIN_ROOMS. Sorts values in place. */
int64_t hp_median_halves(int64_t *values, size_t count);

/* How a room's count compares with its folder's median (in halves): high when above
 * HP_FLAG_FACTOR times it, low when under 1 / HP_FLAG_FACTOR of it; never when there is no
 * median or it is under HP_FLAG_MIN_MEDIAN. */
hp_folder_flag hp_folder_flag_of(int64_t count, int64_t median_halves);

/* "high", "low", or NULL for HP_FLAG_NONE. */
const char *hp_folder_flag_word(hp_folder_flag flag);

#endif
