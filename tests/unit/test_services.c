/*
 * The service rules that handlers only adapt: rooms (names cleaned as imports clean them,
 * limits in range, admins only), the student search and how a request names a student (an
 * email or a student ID, never an internal number), and a live pass's source, type and roles
 * checked by the same function as an import's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "core/error.h"
#include "service/passes.h"
#include "service/rooms.h"
#include "service/students.h"

#include <stdio.h>
#include <string.h>

static int64_t add_user(fixture *f, const char *name, const char *email, hp_role role)
{
    hp_user user = {.name = (char *)name, .email = (char *)email, .role = role};
    bool changed;
    assert_int_equal(hp_store_begin(f->store), HP_OK);
    assert_int_equal(hp_store_user_put(f->store, f->school.id, &user, NULL, &changed), HP_OK);
    assert_int_equal(hp_store_commit(f->store), HP_OK);
    return user.id;
}

/* An actor of the fixture's school; its strings are borrowed, so it is never released. */
static hp_actor actor_of(fixture *f, int64_t id, hp_role role)
{
    hp_actor a = {.school = f->school, .tz = f->tz};
    a.user.id = id;
    a.user.role = role;
    a.user.name = (char *)"Someone";
    a.user.email = (char *)"someone@maple.test";
    return a;
}

static void test_a_room_name_is_trimmed_as_imports_trim_it(void **state)
{
    fixture *f = *state;
    hp_actor admin =
        actor_of(f, add_user(f, "Ada", "ada@maple.test", HP_ROLE_ADMIN), HP_ROLE_ADMIN);
    hp_room_change change = {.name = "  Room 7  ", .folder = " Science "};
    hp_room room;
    assert_int_equal(hp_room_create(f->store, &admin, &change, &room), HP_OK);
    assert_string_equal(room.name, "Room 7");
    assert_string_equal(room.folder, "Science");
    hp_room_release(&room);
    hp_room found;
    assert_int_equal(hp_store_room_find(f->store, f->school.id, "room 7", &found), HP_OK);
    hp_room_release(&found);
}

static void test_a_room_limit_out_of_range_is_refused(void **state)
{
    fixture *f = *state;
    hp_actor admin =
        actor_of(f, add_user(f, "Ada", "ada@maple.test", HP_ROLE_ADMIN), HP_ROLE_ADMIN);
    hp_room_change change = {.name = "Gym", .has_max_from = true, .max_from = HP_LIMIT_MAX + 1};
    hp_room room;
    assert_int_equal(hp_room_create(f->store, &admin, &change, &room), HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "max_passes_from"));
    hp_room none;
    assert_int_equal(hp_store_room_find(f->store, f->school.id, "Gym", &none), HP_ENOTFOUND);
}

static void test_only_admins_change_rooms(void **state)
{
    fixture *f = *state;
    hp_actor teacher =
        actor_of(f, add_user(f, "Tim", "tim@maple.test", HP_ROLE_TEACHER), HP_ROLE_TEACHER);
    hp_room_change change = {.name = "Gym"};
    hp_room room;
    assert_int_equal(hp_room_create(f->store, &teacher, &change, &room), HP_EFORBIDDEN);
}

static void test_the_student_search_finds_students_only_by_name(void **state)
{
    fixture *f = *state;
    hp_actor teacher =
        actor_of(f, add_user(f, "Tim Ames", "tim@maple.test", HP_ROLE_TEACHER), HP_ROLE_TEACHER);
    add_user(f, "Zoe Ames", "zoe@maple.test", HP_ROLE_STUDENT);
    add_user(f, "Abe Ames", "abe@maple.test", HP_ROLE_STUDENT);
    add_user(f, "Bea Cole", "bea@maple.test", HP_ROLE_STUDENT);
    hp_user *found;
    size_t n;
    assert_int_equal(hp_students_search(f->store, &teacher, "AMES", &found, &n), HP_OK);
    assert_int_equal(n, 2);
    assert_string_equal(found[0].name, "Abe Ames");
    assert_string_equal(found[1].name, "Zoe Ames");
    hp_users_free(found, n);

    hp_actor student = actor_of(f, 99, HP_ROLE_STUDENT);
    assert_int_equal(hp_students_search(f->store, &student, "a", &found, &n), HP_EFORBIDDEN);
}

