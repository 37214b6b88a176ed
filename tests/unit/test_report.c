/*
 * Room Usage and Staff Usage over a real SQLite store: every room and every staff member has a
 * row, what counts where, inclusive ranges of local dates, and the order of rows for every sort
 * key both ways. Also the counters under them: how a range splits into months and days, and
 * what `hallpass check` says of counters that differ from their passes. Expected counts and orders
 * are worked out by hand from the passes listed with each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/util.h"
#include "fixture.h"
#include "import/import.h"
#include "report/report.h"
#include "service/check.h"
#include "store/store.h"
#include "store/counter.h"
#include "store/tally.h"

#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Imports rows of one kind through the importer; every row must be accepted. */
static hp_import_stats import_rows(fixture *f, const hp_school *school, hp_import_kind kind,
                                   const char *const *rows, size_t columns, size_t count)
{
    hp_importer *imp = NULL;
    hp_import_stats stats = {0};
    if (hp_importer_new(&imp, f->store, school, f->tz, kind) != HP_OK)
        fail_msg("hp_importer_new: %s", hp_error_last());
    for (size_t i = 0; i < count; i++)
        if (hp_importer_add(imp, rows + i * columns) != HP_OK)
            fail_msg("%s row %zu: %s", hp_import_kind_name(kind), i + 1, hp_error_last());
    if (hp_importer_finish(imp, &stats) != HP_OK)
        fail_msg("hp_importer_finish: %s", hp_error_last());
    hp_importer_free(imp);
    return stats;
}

#define IMPORT(f, kind, rows, columns)                                                             \
    import_rows((f), &(f)->school, (kind), &(rows)[0][0], (columns), HP_ARRAY_SIZE(rows))

static hp_report *build(fixture *f, hp_report_kind kind, const char *from, const char *to,
                        const char *sort, const char *order)
{
    hp_report *report = NULL;
    hp_report_query q = {from, to, sort, order, NULL, NULL};
    if (hp_report_build(&report, f->store, &f->school, f->tz, kind, &q) != HP_OK)
        fail_msg("hp_report_build(%s, %s..%s, %s %s): %s", hp_report_kind_name(kind),
                 from ? from : "-", to ? to : "-", sort ? sort : "-", order ? order : "-",
                 hp_error_last());
    assert_non_null(report);
    return report;
}

static const hp_report_row *find_row(const hp_report *report, const char *name)
{
    for (size_t i = 0; i < report->row_count; i++)
        if (strcmp(report->rows[i].name, name) == 0)
            return &report->rows[i];
    fail_msg("no row named \"%s\"", name);
    return NULL;
}

static void check_room(const hp_report *report, const char *name, const char *folder, int64_t from,
                       int64_t to)
{
    const hp_report_row *row = find_row(report, name);
    assert_string_equal(row->room.folder, folder);
    if (row->room.passes_from != from || row->room.passes_to != to)
        fail_msg("%s: from %lld to %lld, expected from %lld to %lld", name,
                 (long long)row->room.passes_from, (long long)row->room.passes_to, (long long)from,
                 (long long)to);
}

static void check_staff(const hp_report *report, const char *name, const char *email, int64_t total,
                        int64_t now, int64_t scheduled)
{
    const hp_report_row *row = find_row(report, name);
    assert_string_equal(row->staff.email, email);
    if (row->staff.total != total || row->staff.now != now || row->staff.scheduled != scheduled)
        fail_msg("%s: total %lld now %lld scheduled %lld, expected %lld %lld %lld", name,
                 (long long)row->staff.total, (long long)row->staff.now,
                 (long long)row->staff.scheduled, (long long)total, (long long)now,
                 (long long)scheduled);
}

/* Asserts the rows' text column `column` reads names, in that order, and nothing else. */
static void check_order_by(const hp_report *report, int column, const char *const *names,
                           size_t count, const char *what)
{
    const hp_report_column *col = &report->columns[column];
    char got[512] = "";
    for (size_t i = 0; i < report->row_count; i++) {
        strncat(got, col->text(&report->rows[i]), sizeof(got) - strlen(got) - 3);
        strcat(got, i + 1 < report->row_count ? " | " : "");
    }
    bool same = report->row_count == count;
    for (size_t i = 0; same && i < count; i++)
        same = strcmp(col->text(&report->rows[i]), names[i]) == 0;
    if (!same) {
        char want[512] = "";
        for (size_t i = 0; i < count; i++) {
            strncat(want, names[i], sizeof(want) - strlen(want) - 3);
            strcat(want, i + 1 < count ? " | " : "");
        }
        fail_msg("%s: rows are [%s], expected [%s]", what, got, want);
    }
}

#define CHECK_ORDER(report, names, what)                                                           \
    check_order_by((report), 0, (names), HP_ARRAY_SIZE(names), (what))

/* --- The main data set ------------------------------------------------------------------- */

static const char *const main_rooms[][HP_ROOM_COLUMNS] = {
    {"Room 10", "Wing 9", "", ""},       {"Room 2", "Wing 10", "3", ""}, {"Library", "", "", "10"},
    {"Restroom B", "Restrooms", "", ""}, {"Nurse", "office", "", ""},    {"Gym", "Wing 10", "", ""},
};

static const char *const main_users[][HP_USER_COLUMNS] = {
    {"Tom Teacher", "teacher10@x.org", "teacher", "", ""},
    {"Ann Admin", "principal@x.org", "admin", "", ""},
    {"bea Brown", "bbrown@x.org", "teacher", "", ""},
    {"Zed Zero", "teacher9@x.org", "teacher", "", ""},
    {"Sam Student", "sam@x.org", "student", "", ""},
    {"Sue Student", "sue@x.org", "student", "", ""},
    {"Kiosk Library", "kiosk@x.org", "kiosk", "Library", ""},
};

/* In September 2026 Chicago is at UTC-5. Imported in two batches, so counters add up. */
static const char *const main_passes_1[][HP_PASS_COLUMNS] = {
    {"p1", "sam@x.org", "Room 2", "Restroom B", "teacher10@x.org", "teacher", "now",
     "2026-09-14T10:00:00-05:00", "2026-09-14T10:05:00-05:00", ""},
    {"p2", "sam@x.org", "Room 2", "Library", "principal@x.org", "teacher", "scheduled",
     "2026-09-15T09:00:00-05:00", "", "false"},
    {"p3", "sue@x.org", "Room 10", "Restroom B", "teacher10@x.org", "kiosk_mode", "now",
     "2026-09-16T11:00:00-05:00", "", ""},
};

static const char *const main_passes_2[][HP_PASS_COLUMNS] = {
    {"p4", "sue@x.org", "Library", "Restroom B", "kiosk@x.org", "kiosk_login", "now",
     "2026-09-16T12:00:00-05:00", "", ""},
    {"p5", "sam@x.org", "Room 10", "Library", "sam@x.org", "student", "now",
     "2026-09-17T13:00:00-05:00", "2026-09-17T13:10:00-05:00", ""},
    {"p6", "sue@x.org", "Room 2", "Library", "teacher10@x.org", "teacher", "scheduled",
     "2026-09-18T09:00:00-05:00", "", "true"},
    {"p7", "sue@x.org", "Gym", "Nurse", "bbrown@x.org", "teacher", "now",
     "2026-09-18T10:00:00-05:00", "", ""},
};

static void load_main(fixture *f)
{
    IMPORT(f, HP_IMPORT_ROOMS, main_rooms, HP_ROOM_COLUMNS);
    IMPORT(f, HP_IMPORT_USERS, main_users, HP_USER_COLUMNS);
    IMPORT(f, HP_IMPORT_PASSES, main_passes_1, HP_PASS_COLUMNS);
    IMPORT(f, HP_IMPORT_PASSES, main_passes_2, HP_PASS_COLUMNS);
}

