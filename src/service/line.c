/* The waiting line; see line.h. */
#include "service/line.h"

#include "core/error.h"
#include "core/tz.h"
#include "service/events.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* The time of a change once its transaction holds its locks, never before `now` (when the
 * request came), as a pass's change reads it (service/passes.c). */
static int64_t locked_now(int64_t now)
{
    int64_t t = g_get_real_time() / G_USEC_PER_SEC;
    return t > now ? t : now;
}

/* Whether the actor may see, start or remove an entry: staff any of the school's, a student
 * their own, a kiosk those from its room. */
static bool may_see(const hp_actor *actor, const hp_line_entry *entry)
{
    if (hp_actor_is_staff(actor))
        return true;
    if (actor->user.role == HP_ROLE_STUDENT)
        return entry->student_id == actor->user.id;
    if (hp_actor_is_kiosk(actor))
        return entry->origin_id == hp_actor_kiosk_room(actor);
    return false;
}

/* The school's line at now, in join order. */
static int school_line(hp_store *store, const hp_actor *actor, int64_t now, hp_line_entry **out,
                       size_t *count_out)
{
    hp_line_filter filter = {
        .kind = HP_LINE_LIST_IN_LINE, .now = now, .today = hp_tz_local_day(actor->tz, now)};
    return hp_store_line_list(store, actor->school.id, &filter, out, count_out);
}

int hp_line_visible(hp_store *store, const hp_actor *actor, int64_t now, hp_line_entry **out,
                    size_t *count_out)
{
    hp_line_entry *line;
    size_t n, kept = 0;
    /* The whole line is read even for one student: positions count the school's entries. */
    int rc = school_line(store, actor, now, &line, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (may_see(actor, &line[i])) {
            line[i].position = i + 1;
            line[kept++] = line[i];
        } else {
            hp_line_entry_release(&line[i]);
        }
    }
    *out = line;
    *count_out = kept;
    return HP_OK;
}

/* Fills in an entry's position at now (0 when it is not in line). */
static int place_in_line(hp_store *store, const hp_actor *actor, int64_t now, hp_line_entry *entry)
{
    hp_line_entry *line;
    size_t n;
    int rc = school_line(store, actor, now, &line, &n);
    if (rc < 0)
        return rc;
    entry->position = hp_line_position(line, n, entry->id);
    hp_line_entries_free(line, n);
    return HP_OK;
}

/* Reads an entry the actor may see; one they may not is, to them, one that does not exist. */
static int read_visible(hp_store *store, const hp_actor *actor, int64_t entry_id,
                        hp_line_entry *out)
{
    int rc = hp_store_line_get(store, actor->school.id, entry_id, out);
    if (rc == HP_OK && !may_see(actor, out)) {
        hp_line_entry_release(out);
        rc = hp_error_set(HP_ENOTFOUND, "no entry in line with id %lld", (long long)entry_id);
    }
    return rc;
}

int hp_line_entry_get(hp_store *store, const hp_actor *actor, int64_t entry_id, int64_t now,
                      hp_line_entry *out)
{
    int rc = read_visible(store, actor, entry_id, out);
    if (rc == HP_OK && (rc = place_in_line(store, actor, now, out)) < 0)
        hp_line_entry_release(out);
    return rc;
}

int hp_line_start(hp_store *store, const hp_actor *actor, int64_t entry_id, int64_t now,
                  hp_pass_view *out, hp_pass_refusal *refusal)
{
    hp_line_entry entry;
    if (refusal)
        *refusal = (hp_pass_refusal){0};
    int rc = read_visible(store, actor, entry_id, &entry);
    if (rc < 0)
        return rc;
    /* The pass is created as any other, from the entry's student and rooms; the creation
     * reads the entry again under its locks and checks that its offer stands. */
    hp_pass_request req = {
        .student = entry.student_email,
        .origin = entry.origin_name,
        .destination = entry.destination_name,
        .type = HP_PASS_NOW,
        .line_entry = entry.id,
    };
    rc = hp_pass_create(store, actor, &req, now, out, refusal);
    hp_line_entry_release(&entry);
    return rc;
}

