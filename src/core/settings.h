/*
 * A school's pass-rule settings, and the rule fields of rooms and students, described by one
 * table each (key, range, default, meaning). Parsing text (`KEY=VALUE`, CSV cells), taking JSON
 * values, validating, and formatting as lines or as JSON-ready values all read those tables,
 * so a new setting is one row. An empty value turns a rule off, except for the settings that
 * have a default, where it restores the default. No I/O here.
 *
 * Besides the pass rules, the table holds the school's single sign-on (OpenID Connect)
 * settings: text values, each checked by a function of its own (an issuer is an https URL,
 * domains are a list of host names), and empty when not set.
 */
#ifndef HP_CORE_SETTINGS_H
#define HP_CORE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ranges and defaults of the table. */
#define HP_AUTO_END_MINUTES_MIN 10      /* Shorter would end real trips. */
#define HP_AUTO_END_MINUTES_MAX 720     /* Twelve hours: a school day. */
#define HP_AUTO_END_MINUTES_DEFAULT 120 /* Two hours, unless the school says otherwise. */
#define HP_TIME_LIMIT_MINUTES_MAX 240   /* A room's or the school's time limit, 1 to this. */
#define HP_MAX_ACTIVE_PASSES_MAX 10000  /* Hallway cap, 1 to this. */
#define HP_PASSES_PER_DAY_MAX 50        /* A student's daily limit, 1 to this. */
#define HP_PASSES_PER_WEEK_MAX 200      /* A student's weekly limit, 1 to this. */
#define HP_COOLDOWN_MINUTES_MAX 120     /* Cooldown, 1 to this. */
#define HP_NO_PASS_MINUTES_MAX 60       /* First or last minutes of a period, 1 to this. */
#define HP_LINE_OFFER_SECONDS_MIN 10    /* Time enough to walk to the kiosk. */
#define HP_LINE_OFFER_SECONDS_MAX 300
#define HP_LINE_OFFER_SECONDS_DEFAULT 30
#define HP_RETAIN_PASSES_DAYS_MIN 30   /* A month: the reports of the weeks just gone stay whole. */
#define HP_RETAIN_PASSES_DAYS_MAX 3650 /* Ten years. */

/* Byte caps of the sign-on settings' text: far above any real value, low enough that a
 * settings row and a page stay small. */
#define HP_OIDC_ISSUER_MAX 512      /* An issuer URL. */
#define HP_OIDC_CLIENT_ID_MAX 256   /* A client ID as a provider hands it out. */
#define HP_OIDC_SECRET_FILE_MAX 512 /* A file's absolute path. */
#define HP_OIDC_DOMAINS_MAX 1024    /* Comma-separated email domains. */
#define HP_OIDC_LABEL_MAX 64        /* The sign-in button's words. */

/* The school's settings. A limit of 0 means the rule is off (the setting is empty). */
typedef struct {
    int auto_end_minutes;           /* A pass still out this long after its start ends itself. */
    int default_time_limit_minutes; /* Time limit of a room without its own; 0: none. */
    int max_active_passes;          /* Hallway cap: passes active at once in the school. */
    int max_passes_per_day;         /* A student's counted now passes per local day. */
    int max_passes_per_week;        /* The same per local week, Monday to Sunday. */
    int cooldown_minutes;           /* Wait after a student's pass ends before the next. */
    int no_pass_first_minutes;      /* No passes in the first minutes of each period. */
    int no_pass_last_minutes;       /* No passes in the last minutes of each period. */
    bool wait_in_line;              /* A full room or hallway offers a place in line. */
    int line_offer_seconds;         /* How long an offer from the line waits to be taken. */
    int retain_passes_days;         /* Days a student's passes and refusals are kept; 0: ever. */
    /* Single sign-on; "" when not set. Arrays, not pointers, so that settings copy as
     * values and own no memory. */
    char oidc_issuer[HP_OIDC_ISSUER_MAX + 1];                  /* The provider's issuer URL. */
    char oidc_client_id[HP_OIDC_CLIENT_ID_MAX + 1];            /* hallpass's ID there. */
    char oidc_client_secret_file[HP_OIDC_SECRET_FILE_MAX + 1]; /* Holds the client secret. */
    char oidc_email_domains[HP_OIDC_DOMAINS_MAX + 1];          /* Allowed, comma-separated. */
    char oidc_label[HP_OIDC_LABEL_MAX + 1];                    /* The button's words. */
} hp_settings;

typedef enum { HP_SETTING_INT, HP_SETTING_BOOL, HP_SETTING_TEXT } hp_setting_type;

/* One setting or field: what the table says of it. */
typedef struct {
    const char *key;
    hp_setting_type type;
    int min, max;      /* Range of a whole number; for text, 0 and its byte cap. */
    bool has_default;  /* Empty restores default_value instead of turning the rule off. */
    int default_value; /* For a boolean, 0 or 1. */
    const char *meaning;
    size_t offset; /* Of the field in hp_settings; unused for room and student fields. */
    /* Text only: checks a value that is not empty, with a message naming the key. */
    int (*check)(const char *key, const char *text);
} hp_setting_spec;

