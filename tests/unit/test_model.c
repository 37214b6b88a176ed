/*
 * The product's words and the rules that follow from one pass: what
 * each pass adds to Room Usage and Staff Usage, which creators fit which sources, and the
 * words for roles, sources and types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/model.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

enum { STUDENT_ID = 10, TEACHER_ID = 20, OTHER_STUDENT_ID = 11, ORIGIN = 1, DESTINATION = 2 };

static hp_pass make_pass(hp_source source, hp_pass_type type, int64_t creator_id)
{
    hp_pass p = {0};
    p.student_id = STUDENT_ID;
    p.origin_id = ORIGIN;
    p.destination_id = DESTINATION;
    p.creator_id = creator_id;
    p.source = source;
    p.type = type;
    p.start = 1789380180; /* 2026-09-14T10:03:00Z */
    return p;
}

/* What each pass counts, worked out by hand for each source x type:
 * - Room Usage counts every pass not cancelled, whatever its source and type.
 * - Now Passes: source teacher or kiosk_mode, type now.
 * - Scheduled Passes: source teacher, type scheduled.
 * - student and kiosk_login never count for staff.
 * A cancelled pass counts nowhere. */
static const struct {
    hp_source source;
    hp_pass_type type;
    bool staff_now;
    bool staff_scheduled;
} effect_table[] = {
    {HP_SOURCE_STUDENT, HP_PASS_NOW, false, false},
    {HP_SOURCE_STUDENT, HP_PASS_SCHEDULED, false, false},
    {HP_SOURCE_TEACHER, HP_PASS_NOW, true, false},
    {HP_SOURCE_TEACHER, HP_PASS_SCHEDULED, false, true},
    {HP_SOURCE_KIOSK_MODE, HP_PASS_NOW, true, false},
    {HP_SOURCE_KIOSK_MODE, HP_PASS_SCHEDULED, false, false},
    {HP_SOURCE_KIOSK_LOGIN, HP_PASS_NOW, false, false},
    {HP_SOURCE_KIOSK_LOGIN, HP_PASS_SCHEDULED, false, false},
};

static void test_effect_every_combination(void **state)
{
    (void)state;
    size_t n = HP_ARRAY_SIZE(effect_table);
    assert_int_equal(n, 8); /* 4 sources x 2 types */
    for (size_t i = 0; i < n; i++) {
        for (int cancelled = 0; cancelled <= 1; cancelled++) {
            hp_pass p = make_pass(effect_table[i].source, effect_table[i].type, TEACHER_ID);
            p.cancelled = cancelled;
            hp_pass_effect e = hp_pass_effect_of(&p);
            bool want_counts = !cancelled;
            bool want_now = !cancelled && effect_table[i].staff_now;
            bool want_scheduled = !cancelled && effect_table[i].staff_scheduled;
            if (e.counts != want_counts || e.staff_now != want_now ||
                e.staff_scheduled != want_scheduled)
                fail_msg("source %s, type %s, cancelled %d: counts %d now %d scheduled %d; "
                         "expected %d %d %d",
                         hp_source_name(p.source), hp_pass_type_name(p.type), cancelled, e.counts,
                         e.staff_now, e.staff_scheduled, want_counts, want_now, want_scheduled);
        }
    }
}

static void test_effect_ignores_end_and_times(void **state)
{
    (void)state;
    /* An ended pass and one still out count the same. */
    hp_pass p = make_pass(HP_SOURCE_TEACHER, HP_PASS_NOW, TEACHER_ID);
    hp_pass_effect out = hp_pass_effect_of(&p);
    p.has_end = true;
    p.end = p.start + 600;
    hp_pass_effect ended = hp_pass_effect_of(&p);
    assert_true(out.counts && out.staff_now && !out.staff_scheduled);
    assert_true(ended.counts && ended.staff_now && !ended.staff_scheduled);
}

