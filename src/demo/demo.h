/*
 * A demo school for trying hallpass: rooms in folders, staff, students, kiosks and a semester
 * of passes with school-day and hour-of-day patterns and every source and type. It is made
 * from a fixed seed through the same importer as CSV files, so it obeys every import rule.
 */
#ifndef HP_DEMO_DEMO_H
#define HP_DEMO_DEMO_H

#include "core/model.h"
#include "core/tz.h"
#include "store/store.h"

#define HP_DEMO_SCHOOL "Maple Grove High School"
#define HP_DEMO_TIMEZONE "America/Chicago"
#define HP_DEMO_PASSWORD "hallpass-demo"

typedef struct {
    size_t rooms;
    size_t staff;
    size_t students;
    size_t kiosks;
    size_t passes;
    int32_t first_day;
    int32_t last_day;
} hp_demo_summary;

/* The demo's sign-ins, each with HP_DEMO_PASSWORD. */
typedef struct {
    const char *role;
    const char *email;
} hp_demo_login;

extern const hp_demo_login hp_demo_logins[];
extern const size_t hp_demo_login_count;

/* Creates the demo school in the store and fills it (see hp_demo_populate). *school_out and
 * *tz_out belong to the caller (hp_school_release, hp_tz_free), also on failure. */
int hp_demo_create(hp_store *store, hp_school *school_out, hp_tz **tz_out,
                   hp_demo_summary *summary_out);

/* Fills an existing, empty school with the demo: the semester of school days ending at
 * `today`, generated from a fixed seed. */
int hp_demo_populate(hp_store *store, const hp_school *school, const hp_tz *tz, int32_t today,
                     hp_demo_summary *summary_out);

#endif
