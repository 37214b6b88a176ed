/* The pass rules; see passes.h. */
#include "service/passes.h"

#include "core/error.h"
#include "core/line.h"
#include "core/rules.h"
#include "service/events.h"
#include "service/metrics.h"
#include "service/nopass.h"
#include "service/rooms.h"
#include "service/students.h"
#include "store/tally.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The time of a change, read once its transaction holds its locks, and never before `now`
 * (when the request came). A time read earlier could fall before an end committed while the
 * request waited for the lock: a pass ended at 10:00:08 and one created "at 10:00:07" would
 * both count as out at 10:00:07, one more than the limit. Read after the lock, times follow
 * the order in which the changes commit. */
static int64_t locked_now(int64_t now)
{
    int64_t t = g_get_real_time() / G_USEC_PER_SEC;
    return t > now ? t : now;
}

/* Decides the source of a pass from who asks, and checks that the source, the type and the
 * roles fit as they must for any pass; a live pass that does not fit is one the actor may not
 * create. */
static int decide_source(const hp_actor *actor, const hp_pass_request *req, hp_pass *pass)
{
    if (actor->user.role == HP_ROLE_STUDENT)
        pass->source = HP_SOURCE_STUDENT;
    else if (hp_actor_is_kiosk(actor))
        pass->source =
            actor->user.role == HP_ROLE_KIOSK ? HP_SOURCE_KIOSK_LOGIN : HP_SOURCE_KIOSK_MODE;
    else
        pass->source = HP_SOURCE_TEACHER;
    pass->type = req->type;
    pass->creator_id = actor->user.id;
    if (actor->user.role == HP_ROLE_STUDENT)
        pass->student_id = actor->user.id;
    /* The student is found later, and only a student is ever found. */
    if (hp_pass_check_fit(pass, HP_ROLE_STUDENT, actor->user.role, NULL) < 0) {
        char message[HP_ERROR_MAX];
        g_strlcpy(message, hp_error_last(), sizeof(message));
        return hp_error_set(HP_EFORBIDDEN, "%s", message);
    }
    if (req->override && !hp_actor_is_staff(actor))
        return hp_error_set(HP_EFORBIDDEN, "override: only staff may override a rule");
    return HP_OK;
}

/* Adds a pass to the report counters (sign +1) or takes a cancelled one out (-1). */
static int add_counters(hp_store *store, const hp_actor *actor, const hp_pass *pass, int sign)
{
    hp_pass counted = *pass;
    counted.cancelled = false; /* What it added when it was written. */
    hp_tally *tally = hp_tally_new(actor->tz);
    hp_tally_pass(tally, &counted, sign);
    int rc = hp_tally_commit(tally, store, actor->school.id);
    hp_tally_free(tally);
    return rc;
}

/* Adds what a pass's written end counts (sign +1 when it ends, -1 when it is made active
 * again): its time out, in the transaction that writes or clears the end. */
static int add_end_counters(hp_store *store, int64_t school_id, const hp_pass *pass, int sign)
{
    hp_tally *tally = hp_tally_new(NULL); /* An end's counters need no local hour. */
    hp_tally_pass_ended(tally, pass, sign);
    int rc = hp_tally_commit(tally, store, school_id);
    hp_tally_free(tally);
    return rc;
}

/* Records and counts a pass that passed an encounter group's rule by override, with the group
 * the rule read as blocking. */
static int record_group_override(hp_store *store, int64_t school_id, const hp_pass *pass,
                                 int64_t group_id)
{
    int rc = hp_store_group_override_add(store, school_id, pass->id, group_id, pass->local_day);
    if (rc < 0)
        return rc;
    hp_tally *tally = hp_tally_new(NULL);
    hp_tally_group_override(tally, group_id, pass->local_day);
    rc = hp_tally_commit(tally, store, school_id);
    hp_tally_free(tally);
    return rc;
}

/* Counts a pass started from the line for its destination: the wait from joining to starting. */
static int add_wait_counters(hp_store *store, int64_t school_id, const hp_pass *pass,
                             int64_t seconds)
{
    hp_tally *tally = hp_tally_new(NULL); /* A wait's counters need no local hour. */
    hp_tally_wait(tally, pass->destination_id, pass->local_day, seconds, 1);
    int rc = hp_tally_commit(tally, store, school_id);
    hp_tally_free(tally);
    return rc;
}

/* Whether a student's request names no one, or the student themselves (email or ID). */
static bool names_self(const hp_actor *actor, const char *who)
{
    return who == NULL || who[0] == '\0' || g_ascii_strcasecmp(who, actor->user.email) == 0 ||
           (actor->user.student_id != NULL && g_ascii_strcasecmp(who, actor->user.student_id) == 0);
}

/* Finds the pass's student: the actor for a student, else the one the request names. */
static int find_student(hp_store *store, const hp_actor *actor, const hp_pass_request *req,
                        hp_user *student)
{
    if (actor->user.role != HP_ROLE_STUDENT)
        return hp_student_named(store, actor, "student", req->student, student);
    if (!names_self(actor, req->student))
        return hp_error_set(HP_EFORBIDDEN, "student: a student creates passes only for themselves");
    return HP_OK;
}