/* Asserts the check refuses the pass with a message that starts with "field: ". */
static void check_refused(const hp_pass *p, hp_role student_role, hp_role creator_role,
                          const char *field)
{
    hp_error_clear();
    int rc = hp_pass_check_roles(p, student_role, creator_role, NULL);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s: ", field);
    if (rc != HP_EINVALID)
        fail_msg("source %s type %s student %s creator %s: rc %d, expected HP_EINVALID",
                 hp_source_name(p->source), hp_pass_type_name(p->type), hp_role_name(student_role),
                 hp_role_name(creator_role), rc);
    if (strncmp(hp_error_last(), prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", hp_error_last(), prefix);
}

static void check_accepted(const hp_pass *p, hp_role student_role, hp_role creator_role)
{
    int rc = hp_pass_check_roles(p, student_role, creator_role, NULL);
    if (rc != HP_OK)
        fail_msg("source %s type %s creator %s refused: %s", hp_source_name(p->source),
                 hp_pass_type_name(p->type), hp_role_name(creator_role), hp_error_last());
}

static void test_roles_accepted(void **state)
{
    (void)state;
    hp_pass p;

    /* A student's own now pass. */
    p = make_pass(HP_SOURCE_STUDENT, HP_PASS_NOW, STUDENT_ID);
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_STUDENT);
    /* Staff from their own login, now and scheduled; admins may do all a teacher may. */
    for (int t = 0; t < 2; t++) {
        p = make_pass(HP_SOURCE_TEACHER, t ? HP_PASS_SCHEDULED : HP_PASS_NOW, TEACHER_ID);
        check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER);
        check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_ADMIN);
    }
    /* A kiosk a staff member launched. */
    p = make_pass(HP_SOURCE_KIOSK_MODE, HP_PASS_NOW, TEACHER_ID);
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER);
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_ADMIN);
    /* A kiosk login. */
    p = make_pass(HP_SOURCE_KIOSK_LOGIN, HP_PASS_NOW, TEACHER_ID);
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_KIOSK);
    /* A cancelled scheduled pass; an ended pass; one that ends the instant it starts. */
    p = make_pass(HP_SOURCE_TEACHER, HP_PASS_SCHEDULED, TEACHER_ID);
    p.cancelled = true;
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER);
    p = make_pass(HP_SOURCE_TEACHER, HP_PASS_NOW, TEACHER_ID);
    p.has_end = true;
    p.end = p.start + 300;
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER);
    p.end = p.start;
    check_accepted(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER);
}

static void test_roles_student_field(void **state)
{
    (void)state;
    /* The student of a pass is a student, whoever creates it. */
    hp_pass p = make_pass(HP_SOURCE_TEACHER, HP_PASS_NOW, TEACHER_ID);
    check_refused(&p, HP_ROLE_TEACHER, HP_ROLE_TEACHER, "student");
    check_refused(&p, HP_ROLE_ADMIN, HP_ROLE_TEACHER, "student");
    check_refused(&p, HP_ROLE_KIOSK, HP_ROLE_TEACHER, "student");
    assert_non_null(strstr(hp_error_last(), "kiosk"));
}

static void test_roles_same_room(void **state)
{
    (void)state;
    hp_pass p = make_pass(HP_SOURCE_TEACHER, HP_PASS_NOW, TEACHER_ID);
    p.destination_id = p.origin_id;
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER, "destination");
}

static void test_roles_source_student(void **state)
{
    (void)state;
    /* creator = the student. */
    hp_pass p = make_pass(HP_SOURCE_STUDENT, HP_PASS_NOW, OTHER_STUDENT_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_STUDENT, "creator");
    p = make_pass(HP_SOURCE_STUDENT, HP_PASS_NOW, TEACHER_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER, "creator");
    /* A student creates only now passes. */
    p = make_pass(HP_SOURCE_STUDENT, HP_PASS_SCHEDULED, STUDENT_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_STUDENT, "type");
}

static void test_roles_source_teacher(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        hp_pass p = make_pass(HP_SOURCE_TEACHER, t ? HP_PASS_SCHEDULED : HP_PASS_NOW, TEACHER_ID);
        check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_STUDENT, "creator");
        assert_non_null(strstr(hp_error_last(), "student"));
        check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_KIOSK, "creator");
        assert_non_null(strstr(hp_error_last(), "kiosk"));
    }
}

static void test_roles_source_kiosk_mode(void **state)
{
    (void)state;
    hp_pass p = make_pass(HP_SOURCE_KIOSK_MODE, HP_PASS_NOW, TEACHER_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_STUDENT, "creator");
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_KIOSK, "creator");
    /* Passes from kiosks are always now. */
    p = make_pass(HP_SOURCE_KIOSK_MODE, HP_PASS_SCHEDULED, TEACHER_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER, "type");
}

static void test_roles_source_kiosk_login(void **state)
{
    (void)state;
    hp_pass p = make_pass(HP_SOURCE_KIOSK_LOGIN, HP_PASS_NOW, TEACHER_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER, "creator");
    assert_non_null(strstr(hp_error_last(), "teacher"));
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_ADMIN, "creator");
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_STUDENT, "creator");
    p = make_pass(HP_SOURCE_KIOSK_LOGIN, HP_PASS_SCHEDULED, TEACHER_ID);
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_KIOSK, "type");
}

