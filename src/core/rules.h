/*
 * The pass rules as functions of a pass or a request, the counts a transaction gathered, and
 * `now`: a pass's time limit, overtime and auto-end (a pass left open ends itself, so it never
 * blocks its student for good), and the rules a now pass must pass, held in one table in their
 * order with who is checked, who may pass each with an override, and the words of each refusal.
 * The first rule that fails is the answer. No I/O here: the store gathers the counts under the
 * locks the rules need, and these functions decide.
 */
#ifndef HP_CORE_RULES_H
#define HP_CORE_RULES_H

#include "core/model.h"
#include "core/schedule.h"
#include "core/settings.h"
#include "core/tz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Time limits, overtime, auto-end ---- */

/* How a pass ended. */
typedef enum {
    HP_END_NONE,  /* Still out at the instant asked about (or not started, or cancelled). */
    HP_END_ENDED, /* Someone ended it. */
    HP_END_AUTO   /* It reached its auto-end deadline. */
} hp_end_reason;

/* The instant a pass ends itself: start + auto_end_minutes, the minutes as they stood at its
 * start. */
int64_t hp_pass_auto_end_at(const hp_pass *pass, int auto_end_minutes);

/* Whether a pass is active at t: not cancelled, start <= t, not ended by t, and
 * t < start + auto_end_minutes. An auto-end holds from its instant, whether or not the store
 * has written it yet. */
bool hp_pass_active_at(const hp_pass *pass, int auto_end_minutes, int64_t t);

/* How the pass stands at t: HP_END_NONE while active (or not yet started, or cancelled);
 * HP_END_ENDED when its written end is at or before t and before the deadline; HP_END_AUTO
 * once the deadline is reached first. *end_out (may be NULL) gets the end instant when the
 * reason is not HP_END_NONE: the written end or the deadline. A written end after the
 * deadline, as a late write by the clock would leave, counts as the deadline. */
hp_end_reason hp_pass_end_at(const hp_pass *pass, int auto_end_minutes, int64_t t,
                             int64_t *end_out);

/* Seconds a pass is over its time limit at t (0 when it is not): while active, t - start
 * beyond the limit; once ended, end - start beyond it. time_limit_minutes 0 means no limit. */
int64_t hp_pass_overtime_seconds(const hp_pass *pass, int time_limit_minutes, int auto_end_minutes,
                                 int64_t t);

/* Whether a pass is (or, ended, was) overtime at t: more than its limit. */
bool hp_pass_overtime_at(const hp_pass *pass, int time_limit_minutes, int auto_end_minutes,
                         int64_t t);

/* Whether a pass counts toward its student's daily and weekly limits: a now pass, not
 * cancelled, to a room that counted toward the limit when it started. Its day is its
 * local_day. */
bool hp_pass_counts_toward_limit(const hp_pass *pass);

/* ---- The rules of a now pass ---- */

/* The rules in the order they are checked; the values are their numbers. */
typedef enum {
    HP_RULE_NONE = 0,
    HP_RULE_STUDENT_ACTIVE = 1, /* No active pass and no outstanding offer from the line. */
    HP_RULE_NO_PASS_TIME = 2,   /* Not in a no-pass time. */
    HP_RULE_ENCOUNTER = 3,      /* No student of one of the student's active groups is out. */
    HP_RULE_COOLDOWN = 4,       /* The last pass ended at least cooldown_minutes ago. */
    HP_RULE_STUDENT_LIMIT = 5,  /* Counted passes today (this week) under the limit. */
    HP_RULE_MAX_FROM = 6,       /* The origin's Max Passes From This Room. */
    HP_RULE_MAX_TO = 7,         /* The destination's Max Passes To This Room. */
    HP_RULE_HALLWAY_CAP = 8     /* Passes active in the school under max_active_passes. */
} hp_rule_id;

#define HP_RULE_COUNT 8

/* A set of rules, bit (1 << id). */
typedef unsigned hp_rule_set;
#define HP_RULE_BIT(id) (1u << (id))
#define HP_RULES_ALL 0u /* In hp_rule_request.checked: every rule. */
/* What a pass made active again after a mis-tapped end must still pass. */
#define HP_RULES_RESUME                                                                            \
    (HP_RULE_BIT(HP_RULE_STUDENT_ACTIVE) | HP_RULE_BIT(HP_RULE_MAX_FROM) |                         \
     HP_RULE_BIT(HP_RULE_MAX_TO) | HP_RULE_BIT(HP_RULE_HALLWAY_CAP))

/* Who asks for the pass. */
typedef enum { HP_ASKER_STUDENT, HP_ASKER_KIOSK, HP_ASKER_STAFF } hp_asker;

/* The asker of a pass from its source: a student, a kiosk (either kind), or staff. */
hp_asker hp_asker_of_source(hp_source source);

/* The rule's name, as the 409's `rule` field and the pass's `overrides` say it. */
const char *hp_rule_name(hp_rule_id rule);