static void test_room_usage_counts(void **state)
{
    fixture *f = *state;
    load_main(f);
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);

    /* Every room, the ones with no passes too; every source and type counts; p6 is cancelled
     * and counts nowhere. */
    assert_int_equal(r->row_count, 6);
    check_room(r, "Room 10", "Wing 9", 2, 0);       /* p3, p5 */
    check_room(r, "Room 2", "Wing 10", 2, 0);       /* p1, p2 */
    check_room(r, "Library", "", 1, 2);             /* from p4; to p2, p5 */
    check_room(r, "Restroom B", "Restrooms", 0, 3); /* to p1, p3, p4 */
    check_room(r, "Nurse", "office", 0, 1);         /* p7 */
    check_room(r, "Gym", "Wing 10", 1, 0);          /* p7 */
    assert_int_equal(r->kind, HP_REPORT_ROOMS);
    assert_string_equal(r->school, "Maple Grove");
    hp_report_free(r);
}

static void test_staff_usage_counts(void **state)
{
    fixture *f = *state;
    load_main(f);
    hp_report *r = build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", NULL, NULL);

    /* Staff only: admins and teachers, also those with no passes; never students or kiosks.
     * Student and kiosk_login passes count for no one; the cancelled p6 neither. */
    assert_int_equal(r->row_count, 4);
    check_staff(r, "Tom Teacher", "teacher10@x.org", 2, 2, 0); /* p1 teacher, p3 kiosk_mode */
    check_staff(r, "Ann Admin", "principal@x.org", 1, 0, 1);   /* p2 scheduled */
    check_staff(r, "bea Brown", "bbrown@x.org", 1, 1, 0);      /* p7 */
    check_staff(r, "Zed Zero", "teacher9@x.org", 0, 0, 0);
    for (size_t i = 0; i < r->row_count; i++) {
        const char *email = r->rows[i].staff.email;
        if (strcmp(email, "sam@x.org") == 0 || strcmp(email, "sue@x.org") == 0 ||
            strcmp(email, "kiosk@x.org") == 0)
            fail_msg("%s is in Staff Usage", email);
    }
    hp_report_free(r);
}

static void test_empty_school_has_no_rows(void **state)
{
    fixture *f = *state;
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    assert_int_equal(r->row_count, 0);
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", NULL, NULL);
    assert_int_equal(r->row_count, 0);
    hp_report_free(r);
}

static void test_rows_with_no_passes_in_range(void **state)
{
    fixture *f = *state;
    load_main(f);
    /* A range with no passes: every room and staff member still there, all zero. */
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-10-01", "2026-10-31", NULL, NULL);
    assert_int_equal(r->row_count, 6);
    for (size_t i = 0; i < r->row_count; i++)
        assert_true(r->rows[i].room.passes_from == 0 && r->rows[i].room.passes_to == 0);
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, "2026-10-01", "2026-10-31", NULL, NULL);
    assert_int_equal(r->row_count, 4);
    for (size_t i = 0; i < r->row_count; i++)
        assert_true(r->rows[i].staff.total == 0 && r->rows[i].staff.now == 0 &&
                    r->rows[i].staff.scheduled == 0);
    hp_report_free(r);
}

static void test_default_sort(void **state)
{
    fixture *f = *state;
    load_main(f);
    /* Natural order by name, ascending: Room 2 before Room 10, "bea" among the Bs. */
    static const char *const rooms[] = {"Gym",        "Library", "Nurse",
                                        "Restroom B", "Room 2",  "Room 10"};
    static const char *const staff[] = {"Ann Admin", "bea Brown", "Tom Teacher", "Zed Zero"};
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    CHECK_ORDER(r, rooms, "rooms by default");
    assert_int_equal(r->sort_column, 0);
    assert_false(r->descending);
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", NULL, NULL);
    CHECK_ORDER(r, staff, "staff by default");
    assert_int_equal(r->sort_column, 0);
    assert_false(r->descending);
    hp_report_free(r);
}

typedef struct {
    const char *key;
    const char *order;
    const char *names[6];
} sort_case;

/* Counts (from, to): Room 10 (2,0), Room 2 (2,0), Library (1,2), Restroom B (0,3), Nurse
 * (0,1), Gym (1,0). Folders: Library "", Nurse "office", Restroom B "Restrooms", Room 10
 * "Wing 9", Room 2 and Gym "Wing 10". Ties go by name ascending in both directions. */
static const sort_case room_sorts[] = {
    {"room", "asc", {"Gym", "Library", "Nurse", "Restroom B", "Room 2", "Room 10"}},
    {"room", "desc", {"Room 10", "Room 2", "Restroom B", "Nurse", "Library", "Gym"}},
    {"folder", "asc", {"Library", "Nurse", "Restroom B", "Room 10", "Gym", "Room 2"}},
    {"folder", "desc", {"Gym", "Room 2", "Room 10", "Restroom B", "Nurse", "Library"}},
    {"from", "asc", {"Nurse", "Restroom B", "Gym", "Library", "Room 2", "Room 10"}},
    {"from", "desc", {"Room 2", "Room 10", "Gym", "Library", "Nurse", "Restroom B"}},
    {"to", "asc", {"Gym", "Room 2", "Room 10", "Nurse", "Library", "Restroom B"}},
    {"to", "desc", {"Restroom B", "Library", "Nurse", "Gym", "Room 2", "Room 10"}},
    {"from", NULL, {"Nurse", "Restroom B", "Gym", "Library", "Room 2", "Room 10"}},
    {NULL, "desc", {"Room 10", "Room 2", "Restroom B", "Nurse", "Library", "Gym"}},
};

/* (total, now, scheduled): Tom (2,2,0), Ann (1,0,1), bea (1,1,0), Zed (0,0,0). Emails: bea
 * bbrown@, Ann principal@, Zed teacher9@, Tom teacher10@. */
static const sort_case staff_sorts[] = {
    {"staff", "asc", {"Ann Admin", "bea Brown", "Tom Teacher", "Zed Zero"}},
    {"staff", "desc", {"Zed Zero", "Tom Teacher", "bea Brown", "Ann Admin"}},
    {"email", "asc", {"bea Brown", "Ann Admin", "Zed Zero", "Tom Teacher"}},
    {"email", "desc", {"Tom Teacher", "Zed Zero", "Ann Admin", "bea Brown"}},
    {"total", "asc", {"Zed Zero", "Ann Admin", "bea Brown", "Tom Teacher"}},
    {"total", "desc", {"Tom Teacher", "Ann Admin", "bea Brown", "Zed Zero"}},
    {"now", "asc", {"Ann Admin", "Zed Zero", "bea Brown", "Tom Teacher"}},
    {"now", "desc", {"Tom Teacher", "bea Brown", "Ann Admin", "Zed Zero"}},
    {"scheduled", "asc", {"bea Brown", "Tom Teacher", "Zed Zero", "Ann Admin"}},
    {"scheduled", "desc", {"Ann Admin", "bea Brown", "Tom Teacher", "Zed Zero"}},
};

static void run_sorts(fixture *f, hp_report_kind kind, const sort_case *cases, size_t count,
                      size_t rows)
{
    for (size_t i = 0; i < count; i++) {
        char what[64];
        snprintf(what, sizeof(what), "%s by %s %s", hp_report_kind_name(kind),
                 cases[i].key ? cases[i].key : "(default)",
                 cases[i].order ? cases[i].order : "(default)");
        hp_report *r = build(f, kind, "2026-09-01", "2026-09-30", cases[i].key, cases[i].order);
        check_order_by(r, 0, cases[i].names, rows, what);
        if (cases[i].key)
            assert_string_equal(r->columns[r->sort_column].key, cases[i].key);
        assert_int_equal(r->descending, cases[i].order && strcmp(cases[i].order, "desc") == 0);
        hp_report_free(r);
    }
}

