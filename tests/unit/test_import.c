/*
 * CSV imports: columns by header name in any order, all or
 * nothing, the same file twice changes nothing, and every bad row refused with a message
 * `LABEL:LINE: column: ...` that names the value and the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/util.h"
#include "fixture.h"
#include "core/password.h"
#include "import/csv_reader.h"
#include "import/import.h"
#include "report/report.h"
#include "store/store.h"

#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *kind_label(hp_import_kind kind)
{
    return kind == HP_IMPORT_ROOMS   ? "rooms.csv"
           : kind == HP_IMPORT_USERS ? "users.csv"
                                     : "passes.csv";
}

/* Imports len bytes of CSV; returns the result code. */
static int import_bytes(fixture *f, hp_import_kind kind, const char *bytes, size_t len,
                        hp_import_stats *stats)
{
    hp_import_stats ignored;
    char *copy = g_malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    FILE *in = fmemopen(copy, len, "r");
    assert_non_null(in);
    hp_error_clear();
    int rc = hp_import_csv(f->store, &f->school, f->tz, kind, in, kind_label(kind), NULL, NULL,
                           NULL, stats ? stats : &ignored);
    fclose(in);
    g_free(copy);
    return rc;
}

static int import_text(fixture *f, hp_import_kind kind, const char *text, hp_import_stats *stats)
{
    return import_bytes(f, kind, text, strlen(text), stats);
}

/* Imports text that must be accepted. */
static hp_import_stats import_ok(fixture *f, hp_import_kind kind, const char *text)
{
    hp_import_stats stats = {0};
    if (import_text(f, kind, text, &stats) != HP_OK)
        fail_msg("%s import refused: %s", kind_label(kind), hp_error_last());
    return stats;
}

/* Imports text that must be refused (any error code) with a message starting with prefix, and
 * holding each of the NULL-terminated needles. */
static void import_refused(fixture *f, hp_import_kind kind, const char *text, const char *prefix,
                           ...)
{
    int rc = import_text(f, kind, text, NULL);
    const char *msg = hp_error_last();
    if (rc == HP_OK)
        fail_msg("%s import accepted, expected \"%s...\"", kind_label(kind), prefix);
    if (strncmp(msg, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", msg, prefix);
    va_list ap;
    va_start(ap, prefix);
    const char *needle;
    while ((needle = va_arg(ap, const char *)) != NULL)
        if (strstr(msg, needle) == NULL)
            fail_msg("message \"%s\" does not hold \"%s\"", msg, needle);
    va_end(ap);
}

static size_t room_count(fixture *f)
{
    hp_room *rooms;
    size_t n;
    assert_int_equal(hp_store_rooms_list(f->store, f->school.id, &rooms, &n), HP_OK);
    hp_rooms_free(rooms, n);
    return n;
}

static size_t user_count(fixture *f)
{
    hp_user *users;
    size_t n;
    assert_int_equal(hp_store_users_list(f->store, f->school.id, false, &users, &n), HP_OK);
    hp_users_free(users, n);
    return n;
}

static int64_t pass_count(fixture *f)
{
    int64_t n = -1;
    assert_int_equal(hp_store_pass_count(f->store, f->school.id, &n), HP_OK);
    return n;
}

static hp_room get_room(fixture *f, const char *name)
{
    hp_room room = {0};
    if (hp_store_room_find(f->store, f->school.id, name, &room) != HP_OK)
        fail_msg("room \"%s\": %s", name, hp_error_last());
    return room;
}

/* A report as text, one line per row, to compare before and after. */
static char *report_text(fixture *f, hp_report_kind kind)
{
    hp_report *r = NULL;
    hp_report_query q = {"2026-01-01", "2026-12-31", NULL, NULL, NULL, NULL};
    if (hp_report_build(&r, f->store, &f->school, f->tz, kind, &q) != HP_OK)
        fail_msg("hp_report_build: %s", hp_error_last());
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    for (size_t i = 0; i < r->row_count; i++) {
        for (size_t c = 0; c < r->column_count; c++) {
            const hp_report_column *col = &r->columns[c];
            if (hp_report_column_numeric(col))
                fprintf(out, "|%lld", (long long)col->number(&r->rows[i]));
            else
                fprintf(out, "|%s", col->text(&r->rows[i]));
        }
        fputc('\n', out);
    }
    fclose(out);
    hp_report_free(r);
    return buf;
}

/* Counts of one room in the whole of 2026: from and to. */
static void check_room_usage(fixture *f, const char *name, int64_t from, int64_t to)
{
    hp_report *r = NULL;
    hp_report_query q = {"2026-01-01", "2026-12-31", NULL, NULL, NULL, NULL};
    assert_int_equal(hp_report_build(&r, f->store, &f->school, f->tz, HP_REPORT_ROOMS, &q), HP_OK);
    for (size_t i = 0; i < r->row_count; i++) {
        if (strcmp(r->rows[i].name, name) == 0) {
            int64_t a = r->rows[i].room.passes_from, b = r->rows[i].room.passes_to;
            hp_report_free(r);
            if (a != from || b != to)
                fail_msg("%s: from %lld to %lld, expected %lld %lld", name, (long long)a,
                         (long long)b, (long long)from, (long long)to);
            return;
        }
    }
    hp_report_free(r);
    fail_msg("no room %s in the report", name);
}

static const char base_rooms[] = "name,folder,max_passes_from,max_passes_to\n"
                                 "Room 2,Science,3,\n"
                                 "Room 10,Science,,\n"
                                 "Library,,,10\n"
                                 "Restroom B,Restrooms,,2\n";

static const char base_users[] = "name,email,role,room,password\n"
                                 "Tom Teacher,tom@x.org,teacher,,\n"
                                 "Ann Admin,ann@x.org,admin,,\n"
                                 "Sam Student,sam@x.org,student,,\n"
                                 "Sue Student,sue@x.org,student,,\n"
                                 "Library Kiosk,kiosk@x.org,kiosk,Library,\n";

#define PASS_HEADER "id,student,origin,destination,creator,source,type,start,end,cancelled\n"

static void load_base(fixture *f)
{
    import_ok(f, HP_IMPORT_ROOMS, base_rooms);
    import_ok(f, HP_IMPORT_USERS, base_users);
}

/* --- Columns -------------------------------------------------------------------------------- */

static void test_rooms_columns_any_order(void **state)
{
    fixture *f = *state;
    hp_import_stats st = import_ok(f, HP_IMPORT_ROOMS,
                                   "max_passes_to,name,max_passes_from,folder\n"
                                   "5,Room 101,3,Science\n"
                                   ",Gym,,\n"
                                   "\"1\",\"Gym, North\",\"\",\"Sports\"\n");
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.added, 3);
    assert_int_equal(room_count(f), 3);
    hp_room r = get_room(f, "Room 101");
    assert_string_equal(r.folder, "Science");
    assert_int_equal(r.max_from, 3);
    assert_int_equal(r.max_to, 5);
    hp_room_release(&r);
    r = get_room(f, "Gym");
    assert_string_equal(r.folder, "");
    assert_int_equal(r.max_from, 0);
    assert_int_equal(r.max_to, 0);
    hp_room_release(&r);
    r = get_room(f, "Gym, North");
    assert_string_equal(r.folder, "Sports");
    assert_int_equal(r.max_from, 0);
    assert_int_equal(r.max_to, 1);
    hp_room_release(&r);
}

static void test_rooms_optional_columns_left_out(void **state)
{
    fixture *f = *state;
    hp_import_stats st = import_ok(f, HP_IMPORT_ROOMS, "name\nNurse\nOffice\n");
    assert_int_equal(st.added, 2);
    hp_room r = get_room(f, "Nurse");
    assert_string_equal(r.folder, "");
    assert_int_equal(r.max_from, 0);
    hp_room_release(&r);
}

static void test_users_columns_any_order(void **state)
{
    fixture *f = *state;
    import_ok(f, HP_IMPORT_ROOMS, "name\nLibrary\n");
    hp_import_stats st = import_ok(f, HP_IMPORT_USERS,
                                   "room,role,email,name\n"
                                   ",teacher,tom@x.org,Tom Teacher\n"
                                   "Library,kiosk,kiosk@x.org,Kiosk\n");
    assert_int_equal(st.added, 2);
    hp_user u = {0};
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "tom@x.org", &u, NULL), HP_OK);
    assert_string_equal(u.name, "Tom Teacher");
    assert_int_equal(u.role, HP_ROLE_TEACHER);
    assert_int_equal(u.room_id, 0);
    hp_user_release(&u);
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "kiosk@x.org", &u, NULL), HP_OK);
    assert_int_equal(u.role, HP_ROLE_KIOSK);
    hp_room lib = get_room(f, "Library");
    assert_int_equal(u.room_id, lib.id);
    hp_room_release(&lib);
    hp_user_release(&u);
}

