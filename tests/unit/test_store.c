/*
 * Store operations that behave the same on both backends: students' IDs, the student search,
 * the joined list of passes, the waiting line's entries by time, ending a user's sessions, and
 * the messages the store writes once for both. By default on an in-memory SQLite store; with
 * HALLPASS_TEST_DB set (the integration suite sets a PostgreSQL URI, see
 * tests/integration/test_store_ops.py) on that store. Each test makes a school of its own, so one
 * database serves them all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/model.h"
#include "core/util.h"
#include "store/store.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    hp_store *store;
    int64_t school;
} env;

static const char *test_db(void)
{
    const char *db = getenv("HALLPASS_TEST_DB");
    return db && db[0] ? db : ":memory:";
}

static bool on_sqlite_memory(void)
{
    return strcmp(test_db(), ":memory:") == 0;
}

static int setup(void **state)
{
    static int schools;
    env *e = g_new0(env, 1);
    if (hp_store_open(&e->store, test_db(), true) != HP_OK) {
        fprintf(stderr, "cannot open %s: %s\n", test_db(), hp_error_last());
        return -1;
    }
    char name[96];
    snprintf(name, sizeof(name), "School %d-%d-%lld", (int)getpid(), ++schools,
             (long long)g_get_real_time());
    if (hp_store_school_create(e->store, name, "America/Chicago", &e->school) != HP_OK)
        return -1;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    hp_store_free(e->store);
    g_free(e);
    return 0;
}

static int64_t make_room(env *e, const char *name)
{
    hp_room room = {.name = (char *)name, .folder = ""};
    bool changed;
    if (hp_store_room_put(e->store, e->school, &room, &changed) != HP_OK)
        fail_msg("room %s: %s", name, hp_error_last());
    return room.id;
}

static int64_t make_user(env *e, const char *name, const char *email, hp_role role,
                         const char *student_id, int64_t room_id)
{
    hp_user user = {.name = (char *)name,
                    .email = (char *)email,
                    .role = role,
                    .room_id = room_id,
                    .student_id = (char *)student_id};
    bool changed;
    if (hp_store_user_put(e->store, e->school, &user, NULL, &changed) != HP_OK)
        fail_msg("user %s: %s", email, hp_error_last());
    return user.id;
}

static void assert_message(const char *needle)
{
    if (strstr(hp_error_last(), needle) == NULL)
        fail_msg("message \"%s\" does not hold \"%s\"", hp_error_last(), needle);
}

static void test_student_id_stored_and_found(void **state)
{
    env *e = *state;
    int64_t ava = make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, "S-1001", 0);
    make_user(e, "Ben Ode", "ben@x.org", HP_ROLE_STUDENT, NULL, 0);

    hp_user got = {0};
    assert_int_equal(hp_store_user_get(e->store, e->school, ava, &got), HP_OK);
    assert_string_equal(got.student_id, "S-1001");
    hp_user_release(&got);

    /* Found without regard to ASCII case. */
    assert_int_equal(hp_store_user_find_student_id(e->store, e->school, "s-1001", &got), HP_OK);
    assert_int_equal(got.id, ava);
    assert_string_equal(got.email, "ava@x.org");
    hp_user_release(&got);

    assert_int_equal(hp_store_user_find(e->store, e->school, "ben@x.org", &got, NULL), HP_OK);
    assert_null(got.student_id);
    hp_user_release(&got);

    assert_int_equal(hp_store_user_find_student_id(e->store, e->school, "S-9", &got), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no student with student ID \"S-9\"");
}

/* Unique in the school without regard to case; another school may use the same ID. */
static void test_student_id_unique_in_school(void **state)
{
    env *e = *state;
    make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, "S-1001", 0);
    hp_user twin = {
        .name = "Ava Twin", .email = "twin@x.org", .role = HP_ROLE_STUDENT, .student_id = "s-1001"};
    bool changed;
    assert_int_equal(hp_store_user_put(e->store, e->school, &twin, NULL, &changed), HP_EEXISTS);
    assert_message("student ID \"s-1001\" already exists");

    int64_t other;
    char name[64];
    snprintf(name, sizeof(name), "Other %lld", (long long)e->school);
    assert_int_equal(hp_store_school_create(e->store, name, "UTC", &other), HP_OK);
    twin.id = 0;
    assert_int_equal(hp_store_user_put(e->store, other, &twin, NULL, &changed), HP_OK);
}