int hp_line_leave(hp_store *store, const hp_actor *actor, int64_t entry_id, int64_t now,
                  hp_line_entry *out)
{
    int rc;
    if ((rc = hp_store_begin(store)) < 0)
        return rc;
    if ((rc = read_visible(store, actor, entry_id, out)) < 0)
        goto rollback;
    now = locked_now(now);
    if (!hp_line_in_line(out, hp_tz_local_day(actor->tz, now), now)) {
        rc = hp_error_set(HP_ECONFLICT, "the entry is no longer in line");
        goto release;
    }
    out->state = HP_LINE_LEFT;
    out->ended_at = now;
    if ((rc = hp_store_line_update(store, actor->school.id, out)) < 0 ||
        (rc = hp_store_commit(store)) < 0)
        goto release;
    out->position = 0;
    return HP_OK;
release:
    hp_line_entry_release(out);
rollback:
    hp_store_rollback(store);
    return rc;
}

/* ---- The clock's walk ---- */

/* One entry changed by the walk: written, or with write false only noted. */
static int walk_change(hp_store *store, int64_t school_id, const hp_line_entry *entry, bool write,
                       hp_line_walked *walked)
{
    walked->changes++;
    if (entry->state == HP_LINE_OFFERED)
        walked->offers++;
    return write ? hp_store_line_update(store, school_id, entry) : HP_OK;
}

/*
 * Walks entries (written waiting or offered, in join order) at now. With write false nothing
 * is written and the walk stops at the first change it would make: the look that spares a
 * write transaction when nothing is due. The offers are written as they are made, so each
 * counts for the rules of the entries after it.
 */
static int walk(hp_store *store, const hp_actor *actor, hp_line_entry *entries, size_t n,
                int64_t now, bool write, hp_line_walked *walked)
{
    int64_t school = actor->school.id;
    int32_t today = hp_tz_local_day(actor->tz, now);
    hp_settings settings;
    int rc = hp_store_settings_get(store, school, &settings);
    if (rc < 0)
        return rc;
    bool *lapsed_now = g_new0(bool, n ? n : 1);
    /* First what time has decided: lapses and the end of the day. */
    for (size_t i = 0; i < n && (write || walked->changes == 0); i++) {
        hp_line_entry *e = &entries[i];
        hp_line_state at = hp_line_state_at(e, today, now);
        if (at == e->state)
            continue;
        if (e->state == HP_LINE_OFFERED && at == HP_LINE_WAITING) {
            /* The first lapse: back in its place, its held place going to the next. */
            e->lapses = 1;
            e->offered_at = e->offer_expires = 0;
            lapsed_now[i] = true;
        }
        e->ended_at = at == HP_LINE_LAPSED ? e->offer_expires : at == HP_LINE_WAITING ? 0 : now;
        e->state = at;
        if ((rc = walk_change(store, school, e, write, walked)) < 0)
            goto out;
    }
    /* Then the offers, in join order. */
    for (size_t i = 0; i < n && (write || walked->changes == 0); i++) {
        hp_line_entry *e = &entries[i];
        if (e->state != HP_LINE_WAITING || lapsed_now[i])
            continue;
        int64_t out_now = 0;
        if ((rc = hp_store_active_count(store, school, HP_ACTIVE_OF_STUDENT, e->student_id, now,
                                        &out_now)) < 0)
            goto out;
        if (out_now > 0) {
            /* A pass started for the student (a scheduled one, or resumed). */
            e->state = HP_LINE_REMOVED;
            e->ended_at = now;
            if ((rc = walk_change(store, school, e, write, walked)) < 0)
                goto out;
            continue;
        }
        hp_pass pass = {
            .student_id = e->student_id,
            .origin_id = e->origin_id,
            .destination_id = e->destination_id,
            .creator_id = e->creator_id,
            .source = e->source,
            .type = HP_PASS_NOW,
        };
        bool allowed;
        if ((rc = hp_pass_rules_allow(store, actor, &pass, now, &allowed)) < 0)
            goto out;
        if (!allowed)
            continue;
        e->state = HP_LINE_OFFERED;
        e->offered_at = now;
        e->offer_expires = now + settings.line_offer_seconds;
        if ((rc = walk_change(store, school, e, write, walked)) < 0)
            goto out;
    }
out:
    g_free(lapsed_now);
    return rc;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts ids ascending and drops repeats; returns how many remain. */
static size_t sort_unique(int64_t *ids, size_t n)
{
    size_t kept = 0;
    qsort(ids, n, sizeof(*ids), compare_ids);
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || ids[kept - 1] != ids[i])
            ids[kept++] = ids[i];
    return kept;
}

