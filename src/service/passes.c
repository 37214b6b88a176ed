/* Pass rules; see passes.h. */
#include "service/passes.h"

#include "core/error.h"
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

/* Finds the student a request names: an email, or a user id in digits. */
static int find_student(hp_store *store, const hp_actor *actor, const char *who, hp_user *out)
{
    int rc;
    if (who == NULL || who[0] == '\0')
        return hp_error_set(HP_EINVALID, "student: missing");
    if (strlen(who) > HP_EMAIL_MAX)
        return hp_error_set(HP_EINVALID, "student: longer than %d bytes", HP_EMAIL_MAX);
    if (strspn(who, "0123456789") == strlen(who) && strlen(who) < 18)
        rc = hp_store_user_get(store, actor->school.id, strtoll(who, NULL, 10), out);
    else
        rc = hp_store_user_find(store, actor->school.id, who, out, NULL);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_EINVALID, "student: no student \"%s\"", who);
    if (rc < 0)
        return rc;
    if (out->role != HP_ROLE_STUDENT) {
        hp_user_release(out);
        return hp_error_set(HP_EINVALID, "student: \"%s\" is not a student", who);
    }
    return HP_OK;
}

static int find_room(hp_store *store, const hp_actor *actor, const char *field, const char *name,
                     hp_room *out)
{
    if (name == NULL || name[0] == '\0')
        return hp_error_set(HP_EINVALID, "%s: missing", field);
    if (strlen(name) > HP_NAME_MAX)
        return hp_error_set(HP_EINVALID, "%s: longer than %d bytes", field, HP_NAME_MAX);
    int rc = hp_store_room_find(store, actor->school.id, name, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_EINVALID, "%s: no room named \"%s\"", field, name);
    return rc;
}

/* Decides the source of a pass from who asks, and checks what that source allows. */
static int decide_source(const hp_actor *actor, const hp_pass_request *req, hp_pass *pass)
{
    if (actor->user.role == HP_ROLE_STUDENT) {
        pass->source = HP_SOURCE_STUDENT;
        if (req->type != HP_PASS_NOW)
            return hp_error_set(HP_EFORBIDDEN, "type: a student creates only now passes");
    } else if (hp_actor_is_kiosk(actor)) {
        pass->source =
            actor->user.role == HP_ROLE_KIOSK ? HP_SOURCE_KIOSK_LOGIN : HP_SOURCE_KIOSK_MODE;
        if (req->type != HP_PASS_NOW)
            return hp_error_set(HP_EFORBIDDEN, "type: a kiosk creates only now passes");
    } else if (hp_role_is_staff(actor->user.role)) {
        pass->source = HP_SOURCE_TEACHER;
    } else {
        return hp_error_set(HP_EFORBIDDEN, "this user may not create passes");
    }
    if (req->override && !hp_actor_is_staff(actor))
        return hp_error_set(HP_EFORBIDDEN, "override: only staff may override a room limit");
    pass->type = req->type;
    pass->creator_id = actor->user.id;
    return HP_OK;
}

/* Checks one room limit inside the transaction. */
static int check_limit(hp_store *store, const hp_actor *actor, const hp_room *room,
                       hp_active_kind kind, int64_t now)
{
    int limit = kind == HP_ACTIVE_FROM_ROOM ? room->max_from : room->max_to;
    int64_t active;
    if (limit <= 0)
        return HP_OK;
    int rc = hp_store_active_count(store, actor->school.id, kind, room->id, now, &active);
    if (rc < 0)
        return rc;
    if (active >= limit)
        return hp_error_set(HP_ECONFLICT, "%s: %lld of %d passes %s this room are active",
                            room->name, (long long)active, limit,
                            kind == HP_ACTIVE_FROM_ROOM ? "from" : "to");
    return HP_OK;
}