static void test_passes_columns_any_order(void **state)
{
    fixture *f = *state;
    load_base(f);
    /* No end column, and every column in another order. */
    hp_import_stats st = import_ok(
        f, HP_IMPORT_PASSES,
        "cancelled,type,source,creator,destination,origin,student,start,id\n"
        ",now,teacher,tom@x.org,Library,Room 2,sam@x.org,2026-09-14T10:00:00-05:00,p1\n"
        "false,now,student,sue@x.org,Restroom B,Room 10,sue@x.org,2026-09-14T11:00:00-05:00,"
        "p2\n");
    assert_int_equal(st.added, 2);
    assert_int_equal(pass_count(f), 2);
    check_room_usage(f, "Room 2", 1, 0);
    check_room_usage(f, "Library", 0, 1);
    check_room_usage(f, "Room 10", 1, 0);
    check_room_usage(f, "Restroom B", 0, 1);
}

static void test_names_trimmed_and_case_folded(void **state)
{
    fixture *f = *state;
    load_base(f);
    /* Rooms by name and users by email, without regard to ASCII case. */
    import_ok(f, HP_IMPORT_PASSES,
              PASS_HEADER
              "p1,SAM@X.ORG,room 2,LIBRARY,Tom@x.org,teacher,now,2026-09-14T10:00:00-05:00,,\n");
    check_room_usage(f, "Room 2", 1, 0);
    check_room_usage(f, "Library", 0, 1);
}

static void test_unknown_column(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "name,colour\nGym,red\n", "rooms.csv:1: ", "\"colour\"",
                   NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role,phone\n", "users.csv:1: ", "\"phone\"",
                   NULL);
    assert_int_equal(room_count(f), 0);
}

static void test_duplicate_column(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "name,folder,name\nGym,,Gym\n", "rooms.csv:1: name: ", NULL);
    load_base(f);
    import_refused(f, HP_IMPORT_PASSES,
                   "id,student,origin,destination,creator,source,type,start,start\n",
                   "passes.csv:1: start: ", NULL);
    assert_int_equal(room_count(f), 4);
}

static void test_missing_column(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "folder,max_passes_from\nScience,3\n",
                   "rooms.csv:1: name: ", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,role\nTom,teacher\n", "users.csv:1: email: ", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email\nTom,tom@x.org\n", "users.csv:1: role: ", NULL);
    load_base(f);
    import_refused(f, HP_IMPORT_PASSES,
                   "id,student,destination,creator,source,type,start\n"
                   "p1,sam@x.org,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00\n",
                   "passes.csv:1: origin: ", NULL);
    import_refused(f, HP_IMPORT_PASSES, "student,origin,destination,creator,source,type,start\n",
                   "passes.csv:1: id: ", NULL);
    assert_int_equal(pass_count(f), 0);
}

static void test_empty_file(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "", "rooms.csv:1: ", NULL);
    /* A header alone imports nothing, and that is fine. */
    hp_import_stats st = import_ok(f, HP_IMPORT_ROOMS, "name,folder\n");
    assert_int_equal(st.rows, 0);
    assert_int_equal(st.added, 0);
}

static void test_wrong_field_count(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nRoom 1,A\nRoom 2\n", "rooms.csv:3: ", NULL);
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nRoom 1,A\nRoom 2,B\nRoom 3,C,extra\n",
                   "rooms.csv:4: ", NULL);
    assert_int_equal(room_count(f), 0);
}

