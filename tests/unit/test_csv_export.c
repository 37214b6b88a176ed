/*
 * CSV export: UTF-8 with a byte-order mark, CRLF line ends,
 * RFC 4180 quoting, the column titles on the first line, a `'` before a text cell
 * that a spreadsheet could run as a formula, and counts as plain numbers. Reports are built
 * for an empty school (so the columns are the real ones) and then given hand-made rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "fixture.h"
#include "export/export.h"
#include "report/report.h"
#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOM "\xEF\xBB\xBF"
#define ROOM_HEADER "Room,Folder,Passes From This Room,Passes To This Room\r\n"
#define STAFF_HEADER "Staff,Email,Total Passes,Now Passes,Scheduled Passes\r\n"

/* Output captured in memory. */
typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} capture;

static void capture_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

static void capture_close(capture *c)
{
    fclose(c->f);
    c->f = NULL;
}

static void capture_release(capture *c)
{
    free(c->buf);
    c->buf = NULL;
}

static void check_cell(const char *text, const char *want)
{
    capture c;
    capture_open(&c);
    int rc = hp_csv_write_text(c.f, text);
    capture_close(&c);
    assert_int_equal(rc, HP_OK);
    if (c.len != strlen(want) || memcmp(c.buf, want, c.len) != 0)
        fail_msg("cell for [%s] is [%s], expected [%s]", text, c.buf, want);
    capture_release(&c);
}

static void check_csv(const hp_report *report, const char *want)
{
    capture c;
    capture_open(&c);
    int rc = hp_export_csv(report, c.f);
    capture_close(&c);
    if (rc != HP_OK)
        fail_msg("hp_export_csv: %s", hp_error_last());
    if (c.len != strlen(want) || memcmp(c.buf, want, c.len) != 0)
        fail_msg("CSV is\n[%s]\nexpected\n[%s]", c.buf, want);
    capture_release(&c);
}

static void test_plain_cells(void **state)
{
    (void)state;
    check_cell("Room 101", "Room 101");
    check_cell("", "");
    check_cell("Caf\xc3\xa9 \xe6\x97\xa5", "Caf\xc3\xa9 \xe6\x97\xa5"); /* UTF-8 as is */
    check_cell("it's", "it's");
    check_cell("a;b|c", "a;b|c");
}

static void test_quoting(void **state)
{
    (void)state;
    check_cell("Gym, North", "\"Gym, North\"");
    check_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
    check_cell("\"", "\"\"\"\"");
    check_cell("line 1\nline 2", "\"line 1\nline 2\"");
    check_cell("line 1\r\nline 2", "\"line 1\r\nline 2\"");
    check_cell("end\r", "\"end\r\"");
    check_cell(",", "\",\"");
}

static void test_formula_guard(void **state)
{
    (void)state;
    check_cell("=SUM(A1:A9)", "'=SUM(A1:A9)");
    check_cell("+1 555 0100", "'+1 555 0100");
    check_cell("-3", "'-3");
    check_cell("-", "'-");
    check_cell("@cmd", "'@cmd");
    check_cell("\tTabbed", "'\tTabbed");
    /* A carriage return needs quoting too: the guard goes inside the quotes. */
    check_cell("\rcmd", "\"'\rcmd\"");
}

static void test_no_guard_for_other_text(void **state)
{
    (void)state;
    check_cell("a=b", "a=b");
    check_cell("Room -1", "Room -1");
    check_cell(" =1", " =1");
    check_cell("'quoted", "'quoted");
    check_cell("#1", "#1");
    check_cell("%", "%");
    check_cell("1+1", "1+1");
    check_cell("x@y.org", "x@y.org");
    check_cell("\n=1", "\"\n=1\"");
}

static void test_guard_with_quoting(void **state)
{
    (void)state;
    check_cell("=1,2", "\"'=1,2\"");
    check_cell("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
    check_cell("-a\nb", "\"'-a\nb\"");
    check_cell("@\"", "\"'@\"\"\"");
}

static void test_room_report(void **state)
{
    (void)state;
    /* Rows in the order given, which is the order on screen, sorted or not. */
    const row_spec rows[] = {
        {{"Room 101", "Science"}, {12, 3, 0}},
        {{"=cmd", ""}, {0, 0, 0}},
        {{"Gym, North", "Say \"hi\""}, {7, 1234567890123, 0}},
        {{"Library", "Two\nlines"}, {1, 2, 0}},
        {{"-Annex", "@home"}, {0, 5, 0}},
    };
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 5);
    check_csv(report, BOM ROOM_HEADER "Room 101,Science,12,3\r\n"
                                      "'=cmd,,0,0\r\n"
                                      "\"Gym, North\",\"Say \"\"hi\"\"\",7,1234567890123\r\n"
                                      "Library,\"Two\nlines\",1,2\r\n"
                                      "'-Annex,'@home,0,5\r\n");
    hp_report_free(report);
}

static void test_staff_report(void **state)
{
    (void)state;
    const row_spec rows[] = {
        {{"Ann Lee", "alee@x.org"}, {9, 7, 2}},
        {{"+Bob", "bob@x.org"}, {0, 0, 0}},
        {{"Lee, Cy", "cy@x.org"}, {100, 0, 100}},
    };
    hp_report *report = make_report(HP_REPORT_STAFF, rows, 3);
    check_csv(report, BOM STAFF_HEADER "Ann Lee,alee@x.org,9,7,2\r\n"
                                       "'+Bob,bob@x.org,0,0,0\r\n"
                                       "\"Lee, Cy\",cy@x.org,100,0,100\r\n");
    hp_report_free(report);
}

static void test_empty_reports(void **state)
{
    (void)state;
    hp_report *report = make_report(HP_REPORT_ROOMS, NULL, 0);
    check_csv(report, BOM ROOM_HEADER);
    hp_report_free(report);
    report = make_report(HP_REPORT_STAFF, NULL, 0);
    check_csv(report, BOM STAFF_HEADER);
    hp_report_free(report);
}

static void test_through_hp_export(void **state)
{
    (void)state;
    const row_spec rows[] = {{{"Room 2", ""}, {1, 0, 0}}};
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 1);
    hp_format format;
    capture c;

    assert_int_equal(hp_format_parse("csv", &format), HP_OK);
    assert_string_equal(hp_format_extension(format), "csv");
    capture_open(&c);
    assert_int_equal(hp_export(report, format, c.f), HP_OK);
    capture_close(&c);
    assert_string_equal(c.buf, BOM ROOM_HEADER "Room 2,,1,0\r\n");
    capture_release(&c);
    hp_report_free(report);
}

static void test_write_error(void **state)
{
    (void)state;
    /* A stream that takes no writes: the export says so rather than succeed. */
    const row_spec rows[] = {{{"Room 2", ""}, {1, 0, 0}}};
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 1);
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL) {
        hp_report_free(report);
        skip();
    }
    assert_int_equal(hp_export_csv(report, full), HP_EIO);
    fclose(full);
    hp_report_free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_cells),        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_formula_guard),      cmocka_unit_test(test_no_guard_for_other_text),
        cmocka_unit_test(test_guard_with_quoting), cmocka_unit_test(test_room_report),
        cmocka_unit_test(test_staff_report),       cmocka_unit_test(test_empty_reports),
        cmocka_unit_test(test_through_hp_export),  cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
