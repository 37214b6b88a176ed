/*
 * The words of the product: schools, rooms, users and passes, and the rules that follow from
 * a pass alone, such as which report counters it adds to. No I/O here.
 *
 * Strings in these structs are GLib allocations owned by the struct: hp_*_release() frees
 * them, hp_*s_free() frees a list and everything in it.
 */
#ifndef HP_CORE_MODEL_H
#define HP_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size caps on text that users feed in. */
#define HP_NAME_MAX 200  /* Bytes in a room, user, school or folder name. */
#define HP_EMAIL_MAX 254 /* Bytes in an email address (RFC 5321's path limit). */
#define HP_EXT_ID_MAX 128
#define HP_PASSWORD_MAX 256
#define HP_LIMIT_MAX 100000  /* Largest room limit accepted. */
#define HP_STUDENT_ID_MAX 32 /* Characters in a school's own student ID. */

typedef enum { HP_ROLE_ADMIN, HP_ROLE_TEACHER, HP_ROLE_STUDENT, HP_ROLE_KIOSK } hp_role;

typedef enum {
    HP_SOURCE_STUDENT,
    HP_SOURCE_TEACHER,
    HP_SOURCE_KIOSK_MODE,
    HP_SOURCE_KIOSK_LOGIN
} hp_source;

typedef enum { HP_PASS_NOW, HP_PASS_SCHEDULED } hp_pass_type;

typedef struct {
    int64_t id;
    char *name;
    char *timezone;
} hp_school;

typedef struct {
    int64_t id;
    char *name;
    char *folder; /* "" when the room has none. */
    int max_from; /* 0 means no limit. */
    int max_to;   /* 0 means no limit. */
    /* Pass rules (hp_field_time_limit_minutes and hp_field_counts_toward_limit in
     * core/settings.h). Read with the room; written by hp_store_room_rules_put(). */
    int time_limit_minutes;   /* 0 means none: the school's default applies. */
    bool counts_toward_limit; /* A pass to it counts toward a student's day and week. */
} hp_room;

typedef struct {
    int64_t id;
    char *name;
    char *email;
    hp_role role;
    int64_t room_id;  /* A kiosk's room or a staff member's home room; else 0. */
    char *student_id; /* The school's own ID of a student; NULL when none. */
    /* Pass rules (hp_field_max_passes_per_day in core/settings.h). Read with the user; written
     * by hp_store_user_rules_put(). */
    int max_passes_per_day; /* A student's own daily limit; 0 means none. */
    /* False once deactivated (by an admin or the roster): no sign-in, history kept. Read with
     * the user; written only by hp_store_user_active_put(), so a user put never changes it. */
    bool active;
} hp_user;

typedef struct {
    int64_t id;
    char *ext_id; /* Id in the system the pass was imported from; NULL if created here. */
    int64_t student_id;
    int64_t origin_id;
    int64_t destination_id;
    int64_t creator_id;
    hp_source source;
    hp_pass_type type;
    int64_t start; /* Unix seconds. */
    int64_t end;   /* Unix seconds; meaningful only when has_end. */
    bool has_end;
    bool cancelled;
    int32_t local_day; /* Days since 1970-01-01 of start's local date in the school's zone. */
    /* The pass rules as they stood when the pass was written, kept with it (core/rules.h). */
    int time_limit_minutes; /* Its time limit; 0: none. */
    int64_t auto_end_at;    /* When it ends itself: start + the school's auto_end_minutes. */
    unsigned overrides;     /* The rules a staff override passed it over, bits HP_RULE_BIT(). */
    bool limit_exempt;      /* Its destination did not count toward students' limits when it
                               started (the nurse, say): it never counts toward its student's
                               day or week. */
} hp_pass;

int hp_role_parse(const char *word, hp_role *out);
const char *hp_role_name(hp_role role);
bool hp_role_is_staff(hp_role role);

int hp_source_parse(const char *word, hp_source *out);
const char *hp_source_name(hp_source source);

int hp_pass_type_parse(const char *word, hp_pass_type *out);
const char *hp_pass_type_name(hp_pass_type type);

/* What one pass adds to the reports' counters. */
typedef struct {
    bool counts;          /* False for a cancelled pass: it adds to nothing. */
    bool staff_now;       /* Adds one to its creator's Now Passes. */
    bool staff_scheduled; /* Adds one to its creator's Scheduled Passes. */
    bool staff_kiosk;     /* A staff now pass from a kiosk its creator launched. */
} hp_pass_effect;