/* Finds the pass's rooms: a kiosk's passes leave from its room. */
static int find_rooms(hp_store *store, const hp_actor *actor, const hp_pass_request *req,
                      hp_room *origin, hp_room *destination)
{
    int rc;
    if (hp_actor_is_kiosk(actor)) {
        if ((rc = hp_store_room_get(store, actor->school.id, hp_actor_kiosk_room(actor), origin)) <
            0)
            return rc;
        if (req->origin && req->origin[0] && g_ascii_strcasecmp(req->origin, origin->name) != 0)
            return hp_error_set(HP_EINVALID, "origin: a kiosk's passes leave from its room, %s",
                                origin->name);
    } else if ((rc = hp_room_named(store, actor, "origin", req->origin, origin)) < 0) {
        return rc;
    }
    if ((rc = hp_room_named(store, actor, "destination", req->destination, destination)) < 0)
        return rc;
    if (origin->id == destination->id)
        return hp_error_set(HP_EINVALID, "destination: the same room as the origin");
    return HP_OK;
}

/* A scheduled pass's start: given, and in the future. */
static int read_start(const hp_pass_request *req, int64_t now, hp_pass *pass)
{
    int rc;
    if (req->type != HP_PASS_SCHEDULED)
        return HP_OK;
    if (req->start == NULL || req->start[0] == '\0')
        return hp_error_set(HP_EINVALID, "start: a scheduled pass needs its start");
    if ((rc = hp_datetime_parse(req->start, &pass->start)) < 0)
        return hp_error_prefix(rc, "start");
    if (pass->start <= now)
        return hp_error_set(HP_EINVALID, "start: a scheduled pass starts in the future");
    return HP_OK;
}

/* ---- The rules in the transaction ---- */

/* How far back a student's last end can matter to the cooldown: a pass that ended within the
 * longest cooldown started at most the longest auto-end before that. */
#define LAST_END_LOOKBACK_SECONDS                                                                  \
    ((int64_t)(HP_AUTO_END_MINUTES_MAX + HP_COOLDOWN_MINUTES_MAX) * 60)

/* Passes the clock ends in one transaction: short transactions, and memory stays flat. */
#define AUTO_END_BATCH 200

/* What one pass's rules need to know, gathered inside its transaction. */
typedef struct {
    hp_settings settings;
    hp_room origin, destination; /* Read again under the locks: a limit just changed holds. */
    hp_user student;
    int64_t encounter_group_id; /* The group the encounter rule read as blocking, or 0. */
    char *encounter_group;      /* Its name, or NULL. */
    hp_nopass_state no_pass;    /* The no-pass window at now and the rows it points into. */
    int64_t exclude_entry;      /* The line's entry whose offer is being taken, or 0. */
    bool wait;                  /* A refusal the line can answer joins it instead. */
    bool holds_offer;           /* Rule 1 read an offer of the student's, and no pass. */
} rule_inputs;

static void rule_inputs_release(rule_inputs *in)
{
    hp_nopass_state_release(&in->no_pass);
    hp_room_release(&in->origin);
    hp_room_release(&in->destination);
    hp_user_release(&in->student);
    g_free(in->encounter_group);
    in->encounter_group = NULL;
}

/* Takes the row locks of a change to a pass in the one order every change uses: the rooms by
 * id and the student (hp_store_passes_lock), the student's active encounter groups by id for a
 * now pass, then the school: locked when the hallway cap is checked, else shared when the
 * no-pass times are (a change to them locks the school, so it waits for this pass, or this
 * pass for it). Then reads the settings, the rooms and the student as they stand under those
 * locks. */
static int lock_and_read(hp_store *store, const hp_actor *actor, const hp_pass *pass,
                         hp_asker asker, rule_inputs *in)
{
    int64_t school = actor->school.id;
    int rc;
    if ((rc = hp_store_passes_lock(store, school, pass->student_id, pass->origin_id,
                                   pass->destination_id)) < 0 ||
        (rc = hp_store_settings_get(store, school, &in->settings)) < 0)
        return rc;
    if (pass->type == HP_PASS_NOW &&
        (rc = hp_store_groups_lock(store, school, pass->student_id)) < 0)
        return rc;
    if (pass->type == HP_PASS_NOW && in->settings.max_active_passes > 0 &&
        hp_rule_checks(HP_RULE_HALLWAY_CAP, asker)) {
        if ((rc = hp_store_school_lock(store, school)) < 0)
            return rc;
    } else if (pass->type == HP_PASS_NOW && hp_rule_checks(HP_RULE_NO_PASS_TIME, asker) &&
               (rc = hp_store_school_lock_shared(store, school)) < 0) {
        return rc;
    }
    if ((rc = hp_store_room_get(store, school, pass->origin_id, &in->origin)) < 0 ||
        (rc = hp_store_room_get(store, school, pass->destination_id, &in->destination)) < 0 ||
        (rc = hp_store_user_get(store, school, pass->student_id, &in->student)) < 0)
        return rc;
    return HP_OK;
}

/* Whether the rules of a request will read a rule's counts: checked for the asker, and the
 * rule is on. */
static bool reads(const hp_rule_request *req, hp_rule_id rule)
{
    return (req->checked == HP_RULES_ALL || (req->checked & HP_RULE_BIT(rule))) &&
           hp_rule_checks(rule, req->asker);
}

