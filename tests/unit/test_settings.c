/*
 * The school's pass-rule settings and the rule fields of rooms and students: defaults, the
 * edges of every range, the words of each refusal, empty as off (or as the default), JSON
 * values, and the KEY=VALUE lines `hallpass settings` prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "core/error.h"
#include "core/settings.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static void assert_error(int rc, const char *message)
{
    assert_int_equal(rc, HP_EINVALID);
    assert_string_equal(hp_error_last(), message);
}

static void test_defaults(void **state)
{
    (void)state;
    hp_settings s;
    memset(&s, 0x5a, sizeof(s));
    hp_settings_init(&s);
    assert_int_equal(s.auto_end_minutes, 120);
    assert_int_equal(s.default_time_limit_minutes, 0);
    assert_int_equal(s.max_active_passes, 0);
    assert_int_equal(s.max_passes_per_day, 0);
    assert_int_equal(s.max_passes_per_week, 0);
    assert_int_equal(s.cooldown_minutes, 0);
    assert_int_equal(s.no_pass_first_minutes, 0);
    assert_int_equal(s.no_pass_last_minutes, 0);
    assert_true(s.wait_in_line);
    assert_int_equal(s.line_offer_seconds, 30);
}

/* Every whole-number setting takes both ends of its range and refuses one past each. */
static void test_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        int min, max;
    } ranges[] = {
        {"auto_end_minutes", 10, 720},    {"default_time_limit_minutes", 1, 240},
        {"max_active_passes", 1, 10000},  {"max_passes_per_day", 1, 50},
        {"max_passes_per_week", 1, 200},  {"cooldown_minutes", 1, 120},
        {"no_pass_first_minutes", 1, 60}, {"no_pass_last_minutes", 1, 60},
        {"line_offer_seconds", 10, 300},  {"retain_passes_days", 30, 3650},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(ranges); i++) {
        hp_settings s;
        hp_settings_init(&s);
        const hp_setting_spec *spec = hp_setting_find(ranges[i].key);
        assert_non_null(spec);
        char text[32], want[200];
        int values[] = {ranges[i].min, ranges[i].max};
        for (int k = 0; k < 2; k++) {
            snprintf(text, sizeof(text), "%d", values[k]);
            assert_int_equal(hp_settings_set_text(&s, ranges[i].key, text), HP_OK);
            assert_int_equal(hp_settings_get(&s, spec), values[k]);
        }
        int bad[] = {ranges[i].min - 1, ranges[i].max + 1};
        for (int k = 0; k < 2; k++) {
            hp_settings before = s;
            snprintf(text, sizeof(text), "%d", bad[k]);
            snprintf(want, sizeof(want), "%s: \"%d\" is not a whole number from %d to %d",
                     ranges[i].key, bad[k], ranges[i].min, ranges[i].max);
            assert_error(hp_settings_set_text(&s, ranges[i].key, text), want);
            assert_memory_equal(&s, &before, sizeof(s));
        }
    }
}

static void test_messages(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    assert_error(hp_settings_set_text(&s, "max_active_passes", "0"),
                 "max_active_passes: \"0\" is not a whole number from 1 to 10000");
    assert_error(hp_settings_set_text(&s, "max_passes_per_day", "-1"),
                 "max_passes_per_day: \"-1\" is not a whole number from 1 to 50");
    assert_error(hp_settings_set_text(&s, "max_passes_per_day", " 4"),
                 "max_passes_per_day: \" 4\" is not a whole number from 1 to 50");
    assert_error(hp_settings_set_text(&s, "max_passes_per_day", "4.5"),
                 "max_passes_per_day: \"4.5\" is not a whole number from 1 to 50");
    assert_error(hp_settings_set_text(&s, "cooldown_minutes", "99999999999999999999"),
                 "cooldown_minutes: \"99999999999999999999\" is not a whole number from 1 to 120");
    assert_error(hp_settings_set_text(&s, "wait_in_line", "yes"),
                 "wait_in_line: \"yes\" is not true or false");
    assert_error(hp_settings_set_text(&s, "max_passes", "3"),
                 "\"max_passes\" is not a setting (auto_end_minutes, default_time_limit_minutes, "
                 "max_active_passes, max_passes_per_day, max_passes_per_week, cooldown_minutes, "
                 "no_pass_first_minutes, no_pass_last_minutes, wait_in_line, line_offer_seconds, "
                 "retain_passes_days, oidc_issuer, oidc_client_id, oidc_client_secret_file, "
                 "oidc_email_domains, oidc_label)");
    assert_int_equal(hp_settings_set_text(&s, "wait_in_line", "FALSE"), HP_OK);
    assert_false(s.wait_in_line);
    assert_int_equal(hp_settings_set_text(&s, "max_passes_per_day", "007"), HP_OK);
    assert_int_equal(s.max_passes_per_day, 7);
}