static void test_too_many_columns(void **state)
{
    fixture *f = *state;
    char header[512] = "name";
    for (int i = 0; i < 40; i++)
        strcat(header, ",folder");
    strcat(header, "\n");
    int rc = import_text(f, HP_IMPORT_ROOMS, header, NULL);
    assert_true(rc < 0);
    assert_int_equal(strncmp(hp_error_last(), "rooms.csv:1: ", 13), 0);
}

/* --- Messages and lines ----------------------------------------------------------------------- */

static void test_message_names_line_column_value(void **state)
{
    fixture *f = *state;
    load_base(f);
    int rc = import_text(
        f, HP_IMPORT_PASSES,
        PASS_HEADER
        "p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00,,\n"
        "p2,sam@x.org,Rm 9,Library,tom@x.org,teacher,now,2026-09-14T11:00:00-05:00,,\n",
        NULL);
    assert_true(rc < 0);
    assert_string_equal(hp_error_last(), "passes.csv:3: origin: no room named \"Rm 9\"");
}

static void test_line_after_multiline_value_and_blank_lines(void **state)
{
    fixture *f = *state;
    load_base(f);
    /* Line 2 holds a record whose quoted id spans lines 2 to 4; lines 5 and 6 are blank, 7 is
     * a good record, 8 blank, and the bad record is on line 9. */
    const char *text = PASS_HEADER
        "\"ext\n42\nb\",sam@x.org,Room "
        "2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00,,\n"
        "\n"
        "\n"
        "p2,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14T11:00:00-05:00,,\n"
        "\n"
        "p3,sam@x.org,Room 2,Library,nobody@x.org,teacher,now,2026-09-14T12:00:00-05:00,,\n";
    int rc = import_text(f, HP_IMPORT_PASSES, text, NULL);
    assert_true(rc < 0);
    assert_string_equal(hp_error_last(),
                        "passes.csv:9: creator: no user with email \"nobody@x.org\"");
    assert_int_equal(pass_count(f), 0);
}

static void test_line_of_a_multiline_record_is_its_first(void **state)
{
    fixture *f = *state;
    /* The bad record starts on line 3 and its bad value spans to line 4. */
    import_refused(f, HP_IMPORT_ROOMS,
                   "name,folder,max_passes_from\nGym,,\nRoom 2,Science,\"zero\nor one\"\nNurse,,\n",
                   "rooms.csv:3: max_passes_from: ", "zero", NULL);
}

static void test_lines_with_crlf(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS,
                   "name,folder,max_passes_from\r\nGym,,\r\n\r\nNurse,Office,\r\nLab,,-1\r\n",
                   "rooms.csv:5: max_passes_from: ", "\"-1\"", NULL);
    load_base(f);
    /* A quoted id over lines 2 and 3, a blank line 4, the bad record on line 5. */
    import_refused(
        f, HP_IMPORT_PASSES,
        "id,student,origin,destination,creator,source,type,start\r\n"
        "\"ext\r\n7\",sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00\r\n"
        "\r\n"
        "p2,sam@x.org,Room 2,Gym,tom@x.org,teacher,now,2026-09-14T11:00:00-05:00\r\n",
        "passes.csv:5: destination: ", "\"Gym\"", NULL);
    assert_int_equal(pass_count(f), 0);
}

static void test_malformed_csv(void **state)
{
    fixture *f = *state;
    /* Text after a closing quote; a quote never closed. */
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nGym,\"Sports\"x\n", "rooms.csv:2: ", NULL);
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nGym,Sports\n\"Nurse,Office\n",
                   "rooms.csv:3: ", NULL);
    assert_int_equal(room_count(f), 0);
}

/* --- All or nothing, twice is once ------------------------------------------------------------ */

static void test_all_or_nothing_rooms(void **state)
{
    fixture *f = *state;
    import_ok(f, HP_IMPORT_ROOMS, "name,folder\nRoom 1,Old\n");
    /* Room 1 updated, two rooms added, and the last row bad: none of it stays. */
    import_refused(f, HP_IMPORT_ROOMS,
                   "name,folder,max_passes_from\nRoom 1,New,\nRoom 8,,\nRoom 9,,0\n",
                   "rooms.csv:4: max_passes_from: ", NULL);
    assert_int_equal(room_count(f), 1);
    hp_room r = get_room(f, "Room 1");
    assert_string_equal(r.folder, "Old");
    hp_room_release(&r);
    hp_room none = {0};
    assert_int_equal(hp_store_room_find(f->store, f->school.id, "Room 8", &none), HP_ENOTFOUND);
}

static void test_all_or_nothing_users(void **state)
{
    fixture *f = *state;
    load_base(f);
    import_refused(f, HP_IMPORT_USERS,
                   "name,email,role\nTom Renamed,tom@x.org,teacher\nNew Teacher,new@x.org,teacher\n"
                   "Bad,bad@x.org,janitor\n",
                   "users.csv:4: role: ", "\"janitor\"", NULL);
    assert_int_equal(user_count(f), 5);
    hp_user u = {0};
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "tom@x.org", &u, NULL), HP_OK);
    assert_string_equal(u.name, "Tom Teacher");
    hp_user_release(&u);
}

static void test_all_or_nothing_passes(void **state)
{
    fixture *f = *state;
    load_base(f);
    char *before = report_text(f, HP_REPORT_ROOMS);
    char *staff_before = report_text(f, HP_REPORT_STAFF);
    import_refused(
        f, HP_IMPORT_PASSES,
        PASS_HEADER
        "p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00,,\n"
        "p2,sue@x.org,Room 10,Library,ann@x.org,teacher,scheduled,2026-09-15T10:00:00-05:00,,\n"
        "p3,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-16T10:00:00-05:00,,maybe\n",
        "passes.csv:4: cancelled: ", "\"maybe\"", NULL);
    assert_int_equal(pass_count(f), 0);
    char *after = report_text(f, HP_REPORT_ROOMS);
    char *staff_after = report_text(f, HP_REPORT_STAFF);
    assert_string_equal(before, after);
    assert_string_equal(staff_before, staff_after);
    free(before);
    free(after);
    free(staff_before);
    free(staff_after);
}