/* What counts as out for the room limits and the hallway cap: the passes active at now and
 * the line's outstanding offers (other than the one being taken, whose place becomes the pass),
 * each read through its index. */
static int out_count(hp_store *store, const hp_actor *actor, hp_active_kind kind, int64_t id,
                     int64_t exclude_entry, int64_t now, int64_t *out)
{
    int64_t passes = 0, offers = 0;
    int rc;
    if ((rc = hp_store_active_count(store, actor->school.id, kind, id, now, &passes)) < 0 ||
        (rc = hp_store_line_offers(store, actor->school.id, kind, id, now, exclude_entry,
                                   &offers)) < 0)
        return rc;
    *out = passes + offers;
    return HP_OK;
}

/* Gathers the counts the rules of the request read at now, each from an index or only when
 * its rule is on, so a pass reads a bounded number of rows whatever the history. */
static int gather_counts(hp_store *store, const hp_actor *actor, const hp_rule_request *req,
                         const hp_pass *pass, rule_inputs *in, int64_t now, hp_rule_counts *counts)
{
    int64_t school = actor->school.id;
    int rc = HP_OK;
    memset(counts, 0, sizeof(*counts));
    counts->day_limit = hp_settings_day_limit(&in->settings, in->student.max_passes_per_day);
    counts->max_from = in->origin.max_from;
    counts->max_to = in->destination.max_to;
    /* The no-pass window: the blackout in force, else the day's periods when their first or
     * last minutes are on; the window points into in->no_pass, which outlives the check. */
    if (reads(req, HP_RULE_NO_PASS_TIME)) {
        if ((rc = hp_nopass_read(store, school, actor->tz, &in->settings, now, &in->no_pass)) < 0)
            return rc;
        counts->no_pass = in->no_pass.found ? &in->no_pass.window : NULL;
    }
    if (reads(req, HP_RULE_STUDENT_ACTIVE) &&
        ((rc = hp_store_active_count(store, school, HP_ACTIVE_OF_STUDENT, pass->student_id, now,
                                     &counts->student_active_passes)) < 0 ||
         (rc = hp_store_line_offers(store, school, HP_ACTIVE_OF_STUDENT, pass->student_id, now,
                                    in->exclude_entry, &counts->student_offers)) < 0))
        return rc;
    in->holds_offer = counts->student_active_passes == 0 && counts->student_offers > 0;
    if (reads(req, HP_RULE_ENCOUNTER)) {
        if ((rc = hp_store_group_encounter(store, school, pass->student_id, now,
                                           &in->encounter_group_id, &in->encounter_group)) < 0)
            return rc;
        counts->encounter_group = in->encounter_group;
    }
    if (reads(req, HP_RULE_COOLDOWN) && in->settings.cooldown_minutes > 0 &&
        (rc = hp_store_student_last_end(store, school, pass->student_id,
                                        hp_tz_local_day(actor->tz, now - LAST_END_LOOKBACK_SECONDS),
                                        now, &counts->has_last_end, &counts->last_end)) < 0)
        return rc;
    if (reads(req, HP_RULE_STUDENT_LIMIT)) {
        int32_t today = hp_tz_local_day(actor->tz, now), monday, sunday;
        hp_local_week(actor->tz, now, &monday, &sunday);
        if (counts->day_limit > 0 &&
            (rc = hp_store_student_counted(store, school, pass->student_id, today, today,
                                           &counts->day_passes)) < 0)
            return rc;
        if (in->settings.max_passes_per_week > 0 &&
            (rc = hp_store_student_counted(store, school, pass->student_id, monday, sunday,
                                           &counts->week_passes)) < 0)
            return rc;
    }
    if (reads(req, HP_RULE_MAX_FROM) && counts->max_from > 0 &&
        (rc = out_count(store, actor, HP_ACTIVE_FROM_ROOM, pass->origin_id, in->exclude_entry, now,
                        &counts->from_active)) < 0)
        return rc;
    if (reads(req, HP_RULE_MAX_TO) && counts->max_to > 0 &&
        (rc = out_count(store, actor, HP_ACTIVE_TO_ROOM, pass->destination_id, in->exclude_entry,
                        now, &counts->to_active)) < 0)
        return rc;
    if (reads(req, HP_RULE_HALLWAY_CAP) && in->settings.max_active_passes > 0 &&
        (rc = out_count(store, actor, HP_ACTIVE_IN_SCHOOL, 0, in->exclude_entry, now,
                        &counts->hallway_active)) < 0)
        return rc;
    return HP_OK;
}

/* Records a refusal and counts it in the transaction that decided it, per rule, student, room
 * and local day. */
static int record_refusal(hp_store *store, const hp_actor *actor, const hp_pass *pass,
                          const hp_rule_result *result, int64_t now)
{
    hp_refusal refusal = {
        .rule = result->rule,
        .student_id = pass->student_id,
        .origin_id = pass->origin_id,
        .destination_id = pass->destination_id,
        .source = pass->source,
        .at = now,
        .local_day = hp_tz_local_day(actor->tz, now),
    };
    int rc = hp_store_refusal_add(store, actor->school.id, &refusal);
    if (rc < 0)
        return rc;
    hp_tally *tally = hp_tally_new(NULL); /* Refusals only. */
    hp_tally_refusal(tally, &refusal, 1);
    rc = hp_tally_commit(tally, store, actor->school.id);
    hp_tally_free(tally);
    return rc;
}