static void test_student_id_changed_and_removed(void **state)
{
    env *e = *state;
    int64_t id = make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, "S-1", 0);
    hp_user user = {.id = id,
                    .name = "Ava Stone",
                    .email = "ava@x.org",
                    .role = HP_ROLE_STUDENT,
                    .student_id = "S-2"};
    bool changed;
    assert_int_equal(hp_store_user_put(e->store, e->school, &user, NULL, &changed), HP_OK);
    assert_true(changed);
    assert_int_equal(hp_store_user_put(e->store, e->school, &user, NULL, &changed), HP_OK);
    assert_false(changed);
    user.student_id = NULL;
    assert_int_equal(hp_store_user_put(e->store, e->school, &user, NULL, &changed), HP_OK);
    assert_true(changed);
    hp_user got = {0};
    assert_int_equal(hp_store_user_get(e->store, e->school, id, &got), HP_OK);
    assert_null(got.student_id);
    hp_user_release(&got);
}

static void test_staff_home_room(void **state)
{
    env *e = *state;
    int64_t room = make_room(e, "Room 101");
    int64_t teacher = make_user(e, "Alex Lee", "alee@x.org", HP_ROLE_TEACHER, NULL, room);
    hp_user got = {0};
    assert_int_equal(hp_store_user_get(e->store, e->school, teacher, &got), HP_OK);
    assert_int_equal(got.room_id, room);
    hp_user_release(&got);
}

/* The names of the users found, joined with "|". */
static char *search(env *e, const char *query, size_t limit)
{
    hp_user *users;
    size_t n;
    if (hp_store_students_search(e->store, e->school, query, limit, &users, &n) != HP_OK)
        fail_msg("search \"%s\": %s", query, hp_error_last());
    GString *names = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(names, "%s%s", i ? "|" : "", users[i].name);
    hp_users_free(users, n);
    return g_string_free(names, FALSE);
}

static void assert_search(env *e, const char *query, size_t limit, const char *expected)
{
    char *got = search(e, query, limit);
    if (strcmp(got, expected) != 0)
        fail_msg("search \"%s\" (limit %zu) found \"%s\", expected \"%s\"", query, limit, got,
                 expected);
    g_free(got);
}

static void test_students_search(void **state)
{
    env *e = *state;
    make_user(e, "Noah Evans", "nevans@x.org", HP_ROLE_STUDENT, "S-1234", 0);
    make_user(e, "ava stone", "astone@x.org", HP_ROLE_STUDENT, "S-2000", 0);
    make_user(e, "Mia Park", "mpark@x.org", HP_ROLE_STUDENT, NULL, 0);
    make_user(e, "Noah_Wild 100%", "wild@x.org", HP_ROLE_STUDENT, NULL, 0);
    make_user(e, "Noah Teacher", "nteacher@x.org", HP_ROLE_TEACHER, NULL, 0);
    make_user(e, "Noah Kiosk", "nkiosk@x.org", HP_ROLE_KIOSK, NULL, make_room(e, "Library"));

    static const struct {
        const char *query;
        size_t limit;
        const char *found;
    } cases[] = {
        /* Name, email or student ID; ASCII case ignored; students only; ordered by name. */
        {"NOAH", 10, "Noah Evans|Noah_Wild 100%"},
        {"astone@", 10, "ava stone"},
        {"s-12", 10, "Noah Evans"},
        {"1234", 10, "Noah Evans"},
        {"", 10, "ava stone|Mia Park|Noah Evans|Noah_Wild 100%"},
        /* The limit is the database's. */
        {"", 2, "ava stone|Mia Park"},
        {"", 0, ""},
        /* LIKE's wildcards are plain characters in a query. */
        {"h_W", 10, "Noah_Wild 100%"},
        {"h_E", 10, ""},
        {"100%", 10, "Noah_Wild 100%"},
        {"%", 10, "Noah_Wild 100%"},
        {"\\", 10, ""},
        {"nobody", 10, ""},
        /* Bytes that are not UTF-8 are in no stored text: nothing found, on either store. */
        {"\xff", 10, ""},
        {"Noah\xc0\xaf", 10, ""},
        {"\xed\xa0\x80", 10, ""},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++)
        assert_search(e, cases[i].query, cases[i].limit, cases[i].found);
}

typedef struct {
    int64_t a, b, ava, ben, teacher;
} people;