static const char twice_passes[] = PASS_HEADER
    "p1,sam@x.org,Room "
    "2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00,2026-09-14T10:04:00-05:00,\n"
    "p2,sue@x.org,Room 10,Restroom B,ann@x.org,teacher,scheduled,2026-09-15T10:00:00-05:00,,\n"
    "p3,sue@x.org,Library,Restroom B,kiosk@x.org,kiosk_login,now,2026-09-16T10:00:00-05:00,,\n"
    "p4,sam@x.org,Room 2,Restroom B,tom@x.org,teacher,scheduled,2026-09-17T10:00:00-05:00,,true\n";

static void test_same_file_twice_changes_nothing(void **state)
{
    fixture *f = *state;
    hp_import_stats st = import_ok(f, HP_IMPORT_ROOMS, base_rooms);
    assert_int_equal(st.added, 4);
    st = import_ok(f, HP_IMPORT_USERS, base_users);
    assert_int_equal(st.added, 5);
    st = import_ok(f, HP_IMPORT_PASSES, twice_passes);
    assert_int_equal(st.added, 4);
    char *rooms = report_text(f, HP_REPORT_ROOMS);
    char *staff = report_text(f, HP_REPORT_STAFF);
    /* Room 2: from p1, p4 cancelled; Restroom B: to p2, p3. */
    check_room_usage(f, "Room 2", 1, 0);
    check_room_usage(f, "Restroom B", 0, 2);

    st = import_ok(f, HP_IMPORT_ROOMS, base_rooms);
    assert_int_equal(st.rows, 4);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 4);
    st = import_ok(f, HP_IMPORT_USERS, base_users);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 5);
    st = import_ok(f, HP_IMPORT_PASSES, twice_passes);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 4);

    assert_int_equal(room_count(f), 4);
    assert_int_equal(user_count(f), 5);
    assert_int_equal(pass_count(f), 4);
    char *rooms2 = report_text(f, HP_REPORT_ROOMS);
    char *staff2 = report_text(f, HP_REPORT_STAFF);
    assert_string_equal(rooms, rooms2);
    assert_string_equal(staff, staff2);
    free(rooms);
    free(staff);
    free(rooms2);
    free(staff2);
}

static void test_pass_id_already_imported_is_skipped(void **state)
{
    fixture *f = *state;
    load_base(f);
    import_ok(f, HP_IMPORT_PASSES,
              PASS_HEADER
              "p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00-05:00,,\n");
    /* p1 again with other rooms is skipped, not updated; p9 is new; p9 twice counts once. */
    hp_import_stats st = import_ok(
        f, HP_IMPORT_PASSES,
        PASS_HEADER
        "p1,sue@x.org,Room 10,Restroom B,tom@x.org,teacher,now,2026-09-20T10:00:00-05:00,,\n"
        "p9,sue@x.org,Room 10,Library,tom@x.org,teacher,now,2026-09-21T10:00:00-05:00,,\n"
        "p9,sue@x.org,Room 10,Library,tom@x.org,teacher,now,2026-09-21T10:00:00-05:00,,\n");
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.added, 1);
    assert_int_equal(st.unchanged, 2);
    assert_int_equal(pass_count(f), 2);
    check_room_usage(f, "Room 2", 1, 0);
    check_room_usage(f, "Room 10", 1, 0);
    check_room_usage(f, "Library", 0, 2);
    check_room_usage(f, "Restroom B", 0, 0);
}

static void test_rows_update_by_name_and_email(void **state)
{
    fixture *f = *state;
    load_base(f);
    /* A room whose name exists (in any case) is updated, not added; so is a user by email. */
    hp_import_stats st = import_ok(f, HP_IMPORT_ROOMS,
                                   "name,folder,max_passes_from\n"
                                   "ROOM 2,Labs,4\n"
                                   "Room 10,Science,\n");
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.unchanged, 1);
    assert_int_equal(room_count(f), 4);
    hp_room r = get_room(f, "room 2");
    assert_string_equal(r.folder, "Labs");
    assert_int_equal(r.max_from, 4);
    hp_room_release(&r);
    st = import_ok(f, HP_IMPORT_USERS, "name,email,role\nThomas Teacher,TOM@x.org,teacher\n");
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 1);
    assert_int_equal(user_count(f), 5);
}

/* --- Encodings -------------------------------------------------------------------------------- */

static void test_bom_accepted(void **state)
{
    fixture *f = *state;
    hp_import_stats st = import_ok(f, HP_IMPORT_ROOMS, "\xEF\xBB\xBFname,folder\nRoom 1,A\n");
    assert_int_equal(st.added, 1);
    hp_room r = get_room(f, "Room 1");
    assert_string_equal(r.folder, "A");
    hp_room_release(&r);
}

static void test_crlf_accepted(void **state)
{
    fixture *f = *state;
    hp_import_stats st = import_ok(
        f, HP_IMPORT_ROOMS, "\xEF\xBB\xBFname,folder,max_passes_to\r\nRoom 1,A,2\r\nRoom 2,B,\r\n");
    assert_int_equal(st.added, 2);
    hp_room r = get_room(f, "Room 1");
    assert_string_equal(r.folder, "A");
    assert_int_equal(r.max_to, 2);
    hp_room_release(&r);
    r = get_room(f, "Room 2");
    assert_string_equal(r.folder, "B");
    assert_int_equal(r.max_to, 0);
    hp_room_release(&r);
    /* The last record needs no line end. */
    st = import_ok(f, HP_IMPORT_ROOMS, "name,folder\r\nRoom 3,C");
    assert_int_equal(st.added, 1);
}

static void test_nul_byte_refused(void **state)
{
    fixture *f = *state;
    static const char text[] = "name,folder\nRoom 1,A\nRo\0om,B\n";
    int rc = import_bytes(f, HP_IMPORT_ROOMS, text, sizeof(text) - 1, NULL);
    assert_int_equal(rc, HP_EINVALID);
    assert_int_equal(strncmp(hp_error_last(), "rooms.csv:3: ", 13), 0);
    assert_non_null(strstr(hp_error_last(), "NUL"));
    assert_int_equal(room_count(f), 0);
}

