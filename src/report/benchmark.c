/* Folder medians and flags; see benchmark.h. */
#include "report/benchmark.h"

#include <stdlib.h>

static int compare_count(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int64_t hp_median_halves(int64_t *values, size_t count)
{
    if (count < HP_FOLDER_MIN_ROOMS)
        return HP_MEDIAN_NONE;
    qsort(values, count, sizeof(*values), compare_count);
    size_t mid = count / 2;
    return count % 2 ? 2 * values[mid] : values[mid - 1] + values[mid];
}

hp_folder_flag hp_folder_flag_of(int64_t count, int64_t median_halves)
{
    if (median_halves == HP_MEDIAN_NONE || median_halves < 2 * HP_FLAG_MIN_MEDIAN)
        return HP_FLAG_NONE;
    /* With h = 2 x median: count > FACTOR x median is 2 x count > FACTOR x h, and
     * count < median / FACTOR is 2 x FACTOR x count < h. */
    if (2 * count > HP_FLAG_FACTOR * median_halves)
        return HP_FLAG_HIGH;
    if (2 * HP_FLAG_FACTOR * count < median_halves)
        return HP_FLAG_LOW;
    return HP_FLAG_NONE;
}

const char *hp_folder_flag_word(hp_folder_flag flag)
{
    switch (flag) {
    case HP_FLAG_HIGH:
        return "high";
    case HP_FLAG_LOW:
        return "low";
    case HP_FLAG_NONE:
        break;
    }
    return NULL;
}
