/*
 * The roster import. The export is read first, outside any transaction (it touches only its
 * files); then, in one write transaction, its people are matched with the school's users (by
 * sourcedId, then by email), written one by one with the plan growing as they go, and the
 * transaction is committed, or rolled back for a dry run. A dry run therefore runs exactly the
 * writes and checks a real import would, and what it shows is what the import does.
 */
#include "service/roster.h"

#include "core/error.h"
#include "core/util.h"
#include "service/audit.h"

#include <string.h>

static const char *const field_names[HP_ROSTER_FIELDS] = {"name",       "email", "role",
                                                          "student_id", "room",  "source_id"};

const char *hp_roster_field_name(unsigned i)
{
    return i < HP_ROSTER_FIELDS ? field_names[i] : "";
}

static void change_clear(gpointer p)
{
    hp_roster_change *c = p;
    g_free(c->email);
    g_free(c->name);
}

static void left_out_clear(gpointer p)
{
    hp_roster_left_out_release(p);
}

static GArray *changes_new(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(hp_roster_change));
    g_array_set_clear_func(a, change_clear);
    return a;
}

static void plan_init(hp_roster_plan *plan)
{
    *plan = (hp_roster_plan){
        .added = changes_new(),
        .updated = changes_new(),
        .deactivated = changes_new(),
        .left_out = g_array_new(FALSE, TRUE, sizeof(hp_roster_left_out)),
        .rooms_added = g_ptr_array_new_with_free_func(g_free),
    };
    g_array_set_clear_func(plan->left_out, left_out_clear);
}

void hp_roster_plan_release(hp_roster_plan *plan)
{
    if (plan->added) {
        g_array_free(plan->added, TRUE);
        g_array_free(plan->updated, TRUE);
        g_array_free(plan->deactivated, TRUE);
        g_array_free(plan->left_out, TRUE);
        g_ptr_array_free(plan->rooms_added, TRUE);
    }
    *plan = (hp_roster_plan){0};
}

static void plan_change(GArray *list, const hp_user *user, unsigned changes)
{
    hp_roster_change c = {g_strdup(user->email), g_strdup(user->name), user->role, changes};
    g_array_append_val(list, c);
}

static void plan_left_out(hp_roster_plan *plan, size_t line, char *reason)
{
    hp_roster_left_out item = {g_strdup("users.csv"), line, reason};
    g_array_append_val(plan->left_out, item);
}

/* ---- One run: the store's users and rooms, and the people matched with them ---- */

typedef struct {
    hp_store *store;
    const hp_school *school;
    const hp_roster *roster;
    hp_roster_plan *plan;
    hp_roster_error *err;
    hp_user *users;
    size_t user_count;
    hp_user_source *sources;
    size_t source_count;
    GHashTable *by_source; /* sourcedId -> hp_user * (stored). */
    GHashTable *source_of; /* hp_user * -> its stored sourcedId. */
    GHashTable *by_email;  /* Email, ASCII case ignored -> hp_user *. */
    GHashTable *rooms;     /* Room name, ASCII case ignored -> int64_t * id. */
    const hp_user **match; /* Each person's stored user, or NULL for a new one. */
    GHashTable *claimed;   /* hp_user * -> the index of the person matched with it, plus 1. */
} roster_run;

static int run_load(roster_run *r)
{
    hp_room *rooms;
    size_t room_count;
    int rc;
    if ((rc = hp_store_users_list(r->store, r->school->id, false, &r->users, &r->user_count)) < 0)
        return rc;
    if ((rc = hp_store_user_sources_list(r->store, r->school->id, &r->sources, &r->source_count)) <
        0)
        return rc;
    if ((rc = hp_store_rooms_list(r->store, r->school->id, &rooms, &room_count)) < 0)
        return rc;
    GHashTable *by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (size_t i = 0; i < r->user_count; i++) {
        g_hash_table_insert(by_id, &r->users[i].id, &r->users[i]);
        g_hash_table_insert(r->by_email, r->users[i].email, &r->users[i]);
    }
    for (size_t i = 0; i < r->source_count; i++) {
        hp_user *u = g_hash_table_lookup(by_id, &r->sources[i].user_id);
        if (u) {
            g_hash_table_insert(r->by_source, r->sources[i].source_id, u);
            g_hash_table_insert(r->source_of, u, r->sources[i].source_id);
        }
    }
    g_hash_table_destroy(by_id);
    for (size_t i = 0; i < room_count; i++) {
        int64_t *id = g_new(int64_t, 1);
        *id = rooms[i].id;
        g_hash_table_insert(r->rooms, g_strdup(rooms[i].name), id);
    }
    hp_rooms_free(rooms, room_count);
    return HP_OK;
}