/* Records a pass the encounter rule prevented, and counts it for its group, in the
 * transaction that refused it. */
static int record_prevented(hp_store *store, const hp_actor *actor, const hp_pass *pass,
                            const rule_inputs *in, int64_t now)
{
    int32_t day = hp_tz_local_day(actor->tz, now);
    hp_group_prevented prevented = {
        .group_id = in->encounter_group_id,
        .group_name = in->encounter_group,
        .student_id = pass->student_id,
        .at = now,
        .source = pass->source,
        .local_day = day,
    };
    int rc = hp_store_group_prevented_add(store, actor->school.id, &prevented);
    if (rc < 0)
        return rc;
    hp_tally *tally = hp_tally_new(NULL); /* Refusals only. */
    hp_tally_prevented(tally, in->encounter_group_id, day);
    rc = hp_tally_commit(tally, store, actor->school.id);
    hp_tally_free(tally);
    return rc;
}

/* Whether a refused request with wait goes to the line: a refusal the line can answer, or
 * the student's own offer from the line (they are in it already, which the join answers). */
static bool joins_line(const rule_inputs *in, const hp_rule_result *result)
{
    return in->wait &&
           (result->can_wait || (result->rule == HP_RULE_STUDENT_ACTIVE && in->holds_offer));
}

/* Asks the rules at now, with the locks held and the inputs read. On a refusal the refusal is
 * recorded and counted and *refused set; the caller commits that and answers HP_ECONFLICT. */
static int decide(hp_store *store, const hp_actor *actor, const hp_rule_request *req,
                  const hp_pass *pass, rule_inputs *in, int64_t now, hp_rule_result *result)
{
    hp_rule_counts counts;
    int rc;
    /* A scheduled pass meets no rule when it is made: nothing to read. */
    memset(&counts, 0, sizeof(counts));
    if (req->type == HP_PASS_NOW &&
        (rc = gather_counts(store, actor, req, pass, in, now, &counts)) < 0)
        return rc;
    hp_rules_check(req, &counts, &in->settings, actor->tz, now, result);
    /* A request that joins the line instead is not a refusal, and is not counted as one. */
    if (!result->passed && joins_line(in, result))
        return HP_OK;
    if (!result->passed) {
        if (result->rule == HP_RULE_ENCOUNTER && in->encounter_group &&
            (rc = record_prevented(store, actor, pass, in, now)) < 0)
            return rc;
        return record_refusal(store, actor, pass, result, now);
    }
    return HP_OK;
}

/* The error of a refusal, with what the answer says beside it. */
static int refuse(const hp_rule_result *result, hp_pass_refusal *refusal)
{
    if (refusal) {
        refusal->rule = result->rule;
        refusal->rule_field = result->rule_field;
        refusal->can_wait = result->can_wait;
    }
    return hp_error_set(HP_ECONFLICT, "%s", result->message);
}

static hp_rule_request rule_request(const hp_actor *actor, hp_asker asker, hp_pass_type type,
                                    bool override, hp_rule_set checked, const rule_inputs *in)
{
    return (hp_rule_request){
        .asker = asker,
        .override = override && hp_actor_is_staff(actor),
        .type = type,
        .checked = checked,
        .student = in->student.name,
        .origin = in->origin.name,
        .destination = in->destination.name,
    };
}

/* What a creation does with the waiting line: join it on a refusal it can answer, or take
 * an entry's offer. */
typedef struct {
    bool wait;         /* Join the line instead of a refusal by the room limits or the cap. */
    int64_t entry_id;  /* The entry whose offer becomes this pass; 0 for a plain creation. */
    int64_t joined_id; /* Out: the entry the request joined. */
} line_part;

/* Why an entry's offer cannot be taken at now, or NULL when it stands. */
static const char *why_not_take(const hp_line_entry *entry, int32_t today, int64_t now)
{
    switch (hp_line_state_at(entry, today, now)) {
    case HP_LINE_OFFERED:
        return NULL;
    case HP_LINE_WAITING:
        return entry->lapses > 0 ? "the offer has lapsed" : "the offer has not come yet";
    case HP_LINE_LAPSED:
        return "the offer has lapsed";
    case HP_LINE_STARTED:
        return "the offer was already taken";
    default:
        return "the entry is no longer in line";
    }
}

/* Under the pass's locks: the student joins the line, unless they are in it already. */
static int join_line(hp_store *store, const hp_actor *actor, const hp_pass *pass,
                     const rule_inputs *in, int64_t now, int64_t *joined_id)
{
    hp_line_entry *mine = NULL;
    size_t n = 0;
    int32_t today = hp_tz_local_day(actor->tz, now);
    hp_line_filter filter = {.kind = HP_LINE_LIST_IN_LINE,
                             .now = now,
                             .today = today,
                             .student_id = pass->student_id,
                             .limit = 1};
    int rc = hp_store_line_list(store, actor->school.id, &filter, &mine, &n);
    hp_line_entries_free(mine, n);
    if (rc < 0)
        return rc;
    if (n > 0)
        return hp_error_set(HP_ECONFLICT, "%s is already in line", in->student.name);
    hp_line_entry entry = {
        .student_id = pass->student_id,
        .origin_id = pass->origin_id,
        .destination_id = pass->destination_id,
        .creator_id = pass->creator_id,
        .source = pass->source,
        .joined = now,
        .local_day = today,
    };
    if ((rc = hp_store_line_insert(store, actor->school.id, &entry)) < 0)
        return rc;
    *joined_id = entry.id;
    return HP_OK;
}