static int64_t add_pass(env *e, const people *p, int64_t student, int64_t start, int32_t day,
                        hp_pass_type type, bool ended, bool cancelled)
{
    hp_pass pass = {.student_id = student,
                    .origin_id = p->a,
                    .destination_id = p->b,
                    .creator_id = p->teacher,
                    .source = HP_SOURCE_TEACHER,
                    .type = type,
                    .start = start,
                    .end = start + 300,
                    .has_end = ended,
                    .cancelled = cancelled,
                    .local_day = day,
                    /* Out for at most the longest auto-end: these are asked about on their day. */
                    .auto_end_at = start + HP_AUTO_END_MINUTES_MAX * 60};
    assert_int_equal(hp_store_begin(e->store), HP_OK);
    if (hp_store_pass_insert(e->store, e->school, &pass) != HP_OK)
        fail_msg("pass: %s", hp_error_last());
    assert_int_equal(hp_store_commit(e->store), HP_OK);
    return pass.id;
}

/* The ids of the listed passes, joined with ",", in the order listed. */
static char *list_ids(env *e, const hp_pass_filter *filter, const int64_t *ids, size_t id_count)
{
    hp_pass_view *views;
    size_t n;
    if (hp_store_passes_list(e->store, e->school, filter, &views, &n) != HP_OK)
        fail_msg("list: %s", hp_error_last());
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        int label = -1;
        for (size_t k = 0; k < id_count; k++)
            if (ids[k] == views[i].pass.id)
                label = (int)k + 1;
        g_string_append_printf(out, "%sp%d", i ? "," : "", label);
    }
    hp_pass_views_free(views, n);
    return g_string_free(out, FALSE);
}

#define DAY1 20710
#define DAY2 20711
#define T(day, hour) ((int64_t)(day)*86400 + (hour)*3600)

static void assert_list(env *e, hp_pass_filter filter, const int64_t *ids, size_t n,
                        const char *expected)
{
    char *got = list_ids(e, &filter, ids, n);
    if (strcmp(got, expected) != 0)
        fail_msg("listed %s, expected %s", got, expected);
    g_free(got);
}

static void test_passes_list_filters(void **state)
{
    env *e = *state;
    people p = {.a = make_room(e, "Room 101"), .b = make_room(e, "Library")};
    p.ava = make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, "S-1", 0);
    p.ben = make_user(e, "Ben Ode", "ben@x.org", HP_ROLE_STUDENT, NULL, 0);
    p.teacher = make_user(e, "Alex Lee", "alee@x.org", HP_ROLE_TEACHER, NULL, 0);
    int64_t ids[5];
    ids[0] = add_pass(e, &p, p.ava, T(DAY1, 9), DAY1, HP_PASS_NOW, true, false);
    ids[1] = add_pass(e, &p, p.ben, T(DAY2, 10), DAY2, HP_PASS_NOW, false, false);
    ids[2] = add_pass(e, &p, p.ava, T(DAY2, 14), DAY2, HP_PASS_SCHEDULED, false, false);
    ids[3] = add_pass(e, &p, p.ava, T(DAY2, 9), DAY2, HP_PASS_NOW, false, false);
    ids[4] = add_pass(e, &p, p.ben, T(DAY2, 13), DAY2, HP_PASS_SCHEDULED, false, true);
    int64_t noon = T(DAY2, 12);

    assert_list(e, (hp_pass_filter){0}, ids, 5, "p1,p4,p2,p5,p3");
    assert_list(e, (hp_pass_filter){.active = true, .at = noon}, ids, 5, "p4,p2");
    assert_list(e, (hp_pass_filter){.active = true, .with_scheduled = true, .at = noon}, ids, 5,
                "p4,p2,p3");
    assert_list(e, (hp_pass_filter){.on_day = true, .day = DAY1}, ids, 5, "p1");
    assert_list(e, (hp_pass_filter){.student_id = p.ava}, ids, 5, "p1,p4,p3");
    assert_list(e, (hp_pass_filter){.active = true, .at = noon, .student_id = p.ben}, ids, 5, "p2");
    assert_list(e, (hp_pass_filter){.on_day = true, .day = DAY2, .student_id = p.ben}, ids, 5,
                "p2,p5");
    /* One pass by id, whatever it is (the answer after a change), and only with the other
     * conditions when they hold. */
    assert_list(e, (hp_pass_filter){.pass_id = ids[4]}, ids, 5, "p5");
    assert_list(e, (hp_pass_filter){.pass_id = ids[0]}, ids, 5, "p1");
    assert_list(e, (hp_pass_filter){.pass_id = ids[1], .student_id = p.ben}, ids, 5, "p2");
    assert_list(e, (hp_pass_filter){.pass_id = ids[1], .student_id = p.ava}, ids, 5, "");
    assert_list(e, (hp_pass_filter){.pass_id = ids[0], .active = true, .at = noon}, ids, 5, "");
    /* No filter is every pass. */
    hp_pass_view *all;
    size_t n;
    assert_int_equal(hp_store_passes_list(e->store, e->school, NULL, &all, &n), HP_OK);
    assert_int_equal(n, 5);
    hp_pass_views_free(all, n);
}