/* Adds a pass to the report counters (sign +1) or takes a cancelled one out (-1). */
static int add_counters(hp_store *store, const hp_actor *actor, const hp_pass *pass, int sign)
{
    hp_pass counted = *pass;
    counted.cancelled = false; /* What it added when it was written. */
    hp_tally *tally = hp_tally_new();
    hp_tally_pass(tally, &counted, sign);
    int rc = hp_tally_commit(tally, store, actor->school.id);
    hp_tally_free(tally);
    return rc;
}

int hp_pass_create(hp_store *store, const hp_actor *actor, const hp_pass_request *req, int64_t now,
                   hp_pass *out)
{
    hp_pass pass = {0};
    hp_user student = {0};
    hp_room origin = {0}, destination = {0};
    int rc;

    if ((rc = decide_source(actor, req, &pass)) < 0)
        return rc;
    if (actor->user.role == HP_ROLE_STUDENT) {
        if (req->student && req->student[0] && strcasecmp(req->student, actor->user.email) != 0)
            return hp_error_set(HP_EFORBIDDEN,
                                "student: a student creates passes only for themselves");
        pass.student_id = actor->user.id;
    } else {
        if ((rc = find_student(store, actor, req->student, &student)) < 0)
            return rc;
        pass.student_id = student.id;
    }

    if (hp_actor_is_kiosk(actor)) {
        if ((rc = hp_store_room_get(store, actor->school.id, hp_actor_kiosk_room(actor), &origin)) <
            0)
            goto out;
        if (req->origin && req->origin[0] && strcasecmp(req->origin, origin.name) != 0) {
            rc = hp_error_set(HP_EINVALID, "origin: a kiosk's passes leave from its room, %s",
                              origin.name);
            goto out;
        }
    } else if ((rc = find_room(store, actor, "origin", req->origin, &origin)) < 0) {
        goto out;
    }
    if ((rc = find_room(store, actor, "destination", req->destination, &destination)) < 0)
        goto out;
    if (origin.id == destination.id) {
        rc = hp_error_set(HP_EINVALID, "destination: the same room as the origin");
        goto out;
    }
    pass.origin_id = origin.id;
    pass.destination_id = destination.id;

    if (req->type == HP_PASS_SCHEDULED) {
        if (req->start == NULL || req->start[0] == '\0') {
            rc = hp_error_set(HP_EINVALID, "start: a scheduled pass needs its start");
            goto out;
        }
        if ((rc = hp_datetime_parse(req->start, &pass.start)) < 0) {
            rc = hp_error_prefix(rc, "start");
            goto out;
        }
        if (pass.start <= now) {
            rc = hp_error_set(HP_EINVALID, "start: a scheduled pass starts in the future");
            goto out;
        }
    }

    if ((rc = hp_store_begin(store)) < 0)
        goto out;
    if ((rc = hp_store_passes_lock(store, actor->school.id, pass.student_id, pass.origin_id,
                                   pass.destination_id)) < 0)
        goto rollback;
    now = locked_now(now);
    if (pass.type == HP_PASS_NOW)
        pass.start = now;
    pass.local_day = hp_tz_local_day(actor->tz, pass.start);
    if (pass.type == HP_PASS_NOW) {
        int64_t active;
        /* The rooms are read again inside the transaction, so a limit just changed holds. */
        hp_room_release(&origin);
        hp_room_release(&destination);
        if ((rc = hp_store_room_get(store, actor->school.id, pass.origin_id, &origin)) < 0 ||
            (rc = hp_store_room_get(store, actor->school.id, pass.destination_id, &destination)) <
                0 ||
            (rc = hp_store_active_count(store, actor->school.id, HP_ACTIVE_OF_STUDENT,
                                        pass.student_id, now, &active)) < 0)
            goto rollback;
        if (active > 0) {
            rc = hp_error_set(HP_ECONFLICT, "%s already has an active pass",
                              student.name ? student.name : actor->user.name);
            goto rollback;
        }
        if (!req->override &&
            ((rc = check_limit(store, actor, &origin, HP_ACTIVE_FROM_ROOM, now)) < 0 ||
             (rc = check_limit(store, actor, &destination, HP_ACTIVE_TO_ROOM, now)) < 0))
            goto rollback;
    }
    if ((rc = hp_store_pass_insert(store, actor->school.id, &pass)) < 0 ||
        (rc = add_counters(store, actor, &pass, 1)) < 0 || (rc = hp_store_commit(store)) < 0)
        goto rollback;
    *out = pass;
    goto out;
rollback:
    hp_store_rollback(store);
out:
    hp_user_release(&student);
    hp_room_release(&origin);
    hp_room_release(&destination);
    return rc;
}