/* Empty turns a rule off, or gives back the default of a setting that has one. */
static void test_empty(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    assert_int_equal(hp_settings_assign(&s, "max_active_passes=40"), HP_OK);
    assert_int_equal(hp_settings_assign(&s, "auto_end_minutes=60"), HP_OK);
    assert_int_equal(hp_settings_assign(&s, "wait_in_line=false"), HP_OK);
    assert_int_equal(hp_settings_assign(&s, "line_offer_seconds=90"), HP_OK);
    assert_int_equal(s.max_active_passes, 40);
    assert_int_equal(hp_settings_assign(&s, "max_active_passes="), HP_OK);
    assert_int_equal(s.max_active_passes, 0);
    assert_int_equal(hp_settings_assign(&s, "auto_end_minutes="), HP_OK);
    assert_int_equal(s.auto_end_minutes, 120);
    assert_int_equal(hp_settings_assign(&s, "wait_in_line="), HP_OK);
    assert_true(s.wait_in_line);
    assert_int_equal(hp_settings_set_text(&s, "line_offer_seconds", NULL), HP_OK);
    assert_int_equal(s.line_offer_seconds, 30);
}

static void test_assign(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    assert_int_equal(hp_settings_assign(&s, "cooldown_minutes=15"), HP_OK);
    assert_int_equal(s.cooldown_minutes, 15);
    assert_error(hp_settings_assign(&s, "cooldown_minutes"),
                 "\"cooldown_minutes\" is not KEY=VALUE, such as max_passes_per_day=4");
    assert_error(hp_settings_assign(&s, "=4"),
                 "\"=4\" is not KEY=VALUE, such as max_passes_per_day=4");
    assert_error(hp_settings_assign(&s, "cooldown_minutes=1=2"),
                 "cooldown_minutes: \"1=2\" is not a whole number from 1 to 120");
    assert_int_equal(s.cooldown_minutes, 15);
}

static void test_lines(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    char *text = hp_settings_format_lines(&s);
    assert_string_equal(text, "auto_end_minutes=120\n"
                              "default_time_limit_minutes=\n"
                              "max_active_passes=\n"
                              "max_passes_per_day=\n"
                              "max_passes_per_week=\n"
                              "cooldown_minutes=\n"
                              "no_pass_first_minutes=\n"
                              "no_pass_last_minutes=\n"
                              "wait_in_line=true\n"
                              "line_offer_seconds=30\n"
                              "retain_passes_days=\n"
                              "oidc_issuer=\n"
                              "oidc_client_id=\n"
                              "oidc_client_secret_file=\n"
                              "oidc_email_domains=\n"
                              "oidc_label=\n");
    g_free(text);
    assert_int_equal(hp_settings_assign(&s, "max_passes_per_week=200"), HP_OK);
    assert_int_equal(hp_settings_assign(&s, "wait_in_line=false"), HP_OK);
    assert_int_equal(hp_settings_assign(&s, "no_pass_first_minutes=10"), HP_OK);
    text = hp_settings_format_lines(&s);
    assert_non_null(strstr(text, "\nmax_passes_per_week=200\n"));
    assert_non_null(strstr(text, "\nwait_in_line=false\n"));
    assert_non_null(strstr(text, "\nno_pass_first_minutes=10\n"));

    /* Every printed line reads back to the same settings. */
    hp_settings back;
    hp_settings_init(&back);
    char **lines = g_strsplit(text, "\n", -1);
    for (char **p = lines; *p && **p; p++)
        assert_int_equal(hp_settings_assign(&back, *p), HP_OK);
    g_strfreev(lines);
    assert_memory_equal(&back, &s, sizeof(s));
    g_free(text);
}

