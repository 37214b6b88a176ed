/*
 * A OneRoster CSV bulk export read into the people of one school. The files are read in the
 * order their references need: orgs.csv (which org is the school), roles.csv (1.2: each
 * user's roles per org), classes.csv (the school's classes and their locations),
 * enrollments.csv (who teaches which class), then users.csv. Columns are found by their header
 * name, ASCII case ignored; columns we do not read are ignored, since the standard lets a
 * vendor add its own. Each CSV file goes through the project's CSV reader; a .zip member is
 * inflated into memory (at most HP_ROSTER_FILE_MAX bytes) and read from there.
 */
#include "import/oneroster.h"

#include "core/error.h"
#include "core/module.h"
#include "core/util.h"
#include "import/csv_reader.h"
#include "import/zip.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void hp_roster_error_release(hp_roster_error *err)
{
    g_free(err->file);
    g_free(err->column);
    g_free(err->value);
    *err = (hp_roster_error){0};
}

int hp_roster_fail(hp_roster_error *err, int code, const char *file, size_t line,
                   const char *column, const char *value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    GString *where = g_string_new(file ? file : "");
    if (line)
        g_string_append_printf(where, "%sline %zu", where->len ? " " : "", line);
    if (column)
        g_string_append_printf(where, "%scolumn %s", where->len ? ", " : "", column);
    hp_error_set(code, "%s%s%s", where->str, where->len ? ": " : "", reason);
    g_string_free(where, TRUE);
    g_free(reason);
    hp_roster_error_release(err);
    err->file = g_strdup(file);
    err->line = line;
    err->column = g_strdup(column);
    err->value = g_strdup(value);
    return code;
}

void hp_roster_left_out_release(hp_roster_left_out *left_out)
{
    g_free(left_out->file);
    g_free(left_out->reason);
}

static void person_release(hp_roster_person *p)
{
    g_free(p->source_id);
    g_free(p->name);
    g_free(p->email);
    g_free(p->student_id);
    g_free(p->home_room);
}

static void person_clear(gpointer p)
{
    person_release(p);
}

static void left_out_clear(gpointer p)
{
    hp_roster_left_out_release(p);
}

void hp_roster_release(hp_roster *roster)
{
    g_free(roster->org);
    if (roster->people)
        g_array_free(roster->people, TRUE);
    if (roster->left_out)
        g_array_free(roster->left_out, TRUE);
    if (roster->rooms)
        g_ptr_array_free(roster->rooms, TRUE);
    *roster = (hp_roster){0};
}

/* ---- The export's files: a folder or a .zip ---- */

typedef struct {
    const char *folder; /* A folder's path, or NULL for a .zip. */
    const hp_zip_ops *zip_ops;
    hp_zip zip;
} export_files;

/* The .zip reader is linked in where its object is (the unit tests and the fuzz targets); in
 * the hallpass binary it is the module hallpass-zip.so, loaded for the first .zip read. */
extern const hp_zip_ops *hp_zip_reader(void) __attribute__((weak));

static int zip_ops_find(const hp_zip_ops **out, hp_roster_error *err)
{
    hp_zip_reader_fn reader = hp_zip_reader;
    if (reader == NULL) {
        void *sym;
        if (hp_module_symbol(HP_MODULE_ZIP, "a .zip roster", HP_ZIP_READER_SYMBOL, &sym) < 0)
            return hp_roster_fail(err, HP_ERROR, NULL, 0, NULL, NULL, "%s", hp_error_last());
        reader = (hp_zip_reader_fn)sym;
    }
    *out = reader();
    return HP_OK;
}

static int export_open(export_files *ex, const hp_roster_input *in, hp_roster_error *err)
{
    *ex = (export_files){0};
    if (in->path) {
        struct stat sb;
        if (stat(in->path, &sb) != 0)
            return hp_roster_fail(err, HP_EIO, NULL, 0, NULL, NULL, "%s: %s", in->path,
                                  strerror(errno));
        if (S_ISDIR(sb.st_mode)) {
            ex->folder = in->path;
            return HP_OK;
        }
    }
    int rc = zip_ops_find(&ex->zip_ops, err);
    if (rc < 0)
        return rc;
    char *why;
    if (ex->zip_ops->open(&ex->zip, in->path, in->data, in->len, &why) == HP_OK)
        return HP_OK;
    if (in->path)
        hp_roster_fail(err, HP_EINVALID, NULL, 0, NULL, NULL,
                       "%s: not a folder or a .zip file (%s)", in->path, why);
    else
        hp_roster_fail(err, HP_EINVALID, NULL, 0, NULL, NULL, "the upload is not a .zip file (%s)",
                       why);
    g_free(why);
    ex->zip_ops = NULL;
    return HP_EINVALID;
}