static void test_roles_cancelled_and_end(void **state)
{
    (void)state;
    /* Only a scheduled pass can be cancelled. */
    hp_pass p = make_pass(HP_SOURCE_TEACHER, HP_PASS_NOW, TEACHER_ID);
    p.cancelled = true;
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER, "cancelled");
    p = make_pass(HP_SOURCE_KIOSK_LOGIN, HP_PASS_NOW, TEACHER_ID);
    p.cancelled = true;
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_KIOSK, "cancelled");
    /* The end is never before the start. */
    p = make_pass(HP_SOURCE_TEACHER, HP_PASS_NOW, TEACHER_ID);
    p.has_end = true;
    p.end = p.start - 1;
    check_refused(&p, HP_ROLE_STUDENT, HP_ROLE_TEACHER, "end");
}

static void test_role_words(void **state)
{
    (void)state;
    const char *words[] = {"admin", "teacher", "student", "kiosk"};
    const hp_role roles[] = {HP_ROLE_ADMIN, HP_ROLE_TEACHER, HP_ROLE_STUDENT, HP_ROLE_KIOSK};
    for (size_t i = 0; i < 4; i++) {
        hp_role r = (hp_role)-1;
        assert_int_equal(hp_role_parse(words[i], &r), HP_OK);
        assert_int_equal(r, roles[i]);
        assert_string_equal(hp_role_name(roles[i]), words[i]);
    }
    /* Staff means admin and teacher. */
    assert_true(hp_role_is_staff(HP_ROLE_ADMIN));
    assert_true(hp_role_is_staff(HP_ROLE_TEACHER));
    assert_false(hp_role_is_staff(HP_ROLE_STUDENT));
    assert_false(hp_role_is_staff(HP_ROLE_KIOSK));

    const char *bad[] = {"", "staff", "teachers", "admin ", "principal", "kiosk_login"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        hp_role r;
        assert_int_equal(hp_role_parse(bad[i], &r), HP_EINVALID);
        char quoted[64];
        snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
        if (strstr(hp_error_last(), quoted) == NULL)
            fail_msg("message \"%s\" does not name %s", hp_error_last(), quoted);
    }
}

static void test_source_words(void **state)
{
    (void)state;
    const char *words[] = {"student", "teacher", "kiosk_mode", "kiosk_login"};
    const hp_source sources[] = {HP_SOURCE_STUDENT, HP_SOURCE_TEACHER, HP_SOURCE_KIOSK_MODE,
                                 HP_SOURCE_KIOSK_LOGIN};
    for (size_t i = 0; i < 4; i++) {
        hp_source s = (hp_source)-1;
        assert_int_equal(hp_source_parse(words[i], &s), HP_OK);
        assert_int_equal(s, sources[i]);
        assert_string_equal(hp_source_name(sources[i]), words[i]);
    }
    const char *bad[] = {"", "kiosk", "kiosk-mode", "admin", "teacher "};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        hp_source s;
        assert_int_equal(hp_source_parse(bad[i], &s), HP_EINVALID);
        char quoted[64];
        snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
        if (strstr(hp_error_last(), quoted) == NULL)
            fail_msg("message \"%s\" does not name %s", hp_error_last(), quoted);
    }
}

static void test_type_words(void **state)
{
    (void)state;
    hp_pass_type t = (hp_pass_type)-1;
    assert_int_equal(hp_pass_type_parse("now", &t), HP_OK);
    assert_int_equal(t, HP_PASS_NOW);
    assert_int_equal(hp_pass_type_parse("scheduled", &t), HP_OK);
    assert_int_equal(t, HP_PASS_SCHEDULED);
    assert_string_equal(hp_pass_type_name(HP_PASS_NOW), "now");
    assert_string_equal(hp_pass_type_name(HP_PASS_SCHEDULED), "scheduled");
    const char *bad[] = {"", "later", "schedule", "now "};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        assert_int_equal(hp_pass_type_parse(bad[i], &t), HP_EINVALID);
        char quoted[64];
        snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
        if (strstr(hp_error_last(), quoted) == NULL)
            fail_msg("message \"%s\" does not name %s", hp_error_last(), quoted);
    }
}