static void test_json(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    const hp_setting_spec *cap = hp_setting_find("max_active_passes");
    const hp_setting_spec *wait = hp_setting_find("wait_in_line");
    const hp_setting_spec *auto_end = hp_setting_find("auto_end_minutes");

    hp_setting_value v = hp_setting_json(cap, s.max_active_passes);
    assert_int_equal(v.kind, HP_VALUE_NULL);
    v = hp_setting_json(auto_end, s.auto_end_minutes);
    assert_int_equal(v.kind, HP_VALUE_NUMBER);
    assert_int_equal(v.number, 120);
    v = hp_setting_json(wait, s.wait_in_line);
    assert_int_equal(v.kind, HP_VALUE_BOOL);
    assert_true(v.flag);

    hp_setting_value forty = {.kind = HP_VALUE_NUMBER, .number = 40};
    assert_int_equal(hp_settings_set_json(&s, "max_active_passes", &forty), HP_OK);
    assert_int_equal(s.max_active_passes, 40);
    v = hp_setting_json(cap, s.max_active_passes);
    assert_int_equal(v.kind, HP_VALUE_NUMBER);
    assert_int_equal(v.number, 40);

    hp_setting_value null = {.kind = HP_VALUE_NULL};
    assert_int_equal(hp_settings_set_json(&s, "max_active_passes", &null), HP_OK);
    assert_int_equal(s.max_active_passes, 0);

    hp_setting_value zero = {.kind = HP_VALUE_NUMBER, .number = 0};
    assert_error(hp_settings_set_json(&s, "max_active_passes", &zero),
                 "max_active_passes: 0 is not a whole number from 1 to 10000");
    hp_setting_value huge = {.kind = HP_VALUE_NUMBER, .number = 4294967337LL};
    assert_error(hp_settings_set_json(&s, "max_active_passes", &huge),
                 "max_active_passes: 4294967337 is not a whole number from 1 to 10000");
    hp_setting_value yes = {.kind = HP_VALUE_BOOL, .flag = true};
    assert_error(hp_settings_set_json(&s, "max_active_passes", &yes),
                 "max_active_passes: true is not a whole number from 1 to 10000");
    hp_setting_value five = {.kind = HP_VALUE_NUMBER, .number = 5};
    assert_error(hp_settings_set_json(&s, "wait_in_line", &five),
                 "wait_in_line: 5 is not true or false");
    hp_setting_value no = {.kind = HP_VALUE_BOOL, .flag = false};
    assert_int_equal(hp_settings_set_json(&s, "wait_in_line", &no), HP_OK);
    assert_false(s.wait_in_line);
    assert_int_equal(hp_settings_set_json(&s, "wait_in_line", &null), HP_OK);
    assert_true(s.wait_in_line);
    assert_int_equal(hp_settings_set_json(&s, "nope", &five), HP_EINVALID);
}

/* The rule fields of rooms and students, as the imports and the room and user forms read
 * them. */