static void test_the_search_answers_at_most_its_limit(void **state)
{
    fixture *f = *state;
    hp_actor teacher =
        actor_of(f, add_user(f, "Tim", "tim@maple.test", HP_ROLE_TEACHER), HP_ROLE_TEACHER);
    for (int i = 0; i < HP_STUDENT_MATCHES_MAX + 5; i++) {
        char name[32], email[48];
        snprintf(name, sizeof(name), "Pupil %02d", i);
        snprintf(email, sizeof(email), "pupil%02d@maple.test", i);
        add_user(f, name, email, HP_ROLE_STUDENT);
    }
    hp_user *found;
    size_t n;
    assert_int_equal(hp_students_search(f->store, &teacher, "pupil", &found, &n), HP_OK);
    assert_int_equal(n, HP_STUDENT_MATCHES_MAX);
    assert_string_equal(found[0].name, "Pupil 00");
    hp_users_free(found, n);
}

static void test_an_internal_number_never_names_a_student(void **state)
{
    fixture *f = *state;
    hp_actor teacher =
        actor_of(f, add_user(f, "Tim", "tim@maple.test", HP_ROLE_TEACHER), HP_ROLE_TEACHER);
    int64_t id = add_user(f, "Noah Evans", "noah@maple.test", HP_ROLE_STUDENT);
    char digits[24];
    snprintf(digits, sizeof(digits), "%lld", (long long)id);
    hp_user student;
    assert_int_equal(hp_student_named(f->store, &teacher, "student", digits, &student),
                     HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "student ID"));
    assert_int_equal(hp_student_named(f->store, &teacher, "student", "NOAH@maple.test", &student),
                     HP_OK);
    assert_int_equal(student.id, id);
    hp_user_release(&student);
    assert_int_equal(hp_student_named(f->store, &teacher, "student", "tim@maple.test", &student),
                     HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "is not a student"));
}

static void test_a_live_pass_fits_as_an_import_must(void **state)
{
    fixture *f = *state;
    hp_actor admin =
        actor_of(f, add_user(f, "Ada", "ada@maple.test", HP_ROLE_ADMIN), HP_ROLE_ADMIN);
    hp_room_change a = {.name = "Room 1"}, b = {.name = "Room 2"};
    hp_room r1, r2;
    assert_int_equal(hp_room_create(f->store, &admin, &a, &r1), HP_OK);
    assert_int_equal(hp_room_create(f->store, &admin, &b, &r2), HP_OK);
    int64_t id = add_user(f, "Sam", "sam@maple.test", HP_ROLE_STUDENT);
    hp_actor student = actor_of(f, id, HP_ROLE_STUDENT);
    student.user.email = (char *)"sam@maple.test";
    hp_pass_request req = {.origin = "Room 1",
                           .destination = "Room 2",
                           .type = HP_PASS_SCHEDULED,
                           .start = "2099-01-01T10:00:00-06:00"};
    hp_pass_view view;
    /* The live path refuses (403) with the words an import gets (400) for the same pass. */
    assert_int_equal(hp_pass_create(f->store, &student, &req, 1000, &view), HP_EFORBIDDEN);
    char live[HP_ERROR_MAX];
    snprintf(live, sizeof(live), "%s", hp_error_last());
    hp_pass pass = {.source = HP_SOURCE_STUDENT,
                    .type = HP_PASS_SCHEDULED,
                    .student_id = id,
                    .creator_id = id,
                    .origin_id = r1.id,
                    .destination_id = r2.id};
    assert_int_equal(hp_pass_check_roles(&pass, HP_ROLE_STUDENT, HP_ROLE_STUDENT, NULL),
                     HP_EINVALID);
    assert_string_equal(live, hp_error_last());

    req.type = HP_PASS_NOW;
    assert_int_equal(hp_pass_create(f->store, &student, &req, 1000, &view), HP_OK);
    assert_string_equal(view.student_email, "sam@maple.test");
    assert_string_equal(view.origin, "Room 1");
    assert_false(view.pass.has_end);
    hp_pass_view_release(&view);
    hp_room_release(&r1);
    hp_room_release(&r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_room_name_is_trimmed_as_imports_trim_it,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_room_limit_out_of_range_is_refused, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_only_admins_change_rooms, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_the_student_search_finds_students_only_by_name,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_the_search_answers_at_most_its_limit, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_an_internal_number_never_names_a_student,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_live_pass_fits_as_an_import_must, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
