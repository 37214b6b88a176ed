/*
 * The parameters the PostgreSQL store sends with a statement, built without a server: each
 * value in the text form PostgreSQL reads, NULL where SQL NULL is meant, and a statement with
 * more parameters than fit refused instead of written past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/pg_params.h"

#include <string.h>

static void test_integers_in_decimal(void **state)
{
    (void)state;
    hp_pg_params p = {0};
    hp_pg_param_int(&p, 0);
    hp_pg_param_int(&p, 1789380180);
    hp_pg_param_int(&p, INT64_MAX);
    hp_pg_param_int(&p, INT64_MIN);
    assert_int_equal(p.count, 4);
    assert_string_equal(p.values[0], "0");
    assert_string_equal(p.values[1], "1789380180");
    assert_string_equal(p.values[2], "9223372036854775807");
    assert_string_equal(p.values[3], "-9223372036854775808");
    assert_false(p.overflow);
    hp_pg_params_release(&p);
}

static void test_ids_text_and_booleans(void **state)
{
    (void)state;
    hp_pg_params p = {0};
    const char *name = "Room 101";
    hp_pg_param_id(&p, 42);
    hp_pg_param_id(&p, 0); /* No room: NULL, not "0". */
    hp_pg_param_text(&p, name);
    hp_pg_param_text(&p, NULL);
    hp_pg_param_bool(&p, true);
    hp_pg_param_bool(&p, false);
    assert_int_equal(p.count, 6);
    assert_string_equal(p.values[0], "42");
    assert_null(p.values[1]);
    assert_ptr_equal(p.values[2], name); /* Borrowed, not copied. */
    assert_null(p.values[3]);
    assert_string_equal(p.values[4], "true");
    assert_string_equal(p.values[5], "false");
    hp_pg_params_release(&p);
}

static void test_bytes_in_hex(void **state)
{
    (void)state;
    hp_pg_params p = {0};
    const unsigned char hash[] = {0x00, 0x0f, 0xa5, 0xff};
    hp_pg_param_bytes(&p, hash, sizeof(hash));
    hp_pg_param_bytes(&p, hash, 0);
    assert_string_equal(p.values[0], "\\x000fa5ff");
    assert_string_equal(p.values[1], "\\x");
    hp_pg_params_release(&p);
    assert_int_equal(p.count, 0);
}

/* The limit is a bounds check, not a hope: one parameter too many marks the set, which the
 * store refuses to run, and nothing is written past the arrays. */
static void test_too_many_parameters(void **state)
{
    (void)state;
    hp_pg_params p = {0};
    for (int i = 0; i < HP_PG_PARAMS_MAX; i++)
        hp_pg_param_int(&p, i);
    assert_false(p.overflow);
    hp_pg_param_int(&p, 99);
    hp_pg_param_text(&p, "x");
    hp_pg_param_bytes(&p, (const unsigned char *)"ab", 2);
    assert_true(p.overflow);
    assert_int_equal(p.count, HP_PG_PARAMS_MAX);
    assert_string_equal(p.values[HP_PG_PARAMS_MAX - 1], "15");
    hp_pg_params_release(&p);
    assert_false(p.overflow);
}

/* Released parameters can be filled again, as the store does for a second statement. */
static void test_release_and_reuse(void **state)
{
    (void)state;
    hp_pg_params p = {0};
    const unsigned char one[] = {1};
    hp_pg_param_bytes(&p, one, 1);
    hp_pg_params_release(&p);
    hp_pg_param_int(&p, 7);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.values[0], "7");
    assert_null(p.owned[0]);
    hp_pg_params_release(&p);
}

/* A pass's parameters, in the order of the columns it is written to. */
static void test_pass_parameters(void **state)
{
    (void)state;
    hp_pass pass = {.student_id = 10,
                    .origin_id = 1,
                    .destination_id = 2,
                    .creator_id = 20,
                    .source = HP_SOURCE_KIOSK_MODE,
                    .type = HP_PASS_NOW,
                    .start = 1789380180,
                    .end = 1789380480,
                    .has_end = true,
                    .local_day = 20710,
                    .time_limit_minutes = 10,
                    .auto_end_at = 1789387380,
                    .overrides = 1u << 7,
                    .limit_exempt = true};
    static const char *const expected[HP_PG_PASS_PARAMS] = {
        "7",          "p-1",        "10",    "1",     "2",  "20",         "kiosk_mode", "now",
        "1789380180", "1789380480", "false", "20710", "10", "1789387380", "128",        "true"};
    hp_pg_params p = {0};
    hp_pg_params_pass(&p, 7, &pass, "p-1");
    assert_int_equal(p.count, HP_PG_PASS_PARAMS);
    assert_false(p.overflow);
    for (int i = 0; i < HP_PG_PASS_PARAMS; i++)
        assert_string_equal(p.values[i], expected[i]);
    hp_pg_params_release(&p);

    /* A pass still out has no end, and one made here no ext_id: both NULL. */
    pass.has_end = false;
    pass.cancelled = true;
    pass.type = HP_PASS_SCHEDULED;
    hp_pg_params_pass(&p, 7, &pass, NULL);
    assert_null(p.values[1]);
    assert_string_equal(p.values[7], "scheduled");
    assert_null(p.values[9]);
    assert_string_equal(p.values[10], "true");
    /* No time limit is NULL. */
    pass.time_limit_minutes = 0;
    hp_pg_params_release(&p);
    hp_pg_params_pass(&p, 7, &pass, NULL);
    assert_null(p.values[12]);
    hp_pg_params_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_in_decimal), cmocka_unit_test(test_ids_text_and_booleans),
        cmocka_unit_test(test_bytes_in_hex),        cmocka_unit_test(test_too_many_parameters),
        cmocka_unit_test(test_release_and_reuse),   cmocka_unit_test(test_pass_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
