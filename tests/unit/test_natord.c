/*
 * Natural order of report text: digit runs by value, a digit run before a
 * non-digit run, other runs byte by byte with ASCII case folded, a prefix first, and plain
 * bytes as the last word so that only identical strings compare equal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "core/natord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sign of a comparison, so tests do not depend on its magnitude. */
static int sign(int c)
{
    return (c > 0) - (c < 0);
}

/* Asserts a < b, and so b > a. */
static void check_less(const char *a, const char *b)
{
    int ab = sign(hp_natord_cmp(a, b));
    int ba = sign(hp_natord_cmp(b, a));
    if (ab != -1 || ba != 1)
        fail_msg("expected \"%s\" < \"%s\", got cmp(a,b)=%d cmp(b,a)=%d", a, b, ab, ba);
}

static void test_spec_example(void **state)
{
    (void)state;
    check_less("Room 2", "room 10");
    check_less("room 10", "Room 10A");
    check_less("Room 2", "Room 10A");
}

static void test_digit_runs_by_value(void **state)
{
    (void)state;
    check_less("Room 9", "Room 10");
    check_less("9", "10");
    check_less("a2b", "a10b");
    check_less("x9y", "x10");
    check_less("1", "2");
    check_less("0", "1");
    /* A number decides before the text after it. */
    check_less("Room 2 Z", "Room 10 A");
}

static void test_leading_zeros_ignored(void **state)
{
    (void)state;
    /* 007 is 7: less than 10, more than 6. */
    check_less("Room 007", "Room 10");
    check_less("Room 6", "Room 007");
    check_less("Room 0009", "Room 10");
    check_less("000", "1");
    /* Equal values: the text after them decides before the zeros do. */
    check_less("Room 01B", "Room 1C");
    check_less("a0001z", "a1zz");
}

static void test_long_digit_runs(void **state)
{
    (void)state;
    /* Longer than any 64-bit integer holds. */
    const char *exactly_1e20 = "Room 100000000000000000000"; /* 10^20 */
    const char *below_1e20 = "Room 99999999999999999999";    /* 10^20 - 1 */
    const char *big_a = "Room 123456789012345678901234567890";
    const char *big_b = "Room 123456789012345678901234567891";
    check_less(below_1e20, exactly_1e20);
    check_less(big_a, big_b);
    check_less("Room 18446744073709551615", "Room 18446744073709551616");
    check_less("Room 18446744073709551616", "Room 36893488147419103232");
    /* Leading zeros on a long run change nothing. */
    check_less("Room 000000000000000000000000000005", "Room 6");
    check_less("Room 99999999999999999999", "Room 0000100000000000000000000");
}

static void test_digit_run_before_text_run(void **state)
{
    (void)state;
    check_less("1", "a");
    check_less("Room 1", "Room A");
    check_less("Room1", "Room!");
    check_less("a1", "ab");
    check_less("a1", "a_");
    check_less("99999", "!");
    check_less("9", " ");
}

static void test_case_folding(void **state)
{
    (void)state;
    check_less("apple", "Banana");
    check_less("Apple", "banana");
    check_less("ROOM A", "room b");
    check_less("room a", "ROOM B");
    /* Folding maps A-Z onto a-z, so '_' (0x5F) sorts before every letter, upper case too,
     * and '[' (0x5B) likewise; '{' (0x7B) sorts after every letter. */
    check_less("_", "A");
    check_less("[", "a");
    check_less("Z", "{");
    check_less("z", "{");
    /* Bytes past ASCII are not folded and compare unsigned, after every ASCII byte. */
    check_less("z", "\xc3\xa9");
    check_less("Z", "\xc3\x89");
}

static void test_prefix_first(void **state)
{
    (void)state;
    check_less("Room", "Room 1");
    check_less("Room", "Rooms");
    check_less("Room 1", "Room 1A");
    check_less("Room 1", "Room 10");
    check_less("a", "a1");
    check_less("a1", "a1a");
    check_less("12", "12a");
    /* Equal runs with the prefix in other case and zeros: still the shorter first. */
    check_less("ROOM 01", "room 1 b");
}

static void test_empty_first(void **state)
{
    (void)state;
    assert_int_equal(hp_natord_cmp("", ""), 0);
    check_less("", "0");
    check_less("", " ");
    check_less("", "a");
    check_less("", "\x01");
}

static void test_byte_fallback(void **state)
{
    (void)state;
    /* Equal by the run rules, different bytes: never 0, ordered by plain bytes. */
    check_less("Room 02", "Room 2"); /* '0' < '2' */
    check_less("Room 2", "room 2");  /* 'R' < 'r' */
    check_less("ROOM", "Room");
    check_less("007", "7");
    check_less("a00b", "a0b");
}