/* Under the pass's locks: reads the entry whose offer is being taken, which must stand. */
static int read_offer(hp_store *store, const hp_actor *actor, const hp_pass *pass, int64_t entry_id,
                      int64_t now, hp_line_entry *entry)
{
    int rc = hp_store_line_get(store, actor->school.id, entry_id, entry);
    if (rc < 0)
        return rc;
    if (entry->student_id != pass->student_id || entry->origin_id != pass->origin_id ||
        entry->destination_id != pass->destination_id)
        return hp_error_set(HP_ECONFLICT, "the entry is no longer in line");
    const char *why = why_not_take(entry, hp_tz_local_day(actor->tz, now), now);
    return why ? hp_error_set(HP_ECONFLICT, "%s", why) : HP_OK;
}

/* Writes a pass whose fields are checked, in one transaction with its rules and counters. A
 * refusal commits its counters and answers HP_ECONFLICT; a join of the line answers
 * HP_PASS_JOINED_LINE. A now pass that starts removes its student from the line. */
static int write_pass(hp_store *store, const hp_actor *actor, const hp_pass_request *req,
                      hp_pass *pass, int64_t now, hp_pass_refusal *refusal, line_part *line)
{
    rule_inputs in = {.exclude_entry = line->entry_id, .wait = line->wait};
    hp_rule_result result = {.passed = true};
    hp_line_entry taken = {0};
    int rc;
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = lock_and_read(store, actor, pass, hp_asker_of_source(pass->source), &in)) < 0)
        goto rollback;
    now = locked_now(now);
    if (line->entry_id && (rc = read_offer(store, actor, pass, line->entry_id, now, &taken)) < 0)
        goto rollback;
    if (pass->type == HP_PASS_NOW)
        pass->start = now;
    pass->local_day = hp_tz_local_day(actor->tz, pass->start);
    hp_pass_fix_limits(pass, &in.settings, in.destination.time_limit_minutes,
                       in.destination.counts_toward_limit);
    hp_rule_request rr = rule_request(actor, hp_asker_of_source(pass->source), pass->type,
                                      req->override, HP_RULES_ALL, &in);
    if ((rc = decide(store, actor, &rr, pass, &in, now, &result)) < 0)
        goto rollback;
    if (!result.passed && joins_line(&in, &result)) {
        if ((rc = join_line(store, actor, pass, &in, now, &line->joined_id)) < 0 ||
            (rc = hp_store_commit(store)) < 0)
            goto rollback;
        rule_inputs_release(&in);
        hp_line_entry_release(&taken);
        return HP_PASS_JOINED_LINE;
    }
    if (!result.passed) {
        if ((rc = hp_store_commit(store)) < 0)
            goto rollback;
        hp_metrics_pass_refused(result.rule);
        rule_inputs_release(&in);
        hp_line_entry_release(&taken);
        return refuse(&result, refusal);
    }
    for (size_t i = 0; i < result.override_count; i++)
        pass->overrides |= HP_RULE_BIT(result.overrides[i]);
    if ((rc = hp_store_pass_insert(store, actor->school.id, pass)) < 0 ||
        (rc = add_counters(store, actor, pass, 1)) < 0 ||
        ((pass->overrides & HP_RULE_BIT(HP_RULE_ENCOUNTER)) && in.encounter_group_id &&
         (rc = record_group_override(store, actor->school.id, pass, in.encounter_group_id)) < 0))
        goto rollback;
    if (line->entry_id) {
        taken.state = HP_LINE_STARTED;
        taken.pass_id = pass->id;
        taken.ended_at = now;
        if ((rc = hp_store_line_update(store, actor->school.id, &taken)) < 0 ||
            (rc = add_wait_counters(store, actor->school.id, pass, pass->start - taken.joined)) < 0)
            goto rollback;
    }
    if (pass->type == HP_PASS_NOW &&
        (rc = hp_store_line_remove_student(store, actor->school.id, pass->student_id, now)) < 0)
        goto rollback;
    if ((rc = hp_store_commit(store)) < 0)
        goto rollback;
    hp_metrics_pass_created(pass->overrides != 0);
    rule_inputs_release(&in);
    hp_line_entry_release(&taken);
    return HP_OK;
rollback:
    hp_store_rollback(store);
    rule_inputs_release(&in);
    hp_line_entry_release(&taken);
    return rc;
}

