/*
 * The pass rules: when a pass is active, ends itself and is overtime, and the rules a now pass
 * must pass, each alone and in their order (the first that refuses answers), who is checked
 * and who may pass which with an override, the rules an override passed over, when the line
 * is offered, and every refusal in the words students and teachers read. Local times are the
 * school's (America/Chicago); instants are UTC times worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "core/util.h"
#include "core/error.h"
#include "core/rules.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define MINUTE 60
#define HOUR 3600

/* ---- Time limits, overtime, auto-end ---- */

static hp_pass open_pass(int64_t start)
{
    hp_pass pass = {.type = HP_PASS_NOW, .start = start};
    return pass;
}

static hp_pass ended_pass(int64_t start, int64_t end)
{
    hp_pass pass = {.type = HP_PASS_NOW, .start = start, .end = end, .has_end = true};
    return pass;
}

static void test_active(void **state)
{
    (void)state;
    int64_t start = utc(2026, 9, 14, 15, 0, 0);
    hp_pass pass = open_pass(start);
    assert_int_equal(hp_pass_auto_end_at(&pass, 120), start + 2 * HOUR);
    assert_false(hp_pass_active_at(&pass, 120, start - 1));
    assert_true(hp_pass_active_at(&pass, 120, start));
    assert_true(hp_pass_active_at(&pass, 120, start + 2 * HOUR - 1));
    /* From the deadline on, whether or not the end is written yet. */
    assert_false(hp_pass_active_at(&pass, 120, start + 2 * HOUR));
    assert_false(hp_pass_active_at(&pass, 120, start + 3 * HOUR));
    assert_true(hp_pass_active_at(&pass, 720, start + 3 * HOUR));
    assert_false(hp_pass_active_at(&pass, 10, start + 10 * MINUTE));
    /* Minutes unknown (0): no deadline. */
    assert_true(hp_pass_active_at(&pass, 0, start + 400 * HOUR));

    hp_pass ended = ended_pass(start, start + 5 * MINUTE);
    assert_true(hp_pass_active_at(&ended, 120, start + 5 * MINUTE - 1));
    assert_false(hp_pass_active_at(&ended, 120, start + 5 * MINUTE));

    hp_pass cancelled = open_pass(start);
    cancelled.cancelled = true;
    assert_false(hp_pass_active_at(&cancelled, 120, start + 1));
}

static void test_end_at(void **state)
{
    (void)state;
    int64_t start = utc(2026, 9, 14, 15, 0, 0), end = -1;
    hp_pass pass = open_pass(start);
    assert_int_equal(hp_pass_end_at(&pass, 120, start - 1, &end), HP_END_NONE);
    assert_int_equal(hp_pass_end_at(&pass, 120, start + HOUR, &end), HP_END_NONE);
    assert_int_equal(end, -1);
    assert_int_equal(hp_pass_end_at(&pass, 120, start + 2 * HOUR, &end), HP_END_AUTO);
    assert_int_equal(end, start + 2 * HOUR);
    assert_int_equal(hp_pass_end_at(&pass, 120, start + 30 * HOUR, NULL), HP_END_AUTO);

    hp_pass ended = ended_pass(start, start + 7 * MINUTE);
    assert_int_equal(hp_pass_end_at(&ended, 120, start + 7 * MINUTE - 1, &end), HP_END_NONE);
    assert_int_equal(hp_pass_end_at(&ended, 120, start + 7 * MINUTE, &end), HP_END_ENDED);
    assert_int_equal(end, start + 7 * MINUTE);
    assert_int_equal(hp_pass_end_at(&ended, 120, start + 5 * HOUR, &end), HP_END_ENDED);

    /* The clock wrote the auto-end: the deadline itself. A late write counts as the deadline. */
    hp_pass written = ended_pass(start, start + 2 * HOUR);
    assert_int_equal(hp_pass_end_at(&written, 120, start + 3 * HOUR, &end), HP_END_AUTO);
    assert_int_equal(end, start + 2 * HOUR);
    hp_pass late = ended_pass(start, start + 2 * HOUR + 4);
    assert_int_equal(hp_pass_end_at(&late, 120, start + 3 * HOUR, &end), HP_END_AUTO);
    assert_int_equal(end, start + 2 * HOUR);

    hp_pass cancelled = open_pass(start);
    cancelled.cancelled = true;
    assert_int_equal(hp_pass_end_at(&cancelled, 120, start + 3 * HOUR, &end), HP_END_NONE);
}

