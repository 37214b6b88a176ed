/* Time limits, auto-end and the table of pass rules; see rules.h. */
#include "core/rules.h"

#include "core/error.h"
#include "core/util.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define MINUTE 60

/* ---- Time limits, overtime, auto-end ---- */

/* No deadline for a pass whose minutes are unknown (0); every stored pass has them. */
static bool has_deadline(int auto_end_minutes)
{
    return auto_end_minutes > 0;
}

int64_t hp_pass_auto_end_at(const hp_pass *pass, int auto_end_minutes)
{
    return has_deadline(auto_end_minutes) ? pass->start + (int64_t)auto_end_minutes * MINUTE
                                          : INT64_MAX;
}

bool hp_pass_active_at(const hp_pass *pass, int auto_end_minutes, int64_t t)
{
    return !pass->cancelled && pass->start <= t && (!pass->has_end || t < pass->end) &&
           t < hp_pass_auto_end_at(pass, auto_end_minutes);
}

hp_end_reason hp_pass_end_at(const hp_pass *pass, int auto_end_minutes, int64_t t, int64_t *end_out)
{
    int64_t deadline = hp_pass_auto_end_at(pass, auto_end_minutes);
    hp_end_reason reason = HP_END_NONE;
    int64_t end = 0;
    if (pass->cancelled || pass->start > t)
        return HP_END_NONE;
    if (pass->has_end && pass->end <= t && pass->end < deadline) {
        reason = HP_END_ENDED;
        end = pass->end;
    } else if (t >= deadline) {
        reason = HP_END_AUTO;
        end = deadline;
    }
    if (end_out != NULL && reason != HP_END_NONE)
        *end_out = end;
    return reason;
}

int64_t hp_pass_overtime_seconds(const hp_pass *pass, int time_limit_minutes, int auto_end_minutes,
                                 int64_t t)
{
    int64_t stop = t;
    if (time_limit_minutes <= 0 || pass->cancelled || pass->start > t)
        return 0;
    hp_pass_end_at(pass, auto_end_minutes, t, &stop);
    int64_t over = stop - pass->start - (int64_t)time_limit_minutes * MINUTE;
    return over > 0 ? over : 0;
}

bool hp_pass_overtime_at(const hp_pass *pass, int time_limit_minutes, int auto_end_minutes,
                         int64_t t)
{
    return hp_pass_overtime_seconds(pass, time_limit_minutes, auto_end_minutes, t) > 0;
}

bool hp_pass_counts_toward_limit(const hp_pass *pass)
{
    return pass->type == HP_PASS_NOW && !pass->cancelled && !pass->limit_exempt;
}

/* ---- Local times in messages ---- */

/* The school's wall clock at t, as "HH:MM", or "YYYY-MM-DD HH:MM" when t falls on another
 * local day than now. Seconds round up: a pass allowed from 10:41:30 is not allowed at 10:41. */
static void local_clock(const hp_tz *tz, int64_t t, int64_t now, char *out, size_t size)
{
    int64_t rest = ((t % MINUTE) + MINUTE) % MINUTE;
    if (rest != 0)
        t += MINUTE - rest;
    char text[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, t, text);
    /* text is YYYY-MM-DDTHH:MM:SS followed by the offset. */
    if (hp_tz_local_day(tz, t) == hp_tz_local_day(tz, now))
        snprintf(out, size, "%.5s", text + 11);
    else
        snprintf(out, size, "%.10s %.5s", text, text + 11);
}

void hp_no_pass_message(const hp_no_pass_window *window, const hp_tz *tz, int64_t now, char *out,
                        size_t size)
{
    char until[32];
    if (window->has_end)
        local_clock(tz, window->end, now, until, sizeof(until));
    const char *label = window->label && window->label[0] ? window->label : NULL;
    switch (window->kind) {
    case HP_NO_PASS_FIRST:
    case HP_NO_PASS_LAST:
        snprintf(out, size, "No passes until %s (%s %d minute%s of %s)", until,
                 window->kind == HP_NO_PASS_FIRST ? "first" : "last", window->minutes,
                 window->minutes == 1 ? "" : "s", label ? label : "the period");
        return;
    case HP_NO_PASS_BLACKOUT:
        snprintf(out, size, "No passes %s%s%s%s%s", window->has_end ? "until " : "for now",
                 window->has_end ? until : "", label ? " (" : "", label ? label : "",
                 label ? ")" : "");
        return;
    }
}