/* The rooms the school's classes meet in, created (with no folder) when missing. */
static int run_rooms(roster_run *r)
{
    for (guint i = 0; i < r->roster->rooms->len; i++) {
        const char *name = g_ptr_array_index(r->roster->rooms, i);
        if (g_hash_table_contains(r->rooms, name))
            continue;
        hp_room room = {.name = (char *)name, .folder = ""};
        bool changed;
        int rc = hp_store_room_put(r->store, r->school->id, &room, &changed);
        if (rc < 0)
            return rc;
        int64_t *id = g_new(int64_t, 1);
        *id = room.id;
        g_hash_table_insert(r->rooms, g_strdup(name), id);
        g_ptr_array_add(r->plan->rooms_added, g_strdup(name));
    }
    return HP_OK;
}

static const hp_roster_person *person_at(const roster_run *r, size_t i)
{
    return &g_array_index(r->roster->people, hp_roster_person, i);
}

static void claim(roster_run *r, size_t person, const hp_user *user)
{
    r->match[person] = user;
    g_hash_table_insert(r->claimed, (gpointer)user, GSIZE_TO_POINTER(person + 1));
}

/*
 * Each person's stored user: the one with their sourcedId, else the one with their email
 * that no other person has by sourcedId. One exception: a user a deactivated row names (the
 * roster deleting an old record) goes to an active row with the same email (the record that
 * replaces it), and the deactivated row is left out.
 */
static void run_match(roster_run *r)
{
    size_t n = r->roster->people->len;
    for (size_t i = 0; i < n; i++) {
        const hp_user *u = g_hash_table_lookup(r->by_source, person_at(r, i)->source_id);
        if (u)
            claim(r, i, u);
    }
    for (size_t i = 0; i < n; i++) {
        const hp_roster_person *p = person_at(r, i);
        if (r->match[i] || p->email == NULL)
            continue;
        const hp_user *u = g_hash_table_lookup(r->by_email, p->email);
        if (u == NULL)
            continue;
        size_t owner = GPOINTER_TO_SIZE(g_hash_table_lookup(r->claimed, u));
        if (owner == 0) {
            claim(r, i, u);
        } else if (!p->deactivate && person_at(r, owner - 1)->deactivate) {
            r->match[owner - 1] = NULL;
            claim(r, i, u);
        }
    }
}

static int64_t room_id_of(const roster_run *r, const char *name)
{
    const int64_t *id = g_hash_table_lookup(r->rooms, name);
    return id ? *id : 0;
}

/* Checks that no other user has the email or the student ID the person is to have: the
 * store would refuse it too, but not with the line and the column. */
static int check_taken(roster_run *r, const hp_roster_person *p, const hp_user *user)
{
    hp_user other = {0};
    int rc = hp_store_user_find(r->store, r->school->id, user->email, &other, NULL);
    if (rc == HP_OK && other.id != user->id)
        rc = hp_roster_fail(r->err, HP_ECONFLICT, "users.csv", p->line, "email", user->email,
                            "\"%s\" is already the email of %s, another user", user->email,
                            other.name);
    else if (rc == HP_ENOTFOUND || rc == HP_OK)
        rc = HP_OK;
    hp_user_release(&other);
    if (rc < 0 || user->student_id == NULL)
        return rc;
    rc = hp_store_user_find_student_id(r->store, r->school->id, user->student_id, &other);
    if (rc == HP_OK && other.id != user->id)
        rc = hp_roster_fail(r->err, HP_ECONFLICT, "users.csv", p->line, "identifier",
                            user->student_id, "\"%s\" is already the student ID of %s (\"%s\")",
                            user->student_id, other.name, other.email);
    else if (rc == HP_ENOTFOUND || rc == HP_OK)
        rc = HP_OK;
    hp_user_release(&other);
    return rc;
}

