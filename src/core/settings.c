/* The settings tables and everything read from them; see settings.h. */
#include "core/settings.h"

#include "core/error.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* A row of the school's table (SETTING, or NUMBER for a whole number that is off when
 * empty), or of a room's or student's field (FIELD, which has no place in hp_settings). */
#define SETTING(field, kind, lo, hi, defaulted, value, meaning_text)                               \
    {                                                                                              \
        .key = #field, .type = (kind), .min = (lo), .max = (hi), .has_default = (defaulted),       \
        .default_value = (value), .meaning = (meaning_text),                                       \
        .offset = offsetof(hp_settings, field)                                                     \
    }
#define NUMBER(field, lo, hi, meaning_text)                                                        \
    SETTING(field, HP_SETTING_INT, lo, hi, false, 0, meaning_text)
#define TEXT(field, check_fn, meaning_text)                                                        \
    {                                                                                              \
        .key = #field, .type = HP_SETTING_TEXT, .min = 0,                                          \
        .max = (int)sizeof(((hp_settings *)0)->field) - 1, .meaning = (meaning_text),              \
        .offset = offsetof(hp_settings, field), .check = (check_fn)                                \
    }
#define FIELD(name, kind, lo, hi, defaulted, value, meaning_text)                                  \
    {                                                                                              \
        .key = #name, .type = (kind), .min = (lo), .max = (hi), .has_default = (defaulted),        \
        .default_value = (value), .meaning = (meaning_text)                                        \
    }

static int check_client_id(const char *key, const char *text);
static int check_secret_file(const char *key, const char *text);
static int check_domains(const char *key, const char *text);
static int check_label(const char *key, const char *text);

const hp_setting_spec hp_settings_table[HP_SETTINGS_COUNT] = {
    SETTING(auto_end_minutes, HP_SETTING_INT, HP_AUTO_END_MINUTES_MIN, HP_AUTO_END_MINUTES_MAX,
            true, HP_AUTO_END_MINUTES_DEFAULT,
            "a pass still out this long after its start ends itself"),
    NUMBER(default_time_limit_minutes, 1, HP_TIME_LIMIT_MINUTES_MAX,
           "the time limit of a room that has none of its own"),
    NUMBER(max_active_passes, 1, HP_MAX_ACTIVE_PASSES_MAX,
           "hallway cap: passes active at once in the whole school"),
    NUMBER(max_passes_per_day, 1, HP_PASSES_PER_DAY_MAX, "a student's now passes per local day"),
    NUMBER(max_passes_per_week, 1, HP_PASSES_PER_WEEK_MAX,
           "a student's now passes per local week, Monday to Sunday"),
    NUMBER(cooldown_minutes, 1, HP_COOLDOWN_MINUTES_MAX,
           "after a student's pass ends, the wait before their next"),
    NUMBER(no_pass_first_minutes, 1, HP_NO_PASS_MINUTES_MAX,
           "no passes in the first minutes of each period"),
    NUMBER(no_pass_last_minutes, 1, HP_NO_PASS_MINUTES_MAX,
           "no passes in the last minutes of each period"),
    SETTING(wait_in_line, HP_SETTING_BOOL, 0, 1, true, 1,
            "a full room or hallway offers a place in line"),
    SETTING(line_offer_seconds, HP_SETTING_INT, HP_LINE_OFFER_SECONDS_MIN,
            HP_LINE_OFFER_SECONDS_MAX, true, HP_LINE_OFFER_SECONDS_DEFAULT,
            "how long an offer from the line waits to be taken"),
    NUMBER(retain_passes_days, HP_RETAIN_PASSES_DAYS_MIN, HP_RETAIN_PASSES_DAYS_MAX,
           "days a student's passes and refusals are kept; the server purges older ones daily"),
    TEXT(oidc_issuer, hp_settings_issuer_check,
         "single sign-on: the OpenID provider's issuer, an https URL"),
    TEXT(oidc_client_id, check_client_id, "single sign-on: hallpass's client ID at the provider"),
    TEXT(oidc_client_secret_file, check_secret_file,
         "single sign-on: the file holding the client secret (an absolute path)"),
    TEXT(oidc_email_domains, check_domains,
         "single sign-on: the email domains allowed to sign in, separated by commas"),
    TEXT(oidc_label, check_label, "single sign-on: the words of the sign-in button"),
};