static void test_room_sorts(void **state)
{
    fixture *f = *state;
    load_main(f);
    run_sorts(f, HP_REPORT_ROOMS, room_sorts, HP_ARRAY_SIZE(room_sorts), 6);
}

static void test_staff_sorts(void **state)
{
    fixture *f = *state;
    load_main(f);
    run_sorts(f, HP_REPORT_STAFF, staff_sorts, HP_ARRAY_SIZE(staff_sorts), 4);
}

static void test_ties_by_creation_order(void **state)
{
    fixture *f = *state;
    /* Two staff members with the very same name: their order is the order of creation,
     * whatever the direction. A third differs only in case, so bytes order it after. */
    static const char *const users[][HP_USER_COLUMNS] = {
        {"Pat Lee", "zeta@x.org", "teacher", "", ""},
        {"Pat Lee", "alpha@x.org", "admin", "", ""},
        {"pat lee", "mid@x.org", "teacher", "", ""},
    };
    IMPORT(f, HP_IMPORT_USERS, users, HP_USER_COLUMNS);
    static const char *const by_creation[] = {"zeta@x.org", "alpha@x.org", "mid@x.org"};
    static const char *const desc_name[] = {"mid@x.org", "zeta@x.org", "alpha@x.org"};
    static const char *const by_email[] = {"alpha@x.org", "mid@x.org", "zeta@x.org"};
    const struct {
        const char *sort, *order;
        const char *const *emails;
    } cases[] = {
        {"staff", "asc", by_creation},     {"staff", "desc", desc_name},
        {"total", "asc", by_creation},     {"total", "desc", by_creation},
        {"now", "desc", by_creation},      {"email", "asc", by_email},
        {"scheduled", "asc", by_creation},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++) {
        char what[64];
        snprintf(what, sizeof(what), "staff by %s %s", cases[i].sort, cases[i].order);
        hp_report *r =
            build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", cases[i].sort, cases[i].order);
        check_order_by(r, 1, cases[i].emails, 3, what);
        hp_report_free(r);
    }
}

static void test_sort_after_build(void **state)
{
    fixture *f = *state;
    load_main(f);
    /* hp_report_sort re-sorts a built report, as clicking a column title does. */
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    hp_report_sort(r, 3, true);
    static const char *const to_desc[] = {"Restroom B", "Library", "Nurse",
                                          "Gym",        "Room 2",  "Room 10"};
    CHECK_ORDER(r, to_desc, "rooms re-sorted by to desc");
    assert_int_equal(r->sort_column, 3);
    assert_true(r->descending);
    hp_report_free(r);
}

/* --- Ranges ------------------------------------------------------------------------------ */

static const char *const range_rooms[][HP_ROOM_COLUMNS] = {
    {"A", "", "", ""},
    {"B", "", "", ""},
};
static const char *const range_users[][HP_USER_COLUMNS] = {
    {"Teach", "t@x.org", "teacher", "", ""},
    {"Stu", "s@x.org", "student", "", ""},
};

#define RANGE_PASS(id, start)                                                                      \
    {                                                                                              \
        id, "s@x.org", "A", "B", "t@x.org", "teacher", "now", start, "", ""                        \
    }

/* Local dates in America/Chicago, worked out by hand. */
static const char *const range_passes[][HP_PASS_COLUMNS] = {
    RANGE_PASS("q1", "2026-08-31T23:59:59-05:00"), /* Aug 31 (Sep 1 in UTC) */
    RANGE_PASS("q2", "2026-09-01T00:00:00-05:00"), /* Sep 1, first second */
    RANGE_PASS("q3", "2026-09-30T23:59:59-05:00"), /* Sep 30, last second (Oct 1 in UTC) */
    RANGE_PASS("q4", "2026-10-01T00:00:00-05:00"), /* Oct 1 */
    RANGE_PASS("q5", "2026-09-01T04:30:00Z"),      /* Aug 31, 23:30 local */
    RANGE_PASS("q6", "2026-10-01T03:00:00+08:00"), /* Sep 30, 14:00 local */
    /* Around the fall-back change: Nov 1 has 25 hours, 05:00Z to 06:00Z on Nov 2. */
    RANGE_PASS("n0", "2026-10-31T23:59:59-05:00"), /* Oct 31 */
    RANGE_PASS("n1", "2026-11-01T00:00:00-05:00"), /* Nov 1, first second */
    RANGE_PASS("n2", "2026-11-01T01:30:00-05:00"), /* Nov 1, first 01:30 */
    RANGE_PASS("n3", "2026-11-01T01:30:00-06:00"), /* Nov 1, second 01:30 */
    RANGE_PASS("n4", "2026-11-01T23:59:59-06:00"), /* Nov 1, last second */
    RANGE_PASS("n5", "2026-11-02T00:00:00-06:00"), /* Nov 2 */
    /* Around the spring-forward change: Mar 8 has 23 hours, 06:00Z to 05:00Z on Mar 9. */
    RANGE_PASS("m0", "2026-03-07T23:59:59-06:00"), /* Mar 7 */
    RANGE_PASS("m1", "2026-03-08T00:00:00-06:00"), /* Mar 8, first second */
    RANGE_PASS("m2", "2026-03-08T23:59:59-05:00"), /* Mar 8, last second */
    RANGE_PASS("m3", "2026-03-09T00:00:00-05:00"), /* Mar 9 */
};

static void check_range(fixture *f, const char *from, const char *to, int64_t want)
{
    hp_report *r = build(f, HP_REPORT_ROOMS, from, to, NULL, NULL);
    const hp_report_row *a = find_row(r, "A"), *b = find_row(r, "B");
    if (a->room.passes_from != want || b->room.passes_to != want)
        fail_msg("%s..%s: %lld from A, %lld to B; expected %lld", from, to,
                 (long long)a->room.passes_from, (long long)b->room.passes_to, (long long)want);
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, from, to, NULL, NULL);
    const hp_report_row *t = find_row(r, "Teach");
    if (t->staff.total != want || t->staff.now != want)
        fail_msg("%s..%s: Teach has %lld now passes; expected %lld", from, to,
                 (long long)t->staff.now, (long long)want);
    hp_report_free(r);
}

static void test_range_inclusive_local_dates(void **state)
{
    fixture *f = *state;
    IMPORT(f, HP_IMPORT_ROOMS, range_rooms, HP_ROOM_COLUMNS);
    IMPORT(f, HP_IMPORT_USERS, range_users, HP_USER_COLUMNS);
    IMPORT(f, HP_IMPORT_PASSES, range_passes, HP_PASS_COLUMNS);

    check_range(f, "2026-09-01", "2026-09-30", 3); /* q2, q3, q6 */
    check_range(f, "2026-09-01", "2026-09-01", 1); /* q2 */
    check_range(f, "2026-09-30", "2026-09-30", 2); /* q3, q6 */
    check_range(f, "2026-08-31", "2026-08-31", 2); /* q1, q5 */
    check_range(f, "2026-10-01", "2026-10-01", 1); /* q4 */
    check_range(f, "2026-09-02", "2026-09-29", 0);
    check_range(f, "2026-08-31", "2026-10-01", 6);
    check_range(f, "2026-11-01", "2026-11-01", 4); /* n1..n4 */
    check_range(f, "2026-10-31", "2026-10-31", 1); /* n0; q4 is on Oct 1 */
    check_range(f, "2026-11-02", "2026-11-02", 1); /* n5 */
    check_range(f, "2026-03-08", "2026-03-08", 2); /* m1, m2 */
    check_range(f, "2026-03-07", "2026-03-07", 1); /* m0 */
    check_range(f, "2026-03-09", "2026-03-09", 1); /* m3 */
    check_range(f, "2026-01-01", "2026-12-31", 16);
}