static void export_close(export_files *ex)
{
    if (ex->zip_ops)
        ex->zip_ops->release(&ex->zip);
}

/* The index of the .zip member named name (ASCII case ignored) at the top or in a folder of
 * the archive; -1 when there is none. Two candidates are an error: which one is meant? */
static int zip_member(export_files *ex, const char *name, gssize *index, hp_roster_error *err)
{
    const char *found = NULL;
    *index = -1;
    for (guint i = 0; i < ex->zip.names->len; i++) {
        const char *member = g_ptr_array_index(ex->zip.names, i);
        if (member[0] == '\0' || g_str_has_prefix(member, "__MACOSX/"))
            continue;
        const char *slash = strrchr(member, '/');
        if (g_ascii_strcasecmp(slash ? slash + 1 : member, name) != 0)
            continue;
        if (found)
            return hp_roster_fail(err, HP_EINVALID, name, 0, NULL, NULL,
                                  "the .zip holds two such files (%s and %s)", found, member);
        found = member;
        *index = i;
    }
    return HP_OK;
}

static int zip_inflate(export_files *ex, gssize index, const char *name, GByteArray *bytes,
                       hp_roster_error *err)
{
    char *why;
    int rc = ex->zip_ops->inflate(&ex->zip, (size_t)index, HP_ROSTER_FILE_MAX, bytes, &why);
    if (rc < 0)
        hp_roster_fail(err, rc, name, 0, NULL, NULL, "%s", why);
    g_free(why);
    return rc;
}

/* Opens one file of the export. *out is NULL when an optional file is missing; *bytes holds a
 * .zip member's contents while *out reads them (g_byte_array_free it after fclose). */
static int export_file(export_files *ex, const char *name, bool required, FILE **out,
                       GByteArray **bytes, hp_roster_error *err)
{
    *out = NULL;
    *bytes = NULL;
    if (ex->folder) {
        char *path = g_build_filename(ex->folder, name, NULL);
        *out = fopen(path, "rb");
        int saved = errno;
        g_free(path);
        if (*out || (saved == ENOENT && !required))
            return HP_OK;
        return hp_roster_fail(err, saved == ENOENT ? HP_ENOTFOUND : HP_EIO, name, 0, NULL, NULL,
                              "%s",
                              saved == ENOENT ? "the export has no such file" : strerror(saved));
    }
    gssize index;
    int rc = zip_member(ex, name, &index, err);
    if (rc < 0)
        return rc;
    if (index < 0)
        return required ? hp_roster_fail(err, HP_ENOTFOUND, name, 0, NULL, NULL,
                                         "the .zip has no such file")
                        : HP_OK;
    *bytes = g_byte_array_new();
    if ((rc = zip_inflate(ex, index, name, *bytes, err)) == HP_OK && (*bytes)->len == 0)
        rc = hp_roster_fail(err, HP_EINVALID, name, 1, NULL, NULL,
                            "the file is empty; the first line names the columns");
    if (rc == HP_OK && (*out = fmemopen((*bytes)->data, (*bytes)->len, "rb")) == NULL)
        rc = hp_roster_fail(err, HP_EIO, name, 0, NULL, NULL, "%s", strerror(errno));
    if (rc < 0) {
        g_byte_array_free(*bytes, TRUE);
        *bytes = NULL;
    }
    return rc;
}

/* ---- One CSV file, its columns by header name ---- */

/* The most columns one file's reading asks for. */
#define TABLE_COLUMNS_MAX 12

typedef int (*row_fn)(void *ctx, size_t line, char **values);

