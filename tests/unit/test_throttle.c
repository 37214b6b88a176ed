/*
 * The throttle of password checks, with the clock passed in: free failures, the doubling wait
 * up to its maximum, a success clearing the count, forgiveness for a shared key, keys apart,
 * and a key forgotten after a quiet time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/throttle.h"

#define T0 1000000 /* Any instant; the throttle knows only differences. */

/* Fails `count` attempts of key at `now`, each let through. */
static void fail_times(hp_throttle *t, const char *key, int count, int64_t now)
{
    for (int i = 0; i < count; i++)
        assert_int_equal(hp_throttle_attempt(t, key, now), 0);
}

static void test_free_failures_then_a_doubling_wait(void **state)
{
    (void)state;
    hp_throttle *t = hp_throttle_new(5, 300);
    fail_times(t, "sam", 5, T0);
    /* The sixth try waits 1 s, then each one twice as long as the one before. */
    assert_int_equal(hp_throttle_attempt(t, "sam", T0), 1);
    assert_int_equal(hp_throttle_attempt(t, "sam", T0 + 1), 0);
    assert_int_equal(hp_throttle_attempt(t, "sam", T0 + 1), 2);
    assert_int_equal(hp_throttle_attempt(t, "sam", T0 + 3), 0);
    assert_int_equal(hp_throttle_attempt(t, "sam", T0 + 3), 4);
    hp_throttle_free(t);
}

static void test_the_wait_stops_at_its_maximum(void **state)
{
    (void)state;
    hp_throttle *t = hp_throttle_new(0, 300);
    int64_t now = T0;
    for (int i = 0; i < 40; i++) {
        int64_t wait = hp_throttle_attempt(t, "ann", now);
        assert_true(wait <= 300);
        now += wait;
        if (wait == 0)
            continue;
        assert_int_equal(hp_throttle_attempt(t, "ann", now), 0);
    }
    assert_int_equal(hp_throttle_attempt(t, "ann", now), 300);
    hp_throttle_free(t);
}

static void test_success_starts_afresh(void **state)
{
    (void)state;
    hp_throttle *t = hp_throttle_new(2, 300);
    fail_times(t, "tom", 2, T0);
    assert_true(hp_throttle_attempt(t, "tom", T0) > 0);
    hp_throttle_success(t, "tom");
    fail_times(t, "tom", 2, T0);
    hp_throttle_free(t);
}

static void test_forgive_takes_back_one_attempt(void **state)
{
    (void)state;
    hp_throttle *t = hp_throttle_new(2, 300);
    fail_times(t, "10.0.0.1", 2, T0);
    hp_throttle_forgive(t, "10.0.0.1");
    /* One failure left: one more try is free, the next waits. */
    assert_int_equal(hp_throttle_attempt(t, "10.0.0.1", T0), 0);
    assert_true(hp_throttle_attempt(t, "10.0.0.1", T0) > 0);
    hp_throttle_free(t);
}

static void test_keys_are_counted_apart(void **state)
{
    (void)state;
    hp_throttle *t = hp_throttle_new(1, 300);
    fail_times(t, "a@x.test", 1, T0);
    assert_true(hp_throttle_attempt(t, "a@x.test", T0) > 0);
    assert_int_equal(hp_throttle_attempt(t, "b@x.test", T0), 0);
    hp_throttle_free(t);
}

static void test_a_quiet_key_is_forgotten(void **state)
{
    (void)state;
    hp_throttle *t = hp_throttle_new(1, 300);
    fail_times(t, "kim", 1, T0);
    assert_true(hp_throttle_attempt(t, "kim", T0) > 0);
    /* After HP_THROTTLE_FORGET quiet seconds the key has its free failures again. */
    assert_int_equal(hp_throttle_attempt(t, "kim", T0 + HP_THROTTLE_FORGET), 0);
    assert_int_equal(hp_throttle_attempt(t, "kim", T0 + HP_THROTTLE_FORGET), 1);
    hp_throttle_free(t);
}

static void test_the_servers_limits(void **state)
{
    (void)state;
    /* An account is slowed down after 5 failures, an address after 50. */
    hp_throttle *account = hp_throttle_new(HP_THROTTLE_ACCOUNT_FREE, HP_THROTTLE_MAX_DELAY);
    hp_throttle *address = hp_throttle_new(HP_THROTTLE_ADDRESS_FREE, HP_THROTTLE_MAX_DELAY);
    fail_times(account, "x", 5, T0);
    fail_times(address, "x", 50, T0);
    assert_true(hp_throttle_attempt(account, "x", T0) > 0);
    assert_true(hp_throttle_attempt(address, "x", T0) > 0);
    hp_throttle_free(account);
    hp_throttle_free(address);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_failures_then_a_doubling_wait),
        cmocka_unit_test(test_the_wait_stops_at_its_maximum),
        cmocka_unit_test(test_success_starts_afresh),
        cmocka_unit_test(test_forgive_takes_back_one_attempt),
        cmocka_unit_test(test_keys_are_counted_apart),
        cmocka_unit_test(test_a_quiet_key_is_forgotten),
        cmocka_unit_test(test_the_servers_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