static bool has_id(const int64_t *sorted, size_t n, int64_t id)
{
    return bsearch(&id, sorted, n, sizeof(*sorted), compare_ids) != NULL;
}

/* The school's entries written waiting or offered, whatever the time, in join order. */
static int list_open(hp_store *store, int64_t school_id, int64_t now, hp_line_entry **out,
                     size_t *count_out)
{
    hp_line_filter filter = {.kind = HP_LINE_LIST_OPEN, .now = now, .limit = HP_LINE_WALK_MAX};
    return hp_store_line_list(store, school_id, &filter, out, count_out);
}

/*
 * One school's walk. A look outside any transaction first: most seconds nothing is waiting or
 * nothing would change, and a write transaction each second would keep SQLite's writers
 * waiting. Then, in one transaction, the locks of every row the walk's rules read, in the
 * creators' order (rooms, students, their groups, the school), and the entries read again
 * under them; only those of the look are walked (one that joined meanwhile waits for the
 * next walk, as its student is not locked).
 */
static int walk_school(hp_store *store, const hp_school *school, int64_t now,
                       hp_line_walked *walked)
{
    hp_line_entry *seen = NULL, *entries = NULL;
    size_t n_seen = 0, n = 0;
    hp_line_walked would = {0};
    int64_t *rooms = NULL, *students = NULL, *ids = NULL;
    bool got = false, in_tx = false;
    hp_tz *tz = NULL;
    hp_actor walker = {.school = *school}, *actor = &walker;
    int rc;
    *walked = (hp_line_walked){0};
    /* Most schools most seconds have nobody in line: one read, and not even the zone. */
    if ((rc = list_open(store, school->id, now, &seen, &n_seen)) < 0 || n_seen == 0 ||
        (rc = hp_tz_new(&tz, school->timezone)) < 0)
        goto out;
    walker.tz = tz;
    if ((rc = walk(store, actor, seen, n_seen, now, false, &would)) < 0 || would.changes == 0)
        goto out;
    rooms = g_new(int64_t, 2 * n_seen);
    students = g_new(int64_t, n_seen);
    ids = g_new(int64_t, n_seen);
    for (size_t i = 0; i < n_seen; i++) {
        rooms[2 * i] = seen[i].origin_id;
        rooms[2 * i + 1] = seen[i].destination_id;
        students[i] = seen[i].student_id;
        ids[i] = seen[i].id;
    }
    size_t n_rooms = sort_unique(rooms, 2 * n_seen);
    size_t n_students = sort_unique(students, n_seen);
    size_t n_ids = sort_unique(ids, n_seen);
    if ((rc = hp_store_begin(store)) < 0)
        goto out;
    in_tx = true;
    if ((rc = hp_store_line_walk_lock(store, actor->school.id, rooms, n_rooms, students, n_students,
                                      &got)) < 0 ||
        !got)
        goto out;
    now = locked_now(now);
    if ((rc = list_open(store, school->id, now, &entries, &n)) < 0)
        goto out;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (has_id(ids, n_ids, entries[i].id))
            entries[kept++] = entries[i];
        else
            hp_line_entry_release(&entries[i]);
    }
    n = kept;
    if ((rc = walk(store, actor, entries, n, now, true, walked)) < 0 ||
        (rc = hp_store_commit(store)) < 0)
        goto out;
    in_tx = false;
out:
    if (in_tx)
        hp_store_rollback(store);
    if (rc < 0)
        *walked = (hp_line_walked){0};
    hp_line_entries_free(seen, n_seen);
    hp_line_entries_free(entries, n);
    g_free(rooms);
    g_free(students);
    g_free(ids);
    if (tz)
        hp_tz_free(tz);
    return rc;
}

int hp_line_walk(hp_store *store, int64_t now, hp_line_walked *walked)
{
    hp_school *schools;
    size_t n;
    hp_line_walked total = {0};
    int rc = hp_store_schools_list(store, &schools, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n && rc == HP_OK; i++) {
        hp_line_walked one = {0};
        rc = walk_school(store, &schools[i], now, &one);
        if (one.changes > 0)
            hp_events_notify(schools[i].id);
        total.offers += one.offers;
        total.changes += one.changes;
    }
    hp_schools_free(schools, n);
    if (walked)
        *walked = total;
    return rc;
}