/* The pass as shown, with its names, read after its change committed. */
static int view_of(hp_store *store, const hp_actor *actor, int64_t pass_id, hp_pass_view *out)
{
    hp_pass_filter filter = {.pass_id = pass_id};
    hp_pass_view *views;
    size_t n;
    int rc = hp_store_passes_list(store, actor->school.id, &filter, &views, &n);
    if (rc < 0)
        return rc;
    if (n == 0) {
        hp_pass_views_free(views, n);
        return hp_error_set(HP_ENOTFOUND, "no pass with id %lld", (long long)pass_id);
    }
    *out = views[0];
    views[0] = (hp_pass_view){0};
    hp_pass_views_free(views, n);
    return HP_OK;
}

int hp_pass_create(hp_store *store, const hp_actor *actor, const hp_pass_request *req, int64_t now,
                   hp_pass_view *out, hp_pass_refusal *refusal)
{
    hp_pass pass = {0};
    hp_user student = {0};
    hp_room origin = {0}, destination = {0};
    int rc;

    if ((rc = decide_source(actor, req, &pass)) < 0 ||
        (rc = find_student(store, actor, req, &student)) < 0 ||
        (rc = find_rooms(store, actor, req, &origin, &destination)) < 0 ||
        (rc = read_start(req, now, &pass)) < 0)
        goto out;
    if (student.id)
        pass.student_id = student.id;
    pass.origin_id = origin.id;
    pass.destination_id = destination.id;
    const hp_user *who = student.id ? &student : &actor->user;
    if (refusal)
        *refusal = (hp_pass_refusal){0};
    if (req->wait && req->type != HP_PASS_NOW) {
        rc = hp_error_set(HP_EINVALID, "wait: only a pass for now waits in line");
        goto out;
    }
    line_part line = {.wait = req->wait, .entry_id = req->line_entry};
    if ((rc = write_pass(store, actor, req, &pass, now, refusal, &line)) < 0)
        goto out;
    if (rc == HP_PASS_JOINED_LINE) {
        if (refusal)
            refusal->joined_entry = line.joined_id;
        goto out;
    }
    /* The answer is built from what the request found, with no read after the commit that
     * could fail. */
    *out = (hp_pass_view){
        .pass = pass,
        .student_name = g_strdup(who->name),
        .student_email = g_strdup(who->email),
        .student_id = g_strdup(who->student_id),
        .origin_name = g_strdup(origin.name),
        .destination_name = g_strdup(destination.name),
        .creator_name = g_strdup(actor->user.name),
        .creator_email = g_strdup(actor->user.email),
    };
    pass = (hp_pass){0};
out:
    hp_pass_release(&pass);
    hp_user_release(&student);
    hp_room_release(&origin);
    hp_room_release(&destination);
    return rc;
}

/* Whether the actor may see or end a pass. */
static bool may_touch(const hp_actor *actor, const hp_pass *pass)
{
    if (hp_actor_is_staff(actor))
        return true;
    if (actor->user.role == HP_ROLE_STUDENT)
        return pass->student_id == actor->user.id;
    if (hp_actor_is_kiosk(actor)) {
        int64_t room = hp_actor_kiosk_room(actor);
        return pass->origin_id == room || pass->destination_id == room;
    }
    return false;
}

/* Why a pass cannot be ended at now, or NULL when it can. */
static const char *why_not_end(const hp_pass *pass, int64_t now)
{
    if (pass->cancelled)
        return "the pass was cancelled";
    if (pass->start > now)
        return "the pass has not started; cancel it instead";
    if (hp_pass_end_reason(pass, now, NULL) == HP_END_AUTO)
        return "the pass has already ended itself";
    if (!hp_pass_active(pass, now))
        return "the pass has already ended";
    return NULL;
}

/* Why a pass cannot be resumed at now, or NULL when it can. */
static const char *why_not_resume(const hp_pass *pass, int64_t now)
{
    int64_t end = 0;
    hp_end_reason reason = hp_pass_end_reason(pass, now, &end);
    if (pass->cancelled)
        return "the pass was cancelled";
    if (reason == HP_END_NONE)
        return "the pass has not ended";
    if (reason == HP_END_AUTO || now >= pass->auto_end_at)
        return "the pass ended itself after its time out; start a new pass";
    if (now - end > HP_RESUME_SECONDS)
        return "the pass ended more than a minute ago; start a new pass";
    return NULL;
}

/* Why a pass cannot be cancelled at now, or NULL when it can. */
static const char *why_not_cancel(const hp_pass *pass, int64_t now)
{
    if (pass->cancelled)
        return "the pass is already cancelled";
    if (pass->type != HP_PASS_SCHEDULED)
        return "only a scheduled pass can be cancelled";
    if (pass->start <= now)
        return "the pass has started; end it instead";
    return NULL;
}

/* Ends (cancel false) or cancels a pass in one transaction; the view is read in it too, so
 * that an answer never lacks a change that committed. */