typedef struct {
    const char *file;
    const char *const *columns; /* The columns read; the others are ignored. */
    const bool *required;
    size_t column_count;
    row_fn row;
    void *ctx;
    hp_roster_error *err;
    /* Filled as the file is read. */
    int field_of[TABLE_COLUMNS_MAX]; /* Column -> its field in a record, or -1. */
    size_t field_count;
    bool have_header;
    char *message; /* The row's own error message, kept from the CSV reader's prefix. */
} table;

/* Trims a field in place, as every name is trimmed. */
static void trim_in_place(char *field)
{
    size_t n;
    const char *start = hp_name_trim(field, &n);
    memmove(field, start, n);
    field[n] = '\0';
}

static int table_header(table *t, char **fields, size_t count)
{
    for (size_t c = 0; c < t->column_count; c++)
        t->field_of[c] = -1;
    for (size_t i = 0; i < count; i++) {
        trim_in_place(fields[i]);
        for (size_t c = 0; c < t->column_count; c++) {
            if (g_ascii_strcasecmp(fields[i], t->columns[c]) != 0)
                continue;
            if (t->field_of[c] >= 0)
                return hp_roster_fail(t->err, HP_EINVALID, t->file, 1, t->columns[c], NULL,
                                      "the column appears twice");
            t->field_of[c] = (int)i;
        }
    }
    for (size_t c = 0; c < t->column_count; c++)
        if (t->required[c] && t->field_of[c] < 0)
            return hp_roster_fail(t->err, HP_EINVALID, t->file, 1, t->columns[c], NULL,
                                  "the header has no such column");
    t->field_count = count;
    t->have_header = true;
    return HP_OK;
}

static int table_record(void *data, size_t line, char **fields, size_t count)
{
    table *t = data;
    char *values[TABLE_COLUMNS_MAX] = {NULL};
    int rc;
    if (!t->have_header)
        rc = table_header(t, fields, count);
    else if (count != t->field_count)
        rc = hp_roster_fail(t->err, HP_EINVALID, t->file, line, NULL, NULL,
                            "%zu values where the header has %zu columns", count, t->field_count);
    else {
        for (size_t c = 0; c < t->column_count; c++)
            if (t->field_of[c] >= 0) {
                values[c] = fields[t->field_of[c]];
                trim_in_place(values[c]);
            }
        rc = t->row(t->ctx, line, values);
    }
    if (rc < 0 && t->message == NULL)
        t->message = g_strdup(hp_error_last());
    return rc;
}

/* Reads one file; an optional file that is missing reads as no rows. */
static int table_read(export_files *ex, table *t, bool required)
{
    FILE *in;
    GByteArray *bytes;
    int rc = export_file(ex, t->file, required, &in, &bytes, t->err);
    if (rc < 0 || in == NULL)
        return rc;
    hp_csv_reader reader = {.label = t->file, .on_record = table_record, .data = t};
    rc = hp_csv_read(&reader, in);
    fclose(in);
    if (bytes)
        g_byte_array_free(bytes, TRUE);
    if (rc < 0 && t->message) {
        /* A row's error: its own words, without the reader's "FILE:LINE: " before them. */
        hp_error_set(rc, "%s", t->message);
    } else if (rc < 0) {
        /* The reader's own ("users.csv:4: malformed CSV ..."): said the way rows say it. */
        const char *msg = hp_error_last();
        size_t n = strlen(t->file);
        size_t line = 0;
        char *rest = NULL;
        if (strncmp(msg, t->file, n) == 0 && msg[n] == ':')
            line = (size_t)g_ascii_strtoull(msg + n + 1, &rest, 10);
        char *reason = g_strdup(rest && g_str_has_prefix(rest, ": ") ? rest + 2 : msg);
        hp_roster_fail(t->err, rc, t->file, line, NULL, NULL, "%s", reason);
        g_free(reason);
    } else if (!t->have_header)
        rc = hp_roster_fail(t->err, HP_EINVALID, t->file, 1, NULL, NULL,
                            "the file is empty; the first line names the columns");
    g_free(t->message);
    t->message = NULL;
    return rc;
}

/* ---- Values ---- */