/* Adds or updates the person's user; *changes gets the fields that differ. */
static int put_person(roster_run *r, const hp_roster_person *p, const hp_user *stored,
                      unsigned *changes)
{
    hp_user user = stored ? *stored : (hp_user){.active = true};
    bool was_student = stored && stored->role == HP_ROLE_STUDENT;
    user.name = p->name;
    user.email = p->email;
    user.role = p->role;
    /* An empty identifier or no home room keeps what is stored: a roster need not send them. */
    user.student_id = p->role != HP_ROLE_STUDENT ? NULL
                      : p->student_id            ? p->student_id
                      : was_student              ? stored->student_id
                                                 : NULL;
    bool was_staff = stored && hp_role_is_staff(stored->role);
    user.room_id = !hp_role_is_staff(p->role) ? 0
                   : p->home_room             ? room_id_of(r, p->home_room)
                   : was_staff                ? stored->room_id
                                              : 0;
    *changes = 0;
    if (stored) {
        const char *source = g_hash_table_lookup(r->source_of, stored);
        *changes |= strcmp(stored->name, user.name) ? HP_ROSTER_NAME : 0;
        *changes |= strcmp(stored->email, user.email) ? HP_ROSTER_EMAIL : 0;
        *changes |= stored->role != user.role ? HP_ROSTER_ROLE : 0;
        *changes |= g_strcmp0(stored->student_id, user.student_id) ? HP_ROSTER_STUDENT_ID : 0;
        *changes |= stored->room_id != user.room_id ? HP_ROSTER_ROOM : 0;
        *changes |= g_strcmp0(source, p->source_id) ? HP_ROSTER_SOURCE_ID : 0;
        if (*changes == 0)
            return HP_OK;
    }
    bool changed;
    int rc = check_taken(r, p, &user);
    if (rc < 0)
        return rc;
    if ((rc = hp_store_user_put(r->store, r->school->id, &user, NULL, &changed)) < 0)
        return rc == HP_EEXISTS || rc == HP_EINVALID
                   ? hp_roster_fail(r->err, rc, "users.csv", p->line, "email", user.email, "%s",
                                    hp_error_last())
                   : rc;
    /* Only a student has a daily limit of their own. */
    if (was_student && user.role != HP_ROLE_STUDENT && user.max_passes_per_day) {
        user.max_passes_per_day = 0;
        if ((rc = hp_store_user_rules_put(r->store, r->school->id, &user, &changed)) < 0)
            return rc;
    }
    if ((rc = hp_store_user_source_put(r->store, r->school->id, user.id, p->source_id, &changed)) <
        0)
        return rc == HP_EEXISTS ? hp_roster_fail(r->err, rc, "users.csv", p->line, "sourcedId",
                                                 p->source_id, "%s", hp_error_last())
                                : rc;
    plan_change(stored ? r->plan->updated : r->plan->added, &user, *changes);
    return HP_OK;
}

/* Deactivates the person's user: they can no longer sign in, and their sessions end now. */
static int deactivate(roster_run *r, const hp_user *stored)
{
    if (!stored->active)
        return HP_OK;
    bool changed;
    int rc = hp_store_user_active_put(r->store, r->school->id, stored->id, false, &changed);
    if (rc == HP_OK)
        rc = hp_store_sessions_delete_user(r->store, r->school->id, stored->id);
    if (rc == HP_OK)
        plan_change(r->plan->deactivated, stored, 0);
    return rc;
}