static void test_invalid_utf8_refused(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nCaf\xe9,A\n", "rooms.csv:2: name: ", "UTF-8",
                   NULL);
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nCafe,\xc3\x28\n",
                   "rooms.csv:2: folder: ", "UTF-8", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\nT\xff,t@x.org,teacher\n",
                   "users.csv:2: name: ", "UTF-8", NULL);
    assert_int_equal(room_count(f), 0);
    assert_int_equal(user_count(f), 0);
}

static void test_over_long_values_refused(void **state)
{
    fixture *f = *state;
    /* A record past the reader's cap. */
    size_t big = HP_CSV_RECORD_MAX + 10;
    char *text = g_malloc(big + 64);
    strcpy(text, "name,folder\nGym,");
    size_t n = strlen(text);
    memset(text + n, 'x', big);
    strcpy(text + n + big, "\n");
    int rc = import_text(f, HP_IMPORT_ROOMS, text, NULL);
    g_free(text);
    assert_true(rc < 0);
    assert_int_equal(strncmp(hp_error_last(), "rooms.csv:2: ", 13), 0);
    assert_int_equal(room_count(f), 0);

    /* A name past HP_NAME_MAX bytes. */
    char row[512];
    char name[HP_NAME_MAX + 2];
    memset(name, 'n', HP_NAME_MAX + 1);
    name[HP_NAME_MAX + 1] = '\0';
    snprintf(row, sizeof(row), "name\n%s\n", name);
    import_refused(f, HP_IMPORT_ROOMS, row, "rooms.csv:2: name: ", NULL);
    /* Exactly HP_NAME_MAX bytes is fine. */
    name[HP_NAME_MAX] = '\0';
    snprintf(row, sizeof(row), "name\n%s\n", name);
    import_ok(f, HP_IMPORT_ROOMS, row);
    assert_int_equal(room_count(f), 1);
}

/* --- Rooms, users, passes: bad values ------------------------------------------------------- */

static void test_bad_limits(void **state)
{
    fixture *f = *state;
    const char *bad[] = {"0", "-1", "abc", "2.5", "+3", "3 rooms", "1e3"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        char text[128], quoted[32];
        snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
        snprintf(text, sizeof(text), "name,max_passes_from\nGym,%s\n", bad[i]);
        import_refused(f, HP_IMPORT_ROOMS, text, "rooms.csv:2: max_passes_from: ", quoted, NULL);
        snprintf(text, sizeof(text), "name,max_passes_to,max_passes_from\nGym,%s,\n", bad[i]);
        import_refused(f, HP_IMPORT_ROOMS, text, "rooms.csv:2: max_passes_to: ", quoted, NULL);
    }
    assert_int_equal(room_count(f), 0);
    import_ok(f, HP_IMPORT_ROOMS, "name,max_passes_from,max_passes_to\nGym,1,25\n");
    hp_room r = get_room(f, "Gym");
    assert_int_equal(r.max_from, 1);
    assert_int_equal(r.max_to, 25);
    hp_room_release(&r);
}

static void test_bad_rooms(void **state)
{
    fixture *f = *state;
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\n,Science\n", "rooms.csv:2: name: ", NULL);
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\n   ,Science\n", "rooms.csv:2: name: ", NULL);
    assert_int_equal(room_count(f), 0);
}

static void test_bad_users(void **state)
{
    fixture *f = *state;
    import_ok(f, HP_IMPORT_ROOMS, "name\nLibrary\n");
    import_refused(f, HP_IMPORT_USERS, "name,email,role,room\nKiosk 1,k1@x.org,kiosk,\n",
                   "users.csv:2: room: ", NULL);
    /* A teacher may have a home room now; a student never has a room. */
    import_refused(f, HP_IMPORT_USERS, "name,email,role,room\nSam,sam@x.org,student,Library\n",
                   "users.csv:2: room: ", "\"Library\"", "a student has no room", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role,room\nKiosk 1,k1@x.org,kiosk,Nowhere\n",
                   "users.csv:2: room: ", "\"Nowhere\"", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\nTom,tom@x.org,janitor\n",
                   "users.csv:2: role: ", "\"janitor\"", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\nTom,tom.x.org,teacher\n",
                   "users.csv:2: email: ", "\"tom.x.org\"", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\nTom,,teacher\n",
                   "users.csv:2: email: ", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\n,tom@x.org,teacher\n",
                   "users.csv:2: name: ", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\nTom,tom@x.org,\n",
                   "users.csv:2: role: ", NULL);
    char text[512], pw[HP_PASSWORD_MAX + 2];
    memset(pw, 'p', HP_PASSWORD_MAX + 1);
    pw[HP_PASSWORD_MAX + 1] = '\0';
    snprintf(text, sizeof(text), "name,email,role,password\nTom,tom@x.org,teacher,%s\n", pw);
    import_refused(f, HP_IMPORT_USERS, text, "users.csv:2: password: ", NULL);
    assert_int_equal(user_count(f), 0);
}

#define GOOD_TAIL "2026-09-14T10:00:00-05:00"

