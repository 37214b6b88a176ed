/*
 * Change notices per school: a change bumps only its own school's generation, a waiter wakes
 * at a change in another thread, and a wait with nothing happening ends at its timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/events.h"

#include <glib.h>

static void test_a_change_bumps_its_own_school_only(void **state)
{
    (void)state;
    uint64_t a = hp_events_generation(1), b = hp_events_generation(2);
    uint64_t total = hp_events_total();
    hp_events_notify(1);
    hp_events_notify(1);
    assert_int_equal(hp_events_generation(1), a + 2);
    assert_int_equal(hp_events_generation(2), b);
    assert_int_equal(hp_events_total(), total + 2);
    assert_int_equal(hp_events_generation(99), 0);
}

static gpointer notify_later(gpointer data)
{
    g_usleep(50 * 1000);
    hp_events_notify(GPOINTER_TO_INT(data));
    return NULL;
}

static void test_a_waiter_wakes_at_a_change(void **state)
{
    (void)state;
    uint64_t seen = hp_events_total();
    gint64 t0 = g_get_monotonic_time();
    GThread *thread = g_thread_new("notifier", notify_later, GINT_TO_POINTER(7));
    uint64_t now = hp_events_wait(seen, 5 * G_USEC_PER_SEC);
    g_thread_join(thread);
    assert_int_equal(now, seen + 1);
    assert_true(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
}

static void test_a_quiet_wait_ends_at_its_timeout(void **state)
{
    (void)state;
    uint64_t seen = hp_events_total();
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(hp_events_wait(seen, 100 * 1000), seen);
    assert_true(g_get_monotonic_time() - t0 >= 90 * 1000);
}

static gpointer wake_later(gpointer data)
{
    (void)data;
    g_usleep(50 * 1000);
    hp_events_wake();
    return NULL;
}

static void test_a_wake_ends_a_wait_without_a_change(void **state)
{
    (void)state;
    uint64_t seen = hp_events_total();
    gint64 t0 = g_get_monotonic_time();
    GThread *thread = g_thread_new("waker", wake_later, NULL);
    assert_int_equal(hp_events_wait(seen, 5 * G_USEC_PER_SEC), seen);
    g_thread_join(thread);
    assert_true(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_change_bumps_its_own_school_only),
        cmocka_unit_test(test_a_waiter_wakes_at_a_change),
        cmocka_unit_test(test_a_quiet_wait_ends_at_its_timeout),
        cmocka_unit_test(test_a_wake_ends_a_wait_without_a_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