/* The school settings, in the order they are listed and printed. */
#define HP_SETTINGS_COUNT 16
extern const hp_setting_spec hp_settings_table[HP_SETTINGS_COUNT];

/* The rule fields of rooms and students (they are not in hp_settings). */
extern const hp_setting_spec hp_field_time_limit_minutes;  /* Room: 1-240, empty: none. */
extern const hp_setting_spec hp_field_counts_toward_limit; /* Room: true (default), false. */
extern const hp_setting_spec hp_field_max_passes_per_day;  /* Student: 1-50, empty: none. */

/* Longest text of one value: a whole number or true/false, and its NUL. */
#define HP_SETTING_VALUE_LEN 16

/* The settings of a school that set none: every default, every other rule off. */
void hp_settings_init(hp_settings *settings);

/* The table row of a key, or NULL (no message set). */
const hp_setting_spec *hp_setting_find(const char *key);

/* Parses a value of a setting or field as text: digits for a whole number in range, true or
 * false (any ASCII case) for a boolean; empty or NULL gives the default, else 0 (off) or
 * false. The message names the key and the value:
 * `max_active_passes: "0" is not a whole number from 1 to 10000`. */
int hp_setting_parse(const hp_setting_spec *spec, const char *text, int *out);

/* A value as JSON holds it: null, a number or a boolean. */
typedef enum { HP_VALUE_NULL, HP_VALUE_NUMBER, HP_VALUE_BOOL, HP_VALUE_TEXT } hp_value_kind;
typedef struct {
    hp_value_kind kind;
    int64_t number;   /* When kind is HP_VALUE_NUMBER. */
    bool flag;        /* When kind is HP_VALUE_BOOL. */
    const char *text; /* When kind is HP_VALUE_TEXT; not owned. */
} hp_setting_value;

/* Checks a JSON value against a setting or field and gives it as hp_setting_parse would:
 * null means empty; a number for a boolean, or a boolean for a number, is refused
 * (`wait_in_line: 5 is not true or false`). */
int hp_setting_take(const hp_setting_spec *spec, const hp_setting_value *value, int *out);

/* A stored value (as hp_setting_parse gave it) as JSON: null when off, else the number or
 * the boolean. */
hp_setting_value hp_setting_json(const hp_setting_spec *spec, int value);

/* A stored value as text: "" when off, else the number, or true/false. */
void hp_setting_format(const hp_setting_spec *spec, int value, char out[HP_SETTING_VALUE_LEN]);

/* A school setting's current value as hp_setting_parse gives it; 0 for a text setting. */
int hp_settings_get(const hp_settings *settings, const hp_setting_spec *spec);

/* A text setting's value ("" when not set); NULL for a number or a boolean. */
const char *hp_settings_text(const hp_settings *settings, const hp_setting_spec *spec);

/* The words that turn sign-on on and off. An issuer must be an https URL; a test may also
 * allow http://127.0.0.1 (any port), where its own provider runs, and nothing else over http.
 * The command line allows it when HALLPASS_OIDC_TEST_LOOPBACK=1 is in the environment; a
 * real school never sets it, since its provider's answers would then travel unencrypted. */
void hp_settings_allow_loopback_issuer(bool allow);
bool hp_settings_loopback_issuer_allowed(void);

/* Checks an issuer's or a provider endpoint's URL as the rule above says; the message names
 * key. */
int hp_settings_issuer_check(const char *key, const char *url);

/* Whether the school has single sign-on set: an issuer, a client ID and allowed domains. */
bool hp_settings_oidc_on(const hp_settings *settings);

/* Whether the email's domain (after its last "@") is one of the school's allowed domains,
 * ASCII case ignored. */
bool hp_settings_oidc_domain_ok(const hp_settings *settings, const char *email);

/* Sets one school setting from text (hp_settings_set_text) or a JSON value (a NULL value is
 * JSON null); an unknown key is `"KEY" is not a setting (auto_end_minutes, ...)`. On failure
 * nothing changes. */
int hp_settings_set_text(hp_settings *settings, const char *key, const char *text);
int hp_settings_set_json(hp_settings *settings, const char *key, const hp_setting_value *value);

/* Sets one school setting from an argument `KEY=VALUE` (`KEY=` empties it). */
int hp_settings_assign(hp_settings *settings, const char *assignment);

/* Checks every value of a whole set of settings (as read back from a store) against the
 * table: in range, or off where empty means off. The message names the first that is not. */
int hp_settings_check(const hp_settings *settings);

/* Every setting as `KEY=VALUE` lines in table order, each ending in a newline; g_free it. */
char *hp_settings_format_lines(const hp_settings *settings);

/* The daily limit that applies to a student: their own max_passes_per_day (0: none), else
 * the school's. 0 when neither is set. */
int hp_settings_day_limit(const hp_settings *settings, int student_max_passes_per_day);

/* The time limit a pass takes when it starts: its destination's own time_limit_minutes, else
 * the school's default. 0 when neither is set. */
int hp_settings_time_limit(const hp_settings *settings, int room_time_limit_minutes);

#endif