static void test_overtime(void **state)
{
    (void)state;
    int64_t start = utc(2026, 9, 14, 15, 0, 0);
    hp_pass pass = open_pass(start);
    /* More than the limit, not the limit itself. */
    assert_false(hp_pass_overtime_at(&pass, 10, 120, start + 10 * MINUTE));
    assert_true(hp_pass_overtime_at(&pass, 10, 120, start + 10 * MINUTE + 1));
    assert_int_equal(hp_pass_overtime_seconds(&pass, 10, 120, start + 10 * MINUTE + 1), 1);
    assert_int_equal(hp_pass_overtime_seconds(&pass, 10, 120, start + 25 * MINUTE), 15 * MINUTE);
    /* No limit, never overtime. */
    assert_false(hp_pass_overtime_at(&pass, 0, 120, start + HOUR));
    /* Not started yet. */
    assert_false(hp_pass_overtime_at(&pass, 10, 120, start - HOUR));
    /* Auto-ended: it was out until the deadline, 110 minutes over a 10-minute limit. */
    assert_int_equal(hp_pass_overtime_seconds(&pass, 10, 120, start + 5 * HOUR), 110 * MINUTE);
    assert_false(hp_pass_overtime_at(&pass, 240, 120, start + 5 * HOUR));

    /* An ended pass keeps what it was. */
    hp_pass ended = ended_pass(start, start + 15 * MINUTE);
    assert_int_equal(hp_pass_overtime_seconds(&ended, 10, 120, start + 3 * HOUR), 5 * MINUTE);
    hp_pass in_time = ended_pass(start, start + 10 * MINUTE);
    assert_false(hp_pass_overtime_at(&in_time, 10, 120, start + 3 * HOUR));

    hp_pass cancelled = open_pass(start);
    cancelled.cancelled = true;
    assert_false(hp_pass_overtime_at(&cancelled, 10, 120, start + HOUR));
}

static void test_counts_toward_limit(void **state)
{
    (void)state;
    hp_pass pass = open_pass(0);
    assert_true(hp_pass_counts_toward_limit(&pass));
    pass.limit_exempt = true; /* To the nurse. */
    assert_false(hp_pass_counts_toward_limit(&pass));
    pass.limit_exempt = false;
    pass.cancelled = true;
    assert_false(hp_pass_counts_toward_limit(&pass));
    hp_pass scheduled = {.type = HP_PASS_SCHEDULED};
    assert_false(hp_pass_counts_toward_limit(&scheduled));
}

/* ---- The table ---- */

static void test_table(void **state)
{
    (void)state;
    static const struct {
        hp_rule_id id;
        const char *name;
        bool staff_checked, staff_may_override;
    } want[] = {
        {HP_RULE_STUDENT_ACTIVE, "student_active", true, false},
        {HP_RULE_NO_PASS_TIME, "no_pass_time", false, false},
        {HP_RULE_ENCOUNTER, "encounter", true, true},
        {HP_RULE_COOLDOWN, "cooldown", false, false},
        {HP_RULE_STUDENT_LIMIT, "student_limit", true, true},
        {HP_RULE_MAX_FROM, "max_from", true, true},
        {HP_RULE_MAX_TO, "max_to", true, true},
        {HP_RULE_HALLWAY_CAP, "hallway_cap", false, false},
    };
    assert_int_equal(HP_ARRAY_SIZE(want), HP_RULE_COUNT);
    for (size_t i = 0; i < HP_RULE_COUNT; i++) {
        assert_int_equal(want[i].id, (int)i + 1);
        assert_string_equal(hp_rule_name(want[i].id), want[i].name);
        hp_rule_id parsed = HP_RULE_NONE;
        assert_int_equal(hp_rule_parse(want[i].name, &parsed), HP_OK);
        assert_int_equal(parsed, want[i].id);
        /* Students and kiosks are checked by every rule and may pass none. */
        assert_true(hp_rule_checks(want[i].id, HP_ASKER_STUDENT));
        assert_true(hp_rule_checks(want[i].id, HP_ASKER_KIOSK));
        assert_int_equal(hp_rule_checks(want[i].id, HP_ASKER_STAFF), want[i].staff_checked);
        assert_int_equal(hp_rule_staff_may_override(want[i].id), want[i].staff_may_override);
    }
    hp_rule_id parsed;
    assert_int_equal(hp_rule_parse("Max_From", &parsed), HP_EINVALID);
    assert_string_equal(hp_error_last(), "\"Max_From\" is not a pass rule");
    assert_string_equal(hp_rule_name(HP_RULE_NONE), "");
    assert_false(hp_rule_checks(HP_RULE_NONE, HP_ASKER_STAFF));

    assert_int_equal(hp_asker_of_source(HP_SOURCE_STUDENT), HP_ASKER_STUDENT);
    assert_int_equal(hp_asker_of_source(HP_SOURCE_TEACHER), HP_ASKER_STAFF);
    assert_int_equal(hp_asker_of_source(HP_SOURCE_KIOSK_MODE), HP_ASKER_KIOSK);
    assert_int_equal(hp_asker_of_source(HP_SOURCE_KIOSK_LOGIN), HP_ASKER_KIOSK);
}