static void test_bad_passes(void **state)
{
    fixture *f = *state;
    load_base(f);
    const struct {
        const char *row;
        const char *prefix;
        const char *needle;
    } cases[] = {
        /* Unknown things, named in the message. */
        {"p1,nobody@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL ",,",
         "passes.csv:2: student: ", "\"nobody@x.org\""},
        {"p1,sam@x.org,Room 2,Rm 9,tom@x.org,teacher,now," GOOD_TAIL ",,",
         "passes.csv:2: destination: ", "\"Rm 9\""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,robot,now," GOOD_TAIL ",,",
         "passes.csv:2: source: ", "\"robot\""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,later," GOOD_TAIL ",,",
         "passes.csv:2: type: ", "\"later\""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14 10:00,,",
         "passes.csv:2: start: ", "\"2026-09-14 10:00\""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now,2026-09-14T10:00:00,,",
         "passes.csv:2: start: ", "\"2026-09-14T10:00:00\""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL ",soon,",
         "passes.csv:2: end: ", "\"soon\""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL ",,yes",
         "passes.csv:2: cancelled: ", "\"yes\""},
        {",sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL ",,",
         "passes.csv:2: id: ", ""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,,now," GOOD_TAIL ",,",
         "passes.csv:2: source: ", ""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now,,,", "passes.csv:2: start: ", ""},
        /* The fit of source, type and roles. */
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL
         ",2026-09-14T09:59:59-05:00,",
         "passes.csv:2: end: ", ""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL ",,true",
         "passes.csv:2: cancelled: ", ""},
        {"p1,sam@x.org,Room 2,Library,sue@x.org,student,now," GOOD_TAIL ",,",
         "passes.csv:2: creator: ", ""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,student,now," GOOD_TAIL ",,",
         "passes.csv:2: creator: ", ""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,kiosk_login,now," GOOD_TAIL ",,",
         "passes.csv:2: creator: ", ""},
        {"p1,sam@x.org,Room 2,Library,sue@x.org,kiosk_login,now," GOOD_TAIL ",,",
         "passes.csv:2: creator: ", ""},
        {"p1,sam@x.org,Room 2,Library,kiosk@x.org,teacher,now," GOOD_TAIL ",,",
         "passes.csv:2: creator: ", ""},
        {"p1,sam@x.org,Room 2,Library,sam@x.org,kiosk_mode,now," GOOD_TAIL ",,",
         "passes.csv:2: creator: ", ""},
        {"p1,sam@x.org,Library,Room 2,kiosk@x.org,kiosk_login,scheduled," GOOD_TAIL ",,",
         "passes.csv:2: type: ", ""},
        {"p1,sam@x.org,Room 2,Library,tom@x.org,kiosk_mode,scheduled," GOOD_TAIL ",,",
         "passes.csv:2: type: ", ""},
        {"p1,sam@x.org,Room 2,Library,sam@x.org,student,scheduled," GOOD_TAIL ",,",
         "passes.csv:2: type: ", ""},
        {"p1,tom@x.org,Room 2,Library,ann@x.org,teacher,now," GOOD_TAIL ",,",
         "passes.csv:2: student: ", ""},
        {"p1,sam@x.org,Library,library,tom@x.org,teacher,now," GOOD_TAIL ",,",
         "passes.csv:2: destination: ", ""},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++) {
        char text[512];
        snprintf(text, sizeof(text), PASS_HEADER "%s\n", cases[i].row);
        import_refused(f, HP_IMPORT_PASSES, text, cases[i].prefix, cases[i].needle, NULL);
    }
    assert_int_equal(pass_count(f), 0);
}

static void test_good_passes_of_every_kind(void **state)
{
    fixture *f = *state;
    load_base(f);
    /* Each fitting creator; a cancelled scheduled pass; TRUE/FALSE any case; end = start. */
    hp_import_stats st =
        import_ok(f, HP_IMPORT_PASSES,
                  PASS_HEADER
                  "a,sam@x.org,Room 2,Library,sam@x.org,student,now," GOOD_TAIL ",,\n"
                  "b,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL "," GOOD_TAIL ",\n"
                  "c,sam@x.org,Room 2,Library,ann@x.org,teacher,scheduled," GOOD_TAIL ",,false\n"
                  "d,sam@x.org,Room 2,Library,ann@x.org,kiosk_mode,now," GOOD_TAIL ",,\n"
                  "e,sam@x.org,Library,Room 2,kiosk@x.org,kiosk_login,now," GOOD_TAIL ",,\n"
                  "f,sam@x.org,Room 2,Library,tom@x.org,teacher,scheduled," GOOD_TAIL ",,true\n");
    assert_int_equal(st.added, 6);
    assert_int_equal(pass_count(f), 6);
    /* Room 2: from a, b, c, d; to e. Library: to a, b, c, d; from e. f is cancelled. */
    check_room_usage(f, "Room 2", 4, 1);
    check_room_usage(f, "Library", 1, 4);
    /* Staff: Tom now b (f cancelled); Ann scheduled c, now d from the kiosk she launched. */
    hp_report *r = NULL;
    hp_report_query q = {"2026-09-14", "2026-09-14", "email", "asc", NULL, NULL};
    assert_int_equal(hp_report_build(&r, f->store, &f->school, f->tz, HP_REPORT_STAFF, &q), HP_OK);
    assert_int_equal(r->row_count, 2);
    assert_string_equal(r->rows[0].staff.email, "ann@x.org");
    assert_int_equal(r->rows[0].staff.total, 2);
    assert_int_equal(r->rows[0].staff.now, 1);
    assert_int_equal(r->rows[0].staff.scheduled, 1);
    assert_string_equal(r->rows[1].staff.email, "tom@x.org");
    assert_int_equal(r->rows[1].staff.total, 1);
    assert_int_equal(r->rows[1].staff.now, 1);
    assert_int_equal(r->rows[1].staff.scheduled, 0);
    hp_report_free(r);
}

/* Messages of refused rows name the value at fault: an error names the file's line, the
 * column, the value and why. */
static void test_role_messages_name_the_value(void **state)
{
    fixture *f = *state;
    load_base(f);
    const struct {
        hp_import_kind kind;
        const char *text;
        const char *value;
    } cases[] = {
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Room 2,Library,sue@x.org,student,now," GOOD_TAIL ",,\n",
         "sue@x.org"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Room 2,Library,tom@x.org,kiosk_login,now," GOOD_TAIL ",,\n",
         "tom@x.org"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Room 2,Library,kiosk@x.org,teacher,now," GOOD_TAIL ",,\n",
         "kiosk@x.org"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,tom@x.org,Room 2,Library,ann@x.org,teacher,now," GOOD_TAIL ",,\n",
         "tom@x.org"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Library,Room 2,kiosk@x.org,kiosk_login,scheduled," GOOD_TAIL
                     ",,\n",
         "scheduled"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL ",,true\n",
         "true"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Room 2,Library,tom@x.org,teacher,now," GOOD_TAIL
                     ",2026-09-14T09:59:59-05:00,\n",
         "2026-09-14T09:59:59-05:00"},
        {HP_IMPORT_PASSES,
         PASS_HEADER "p1,sam@x.org,Library,Library,tom@x.org,teacher,now," GOOD_TAIL ",,\n",
         "Library"},
        {HP_IMPORT_USERS, "name,email,role,room\nSam,sam2@x.org,student,Library\n", "Library"},
    };
    char missing[HP_ERROR_MAX * 2] = ""; /* The messages that lack their value, for the report. */
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++) {
        int rc = import_text(f, cases[i].kind, cases[i].text, NULL);
        assert_true(rc < 0);
        if (strstr(hp_error_last(), cases[i].value) == NULL) {
            strncat(missing, hp_error_last(), sizeof(missing) - strlen(missing) - 1);
            strncat(missing, " [lacks ", sizeof(missing) - strlen(missing) - 1);
            strncat(missing, cases[i].value, sizeof(missing) - strlen(missing) - 1);
            strncat(missing, "]\n", sizeof(missing) - strlen(missing) - 1);
        }
    }
    if (missing[0])
        fail_msg("messages without their value:\n%s", missing);
}