/* Allowed only by tests (hp_settings_allow_loopback_issuer); see settings.h. */
static bool loopback_issuer_allowed = false;

void hp_settings_allow_loopback_issuer(bool allow)
{
    loopback_issuer_allowed = allow;
}

bool hp_settings_loopback_issuer_allowed(void)
{
    return loopback_issuer_allowed;
}

/* Whether text is a URL's host (and port) and path: letters, digits and the few marks a host
 * name, a port and a path hold; no user name, query, fragment or space. */
static bool url_rest_ok(const char *rest)
{
    size_t host = strcspn(rest, "/");
    if (host == 0 || rest[0] == ':' || rest[0] == '.')
        return false;
    for (const char *p = rest; *p; p++) {
        bool in_host = (size_t)(p - rest) < host;
        if (g_ascii_isalnum(*p) || *p == '.' || *p == '-' || (in_host && *p == ':') ||
            (!in_host && strchr("/_~%", *p)))
            continue;
        return false;
    }
    return true;
}

#define HTTPS "https://"
#define LOOPBACK "http://127.0.0.1" /* The tests' provider; nothing else over http. */

int hp_settings_issuer_check(const char *key, const char *text)
{
    if (g_str_has_prefix(text, HTTPS) && url_rest_ok(text + strlen(HTTPS)))
        return HP_OK;
    const char *after = text + strlen(LOOPBACK);
    if (g_str_has_prefix(text, LOOPBACK) && (*after == '\0' || *after == ':' || *after == '/') &&
        url_rest_ok(text + strlen("http://"))) {
        if (loopback_issuer_allowed)
            return HP_OK;
        return hp_error_set(HP_EINVALID,
                            "%s: http://127.0.0.1 is allowed only for tests; a provider's "
                            "issuer is an https URL",
                            key);
    }
    return hp_error_set(HP_EINVALID,
                        "%s: \"%s\" is not an https URL such as https://accounts.example.com "
                        "(no user name, query or fragment)",
                        key, text);
}

static int check_client_id(const char *key, const char *text)
{
    for (const char *p = text; *p; p++)
        if (*p <= ' ' || *p > '~')
            return hp_error_set(HP_EINVALID, "%s: a client ID is printable ASCII without spaces",
                                key);
    return HP_OK;
}

static int check_secret_file(const char *key, const char *text)
{
    if (text[0] != '/')
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not an absolute path", key, text);
    return HP_OK;
}

/* Whether a domain is a host name: labels of letters, digits and hyphens, joined by dots. */
static bool domain_ok(const char *d, size_t n)
{
    if (n == 0 || d[0] == '.' || d[n - 1] == '.' || d[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '.' && i + 1 < n && d[i + 1] == '.')
            return false;
        if (!g_ascii_isalnum(d[i]) && d[i] != '-' && d[i] != '.')
            return false;
    }
    return true;
}

/* Calls fn on each domain of a comma-separated list, spaces around it trimmed; stops at the
 * first for which fn is true and says so. */
static bool domains_any(const char *list, bool (*fn)(const char *d, size_t n, const void *arg),
                        const void *arg)
{
    const char *p = list;
    while (true) {
        size_t n = strcspn(p, ",");
        const char *d = p;
        size_t len = n;
        while (len && *d == ' ')
            d++, len--;
        while (len && d[len - 1] == ' ')
            len--;
        if (fn(d, len, arg))
            return true;
        if (p[n] == '\0')
            return false;
        p += n + 1;
    }
}

static bool domain_bad(const char *d, size_t n, const void *arg)
{
    const char **bad = (const char **)(uintptr_t)arg;
    if (domain_ok(d, n))
        return false;
    *bad = d;
    return true;
}

static int check_domains(const char *key, const char *text)
{
    const char *bad = NULL;
    if (domains_any(text, domain_bad, (const void *)&bad)) {
        size_t n = strcspn(bad, ",");
        return hp_error_set(HP_EINVALID, "%s: \"%.*s\" is not a domain such as school.example.org",
                            key, (int)n, bad);
    }
    return HP_OK;
}

