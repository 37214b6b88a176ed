/* The fuzz targets' small school; see fuzz_common.h. */
#include "fuzz_common.h"

#include "core/error.h"
#include "import/import.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void must(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "fuzz setup: %s: %s\n", what, hp_error_last());
        abort();
    }
}

static void import_rows(fuzz_school *fs, hp_import_kind kind, const char *const *rows, size_t width,
                        size_t count)
{
    hp_importer *imp;
    must(hp_importer_new(&imp, fs->store, &fs->school, fs->tz, kind), "import");
    for (size_t i = 0; i < count; i++)
        must(hp_importer_add(imp, rows + i * width), "import row");
    must(hp_importer_finish(imp, NULL), "import finish");
    hp_importer_free(imp);
}

void fuzz_school_open(fuzz_school *fs)
{
    // clang-format off
    static const char *const rooms[] = {
        "Room 2",  "",        "", "",  "",  "",
        "room 10", "Science", "1", "", "5", "",
        "Library", "",        "", "2", "",  "false",
    };
    _Static_assert(HP_ROOM_COLUMNS == 6, "a value for each rooms.csv column");
    static const char *const users[] = {
        "Ann Admin",   "admin@x.org", "admin",   "",        "", "",    "",
        "Tom Teacher", "tom@x.org",   "teacher", "Room 2",  "", "",    "",
        "Sam Student", "sam@x.org",   "student", "",        "", "S-1", "3",
        "Sue Student", "sue@x.org",   "student", "",        "", "",    "",
        "Kim Kiosk",   "kiosk@x.org", "kiosk",   "Library", "", "",    "",
    };
    _Static_assert(HP_USER_COLUMNS == 7, "a value for each users.csv column");
    static const char *const passes[] = {
        "p1", "sam@x.org", "Room 2",  "Library", "tom@x.org", "teacher", "now",
        "2026-09-14T10:03:00-05:00", "2026-09-14T10:13:00-05:00", "",
        "p2", "sue@x.org", "room 10", "Room 2",  "sue@x.org", "student", "now",
        "2026-03-08T01:59:59-06:00", "", "",
    };
    _Static_assert(HP_PASS_COLUMNS == 10, "a value for each passes.csv column");
    // clang-format on
    memset(fs, 0, sizeof(*fs));
    must(hp_store_open(&fs->store, ":memory:", true), "open");
    must(hp_tz_new(&fs->tz, "America/Chicago"), "zone");
    must(hp_store_school_create(fs->store, "Fuzz High", "America/Chicago", &fs->school.id),
         "school");
    fs->school.name = g_strdup("Fuzz High");
    fs->school.timezone = g_strdup("America/Chicago");
    import_rows(fs, HP_IMPORT_ROOMS, rooms, HP_ROOM_COLUMNS, 3);
    import_rows(fs, HP_IMPORT_USERS, users, HP_USER_COLUMNS, 5);
    import_rows(fs, HP_IMPORT_PASSES, passes, HP_PASS_COLUMNS, 2);
}

void fuzz_school_close(fuzz_school *fs)
{
    hp_school_release(&fs->school);
    hp_tz_free(fs->tz);
    hp_store_free(fs->store);
}

char *fuzz_string(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}