static void test_check_name(void **state)
{
    (void)state;
    char name[HP_NAME_MAX + 2];
    assert_int_equal(hp_check_name("name", "Room 101", true), HP_OK);
    assert_int_equal(hp_check_name("folder", "", false), HP_OK);
    assert_int_equal(hp_check_name("folder", NULL, false), HP_OK);
    assert_int_equal(hp_check_name("name", "Caf\xc3\xa9\tWest", true), HP_OK);
    assert_int_equal(hp_check_name("name", "", true), HP_EINVALID);
    assert_int_equal(strncmp(hp_error_last(), "name: ", 6), 0);
    assert_int_equal(hp_check_name("folder", "Caf\xe9", false), HP_EINVALID);
    assert_int_equal(strncmp(hp_error_last(), "folder: ", 8), 0);
    memset(name, 'x', HP_NAME_MAX + 1);
    name[HP_NAME_MAX + 1] = '\0';
    assert_int_equal(hp_check_name("name", name, true), HP_EINVALID);
    name[HP_NAME_MAX] = '\0';
    assert_int_equal(hp_check_name("name", name, true), HP_OK);
}

static void test_check_name_control_bytes(void **state)
{
    (void)state;
    /* Control characters are refused, but a tab and a carriage return, which the exports
     * guard against formula injection, are kept. */
    assert_int_equal(hp_check_name("name", "\tRoom", true), HP_OK);
    assert_int_equal(hp_check_name("name", "\rRoom", true), HP_OK);
    const char *bad[] = {"Room\x01", "Room\nB", "\x1b[31mRed", "Room\x7f"};
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        if (hp_check_name("name", bad[i], true) != HP_EINVALID)
            fail_msg("name %zu with a control byte accepted", i);
        assert_int_equal(strncmp(hp_error_last(), "name: ", 6), 0);
    }
}

/* --- Passwords (the one slow test: Argon2id) ---------------------------------------------- */

static void test_password_stored_and_kept(void **state)
{
    fixture *f = *state;
    static const char users[] =
        "name,email,role,password\nTom Teacher,tom@x.org,teacher,s3cret pass\n";
    hp_import_stats st = import_ok(f, HP_IMPORT_USERS, users);
    assert_int_equal(st.added, 1);

    hp_user u = {0};
    char *hash = NULL;
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "tom@x.org", &u, &hash), HP_OK);
    hp_user_release(&u);
    assert_non_null(hash);
    /* Stored as a salted slow hash, never as the password. */
    assert_null(strstr(hash, "s3cret"));
    assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
    assert_true(hp_password_verify(hash, "s3cret pass"));
    assert_false(hp_password_verify(hash, "s3cret pas"));

    /* The same file again: the row is unchanged, the hash too. */
    st = import_ok(f, HP_IMPORT_USERS, users);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 1);
    char *hash2 = NULL;
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "tom@x.org", &u, &hash2), HP_OK);
    hp_user_release(&u);
    assert_non_null(hash2);
    assert_string_equal(hash, hash2);
    g_free(hash2);

    /* Without a password column the stored one is kept. */
    st = import_ok(f, HP_IMPORT_USERS, "name,email,role\nTom Teacher,tom@x.org,teacher\n");
    assert_int_equal(st.unchanged, 1);
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "tom@x.org", &u, &hash2), HP_OK);
    hp_user_release(&u);
    assert_string_equal(hash, hash2);
    g_free(hash2);
    g_free(hash);
}

static hp_user get_user(fixture *f, const char *email)
{
    hp_user user = {0};
    if (hp_store_user_find(f->store, f->school.id, email, &user, NULL) != HP_OK)
        fail_msg("user \"%s\": %s", email, hp_error_last());
    return user;
}

/* Students carry the school's own ID; the same file again changes nothing, a file without
 * the column keeps the IDs, an empty value removes one. */
static void test_student_ids(void **state)
{
    fixture *f = *state;
    static const char users[] = "name,email,role,student_id\n"
                                "Sam Student,sam@x.org,student,S-1001\n"
                                "Ann Other,ann@x.org,student, 42 \n"
                                "Ben None,ben@x.org,student,\n";
    hp_import_stats st = import_ok(f, HP_IMPORT_USERS, users);
    assert_int_equal(st.added, 3);
    hp_user u = get_user(f, "sam@x.org");
    assert_string_equal(u.student_id, "S-1001");
    hp_user_release(&u);
    u = get_user(f, "ann@x.org");
    assert_string_equal(u.student_id, "42");
    hp_user_release(&u);
    u = get_user(f, "ben@x.org");
    assert_null(u.student_id);
    hp_user_release(&u);

    st = import_ok(f, HP_IMPORT_USERS, users);
    assert_int_equal(st.unchanged, 3);
    st = import_ok(f, HP_IMPORT_USERS, "name,email,role\nSam Student,sam@x.org,student\n");
    assert_int_equal(st.unchanged, 1);
    u = get_user(f, "sam@x.org");
    assert_string_equal(u.student_id, "S-1001");
    hp_user_release(&u);

    /* A new ID, and a case change of one's own ID, are updates, not duplicates. */
    st = import_ok(f, HP_IMPORT_USERS,
                   "name,email,role,student_id\nSam Student,sam@x.org,"
                   "student,s-1001\n");
    assert_int_equal(st.updated, 1);
    st = import_ok(f, HP_IMPORT_USERS,
                   "name,email,role,student_id\nSam Student,sam@x.org,student,\n");
    assert_int_equal(st.updated, 1);
    u = get_user(f, "sam@x.org");
    assert_null(u.student_id);
    hp_user_release(&u);
}