static void test_only_identical_strings_equal(void **state)
{
    (void)state;
    assert_int_equal(hp_natord_cmp("Room 10A", "Room 10A"), 0);
    assert_int_equal(hp_natord_cmp("", ""), 0);
    assert_int_equal(
        hp_natord_cmp("123456789012345678901234567890", "123456789012345678901234567890"), 0);
    /* The two operands need not share storage. */
    char a[] = "Gym", b[] = "Gym";
    assert_int_equal(hp_natord_cmp(a, b), 0);
    assert_int_not_equal(hp_natord_cmp("Gym", "gym"), 0);
    assert_int_not_equal(hp_natord_cmp("1", "01"), 0);
    assert_int_not_equal(hp_natord_cmp("1", "001"), 0);
}

static int qsort_natord(const void *a, const void *b)
{
    return hp_natord_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* A list in the order the rules give, worked out by hand; it is shuffled, sorted, and must
 * come back in this order. */
static const char *const ordered[] = {
    "",
    "0",
    "00",
    "001",
    "01",
    "1",
    "1a",
    "1B",
    "1b",
    "2",
    "10",
    "99999999999999999999",
    "0100000000000000000000",
    "100000000000000000000",
    " ",
    "!",
    "A",
    "a",
    "a1",
    "a01b",
    "a1b",
    "a1c",
    "A2",
    "a2",
    "a10",
    "a_",
    "Ab",
    "ab",
    "Room",
    "Room 1",
    "Room 02",
    "Room 2",
    "room 2",
    "Room 2A",
    "Room 10",
    "room 10",
    "Room 10A",
    "Room 10a",
    "room 10a",
    "Room 100",
    "Rooms",
    "Z",
    "z",
    "{",
    "\xc3\xa9",
};

#define ORDERED_COUNT (HP_ARRAY_SIZE(ordered))

static void test_antisymmetric_and_transitive(void **state)
{
    (void)state;
    /* Every pair: the sign flips when the operands swap, and agrees with the list. */
    for (size_t i = 0; i < ORDERED_COUNT; i++) {
        for (size_t j = 0; j < ORDERED_COUNT; j++) {
            int ij = sign(hp_natord_cmp(ordered[i], ordered[j]));
            int ji = sign(hp_natord_cmp(ordered[j], ordered[i]));
            int want = i < j ? -1 : i > j;
            if (ij != want || ji != -want)
                fail_msg("cmp(\"%s\", \"%s\") = %d, reverse %d; expected %d", ordered[i],
                         ordered[j], ij, ji, want);
        }
    }
    /* Every triple: a <= b and b <= c imply a <= c. */
    for (size_t i = 0; i < ORDERED_COUNT; i++)
        for (size_t j = 0; j < ORDERED_COUNT; j++)
            for (size_t k = 0; k < ORDERED_COUNT; k++)
                if (hp_natord_cmp(ordered[i], ordered[j]) <= 0 &&
                    hp_natord_cmp(ordered[j], ordered[k]) <= 0 &&
                    hp_natord_cmp(ordered[i], ordered[k]) > 0)
                    fail_msg("not transitive: \"%s\" <= \"%s\" <= \"%s\"", ordered[i], ordered[j],
                             ordered[k]);
}

static void test_qsort_gives_the_order(void **state)
{
    (void)state;
    const char *list[ORDERED_COUNT];

    /* Several deterministic shuffles, reversed and interleaved, each sorted back. */
    for (unsigned seed = 1; seed <= 20; seed++) {
        for (size_t i = 0; i < ORDERED_COUNT; i++)
            list[i] = ordered[i];
        unsigned x = seed * 2654435761u;
        for (size_t i = ORDERED_COUNT - 1; i > 0; i--) {
            x = x * 1103515245u + 12345u;
            size_t j = (x >> 8) % (i + 1);
            const char *t = list[i];
            list[i] = list[j];
            list[j] = t;
        }
        qsort(list, ORDERED_COUNT, sizeof(list[0]), qsort_natord);
        for (size_t i = 0; i < ORDERED_COUNT; i++)
            if (strcmp(list[i], ordered[i]) != 0)
                fail_msg("seed %u: position %zu holds \"%s\", expected \"%s\"", seed, i, list[i],
                         ordered[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_digit_runs_by_value),
        cmocka_unit_test(test_leading_zeros_ignored),
        cmocka_unit_test(test_long_digit_runs),
        cmocka_unit_test(test_digit_run_before_text_run),
        cmocka_unit_test(test_case_folding),
        cmocka_unit_test(test_prefix_first),
        cmocka_unit_test(test_empty_first),
        cmocka_unit_test(test_byte_fallback),
        cmocka_unit_test(test_only_identical_strings_equal),
        cmocka_unit_test(test_antisymmetric_and_transitive),
        cmocka_unit_test(test_qsort_gives_the_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
