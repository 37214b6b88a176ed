/*
 * The settings and the rule fields of rooms and users in the store (SQLite in memory; the
 * integration tests run the same on PostgreSQL): defaults for a school that never chose, a
 * set written and read back, and rule fields that a plain put of a room or user never resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "fixture.h"

#include <glib.h>
#include <string.h>

static void expect_ok(int rc)
{
    if (rc != HP_OK)
        fail_msg("%s", hp_error_last());
}

static void test_a_new_school_has_the_defaults(void **state)
{
    fixture *f = *state;
    hp_settings got, want;
    hp_settings_init(&want);
    expect_ok(hp_store_settings_get(f->store, f->school.id, &got));
    assert_memory_equal(&got, &want, sizeof(got));
}

static void test_settings_are_written_and_read_back(void **state)
{
    fixture *f = *state;
    hp_settings set, got;
    hp_settings_init(&set);
    set.max_active_passes = 40;
    set.wait_in_line = false;
    set.auto_end_minutes = 90;
    expect_ok(hp_store_begin(f->store));
    expect_ok(hp_store_settings_put(f->store, f->school.id, &set, NULL));
    expect_ok(hp_store_commit(f->store));
    expect_ok(hp_store_settings_get(f->store, f->school.id, &got));
    assert_memory_equal(&got, &set, sizeof(got));

    /* Back to the defaults: every one of them reads as a school that never chose. */
    hp_settings_init(&set);
    expect_ok(hp_store_settings_put(f->store, f->school.id, &set, &got));
    expect_ok(hp_store_settings_get(f->store, f->school.id, &got));
    assert_memory_equal(&got, &set, sizeof(got));
}

static void test_a_set_out_of_range_is_refused(void **state)
{
    fixture *f = *state;
    hp_settings set;
    hp_settings_init(&set);
    set.cooldown_minutes = HP_COOLDOWN_MINUTES_MAX + 1;
    assert_int_equal(hp_store_settings_put(f->store, f->school.id, &set, NULL), HP_EINVALID);
    assert_string_equal(hp_error_last(),
                        "cooldown_minutes: 121 is not a whole number from 1 to 120");
}

static void test_a_plain_put_never_resets_a_rooms_rules(void **state)
{
    fixture *f = *state;
    hp_room room = {.name = "Nurse", .folder = ""};
    hp_room got = {0};
    bool changed;
    expect_ok(hp_store_room_put(f->store, f->school.id, &room, &changed));
    expect_ok(hp_store_room_get(f->store, f->school.id, room.id, &got));
    /* A new room: no time limit of its own, and its passes count. */
    assert_int_equal(got.time_limit_minutes, 0);
    assert_true(got.counts_toward_limit);
    hp_room_release(&got);

    room.time_limit_minutes = 15;
    room.counts_toward_limit = false;
    expect_ok(hp_store_room_rules_put(f->store, f->school.id, &room, &changed));
    assert_true(changed);
    expect_ok(hp_store_room_rules_put(f->store, f->school.id, &room, &changed));
    assert_false(changed);

    /* A room built from nothing and put again (as an import without the rule columns does)
     * keeps them. */
    hp_room plain = {.id = room.id, .name = "Nurse", .folder = "Health"};
    expect_ok(hp_store_room_put(f->store, f->school.id, &plain, &changed));
    expect_ok(hp_store_room_find(f->store, f->school.id, "nurse", &got));
    assert_int_equal(got.time_limit_minutes, 15);
    assert_false(got.counts_toward_limit);
    assert_string_equal(got.folder, "Health");
    hp_room_release(&got);

    room.time_limit_minutes = HP_TIME_LIMIT_MINUTES_MAX + 1;
    assert_int_equal(hp_store_room_rules_put(f->store, f->school.id, &room, &changed), HP_EINVALID);
    assert_string_equal(hp_error_last(),
                        "time_limit_minutes: 241 is not a whole number from 1 to 240");
}

static void test_a_plain_put_never_resets_a_students_limit(void **state)
{
    fixture *f = *state;
    hp_user sam = {.name = "Sam Lee", .email = "sam@x.org", .role = HP_ROLE_STUDENT};
    hp_user got = {0};
    bool changed;
    expect_ok(hp_store_user_put(f->store, f->school.id, &sam, NULL, &changed));
    sam.max_passes_per_day = 4;
    expect_ok(hp_store_user_rules_put(f->store, f->school.id, &sam, &changed));
    assert_true(changed);

    hp_user plain = {
        .id = sam.id, .name = "Sam P. Lee", .email = "sam@x.org", .role = HP_ROLE_STUDENT};
    expect_ok(hp_store_user_put(f->store, f->school.id, &plain, NULL, &changed));
    expect_ok(hp_store_user_get(f->store, f->school.id, sam.id, &got));
    assert_int_equal(got.max_passes_per_day, 4);
    hp_user_release(&got);

    /* Every way of reading a user reads it. */
    hp_user *users;
    size_t n;
    expect_ok(hp_store_users_list(f->store, f->school.id, false, &users, &n));
    assert_int_equal(n, 1);
    assert_int_equal(users[0].max_passes_per_day, 4);
    hp_users_free(users, n);
    expect_ok(hp_store_user_find(f->store, f->school.id, "SAM@x.org", &got, NULL));
    assert_int_equal(got.max_passes_per_day, 4);
    hp_user_release(&got);

    sam.max_passes_per_day = 0;
    expect_ok(hp_store_user_rules_put(f->store, f->school.id, &sam, &changed));
    expect_ok(hp_store_user_get(f->store, f->school.id, sam.id, &got));
    assert_int_equal(got.max_passes_per_day, 0);
    hp_user_release(&got);

    sam.max_passes_per_day = HP_PASSES_PER_DAY_MAX + 1;
    assert_int_equal(hp_store_user_rules_put(f->store, f->school.id, &sam, &changed), HP_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_new_school_has_the_defaults, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_settings_are_written_and_read_back, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_set_out_of_range_is_refused, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_plain_put_never_resets_a_rooms_rules, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_plain_put_never_resets_a_students_limit,
                                        fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