static void test_default_range(void **state)
{
    fixture *f = *state;
    /* No range: the 30 days ending today in the school's zone. */
    hp_report *r = build(f, HP_REPORT_ROOMS, NULL, NULL, NULL, NULL);
    int32_t today = hp_tz_today(f->tz);
    assert_int_equal(r->to_day, today);
    assert_int_equal(r->from_day, today - 29);
    hp_report_free(r);
}

/* The default range never starts before 0001-01-01, the first date a query may name: the 30
 * days ending on a `to` near it are cut there, never answered with year 0. */
static void test_default_range_never_before_the_first_date(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *to;
        const char *from;
    } cases[] = {
        {"0001-01-01", "0001-01-01"}, {"0001-01-29", "0001-01-01"}, {"0001-01-30", "0001-01-01"},
        {"0001-01-31", "0001-01-02"}, {"0001-03-01", "0001-01-31"},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(cases); i++) {
        hp_report *r = build(f, HP_REPORT_ROOMS, NULL, cases[i].to, NULL, NULL);
        char from[HP_DATE_LEN], to[HP_DATE_LEN];
        hp_date_format(r->from_day, from);
        hp_date_format(r->to_day, to);
        if (strcmp(from, cases[i].from) != 0 || strcmp(to, cases[i].to) != 0)
            fail_msg("to %s: the range is %s..%s, expected %s..%s", cases[i].to, from, to,
                     cases[i].from, cases[i].to);
        char name[128];
        hp_report_filename(r, "csv", name, sizeof(name));
        assert_null(strstr(name, "0000-"));
        hp_report_free(r);
    }
}

static void check_bad_query(fixture *f, hp_report_kind kind, const char *from, const char *to,
                            const char *sort, const char *order, const char *parameter,
                            const char *value)
{
    hp_report *r = (hp_report *)f; /* Anything but NULL, to see it is cleared. */
    hp_report_query q = {from, to, sort, order, NULL, NULL};
    int rc = hp_report_build(&r, f->store, &f->school, f->tz, kind, &q);
    if (rc != HP_EINVALID)
        fail_msg("query %s..%s %s %s: rc %d, expected HP_EINVALID", from ? from : "-",
                 to ? to : "-", sort ? sort : "-", order ? order : "-", rc);
    assert_null(r);
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "%s: ", parameter);
    const char *msg = hp_error_last();
    if (strncmp(msg, prefix, strlen(prefix)) != 0 || strstr(msg, value) == NULL)
        fail_msg("message \"%s\" should start with \"%s\" and name \"%s\"", msg, prefix, value);
}

static void test_bad_query(void **state)
{
    fixture *f = *state;
    load_main(f);
    check_bad_query(f, HP_REPORT_ROOMS, "2026-02-30", "2026-03-31", NULL, NULL, "from",
                    "2026-02-30");
    check_bad_query(f, HP_REPORT_ROOMS, "2026-9-1", "2026-09-30", NULL, NULL, "from", "2026-9-1");
    check_bad_query(f, HP_REPORT_ROOMS, "2026-09-01", "30/09/2026", NULL, NULL, "to", "30/09/2026");
    check_bad_query(f, HP_REPORT_STAFF, "2026-09-01", "", NULL, NULL, "to", "\"\"");
    check_bad_query(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", "colour", NULL, "sort",
                    "colour");
    /* A key of the other report is not a column of this one. */
    check_bad_query(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", "room", NULL, "sort", "room");
    check_bad_query(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", "staff", NULL, "sort", "staff");
    check_bad_query(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", "", NULL, "sort", "\"\"");
    check_bad_query(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", "room", "up", "order", "up");
    check_bad_query(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", "now", "DESC ", "order",
                    "DESC ");
    /* from after to. */
    check_bad_query(f, HP_REPORT_ROOMS, "2026-09-30", "2026-09-01", NULL, NULL, "from",
                    "2026-09-30");
    check_bad_query(f, HP_REPORT_STAFF, "2026-09-02", "2026-09-01", NULL, NULL, "from",
                    "2026-09-02");
}

static void test_filename(void **state)
{
    fixture *f = *state;
    char name[128];
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    hp_report_filename(r, "csv", name, sizeof(name));
    assert_string_equal(name, "room-usage_2026-09-01_2026-09-30.csv");
    hp_report_filename(r, "xlsx", name, sizeof(name));
    assert_string_equal(name, "room-usage_2026-09-01_2026-09-30.xlsx");
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, "2026-02-28", "2026-03-01", "total", "desc");
    hp_report_filename(r, "xlsx", name, sizeof(name));
    assert_string_equal(name, "staff-usage_2026-02-28_2026-03-01.xlsx");
    hp_report_filename(r, "csv", name, sizeof(name));
    assert_string_equal(name, "staff-usage_2026-02-28_2026-03-01.csv");
    hp_report_free(r);
}

static void test_kind_words(void **state)
{
    (void)state;
    hp_report_kind kind;
    assert_int_equal(hp_report_kind_parse("rooms", &kind), HP_OK);
    assert_int_equal(kind, HP_REPORT_ROOMS);
    assert_int_equal(hp_report_kind_parse("staff", &kind), HP_OK);
    assert_int_equal(kind, HP_REPORT_STAFF);
    assert_int_equal(hp_report_kind_parse("users", &kind), HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "users"));
    assert_string_equal(hp_report_kind_name(HP_REPORT_ROOMS), "rooms");
    assert_string_equal(hp_report_kind_name(HP_REPORT_STAFF), "staff");
    assert_string_equal(hp_report_title(HP_REPORT_ROOMS), "Room Usage");
    assert_string_equal(hp_report_title(HP_REPORT_STAFF), "Staff Usage");
}

static void test_column_titles_and_keys(void **state)
{
    fixture *f = *state;
    static const char *const room_titles[] = {"Room", "Folder", "Passes From This Room",
                                              "Passes To This Room"};
    static const char *const room_keys[] = {"room", "folder", "from", "to"};
    static const char *const staff_titles[] = {"Staff", "Email", "Total Passes", "Now Passes",
                                               "Scheduled Passes"};
    static const char *const staff_keys[] = {"staff", "email", "total", "now", "scheduled"};
    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    assert_int_equal(r->column_count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(r->columns[i].title, room_titles[i]);
        assert_string_equal(r->columns[i].key, room_keys[i]);
        assert_int_equal(hp_report_column_numeric(&r->columns[i]), i >= 2);
    }
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", NULL, NULL);
    assert_int_equal(r->column_count, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(r->columns[i].title, staff_titles[i]);
        assert_string_equal(r->columns[i].key, staff_keys[i]);
        assert_int_equal(hp_report_column_numeric(&r->columns[i]), i >= 2);
    }
    hp_report_free(r);
}

static void test_schools_kept_apart(void **state)
{
    fixture *f = *state;
    load_main(f);
    /* A second school with a room and a teacher of the same names, and a pass with an id the
     * first school used already: each school sees only its own. */
    hp_school other = {0};
    other.name = g_strdup("Oak Ridge");
    other.timezone = g_strdup("America/Chicago");
    assert_int_equal(hp_store_school_create(f->store, other.name, other.timezone, &other.id),
                     HP_OK);
    static const char *const rooms[][HP_ROOM_COLUMNS] = {{"Room 2", "", "", ""},
                                                         {"Annex", "", "", ""}};
    static const char *const users[][HP_USER_COLUMNS] = {
        {"Tom Teacher", "teacher10@x.org", "teacher", "", ""},
        {"Oli Student", "oli@x.org", "student", "", ""},
    };
    static const char *const passes[][HP_PASS_COLUMNS] = {
        {"p1", "oli@x.org", "Room 2", "Annex", "teacher10@x.org", "teacher", "now",
         "2026-09-14T10:00:00-05:00", "", ""},
    };
    hp_import_stats st = import_rows(f, &other, HP_IMPORT_ROOMS, &rooms[0][0], HP_ROOM_COLUMNS, 2);
    assert_int_equal(st.added, 2);
    st = import_rows(f, &other, HP_IMPORT_USERS, &users[0][0], HP_USER_COLUMNS, 2);
    assert_int_equal(st.added, 2);
    st = import_rows(f, &other, HP_IMPORT_PASSES, &passes[0][0], HP_PASS_COLUMNS, 1);
    assert_int_equal(st.added, 1);

    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    assert_int_equal(r->row_count, 6);
    check_room(r, "Room 2", "Wing 10", 2, 0);
    hp_report_free(r);
    r = build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", NULL, NULL);
    assert_int_equal(r->row_count, 4);
    check_staff(r, "Tom Teacher", "teacher10@x.org", 2, 2, 0);
    hp_report_free(r);

    hp_report *o = NULL;
    hp_report_query q = {"2026-09-01", "2026-09-30", NULL, NULL, NULL, NULL};
    assert_int_equal(hp_report_build(&o, f->store, &other, f->tz, HP_REPORT_ROOMS, &q), HP_OK);
    assert_int_equal(o->row_count, 2);
    check_room(o, "Annex", "", 0, 1);
    check_room(o, "Room 2", "", 1, 0);
    hp_report_free(o);
    assert_int_equal(hp_report_build(&o, f->store, &other, f->tz, HP_REPORT_STAFF, &q), HP_OK);
    assert_int_equal(o->row_count, 1);
    check_staff(o, "Tom Teacher", "teacher10@x.org", 1, 1, 0);
    hp_report_free(o);
    hp_school_release(&other);
}

/* --- How a range reads the counters: quarters, months, weeks and days ------------------ */

static const char *span_period_name(hp_counter_period period)
{
    switch (period) {
    case HP_PERIOD_DAY:
        return "day";
    case HP_PERIOD_WEEK:
        return "week";
    case HP_PERIOD_MONTH:
        return "month";
    case HP_PERIOD_QUARTER:
        break;
    }
    return "quarter";
}

/* Spans written as the test expects them: "day 2026-09-10..2026-09-20", "week
 * 2026-09-14..2026-09-21" (the first and last Monday), "month 2026-09..2026-10" or "quarter
 * 2025-Q4..2026-Q1", joined by ", ". */
static void describe_spans(const hp_counter_span *spans, size_t count, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        char a[HP_DATE_LEN], b[HP_DATE_LEN], part[64];
        hp_counter_bucket_format(spans[i].period, spans[i].from, a);
        hp_counter_bucket_format(spans[i].period, spans[i].to, b);
        snprintf(part, sizeof(part), "%s %s..%s", span_period_name(spans[i].period), a, b);
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? ", " : "", part);
    }
}