/* ---- The rules ---- */

typedef struct {
    const hp_rule_request *request;
    const hp_rule_counts *counts;
    const hp_settings *settings;
    const hp_tz *tz;
    int64_t now;
} rule_ctx;

/* Who a rule is checked for, as bits of hp_asker. */
#define FOR_STUDENTS_KIOSKS ((1u << HP_ASKER_STUDENT) | (1u << HP_ASKER_KIOSK))
#define FOR_EVERYONE (FOR_STUDENTS_KIOSKS | (1u << HP_ASKER_STAFF))

typedef struct {
    hp_rule_id id;
    const char *name;
    unsigned checked_for;    /* Bits of hp_asker. */
    bool staff_may_override; /* With override: true. */
    bool line_fits;          /* A place in line could answer this refusal. */
    bool (*refuses)(const rule_ctx *ctx);
    void (*say)(const rule_ctx *ctx, char *out, size_t size);
} rule_spec;

static const char *student_name(const rule_ctx *ctx)
{
    return ctx->request->student ? ctx->request->student : "The student";
}

static bool student_active_refuses(const rule_ctx *ctx)
{
    return ctx->counts->student_active_passes > 0 || ctx->counts->student_offers > 0;
}

static void student_active_say(const rule_ctx *ctx, char *out, size_t size)
{
    if (ctx->counts->student_active_passes > 0)
        snprintf(out, size, "%s already has an active pass", student_name(ctx));
    else
        snprintf(out, size, "%s already has an offer from the line to take", student_name(ctx));
}

static bool no_pass_time_refuses(const rule_ctx *ctx)
{
    return ctx->counts->no_pass != NULL;
}

static void no_pass_time_say(const rule_ctx *ctx, char *out, size_t size)
{
    hp_no_pass_message(ctx->counts->no_pass, ctx->tz, ctx->now, out, size);
}

static bool encounter_refuses(const rule_ctx *ctx)
{
    return ctx->counts->encounter_group != NULL;
}

static void encounter_say(const rule_ctx *ctx, char *out, size_t size)
{
    /* A student or kiosk never learns that a group exists, nor who else is in it. */
    if (ctx->request->asker != HP_ASKER_STAFF)
        snprintf(out, size, "You can't start a pass right now. Please ask your teacher.");
    else
        snprintf(out, size, "Encounter group \"%s\": another student of this group is out",
                 ctx->counts->encounter_group);
}

static int64_t cooldown_until(const rule_ctx *ctx)
{
    return ctx->counts->last_end + (int64_t)ctx->settings->cooldown_minutes * MINUTE;
}

static bool cooldown_refuses(const rule_ctx *ctx)
{
    return ctx->settings->cooldown_minutes > 0 && ctx->counts->has_last_end &&
           ctx->now < cooldown_until(ctx);
}

static void cooldown_say(const rule_ctx *ctx, char *out, size_t size)
{
    char when[32];
    local_clock(ctx->tz, cooldown_until(ctx), ctx->now, when, sizeof(when));
    snprintf(out, size, "%s can start a new pass at %s", student_name(ctx), when);
}

/* A count has reached its limit; a limit of 0 is off. */
static bool at_limit(int64_t count, int limit)
{
    return limit > 0 && count >= limit;
}

static bool day_full(const rule_ctx *ctx)
{
    return at_limit(ctx->counts->day_passes, ctx->counts->day_limit);
}

static bool student_limit_refuses(const rule_ctx *ctx)
{
    return day_full(ctx) || at_limit(ctx->counts->week_passes, ctx->settings->max_passes_per_week);
}

static void student_limit_say(const rule_ctx *ctx, char *out, size_t size)
{
    bool day = day_full(ctx);
    snprintf(out, size, "%s has used %lld of %d passes %s", student_name(ctx),
             (long long)(day ? ctx->counts->day_passes : ctx->counts->week_passes),
             day ? ctx->counts->day_limit : ctx->settings->max_passes_per_week,
             day ? "today" : "this week");
}