static int change_pass(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                       bool cancel, hp_pass_view *out)
{
    hp_pass pass = {0};
    const char *why;
    int rc;

    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_pass_get(store, actor->school.id, pass_id, &pass)) < 0)
        goto rollback;
    now = locked_now(now);
    if (!cancel && !may_touch(actor, &pass)) {
        /* A pass this user may not see is, to them, a pass that does not exist. */
        rc =
            hp_error_set(HP_ENOTFOUND, "no pass with id %lld that you may end", (long long)pass_id);
        goto rollback;
    }
    if ((why = cancel ? why_not_cancel(&pass, now) : why_not_end(&pass, now)) != NULL) {
        rc = hp_error_set(HP_ECONFLICT, "%s", why);
        goto rollback;
    }
    if (cancel) {
        rc = hp_store_pass_set_cancelled(store, actor->school.id, pass_id);
    } else {
        rc = hp_store_pass_set_end(store, actor->school.id, pass_id, now);
        pass.has_end = true;
        pass.end = now;
    }
    if (rc < 0 || (cancel && (rc = add_counters(store, actor, &pass, -1)) < 0) ||
        (!cancel && (rc = add_end_counters(store, actor->school.id, &pass, 1)) < 0) ||
        (rc = view_of(store, actor, pass_id, out)) < 0)
        goto rollback;
    if ((rc = hp_store_commit(store)) < 0) {
        hp_pass_view_release(out);
        goto rollback;
    }
    hp_pass_release(&pass);
    return HP_OK;
rollback:
    hp_store_rollback(store);
    hp_pass_release(&pass);
    return rc;
}

int hp_pass_end(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                hp_pass_view *out)
{
    return change_pass(store, actor, pass_id, now, false, out);
}

int hp_pass_cancel(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                   hp_pass_view *out)
{
    if (!hp_actor_is_staff(actor))
        return hp_error_set(HP_EFORBIDDEN, "only staff cancel passes");
    return change_pass(store, actor, pass_id, now, true, out);
}

int hp_passes_visible(hp_store *store, const hp_actor *actor, int64_t now, bool upcoming,
                      hp_pass_view **out, size_t *count_out)
{
    /* The store lists the active passes with the scheduled ones still to start; the upcoming
     * list keeps only those, the active list asks without them. */
    hp_pass_filter filter = {
        .active = true,
        .with_scheduled = upcoming,
        .at = now,
        .student_id = actor->user.role == HP_ROLE_STUDENT ? actor->user.id : 0,
    };
    hp_pass_view *views;
    size_t n, kept = 0;
    int rc = hp_store_passes_list(store, actor->school.id, &filter, &views, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (may_touch(actor, &views[i].pass) && (!upcoming || views[i].pass.start > now))
            views[kept++] = views[i];
        else
            hp_pass_view_release(&views[i]);
    }
    *out = views;
    *count_out = kept;
    return HP_OK;
}

int hp_passes_of_day(hp_store *store, const hp_actor *actor, const char *date, const char *student,
                     hp_pass_view **out, size_t *count_out)
{
    hp_pass_filter filter = {.on_day = true};
    int rc;
    if (date == NULL || date[0] == '\0')
        return hp_error_set(HP_EINVALID, "date: missing");
    if ((rc = hp_date_parse(date, &filter.day)) < 0)
        return hp_error_prefix(rc, "date");
    if (actor->user.role == HP_ROLE_STUDENT) {
        if (!names_self(actor, student))
            return hp_error_set(HP_EFORBIDDEN, "student: a student sees only their own passes");
        filter.student_id = actor->user.id;
    } else if (student && student[0]) {
        if (!hp_actor_is_staff(actor))
            return hp_error_set(HP_EFORBIDDEN, "student: only staff list a student's passes");
        hp_user who = {0};
        rc = hp_student_named(store, actor, "student", student, &who);
        filter.student_id = who.id;
        hp_user_release(&who);
        if (rc < 0)
            return rc;
    }
    hp_pass_view *views;
    size_t n, kept = 0;
    if ((rc = hp_store_passes_list(store, actor->school.id, &filter, &views, &n)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (may_touch(actor, &views[i].pass))
            views[kept++] = views[i];
        else
            hp_pass_view_release(&views[i]);
    }
    *out = views;
    *count_out = kept;
    return HP_OK;
}

/* Who asks, as the rules see them: a student, a kiosk (a kiosk login or kiosk mode), staff. */
static hp_asker asker_of(const hp_actor *actor)
{
    if (actor->user.role == HP_ROLE_STUDENT)
        return HP_ASKER_STUDENT;
    return hp_actor_is_kiosk(actor) ? HP_ASKER_KIOSK : HP_ASKER_STAFF;
}

/* The pass is read (and on a backend with row locks, locked) first, then the rooms, the
 * student and the school: no transaction that holds one of those ever waits for a pass's
 * row (a creation inserts a new one, an end locks only its pass, the clock skips locked
 * passes), so this order cannot deadlock with the creators' order. */
int hp_pass_resume(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                   hp_pass_view *out, hp_pass_refusal *refusal)
{
    hp_pass pass = {0};
    rule_inputs in = {0};
    hp_rule_result result = {.passed = true};
    hp_asker asker = asker_of(actor);
    const char *why;
    int rc;

    if (refusal)
        *refusal = (hp_pass_refusal){0};
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_pass_get(store, actor->school.id, pass_id, &pass)) < 0)
        goto rollback;
    if (!may_touch(actor, &pass)) {
        rc = hp_error_set(HP_ENOTFOUND, "no pass with id %lld that you may resume",
                          (long long)pass_id);
        goto rollback;
    }
    /* Locked as the now pass it would be again, whatever its type: a resumed scheduled pass is
     * checked against the hallway cap and the no-pass times' lock like any other. */
    hp_pass as_now = pass;
    as_now.type = HP_PASS_NOW;
    if ((rc = lock_and_read(store, actor, &as_now, asker, &in)) < 0)
        goto rollback;
    now = locked_now(now);
    if ((why = why_not_resume(&pass, now)) != NULL) {
        rc = hp_error_set(HP_ECONFLICT, "%s", why);
        goto rollback;
    }
    /* Checked as a now pass, whatever its type: it would be out again from now. */
    hp_rule_request rr = rule_request(actor, asker, HP_PASS_NOW, false, HP_RULES_RESUME, &in);
    if ((rc = decide(store, actor, &rr, &pass, &in, now, &result)) < 0)
        goto rollback;
    if (!result.passed) {
        if ((rc = hp_store_commit(store)) < 0)
            goto rollback;
        hp_metrics_pass_refused(result.rule);
        rule_inputs_release(&in);
        hp_pass_release(&pass);
        result.can_wait = false; /* The line starts new passes; it does not resume one. */
        return refuse(&result, refusal);
    }
    /* What its end added (its time out) is taken out with the end. */
    if ((rc = hp_store_pass_reopen(store, actor->school.id, pass_id)) < 0 ||
        (rc = add_end_counters(store, actor->school.id, &pass, -1)) < 0 ||
        (rc = view_of(store, actor, pass_id, out)) < 0)
        goto rollback;
    if ((rc = hp_store_commit(store)) < 0) {
        hp_pass_view_release(out);
        goto rollback;
    }
    rule_inputs_release(&in);
    hp_pass_release(&pass);
    return HP_OK;
