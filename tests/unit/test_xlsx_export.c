/*
 * XLSX export: the first sheet named after the report, the column
 * titles in bold in a frozen first row, an auto-filter over the table, counts as numbers and
 * names as text, never as formulas. The workbook is unpacked with unzip and its XML read.
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

/* A workbook written to a temporary directory and its XML parts. */
typedef struct {
    char dir[32];
    char path[64];
    char *workbook;
    char *sheet;
    char *strings;
    char *styles;
} workbook;

static char *read_member(const char *path, const char *member)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", path, member);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        fwrite(chunk, 1, n, out);
    fclose(out);
    int status = pclose(p);
    if (status != 0 || len == 0)
        fail_msg("unzip -p %s %s failed (status %d)", path, member, status);
    return buf;
}

static void workbook_write(workbook *wb, const hp_report *report)
{
    memset(wb, 0, sizeof(*wb));
    strcpy(wb->dir, "/tmp/hallpass-xlsx-XXXXXX");
    assert_non_null(mkdtemp(wb->dir));
    snprintf(wb->path, sizeof(wb->path), "%s/report.xlsx", wb->dir);
    if (hp_export_xlsx_file(report, wb->path) != HP_OK)
        fail_msg("hp_export_xlsx_file: %s", hp_error_last());
    wb->workbook = read_member(wb->path, "xl/workbook.xml");
    wb->sheet = read_member(wb->path, "xl/worksheets/sheet1.xml");
    wb->strings = read_member(wb->path, "xl/sharedStrings.xml");
    wb->styles = read_member(wb->path, "xl/styles.xml");
}

static void workbook_release(workbook *wb)
{
    free(wb->workbook);
    free(wb->sheet);
    free(wb->strings);
    free(wb->styles);
    remove_tree(wb->dir);
}