static bool max_from_refuses(const rule_ctx *ctx)
{
    return at_limit(ctx->counts->from_active, ctx->counts->max_from);
}

/* A room's refusal: `Room 104: 2 of 2 passes from this room are active`. */
static void room_say(const char *room, int64_t active, int limit, const char *direction, char *out,
                     size_t size)
{
    snprintf(out, size, "%s: %lld of %d passes %s this room are active", room, (long long)active,
             limit, direction);
}

static void max_from_say(const rule_ctx *ctx, char *out, size_t size)
{
    room_say(ctx->request->origin ? ctx->request->origin : "The origin", ctx->counts->from_active,
             ctx->counts->max_from, "from", out, size);
}

static bool max_to_refuses(const rule_ctx *ctx)
{
    return at_limit(ctx->counts->to_active, ctx->counts->max_to);
}

static void max_to_say(const rule_ctx *ctx, char *out, size_t size)
{
    room_say(ctx->request->destination ? ctx->request->destination : "The destination",
             ctx->counts->to_active, ctx->counts->max_to, "to", out, size);
}

static bool hallway_cap_refuses(const rule_ctx *ctx)
{
    return at_limit(ctx->counts->hallway_active, ctx->settings->max_active_passes);
}

static void hallway_cap_say(const rule_ctx *ctx, char *out, size_t size)
{
    snprintf(out, size, "The hallway is full: %lld of %d passes are active",
             (long long)ctx->counts->hallway_active, ctx->settings->max_active_passes);
}

/* The rules in the order they are checked: the first that refuses is the answer. */
static const rule_spec rules[HP_RULE_COUNT] = {
    {HP_RULE_STUDENT_ACTIVE, "student_active", FOR_EVERYONE, false, false, student_active_refuses,
     student_active_say},
    {HP_RULE_NO_PASS_TIME, "no_pass_time", FOR_STUDENTS_KIOSKS, false, false, no_pass_time_refuses,
     no_pass_time_say},
    {HP_RULE_ENCOUNTER, "encounter", FOR_EVERYONE, true, false, encounter_refuses, encounter_say},
    {HP_RULE_COOLDOWN, "cooldown", FOR_STUDENTS_KIOSKS, false, false, cooldown_refuses,
     cooldown_say},
    {HP_RULE_STUDENT_LIMIT, "student_limit", FOR_EVERYONE, true, false, student_limit_refuses,
     student_limit_say},
    {HP_RULE_MAX_FROM, "max_from", FOR_EVERYONE, true, true, max_from_refuses, max_from_say},
    {HP_RULE_MAX_TO, "max_to", FOR_EVERYONE, true, true, max_to_refuses, max_to_say},
    {HP_RULE_HALLWAY_CAP, "hallway_cap", FOR_STUDENTS_KIOSKS, false, true, hallway_cap_refuses,
     hallway_cap_say},
};

static const rule_spec *rule_of(hp_rule_id id)
{
    return id >= 1 && id <= HP_RULE_COUNT ? &rules[id - 1] : NULL;
}

hp_asker hp_asker_of_source(hp_source source)
{
    switch (source) {
    case HP_SOURCE_STUDENT:
        return HP_ASKER_STUDENT;
    case HP_SOURCE_KIOSK_MODE:
    case HP_SOURCE_KIOSK_LOGIN:
        return HP_ASKER_KIOSK;
    case HP_SOURCE_TEACHER:
        break;
    }
    return HP_ASKER_STAFF;
}

const char *hp_rule_name(hp_rule_id rule)
{
    const rule_spec *spec = rule_of(rule);
    return spec ? spec->name : "";
}

int hp_rule_parse(const char *name, hp_rule_id *out)
{
    for (size_t i = 0; name && i < HP_ARRAY_SIZE(rules); i++) {
        if (strcmp(rules[i].name, name) == 0) {
            *out = rules[i].id;
            return HP_OK;
        }
    }
    return hp_error_set(HP_EINVALID, "\"%.64s\" is not a pass rule", name ? name : "");
}

bool hp_rule_checks(hp_rule_id rule, hp_asker asker)
{
    const rule_spec *spec = rule_of(rule);
    return spec && (spec->checked_for & (1u << asker)) != 0;
}

