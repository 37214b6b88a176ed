/* The product's words and the rules that depend on a pass alone; see model.h. */
#include "core/model.h"

#include "core/error.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {"admin", "teacher", "student", "kiosk"};
static const char *const source_names[] = {"student", "teacher", "kiosk_mode", "kiosk_login"};
static const char *const type_names[] = {"now", "scheduled"};

static int parse_word(const char *const *names, size_t n, const char *word, int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], word) == 0) {
            *out = (int)i;
            return HP_OK;
        }
    }
    return HP_EINVALID;
}

int hp_role_parse(const char *word, hp_role *out)
{
    int v;
    if (parse_word(role_names, HP_ARRAY_SIZE(role_names), word, &v) < 0)
        return hp_error_set(HP_EINVALID, "\"%s\" is not a role (admin, teacher, student, kiosk)",
                            word);
    *out = (hp_role)v;
    return HP_OK;
}

const char *hp_role_name(hp_role role)
{
    return role_names[role];
}

bool hp_role_is_staff(hp_role role)
{
    return role == HP_ROLE_ADMIN || role == HP_ROLE_TEACHER;
}

int hp_source_parse(const char *word, hp_source *out)
{
    int v;
    if (parse_word(source_names, HP_ARRAY_SIZE(source_names), word, &v) < 0)
        return hp_error_set(HP_EINVALID,
                            "\"%s\" is not a source (student, teacher, kiosk_mode, kiosk_login)",
                            word);
    *out = (hp_source)v;
    return HP_OK;
}

const char *hp_source_name(hp_source source)
{
    return source_names[source];
}

int hp_pass_type_parse(const char *word, hp_pass_type *out)
{
    int v;
    if (parse_word(type_names, HP_ARRAY_SIZE(type_names), word, &v) < 0)
        return hp_error_set(HP_EINVALID, "\"%s\" is not a pass type (now, scheduled)", word);
    *out = (hp_pass_type)v;
    return HP_OK;
}

const char *hp_pass_type_name(hp_pass_type type)
{
    return type_names[type];
}

/*
 * Room Usage counts every pass that is not cancelled, whatever its source and type. Staff
 * Usage counts only what a staff member created from their own login or from a kiosk they
 * launched: now passes from `teacher` and `kiosk_mode`, scheduled passes from `teacher`.
 */
hp_pass_effect hp_pass_effect_of(const hp_pass *pass)
{
    hp_pass_effect e = {0};

    if (pass->cancelled)
        return e;
    e.counts = true;
    if (pass->type == HP_PASS_NOW)
        e.staff_now = pass->source == HP_SOURCE_TEACHER || pass->source == HP_SOURCE_KIOSK_MODE;
    else
        e.staff_scheduled = pass->source == HP_SOURCE_TEACHER;
    e.staff_kiosk = e.staff_now && pass->source == HP_SOURCE_KIOSK_MODE;
    return e;
}

/* "\"sam@x.org\" " when the label is known, else "". */
static const char *quoted(const char *label, char *buf, size_t size)
{
    if (label == NULL || label[0] == '\0')
        return "";
    snprintf(buf, size, "\"%s\" ", label);
    return buf;
}

static const hp_pass_labels no_labels = {0};

int hp_pass_check_fit(const hp_pass *pass, hp_role student_role, hp_role creator_role,
                      const hp_pass_labels *labels)
{
    char s[HP_EMAIL_MAX + 4], c[HP_EMAIL_MAX + 4];
    const char *type = hp_pass_type_name(pass->type);
    const char *source = hp_source_name(pass->source);

    if (labels == NULL)
        labels = &no_labels;
    /* Labels are quoted only for a message: this check runs on every imported row. */
    if (student_role != HP_ROLE_STUDENT)
        return hp_error_set(HP_EINVALID, "student: %sis a %s, not a student",
                            quoted(labels->student, s, sizeof(s)), hp_role_name(student_role));
    switch (pass->source) {
    case HP_SOURCE_STUDENT:
        if (pass->creator_id != pass->student_id)
            return hp_error_set(HP_EINVALID,
                                "creator: %sis not the student %s; a pass with source student "
                                "is created by its student",
                                quoted(labels->creator, c, sizeof(c)),
                                labels->student ? labels->student : "");
        if (pass->type != HP_PASS_NOW)
            return hp_error_set(HP_EINVALID, "type: \"%s\": a student creates only now passes",
                                type);
        break;
    case HP_SOURCE_TEACHER:
    case HP_SOURCE_KIOSK_MODE:
        if (!hp_role_is_staff(creator_role))
            return hp_error_set(
                HP_EINVALID, "creator: %sis a %s; a pass with source %s is created by staff",
                quoted(labels->creator, c, sizeof(c)), hp_role_name(creator_role), source);
        if (pass->source == HP_SOURCE_KIOSK_MODE && pass->type != HP_PASS_NOW)
            return hp_error_set(HP_EINVALID, "type: \"%s\": a kiosk creates only now passes", type);
        break;
    case HP_SOURCE_KIOSK_LOGIN:
        if (creator_role != HP_ROLE_KIOSK)
            return hp_error_set(HP_EINVALID,
                                "creator: %sis a %s; a pass with source kiosk_login is created by "
                                "a kiosk login",
                                quoted(labels->creator, c, sizeof(c)), hp_role_name(creator_role));
        if (pass->type != HP_PASS_NOW)
            return hp_error_set(HP_EINVALID, "type: \"%s\": a kiosk creates only now passes", type);
        break;
    }
    return HP_OK;
}