static void test_passes_list_names(void **state)
{
    env *e = *state;
    people p = {.a = make_room(e, "Room 101"), .b = make_room(e, "Library")};
    p.ava = make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, "S-1", 0);
    p.ben = make_user(e, "Ben Ode", "ben@x.org", HP_ROLE_STUDENT, NULL, 0);
    p.teacher = make_user(e, "Alex Lee", "alee@x.org", HP_ROLE_TEACHER, NULL, 0);
    add_pass(e, &p, p.ava, T(DAY1, 9), DAY1, HP_PASS_NOW, true, false);
    add_pass(e, &p, p.ben, T(DAY1, 10), DAY1, HP_PASS_NOW, false, false);

    hp_pass_view *v;
    size_t n;
    assert_int_equal(hp_store_passes_list(e->store, e->school, NULL, &v, &n), HP_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].pass.student_id, p.ava);
    assert_string_equal(v[0].student_name, "Ava Stone");
    assert_string_equal(v[0].student_email, "ava@x.org");
    assert_string_equal(v[0].student_id, "S-1");
    assert_string_equal(v[0].origin_name, "Room 101");
    assert_string_equal(v[0].destination_name, "Library");
    assert_string_equal(v[0].creator_name, "Alex Lee");
    assert_string_equal(v[0].creator_email, "alee@x.org");
    assert_true(v[0].pass.has_end);
    assert_int_equal(v[0].pass.end, T(DAY1, 9) + 300);
    assert_int_equal(v[0].pass.local_day, DAY1);
    assert_string_equal(v[1].student_name, "Ben Ode");
    assert_null(v[1].student_id);
    assert_false(v[1].pass.has_end);
    hp_pass_views_free(v, n);
}

static int put_group(env *e, hp_group *g)
{
    assert_int_equal(hp_store_begin(e->store), HP_OK);
    int rc = hp_store_group_put(e->store, e->school, g);
    if (rc == HP_OK)
        assert_int_equal(hp_store_commit(e->store), HP_OK);
    else
        hp_store_rollback(e->store);
    return rc;
}

/* The group that blocks a student at t, as "NAME" or "" for none. */
static void assert_encounter(env *e, int64_t student, int64_t t, int64_t group_id, const char *name)
{
    int64_t id;
    char *got;
    assert_int_equal(hp_store_begin(e->store), HP_OK);
    assert_int_equal(hp_store_groups_lock(e->store, e->school, student), HP_OK);
    assert_int_equal(hp_store_group_encounter(e->store, e->school, student, t, &id, &got), HP_OK);
    hp_store_rollback(e->store);
    assert_int_equal(id, group_id);
    if (name)
        assert_string_equal(got, name);
    else
        assert_null(got);
    g_free(got);
}

