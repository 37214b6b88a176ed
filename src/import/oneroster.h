/*
 * Reading a OneRoster 1.1 or 1.2 CSV bulk export (a folder, a .zip file, or a .zip held in
 * memory) into the people one school takes from it: which users are its admins, teachers and
 * students, with their names, emails, student IDs and home rooms, which users are left out and
 * why, and the rooms its classes meet in. Every check of the files' own contents is here; the
 * roster service (src/service/roster.c) matches the people with the store's users.
 *
 * A .zip is read through import/zip.h, in the module hallpass-zip.so (libzip).
 */
#ifndef HP_IMPORT_ONEROSTER_H
#define HP_IMPORT_ONEROSTER_H

#include "core/model.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Bytes of one CSV file of an export: a school of a few thousand students has a users.csv of
 * about a megabyte and an enrollments.csv of a few; a file past this is refused, which also
 * stops a small .zip that inflates without end. */
#define HP_ROSTER_FILE_MAX (64 * 1024 * 1024)

/* Where an error in an export is; any member may be NULL (or 0 for line) when the error is
 * not about one file, line, column or value. */
typedef struct {
    char *file;
    size_t line;
    char *column;
    char *value;
} hp_roster_error;

void hp_roster_error_release(hp_roster_error *err);

/* Fills err (releasing what it held) and sets the thread's message to
 * "FILE line LINE, column COLUMN: REASON" (the parts there are) with the code; returns it. */
int hp_roster_fail(hp_roster_error *err, int code, const char *file, size_t line,
                   const char *column, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* A user of the export that the school takes. */
typedef struct {
    char *source_id;  /* sourcedId. */
    size_t line;      /* Its line in users.csv. */
    char *name;       /* givenName familyName, cleaned as every name is. */
    char *email;      /* Checked; NULL only when deactivate is set (found by sourcedId). */
    char *student_id; /* identifier of a student, checked; NULL when empty or not a student. */
    hp_role role;
    bool deactivate; /* enabledUser false or status tobedeleted. */
    char *home_room; /* The location of a class they teach (the primary one first), or NULL. */
} hp_roster_person;

/* A user of the export that the school does not take, and why. */
typedef struct {
    char *file;
    size_t line;
    char *reason;
} hp_roster_left_out;

typedef struct {
    char *org;        /* The school's org: its sourcedId. */
    GArray *people;   /* hp_roster_person, in users.csv order. */
    GArray *left_out; /* hp_roster_left_out, in file order. */
    GPtrArray *rooms; /* The room names of the school's classes, each once, in file order. */
} hp_roster;

void hp_roster_release(hp_roster *roster);
void hp_roster_left_out_release(hp_roster_left_out *left_out);

/* Where the export is: a folder, or a .zip file (path), or a .zip in memory (data, len). */
typedef struct {
    const char *path;
    const void *data;
    size_t len;
} hp_roster_input;

/*
 * Reads the export. The school's org is the one whose sourcedId is org when org is given, else
 * the org of type school named school_name (ASCII case ignored). HP_EINVALID (or HP_ETOOBIG,
 * HP_EIO, HP_ENOTFOUND for a missing file) with err saying where.
 */
int hp_roster_read(hp_roster *out, const hp_roster_input *input, const char *school_name,
                   const char *org, hp_roster_error *err);

#endif