static void test_fields(void **state)
{
    (void)state;
    int v = -1;
    assert_int_equal(hp_setting_parse(&hp_field_time_limit_minutes, "", &v), HP_OK);
    assert_int_equal(v, 0);
    assert_int_equal(hp_setting_parse(&hp_field_time_limit_minutes, "1", &v), HP_OK);
    assert_int_equal(v, 1);
    assert_int_equal(hp_setting_parse(&hp_field_time_limit_minutes, "240", &v), HP_OK);
    assert_int_equal(v, 240);
    assert_error(hp_setting_parse(&hp_field_time_limit_minutes, "241", &v),
                 "time_limit_minutes: \"241\" is not a whole number from 1 to 240");
    assert_error(hp_setting_parse(&hp_field_time_limit_minutes, "0", &v),
                 "time_limit_minutes: \"0\" is not a whole number from 1 to 240");

    assert_int_equal(hp_setting_parse(&hp_field_counts_toward_limit, "", &v), HP_OK);
    assert_int_equal(v, 1);
    assert_int_equal(hp_setting_parse(&hp_field_counts_toward_limit, "false", &v), HP_OK);
    assert_int_equal(v, 0);
    assert_int_equal(hp_setting_parse(&hp_field_counts_toward_limit, "True", &v), HP_OK);
    assert_int_equal(v, 1);
    assert_error(hp_setting_parse(&hp_field_counts_toward_limit, "0", &v),
                 "counts_toward_limit: \"0\" is not true or false");

    assert_int_equal(hp_setting_parse(&hp_field_max_passes_per_day, "50", &v), HP_OK);
    assert_int_equal(v, 50);
    assert_error(hp_setting_parse(&hp_field_max_passes_per_day, "51", &v),
                 "max_passes_per_day: \"51\" is not a whole number from 1 to 50");
    assert_int_equal(hp_setting_parse(&hp_field_max_passes_per_day, NULL, &v), HP_OK);
    assert_int_equal(v, 0);

    char text[HP_SETTING_VALUE_LEN];
    hp_setting_format(&hp_field_time_limit_minutes, 0, text);
    assert_string_equal(text, "");
    hp_setting_format(&hp_field_time_limit_minutes, 15, text);
    assert_string_equal(text, "15");
    hp_setting_format(&hp_field_counts_toward_limit, 0, text);
    assert_string_equal(text, "false");
    assert_int_equal(hp_setting_json(&hp_field_max_passes_per_day, 0).kind, HP_VALUE_NULL);
    assert_int_equal(hp_setting_json(&hp_field_counts_toward_limit, 1).kind, HP_VALUE_BOOL);

    /* A long value is cut in the message, which still names the field. */
    char long_value[200];
    memset(long_value, '9', sizeof(long_value) - 1);
    long_value[sizeof(long_value) - 1] = '\0';
    assert_int_equal(hp_setting_parse(&hp_field_time_limit_minutes, long_value, &v), HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "time_limit_minutes: \"9999"));
    assert_true(strlen(hp_error_last()) < 120);
}

static void test_which_limit(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    assert_int_equal(hp_settings_day_limit(&s, 0), 0);
    assert_int_equal(hp_settings_day_limit(&s, 6), 6);
    s.max_passes_per_day = 4;
    assert_int_equal(hp_settings_day_limit(&s, 0), 4);
    /* A student's own limit replaces the school's, above or below it. */
    assert_int_equal(hp_settings_day_limit(&s, 6), 6);
    assert_int_equal(hp_settings_day_limit(&s, 2), 2);

    assert_int_equal(hp_settings_time_limit(&s, 0), 0);
    assert_int_equal(hp_settings_time_limit(&s, 5), 5);
    s.default_time_limit_minutes = 10;
    assert_int_equal(hp_settings_time_limit(&s, 0), 10);
    assert_int_equal(hp_settings_time_limit(&s, 5), 5);
    assert_int_equal(hp_settings_time_limit(&s, 30), 30);
}

static void test_check(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    assert_int_equal(hp_settings_check(&s), HP_OK);
    s.max_active_passes = 10000;
    s.cooldown_minutes = 1;
    assert_int_equal(hp_settings_check(&s), HP_OK);
    s.cooldown_minutes = 121;
    assert_error(hp_settings_check(&s),
                 "cooldown_minutes: 121 is not a whole number from 1 to 120");
    s.cooldown_minutes = 0;
    s.auto_end_minutes = 0; /* A setting with a default is never off. */
    assert_error(hp_settings_check(&s), "auto_end_minutes: 0 is not a whole number from 10 to 720");
}

/* The table itself: every row has a meaning and a sane range, and keys are unique. */
static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < HP_SETTINGS_COUNT; i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        assert_true(spec->meaning && spec->meaning[0]);
        assert_true(spec->min <= spec->max);
        if (spec->has_default)
            assert_true(spec->default_value >= spec->min && spec->default_value <= spec->max);
        assert_ptr_equal(hp_setting_find(spec->key), spec);
    }
    assert_null(hp_setting_find("Max_Active_Passes"));
    assert_null(hp_setting_find(NULL));
}