/* The rule of a name; HP_EINVALID with a message naming it otherwise. */
int hp_rule_parse(const char *name, hp_rule_id *out);

/* Whether the rule is checked for an asker, and whether staff may pass it with an override. */
bool hp_rule_checks(hp_rule_id rule, hp_asker asker);
bool hp_rule_staff_may_override(hp_rule_id rule);

/* A request for a pass, as the rules see it. */
typedef struct {
    hp_asker asker;
    bool override;       /* Staff only: passes every rule staff may pass. Ignored otherwise. */
    hp_pass_type type;   /* A scheduled pass is checked against no rule. */
    hp_rule_set checked; /* HP_RULES_ALL, or the rules to check (HP_RULES_RESUME). */
    const char *student; /* The student's name, for messages. */
    const char *origin;  /* Room names, for messages. */
    const char *destination;
} hp_rule_request;

/* What the transaction gathered, under its locks, at now. Limits of 0 are off. */
typedef struct {
    int64_t student_active_passes; /* The student's active passes. */
    int64_t student_offers;        /* Their outstanding offers, other than one being taken. */
    const char *encounter_group;   /* An active group of the student's with another student
                                      out (active pass or outstanding offer); NULL if none. */
    bool has_last_end;             /* The student has ended a pass. */
    int64_t last_end;              /* When their latest pass ended (an auto-end's deadline). */
    int64_t day_passes;            /* The student's counted passes this local day. */
    int64_t week_passes;           /* The same this local week. */
    int day_limit;                 /* hp_settings_day_limit: the student's own or the school's. */
    int64_t from_active;           /* Active passes and outstanding offers from the origin. */
    int max_from;                  /* The origin's limit. */
    int64_t to_active;             /* The same to the destination. */
    int max_to;
    int64_t hallway_active;           /* Active passes and outstanding offers in the school. */
    const hp_no_pass_window *no_pass; /* The window now falls in (hp_no_pass_at), or NULL. */
} hp_rule_counts;

/* Longest refusal: two names of HP_NAME_MAX bytes and the words around them. */
#define HP_RULE_MESSAGE_LEN 640

/* The answer of the rules. */
typedef struct {
    bool passed;
    hp_rule_id rule;                   /* The first rule that refused; HP_RULE_NONE when passed. */
    const char *rule_field;            /* The 409's `rule`; NULL when the asker may not be told (a
                                          student or kiosk refused by encounter), or when passed. */
    char message[HP_RULE_MESSAGE_LEN]; /* The refusal in the asker's words; "" when passed. */
    bool may_override;                 /* Staff may pass this refusal with an override. */
    bool line_fits; /* Refused only by max_from, max_to or hallway_cap: the line could help. */
    bool can_wait;  /* line_fits and the school's wait_in_line is on (staff too: "Send to line"). */
    hp_rule_id overrides[HP_RULE_COUNT]; /* Rules that refused but were passed over, in order. */
    size_t override_count;
} hp_rule_result;

/* Checks a request against the rules in their order, with the school's settings and zone
 * (for the local times in messages) at now. The first failing rule is the answer; with a
 * staff override, each rule staff may pass that fails is recorded in overrides instead. */
void hp_rules_check(const hp_rule_request *request, const hp_rule_counts *counts,
                    const hp_settings *settings, const hp_tz *tz, int64_t now, hp_rule_result *out);

/* The overrides of a result as the comma-separated names a pass records ("" when none);
 * g_free it. */
char *hp_rule_list_format(const hp_rule_id *rules, size_t count);

/* Parses such a list; *count_out gets how many (at most HP_RULE_COUNT, no repeats). */
int hp_rule_list_parse(const char *text, hp_rule_id out[HP_RULE_COUNT], size_t *count_out);

/* The words of a no-pass window: `No passes until 10:15 (first 10 minutes of Period 2)`,
 * with the local time of the school (the date too when the window ends on another day). */
void hp_no_pass_message(const hp_no_pass_window *window, const hp_tz *tz, int64_t now, char *out,
                        size_t size);

/* ---- A stored pass, with the limit and deadline it keeps ---- */

/* The auto-end minutes a pass was written with (its auto_end_at), for the functions above;
 * 0 when it has none. */
int hp_pass_auto_end_minutes(const hp_pass *pass);

/* The same questions as above, asked of a pass with its own stored limit and deadline. */
bool hp_pass_active(const hp_pass *pass, int64_t t);
hp_end_reason hp_pass_end_reason(const hp_pass *pass, int64_t t, int64_t *end_out);
int64_t hp_pass_overtime(const hp_pass *pass, int64_t t);

/* A pass's time limit, deadline and whether it counts toward its student's limits, from the
 * settings and its destination at its start. */
void hp_pass_fix_limits(hp_pass *pass, const hp_settings *settings,
                        int destination_time_limit_minutes, bool destination_counts_toward_limit);

/* How a pass ended, as JSON says it: "ended", "auto", or NULL while it has not. */
const char *hp_end_reason_name(hp_end_reason reason);

#endif