static void test_encounter_groups(void **state)
{
    env *e = *state;
    people p = {.a = make_room(e, "Room 101"), .b = make_room(e, "Library")};
    p.ava = make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, NULL, 0);
    p.ben = make_user(e, "Ben Ode", "ben@x.org", HP_ROLE_STUDENT, NULL, 0);
    p.teacher = make_user(e, "Alex Lee", "alee@x.org", HP_ROLE_TEACHER, NULL, 0);
    int64_t cy = make_user(e, "Cy Park", "cy@x.org", HP_ROLE_STUDENT, NULL, 0);

    int64_t two[] = {p.ava, p.ben}, one[] = {p.ava};
    hp_group g = {.name = "B12", .active = true, .members = two, .member_count = 2};
    assert_int_equal(put_group(e, &g), HP_OK);
    assert_true(g.id > 0);
    hp_group dup = {.name = "b12", .active = true, .members = two, .member_count = 2};
    assert_int_equal(put_group(e, &dup), HP_EEXISTS);
    assert_message("an encounter group named \"b12\" already exists");
    hp_group solo = {.name = "Solo", .active = true, .members = one, .member_count = 1};
    assert_int_equal(put_group(e, &solo), HP_EINVALID);
    assert_message("2 to 20 students");
    hp_group ghost = {.id = g.id + 1000, .name = "Ghost", .members = two, .member_count = 2};
    assert_int_equal(put_group(e, &ghost), HP_ENOTFOUND);

    hp_group *list;
    size_t n;
    assert_int_equal(hp_store_groups_list(e->store, e->school, &list, &n), HP_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, "B12");
    assert_true(list[0].active);
    assert_int_equal(list[0].member_count, 2);
    assert_int_equal(list[0].members[0], p.ava < p.ben ? p.ava : p.ben);
    hp_groups_free(list, n);

    /* Ben out from 10:00: Ava is blocked at noon, Cy (in no group) and Ben himself are not. */
    add_pass(e, &p, p.ben, T(DAY2, 10), DAY2, HP_PASS_NOW, false, false);
    int64_t noon = T(DAY2, 12);
    assert_encounter(e, p.ava, noon, g.id, "B12");
    assert_encounter(e, p.ben, noon, 0, NULL);
    assert_encounter(e, cy, noon, 0, NULL);
    assert_encounter(e, p.ava, T(DAY2, 9), 0, NULL); /* Before his pass started. */
    /* Paused, the group blocks no one. */
    g.active = false;
    assert_int_equal(put_group(e, &g), HP_OK);
    assert_encounter(e, p.ava, noon, 0, NULL);

    hp_group_prevented rec = {.group_id = g.id,
                              .group_name = "B12",
                              .student_id = p.ava,
                              .at = noon,
                              .source = HP_SOURCE_STUDENT,
                              .local_day = DAY2};
    int64_t count;
    assert_int_equal(hp_store_begin(e->store), HP_OK);
    assert_int_equal(hp_store_group_prevented_add(e->store, e->school, &rec), HP_OK);
    assert_int_equal(hp_store_commit(e->store), HP_OK);
    assert_int_equal(hp_store_group_prevented_count(e->store, e->school, &count), HP_OK);
    assert_int_equal(count, 1);

    assert_int_equal(hp_store_begin(e->store), HP_OK);
    assert_int_equal(hp_store_group_delete(e->store, e->school, g.id), HP_OK);
    assert_int_equal(hp_store_commit(e->store), HP_OK);
    assert_int_equal(hp_store_group_delete(e->store, e->school, g.id), HP_ENOTFOUND);
    assert_message("no encounter group with id");
    assert_int_equal(hp_store_groups_list(e->store, e->school, &list, &n), HP_OK);
    assert_int_equal(n, 0);
    hp_groups_free(list, n);
    /* The record of the prevented pass stays. */
    assert_int_equal(hp_store_group_prevented_count(e->store, e->school, &count), HP_OK);
    assert_int_equal(count, 1);
}

/* ---- The waiting line ---- */

#define LINE_DAY 20400
#define LINE_NOW 1762600000

static int64_t line_join(env *e, int64_t student, int64_t origin, int64_t destination,
                         int64_t joined, int32_t day)
{
    hp_line_entry entry = {.student_id = student,
                           .origin_id = origin,
                           .destination_id = destination,
                           .creator_id = student,
                           .source = HP_SOURCE_STUDENT,
                           .joined = joined,
                           .local_day = day};
    if (hp_store_line_insert(e->store, e->school, &entry) != HP_OK)
        fail_msg("joining the line: %s", hp_error_last());
    return entry.id;
}

static void line_set(env *e, int64_t id, hp_line_state state, int64_t offered_at, int lapses)
{
    hp_line_entry entry;
    assert_int_equal(hp_store_line_get(e->store, e->school, id, &entry), HP_OK);
    entry.state = state;
    entry.offered_at = offered_at;
    entry.offer_expires = offered_at ? offered_at + 30 : 0;
    entry.lapses = lapses;
    assert_int_equal(hp_store_line_update(e->store, e->school, &entry), HP_OK);
    hp_line_entry_release(&entry);
}

/* The ids of the line's entries listed at now, joined with ",". */
static char *line_ids(env *e, hp_line_list_kind kind, int64_t now, int64_t student)
{
    hp_line_filter filter = {.kind = kind, .now = now, .today = LINE_DAY, .student_id = student};
    hp_line_entry *entries;
    size_t n;
    if (hp_store_line_list(e->store, e->school, &filter, &entries, &n) != HP_OK)
        fail_msg("listing the line: %s", hp_error_last());
    GString *ids = g_string_new(NULL);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(ids, "%s%lld", i ? "," : "", (long long)entries[i].id);
    hp_line_entries_free(entries, n);
    return g_string_free(ids, FALSE);
}

static void assert_line(env *e, hp_line_list_kind kind, int64_t now, int64_t student,
                        const char *expected)
{
    char *got = line_ids(e, kind, now, student);
    assert_string_equal(got, expected);
    g_free(got);
}