int hp_pass_check_roles(const hp_pass *pass, hp_role student_role, hp_role creator_role,
                        const hp_pass_labels *labels)
{
    char d[HP_NAME_MAX + 4];
    const char *type = hp_pass_type_name(pass->type);
    int rc = hp_pass_check_fit(pass, student_role, creator_role, labels);

    if (labels == NULL)
        labels = &no_labels;
    if (rc < 0)
        return rc;
    if (pass->origin_id == pass->destination_id)
        return hp_error_set(HP_EINVALID, "destination: %sis the same room as the origin",
                            quoted(labels->destination, d, sizeof(d)));
    if (pass->cancelled && pass->type != HP_PASS_SCHEDULED)
        return hp_error_set(HP_EINVALID,
                            "cancelled: \"true\" on a %s pass; only a scheduled pass can be "
                            "cancelled",
                            type);
    if (pass->has_end && pass->end < pass->start)
        return hp_error_set(HP_EINVALID, "end: \"%s\" is before the start \"%s\"",
                            labels->end ? labels->end : "", labels->start ? labels->start : "");
    return HP_OK;
}

int hp_check_name(const char *field, const char *value, bool required)
{
    if (value == NULL || value[0] == '\0') {
        if (required)
            return hp_error_set(HP_EINVALID, "%s: empty", field);
        return HP_OK;
    }
    size_t n = strlen(value);
    if (n > HP_NAME_MAX)
        return hp_error_set(HP_EINVALID, "%s: longer than %d bytes", field, HP_NAME_MAX);
    if (!g_utf8_validate(value, (gssize)n, NULL))
        return hp_error_set(HP_EINVALID, "%s: not valid UTF-8", field);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\r') || *p == 0x7f)
            return hp_error_set(HP_EINVALID, "%s: holds a control character (byte 0x%02x)", field,
                                *p);
    uint32_t c = hp_format_char_in(value);
    if (c)
        return hp_error_set(HP_EINVALID,
                            "%s: holds an invisible format character (U+%04X); type the name "
                            "again without it",
                            field, (unsigned)c);
    return HP_OK;
}

uint32_t hp_format_char_in(const char *text)
{
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        if ((unsigned char)*p < 0x80)
            continue;
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_type(c) == G_UNICODE_FORMAT)
            return c;
    }
    return 0;
}

/* Whitespace for trimming: what g_unichar_isspace() calls space (ASCII whitespace, U+00A0 and
 * the other Unicode spaces), read from valid UTF-8 only, so that invalid bytes are left for
 * hp_check_name() to refuse. */
static size_t space_at(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    if ((unsigned char)*p < 0x80)
        return g_ascii_isspace(*p) ? 1 : 0;
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if (c == (gunichar)-1 || c == (gunichar)-2 || !g_unichar_isspace(c))
        return 0;
    return (size_t)(g_utf8_next_char(p) - p);
}

/* The bytes of the character at p: 1 for a byte that starts no valid character. */
static size_t char_len(const char *p, const char *end)
{
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if (c == (gunichar)-1 || c == (gunichar)-2)
        return 1;
    return (size_t)(g_utf8_next_char(p) - p);
}

const char *hp_name_trim(const char *value, size_t *len_out)
{
    if (value == NULL) {
        *len_out = 0;
        return "";
    }
    const char *start = value, *end = value + strlen(value);
    size_t step;
    while ((step = space_at(start, end)) > 0)
        start += step;
    const char *kept = start; /* Just past the last character that is not a space. */
    for (const char *p = start; p < end;) {
        if ((step = space_at(p, end)) > 0) {
            p += step;
        } else {
            p += char_len(p, end);
            kept = p;
        }
    }
    *len_out = (size_t)(kept - start);
    return start;
}

