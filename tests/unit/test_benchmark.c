/*
 * Folder benchmarks: the median of a folder's counts (odd and even numbers of rooms, too few
 * rooms) and the high and low flags around it, at their exact boundaries. Medians are in
 * halves: 2 x the median.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "report/benchmark.h"

static void test_median_odd_count(void **state)
{
    (void)state;
    int64_t values[] = {9, 1, 5};
    assert_int_equal(hp_median_halves(values, HP_ARRAY_SIZE(values)), 10); /* 5 */
    int64_t five[] = {7, 0, 100, 3, 3};
    assert_int_equal(hp_median_halves(five, HP_ARRAY_SIZE(five)), 6); /* 3 */
}

static void test_median_even_count_is_mean_of_middle(void **state)
{
    (void)state;
    int64_t values[] = {10, 1, 4, 7};
    assert_int_equal(hp_median_halves(values, HP_ARRAY_SIZE(values)), 11); /* (4 + 7) / 2 = 5.5 */
    int64_t whole[] = {2, 8, 6, 0};
    assert_int_equal(hp_median_halves(whole, HP_ARRAY_SIZE(whole)), 8); /* (2 + 6) / 2 = 4 */
}

static void test_median_needs_three_rooms(void **state)
{
    (void)state;
    int64_t values[] = {40, 50};
    assert_int_equal(hp_median_halves(values, 2), HP_MEDIAN_NONE);
    assert_int_equal(hp_median_halves(values, 1), HP_MEDIAN_NONE);
    assert_int_equal(hp_median_halves(values, 0), HP_MEDIAN_NONE);
    int64_t three[] = {0, 0, 0};
    assert_int_equal(hp_median_halves(three, 3), 0);
}

/* Flag cases: a count, its folder's median in halves, and the flag they give. */
typedef struct {
    int64_t count;
    int64_t median_halves;
    hp_folder_flag flag;
} flag_case;

static void check_flags(const flag_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hp_folder_flag_of(cases[i].count, cases[i].median_halves) != cases[i].flag)
            fail_msg("count %lld, median %lld/2: flag %d, expected %d", (long long)cases[i].count,
                     (long long)cases[i].median_halves,
                     (int)hp_folder_flag_of(cases[i].count, cases[i].median_halves),
                     (int)cases[i].flag);
}

static void test_flag_boundaries(void **state)
{
    (void)state;
    static const flag_case cases[] = {
        /* Median 10: high above 20, low under 5; 20 and 5 themselves are neither. */
        {21, 20, HP_FLAG_HIGH},
        {20, 20, HP_FLAG_NONE},
        {5, 20, HP_FLAG_NONE},
        {4, 20, HP_FLAG_LOW},
        {0, 20, HP_FLAG_LOW},
        {10, 20, HP_FLAG_NONE},
        /* Median 5.5: high above 11, low under 2.75. */
        {12, 11, HP_FLAG_HIGH},
        {11, 11, HP_FLAG_NONE},
        {3, 11, HP_FLAG_NONE},
        {2, 11, HP_FLAG_LOW},
    };
    check_flags(cases, HP_ARRAY_SIZE(cases));
}

static void test_flag_needs_a_median_of_five(void **state)
{
    (void)state;
    static const flag_case cases[] = {
        /* Median exactly 5 flags; 4.5 and below never does, however far a room is. */
        {11, 10, HP_FLAG_HIGH},
        {10, 10, HP_FLAG_NONE},
        {2, 10, HP_FLAG_LOW},
        {1000, 9, HP_FLAG_NONE},
        {0, 9, HP_FLAG_NONE},
        {1000, HP_MEDIAN_NONE, HP_FLAG_NONE},
        {0, HP_MEDIAN_NONE, HP_FLAG_NONE},
    };
    check_flags(cases, HP_ARRAY_SIZE(cases));
}

static void test_flag_words(void **state)
{
    (void)state;
    assert_string_equal(hp_folder_flag_word(HP_FLAG_HIGH), "high");
    assert_string_equal(hp_folder_flag_word(HP_FLAG_LOW), "low");
    assert_null(hp_folder_flag_word(HP_FLAG_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_odd_count),
        cmocka_unit_test(test_median_even_count_is_mean_of_middle),
        cmocka_unit_test(test_median_needs_three_rooms),
        cmocka_unit_test(test_flag_boundaries),
        cmocka_unit_test(test_flag_needs_a_median_of_five),
        cmocka_unit_test(test_flag_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