/* The value of attribute name in the tag that starts at tag, or NULL; in buf of size. */
static const char *attr(const char *tag, const char *name, char *buf, size_t size)
{
    const char *end = strchr(tag, '>');
    char key[64];
    snprintf(key, sizeof(key), " %s=\"", name);
    const char *p = strstr(tag, key);
    if (p == NULL || p > end)
        return NULL;
    p += strlen(key);
    const char *q = strchr(p, '"');
    size_t n = (size_t)(q - p) < size - 1 ? (size_t)(q - p) : size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* The n-th (from 0) element named `name` after start, or NULL. */
static const char *nth_element(const char *start, const char *name, int n)
{
    char open[64];
    snprintf(open, sizeof(open), "<%s", name);
    size_t len = strlen(open);
    const char *p = start;
    for (;;) {
        p = strstr(p, open);
        if (p == NULL)
            return NULL;
        if (p[len] == ' ' || p[len] == '>' || p[len] == '/') {
            if (n-- == 0)
                return p;
        }
        p += len;
    }
}

/* The cell element for ref (such as "C2"), from its "<c" to its end, copied; NULL if none. */
static char *cell(const workbook *wb, const char *ref)
{
    char key[32];
    snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
    const char *p = strstr(wb->sheet, key);
    if (p == NULL)
        return NULL;
    const char *gt = strchr(p, '>');
    const char *end = gt[-1] == '/' ? gt + 1 : strstr(p, "</c>") + 4;
    return strndup(p, (size_t)(end - p));
}

/* Decodes XML's five entities in place. */
static void xml_decode(char *s)
{
    static const struct {
        const char *entity;
        char c;
    } entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    char *w = s;
    for (const char *r = s; *r;) {
        size_t i;
        for (i = 0; i < 5; i++) {
            size_t n = strlen(entities[i].entity);
            if (strncmp(r, entities[i].entity, n) == 0) {
                *w++ = entities[i].c;
                r += n;
                break;
            }
        }
        if (i == 5)
            *w++ = *r++;
    }
    *w = '\0';
}

/* The n-th shared string, decoded; the caller frees it. */
static char *shared_string(const workbook *wb, int n)
{
    const char *si = nth_element(wb->strings, "si", n);
    if (si == NULL)
        fail_msg("no shared string %d", n);
    const char *t = strstr(si, "<t");
    const char *text = strchr(t, '>') + 1;
    const char *end = strstr(text, "</t>");
    char *s = strndup(text, (size_t)(end - text));
    xml_decode(s);
    return s;
}

/* Asserts ref is a text cell stored as a shared string holding want. */
static void check_text_cell(const workbook *wb, const char *ref, const char *want)
{
    char buf[32];
    char *c = cell(wb, ref);
    if (c == NULL)
        fail_msg("no cell %s", ref);
    const char *t = attr(c, "t", buf, sizeof(buf));
    if (t == NULL || strcmp(t, "s") != 0)
        fail_msg("cell %s is not a shared string: %s", ref, c);
    if (strstr(c, "<f>") || strstr(c, "<f "))
        fail_msg("cell %s holds a formula: %s", ref, c);
    const char *v = strstr(c, "<v>");
    assert_non_null(v);
    char *s = shared_string(wb, atoi(v + 3));
    if (strcmp(s, want) != 0)
        fail_msg("cell %s holds \"%s\", expected \"%s\"", ref, s, want);
    free(s);
    free(c);
}

/* Asserts ref is a number cell (no t attribute: not a string, not a formula result). */
static void check_number_cell(const workbook *wb, const char *ref, double want)
{
    char buf[32];
    char *c = cell(wb, ref);
    if (c == NULL)
        fail_msg("no cell %s", ref);
    if (attr(c, "t", buf, sizeof(buf)) != NULL)
        fail_msg("cell %s has a type, so is not a number: %s", ref, c);
    if (strstr(c, "<f>") || strstr(c, "<f "))
        fail_msg("cell %s holds a formula: %s", ref, c);
    const char *v = strstr(c, "<v>");
    if (v == NULL)
        fail_msg("cell %s has no value: %s", ref, c);
    if (strtod(v + 3, NULL) != want)
        fail_msg("cell %s holds %s, expected %g", ref, c, want);
    free(c);
}

/* Whether the cell's style uses a bold font, following cellXfs to fonts in styles.xml. */
static bool cell_is_bold(const workbook *wb, const char *ref)
{
    char buf[32];
    char *c = cell(wb, ref);
    if (c == NULL)
        fail_msg("no cell %s", ref);
    const char *s = attr(c, "s", buf, sizeof(buf));
    int xf_index = s ? atoi(s) : 0;
    free(c);
    const char *xfs = strstr(wb->styles, "<cellXfs");
    assert_non_null(xfs);
    const char *xf = nth_element(xfs, "xf", xf_index);
    assert_non_null(xf);
    const char *font_id = attr(xf, "fontId", buf, sizeof(buf));
    int font_index = font_id ? atoi(font_id) : 0;
    const char *fonts = strstr(wb->styles, "<fonts");
    assert_non_null(fonts);
    const char *font = nth_element(fonts, "font", font_index);
    assert_non_null(font);
    const char *end = strstr(font, "</font>");
    const char *b = strstr(font, "<b/>");
    return b != NULL && b < end;
}

static void check_first_sheet_name(const workbook *wb, const char *want)
{
    char buf[64];
    const char *sheet = nth_element(wb->workbook, "sheet", 0);
    assert_non_null(sheet);
    const char *name = attr(sheet, "name", buf, sizeof(buf));
    assert_non_null(name);
    assert_string_equal(name, want);
}

/* The title row frozen: a pane split below row 1, in the frozen state, no column split. */
static void check_frozen_title_row(const workbook *wb)
{
    char buf[32];
    const char *pane = nth_element(wb->sheet, "pane", 0);
    if (pane == NULL)
        fail_msg("no pane in the sheet view");
    assert_non_null(attr(pane, "ySplit", buf, sizeof(buf)));
    assert_string_equal(buf, "1");
    assert_non_null(attr(pane, "state", buf, sizeof(buf)));
    assert_string_equal(buf, "frozen");
    assert_null(attr(pane, "xSplit", buf, sizeof(buf)));
}

static void check_autofilter(const workbook *wb, const char *ref)
{
    char buf[32];
    const char *filter = nth_element(wb->sheet, "autoFilter", 0);
    if (filter == NULL)
        fail_msg("no autoFilter in the sheet");
    assert_non_null(attr(filter, "ref", buf, sizeof(buf)));
    assert_string_equal(buf, ref);
}

static void check_titles(const workbook *wb, const char *const *titles, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char ref[8];
        snprintf(ref, sizeof(ref), "%c1", (char)('A' + i));
        check_text_cell(wb, ref, titles[i]);
        if (!cell_is_bold(wb, ref))
            fail_msg("title %s is not bold", ref);
    }
}