bool hp_rule_staff_may_override(hp_rule_id rule)
{
    const rule_spec *spec = rule_of(rule);
    return spec && spec->staff_may_override;
}

void hp_rules_check(const hp_rule_request *request, const hp_rule_counts *counts,
                    const hp_settings *settings, const hp_tz *tz, int64_t now, hp_rule_result *out)
{
    rule_ctx ctx = {request, counts, settings, tz, now};
    bool override = request->override && request->asker == HP_ASKER_STAFF;

    memset(out, 0, sizeof(*out));
    out->passed = true;
    /* A scheduled pass meets the rules when it starts, not when it is made. */
    if (request->type != HP_PASS_NOW)
        return;
    for (size_t i = 0; i < HP_ARRAY_SIZE(rules); i++) {
        const rule_spec *rule = &rules[i];
        if (request->checked != HP_RULES_ALL && !(request->checked & HP_RULE_BIT(rule->id)))
            continue;
        if (!(rule->checked_for & (1u << request->asker)) || !rule->refuses(&ctx))
            continue;
        if (override && rule->staff_may_override) {
            out->overrides[out->override_count++] = rule->id;
            continue;
        }
        out->passed = false;
        out->rule = rule->id;
        out->rule_field =
            rule->id == HP_RULE_ENCOUNTER && request->asker != HP_ASKER_STAFF ? NULL : rule->name;
        rule->say(&ctx, out->message, sizeof(out->message));
        out->may_override = rule->staff_may_override;
        out->line_fits = rule->line_fits;
        out->can_wait = rule->line_fits && settings->wait_in_line;
        return;
    }
}

char *hp_rule_list_format(const hp_rule_id *list, size_t count)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < count; i++)
        g_string_append_printf(out, "%s%s", i ? "," : "", hp_rule_name(list[i]));
    return g_string_free(out, FALSE);
}

int hp_rule_list_parse(const char *text, hp_rule_id out[HP_RULE_COUNT], size_t *count_out)
{
    hp_rule_set seen = 0;
    size_t n = 0;
    int rc = HP_OK;
    *count_out = 0;
    if (text == NULL || text[0] == '\0')
        return HP_OK;
    char **names = g_strsplit(text, ",", -1);
    for (char **p = names; *p; p++) {
        hp_rule_id id;
        if ((rc = hp_rule_parse(*p, &id)) < 0)
            break;
        if (seen & HP_RULE_BIT(id)) {
            rc = hp_error_set(HP_EINVALID, "%s: named twice", *p);
            break;
        }
        seen |= HP_RULE_BIT(id);
        out[n++] = id;
    }
    g_strfreev(names);
    if (rc == HP_OK)
        *count_out = n;
    return rc;
}

/* ---- A stored pass ---- */

int hp_pass_auto_end_minutes(const hp_pass *pass)
{
    return pass->auto_end_at > pass->start ? (int)((pass->auto_end_at - pass->start) / MINUTE) : 0;
}

bool hp_pass_active(const hp_pass *pass, int64_t t)
{
    return hp_pass_active_at(pass, hp_pass_auto_end_minutes(pass), t);
}

hp_end_reason hp_pass_end_reason(const hp_pass *pass, int64_t t, int64_t *end_out)
{
    return hp_pass_end_at(pass, hp_pass_auto_end_minutes(pass), t, end_out);
}

int64_t hp_pass_overtime(const hp_pass *pass, int64_t t)
{
    return hp_pass_overtime_seconds(pass, pass->time_limit_minutes, hp_pass_auto_end_minutes(pass),
                                    t);
}

void hp_pass_fix_limits(hp_pass *pass, const hp_settings *settings,
                        int destination_time_limit_minutes, bool destination_counts_toward_limit)
{
    pass->time_limit_minutes = hp_settings_time_limit(settings, destination_time_limit_minutes);
    pass->auto_end_at = pass->start + (int64_t)settings->auto_end_minutes * MINUTE;
    pass->limit_exempt = !destination_counts_toward_limit;
}

const char *hp_end_reason_name(hp_end_reason reason)
{
    switch (reason) {
    case HP_END_ENDED:
        return "ended";
    case HP_END_AUTO:
        return "auto";
    case HP_END_NONE:
        break;
    }
    return NULL;
}