static int64_t offers(env *e, hp_active_kind kind, int64_t id, int64_t now, int64_t exclude)
{
    int64_t n = -1;
    assert_int_equal(hp_store_line_offers(e->store, e->school, kind, id, now, exclude, &n), HP_OK);
    return n;
}

/* Entries stand by time whatever is written: an offer counts until its expiry, a first lapse
 * is back in line, a second is out, an entry of an earlier day is out; the offers' counts
 * leave out the entry being taken. */
static void test_line_entries_by_time(void **state)
{
    env *e = *state;
    int64_t a = make_room(e, "Room 104"), b = make_room(e, "Restroom B");
    int64_t sam = make_user(e, "Sam Lee", "sam@x.org", HP_ROLE_STUDENT, "S-1042", 0);
    int64_t ann = make_user(e, "Ann Bo", "ann@x.org", HP_ROLE_STUDENT, NULL, 0);
    int64_t cy = make_user(e, "Cy Do", "cy@x.org", HP_ROLE_STUDENT, NULL, 0);
    int64_t old = make_user(e, "Old Pa", "old@x.org", HP_ROLE_STUDENT, NULL, 0);
    int64_t yesterday = line_join(e, old, a, b, LINE_NOW - 86400, LINE_DAY - 1);
    int64_t first = line_join(e, sam, a, b, LINE_NOW - 60, LINE_DAY);
    int64_t second = line_join(e, ann, b, a, LINE_NOW - 50, LINE_DAY);
    int64_t third = line_join(e, cy, a, b, LINE_NOW - 40, LINE_DAY);

    hp_line_entry got;
    assert_int_equal(hp_store_line_get(e->store, e->school, first, &got), HP_OK);
    assert_int_equal(got.state, HP_LINE_WAITING);
    assert_string_equal(got.student_name, "Sam Lee");
    assert_string_equal(got.student_email, "sam@x.org");
    assert_string_equal(got.student_code, "S-1042");
    assert_string_equal(got.origin_name, "Room 104");
    assert_string_equal(got.destination_name, "Restroom B");
    assert_int_equal(got.joined, LINE_NOW - 60);
    assert_int_equal(got.offered_at, 0);
    hp_line_entry_release(&got);
    char expected[128];
    assert_int_equal(hp_store_line_get(e->store, e->school, third + 1000, &got), HP_ENOTFOUND);
    snprintf(expected, sizeof(expected), "no entry in line with id %lld",
             (long long)(third + 1000));
    assert_string_equal(hp_error_last(), expected);

    snprintf(expected, sizeof(expected), "%lld,%lld,%lld", (long long)first, (long long)second,
             (long long)third);
    assert_line(e, HP_LINE_LIST_IN_LINE, LINE_NOW, 0, expected);
    snprintf(expected, sizeof(expected), "%lld,%lld,%lld,%lld", (long long)yesterday,
             (long long)first, (long long)second, (long long)third);
    assert_line(e, HP_LINE_LIST_OPEN, LINE_NOW, 0, expected);

    /* Sam offered at now: counted from Room 104, to Restroom B, for Sam and the school. */
    line_set(e, first, HP_LINE_OFFERED, LINE_NOW, 0);
    assert_int_equal(offers(e, HP_ACTIVE_FROM_ROOM, a, LINE_NOW, 0), 1);
    assert_int_equal(offers(e, HP_ACTIVE_TO_ROOM, b, LINE_NOW, 0), 1);
    assert_int_equal(offers(e, HP_ACTIVE_TO_ROOM, a, LINE_NOW, 0), 0);
    assert_int_equal(offers(e, HP_ACTIVE_OF_STUDENT, sam, LINE_NOW, 0), 1);
    assert_int_equal(offers(e, HP_ACTIVE_OF_STUDENT, sam, LINE_NOW, first), 0);
    assert_int_equal(offers(e, HP_ACTIVE_IN_SCHOOL, 0, LINE_NOW + 29, 0), 1);
    /* Past its expiry it counts for nothing, before anything is written. */
    assert_int_equal(offers(e, HP_ACTIVE_IN_SCHOOL, 0, LINE_NOW + 30, 0), 0);
    snprintf(expected, sizeof(expected), "%lld", (long long)first);
    assert_line(e, HP_LINE_LIST_IN_LINE, LINE_NOW + 30, sam, expected);
    /* A second lapse: out of the line by time. */
    line_set(e, first, HP_LINE_OFFERED, LINE_NOW, 1);
    assert_line(e, HP_LINE_LIST_IN_LINE, LINE_NOW + 29, sam, expected);
    assert_line(e, HP_LINE_LIST_IN_LINE, LINE_NOW + 30, sam, "");

    /* A pass that starts for Ann removes her entry. */
    assert_int_equal(hp_store_line_remove_student(e->store, e->school, ann, LINE_NOW), HP_OK);
    assert_int_equal(hp_store_line_get(e->store, e->school, second, &got), HP_OK);
    assert_int_equal(got.state, HP_LINE_REMOVED);
    assert_int_equal(got.ended_at, LINE_NOW);
    hp_line_entry_release(&got);
    snprintf(expected, sizeof(expected), "%lld,%lld", (long long)first, (long long)third);
    assert_line(e, HP_LINE_LIST_IN_LINE, LINE_NOW, 0, expected);

    /* The walk's locks, inside a transaction. */
    int64_t rooms[] = {a, b}, students[] = {sam, cy};
    bool held = false;
    assert_int_equal(hp_store_begin(e->store), HP_OK);
    assert_int_equal(hp_store_line_walk_lock(e->store, e->school, rooms, 2, students, 2, &held),
                     HP_OK);
    assert_true(held);
    assert_int_equal(hp_store_commit(e->store), HP_OK);
}