static int32_t day_of(const char *date)
{
    int32_t day;
    if (hp_date_parse(date, &day) != HP_OK)
        fail_msg("%s: %s", date, hp_error_last());
    return day;
}

/* The first and last day a span covers. */
static void span_days(const hp_counter_span *span, int32_t *first, int32_t *last)
{
    switch (span->period) {
    case HP_PERIOD_DAY:
        *first = span->from, *last = span->to;
        return;
    case HP_PERIOD_WEEK:
        *first = span->from, *last = span->to + 6;
        return;
    case HP_PERIOD_MONTH:
        *first = hp_month_first_day(span->from), *last = hp_month_first_day(span->to + 1) - 1;
        return;
    case HP_PERIOD_QUARTER:
        *first = hp_month_first_day(span->from * HP_MONTHS_PER_QUARTER);
        *last = hp_month_first_day((span->to + 1) * HP_MONTHS_PER_QUARTER) - 1;
        return;
    }
}

static void check_split(const char *from, const char *to, const char *want)
{
    hp_counter_span spans[HP_COUNTER_SPANS_MAX];
    char got[512];
    size_t n = hp_counter_range_split(day_of(from), day_of(to), spans);
    describe_spans(spans, n, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("%s..%s reads [%s], expected [%s]", from, to, got, want);
    /* The spans cover the range, each day once, in order; weeks begin on a Monday. */
    int32_t next = day_of(from);
    for (size_t i = 0; i < n; i++) {
        int32_t first = 0, last = -1;
        span_days(&spans[i], &first, &last);
        if (spans[i].period == HP_PERIOD_WEEK)
            assert_int_equal(hp_day_week(first), first);
        assert_int_equal(first, next);
        assert_true(last >= first);
        next = last + 1;
    }
    assert_int_equal(next, day_of(to) + 1);
}

/* Ranges and how they read, worked out by hand (2026-09-14 and 2025-08-18 are Mondays). */
static const struct {
    const char *from, *to, *reads;
} split_cases[] = {
    /* Inside one month: days, and the whole week in it. */
    {"2026-09-10", "2026-09-20", "day 2026-09-10..2026-09-13, week 2026-09-14..2026-09-14"},
    {"2026-09-15", "2026-09-19", "day 2026-09-15..2026-09-19"},
    /* A single day, also the first or the last of its month. */
    {"2026-09-15", "2026-09-15", "day 2026-09-15..2026-09-15"},
    {"2026-09-01", "2026-09-01", "day 2026-09-01..2026-09-01"},
    {"2026-09-30", "2026-09-30", "day 2026-09-30..2026-09-30"},
    /* One whole week, Monday to Sunday. */
    {"2026-09-14", "2026-09-20", "week 2026-09-14..2026-09-14"},
    /* One whole month, and whole months only. */
    {"2026-09-01", "2026-09-30", "month 2026-09..2026-09"},
    {"2026-09-01", "2026-11-30", "month 2026-09..2026-11"},
    /* Starting on the 1st: the month, then the days and the week after it. */
    {"2026-09-01", "2026-10-15",
     "month 2026-09..2026-09, day 2026-10-01..2026-10-04, week 2026-10-05..2026-10-05, "
     "day 2026-10-12..2026-10-15"},
    /* Ending on the last day: the days and week before, then the month. Monday the 31st
     * stays a day: its week runs into the month. */
    {"2026-08-20", "2026-09-30",
     "day 2026-08-20..2026-08-23, week 2026-08-24..2026-08-24, day 2026-08-31..2026-08-31, "
     "month 2026-09..2026-09"},
    /* Both sides ragged, across two months with no whole month between: weeks may cross the
     * months' border. */
    {"2026-08-20", "2026-09-10",
     "day 2026-08-20..2026-08-23, week 2026-08-24..2026-08-31, day 2026-09-07..2026-09-10"},
    /* A school year: two weeks of August, September, two whole quarters, April and May, then
     * the days of June. */
    {"2025-08-18", "2026-06-05",
     "week 2025-08-18..2025-08-25, month 2025-09..2025-09, quarter 2025-Q4..2026-Q1, "
     "month 2026-04..2026-05, day 2026-06-01..2026-06-05"},
    {"2025-08-18", "2026-04-24",
     "week 2025-08-18..2025-08-25, month 2025-09..2025-09, quarter 2025-Q4..2026-Q1, "
     "day 2026-04-01..2026-04-05, week 2026-04-06..2026-04-13, day 2026-04-20..2026-04-24"},
    /* Whole quarters only, and a whole year. */
    {"2026-07-01", "2026-09-30", "quarter 2026-Q3..2026-Q3"},
    {"2026-01-01", "2026-12-31", "quarter 2026-Q1..2026-Q4"},
    {"2026-02-01", "2026-07-31",
     "month 2026-02..2026-03, quarter 2026-Q2..2026-Q2, month 2026-07..2026-07"},
    /* Crossing a year: every kind of span on both sides. */
    {"2025-12-15", "2026-02-10",
     "week 2025-12-15..2025-12-22, day 2025-12-29..2025-12-31, month 2026-01..2026-01, "
     "day 2026-02-01..2026-02-01, week 2026-02-02..2026-02-02, day 2026-02-09..2026-02-10"},
    {"2025-12-01", "2026-01-31", "month 2025-12..2026-01"},
    {"2025-12-31", "2026-01-01", "day 2025-12-31..2026-01-01"},
    /* February in a leap year ends on the 29th; on the 28th it is not whole. */
    {"2028-02-01", "2028-02-29", "month 2028-02..2028-02"},
    {"2028-02-01", "2028-02-28",
     "day 2028-02-01..2028-02-06, week 2028-02-07..2028-02-21, day 2028-02-28..2028-02-28"},
    {"2028-02-29", "2028-03-01", "day 2028-02-29..2028-03-01"},
    {"2028-01-15", "2028-03-01",
     "day 2028-01-15..2028-01-16, week 2028-01-17..2028-01-24, day 2028-01-31..2028-01-31, "
     "month 2028-02..2028-02, day 2028-03-01..2028-03-01"},
    /* And in a common year on the 28th. */
    {"2027-02-01", "2027-02-28", "month 2027-02..2027-02"},
    /* The first dates there are (0001-01-01 was a Monday). */
    {"0001-01-01", "0001-02-15",
     "month 0001-01..0001-01, day 0001-02-01..0001-02-04, week 0001-02-05..0001-02-05, "
     "day 0001-02-12..0001-02-15"},
};

/* The week of a day: its Monday, also before 1970 (day 0 was a Thursday). */
static void test_day_week(void **state)
{
    (void)state;
    assert_int_equal(hp_day_week(day_of("2026-09-14")), day_of("2026-09-14"));
    assert_int_equal(hp_day_week(day_of("2026-09-20")), day_of("2026-09-14"));
    assert_int_equal(hp_day_week(day_of("2026-09-21")), day_of("2026-09-21"));
    assert_int_equal(hp_day_week(day_of("1970-01-01")), day_of("1969-12-29"));
    assert_int_equal(hp_day_week(day_of("1969-12-28")), day_of("1969-12-22"));
    assert_int_equal(hp_day_week(day_of("0001-01-07")), day_of("0001-01-01"));
}

static void test_range_split(void **state)
{
    (void)state;
    for (size_t i = 0; i < HP_ARRAY_SIZE(split_cases); i++)
        check_split(split_cases[i].from, split_cases[i].to, split_cases[i].reads);

    /* An empty range reads nothing. */
    hp_counter_span spans[HP_COUNTER_SPANS_MAX];
    assert_int_equal(hp_counter_range_split(day_of("2026-09-02"), day_of("2026-09-01"), spans), 0);
}

/* The store reads what the split says: month counters for whole months, day counters for the
 * rest, and the report adds them up to what the passes give. */
static void test_range_reads_months(void **state)
{
    fixture *f = *state;
    IMPORT(f, HP_IMPORT_ROOMS, range_rooms, HP_ROOM_COLUMNS);
    IMPORT(f, HP_IMPORT_USERS, range_users, HP_USER_COLUMNS);
    IMPORT(f, HP_IMPORT_PASSES, range_passes, HP_PASS_COLUMNS);

    hp_room a;
    assert_int_equal(hp_store_room_find(f->store, f->school.id, "A", &a), HP_OK);
    hp_counter *counters;
    size_t n;
    assert_int_equal(hp_store_counts_range(f->store, f->school.id, HP_COUNTER_ROOM,
                                           day_of("2026-08-31"), day_of("2026-10-01"), &counters,
                                           &n),
                     HP_OK);
    /* A: Aug 31 (q1, q5) as a day, September (q2, q3, q6) as a month, Oct 1 (q4) as a day. */
    int64_t from_a = 0;
    size_t months = 0;
    for (size_t i = 0; i < n; i++) {
        if (counters[i].key.subject != a.id)
            continue;
        from_a += counters[i].room.from;
        assert_int_equal(counters[i].room.to, 0);
        if (counters[i].key.period == HP_PERIOD_MONTH) {
            months++;
            assert_int_equal(counters[i].key.bucket, hp_day_month(day_of("2026-09-01")));
            assert_int_equal(counters[i].room.from, 3);
        }
    }
    assert_int_equal(months, 1);
    assert_int_equal(from_a, 6);
    hp_counters_free(counters);
    hp_room_release(&a);
}

/* `hallpass check` on counters that a bug changed: it names the counter, its day, week, month or
 * quarter, and each value by its name, stored and recounted; right counters say nothing. */
static void test_check_names_counters_that_differ(void **state)
{
    fixture *f = *state;
    load_main(f);
    char *text = NULL;
    size_t len = 0;
    hp_check_stats stats;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(hp_school_check(f->store, &f->school, out, 10, &stats), HP_OK);
    fclose(out);
    assert_int_equal(stats.passes, 7);
    assert_int_equal(stats.mismatches, 0);
    assert_string_equal(text, "");
    free(text);

    /* One pass too many from Gym on Sep 18; for bea Brown one scheduled pass too few and one
     * kiosk now pass too many. */
    hp_room gym;
    hp_user bea;
    assert_int_equal(hp_store_room_find(f->store, f->school.id, "Gym", &gym), HP_OK);
    assert_int_equal(hp_store_user_find(f->store, f->school.id, "bbrown@x.org", &bea, NULL), HP_OK);
    hp_counter bad[] = {
        {.key = {HP_COUNTER_ROOM, HP_PERIOD_DAY, day_of("2026-09-18"), gym.id}, .room = {1, 0}},
        {.key = {HP_COUNTER_STAFF, HP_PERIOD_DAY, day_of("2026-09-18"), bea.id},
         .staff = {0, -1, 1}},
    };
    assert_int_equal(hp_store_counts_add(f->store, f->school.id, bad, HP_ARRAY_SIZE(bad)), HP_OK);
    out = open_memstream(&text, &len);
    assert_int_equal(hp_school_check(f->store, &f->school, out, 10, &stats), HP_OK);
    fclose(out);
    /* Each wrong day shows in its week (by its Monday), its month and its quarter too. */
    assert_int_equal(stats.mismatches, 8);
    static const char *const lines[] = {
        "room Gym, day 2026-09-18: stored 2 from and 0 to, the passes give 1 from and 0 to\n",
        "room Gym, week of 2026-09-14: stored 2 from and 0 to, the passes give 1 from and 0 to\n",
        "room Gym, month 2026-09: stored 2 from and 0 to, the passes give 1 from and 0 to\n",
        "room Gym, quarter 2026-Q3: stored 2 from and 0 to, the passes give 1 from and 0 to\n",
        "staff bbrown@x.org, day 2026-09-18: stored 1 now, -1 scheduled and 1 now from kiosks, "
        "the passes give 1 now, 0 scheduled and 0 now from kiosks\n",
        "staff bbrown@x.org, week of 2026-09-14: stored 1 now, -1 scheduled and 1 now from "
        "kiosks, the passes give 1 now, 0 scheduled and 0 now from kiosks\n",
        "staff bbrown@x.org, month 2026-09: stored 1 now, -1 scheduled and 1 now from kiosks, "
        "the passes give 1 now, 0 scheduled and 0 now from kiosks\n",
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(lines); i++)
        if (strstr(text, lines[i]) == NULL)
            fail_msg("no line \"%s\" in:\n%s", lines[i], text);
    free(text); /* open_memstream's buffer is libc's. */
    hp_room_release(&gym);
    hp_user_release(&bea);
}

/* The value of a day counter in a tally; 0 when it has none. */
static int64_t tallied(const hp_tally *t, hp_counter_kind kind, int64_t subject, int32_t day,
                       size_t value)
{
    size_t n;
    const hp_counter *c = hp_tally_counters(t, &n);
    for (size_t i = 0; i < n; i++)
        if (c[i].key.kind == kind && c[i].key.subject == subject && c[i].key.bucket == day)
            return c[i].values[value];
    return 0;
}

/* What one pass adds to the insights' counters, worked out by hand: a kiosk pass to room 7
 * that started Monday 2026-09-14 at 10:59:30 CDT (15:59:30Z) with a 10-minute limit. */
static void test_insight_counters_of_a_pass(void **state)
{
    fixture *f = *state;
    int32_t day = day_of("2026-09-14");
    int64_t start = 1789401570; /* 2026-09-14T15:59:30Z */
    hp_pass pass = {.student_id = 40,
                    .origin_id = 3,
                    .destination_id = 7,
                    .creator_id = 9,
                    .source = HP_SOURCE_KIOSK_LOGIN,
                    .type = HP_PASS_NOW,
                    .start = start,
                    .local_day = day,
                    .time_limit_minutes = 10,
                    .auto_end_at = start + 7200};
    hp_tally *t = hp_tally_new(f->tz);
    hp_tally_pass(t, &pass, 1);
    int week_hour = hp_counter_week_hour(1, 10); /* Monday, 10:00-10:59 */
    assert_int_equal(week_hour, 10);
    assert_int_equal(tallied(t, HP_COUNTER_SOURCE, HP_SOURCE_KIOSK_LOGIN, day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_SOURCE, HP_SOURCE_KIOSK_LOGIN, day, 1), 0);
    assert_int_equal(tallied(t, HP_COUNTER_STUDENT, 40, day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_HOUR, week_hour, day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_ROOM_HOUR, 7 * HP_WEEK_HOURS + 10, day, 0), 1);
    /* Not ended: nothing of its time out yet. */
    assert_int_equal(tallied(t, HP_COUNTER_DURATION, 7, day, 0), 0);
    /* Ended 12 min 59 s later: 12 whole minutes, 779 seconds, overtime. */
    pass.has_end = true;
    pass.end = start + 779;
    hp_tally_pass_ended(t, &pass, 1);
    assert_int_equal(tallied(t, HP_COUNTER_DURATION, 7, day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_DURATION, 7, day, 1), 779);
    assert_int_equal(tallied(t, HP_COUNTER_OVERTIME, 7, day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_MINUTES, hp_counter_room_minute(7, 12), day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_STUDENT, 40, day, 2), 12);
    assert_int_equal(tallied(t, HP_COUNTER_STUDENT, 40, day, 3), 1);
    /* An end written after the deadline counts as the deadline: 120 minutes. Taking the first
     * end back leaves only the second. */
    hp_tally_pass_ended(t, &pass, -1);
    pass.end = start + 9000;
    hp_tally_pass_ended(t, &pass, 1);
    assert_int_equal(tallied(t, HP_COUNTER_DURATION, 7, day, 1), 7200);
    assert_int_equal(tallied(t, HP_COUNTER_MINUTES, hp_counter_room_minute(7, 12), day, 0), 0);
    assert_int_equal(tallied(t, HP_COUNTER_MINUTES, hp_counter_room_minute(7, 120), day, 0), 1);
    hp_tally_free(t);
    /* A pass out 13 hours (no deadline before it) counts as 720 minutes in the histogram and
     * its whole minutes for the student. */
    t = hp_tally_new(f->tz);
    pass.auto_end_at = 0;
    pass.end = start + 13 * 3600;
    hp_tally_pass_ended(t, &pass, 1);
    assert_int_equal(tallied(t, HP_COUNTER_MINUTES, hp_counter_room_minute(7, 720), day, 0), 1);
    assert_int_equal(tallied(t, HP_COUNTER_STUDENT, 40, day, 2), 780);
    hp_tally_free(t);
    /* The subjects split back. */
    int64_t room;
    int value, weekday, hour;
    hp_counter_room_minute_split(hp_counter_room_minute(12345, 720), &room, &value);
    assert_int_equal(room, 12345);
    assert_int_equal(value, 720);
    hp_counter_room_hour_split(hp_counter_room_hour(12345, 167), &room, &value);
    assert_int_equal(room, 12345);
    assert_int_equal(value, 167);
    hp_counter_week_hour_split(167, &weekday, &hour);
    assert_int_equal(weekday, 7);
    assert_int_equal(hour, 23);
}

/* --- Comparison, the staff split and the folder benchmarks -------------------------------- */

static hp_report *build_compare(fixture *f, hp_report_kind kind, const char *from, const char *to,
                                const char *sort, const char *compare)
{
    hp_report *report = NULL;
    hp_report_query q = {from, to, sort, NULL, compare, NULL};
    if (hp_report_build(&report, f->store, &f->school, f->tz, kind, &q) != HP_OK)
        fail_msg("hp_report_build(%s, compare %s): %s", hp_report_kind_name(kind), compare,
                 hp_error_last());
    return report;
}

static void test_compare_ranges(void **state)
{
    (void)state;
    int32_t f, t;
    /* previous: as many days, ending the day before from; a month before a month of 30. */
    assert_int_equal(
        hp_report_compare_range("previous", day_of("2026-09-01"), day_of("2026-09-30"), &f, &t),
        HP_OK);
    assert_int_equal(f, day_of("2026-08-02"));
    assert_int_equal(t, day_of("2026-08-31"));
    assert_int_equal(
        hp_report_compare_range("previous", day_of("2026-03-09"), day_of("2026-03-09"), &f, &t),
        HP_OK);
    assert_true(f == day_of("2026-03-08") && t == day_of("2026-03-08"));
    /* Cut at the first date, like a default range. */
    assert_int_equal(
        hp_report_compare_range("previous", day_of("0001-01-03"), day_of("0001-01-10"), &f, &t),
        HP_OK);
    assert_true(f == day_of("0001-01-01") && t == day_of("0001-01-02"));
    assert_int_equal(hp_report_compare_range("2025-09-01..2025-09-30", day_of("2026-09-01"),
                                             day_of("2026-09-30"), &f, &t),
                     HP_OK);
    assert_true(f == day_of("2025-09-01") && t == day_of("2025-09-30"));
    /* A named range may be of any length, and may even overlap the report's. */
    assert_int_equal(hp_report_compare_range("2026-09-14..2026-09-14", day_of("2026-09-01"),
                                             day_of("2026-09-30"), &f, &t),
                     HP_OK);
    assert_true(f == day_of("2026-09-14") && t == day_of("2026-09-14"));

    static const char *const bad[][2] = {
        {"Previous", "\"Previous\" is not previous or FROM..TO"},
        {"", "\"\" is not previous or FROM..TO"},
        {"2026-09-01", "\"2026-09-01\" is not previous or FROM..TO"},
        {"2026-09-01..", "\"\" is not a date"},
        {"2026-02-30..2026-03-01", "\"2026-02-30\" is not a date"},
        {"2026-09-01..2026-9-30", "\"2026-9-30\" is not a date"},
        {"2026-09-30..2026-09-01", "2026-09-30 is after 2026-09-01"},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(bad); i++) {
        int rc =
            hp_report_compare_range(bad[i][0], day_of("2026-09-01"), day_of("2026-09-30"), &f, &t);
        assert_int_equal(rc, HP_EINVALID);
        const char *msg = hp_error_last();
        if (strncmp(msg, "compare: ", 9) != 0 || strstr(msg, bad[i][1]) == NULL)
            fail_msg("compare %s: \"%s\" should start compare: and say %s", bad[i][0], msg,
                     bad[i][1]);
    }
    assert_int_equal(
        hp_report_compare_range("previous", day_of("0001-01-01"), day_of("0001-01-05"), &f, &t),
        HP_EINVALID);
    assert_string_equal(hp_error_last(), "compare: no day comes before 0001-01-01 to compare with");
}

static void test_compare_adds_prev_columns(void **state)
{
    fixture *f = *state;
    load_main(f);
    /* Sep 17-18 against the two days before: p3 and p4 on the 16th, p2 on the 15th. */
    hp_report *r = build_compare(f, HP_REPORT_ROOMS, "2026-09-17", "2026-09-18", NULL, "previous");
    assert_true(r->compare);
    assert_int_equal(r->compare_from_day, day_of("2026-09-15"));
    assert_int_equal(r->compare_to_day, day_of("2026-09-16"));
    assert_int_equal(r->column_count, 6);
    assert_string_equal(r->columns[4].title, "Passes From This Room (previous)");
    assert_string_equal(r->columns[5].title, "Passes To This Room (previous)");
    const hp_report_row *lib = find_row(r, "Library");
    assert_int_equal(lib->room.passes_to, 1);        /* p5 */
    assert_int_equal(lib->room.prev_passes_from, 1); /* p4 */
    assert_int_equal(lib->room.prev_passes_to, 1);   /* p2 */
    const hp_report_row *rest = find_row(r, "Restroom B");
    assert_int_equal(rest->room.passes_to, 0);
    assert_int_equal(rest->room.prev_passes_to, 2); /* p3, p4: in the rows though out of range */
    hp_report_free(r);

    /* The prev_ columns sort like the others. */
    r = build_compare(f, HP_REPORT_STAFF, "2026-09-17", "2026-09-18", "prev_total", "previous");
    assert_int_equal(r->column_count, 8);
    assert_string_equal(r->columns[r->sort_column].key, "prev_total");
    assert_int_equal(r->row_count, 4);
    assert_string_equal(r->rows[3].name, "Tom Teacher"); /* p3 kiosk_mode: 1 */
    assert_int_equal(r->rows[3].staff.prev_now, 1);
    assert_int_equal(r->rows[3].staff.prev_now_kiosk, 1);
    assert_int_equal(r->rows[3].staff.prev_now_login, 0);
    assert_int_equal(r->rows[3].staff.now, 0);
    hp_report_free(r);

    /* Without compare the prev_ keys are no columns. */
    hp_report_query q = {"2026-09-17", "2026-09-18", "prev_from", NULL, NULL, NULL};
    assert_int_equal(hp_report_build(&r, f->store, &f->school, f->tz, HP_REPORT_ROOMS, &q),
                     HP_EINVALID);
    assert_non_null(strstr(hp_error_last(), "sort: \"prev_from\""));
}

static void test_staff_now_by_login_and_kiosk(void **state)
{
    fixture *f = *state;
    load_main(f);
    hp_report *r = build(f, HP_REPORT_STAFF, "2026-09-01", "2026-09-30", NULL, NULL);
    const hp_report_row *tom = find_row(r, "Tom Teacher");
    assert_int_equal(tom->staff.now_login, 1); /* p1 */
    assert_int_equal(tom->staff.now_kiosk, 1); /* p3 */
    const hp_report_row *bea = find_row(r, "bea Brown");
    assert_int_equal(bea->staff.now_login, 1);
    assert_int_equal(bea->staff.now_kiosk, 0);
    const hp_report_row *ann = find_row(r, "Ann Admin"); /* p2 is scheduled: neither */
    assert_int_equal(ann->staff.now_login + ann->staff.now_kiosk, 0);
    assert_int_equal(r->field_count, 2);
    assert_string_equal(r->fields[0].json_name, "now_login");
    assert_string_equal(r->fields[1].json_name, "now_kiosk");
    hp_report_free(r);
}

/* A folder of four rooms, a folder of two and a room with no folder. */
static void test_folder_benchmarks(void **state)
{
    fixture *f = *state;
    static const char *const rooms[][HP_ROOM_COLUMNS] = {
        {"A1", "Wing A", "", ""}, {"A2", "Wing A", "", ""}, {"A3", "Wing A", "", ""},
        {"A4", "Wing A", "", ""}, {"B1", "Wing B", "", ""}, {"B2", "Wing B", "", ""},
        {"Hall", "", "", ""},
    };
    static const char *const users[][HP_USER_COLUMNS] = {
        {"Sam Student", "sam@x.org", "student", "", ""},
    };
    IMPORT(f, HP_IMPORT_ROOMS, rooms, HP_ROOM_COLUMNS);
    IMPORT(f, HP_IMPORT_USERS, users, HP_USER_COLUMNS);
    static const struct {
        const char *origin;
        int count;
    } sent[] = {{"A1", 2}, {"A2", 6}, {"A3", 27}, {"A4", 34}, {"B1", 9}};
    hp_importer *imp;
    assert_int_equal(hp_importer_new(&imp, f->store, &f->school, f->tz, HP_IMPORT_PASSES), HP_OK);
    int n = 0;
    for (size_t i = 0; i < HP_ARRAY_SIZE(sent); i++)
        for (int k = 0; k < sent[i].count; k++) {
            char id[16];
            snprintf(id, sizeof(id), "b%d", n++);
            const char *row[] = {id,          "sam@x.org", sent[i].origin, "Hall",
                                 "sam@x.org", "student",   "now",          "2026-09-14T10:00:00Z",
                                 "",          ""};
            if (hp_importer_add(imp, row) != HP_OK)
                fail_msg("%s", hp_error_last());
        }
    assert_int_equal(hp_importer_finish(imp, NULL), HP_OK);
    hp_importer_free(imp);

    hp_report *r = build(f, HP_REPORT_ROOMS, "2026-09-01", "2026-09-30", NULL, NULL);
    /* Wing A from: 2, 6, 27, 34: median (6 + 27) / 2 = 16.5, so high above 33, low under
     * 8.25; to: all 0. A folder of two has no median. */
    static const struct {
        const char *room;
        int64_t median_from, median_to; /* halves */
        hp_folder_flag flag;
    } want[] = {
        {"A1", 33, 0, HP_FLAG_LOW},
        {"A2", 33, 0, HP_FLAG_LOW},
        {"A3", 33, 0, HP_FLAG_NONE},
        {"A4", 33, 0, HP_FLAG_HIGH},
        {"B1", HP_MEDIAN_NONE, HP_MEDIAN_NONE, HP_FLAG_NONE},
        {"B2", HP_MEDIAN_NONE, HP_MEDIAN_NONE, HP_FLAG_NONE},
        {"Hall", HP_MEDIAN_NONE, HP_MEDIAN_NONE, HP_FLAG_NONE},
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(want); i++) {
        const hp_report_row *row = find_row(r, want[i].room);
        if (row->room.folder_median_from != want[i].median_from ||
            row->room.folder_median_to != want[i].median_to || row->room.from_flag != want[i].flag)
            fail_msg("%s: medians %lld/%lld flag %d", want[i].room,
                     (long long)row->room.folder_median_from, (long long)row->room.folder_median_to,
                     (int)row->room.from_flag);
    }
    assert_int_equal(r->field_count, 3);
    hp_report_free(r);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_room_usage_counts),
        TEST(test_staff_usage_counts),
        TEST(test_empty_school_has_no_rows),
        TEST(test_rows_with_no_passes_in_range),
        TEST(test_default_sort),
        TEST(test_room_sorts),
        TEST(test_staff_sorts),
        TEST(test_ties_by_creation_order),
        TEST(test_sort_after_build),
        TEST(test_range_inclusive_local_dates),
        TEST(test_default_range),
        TEST(test_default_range_never_before_the_first_date),
        cmocka_unit_test(test_range_split),
        cmocka_unit_test(test_day_week),
        TEST(test_range_reads_months),
        TEST(test_check_names_counters_that_differ),
        TEST(test_insight_counters_of_a_pass),
        TEST(test_bad_query),
        TEST(test_filename),
        cmocka_unit_test(test_kind_words),
        cmocka_unit_test(test_compare_ranges),
        TEST(test_compare_adds_prev_columns),
        TEST(test_staff_now_by_login_and_kiosk),
        TEST(test_folder_benchmarks),
        TEST(test_column_titles_and_keys),
        TEST(test_schools_kept_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