static const char *const room_titles[] = {"Room", "Folder", "Passes From This Room",
                                          "Passes To This Room"};
static const char *const staff_titles[] = {"Staff", "Email", "Total Passes", "Now Passes",
                                           "Scheduled Passes"};

static void test_room_workbook(void **state)
{
    (void)state;
    const row_spec rows[] = {
        {{"Room 101", "Science"}, {12, 3, 0}},
        {{"=SUM(A1:A2)", "Wing"}, {0, 0, 0}},
        {{"R&D <Lab>", "\"Quotes\""}, {7, 1000000, 0}},
    };
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 3);
    workbook wb;
    workbook_write(&wb, report);

    check_first_sheet_name(&wb, "Room Usage");
    check_titles(&wb, room_titles, 4);
    check_frozen_title_row(&wb);
    check_autofilter(&wb, "A1:D4");
    /* The rows in the report's order, names as text, counts as numbers. */
    check_text_cell(&wb, "A2", "Room 101");
    check_text_cell(&wb, "B2", "Science");
    check_number_cell(&wb, "C2", 12);
    check_number_cell(&wb, "D2", 3);
    check_text_cell(&wb, "A3", "=SUM(A1:A2)");
    check_number_cell(&wb, "C3", 0);
    check_number_cell(&wb, "D3", 0);
    check_text_cell(&wb, "A4", "R&D <Lab>");
    check_text_cell(&wb, "B4", "\"Quotes\"");
    check_number_cell(&wb, "C4", 7);
    check_number_cell(&wb, "D4", 1000000);
    /* No formula anywhere: a name that starts with = is only text. */
    assert_null(strstr(wb.sheet, "<f>"));
    assert_null(strstr(wb.sheet, "<f "));
    assert_null(cell(&wb, "A5"));
    assert_null(cell(&wb, "E1"));

    workbook_release(&wb);
    hp_report_free(report);
}

static void test_staff_workbook(void **state)
{
    (void)state;
    const row_spec rows[] = {
        {{"Ann Lee", "alee@x.org"}, {9, 7, 2}},
        {{"Bo", "bo@x.org"}, {0, 0, 0}},
    };
    hp_report *report = make_report(HP_REPORT_STAFF, rows, 2);
    workbook wb;
    workbook_write(&wb, report);

    check_first_sheet_name(&wb, "Staff Usage");
    check_titles(&wb, staff_titles, 5);
    check_frozen_title_row(&wb);
    check_autofilter(&wb, "A1:E3");
    check_text_cell(&wb, "A2", "Ann Lee");
    check_text_cell(&wb, "B2", "alee@x.org");
    check_number_cell(&wb, "C2", 9);
    check_number_cell(&wb, "D2", 7);
    check_number_cell(&wb, "E2", 2);
    check_text_cell(&wb, "A3", "Bo");
    check_number_cell(&wb, "C3", 0);
    check_number_cell(&wb, "D3", 0);
    check_number_cell(&wb, "E3", 0);

    workbook_release(&wb);
    hp_report_free(report);
}