static void test_sessions_delete_user(void **state)
{
    env *e = *state;
    int64_t ava = make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, NULL, 0);
    int64_t ben = make_user(e, "Ben Ode", "ben@x.org", HP_ROLE_STUDENT, NULL, 0);
    unsigned char tokens[3][HP_TOKEN_HASH_BYTES];
    int64_t owners[3] = {ava, ava, ben};
    for (int i = 0; i < 3; i++) {
        memset(tokens[i], 0, HP_TOKEN_HASH_BYTES);
        memcpy(tokens[i], &e->school, sizeof(e->school));
        tokens[i][HP_TOKEN_HASH_BYTES - 1] = (unsigned char)(i + 1);
        hp_session s = {
            .school_id = e->school, .user_id = owners[i], .created_at = 1, .last_seen = 1};
        assert_int_equal(hp_store_session_create(e->store, tokens[i], &s), HP_OK);
    }
    assert_int_equal(hp_store_sessions_delete_user(e->store, e->school, ava), HP_OK);
    hp_session got;
    assert_int_equal(hp_store_session_get(e->store, tokens[0], &got), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no such session");
    assert_int_equal(hp_store_session_get(e->store, tokens[1], &got), HP_ENOTFOUND);
    assert_int_equal(hp_store_session_get(e->store, tokens[2], &got), HP_OK);
    assert_int_equal(got.user_id, ben);
}

