/*
 * Change notices (src/service/events.c): generations per school, a wait that returns at once
 * when the generation already moved, times out when nothing changes, wakes when another
 * thread notifies, and returns at once for everyone after close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/events.h"

#include <glib.h>

/* Long enough that a wait woken early is told apart from one that timed out. */
#define LONG_WAIT_MS 5000
#define SHORT_WAIT_MS 50

static int reset(void **state)
{
    (void)state;
    hp_events_reset();
    return 0;
}

static void test_generations_per_school(void **state)
{
    (void)state;
    assert_int_equal(hp_events_generation(1), 0);
    hp_events_notify(1);
    hp_events_notify(1);
    hp_events_notify(2);
    assert_int_equal(hp_events_generation(1), 2);
    assert_int_equal(hp_events_generation(2), 1);
    assert_int_equal(hp_events_generation(3), 0);
}

static void test_wait_returns_at_once_when_moved(void **state)
{
    (void)state;
    hp_events_notify(7);
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(hp_events_wait(7, 0, LONG_WAIT_MS), 1);
    assert_true(g_get_monotonic_time() - t0 < LONG_WAIT_MS * 1000 / 2);
}

static void test_wait_times_out(void **state)
{
    (void)state;
    hp_events_notify(8);
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(hp_events_wait(8, 1, SHORT_WAIT_MS), 1);
    assert_true(g_get_monotonic_time() - t0 >= SHORT_WAIT_MS * 1000);
}

static gpointer notify_later(gpointer data)
{
    g_usleep(SHORT_WAIT_MS * 1000);
    hp_events_notify(*(int64_t *)data);
    return NULL;
}

static void test_wait_wakes_on_notify(void **state)
{
    (void)state;
    int64_t school = 9;
    int64_t other = 10;
    GThread *noise = g_thread_new("other", notify_later, &other);
    GThread *thread = g_thread_new("notify", notify_later, &school);
    gint64 t0 = g_get_monotonic_time();
    uint64_t gen = hp_events_wait(school, 0, LONG_WAIT_MS);
    gint64 took = g_get_monotonic_time() - t0;
    g_thread_join(thread);
    g_thread_join(noise);
    assert_int_equal(gen, 1);
    assert_true(took < LONG_WAIT_MS * 1000 / 2);
    assert_int_equal(hp_events_generation(other), 1);
}

static gpointer close_later(gpointer data)
{
    (void)data;
    g_usleep(SHORT_WAIT_MS * 1000);
    hp_events_close();
    return NULL;
}

static void test_close_wakes_everyone(void **state)
{
    (void)state;
    GThread *thread = g_thread_new("close", close_later, NULL);
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(hp_events_wait(11, 0, LONG_WAIT_MS), 0);
    assert_true(g_get_monotonic_time() - t0 < LONG_WAIT_MS * 1000 / 2);
    g_thread_join(thread);
    assert_true(hp_events_closed());
    assert_int_equal(hp_events_wait(11, 0, LONG_WAIT_MS), 0); /* At once from now on. */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_generations_per_school, reset),
        cmocka_unit_test_setup(test_wait_returns_at_once_when_moved, reset),
        cmocka_unit_test_setup(test_wait_times_out, reset),
        cmocka_unit_test_setup(test_wait_wakes_on_notify, reset),
        cmocka_unit_test_setup(test_close_wakes_everyone, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