rollback:
    hp_store_rollback(store);
    rule_inputs_release(&in);
    hp_pass_release(&pass);
    return rc;
}

int hp_pass_rules_allow(hp_store *store, const hp_actor *actor, const hp_pass *pass, int64_t now,
                        bool *allowed)
{
    rule_inputs in = {0};
    hp_rule_result result;
    hp_rule_counts counts;
    int64_t school = actor->school.id;
    int rc;
    *allowed = false;
    if ((rc = hp_store_settings_get(store, school, &in.settings)) < 0 ||
        (rc = hp_store_room_get(store, school, pass->origin_id, &in.origin)) < 0 ||
        (rc = hp_store_room_get(store, school, pass->destination_id, &in.destination)) < 0 ||
        (rc = hp_store_user_get(store, school, pass->student_id, &in.student)) < 0)
        goto out;
    hp_rule_request rr = rule_request(actor, hp_asker_of_source(pass->source), HP_PASS_NOW, false,
                                      HP_RULES_ALL, &in);
    if ((rc = gather_counts(store, actor, &rr, pass, &in, now, &counts)) < 0)
        goto out;
    hp_rules_check(&rr, &counts, &in.settings, actor->tz, now, &result);
    *allowed = result.passed;
out:
    rule_inputs_release(&in);
    return rc;
}

/* One batch of a school's due auto-ends, in one transaction: each end is its deadline. */
static int auto_end_batch(hp_store *store, int64_t school_id, int64_t now, size_t *count_out)
{
    hp_pass *due = NULL;
    size_t n = 0;
    int rc;
    *count_out = 0;
    /* A look first, outside any transaction: most seconds nothing is due, and a write
     * transaction each second would keep SQLite's writers waiting for nothing. */
    if ((rc = hp_store_passes_due(store, school_id, now, 1, &due, &n)) < 0)
        return rc;
    hp_passes_free(due, n);
    due = NULL;
    if (n == 0)
        return HP_OK;
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_passes_due(store, school_id, now, AUTO_END_BATCH, &due, &n)) < 0)
        goto rollback;
    /* Each end at its deadline, and what the batch's ends count (their time out) summed and
     * written once. */
    hp_tally *ends = hp_tally_new(NULL); /* An end's counters need no local hour. */
    for (size_t i = 0; i < n && rc == HP_OK; i++) {
        rc = hp_store_pass_set_end(store, school_id, due[i].id, due[i].auto_end_at);
        due[i].has_end = true;
        due[i].end = due[i].auto_end_at;
        hp_tally_pass_ended(ends, &due[i], 1);
    }
    if (rc == HP_OK)
        rc = hp_tally_commit(ends, store, school_id);
    hp_tally_free(ends);
    if (rc < 0 || (rc = hp_store_commit(store)) < 0)
        goto rollback;
    hp_passes_free(due, n);
    *count_out = n;
    return HP_OK;
rollback:
    hp_store_rollback(store);
    hp_passes_free(due, n);
    return rc;
}

int hp_passes_auto_end(hp_store *store, int64_t now, size_t *ended_out)
{
    hp_school *schools;
    size_t n, total = 0;
    int rc = hp_store_schools_list(store, &schools, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n && rc == HP_OK; i++) {
        size_t ended = 0, school_total = 0;
        /* A server that was down catches up batch by batch. */
        do {
            rc = auto_end_batch(store, schools[i].id, now, &ended);
            school_total += ended;
        } while (rc == HP_OK && ended == AUTO_END_BATCH);
        if (school_total > 0)
            hp_events_notify(schools[i].id);
        total += school_total;
    }
    hp_schools_free(schools, n);
    if (ended_out)
        *ended_out = total;
    return rc;
}