hp_pass_effect hp_pass_effect_of(const hp_pass *pass);

/* How the user named a pass's people and rooms, for messages; any field may be NULL. */
typedef struct {
    const char *student;
    const char *creator;
    const char *destination;
    const char *start;
    const char *end;
} hp_pass_labels;

/* Checks that source, type and the roles of creator and student fit together: a student's own
 * passes and a kiosk's are now passes, a teacher or kiosk-mode pass is made by staff, a
 * kiosk-login pass by a kiosk login. Imports and live passes both ask this one function.
 * HP_EINVALID with a message naming the field at fault and, with labels, its value. */
int hp_pass_check_fit(const hp_pass *pass, hp_role student_role, hp_role creator_role,
                      const hp_pass_labels *labels);

/* hp_pass_check_fit(), and the rest a stored pass must hold: two different rooms, only a
 * scheduled pass cancelled, no end before the start. */
int hp_pass_check_roles(const hp_pass *pass, hp_role student_role, hp_role creator_role,
                        const hp_pass_labels *labels);

/* Checks a display name (room, user, folder, school): valid UTF-8, at most HP_NAME_MAX bytes,
 * no control character other than a tab or a carriage return (the exports guard those: see
 * src/export/csv.c), and no invisible format character (Unicode category Cf: byte-order
 * marks, zero-width spaces and joiners, direction marks and overrides, soft hyphens), which
 * would let two names that look the same be stored apart. field names it in the message. */
int hp_check_name(const char *field, const char *value, bool required);

/* The first invisible format character (Unicode category Cf) in valid UTF-8 text, or 0 when it
 * holds none: for checks of text other than names, such as emails. */
uint32_t hp_format_char_in(const char *text);

/* The one way a name from any source (an import, a request, the command line) is cleaned:
 * whitespace around it is trimmed (ASCII whitespace and Unicode spaces such as U+00A0), then
 * it is checked by hp_check_name(). On success *out is the cleaned name, a new GLib string
 * ("" for an empty name that is not required) to g_free(); on failure *out is NULL. */
int hp_name_clean(char **out, const char *field, const char *value, bool required);

/* The bytes of value without the whitespace around it, the way hp_name_clean() trims: returns
 * where they start and sets *len_out. For looking names up without allocating. */
const char *hp_name_trim(const char *value, size_t *len_out);

/* Checks an email address: at most HP_EMAIL_MAX bytes, one @ with text on both sides, no
 * space or separator, valid UTF-8, no invisible format character. The message starts with
 * "email: " and names the value. */
int hp_check_email(const char *value);

/* Hash and equality of names and emails as GHashTable keys, compared without regard to ASCII
 * case as the store compares them (a GHashFunc and a GEqualFunc). */
unsigned hp_ascii_case_hash(const void *key);
int hp_ascii_case_equal(const void *a, const void *b);

/* Checks a school's student ID: 1 to HP_STUDENT_ID_MAX ASCII letters, digits and '-'. The
 * message starts with "student_id: " and names the value. */
int hp_check_student_id(const char *value);

/* Checks a new password: given (not empty) and at most HP_PASSWORD_MAX bytes. The message
 * starts with "password: ". */
int hp_check_password(const char *value);

/* One record of the audit log: who did what, when, from where. */
typedef struct {
    int64_t id;
    int64_t at;      /* Unix seconds. */
    int64_t user_id; /* The signed-in user; 0 when none (a failed sign-in, the command line). */
    char *who;       /* The user's email, or words: "command line", "server", "share link 3". */
    char *address;   /* The client's address; NULL when not from a request. */
    char *action;    /* A fixed word: sign_in, report_view, room_update, ... */
    char *target;    /* What it was about: an email, a room's name, a report's kind. */
    char *detail;    /* A JSON object as text, or NULL. */
} hp_audit_record;

void hp_school_release(hp_school *school);
void hp_audit_record_release(hp_audit_record *record);
void hp_audit_records_free(hp_audit_record *records, size_t n);
void hp_room_release(hp_room *room);
void hp_user_release(hp_user *user);
void hp_pass_release(hp_pass *pass);

/* Frees a list of count items of `size` bytes, releasing each with release first: what every
 * hp_*s_free() does. */
void hp_list_free(void *items, size_t count, size_t size, void (*release)(void *item));

void hp_rooms_free(hp_room *rooms, size_t n);
void hp_users_free(hp_user *users, size_t n);
void hp_schools_free(hp_school *schools, size_t n);

#endif