static void test_bad_student_ids(void **state)
{
    fixture *f = *state;
    import_ok(f, HP_IMPORT_USERS, "name,email,role,student_id\nSam,sam@x.org,student,S-1001\n");
    /* Taken in the school, whatever the case. */
    import_refused(f, HP_IMPORT_USERS, "name,email,role,student_id\nAnn,ann@x.org,student,s-1001\n",
                   "users.csv:2: student_id: ", "\"s-1001\"", "sam@x.org", NULL);
    /* Twice in one file: the second row is refused, and nothing of the file is kept. */
    import_refused(f, HP_IMPORT_USERS,
                   "name,email,role,student_id\nAnn,ann@x.org,student,A-7\n"
                   "Bo,bo@x.org,student,a-7\n",
                   "users.csv:3: student_id: ", "\"a-7\"", "ann@x.org", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role,student_id\nTom,tom@x.org,teacher,T-1\n",
                   "users.csv:2: student_id: ", "\"T-1\"", "only a student", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role,student_id\nAnn,ann@x.org,student,A 7\n",
                   "users.csv:2: student_id: ", "\"A 7\"", "letters, digits and -", NULL);
    import_refused(f, HP_IMPORT_USERS,
                   "name,email,role,student_id\nAnn,ann@x.org,student,"
                   "123456789012345678901234567890123\n",
                   "users.csv:2: student_id: ", "1 to 32", NULL);
    assert_int_equal(user_count(f), 1);
}

/* Staff may have a home room; a kiosk must have its room. */
static void test_staff_home_room(void **state)
{
    fixture *f = *state;
    import_ok(f, HP_IMPORT_ROOMS, "name\nRoom 101\nLibrary\n");
    import_ok(f, HP_IMPORT_USERS,
              "name,email,role,room\n"
              "Tom Teacher,tom@x.org,teacher, room 101 \n"
              "Ada Admin,ada@x.org,admin,\n"
              "Kiosk,kiosk@x.org,kiosk,Library\n");
    hp_room room = get_room(f, "Room 101");
    hp_user u = get_user(f, "tom@x.org");
    assert_int_equal(u.room_id, room.id);
    hp_room_release(&room);
    hp_user_release(&u);
    u = get_user(f, "ada@x.org");
    assert_int_equal(u.room_id, 0);
    hp_user_release(&u);
    import_refused(f, HP_IMPORT_USERS, "name,email,role,room\nTom,tom@x.org,teacher,Gym\n",
                   "users.csv:2: room: ", "\"Gym\"", NULL);
}

/* Names are trimmed one way (ASCII whitespace and Unicode spaces), and invisible format
 * characters are refused wherever they are. */
static void test_names_cleaned_one_way(void **state)
{
    fixture *f = *state;
    import_ok(f, HP_IMPORT_ROOMS, "name,folder\n\xc2\xa0Room 101\t,\tHall A \n");
    hp_room r = get_room(f, "Room 101");
    assert_string_equal(r.name, "Room 101");
    assert_string_equal(r.folder, "Hall A");
    hp_room_release(&r);
    import_refused(f, HP_IMPORT_ROOMS, "name\nRoom\xe2\x80\x8b 101\n",
                   "rooms.csv:2: name: ", "U+200B", NULL);
    import_refused(f, HP_IMPORT_ROOMS, "name\nLib\xef\xbb\xbfrary\n",
                   "rooms.csv:2: name: ", "U+FEFF", NULL);
    import_refused(f, HP_IMPORT_ROOMS, "name,folder\nGym,Hall\xc2\xad\n",
                   "rooms.csv:2: folder: ", "U+00AD", NULL);
    import_refused(f, HP_IMPORT_USERS,
                   "name,email,role\nSam\xe2\x80\xae"
                   "Evil,sam@x.org,student\n",
                   "users.csv:2: name: ", "U+202E", NULL);
    import_refused(f, HP_IMPORT_USERS, "name,email,role\nSam,sam\xe2\x80\x8b@x.org,student\n",
                   "users.csv:2: email: ", "U+200B", NULL);
    assert_int_equal(room_count(f), 1);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_rooms_columns_any_order),
        TEST(test_rooms_optional_columns_left_out),
        TEST(test_users_columns_any_order),
        TEST(test_passes_columns_any_order),
        TEST(test_names_trimmed_and_case_folded),
        TEST(test_unknown_column),
        TEST(test_duplicate_column),
        TEST(test_missing_column),
        TEST(test_empty_file),
        TEST(test_wrong_field_count),
        TEST(test_too_many_columns),
        TEST(test_message_names_line_column_value),
        TEST(test_line_after_multiline_value_and_blank_lines),
        TEST(test_line_of_a_multiline_record_is_its_first),
        TEST(test_lines_with_crlf),
        TEST(test_malformed_csv),
        TEST(test_all_or_nothing_rooms),
        TEST(test_all_or_nothing_users),
        TEST(test_all_or_nothing_passes),
        TEST(test_same_file_twice_changes_nothing),
        TEST(test_pass_id_already_imported_is_skipped),
        TEST(test_rows_update_by_name_and_email),
        TEST(test_bom_accepted),
        TEST(test_crlf_accepted),
        TEST(test_nul_byte_refused),
        TEST(test_invalid_utf8_refused),
        TEST(test_over_long_values_refused),
        TEST(test_bad_limits),
        TEST(test_bad_rooms),
        TEST(test_bad_users),
        TEST(test_bad_passes),
        TEST(test_good_passes_of_every_kind),
        TEST(test_role_messages_name_the_value),
        cmocka_unit_test(test_check_name),
        cmocka_unit_test(test_check_name_control_bytes),
        TEST(test_password_stored_and_kept),
        TEST(test_student_ids),
        TEST(test_bad_student_ids),
        TEST(test_staff_home_room),
        TEST(test_names_cleaned_one_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
