/* The pass rules; see passes.h. */
#include "service/passes.h"

#include "core/error.h"
#include "core/rules.h"
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
        return hp_error_set(HP_EFORBIDDEN, "override: only staff may override a room limit");
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

/* Finds the pass's student: the actor for a student, else the one the request names. */
static int find_student(hp_store *store, const hp_actor *actor, const hp_pass_request *req,
                        hp_user *student)
{
    if (actor->user.role != HP_ROLE_STUDENT)
        return hp_student_named(store, actor, "student", req->student, student);
    if (req->student && req->student[0] &&
        g_ascii_strcasecmp(req->student, actor->user.email) != 0 &&
        (actor->user.student_id == NULL ||
         g_ascii_strcasecmp(req->student, actor->user.student_id) != 0))
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

/* Inside the transaction, with its locks held: the rules a now pass must meet at `now`. The
 * rooms are read again, so a limit just changed holds. */
static int check_now_pass(hp_store *store, const hp_actor *actor, const hp_pass_request *req,
                          const hp_pass *pass, const char *student_name, int64_t now)
{
    hp_room origin = {0}, destination = {0};
    int64_t active;
    int rc;
    if ((rc = hp_store_room_get(store, actor->school.id, pass->origin_id, &origin)) < 0 ||
        (rc = hp_store_room_get(store, actor->school.id, pass->destination_id, &destination)) < 0 ||
        (rc = hp_store_active_count(store, actor->school.id, HP_ACTIVE_OF_STUDENT, pass->student_id,
                                    now, &active)) < 0)
        goto out;
    if (active > 0) {
        rc = hp_error_set(HP_ECONFLICT, "%s already has an active pass", student_name);
        goto out;
    }
    if (!req->override &&
        ((rc = check_limit(store, actor, &origin, HP_ACTIVE_FROM_ROOM, now)) < 0 ||
         (rc = check_limit(store, actor, &destination, HP_ACTIVE_TO_ROOM, now)) < 0))
        goto out;
out:
    hp_room_release(&origin);
    hp_room_release(&destination);
    return rc;
}

/* Writes a pass whose fields are checked, in one transaction with its limits and counters. */
static int write_pass(hp_store *store, const hp_actor *actor, const hp_pass_request *req,
                      hp_pass *pass, const char *student_name, int64_t now)
{
    int rc;
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = hp_store_passes_lock(store, actor->school.id, pass->student_id, pass->origin_id,
                                   pass->destination_id)) < 0)
        goto rollback;
    now = locked_now(now);
    if (pass->type == HP_PASS_NOW)
        pass->start = now;
    pass->local_day = hp_tz_local_day(actor->tz, pass->start);
    if (pass->type == HP_PASS_NOW &&
        (rc = check_now_pass(store, actor, req, pass, student_name, now)) < 0)
        goto rollback;
    if ((rc = hp_store_pass_insert(store, actor->school.id, pass)) < 0 ||
        (rc = add_counters(store, actor, pass, 1)) < 0 || (rc = hp_store_commit(store)) < 0)
        goto rollback;
    return HP_OK;
rollback:
    hp_store_rollback(store);
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
                   hp_pass_view *out)
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
    if ((rc = write_pass(store, actor, req, &pass, who->name, now)) < 0)
        goto out;
    /* The answer is built from what the request found, with no read after the commit that
     * could fail. The store's strings are freed with free(). */
    *out = (hp_pass_view){
        .pass = pass,
        .student_name = strdup(who->name),
        .student_email = strdup(who->email),
        .student_number = who->student_id ? strdup(who->student_id) : NULL,
        .origin = strdup(origin.name),
        .destination = strdup(destination.name),
        .creator_name = strdup(actor->user.name),
        .creator_email = strdup(actor->user.email),
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
    if (!hp_pass_active_at(pass, HP_PASS_NO_AUTO_END, now))
        return "the pass has already ended";
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
    if (cancel)
        rc = hp_store_pass_set_cancelled(store, actor->school.id, pass_id);
    else
        rc = hp_store_pass_set_end(store, actor->school.id, pass_id, now);
    if (rc < 0 || (cancel && (rc = add_counters(store, actor, &pass, -1)) < 0) ||
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
    hp_pass_filter filter = {
        .now = now,
        .student_id = actor->user.role == HP_ROLE_STUDENT ? actor->user.id : 0,
        .upcoming = upcoming,
    };
    hp_pass_view *views;
    size_t n, kept = 0;
    int rc = hp_store_passes_list(store, actor->school.id, &filter, &views, &n);
    if (rc < 0)
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