int hp_name_clean(char **out, const char *field, const char *value, bool required)
{
    size_t n;
    const char *start = hp_name_trim(value, &n);
    char *name = g_strndup(start, n);
    int rc = hp_check_name(field, name, required);
    if (rc < 0) {
        g_free(name);
        name = NULL;
    }
    *out = name;
    return rc;
}

/* Hashing the letters folded saves an allocation per lookup. */
unsigned hp_ascii_case_hash(const void *key)
{
    guint h = 5381;
    for (const unsigned char *s = key; *s; s++)
        h = h * 33 + (guint)g_ascii_tolower(*s);
    return h;
}

int hp_ascii_case_equal(const void *a, const void *b)
{
    return g_ascii_strcasecmp(a, b) == 0;
}

int hp_check_email(const char *value)
{
    if (value == NULL || value[0] == '\0')
        return hp_error_set(HP_EINVALID, "email: empty");
    size_t n = strlen(value);
    const char *at = strchr(value, '@');
    if (n > HP_EMAIL_MAX)
        return hp_error_set(HP_EINVALID, "email: longer than %d bytes", HP_EMAIL_MAX);
    if (at == NULL || at == value || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
        strpbrk(value, " \t\r\n,;<>\"") != NULL || !g_utf8_validate(value, (gssize)n, NULL))
        return hp_error_set(HP_EINVALID, "email: \"%s\" is not an email address", value);
    uint32_t c = hp_format_char_in(value);
    if (c)
        return hp_error_set(HP_EINVALID, "email: holds an invisible format character (U+%04X)",
                            (unsigned)c);
    return HP_OK;
}

int hp_check_student_id(const char *value)
{
    size_t n = value ? strlen(value) : 0;
    if (n == 0)
        return hp_error_set(HP_EINVALID, "student_id: empty");
    bool ok = n <= HP_STUDENT_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = g_ascii_isalnum(value[i]) || value[i] == '-';
    if (!ok)
        return hp_error_set(HP_EINVALID,
                            "student_id: \"%.*s\" is not 1 to %d ASCII letters, digits and -",
                            HP_STUDENT_ID_MAX * 2, value, HP_STUDENT_ID_MAX);
    return HP_OK;
}

int hp_check_password(const char *value)
{
    if (value == NULL || value[0] == '\0')
        return hp_error_set(HP_EINVALID, "password: empty");
    if (strlen(value) > HP_PASSWORD_MAX)
        return hp_error_set(HP_EINVALID, "password: longer than %d bytes", HP_PASSWORD_MAX);
    return HP_OK;
}

void hp_school_release(hp_school *school)
{
    g_free(school->name);
    g_free(school->timezone);
    memset(school, 0, sizeof(*school));
}

void hp_room_release(hp_room *room)
{
    g_free(room->name);
    g_free(room->folder);
    memset(room, 0, sizeof(*room));
}

void hp_user_release(hp_user *user)
{
    g_free(user->name);
    g_free(user->email);
    g_free(user->student_id);
    memset(user, 0, sizeof(*user));
}

void hp_pass_release(hp_pass *pass)
{
    g_free(pass->ext_id);
    memset(pass, 0, sizeof(*pass));
}

void hp_list_free(void *items, size_t count, size_t size, void (*release)(void *item))
{
    for (size_t i = 0; release && i < count; i++)
        release((char *)items + i * size);
    g_free(items);
}

void hp_rooms_free(hp_room *rooms, size_t n)
{
    hp_list_free(rooms, n, sizeof(*rooms), (void (*)(void *))hp_room_release);
}

void hp_audit_record_release(hp_audit_record *record)
{
    g_free(record->who);
    g_free(record->address);
    g_free(record->action);
    g_free(record->target);
    g_free(record->detail);
    *record = (hp_audit_record){0};
}

void hp_audit_records_free(hp_audit_record *records, size_t n)
{
    hp_list_free(records, n, sizeof(*records), (void (*)(void *))hp_audit_record_release);
}

void hp_users_free(hp_user *users, size_t n)
{
    hp_list_free(users, n, sizeof(*users), (void (*)(void *))hp_user_release);
}

void hp_schools_free(hp_school *schools, size_t n)
{
    hp_list_free(schools, n, sizeof(*schools), (void (*)(void *))hp_school_release);
}
