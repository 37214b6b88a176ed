/* Shared unit-test fixtures; see fixture.h. */
#include "fixture.h"

#include "core/error.h"

#include <dirent.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (hp_store_open(&f->store, ":memory:", true) != HP_OK ||
        hp_tz_new(&f->tz, "America/Chicago") != HP_OK)
        return -1;
    f->school.name = strdup("Maple Grove");
    f->school.timezone = strdup("America/Chicago");
    if (hp_store_school_create(f->store, f->school.name, f->school.timezone, &f->school.id) !=
        HP_OK)
        return -1;
    *state = f;
    return 0;
}

int fixture_teardown(void **state)
{
    fixture *f = *state;
    hp_store_free(f->store);
    hp_tz_free(f->tz);
    hp_school_release(&f->school);
    free(f);
    return 0;
}

hp_report *make_report(hp_report_kind kind, const row_spec *rows, size_t count)
{
    fixture *f;
    hp_report *report = NULL;
    hp_report_query query = {.from = "2026-09-01", .to = "2026-09-30"};

    assert_int_equal(fixture_setup((void **)&f), 0);
    if (hp_report_build(&report, f->store, &f->school, f->tz, kind, &query) != HP_OK)
        fail_msg("hp_report_build: %s", hp_error_last());
    assert_int_equal(report->row_count, 0);
    fixture_teardown((void **)&f);

    g_free(report->rows);
    report->rows = g_new0(hp_report_row, count ? count : 1);
    for (size_t i = 0; i < count; i++) {
        hp_report_row *row = &report->rows[i];
        row->id = (int64_t)i + 1;
        row->name = g_strdup(rows[i].text[0]);
        if (kind == HP_REPORT_ROOMS) {
            row->room.folder = g_strdup(rows[i].text[1]);
            row->room.passes_from = rows[i].num[0];
            row->room.passes_to = rows[i].num[1];
        } else {
            row->staff.email = g_strdup(rows[i].text[1]);
            row->staff.total = rows[i].num[0];
            row->staff.now = rows[i].num[1];
            row->staff.scheduled = rows[i].num[2];
        }
    }
    report->row_count = count;
    return report;
}

void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}