/* The sign-on settings: text, checked one by one, and read by the sign-on's own helpers. */
static void test_sign_on(void **state)
{
    (void)state;
    hp_settings s;
    hp_settings_init(&s);
    assert_string_equal(s.oidc_issuer, "");
    assert_false(hp_settings_oidc_on(&s));

    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "https://login.example.com/t/1"), 0);
    assert_error(hp_settings_set_text(&s, "oidc_issuer", "https://login.example.com/?a=b"),
                 "oidc_issuer: \"https://login.example.com/?a=b\" is not an https URL such as "
                 "https://accounts.example.com (no user name, query or fragment)");
    assert_string_equal(s.oidc_issuer, "https://login.example.com/t/1"); /* Unchanged. */
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "https://"), HP_EINVALID);
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "https://a b.example"), HP_EINVALID);

    /* http only on 127.0.0.1, and only when a test allows it. */
    assert_error(hp_settings_set_text(&s, "oidc_issuer", "http://127.0.0.1:4000"),
                 "oidc_issuer: http://127.0.0.1 is allowed only for tests; a provider's issuer "
                 "is an https URL");
    hp_settings_allow_loopback_issuer(true);
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "http://127.0.0.1:4000"), HP_OK);
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "http://127.0.0.10"), HP_EINVALID);
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "http://localhost"), HP_EINVALID);
    hp_settings_allow_loopback_issuer(false);
    assert_int_equal(hp_settings_check(&s), HP_EINVALID);
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", ""), HP_OK);

    assert_error(hp_settings_set_text(&s, "oidc_email_domains", "a.example, -b.example"),
                 "oidc_email_domains: \"-b.example\" is not a domain such as school.example.org");
    assert_int_equal(hp_settings_set_text(&s, "oidc_email_domains", "a.example,, b.example"),
                     HP_EINVALID);
    assert_int_equal(hp_settings_set_text(&s, "oidc_email_domains", "a.example, B.Example"), 0);
    assert_true(hp_settings_oidc_domain_ok(&s, "x@b.example"));
    assert_true(hp_settings_oidc_domain_ok(&s, "x@A.EXAMPLE"));
    assert_false(hp_settings_oidc_domain_ok(&s, "x@c.a.example"));
    assert_false(hp_settings_oidc_domain_ok(&s, "x@example"));
    assert_false(hp_settings_oidc_domain_ok(&s, "no-at-sign"));
    assert_false(hp_settings_oidc_domain_ok(&s, "x@"));

    assert_error(hp_settings_set_text(&s, "oidc_label", "Sign in\twith tabs"),
                 "oidc_label: holds a control character");
    assert_error(hp_settings_set_text(&s, "oidc_label", "\xff"), "oidc_label: not valid UTF-8");
    assert_error(hp_settings_set_json(&s, "oidc_label",
                                      &(hp_setting_value){.kind = HP_VALUE_NUMBER, .number = 5}),
                 "oidc_label: must be text, or null");
    assert_int_equal(hp_settings_set_json(
                         &s, "oidc_label",
                         &(hp_setting_value){.kind = HP_VALUE_TEXT, .text = "Sign in with Google"}),
                     HP_OK);
    assert_string_equal(hp_settings_text(&s, hp_setting_find("oidc_label")), "Sign in with Google");
    assert_error(hp_settings_set_text(&s, "oidc_client_secret_file", "secret.txt"),
                 "oidc_client_secret_file: \"secret.txt\" is not an absolute path");

    /* On with issuer, client ID and domains. */
    assert_int_equal(hp_settings_set_text(&s, "oidc_issuer", "https://login.example.com"), 0);
    assert_false(hp_settings_oidc_on(&s));
    assert_int_equal(hp_settings_set_text(&s, "oidc_client_id", "hallpass"), 0);
    assert_true(hp_settings_oidc_on(&s));
    assert_null(hp_settings_text(&s, hp_setting_find("cooldown_minutes")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_messages),    cmocka_unit_test(test_empty),
        cmocka_unit_test(test_assign),      cmocka_unit_test(test_lines),
        cmocka_unit_test(test_json),        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_which_limit), cmocka_unit_test(test_table),
        cmocka_unit_test(test_check),       cmocka_unit_test(test_sign_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