static void test_rule_lists(void **state)
{
    (void)state;
    hp_rule_id list[] = {HP_RULE_ENCOUNTER, HP_RULE_MAX_FROM, HP_RULE_MAX_TO};
    char *text = hp_rule_list_format(list, 3);
    assert_string_equal(text, "encounter,max_from,max_to");
    hp_rule_id back[HP_RULE_COUNT];
    size_t n = 99;
    assert_int_equal(hp_rule_list_parse(text, back, &n), HP_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(back, list, sizeof(list));
    g_free(text);
    text = hp_rule_list_format(NULL, 0);
    assert_string_equal(text, "");
    g_free(text);
    assert_int_equal(hp_rule_list_parse("", back, &n), HP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hp_rule_list_parse(NULL, back, &n), HP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hp_rule_list_parse("max_to,nap", back, &n), HP_EINVALID);
    assert_string_equal(hp_error_last(), "\"nap\" is not a pass rule");
    assert_int_equal(n, 0);
    assert_int_equal(hp_rule_list_parse("max_to,max_to", back, &n), HP_EINVALID);
    assert_string_equal(hp_error_last(), "max_to: named twice");
}

/* ---- The rules of a now pass ---- */

/* Monday 2026-09-14, 10:30 CDT. */
#define NOW_LOCAL_1030 utc(2026, 9, 14, 15, 30, 0)

typedef struct {
    hp_rule_request req;
    hp_rule_counts counts;
    hp_settings settings;
    hp_no_pass_window window;
    hp_rule_result result;
    int64_t now;
} scene;

/* Every rule on and none refusing: a student asks for a now pass from Room 104 to
 * Restroom B. */
static void scene_init(scene *s, hp_asker asker)
{
    memset(s, 0, sizeof(*s));
    s->now = NOW_LOCAL_1030;
    s->req = (hp_rule_request){.asker = asker,
                               .type = HP_PASS_NOW,
                               .student = "Sam Lee",
                               .origin = "Room 104",
                               .destination = "Restroom B"};
    hp_settings_init(&s->settings);
    s->settings.max_active_passes = 40;
    s->settings.max_passes_per_week = 10;
    s->settings.cooldown_minutes = 15;
    s->settings.max_passes_per_day = 4;
    s->counts.day_limit = 4;
    s->counts.max_from = 2;
    s->counts.max_to = 3;
    s->counts.has_last_end = true;
    s->counts.last_end = s->now - HOUR;
    s->window = (hp_no_pass_window){.kind = HP_NO_PASS_FIRST,
                                    .start = utc(2026, 9, 14, 15, 5, 0),
                                    .end = utc(2026, 9, 14, 15, 15, 0),
                                    .has_end = true,
                                    .minutes = 10,
                                    .label = "Period 2"};
}

/* Makes one rule refuse, with the numbers of the examples, or pass again. */
static void set_rule(scene *s, hp_rule_id rule, bool refuse)
{
    switch (rule) {
    case HP_RULE_STUDENT_ACTIVE:
        s->counts.student_active_passes = refuse ? 1 : 0;
        s->counts.student_offers = 0;
        break;
    case HP_RULE_NO_PASS_TIME:
        s->counts.no_pass = refuse ? &s->window : NULL;
        break;
    case HP_RULE_ENCOUNTER:
        s->counts.encounter_group = refuse ? "B12" : NULL;
        break;
    case HP_RULE_COOLDOWN: /* Ended at 10:27, so 10:42; or an hour ago. */
        s->counts.last_end = refuse ? utc(2026, 9, 14, 15, 27, 0) : s->now - HOUR;
        break;
    case HP_RULE_STUDENT_LIMIT:
        s->counts.day_passes = refuse ? 4 : 0;
        s->counts.week_passes = 0;
        break;
    case HP_RULE_MAX_FROM:
        s->counts.from_active = refuse ? 2 : 0;
        break;
    case HP_RULE_MAX_TO:
        s->counts.to_active = refuse ? 3 : 0;
        break;
    case HP_RULE_HALLWAY_CAP:
        s->counts.hallway_active = refuse ? 40 : 0;
        break;
    case HP_RULE_NONE:
        break;
    }
}

static void make_fail(scene *s, hp_rule_id rule)
{
    set_rule(s, rule, true);
}

static void make_pass(scene *s, hp_rule_id rule)
{
    set_rule(s, rule, false);
}

static const hp_rule_result *check(scene *s, const hp_tz *tz)
{
    hp_rules_check(&s->req, &s->counts, &s->settings, tz, s->now, &s->result);
    return &s->result;
}

static void expect_refused(scene *s, const hp_tz *tz, hp_rule_id rule, const char *message)
{
    const hp_rule_result *r = check(s, tz);
    if (r->passed)
        fail_msg("passed; expected %s", hp_rule_name(rule));
    if (r->rule != rule)
        fail_msg("refused by %s (%s); expected %s", hp_rule_name(r->rule), r->message,
                 hp_rule_name(rule));
    assert_string_equal(r->message, message);
}

static void expect_passed(scene *s, const hp_tz *tz)
{
    const hp_rule_result *r = check(s, tz);
    if (!r->passed)
        fail_msg("refused by %s: %s", hp_rule_name(r->rule), r->message);
    assert_int_equal(r->rule, HP_RULE_NONE);
    assert_null(r->rule_field);
    assert_string_equal(r->message, "");
    assert_false(r->can_wait);
}

/* The message a student or kiosk reads for each rule, from the examples. */
static const char *const student_words[HP_RULE_COUNT + 1] = {
    [HP_RULE_STUDENT_ACTIVE] = "Sam Lee already has an active pass",
    [HP_RULE_NO_PASS_TIME] = "No passes until 10:15 (first 10 minutes of Period 2)",
    [HP_RULE_ENCOUNTER] = "You can't start a pass right now. Please ask your teacher.",
    [HP_RULE_COOLDOWN] = "Sam Lee can start a new pass at 10:42",
    [HP_RULE_STUDENT_LIMIT] = "Sam Lee has used 4 of 4 passes today",
    [HP_RULE_MAX_FROM] = "Room 104: 2 of 2 passes from this room are active",
    [HP_RULE_MAX_TO] = "Restroom B: 3 of 3 passes to this room are active",
    [HP_RULE_HALLWAY_CAP] = "The hallway is full: 40 of 40 passes are active",
};

static void test_nothing_refuses(void **state)
{
    const hp_tz *tz = *state;
    hp_asker askers[] = {HP_ASKER_STUDENT, HP_ASKER_KIOSK, HP_ASKER_STAFF};
    for (size_t a = 0; a < 3; a++) {
        scene s;
        scene_init(&s, askers[a]);
        expect_passed(&s, tz);
        assert_int_equal(s.result.override_count, 0);
    }
    /* Every rule off. */
    scene s;
    scene_init(&s, HP_ASKER_STUDENT);
    hp_settings_init(&s.settings);
    s.counts = (hp_rule_counts){.from_active = 99,
                                .to_active = 99,
                                .hallway_active = 9999,
                                .day_passes = 50,
                                .week_passes = 200,
                                .has_last_end = true,
                                .last_end = s.now};
    expect_passed(&s, tz);
}

/* Each rule alone, for each asker: refused with its words, or not checked. */
static void test_each_rule_alone(void **state)
{
    const hp_tz *tz = *state;
    for (int rule = 1; rule <= HP_RULE_COUNT; rule++) {
        hp_asker askers[] = {HP_ASKER_STUDENT, HP_ASKER_KIOSK};
        for (size_t a = 0; a < 2; a++) {
            scene s;
            scene_init(&s, askers[a]);
            make_fail(&s, (hp_rule_id)rule);
            expect_refused(&s, tz, (hp_rule_id)rule, student_words[rule]);
            /* A student or kiosk is never told that an encounter group exists. */
            if (rule == HP_RULE_ENCOUNTER)
                assert_null(s.result.rule_field);
            else
                assert_string_equal(s.result.rule_field, hp_rule_name((hp_rule_id)rule));
            assert_int_equal(s.result.may_override, hp_rule_staff_may_override((hp_rule_id)rule));
            /* An override from a student or kiosk changes nothing. */
            s.req.override = true;
            expect_refused(&s, tz, (hp_rule_id)rule, student_words[rule]);
            assert_int_equal(s.result.override_count, 0);
        }

        scene s;
        scene_init(&s, HP_ASKER_STAFF);
        make_fail(&s, (hp_rule_id)rule);
        if (!hp_rule_checks((hp_rule_id)rule, HP_ASKER_STAFF)) {
            /* Staff are not checked: no refusal and nothing passed over. */
            expect_passed(&s, tz);
            s.req.override = true;
            expect_passed(&s, tz);
            assert_int_equal(s.result.override_count, 0);
            continue;
        }
        const char *words = rule == HP_RULE_ENCOUNTER
                                ? "Encounter group \"B12\": another student of this group is out"
                                : student_words[rule];
        expect_refused(&s, tz, (hp_rule_id)rule, words);
        assert_string_equal(s.result.rule_field, hp_rule_name((hp_rule_id)rule));
        s.req.override = true;
        if (rule == HP_RULE_STUDENT_ACTIVE) {
            /* Nobody may pass it. */
            expect_refused(&s, tz, (hp_rule_id)rule, words);
            assert_false(s.result.may_override);
            assert_int_equal(s.result.override_count, 0);
        } else {
            expect_passed(&s, tz);
            assert_int_equal(s.result.override_count, 1);
            assert_int_equal(s.result.overrides[0], rule);
        }
    }
}

/* With every rule refusing, each answers in turn as the ones before it are satisfied. */
static void test_order(void **state)
{
    const hp_tz *tz = *state;
    hp_asker askers[] = {HP_ASKER_STUDENT, HP_ASKER_KIOSK};
    for (size_t a = 0; a < 2; a++) {
        scene s;
        scene_init(&s, askers[a]);
        for (int rule = 1; rule <= HP_RULE_COUNT; rule++)
            make_fail(&s, (hp_rule_id)rule);
        for (int rule = 1; rule <= HP_RULE_COUNT; rule++) {
            expect_refused(&s, tz, (hp_rule_id)rule, student_words[rule]);
            make_pass(&s, (hp_rule_id)rule);
        }
        expect_passed(&s, tz);
    }

    /* Staff: only the rules staff are checked by, in order. */
    scene s;
    scene_init(&s, HP_ASKER_STAFF);
    for (int rule = 1; rule <= HP_RULE_COUNT; rule++)
        make_fail(&s, (hp_rule_id)rule);
    hp_rule_id staff_order[] = {HP_RULE_STUDENT_ACTIVE, HP_RULE_ENCOUNTER, HP_RULE_STUDENT_LIMIT,
                                HP_RULE_MAX_FROM, HP_RULE_MAX_TO};
    for (size_t i = 0; i < 5; i++) {
        check(&s, tz);
        assert_false(s.result.passed);
        assert_int_equal(s.result.rule, staff_order[i]);
        make_pass(&s, staff_order[i]);
    }
    expect_passed(&s, tz);
}

/* An override passes every rule staff may pass and records each that refused, in order. */
static void test_override_list(void **state)
{
    const hp_tz *tz = *state;
    scene s;
    scene_init(&s, HP_ASKER_STAFF);
    s.req.override = true;
    for (int rule = 2; rule <= HP_RULE_COUNT; rule++)
        make_fail(&s, (hp_rule_id)rule);
    expect_passed(&s, tz);
    assert_int_equal(s.result.override_count, 4);
    assert_int_equal(s.result.overrides[0], HP_RULE_ENCOUNTER);
    assert_int_equal(s.result.overrides[1], HP_RULE_STUDENT_LIMIT);
    assert_int_equal(s.result.overrides[2], HP_RULE_MAX_FROM);
    assert_int_equal(s.result.overrides[3], HP_RULE_MAX_TO);
    char *text = hp_rule_list_format(s.result.overrides, s.result.override_count);
    assert_string_equal(text, "encounter,student_limit,max_from,max_to");
    g_free(text);

    /* Only the ones that refused. */
    make_pass(&s, HP_RULE_ENCOUNTER);
    make_pass(&s, HP_RULE_MAX_FROM);
    expect_passed(&s, tz);
    assert_int_equal(s.result.override_count, 2);
    assert_int_equal(s.result.overrides[0], HP_RULE_STUDENT_LIMIT);
    assert_int_equal(s.result.overrides[1], HP_RULE_MAX_TO);

    /* The student's own active pass still refuses, and no override is recorded. */
    make_fail(&s, HP_RULE_STUDENT_ACTIVE);
    expect_refused(&s, tz, HP_RULE_STUDENT_ACTIVE, "Sam Lee already has an active pass");
    assert_int_equal(s.result.override_count, 0);
}

static void test_can_wait(void **state)
{
    const hp_tz *tz = *state;
    hp_rule_id line_rules[] = {HP_RULE_MAX_FROM, HP_RULE_MAX_TO, HP_RULE_HALLWAY_CAP};
    for (size_t i = 0; i < 3; i++) {
        scene s;
        scene_init(&s, HP_ASKER_STUDENT);
        make_fail(&s, line_rules[i]);
        check(&s, tz);
        assert_true(s.result.line_fits);
        assert_true(s.result.can_wait);
        s.req.asker = HP_ASKER_KIOSK;
        check(&s, tz);
        assert_true(s.result.can_wait);
        s.settings.wait_in_line = false;
        check(&s, tz);
        assert_false(s.result.passed);
        assert_true(s.result.line_fits);
        assert_false(s.result.can_wait);
    }
    /* Refused by a rule before them: the line would not help. */
    for (int rule = 1; rule <= HP_RULE_STUDENT_LIMIT; rule++) {
        scene s;
        scene_init(&s, HP_ASKER_STUDENT);
        make_fail(&s, (hp_rule_id)rule);
        make_fail(&s, HP_RULE_MAX_TO);
        check(&s, tz);
        assert_int_equal(s.result.rule, rule);
        assert_false(s.result.line_fits);
        assert_false(s.result.can_wait);
    }
    /* Staff are offered it too ("Send to line"), and not with the line off. */
    scene s;
    scene_init(&s, HP_ASKER_STAFF);
    make_fail(&s, HP_RULE_MAX_TO);
    check(&s, tz);
    assert_true(s.result.line_fits);
    assert_true(s.result.can_wait);
    s.settings.wait_in_line = false;
    check(&s, tz);
    assert_false(s.result.can_wait);
}

static void test_scheduled_and_subsets(void **state)
{
    const hp_tz *tz = *state;
    scene s;
    scene_init(&s, HP_ASKER_STAFF);
    for (int rule = 1; rule <= HP_RULE_COUNT; rule++)
        make_fail(&s, (hp_rule_id)rule);
    /* A scheduled pass meets the rules when it starts. */
    s.req.type = HP_PASS_SCHEDULED;
    expect_passed(&s, tz);

    /* A resumed pass: rule 1 and rules 6-8 only. */
    scene r;
    scene_init(&r, HP_ASKER_STUDENT);
    r.req.checked = HP_RULES_RESUME;
    for (int rule = 2; rule <= HP_RULE_STUDENT_LIMIT; rule++)
        make_fail(&r, (hp_rule_id)rule);
    expect_passed(&r, tz);
    make_fail(&r, HP_RULE_HALLWAY_CAP);
    expect_refused(&r, tz, HP_RULE_HALLWAY_CAP, student_words[HP_RULE_HALLWAY_CAP]);
    make_fail(&r, HP_RULE_MAX_TO);
    expect_refused(&r, tz, HP_RULE_MAX_TO, student_words[HP_RULE_MAX_TO]);
    make_fail(&r, HP_RULE_STUDENT_ACTIVE);
    expect_refused(&r, tz, HP_RULE_STUDENT_ACTIVE, student_words[HP_RULE_STUDENT_ACTIVE]);
}

/* The edges of each count: one under the limit passes, the limit refuses. */
static void test_edges(void **state)
{
    const hp_tz *tz = *state;
    scene s;
    scene_init(&s, HP_ASKER_STUDENT);

    s.counts.student_offers = 1;
    expect_refused(&s, tz, HP_RULE_STUDENT_ACTIVE,
                   "Sam Lee already has an offer from the line to take");
    s.counts.student_offers = 0;

    /* Cooldown: allowed from last end + 15 minutes exactly. */
    s.counts.last_end = s.now - 15 * MINUTE;
    expect_passed(&s, tz);
    s.counts.last_end = s.now - 15 * MINUTE + 1;
    expect_refused(&s, tz, HP_RULE_COOLDOWN, "Sam Lee can start a new pass at 10:31");
    /* Seconds round up: from 10:41:30 is "at 10:42", never a minute too early. */
    s.counts.last_end = utc(2026, 9, 14, 15, 26, 30);
    expect_refused(&s, tz, HP_RULE_COOLDOWN, "Sam Lee can start a new pass at 10:42");
    s.counts.has_last_end = false; /* Never had a pass. */
    expect_passed(&s, tz);
    s.counts.has_last_end = true;
    s.counts.last_end = s.now - HOUR;

    /* Day: 3 of 4 passes, 4 of 4 refuses; the student's own limit as gathered. */
    s.counts.day_passes = 3;
    expect_passed(&s, tz);
    s.counts.day_passes = 4;
    expect_refused(&s, tz, HP_RULE_STUDENT_LIMIT, "Sam Lee has used 4 of 4 passes today");
    s.counts.day_limit = 6; /* A 504 plan. */
    expect_passed(&s, tz);
    s.counts.day_passes = 7;
    expect_refused(&s, tz, HP_RULE_STUDENT_LIMIT, "Sam Lee has used 7 of 6 passes today");
    s.counts.day_limit = 0;
    expect_passed(&s, tz);
    /* Week. */
    s.counts.week_passes = 9;
    expect_passed(&s, tz);
    s.counts.week_passes = 10;
    expect_refused(&s, tz, HP_RULE_STUDENT_LIMIT, "Sam Lee has used 10 of 10 passes this week");
    s.counts.day_limit = 4;
    s.counts.day_passes = 4; /* Both full: the day is named. */
    expect_refused(&s, tz, HP_RULE_STUDENT_LIMIT, "Sam Lee has used 4 of 4 passes today");
    s.counts.day_passes = 0;
    s.counts.week_passes = 0;

    /* Rooms and hallway: counts over a limit (after overrides) are shown as they are. */
    s.counts.from_active = 1;
    expect_passed(&s, tz);
    s.counts.from_active = 5;
    expect_refused(&s, tz, HP_RULE_MAX_FROM, "Room 104: 5 of 2 passes from this room are active");
    s.counts.from_active = 0;
    s.counts.to_active = 2;
    expect_passed(&s, tz);
    s.counts.to_active = 0;
    s.counts.hallway_active = 39;
    expect_passed(&s, tz);
    s.settings.max_active_passes = 1;
    s.counts.hallway_active = 1;
    expect_refused(&s, tz, HP_RULE_HALLWAY_CAP, "The hallway is full: 1 of 1 passes are active");
    s.settings.max_active_passes = 10000;
    s.counts.hallway_active = 10000;
    expect_refused(&s, tz, HP_RULE_HALLWAY_CAP,
                   "The hallway is full: 10000 of 10000 passes are active");
}

/* The local time of a cooldown's end, across midnight and a change of the clocks. */
static void test_cooldown_clock(void **state)
{
    const hp_tz *tz = *state;
    const struct {
        int64_t last_end, now;
        const char *words;
    } cases[] = {
        /* 23:55 CDT + 15 minutes is tomorrow's 00:10. */
        {utc(2026, 9, 15, 4, 55, 0), utc(2026, 9, 15, 4, 58, 0),
         "Sam Lee can start a new pass at 2026-09-15 00:10"},
        /* 2026-03-08 01:55 CST + 15 minutes is 03:10 CDT. */
        {utc(2026, 3, 8, 7, 55, 0), utc(2026, 3, 8, 8, 0, 0),
         "Sam Lee can start a new pass at 03:10"},
        /* 2026-11-01 01:55 CDT + 15 minutes is 01:10 CST. */
        {utc(2026, 11, 1, 6, 55, 0), utc(2026, 11, 1, 7, 0, 0),
         "Sam Lee can start a new pass at 01:10"},
        /* Standard time: 10:27 CST + 15 is 10:42. */
        {utc(2026, 12, 7, 16, 27, 0), utc(2026, 12, 7, 16, 30, 0),
         "Sam Lee can start a new pass at 10:42"},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++) {
        scene s;
        scene_init(&s, HP_ASKER_KIOSK);
        s.now = cases[i].now;
        s.counts.last_end = cases[i].last_end;
        expect_refused(&s, tz, HP_RULE_COOLDOWN, cases[i].words);
    }
}

static void expect_no_pass_words(const hp_tz *tz, const hp_no_pass_window *w, int64_t now,
                                 const char *want)
{
    char text[HP_RULE_MESSAGE_LEN];
    hp_no_pass_message(w, tz, now, text, sizeof(text));
    assert_string_equal(text, want);
}

static void test_no_pass_words(void **state)
{
    const hp_tz *tz = *state;
    int64_t now = utc(2026, 9, 14, 15, 7, 0); /* 10:07 CDT. */
    hp_no_pass_window w = {.kind = HP_NO_PASS_FIRST,
                           .start = utc(2026, 9, 14, 15, 5, 0),
                           .end = utc(2026, 9, 14, 15, 15, 0),
                           .has_end = true,
                           .minutes = 10,
                           .label = "Period 2"};
    expect_no_pass_words(tz, &w, now, "No passes until 10:15 (first 10 minutes of Period 2)");
    w.minutes = 1;
    w.end = utc(2026, 9, 14, 15, 6, 0);
    expect_no_pass_words(tz, &w, now, "No passes until 10:06 (first 1 minute of Period 2)");
    w.kind = HP_NO_PASS_LAST;
    w.minutes = 5;
    w.end = utc(2026, 9, 14, 15, 55, 0);
    expect_no_pass_words(tz, &w, now, "No passes until 10:55 (last 5 minutes of Period 2)");

    hp_no_pass_window b = {.kind = HP_NO_PASS_BLACKOUT,
                           .start = now,
                           .end = utc(2026, 9, 14, 16, 30, 0),
                           .has_end = true,
                           .label = "Assembly"};
    expect_no_pass_words(tz, &b, now, "No passes until 11:30 (Assembly)");
    b.label = NULL;
    expect_no_pass_words(tz, &b, now, "No passes until 11:30");
    b.label = "";
    expect_no_pass_words(tz, &b, now, "No passes until 11:30");
    b.end = utc(2026, 9, 15, 13, 0, 0); /* 08:00 tomorrow. */
    expect_no_pass_words(tz, &b, now, "No passes until 2026-09-15 08:00");
    b.has_end = false;
    expect_no_pass_words(tz, &b, now, "No passes for now");
    b.label = "Lockdown drill";
    expect_no_pass_words(tz, &b, now, "No passes for now (Lockdown drill)");

    /* The same words come back from the rules for a kiosk. */
    scene s;
    scene_init(&s, HP_ASKER_KIOSK);
    s.counts.no_pass = &b;
    expect_refused(&s, tz, HP_RULE_NO_PASS_TIME, "No passes for now (Lockdown drill)");
}

/* Names at the size cap fit the message whole. */
static void test_long_names(void **state)
{
    const hp_tz *tz = *state;
    char name[HP_NAME_MAX + 1];
    memset(name, 'x', HP_NAME_MAX);
    name[HP_NAME_MAX] = '\0';
    scene s;
    scene_init(&s, HP_ASKER_STAFF);
    s.req.origin = name;
    make_fail(&s, HP_RULE_MAX_FROM);
    s.counts.from_active = INT64_MAX;
    s.counts.max_from = HP_LIMIT_MAX;
    check(&s, tz);
    assert_non_null(strstr(s.result.message, " passes from this room are active"));
    assert_int_equal(strncmp(s.result.message, name, HP_NAME_MAX), 0);
    s.counts.from_active = 0;
    s.counts.encounter_group = name;
    check(&s, tz);
    assert_non_null(strstr(s.result.message, "\": another student of this group is out"));
}

/* A stored pass keeps its limit and deadline: the settings and room at its start fix them,
 * and the questions asked of it read those, not today's settings. */
static void test_stored_pass(void **state)
{
    (void)state;
    hp_settings settings;
    hp_settings_init(&settings);
    settings.default_time_limit_minutes = 20;
    int64_t start = 1700000000;
    hp_pass pass = open_pass(start);
    hp_pass_fix_limits(&pass, &settings, 0, true);
    assert_int_equal(pass.time_limit_minutes, 20);
    assert_int_equal(pass.auto_end_at, start + 120 * MINUTE);
    assert_false(pass.limit_exempt);
    hp_pass_fix_limits(&pass, &settings, 5, false); /* To a room that does not count. */
    assert_true(pass.limit_exempt);
    hp_pass_fix_limits(&pass, &settings, 5, true);
    assert_int_equal(pass.time_limit_minutes, 5);
    assert_int_equal(hp_pass_auto_end_minutes(&pass), 120);
    assert_true(hp_pass_active(&pass, start + 2 * HOUR - 1));
    assert_false(hp_pass_active(&pass, start + 2 * HOUR));
    int64_t end = 0;
    assert_int_equal(hp_pass_end_reason(&pass, start + 3 * HOUR, &end), HP_END_AUTO);
    assert_int_equal(end, start + 2 * HOUR);
    assert_string_equal(hp_end_reason_name(HP_END_AUTO), "auto");
    assert_string_equal(hp_end_reason_name(HP_END_ENDED), "ended");
    assert_null(hp_end_reason_name(HP_END_NONE));
    /* Over its 5 minutes by the deadline, not by the hour asked about. */
    assert_int_equal(hp_pass_overtime(&pass, start + 3 * HOUR), 2 * HOUR - 5 * MINUTE);
    hp_pass ended = ended_pass(start, start + 4 * MINUTE);
    hp_pass_fix_limits(&ended, &settings, 5, true);
    assert_int_equal(hp_pass_overtime(&ended, start + HOUR), 0);
    assert_int_equal(hp_pass_end_reason(&ended, start + HOUR, NULL), HP_END_ENDED);
    /* A pass with no deadline stored has none. */
    hp_pass bare = open_pass(start);
    assert_int_equal(hp_pass_auto_end_minutes(&bare), 0);
    assert_true(hp_pass_active(&bare, start + 400 * HOUR));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_active),          cmocka_unit_test(test_end_at),
        cmocka_unit_test(test_overtime),        cmocka_unit_test(test_counts_toward_limit),
        cmocka_unit_test(test_table),           cmocka_unit_test(test_rule_lists),
        cmocka_unit_test(test_nothing_refuses), cmocka_unit_test(test_each_rule_alone),
        cmocka_unit_test(test_order),           cmocka_unit_test(test_override_list),
        cmocka_unit_test(test_can_wait),        cmocka_unit_test(test_scheduled_and_subsets),
        cmocka_unit_test(test_edges),           cmocka_unit_test(test_cooldown_clock),
        cmocka_unit_test(test_no_pass_words),   cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_stored_pass),
    };
    return cmocka_run_group_tests(tests, chicago_setup, chicago_teardown);
}
