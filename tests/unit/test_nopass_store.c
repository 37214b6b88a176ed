/*
 * No-pass times in the store (SQLite in memory; the integration tests run the same on
 * PostgreSQL): a day's rows of the bell schedule (its date's and its weekday's), the whole
 * schedule in the order given, a replacement that writes nothing when it is the same, and the
 * one blackout that answers at an instant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/util.h"
#include "fixture.h"

#include <glib.h>
#include <string.h>

static void expect_ok(int rc)
{
    if (rc != HP_OK)
        fail_msg("%s", hp_error_last());
}

/* 2026-09-14 is a Monday. */
static int32_t monday(void)
{
    int32_t day;
    expect_ok(hp_date_parse("2026-09-14", &day));
    return day;
}

static void add(hp_schedule *s, const char *day, const char *period, const char *start,
                const char *end)
{
    expect_ok(hp_schedule_add(s, day, period, start, end));
}

static void test_a_days_rows_and_the_whole_schedule(void **state)
{
    fixture *f = *state;
    hp_schedule s, got;
    bool changed;
    hp_schedule_init(&s);
    add(&s, "mon", "Period 1", "08:00", "08:50");
    add(&s, "tue", "Period 1", "08:10", "09:00");
    add(&s, "2026-09-14", "Assembly", "09:00", "10:00");
    add(&s, "mon", "Period 2", "08:55", "09:45");
    expect_ok(hp_store_begin(f->store));
    expect_ok(hp_store_schedule_put(f->store, f->school.id, &s, &changed));
    expect_ok(hp_store_commit(f->store));
    assert_true(changed);

    /* Monday the 14th: its date's row and Monday's, in the order given. */
    expect_ok(hp_store_schedule_day(f->store, f->school.id, monday(), &got));
    assert_int_equal(got.rows->len, 3);
    assert_string_equal(g_array_index(got.rows, hp_bell_row, 0).period, "Period 1");
    assert_string_equal(g_array_index(got.rows, hp_bell_row, 1).period, "Assembly");
    GPtrArray *today = hp_schedule_day(&got, monday());
    assert_int_equal(today->len, 1); /* The date's rows replace the weekday's. */
    g_ptr_array_unref(today);
    hp_schedule_release(&got);
    /* The next Monday has no date rows: Monday's two. */
    expect_ok(hp_store_schedule_day(f->store, f->school.id, monday() + 7, &got));
    assert_int_equal(got.rows->len, 2);
    hp_schedule_release(&got);

    /* The whole schedule reads back as written; the same again writes nothing. */
    expect_ok(hp_store_schedule_get(f->store, f->school.id, &got));
    assert_int_equal(got.rows->len, 4);
    assert_string_equal(g_array_index(got.rows, hp_bell_row, 3).period, "Period 2");
    assert_int_equal(g_array_index(got.rows, hp_bell_row, 2).date, monday());
    hp_schedule_release(&got);
    expect_ok(hp_store_schedule_put(f->store, f->school.id, &s, &changed));
    assert_false(changed);
    hp_schedule_release(&s);
}

static void test_the_blackout_that_answers(void **state)
{
    fixture *f = *state;
    bool changed;
    hp_user admin = {.name = "Ann Admin", .email = "ann@maple.test", .role = HP_ROLE_ADMIN};
    expect_ok(hp_store_user_put(f->store, f->school.id, &admin, NULL, &changed));
    const int64_t t = 1800000000;
    hp_blackout made[] = {
        {.start = t - 600, .end = t + 600, .has_end = true, .reason = "Short"},
        {.start = t - 60, .end = t + 3600, .has_end = true, .reason = "Long"},
        {.start = t - 7200, .end = t - 3600, .has_end = true, .reason = "Over"},
        {.start = t + 60, .has_end = false, .reason = "Later"},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(made); i++) {
        made[i].created_by = admin.id;
        made[i].created_at = t - 7200;
        expect_ok(hp_store_blackout_insert(f->store, f->school.id, &made[i]));
    }
    hp_blackout got = {0};
    expect_ok(hp_store_blackout_at(f->store, f->school.id, t, &got));
    assert_string_equal(got.reason, "Long"); /* Of those in force, the one that ends last. */
    assert_string_equal(got.creator_name, "Ann Admin");
    hp_blackout_release(&got);
    /* From t + 60 the one with no end answers. */
    expect_ok(hp_store_blackout_at(f->store, f->school.id, t + 60, &got));
    assert_string_equal(got.reason, "Later");
    assert_false(got.has_end);
    hp_blackout_release(&got);
    assert_int_equal(hp_store_blackout_at(f->store, f->school.id, t - 3000, &got), HP_ENOTFOUND);

    hp_blackout *list;
    size_t n;
    expect_ok(hp_store_blackouts_list(f->store, f->school.id, &list, &n));
    assert_int_equal(n, 4);
    assert_string_equal(list[0].reason, "Over"); /* By start. */
    hp_blackouts_free(list, n);
    expect_ok(hp_store_blackout_delete(f->store, f->school.id, made[3].id));
    assert_int_equal(hp_store_blackout_delete(f->store, f->school.id, made[3].id), HP_ENOTFOUND);
    assert_non_null(strstr(hp_error_last(), "no blackout with id"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_days_rows_and_the_whole_schedule, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_the_blackout_that_answers, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