/* Both backends answer bare codes; the store writes each message once, the same for both. */
static void test_messages(void **state)
{
    env *e = *state;
    hp_room room = {0};
    hp_user user = {0};
    hp_pass pass = {0};
    bool changed;

    assert_int_equal(hp_store_room_find(e->store, e->school, "Rm 9", &room), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no room named \"Rm 9\"");
    assert_int_equal(hp_store_room_get(e->store, e->school, 987654, &room), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no such room");
    assert_int_equal(hp_store_user_find(e->store, e->school, "x@y.org", &user, NULL), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no user with email \"x@y.org\"");
    assert_int_equal(hp_store_user_get(e->store, e->school, 987654, &user), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no such user");
    assert_int_equal(hp_store_pass_get(e->store, e->school, 987654, &pass), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no pass with id 987654");
    assert_int_equal(hp_store_pass_set_end(e->store, e->school, 987654, 5), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no pass with id 987654");
    assert_int_equal(hp_store_pass_set_cancelled(e->store, e->school, 987654), HP_ENOTFOUND);
    assert_string_equal(hp_error_last(), "no pass with id 987654");

    make_room(e, "Room 101");
    hp_room twin = {.name = "ROOM 101", .folder = ""};
    assert_int_equal(hp_store_room_put(e->store, e->school, &twin, &changed), HP_EEXISTS);
    assert_string_equal(hp_error_last(), "a room named \"ROOM 101\" already exists");
    make_user(e, "Ava Stone", "ava@x.org", HP_ROLE_STUDENT, NULL, 0);
    hp_user twin_user = {.name = "Ava", .email = "AVA@x.org", .role = HP_ROLE_STUDENT};
    assert_int_equal(hp_store_user_put(e->store, e->school, &twin_user, NULL, &changed),
                     HP_EEXISTS);
    assert_string_equal(hp_error_last(), "a user with email \"AVA@x.org\" already exists");

    hp_school *schools;
    size_t n;
    assert_int_equal(hp_store_schools_list(e->store, &schools, &n), HP_OK);
    assert_true(n >= 1);
    int64_t id;
    assert_int_equal(hp_store_school_create(e->store, schools[0].name, "UTC", &id), HP_EEXISTS);
    char expected[256];
    snprintf(expected, sizeof(expected), "a school named \"%s\" already exists", schools[0].name);
    assert_string_equal(hp_error_last(), expected);
    hp_schools_free(schools, n);
}

/* Whatever path a name comes by, the store refuses invisible format characters in it. */
static void test_store_checks_names(void **state)
{
    env *e = *state;
    bool changed;
    int64_t id;
    hp_room room = {.name = "Room\xe2\x80\x8b"
                            "101",
                    .folder = ""};
    assert_int_equal(hp_store_room_put(e->store, e->school, &room, &changed), HP_EINVALID);
    assert_string_equal(hp_error_last(), "name: holds an invisible format character (U+200B); "
                                         "type the name again without it");
    room.name = "Room 101";
    room.folder = "\xef\xbb\xbfScience";
    assert_int_equal(hp_store_room_put(e->store, e->school, &room, &changed), HP_EINVALID);
    hp_user user = {.name = "Sam\xc2\xad"
                            "Diaz",
                    .email = "sam@x.org",
                    .role = HP_ROLE_STUDENT};
    assert_int_equal(hp_store_user_put(e->store, e->school, &user, NULL, &changed), HP_EINVALID);
    user.name = "Sam Diaz";
    user.student_id = "S 1";
    assert_int_equal(hp_store_user_put(e->store, e->school, &user, NULL, &changed), HP_EINVALID);
    user.student_id = "T-1";
    user.role = HP_ROLE_TEACHER;
    assert_int_equal(hp_store_user_put(e->store, e->school, &user, NULL, &changed), HP_EINVALID);
    assert_string_equal(hp_error_last(),
                        "student_id: only a student has a student ID, not a teacher");
    assert_int_equal(hp_store_school_create(e->store, "\xe2\x80\x8fMaple", "UTC", &id),
                     HP_EINVALID);
    assert_int_equal(strncmp(hp_error_last(), "school: ", 8), 0);
    hp_room *rooms;
    size_t n;
    assert_int_equal(hp_store_rooms_list(e->store, e->school, &rooms, &n), HP_OK);
    assert_int_equal(n, 0);
    hp_rooms_free(rooms, n);
}

/* A store file moved away while in use: the next write transaction fails saying so, instead
 * of writing to a file no one will open again. SQLite files only. */
static void test_moved_file_refuses_writes(void **state)
{
    (void)state;
    if (!on_sqlite_memory())
        skip();
    char dir[] = "/tmp/hallpass-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = g_build_filename(dir, "store.db", NULL);
    char *moved = g_build_filename(dir, "moved.db", NULL);
    hp_store *store;
    int64_t school;
    assert_int_equal(hp_store_open(&store, path, true), HP_OK);
    assert_int_equal(hp_store_begin(store), HP_OK);
    assert_int_equal(hp_store_school_create(store, "Maple", "UTC", &school), HP_OK);
    assert_int_equal(hp_store_commit(store), HP_OK);

    assert_int_equal(rename(path, moved), 0);
    assert_int_equal(hp_store_begin(store), HP_ESTORE);
    assert_message("the store file was moved or deleted while in use");
    assert_message(path);
    /* The failed begin left no transaction open: reads still work, and so does the next
     * check. */
    assert_int_equal(hp_store_begin(store), HP_ESTORE);
    hp_store_free(store);

    char *names[] = {moved, NULL};
    for (char **p = names; *p; p++) {
        char *wal = g_strconcat(*p, "-wal", NULL), *shm = g_strconcat(*p, "-shm", NULL);
        unlink(*p);
        unlink(wal);
        unlink(shm);
        g_free(wal);
        g_free(shm);
    }
    char *wal = g_strconcat(path, "-wal", NULL), *shm = g_strconcat(path, "-shm", NULL);
    unlink(wal);
    unlink(shm);
    g_free(wal);
    g_free(shm);
    rmdir(dir);
    g_free(path);
    g_free(moved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_student_id_stored_and_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_student_id_unique_in_school, setup, teardown),
        cmocka_unit_test_setup_teardown(test_student_id_changed_and_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staff_home_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_students_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passes_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passes_list_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encounter_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_entries_by_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions_delete_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_checks_names, setup, teardown),
        cmocka_unit_test(test_moved_file_refuses_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
