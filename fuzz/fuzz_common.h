/* What the fuzz targets share: a small school in a fresh in-memory store. */
#ifndef HP_FUZZ_COMMON_H
#define HP_FUZZ_COMMON_H

#include "core/model.h"
#include "core/tz.h"
#include "store/store.h"

typedef struct {
    hp_store *store;
    hp_school school;
    hp_tz *tz;
} fuzz_school;

/* Opens ":memory:" with a school in America/Chicago, rooms "Room 2", "room 10", "Library"
 * (limits 1 and 2), users admin@x.org, tom@x.org (teacher), sam@x.org and sue@x.org
 * (students) and kiosk@x.org in the Library, and a few passes. Aborts on failure: a fuzz
 * target that cannot set up has found nothing. */
void fuzz_school_open(fuzz_school *fs);
void fuzz_school_close(fuzz_school *fs);

/* A NUL-terminated copy of the input. */
char *fuzz_string(const unsigned char *data, size_t size);

#endif
