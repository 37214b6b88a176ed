/* What the unit tests share: a school in a fresh in-memory store, hand-made reports, and
 * removal of temporary folders. */
#ifndef HP_TEST_FIXTURE_H
#define HP_TEST_FIXTURE_H

#include "core/tz.h"
#include "report/report.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* A school, "Maple Grove" in America/Chicago, in an in-memory SQLite store. */
typedef struct {
    hp_store *store;
    hp_school school;
    hp_tz *tz;
} fixture;

/* cmocka setup and teardown: *state is a fixture. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* One row of a hand-made report, its cells in the order of the report's columns: the name,
 * the folder or email, then the counts (rooms: from, to; staff: total, now, scheduled). */
typedef struct {
    const char *text[2];
    int64_t num[3];
} row_spec;

/* A report of the kind as an empty school's over September 2026 (so its columns, title and
 * range are the real ones), holding the rows given. */
hp_report *make_report(hp_report_kind kind, const row_spec *rows, size_t count);

/* Removes a folder and the files in it. */
void remove_tree(const char *dir);

#endif