static void test_formula_like_names_stay_text(void **state)
{
    (void)state;
    /* Every start a spreadsheet might run, and names that look like numbers. */
    const row_spec rows[] = {
        {{"=1+1", "=A1"}, {1, 0, 0}}, {{"+1", "-1"}, {2, 0, 0}},    {{"@SUM(1)", ""}, {3, 0, 0}},
        {{"101", "007"}, {4, 0, 0}},  {{"1e3", "TRUE"}, {5, 0, 0}},
    };
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 5);
    workbook wb;
    workbook_write(&wb, report);

    check_text_cell(&wb, "A2", "=1+1");
    check_text_cell(&wb, "B2", "=A1");
    check_text_cell(&wb, "A3", "+1");
    check_text_cell(&wb, "B3", "-1");
    check_text_cell(&wb, "A4", "@SUM(1)");
    check_text_cell(&wb, "A5", "101");
    check_text_cell(&wb, "B5", "007");
    check_text_cell(&wb, "A6", "1e3");
    check_text_cell(&wb, "B6", "TRUE");
    for (int r = 2; r <= 6; r++) {
        char ref[8];
        snprintf(ref, sizeof(ref), "C%d", r);
        check_number_cell(&wb, ref, r - 1);
    }
    assert_null(strstr(wb.sheet, "<f>"));
    assert_null(strstr(wb.sheet, "<f "));

    workbook_release(&wb);
    hp_report_free(report);
}

static void test_empty_report(void **state)
{
    (void)state;
    hp_report *report = make_report(HP_REPORT_ROOMS, NULL, 0);
    workbook wb;
    workbook_write(&wb, report);

    check_first_sheet_name(&wb, "Room Usage");
    check_titles(&wb, room_titles, 4);
    check_frozen_title_row(&wb);
    check_autofilter(&wb, "A1:D1");
    assert_null(cell(&wb, "A2"));

    workbook_release(&wb);
    hp_report_free(report);
}

static void test_titles_only_are_bold(void **state)
{
    (void)state;
    const row_spec rows[] = {{{"Room 101", "Science"}, {12, 3, 0}}};
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 1);
    workbook wb;
    workbook_write(&wb, report);
    assert_true(cell_is_bold(&wb, "A1"));
    assert_false(cell_is_bold(&wb, "A2"));
    assert_false(cell_is_bold(&wb, "C2"));
    workbook_release(&wb);
    hp_report_free(report);
}

static void test_export_to_stream(void **state)
{
    (void)state;
    /* hp_export_xlsx writes the same archive to a stream: a zip that unzip reads whole. */
    const row_spec rows[] = {{{"Room 2", ""}, {1, 0, 0}}};
    hp_report *report = make_report(HP_REPORT_ROOMS, rows, 1);
    char dir[] = "/tmp/hallpass-xlsx-XXXXXX";
    char path[64], cmd[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/stream.xlsx", dir);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(hp_export(report, HP_FORMAT_XLSX, out), HP_OK);
    fclose(out);

    FILE *in = fopen(path, "rb");
    unsigned char magic[4] = {0};
    assert_int_equal(fread(magic, 1, 4, in), 4);
    fclose(in);
    assert_memory_equal(magic, "PK\x03\x04", 4);
    snprintf(cmd, sizeof(cmd), "unzip -tq '%s' >/dev/null", path);
    assert_int_equal(system(cmd), 0);
    char *sheet = read_member(path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<autoFilter ref=\"A1:D2\"/>"));
    free(sheet);

    remove_tree(dir);
    hp_report_free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_room_workbook),
        cmocka_unit_test(test_staff_workbook),
        cmocka_unit_test(test_formula_like_names_stay_text),
        cmocka_unit_test(test_empty_report),
        cmocka_unit_test(test_titles_only_are_bold),
        cmocka_unit_test(test_export_to_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