/* A status: "" or active, or tobedeleted (inactive, of OneRoster 1.0, counts as it). */
static int parse_status(hp_roster_error *err, const char *file, size_t line, const char *value,
                        bool *gone)
{
    *gone = false;
    if (value == NULL || value[0] == '\0' || g_ascii_strcasecmp(value, "active") == 0)
        return HP_OK;
    if (g_ascii_strcasecmp(value, "tobedeleted") == 0 ||
        g_ascii_strcasecmp(value, "inactive") == 0) {
        *gone = true;
        return HP_OK;
    }
    return hp_roster_fail(err, HP_EINVALID, file, line, "status", value,
                          "\"%s\" is not active or tobedeleted", value);
}

/* true, false or empty (def). */
static int parse_flag(hp_roster_error *err, const char *file, size_t line, const char *column,
                      const char *value, bool def, bool *out)
{
    *out = def;
    if (value == NULL || value[0] == '\0')
        return HP_OK;
    if (g_ascii_strcasecmp(value, "true") == 0)
        *out = true;
    else if (g_ascii_strcasecmp(value, "false") == 0)
        *out = false;
    else
        return hp_roster_fail(err, HP_EINVALID, file, line, column, value,
                              "\"%s\" is not true or false", value);
    return HP_OK;
}

/* What a OneRoster role becomes here; false for the roles not taken (parent, guardian,
 * relative, proctor, and any other). */
static bool role_taken(const char *word, hp_role *out)
{
    static const struct {
        const char *word;
        hp_role role;
    } roles[] = {{"administrator", HP_ROLE_ADMIN},
                 {"teacher", HP_ROLE_TEACHER},
                 {"aide", HP_ROLE_TEACHER},
                 {"student", HP_ROLE_STUDENT}};
    for (size_t i = 0; i < HP_ARRAY_SIZE(roles); i++)
        if (g_ascii_strcasecmp(word, roles[i].word) == 0) {
            *out = roles[i].role;
            return true;
        }
    return false;
}

/* A message of a core check without the field name it starts with ("email: ..."): the
 * roster's messages name the column themselves. */