static int run_people(roster_run *r)
{
    for (size_t i = 0; i < r->roster->people->len; i++) {
        const hp_roster_person *p = person_at(r, i);
        const hp_user *u = r->match[i];
        unsigned changes;
        int rc = HP_OK;
        if (u && u->role == HP_ROLE_KIOSK)
            return hp_roster_fail(r->err, HP_ECONFLICT, "users.csv", p->line, "email", u->email,
                                  "\"%s\" is a kiosk login here, not a person of the roster",
                                  u->email);
        if (u && p->deactivate)
            rc = deactivate(r, u);
        else if (u)
            rc = put_person(r, p, u, &changes);
        else if (p->deactivate) {
            size_t owner = p->email ? GPOINTER_TO_SIZE(g_hash_table_lookup(
                                          r->claimed, g_hash_table_lookup(r->by_email, p->email)))
                                    : 0;
            plan_left_out(r->plan, p->line,
                          owner ? g_strdup_printf("deactivated, and line %zu with the same email "
                                                  "takes its place",
                                                  person_at(r, owner - 1)->line)
                                : g_strdup("deactivated, and not a user here"));
        } else
            rc = put_person(r, p, NULL, &changes);
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

static void run_release(roster_run *r)
{
    if (r->users)
        hp_users_free(r->users, r->user_count);
    if (r->sources)
        hp_user_sources_free(r->sources, r->source_count);
    g_hash_table_destroy(r->by_source);
    g_hash_table_destroy(r->source_of);
    g_hash_table_destroy(r->by_email);
    g_hash_table_destroy(r->rooms);
    g_hash_table_destroy(r->claimed);
    g_free(r->match);
}

/* The whole import inside its transaction. */
static int run_all(roster_run *r)
{
    int rc;
    if ((rc = run_load(r)) < 0 || (rc = run_rooms(r)) < 0)
        return rc;
    run_match(r);
    return run_people(r);
}

/* The import's audit record: what the export was and what it changed. */
static int audit(roster_run *r, const hp_audit_by *by, const hp_roster_options *options)
{
    json_t *detail = json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I}", "file", options->label ? options->label : "", "added",
        (json_int_t)r->plan->added->len, "updated", (json_int_t)r->plan->updated->len,
        "deactivated", (json_int_t)r->plan->deactivated->len, "left_out",
        (json_int_t)r->plan->left_out->len, "rooms_added", (json_int_t)r->plan->rooms_added->len);
    return hp_audit_write(r->store, by, g_get_real_time() / G_USEC_PER_SEC, "import", "oneroster",
                          detail);
}

static int import(hp_store *store, const hp_school *school, const hp_audit_by *by,
                  const hp_roster_input *input, const hp_roster_options *options,
                  hp_roster_plan *plan, hp_roster_error *err)
{
    hp_roster roster;
    plan_init(plan);
    *err = (hp_roster_error){0};
    int rc = hp_roster_read(&roster, input, school->name, options->org, err);
    if (rc < 0)
        return rc;
    /* The left out of the export come first, in file order, then those of the matching. */
    for (guint i = 0; i < roster.left_out->len; i++) {
        hp_roster_left_out *l = &g_array_index(roster.left_out, hp_roster_left_out, i);
        hp_roster_left_out copy = {g_strdup(l->file), l->line, g_strdup(l->reason)};
        g_array_append_val(plan->left_out, copy);
    }
    roster_run r = {
        .store = store,
        .school = school,
        .roster = &roster,
        .plan = plan,
        .err = err,
        .by_source = g_hash_table_new(g_str_hash, g_str_equal),
        .source_of = g_hash_table_new(g_direct_hash, g_direct_equal),
        .by_email = g_hash_table_new(hp_ascii_case_hash, hp_ascii_case_equal),
        .rooms = g_hash_table_new_full(hp_ascii_case_hash, hp_ascii_case_equal, g_free, g_free),
        .match = g_new0(const hp_user *, roster.people->len + 1),
        .claimed = g_hash_table_new(g_direct_hash, g_direct_equal),
    };
    if ((rc = hp_store_begin(store)) == HP_OK) {
        rc = run_all(&r);
        if (rc == HP_OK && !options->dry_run && (rc = audit(&r, by, options)) == HP_OK)
            rc = hp_store_commit(store);
        else
            hp_store_rollback(store);
    }
    plan->applied = rc == HP_OK && !options->dry_run;
    run_release(&r);
    hp_roster_release(&roster);
    return rc;
}

int hp_roster_import(hp_store *store, const hp_school *school, const hp_roster_input *input,
                     const hp_roster_options *options, hp_roster_plan *plan, hp_roster_error *err)
{
    hp_audit_by by = hp_audit_by_command(school->id);
    return import(store, school, &by, input, options, plan, err);
}

int hp_roster_import_as(hp_store *store, const hp_actor *actor, const hp_roster_input *input,
                        const hp_roster_options *options, hp_roster_plan *plan,
                        hp_roster_error *err)
{
    *err = (hp_roster_error){0};
    plan_init(plan);
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, "only an admin may import the school's roster");
    hp_roster_plan_release(plan);
    hp_audit_by by = hp_audit_by_actor(actor);
    return import(store, &actor->school, &by, input, options, plan, err);
}
