/*
 * The waiting line's entries by time: an offer outstanding until its expiry whatever is
 * written, a first lapse back to waiting and a second out of the line, an entry of an earlier
 * local day out of it, the seconds left of an offer, positions, and the states' names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/line.h"
#include "core/util.h"

#define TODAY 20000
#define NOW 1800000000

static hp_line_entry entry(hp_line_state state, int lapses, int32_t day, int64_t expires)
{
    return (hp_line_entry){.id = 1,
                           .state = state,
                           .lapses = lapses,
                           .local_day = day,
                           .offered_at = expires ? expires - 30 : 0,
                           .offer_expires = expires};
}

static void test_waiting_by_day(void **state)
{
    (void)state;
    hp_line_entry e = entry(HP_LINE_WAITING, 0, TODAY, 0);
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW), HP_LINE_WAITING);
    assert_true(hp_line_in_line(&e, TODAY, NOW));
    assert_false(hp_line_offer_outstanding(&e, NOW));
    assert_int_equal(hp_line_offer_seconds_left(&e, NOW), -1);
    /* Joined yesterday: removed at midnight, whatever is written. */
    e.local_day = TODAY - 1;
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW), HP_LINE_REMOVED);
    assert_false(hp_line_in_line(&e, TODAY, NOW));
}

static void test_offers_by_time(void **state)
{
    (void)state;
    hp_line_entry e = entry(HP_LINE_OFFERED, 0, TODAY, NOW + 27);
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW), HP_LINE_OFFERED);
    assert_true(hp_line_offer_outstanding(&e, NOW));
    assert_int_equal(hp_line_offer_seconds_left(&e, NOW), 27);
    /* Outstanding up to, not at, its expiry. */
    assert_true(hp_line_offer_outstanding(&e, NOW + 26));
    assert_int_equal(hp_line_offer_seconds_left(&e, NOW + 26), 1);
    assert_false(hp_line_offer_outstanding(&e, NOW + 27));
    /* The first lapse: back to waiting, in line, before the clock writes it. */
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW + 27), HP_LINE_WAITING);
    assert_true(hp_line_in_line(&e, TODAY, NOW + 27));
    assert_int_equal(hp_line_offer_seconds_left(&e, NOW + 27), -1);
    /* The second: out of the line. */
    e.lapses = 1;
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW + 27), HP_LINE_LAPSED);
    assert_false(hp_line_in_line(&e, TODAY, NOW + 27));
    assert_true(hp_line_in_line(&e, TODAY, NOW));
    /* An offer made just before midnight stands until its expiry; a first lapse then ends
     * the entry, as the day it joined is over. */
    e = entry(HP_LINE_OFFERED, 0, TODAY - 1, NOW + 5);
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW), HP_LINE_OFFERED);
    assert_int_equal(hp_line_state_at(&e, TODAY, NOW + 5), HP_LINE_REMOVED);
}

static void test_ended_states_stay(void **state)
{
    (void)state;
    hp_line_state ended[] = {HP_LINE_STARTED, HP_LINE_LAPSED, HP_LINE_LEFT, HP_LINE_REMOVED};
    for (size_t i = 0; i < HP_ARRAY_SIZE(ended); i++) {
        hp_line_entry e = entry(ended[i], 1, TODAY, NOW + 30);
        assert_int_equal(hp_line_state_at(&e, TODAY, NOW), ended[i]);
        assert_false(hp_line_in_line(&e, TODAY, NOW));
        assert_false(hp_line_offer_outstanding(&e, NOW));
    }
}

static void test_positions(void **state)
{
    (void)state;
    hp_line_entry line[3] = {{.id = 7}, {.id = 3}, {.id = 9}};
    assert_int_equal(hp_line_position(line, 3, 7), 1);
    assert_int_equal(hp_line_position(line, 3, 3), 2);
    assert_int_equal(hp_line_position(line, 3, 9), 3);
    assert_int_equal(hp_line_position(line, 3, 4), 0);
    assert_int_equal(hp_line_position(NULL, 0, 7), 0);
}

static void test_state_names(void **state)
{
    (void)state;
    const char *names[] = {"waiting", "offered", "started", "lapsed", "left", "removed"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(names); i++) {
        hp_line_state s;
        assert_int_equal(hp_line_state_parse(names[i], &s), HP_OK);
        assert_int_equal(s, (hp_line_state)i);
        assert_string_equal(hp_line_state_name(s), names[i]);
    }
    hp_line_state s;
    assert_int_equal(hp_line_state_parse("gone", &s), HP_EINVALID);
    assert_string_equal(hp_error_last(), "\"gone\" is not a state of the line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waiting_by_day),    cmocka_unit_test(test_offers_by_time),
        cmocka_unit_test(test_ended_states_stay), cmocka_unit_test(test_positions),
        cmocka_unit_test(test_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