static int check_label(const char *key, const char *text)
{
    (void)key;
    (void)text; /* Any words: what every text setting is checked for suffices. */
    return HP_OK;
}

const hp_setting_spec hp_field_time_limit_minutes =
    FIELD(time_limit_minutes, HP_SETTING_INT, 1, HP_TIME_LIMIT_MINUTES_MAX, false, 0,
          "the time limit of a pass to this room");

const hp_setting_spec hp_field_counts_toward_limit =
    FIELD(counts_toward_limit, HP_SETTING_BOOL, 0, 1, true, 1,
          "a pass to this room counts toward a student's day and week");

const hp_setting_spec hp_field_max_passes_per_day =
    FIELD(max_passes_per_day, HP_SETTING_INT, 1, HP_PASSES_PER_DAY_MAX, false, 0,
          "the student's own now passes per local day, in place of the school's");

void hp_settings_init(hp_settings *settings)
{
    memset(settings, 0, sizeof(*settings));
    for (size_t i = 0; i < HP_ARRAY_SIZE(hp_settings_table); i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        char *field = (char *)settings + spec->offset;
        if (spec->type == HP_SETTING_TEXT)
            continue; /* Empty, as memset left it. */
        if (spec->type == HP_SETTING_BOOL)
            *(bool *)field = spec->default_value != 0;
        else
            *(int *)field = spec->default_value;
    }
}

const hp_setting_spec *hp_setting_find(const char *key)
{
    for (size_t i = 0; key && i < HP_ARRAY_SIZE(hp_settings_table); i++)
        if (strcmp(hp_settings_table[i].key, key) == 0)
            return &hp_settings_table[i];
    return NULL;
}

static int empty_value(const hp_setting_spec *spec)
{
    return spec->has_default ? spec->default_value : 0;
}

static int out_of_range(const hp_setting_spec *spec, const char *shown)
{
    return hp_error_set(HP_EINVALID, "%s: %s is not a whole number from %d to %d", spec->key, shown,
                        spec->min, spec->max);
}

/* Shows a user's text in a message, cut to a readable length. */
static void quote(const char *text, char *out, size_t size)
{
    /* Enough to recognise the value; the rest would only push the reason out of view. */
    enum { SHOWN_MAX = 40 };
    size_t n = strlen(text);
    if (n > SHOWN_MAX)
        snprintf(out, size, "\"%.*s...\"", SHOWN_MAX, text);
    else
        snprintf(out, size, "\"%s\"", text);
}

int hp_setting_parse(const hp_setting_spec *spec, const char *text, int *out)
{
    char shown[64];
    if (spec->type == HP_SETTING_TEXT)
        return hp_error_set(HP_EINVALID, "%s: not a number or a boolean", spec->key);
    if (text == NULL || text[0] == '\0') {
        *out = empty_value(spec);
        return HP_OK;
    }
    quote(text, shown, sizeof(shown));
    if (spec->type == HP_SETTING_BOOL) {
        if (g_ascii_strcasecmp(text, "true") == 0)
            *out = 1;
        else if (g_ascii_strcasecmp(text, "false") == 0)
            *out = 0;
        else
            return hp_error_set(HP_EINVALID, "%s: %s is not true or false", spec->key, shown);
        return HP_OK;
    }
    /* Digits only: no sign, no spaces, no hex; more than nine digits is out of range anyway. */
    size_t n = strlen(text);
    if (n > 9 || strspn(text, "0123456789") != n)
        return out_of_range(spec, shown);
    int value = (int)strtol(text, NULL, 10);
    if (value < spec->min || value > spec->max)
        return out_of_range(spec, shown);
    *out = value;
    return HP_OK;
}