static bool is_active(const hp_pass *pass, int64_t now)
{
    return !pass->cancelled && pass->start <= now && (!pass->has_end || now < pass->end);
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

int hp_pass_end(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now, hp_pass *out)
{
    hp_pass pass = {0};
    int rc;

    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_pass_get(store, actor->school.id, pass_id, &pass)) < 0)
        goto rollback;
    now = locked_now(now);
    if (!may_touch(actor, &pass)) {
        /* A pass this user may not see is, to them, a pass that does not exist. */
        rc =
            hp_error_set(HP_ENOTFOUND, "no pass with id %lld that you may end", (long long)pass_id);
        goto rollback;
    }
    if (pass.cancelled) {
        rc = hp_error_set(HP_ECONFLICT, "the pass was cancelled");
        goto rollback;
    }
    if (pass.start > now) {
        rc = hp_error_set(HP_ECONFLICT, "the pass has not started; cancel it instead");
        goto rollback;
    }
    if (!is_active(&pass, now)) {
        rc = hp_error_set(HP_ECONFLICT, "the pass has already ended");
        goto rollback;
    }
    if ((rc = hp_store_pass_set_end(store, actor->school.id, pass_id, now)) < 0 ||
        (rc = hp_store_commit(store)) < 0)
        goto rollback;
    pass.end = now;
    pass.has_end = true;
    *out = pass;
    return HP_OK;
rollback:
    hp_store_rollback(store);
    free(pass.ext_id);
    return rc;
}

int hp_pass_cancel(hp_store *store, const hp_actor *actor, int64_t pass_id, int64_t now,
                   hp_pass *out)
{
    hp_pass pass = {0};
    int rc;

    if (!hp_actor_is_staff(actor))
        return hp_error_set(HP_EFORBIDDEN, "only staff cancel passes");
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_pass_get(store, actor->school.id, pass_id, &pass)) < 0)
        goto rollback;
    now = locked_now(now);
    if (pass.type != HP_PASS_SCHEDULED || pass.cancelled || pass.start <= now) {
        rc = hp_error_set(HP_ECONFLICT, pass.cancelled ? "the pass is already cancelled"
                                        : pass.type != HP_PASS_SCHEDULED
                                            ? "only a scheduled pass can be cancelled"
                                            : "the pass has started; end it instead");
        goto rollback;
    }
    if ((rc = hp_store_pass_set_cancelled(store, actor->school.id, pass_id)) < 0 ||
        (rc = add_counters(store, actor, &pass, -1)) < 0 || (rc = hp_store_commit(store)) < 0)
        goto rollback;
    pass.cancelled = true;
    *out = pass;
    return HP_OK;
rollback:
    hp_store_rollback(store);
    free(pass.ext_id);
    return rc;
}

int hp_passes_visible(hp_store *store, const hp_actor *actor, int64_t now, bool upcoming,
                      hp_pass **out, size_t *count_out)
{
    int64_t student = actor->user.role == HP_ROLE_STUDENT ? actor->user.id : 0;
    hp_pass *passes;
    size_t n, kept = 0;
    int rc = hp_store_passes_active(store, actor->school.id, now, student, upcoming, &passes, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (may_touch(actor, &passes[i]) && (passes[i].start > now) == upcoming)
            passes[kept++] = passes[i];
        else
            free(passes[i].ext_id);
    }
    *out = passes;
    *count_out = kept;
    return HP_OK;
}