/* One cleaning for every name: whitespace around it trimmed, ASCII or Unicode, inside kept. */
static void test_name_clean_trims(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Room 101", "Room 101"},
        {"  Room 101  ", "Room 101"},
        {"\t Room 101\r\n", "Room 101"},
        {"\xc2\xa0"
         "Caf\xc3\xa9\xe3\x80\x80",
         "Caf\xc3\xa9"}, /* U+00A0 and U+3000 around. */
        {"Room  101", "Room  101"},
        {"Room\t101", "Room\t101"},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++) {
        char *name = NULL;
        assert_int_equal(hp_name_clean(&name, "name", cases[i].in, true), HP_OK);
        assert_string_equal(name, cases[i].out);
        g_free(name);
    }
    char *name = NULL;
    assert_int_equal(hp_name_clean(&name, "folder", " \t ", false), HP_OK);
    assert_string_equal(name, "");
    g_free(name);
    assert_int_equal(hp_name_clean(&name, "name", " \t ", true), HP_EINVALID);
    assert_null(name);
    assert_string_equal(hp_error_last(), "name: empty");
    assert_int_equal(hp_name_clean(&name, "name", NULL, true), HP_EINVALID);
    /* Invalid UTF-8 at an end is not taken for space: it is refused. */
    assert_int_equal(hp_name_clean(&name, "name", "Room\xc2", true), HP_EINVALID);
    assert_string_equal(hp_error_last(), "name: not valid UTF-8");

    size_t n;
    const char *start = hp_name_trim("  ab c \xc2\xa0", &n);
    assert_int_equal(n, 4);
    assert_memory_equal(start, "ab c", 4);
}

/* Invisible format characters (Unicode's Cf) are refused wherever they are in a name. */
static void test_name_refuses_format_characters(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xef\xbb\xbfRoom", /* U+FEFF, a byte-order mark */
        "Ro\xe2\x80\x8bom", /* U+200B zero-width space */
        "Ro\xe2\x80\x8dom", /* U+200D zero-width joiner */
        "Ro\xe2\x80\x8fom", /* U+200F right-to-left mark */
        "Ro\xe2\x80\xaaom", /* U+202A */
        "Ro\xe2\x80\xaeom", /* U+202E right-to-left override */
        "Ro\xe2\x81\xa0om", /* U+2060 word joiner */
        "Ro\xe2\x81\xa4om", /* U+2064 */
        "Ro\xc2\xadom",     /* U+00AD soft hyphen */
        "Room\xe2\x80\x8b", /* at the end, where trimming does not take it */
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        char *name = NULL;
        assert_int_equal(hp_name_clean(&name, "name", bad[i], true), HP_EINVALID);
        assert_null(name);
        assert_non_null(strstr(hp_error_last(), "invisible format character (U+"));
        assert_int_equal(hp_check_name("name", bad[i], true), HP_EINVALID);
    }
    assert_int_equal(hp_check_name("name", "Ro\xe2\x80\xaeom", true), HP_EINVALID);
    assert_string_equal(hp_error_last(), "name: holds an invisible format character (U+202E); "
                                         "type the name again without it");
}

static void test_student_id_check(void **state)
{
    (void)state;
    assert_int_equal(hp_check_student_id("S-1001"), HP_OK);
    assert_int_equal(hp_check_student_id("a"), HP_OK);
    assert_int_equal(hp_check_student_id("12345678901234567890123456789012"), HP_OK);
    assert_int_equal(hp_check_student_id("123456789012345678901234567890123"), HP_EINVALID);
    assert_int_equal(hp_check_student_id(""), HP_EINVALID);
    assert_string_equal(hp_error_last(), "student_id: empty");
    assert_int_equal(hp_check_student_id("S 1"), HP_EINVALID);
    assert_string_equal(hp_error_last(),
                        "student_id: \"S 1\" is not 1 to 32 ASCII letters, digits and -");
    assert_int_equal(hp_check_student_id("S_1"), HP_EINVALID);
    assert_int_equal(hp_check_student_id("\xc3\xa9"
                                         "1"),
                     HP_EINVALID);
}

/* Releasing a pass frees what it holds and leaves it empty, ready to be filled again. */
static void test_pass_release(void **state)
{
    (void)state;
    hp_pass pass = {.id = 5, .ext_id = g_strdup("p-5"), .start = 10};
    hp_pass_release(&pass);
    assert_null(pass.ext_id);
    assert_int_equal(pass.id, 0);
    hp_pass_release(&pass);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_effect_every_combination),
        cmocka_unit_test(test_effect_ignores_end_and_times),
        cmocka_unit_test(test_roles_accepted),
        cmocka_unit_test(test_roles_student_field),
        cmocka_unit_test(test_roles_same_room),
        cmocka_unit_test(test_roles_source_student),
        cmocka_unit_test(test_roles_source_teacher),
        cmocka_unit_test(test_roles_source_kiosk_mode),
        cmocka_unit_test(test_roles_source_kiosk_login),
        cmocka_unit_test(test_roles_cancelled_and_end),
        cmocka_unit_test(test_role_words),
        cmocka_unit_test(test_source_words),
        cmocka_unit_test(test_type_words),
        cmocka_unit_test(test_name_clean_trims),
        cmocka_unit_test(test_name_refuses_format_characters),
        cmocka_unit_test(test_student_id_check),
        cmocka_unit_test(test_pass_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