static const char *reason_of(const char *field)
{
    const char *msg = hp_error_last();
    size_t n = strlen(field);
    return strncmp(msg, field, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ' ? msg + n + 2 : msg;
}

/* ---- The reading state ---- */

/* A user's roles in roles.csv (1.2), as far as the school takes them. */
typedef struct {
    bool taken;   /* A role in the school that we take: role. */
    bool primary; /* That role is the user's primary one. */
    hp_role role;
    char *untaken;   /* The first role in the school that we do not take. */
    char *other_org; /* The first org of a role elsewhere. */
} role_choice;

static void role_choice_free(gpointer p)
{
    role_choice *r = p;
    g_free(r->untaken);
    g_free(r->other_org);
    g_free(r);
}

/* A teacher's class with a location: the home room candidate. */
typedef struct {
    char *room;
    bool primary;
} teaching;

static void teaching_free(gpointer p)
{
    teaching *t = p;
    g_free(t->room);
    g_free(t);
}

typedef struct {
    hp_roster *out;
    hp_roster_error *err;
    const char *school_name;
    const char *org_wanted; /* --org, or NULL. */
    /* orgs.csv */
    char *org;       /* The school's sourcedId once found. */
    size_t org_line; /* Its line. */
    /* roles.csv: userSourcedId -> role_choice; NULL without roles.csv. */
    GHashTable *roles;
    bool have_roles;
    /* classes.csv: class sourcedId -> its location (the school's classes that have one). */
    GHashTable *classes;
    GHashTable *room_seen; /* Folded room names in out->rooms. */
    /* enrollments.csv: teacher's userSourcedId -> teaching. */
    GHashTable *teaches;
    /* users.csv */
    GHashTable *user_lines;  /* sourcedId -> its line (a GSIZE_TO_POINTER). */
    GHashTable *email_lines; /* Folded email of a user taken and not deactivated -> line. */
} reading;

static void left_out(reading *r, const char *file, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void left_out(reading *r, const char *file, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hp_roster_left_out item = {g_strdup(file), line, g_strdup_vprintf(fmt, ap)};
    va_end(ap);
    g_array_append_val(r->out->left_out, item);
}

/* ---- orgs.csv ---- */

enum { ORG_SOURCED_ID, ORG_STATUS, ORG_NAME, ORG_TYPE, ORG_COLUMNS };
static const char *const org_columns[] = {"sourcedId", "status", "name", "type"};
static const bool org_required[] = {true, false, true, true};
_Static_assert(HP_ARRAY_SIZE(org_columns) == ORG_COLUMNS, "a name for each org column");

static int org_row(void *ctx, size_t line, char **v)
{
    reading *r = ctx;
    const char *file = "orgs.csv";
    bool gone;
    int rc = parse_status(r->err, file, line, v[ORG_STATUS], &gone);
    if (rc < 0 || gone)
        return rc;
    if (r->org_wanted) {
        if (strcmp(v[ORG_SOURCED_ID], r->org_wanted) == 0 && r->org == NULL) {
            r->org = g_strdup(v[ORG_SOURCED_ID]);
            r->org_line = line;
        }
        return HP_OK;
    }
    if (g_ascii_strcasecmp(v[ORG_TYPE], "school") != 0 ||
        g_ascii_strcasecmp(v[ORG_NAME], r->school_name) != 0)
        return HP_OK;
    if (r->org)
        return hp_roster_fail(r->err, HP_EINVALID, "orgs.csv", line, "name", v[ORG_NAME],
                              "two orgs of type school are named \"%s\" (lines %zu and %zu); "
                              "name the school's org by its sourcedId",
                              v[ORG_NAME], r->org_line, line);
    if (v[ORG_SOURCED_ID][0] == '\0')
        return hp_roster_fail(r->err, HP_EINVALID, "orgs.csv", line, "sourcedId", "", "empty");
    r->org = g_strdup(v[ORG_SOURCED_ID]);
    r->org_line = line;
    return HP_OK;
}

/* ---- roles.csv (1.2) ---- */

enum { ROLE_USER, ROLE_STATUS, ROLE_TYPE, ROLE_ROLE, ROLE_ORG, ROLE_COLUMNS };
static const char *const role_columns[] = {"userSourcedId", "status", "roleType", "role",
                                           "orgSourcedId"};
static const bool role_required[] = {true, false, false, true, true};
_Static_assert(HP_ARRAY_SIZE(role_columns) == ROLE_COLUMNS, "a name for each role column");

static int role_row(void *ctx, size_t line, char **v)
{
    reading *r = ctx;
    const char *file = "roles.csv";
    bool gone, primary = v[ROLE_TYPE] && g_ascii_strcasecmp(v[ROLE_TYPE], "primary") == 0;
    int rc = parse_status(r->err, file, line, v[ROLE_STATUS], &gone);
    if (rc < 0 || gone)
        return rc;
    role_choice *c = g_hash_table_lookup(r->roles, v[ROLE_USER]);
    if (c == NULL) {
        c = g_new0(role_choice, 1);
        g_hash_table_insert(r->roles, g_strdup(v[ROLE_USER]), c);
    }
    hp_role role;
    if (strcmp(v[ROLE_ORG], r->org) != 0) {
        if (c->other_org == NULL)
            c->other_org = g_strdup(v[ROLE_ORG]);
    } else if (!role_taken(v[ROLE_ROLE], &role)) {
        if (c->untaken == NULL)
            c->untaken = g_strdup(v[ROLE_ROLE]);
    } else if (!c->taken || (primary && !c->primary)) {
        c->taken = true;
        c->primary = primary;
        c->role = role;
    }
    return HP_OK;
}

/* ---- classes.csv ---- */

enum { CLASS_SOURCED_ID, CLASS_STATUS, CLASS_LOCATION, CLASS_SCHOOL, CLASS_COLUMNS };
static const char *const class_columns[] = {"sourcedId", "status", "location", "schoolSourcedId"};
static const bool class_required[] = {true, false, false, true};
_Static_assert(HP_ARRAY_SIZE(class_columns) == CLASS_COLUMNS, "a name for each class column");

static int class_row(void *ctx, size_t line, char **v)
{
    reading *r = ctx;
    const char *file = "classes.csv";
    bool gone;
    int rc = parse_status(r->err, file, line, v[CLASS_STATUS], &gone);
    if (rc < 0 || gone || strcmp(v[CLASS_SCHOOL], r->org) != 0 || v[CLASS_LOCATION] == NULL ||
        v[CLASS_LOCATION][0] == '\0')
        return rc;
    char *room;
    if ((rc = hp_name_clean(&room, "location", v[CLASS_LOCATION], true)) < 0)
        return hp_roster_fail(r->err, rc, "classes.csv", line, "location", v[CLASS_LOCATION], "%s",
                              reason_of("location"));
    if (!g_hash_table_contains(r->room_seen, room)) {
        g_hash_table_add(r->room_seen, g_strdup(room));
        g_ptr_array_add(r->out->rooms, g_strdup(room));
    }
    g_hash_table_replace(r->classes, g_strdup(v[CLASS_SOURCED_ID]), room);
    return HP_OK;
}

/* ---- enrollments.csv ---- */

enum { ENROL_CLASS, ENROL_USER, ENROL_ROLE, ENROL_PRIMARY, ENROL_STATUS, ENROL_COLUMNS };
static const char *const enrol_columns[] = {"classSourcedId", "userSourcedId", "role", "primary",
                                            "status"};
static const bool enrol_required[] = {true, true, true, false, false};
_Static_assert(HP_ARRAY_SIZE(enrol_columns) == ENROL_COLUMNS, "a name for each enrollment column");

static int enrol_row(void *ctx, size_t line, char **v)
{
    reading *r = ctx;
    const char *file = "enrollments.csv";
    bool gone, primary;
    int rc = parse_status(r->err, file, line, v[ENROL_STATUS], &gone);
    if (rc < 0 || gone || g_ascii_strcasecmp(v[ENROL_ROLE], "teacher") != 0)
        return rc;
    if ((rc = parse_flag(r->err, file, line, "primary", v[ENROL_PRIMARY], false, &primary)) < 0)
        return rc;
    const char *room = g_hash_table_lookup(r->classes, v[ENROL_CLASS]);
    if (room == NULL)
        return HP_OK; /* Another school's class, or one with no location. */
    teaching *now = g_hash_table_lookup(r->teaches, v[ENROL_USER]);
    if (now && (now->primary || !primary))
        return HP_OK; /* The first primary class wins, else the first class. */
    if (now == NULL) {
        now = g_new0(teaching, 1);
        g_hash_table_insert(r->teaches, g_strdup(v[ENROL_USER]), now);
    }
    g_free(now->room);
    now->room = g_strdup(room);
    now->primary = primary;
    return HP_OK;
}

/* ---- users.csv ---- */

enum {
    USER_SOURCED_ID,
    USER_STATUS,
    USER_ENABLED,
    USER_ORGS,
    USER_ROLE,
    USER_GIVEN,
    USER_FAMILY,
    USER_IDENTIFIER,
    USER_EMAIL,
    USER_COLUMNS
};
static const char *const user_columns[] = {"sourcedId",     "status",     "enabledUser",
                                           "orgSourcedIds", "role",       "givenName",
                                           "familyName",    "identifier", "email"};
/* 1.1 (no roles.csv): the role and orgs come from users.csv. */
static const bool user_required_1_1[] = {true, false, false, true, true, true, true, false, true};
static const bool user_required_1_2[] = {true, false, false, false, false, true, true, false, true};
_Static_assert(HP_ARRAY_SIZE(user_columns) == USER_COLUMNS, "a name for each user column");
_Static_assert(USER_COLUMNS <= TABLE_COLUMNS_MAX && ORG_COLUMNS <= TABLE_COLUMNS_MAX,
               "the columns fit a table");

/* Whether a 1.1 user belongs to the school: orgSourcedIds is a comma list. *first gets the
 * first org named, for the reason a user is left out. */
static bool in_org(const char *orgs, const char *org, char **first)
{
    char **ids = g_strsplit(orgs ? orgs : "", ",", -1);
    bool found = false;
    *first = NULL;
    for (char **id = ids; *id; id++) {
        g_strstrip(*id);
        if (**id == '\0')
            continue;
        if (*first == NULL)
            *first = g_strdup(*id);
        found = found || strcmp(*id, org) == 0;
    }
    g_strfreev(ids);
    return found;
}

/* The user's role at the school, or false with the user left out saying why. */
static bool user_role(reading *r, size_t line, char **v, hp_role *role)
{
    if (!r->have_roles) {
        char *first;
        bool ours = in_org(v[USER_ORGS], r->org, &first);
        if (!ours) {
            if (first)
                left_out(r, "users.csv", line, "org %s is another school", first);
            else
                left_out(r, "users.csv", line, "no org in orgSourcedIds");
        } else if (!role_taken(v[USER_ROLE], role))
            left_out(r, "users.csv", line, "role %s is not taken",
                     v[USER_ROLE][0] ? v[USER_ROLE] : "(empty)");
        bool taken = ours && role_taken(v[USER_ROLE], role);
        g_free(first);
        return taken;
    }
    const role_choice *c = g_hash_table_lookup(r->roles, v[USER_SOURCED_ID]);
    if (c && c->taken) {
        *role = c->role;
        return true;
    }
    if (c && c->untaken)
        left_out(r, "users.csv", line, "role %s is not taken", c->untaken);
    else if (c && c->other_org)
        left_out(r, "users.csv", line, "org %s is another school", c->other_org);
    else
        left_out(r, "users.csv", line, "no role in roles.csv");
    return false;
}

static int user_row(void *ctx, size_t line, char **v)
{
    reading *r = ctx;
    const char *file = "users.csv";
    hp_roster_person p = {.line = line};
    bool gone, enabled;
    int rc;

    if (v[USER_SOURCED_ID][0] == '\0')
        return hp_roster_fail(r->err, HP_EINVALID, "users.csv", line, "sourcedId", "", "empty");
    gpointer seen = g_hash_table_lookup(r->user_lines, v[USER_SOURCED_ID]);
    if (seen)
        return hp_roster_fail(r->err, HP_EINVALID, "users.csv", line, "sourcedId",
                              v[USER_SOURCED_ID], "\"%s\" is the sourcedId of line %zu too",
                              v[USER_SOURCED_ID], GPOINTER_TO_SIZE(seen));
    g_hash_table_insert(r->user_lines, g_strdup(v[USER_SOURCED_ID]), GSIZE_TO_POINTER(line));
    if ((rc = parse_status(r->err, file, line, v[USER_STATUS], &gone)) < 0 ||
        (rc = parse_flag(r->err, file, line, "enabledUser", v[USER_ENABLED], true, &enabled)) < 0)
        return rc;
    if (!user_role(r, line, v, &p.role))
        return HP_OK;
    p.deactivate = gone || !enabled;

    const char *email = v[USER_EMAIL];
    if (email[0] == '\0' && !p.deactivate) {
        left_out(r, "users.csv", line, "no email");
        return HP_OK;
    }
    if (email[0] && (rc = hp_check_email(email)) < 0)
        return hp_roster_fail(r->err, rc, "users.csv", line, "email", email, "%s",
                              reason_of("email"));
    if (email[0] && !p.deactivate) {
        gpointer other = g_hash_table_lookup(r->email_lines, email);
        if (other)
            return hp_roster_fail(r->err, HP_EINVALID, "users.csv", line, "email", email,
                                  "\"%s\" is the email of line %zu too", email,
                                  GPOINTER_TO_SIZE(other));
        g_hash_table_insert(r->email_lines, g_strdup(email), GSIZE_TO_POINTER(line));
    }

    char *joined = g_strjoin(v[USER_GIVEN][0] && v[USER_FAMILY][0] ? " " : "", v[USER_GIVEN],
                             v[USER_FAMILY], NULL);
    rc = hp_name_clean(&p.name, "name", joined, true);
    if (rc < 0) {
        hp_roster_fail(r->err, rc, "users.csv", line, "givenName", joined, "%s", reason_of("name"));
        g_free(joined);
        return rc;
    }
    g_free(joined);
    const char *id = v[USER_IDENTIFIER];
    if (p.role == HP_ROLE_STUDENT && id && id[0]) {
        if ((rc = hp_check_student_id(id)) < 0) {
            g_free(p.name);
            return hp_roster_fail(r->err, rc, "users.csv", line, "identifier", id, "%s",
                                  reason_of("student_id"));
        }
        p.student_id = g_strdup(id);
    }
    p.source_id = g_strdup(v[USER_SOURCED_ID]);
    p.email = email[0] ? g_strdup(email) : NULL;
    if (hp_role_is_staff(p.role)) {
        const teaching *home = g_hash_table_lookup(r->teaches, p.source_id);
        p.home_room = home ? g_strdup(home->room) : NULL;
    }
    g_array_append_val(r->out->people, p);
    return HP_OK;
}

/* ---- The whole export ---- */

static table table_of(const char *file, const char *const *columns, const bool *required,
                      size_t count, row_fn row, reading *r)
{
    return (table){.file = file,
                   .columns = columns,
                   .required = required,
                   .column_count = count,
                   .row = row,
                   .ctx = r,
                   .err = r->err};
}

static int read_files(reading *r, export_files *ex)
{
    table orgs = table_of("orgs.csv", org_columns, org_required, ORG_COLUMNS, org_row, r);
    int rc = table_read(ex, &orgs, true);
    if (rc < 0)
        return rc;
    if (r->org == NULL && r->org_wanted)
        return hp_roster_fail(r->err, HP_EINVALID, "orgs.csv", 0, "sourcedId", r->org_wanted,
                              "no org has the sourcedId \"%s\"", r->org_wanted);
    if (r->org == NULL)
        return hp_roster_fail(r->err, HP_EINVALID, "orgs.csv", 0, "name", r->school_name,
                              "no org of type school is named \"%s\"; name the school's org by "
                              "its sourcedId",
                              r->school_name);
    r->out->org = g_strdup(r->org);

    /* roles.csv makes it a 1.2 export: the roles come from it, not from users.csv. */
    FILE *probe;
    GByteArray *bytes;
    if ((rc = export_file(ex, "roles.csv", false, &probe, &bytes, r->err)) < 0)
        return rc;
    r->have_roles = probe != NULL;
    if (probe)
        fclose(probe);
    if (bytes)
        g_byte_array_free(bytes, TRUE);
    table roles = table_of("roles.csv", role_columns, role_required, ROLE_COLUMNS, role_row, r);
    table classes =
        table_of("classes.csv", class_columns, class_required, CLASS_COLUMNS, class_row, r);
    table enrols =
        table_of("enrollments.csv", enrol_columns, enrol_required, ENROL_COLUMNS, enrol_row, r);
    table users =
        table_of("users.csv", user_columns, r->have_roles ? user_required_1_2 : user_required_1_1,
                 USER_COLUMNS, user_row, r);
    if ((r->have_roles && (rc = table_read(ex, &roles, true)) < 0) ||
        (rc = table_read(ex, &classes, false)) < 0 || (rc = table_read(ex, &enrols, false)) < 0)
        return rc;
    return table_read(ex, &users, true);
}

int hp_roster_read(hp_roster *out, const hp_roster_input *input, const char *school_name,
                   const char *org, hp_roster_error *err)
{
    *out = (hp_roster){
        .people = g_array_new(FALSE, TRUE, sizeof(hp_roster_person)),
        .left_out = g_array_new(FALSE, TRUE, sizeof(hp_roster_left_out)),
        .rooms = g_ptr_array_new_with_free_func(g_free),
    };
    g_array_set_clear_func(out->people, person_clear);
    g_array_set_clear_func(out->left_out, left_out_clear);
    reading r = {
        .out = out,
        .err = err,
        .school_name = school_name,
        .org_wanted = org,
        .roles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, role_choice_free),
        .classes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        .room_seen = g_hash_table_new_full(hp_ascii_case_hash, hp_ascii_case_equal, g_free, NULL),
        .teaches = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, teaching_free),
        .user_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .email_lines = g_hash_table_new_full(hp_ascii_case_hash, hp_ascii_case_equal, g_free, NULL),
    };
    export_files ex;
    int rc = export_open(&ex, input, err);
    if (rc == HP_OK) {
        rc = read_files(&r, &ex);
        export_close(&ex);
    }
    g_free(r.org);
    g_hash_table_destroy(r.roles);
    g_hash_table_destroy(r.classes);
    g_hash_table_destroy(r.room_seen);
    g_hash_table_destroy(r.teaches);
    g_hash_table_destroy(r.user_lines);
    g_hash_table_destroy(r.email_lines);
    if (rc < 0)
        hp_roster_release(out);
    return rc;
}