int hp_setting_take(const hp_setting_spec *spec, const hp_setting_value *value, int *out)
{
    char shown[32];
    switch (value->kind) {
    case HP_VALUE_NULL:
        *out = empty_value(spec);
        return HP_OK;
    case HP_VALUE_BOOL:
        if (spec->type != HP_SETTING_BOOL)
            return out_of_range(spec, value->flag ? "true" : "false");
        *out = value->flag ? 1 : 0;
        return HP_OK;
    case HP_VALUE_TEXT:
        return hp_error_set(HP_EINVALID, "%s: must be %s, or null", spec->key,
                            spec->type == HP_SETTING_BOOL ? "true or false" : "a whole number");
    case HP_VALUE_NUMBER:
        snprintf(shown, sizeof(shown), "%lld", (long long)value->number);
        if (spec->type == HP_SETTING_BOOL)
            return hp_error_set(HP_EINVALID, "%s: %s is not true or false", spec->key, shown);
        if (value->number < spec->min || value->number > spec->max)
            return out_of_range(spec, shown);
        *out = (int)value->number;
        return HP_OK;
    }
    return hp_error_set(HP_EINVALID, "%s: not a value", spec->key);
}

static bool is_off(const hp_setting_spec *spec, int value)
{
    return spec->type == HP_SETTING_INT && !spec->has_default && value == 0;
}

hp_setting_value hp_setting_json(const hp_setting_spec *spec, int value)
{
    hp_setting_value v = {.kind = HP_VALUE_NULL};
    if (spec->type == HP_SETTING_BOOL) {
        v.kind = HP_VALUE_BOOL;
        v.flag = value != 0;
    } else if (!is_off(spec, value)) {
        v.kind = HP_VALUE_NUMBER;
        v.number = value;
    }
    return v;
}

void hp_setting_format(const hp_setting_spec *spec, int value, char out[HP_SETTING_VALUE_LEN])
{
    if (spec->type == HP_SETTING_BOOL)
        snprintf(out, HP_SETTING_VALUE_LEN, "%s", value ? "true" : "false");
    else if (is_off(spec, value))
        out[0] = '\0';
    else
        snprintf(out, HP_SETTING_VALUE_LEN, "%d", value);
}

int hp_settings_get(const hp_settings *settings, const hp_setting_spec *spec)
{
    const char *field = (const char *)settings + spec->offset;
    if (spec->type == HP_SETTING_TEXT)
        return 0;
    return spec->type == HP_SETTING_BOOL ? (int)*(const bool *)field : *(const int *)field;
}

const char *hp_settings_text(const hp_settings *settings, const hp_setting_spec *spec)
{
    return spec->type == HP_SETTING_TEXT ? (const char *)settings + spec->offset : NULL;
}

/* Checks a text setting's value: valid UTF-8 without control characters, within its cap,
 * and what its own check asks. */
static int text_check(const hp_setting_spec *spec, const char *text)
{
    if (strlen(text) > (size_t)spec->max)
        return hp_error_set(HP_EINVALID, "%s: longer than %d bytes", spec->key, spec->max);
    if (!g_utf8_validate(text, -1, NULL))
        return hp_error_set(HP_EINVALID, "%s: not valid UTF-8", spec->key);
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            return hp_error_set(HP_EINVALID, "%s: holds a control character", spec->key);
    return text[0] ? spec->check(spec->key, text) : HP_OK;
}

/* Sets a text setting from text, or from a JSON value when text is NULL. */
static int text_set(hp_settings *settings, const hp_setting_spec *spec, const char *text,
                    const hp_setting_value *value)
{
    if (value && value->kind == HP_VALUE_NULL)
        text = "";
    else if (value && value->kind == HP_VALUE_TEXT)
        text = value->text;
    else if (value)
        return hp_error_set(HP_EINVALID, "%s: must be text, or null", spec->key);
    if (text == NULL)
        text = "";
    int rc = text_check(spec, text);
    if (rc < 0)
        return rc;
    g_strlcpy((char *)settings + spec->offset, text, (gsize)spec->max + 1);
    return HP_OK;
}

static void settings_put(hp_settings *settings, const hp_setting_spec *spec, int value)
{
    char *field = (char *)settings + spec->offset;
    if (spec->type == HP_SETTING_BOOL)
        *(bool *)field = value != 0;
    else
        *(int *)field = value;
}

static int unknown_key(const char *key)
{
    GString *names = g_string_new(NULL);
    for (size_t i = 0; i < HP_ARRAY_SIZE(hp_settings_table); i++)
        g_string_append_printf(names, "%s%s", i ? ", " : "", hp_settings_table[i].key);
    char shown[64];
    quote(key ? key : "", shown, sizeof(shown));
    int rc = hp_error_set(HP_EINVALID, "%s is not a setting (%s)", shown, names->str);
    g_string_free(names, TRUE);
    return rc;
}

/* Sets a setting from text, or from a JSON value when text is NULL. */
static int settings_set(hp_settings *settings, const char *key, const char *text,
                        const hp_setting_value *value)
{
    const hp_setting_spec *spec = hp_setting_find(key);
    int v;
    if (spec == NULL)
        return unknown_key(key);
    if (spec->type == HP_SETTING_TEXT)
        return text_set(settings, spec, text, value);
    int rc = value ? hp_setting_take(spec, value, &v) : hp_setting_parse(spec, text, &v);
    if (rc < 0)
        return rc;
    settings_put(settings, spec, v);
    return HP_OK;
}

int hp_settings_set_text(hp_settings *settings, const char *key, const char *text)
{
    return settings_set(settings, key, text, NULL);
}

int hp_settings_set_json(hp_settings *settings, const char *key, const hp_setting_value *value)
{
    return settings_set(settings, key, NULL, value);
}

int hp_settings_assign(hp_settings *settings, const char *assignment)
{
    const char *eq = assignment ? strchr(assignment, '=') : NULL;
    if (eq == NULL || eq == assignment) {
        char shown[64];
        quote(assignment ? assignment : "", shown, sizeof(shown));
        return hp_error_set(HP_EINVALID, "%s is not KEY=VALUE, such as max_passes_per_day=4",
                            shown);
    }
    char *key = g_strndup(assignment, (gsize)(eq - assignment));
    int rc = hp_settings_set_text(settings, key, eq + 1);
    g_free(key);
    return rc;
}

int hp_settings_check(const hp_settings *settings)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(hp_settings_table); i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        int value = hp_settings_get(settings, spec);
        if (spec->type == HP_SETTING_TEXT) {
            int rc = text_check(spec, hp_settings_text(settings, spec));
            if (rc < 0)
                return rc;
            continue;
        }
        if (spec->type == HP_SETTING_INT && !is_off(spec, value) &&
            (value < spec->min || value > spec->max)) {
            char shown[16];
            snprintf(shown, sizeof(shown), "%d", value);
            return out_of_range(spec, shown);
        }
    }
    return HP_OK;
}

char *hp_settings_format_lines(const hp_settings *settings)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < HP_ARRAY_SIZE(hp_settings_table); i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        char value[HP_SETTING_VALUE_LEN];
        if (spec->type == HP_SETTING_TEXT) {
            g_string_append_printf(out, "%s=%s\n", spec->key, hp_settings_text(settings, spec));
            continue;
        }
        hp_setting_format(spec, hp_settings_get(settings, spec), value);
        g_string_append_printf(out, "%s=%s\n", spec->key, value);
    }
    return g_string_free(out, FALSE);
}

int hp_settings_day_limit(const hp_settings *settings, int student_max_passes_per_day)
{
    return student_max_passes_per_day > 0 ? student_max_passes_per_day
                                          : settings->max_passes_per_day;
}

int hp_settings_time_limit(const hp_settings *settings, int room_time_limit_minutes)
{
    return room_time_limit_minutes > 0 ? room_time_limit_minutes
                                       : settings->default_time_limit_minutes;
}

bool hp_settings_oidc_on(const hp_settings *settings)
{
    return settings->oidc_issuer[0] && settings->oidc_client_id[0] &&
           settings->oidc_email_domains[0];
}

static bool domain_is(const char *d, size_t n, const void *arg)
{
    const char *domain = arg;
    return n > 0 && strlen(domain) == n && g_ascii_strncasecmp(d, domain, n) == 0;
}

bool hp_settings_oidc_domain_ok(const hp_settings *settings, const char *email)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    if (at == NULL || at[1] == '\0')
        return false;
    return domains_any(settings->oidc_email_domains, domain_is, at + 1);
}
