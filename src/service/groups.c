/* Encounter groups; see groups.h. */
#include "service/groups.h"

#include "core/error.h"
#include "core/util.h"
#include "import/csv_reader.h"
#include "service/audit.h"
#include "service/events.h"
#include "service/students.h"

#include <glib.h>
#include <string.h>

void hp_group_view_release(hp_group_view *view)
{
    if (view == NULL)
        return;
    hp_users_free(view->students, view->group.member_count);
    hp_group_release(&view->group);
    view->students = NULL;
}

static void view_release_item(void *item)
{
    hp_group_view_release(item);
}

void hp_group_views_free(hp_group_view *views, size_t count)
{
    hp_list_free(views, count, sizeof(*views), view_release_item);
}

int hp_groups_may_manage(const hp_actor *actor)
{
    if (!hp_actor_is_admin(actor))
        return hp_error_set(HP_EFORBIDDEN, "only admins see and change encounter groups");
    return HP_OK;
}

hp_rule_set hp_groups_overrides_seen(const hp_actor *reader, hp_rule_set overrides)
{
    if (hp_actor_is_staff(reader))
        return overrides;
    return overrides & ~HP_RULE_BIT(HP_RULE_ENCOUNTER);
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A group's students as users, from the school's users read once. */
static void fill_students(hp_group_view *view, GHashTable *users_by_id)
{
    view->students = g_new0(hp_user, view->group.member_count + 1);
    for (size_t i = 0; i < view->group.member_count; i++) {
        const hp_user *u = g_hash_table_lookup(users_by_id, &view->group.members[i]);
        if (u == NULL)
            continue;
        view->students[i] = (hp_user){.id = u->id,
                                      .name = g_strdup(u->name),
                                      .email = g_strdup(u->email),
                                      .role = u->role,
                                      .student_id = g_strdup(u->student_id)};
    }
}

/* Views of groups (taken from *groups, which is emptied), with their students' names. */
static int views_of(hp_store *store, int64_t school_id, hp_group *groups, size_t n,
                    hp_group_view **out)
{
    hp_user *users;
    size_t user_count;
    int rc = hp_store_users_list(store, school_id, false, &users, &user_count);
    if (rc < 0)
        return rc;
    GHashTable *by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (size_t i = 0; i < user_count; i++)
        g_hash_table_insert(by_id, &users[i].id, &users[i]);
    hp_group_view *views = g_new0(hp_group_view, n + 1);
    for (size_t i = 0; i < n; i++) {
        views[i].group = groups[i];
        groups[i] = (hp_group){0};
        fill_students(&views[i], by_id);
    }
    g_hash_table_destroy(by_id);
    hp_users_free(users, user_count);
    *out = views;
    return HP_OK;
}

int hp_groups_list(hp_store *store, const hp_actor *actor, hp_group_view **out, size_t *count_out)
{
    hp_group *groups;
    size_t n;
    int rc;
    if ((rc = hp_groups_may_manage(actor)) < 0 ||
        (rc = hp_store_groups_list(store, actor->school.id, &groups, &n)) < 0)
        return rc;
    rc = views_of(store, actor->school.id, groups, n, out);
    hp_groups_free(groups, n);
    if (rc == HP_OK)
        *count_out = n;
    return rc;
}

/* Finds the group of an id among the school's, read in the transaction. */
static int read_group(hp_store *store, int64_t school_id, int64_t group_id, hp_group *out)
{
    hp_group *groups;
    size_t n;
    int rc = hp_store_groups_list(store, school_id, &groups, &n);
    if (rc < 0)
        return rc;
    rc = hp_error_set(HP_ENOTFOUND, "no encounter group with id %lld", (long long)group_id);
    for (size_t i = 0; i < n; i++) {
        if (groups[i].id == group_id) {
            *out = groups[i];
            groups[i] = (hp_group){0};
            rc = HP_OK;
            break;
        }
    }
    hp_groups_free(groups, n);
    return rc;
}

/* The students a request names, as sorted user ids: each must be a student of the school,
 * named once, and there must be 2 to 20 of them. */
static int resolve_students(hp_store *store, const hp_actor *actor, const char *const *names,
                            size_t count, int64_t **ids_out)
{
    if (count < HP_GROUP_MEMBERS_MIN || count > HP_GROUP_MEMBERS_MAX)
        return hp_error_set(HP_EINVALID,
                            "students: %zu given; an encounter group has %d to %d students", count,
                            HP_GROUP_MEMBERS_MIN, HP_GROUP_MEMBERS_MAX);
    int64_t *ids = g_new0(int64_t, count);
    for (size_t i = 0; i < count; i++) {
        hp_user student = {0};
        char field[sizeof("students[]") + 12];
        snprintf(field, sizeof(field), "students[%zu]", i);
        int rc = hp_student_named(store, actor, field, names[i], &student);
        if (rc < 0) {
            g_free(ids);
            return rc;
        }
        ids[i] = student.id;
        hp_user_release(&student);
        for (size_t j = 0; j < i; j++) {
            if (ids[j] == ids[i]) {
                g_free(ids);
                return hp_error_set(HP_EINVALID, "%s: \"%s\" is the same student as students[%zu]",
                                    field, names[i], j);
            }
        }
    }
    qsort(ids, count, sizeof(*ids), compare_ids);
    *ids_out = ids;
    return HP_OK;
}

/* Applies a change to a group read (or new), within the transaction. */
static int apply_change(hp_store *store, const hp_actor *actor, const hp_group_change *change,
                        hp_group *group)
{
    int rc;
    if (change->name) {
        char *clean;
        if ((rc = hp_name_clean(&clean, "name", change->name, true)) < 0)
            return rc;
        g_free(group->name);
        group->name = clean;
    }
    if (group->name == NULL)
        return hp_error_set(HP_EINVALID, "name: missing");
    if (change->has_students) {
        int64_t *ids = NULL;
        if ((rc = resolve_students(store, actor, change->students, change->student_count, &ids)) <
            0)
            return rc;
        g_free(group->members);
        group->members = ids;
        group->member_count = change->student_count;
    } else if (group->id == 0) {
        return hp_error_set(HP_EINVALID,
                            "students: missing; an encounter group has %d to %d "
                            "students",
                            HP_GROUP_MEMBERS_MIN, HP_GROUP_MEMBERS_MAX);
    }
    if (change->has_active)
        group->active = change->active;
    return HP_OK;
}

/* A group as its audit record shows it: its name, whether it is active, and its students by
 * email (at most HP_GROUP_MEMBERS_MAX reads), inside the change's transaction. */
static int audit_json(hp_store *store, int64_t school_id, const hp_group *group, json_t **out)
{
    json_t *students = json_array();
    for (size_t i = 0; i < group->member_count; i++) {
        hp_user u = {0};
        int rc = hp_store_user_get(store, school_id, group->members[i], &u);
        if (rc < 0) {
            json_decref(students);
            return rc;
        }
        json_array_append_new(students, json_string(u.email));
        hp_user_release(&u);
    }
    *out = json_pack("{s:s, s:b, s:o}", "name", group->name, "active", group->active, "students",
                     students);
    return HP_OK;
}

/* The group's record: a creation, a change of what differs, or a removal (after NULL). */
static int write_audit(hp_store *store, const hp_actor *actor, const char *action,
                       const hp_group *before, const hp_group *after)
{
    json_t *was = NULL, *now = NULL;
    int rc;
    if ((before && (rc = audit_json(store, actor->school.id, before, &was)) < 0) ||
        (after && (rc = audit_json(store, actor->school.id, after, &now)) < 0)) {
        json_decref(was);
        return rc;
    }
    json_t *change = hp_audit_diff(was, now);
    if (change == NULL)
        return HP_OK;
    hp_audit_by by = hp_audit_by_actor(actor);
    return hp_audit_write(store, &by, g_get_real_time() / G_USEC_PER_SEC, action,
                          (after ? after : before)->name, change);
}

/* Copies what a group's record reads of it. */
static hp_group group_copy(const hp_group *g)
{
    return (hp_group){.id = g->id,
                      .name = g_strdup(g->name),
                      .active = g->active,
                      .members = g_memdup2(g->members, g->member_count * sizeof(int64_t)),
                      .member_count = g->member_count};
}

/* Saves a group and its audit record in one transaction, then answers it as the list shows
 * it. */
static int save(hp_store *store, const hp_actor *actor, int64_t group_id,
                const hp_group_change *change, hp_group_view *out)
{
    hp_group group = {.active = true}, before = {0};
    int rc;
    if ((rc = hp_groups_may_manage(actor)) < 0 || (rc = hp_store_begin(store)) < 0)
        return rc;
    if (group_id && (rc = read_group(store, actor->school.id, group_id, &group)) == HP_OK)
        before = group_copy(&group);
    if (rc < 0 || (rc = apply_change(store, actor, change, &group)) < 0 ||
        (rc = hp_store_group_put(store, actor->school.id, &group)) < 0 ||
        (rc = write_audit(store, actor, group_id ? "group_update" : "group_create",
                          group_id ? &before : NULL, &group)) < 0 ||
        (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        if (rc == HP_EEXISTS) { /* A name taken is a bad field of the request. */
            char message[HP_ERROR_MAX];
            g_strlcpy(message, hp_error_last(), sizeof(message));
            rc = hp_error_set(HP_EINVALID, "%s", message);
        }
        hp_group_release(&group);
        hp_group_release(&before);
        return rc;
    }
    hp_group_release(&before);
    hp_events_notify(actor->school.id);
    hp_group_view *views;
    rc = views_of(store, actor->school.id, &group, 1, &views);
    hp_group_release(&group);
    if (rc < 0)
        return rc;
    *out = views[0];
    g_free(views);
    return HP_OK;
}

int hp_group_create(hp_store *store, const hp_actor *actor, const hp_group_change *change,
                    hp_group_view *out)
{
    return save(store, actor, 0, change, out);
}

int hp_group_update(hp_store *store, const hp_actor *actor, int64_t group_id,
                    const hp_group_change *change, hp_group_view *out)
{
    return save(store, actor, group_id, change, out);
}

int hp_group_delete(hp_store *store, const hp_actor *actor, int64_t group_id)
{
    hp_group group = {0};
    int rc;
    if ((rc = hp_groups_may_manage(actor)) < 0 || (rc = hp_store_begin(store)) < 0)
        return rc;
    /* The group is read first for its record; one of another school is not found either way. */
    rc = read_group(store, actor->school.id, group_id, &group);
    if (rc == HP_ENOTFOUND)
        rc = hp_store_group_delete(store, actor->school.id, group_id);
    else if (rc == HP_OK &&
             (rc = hp_store_group_delete(store, actor->school.id, group_id)) == HP_OK)
        rc = write_audit(store, actor, "group_delete", &group, NULL);
    if (rc < 0 || (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        hp_group_release(&group);
        return rc;
    }
    hp_group_release(&group);
    hp_events_notify(actor->school.id);
    return HP_OK;
}

/* ---- The import ---- */

/* The columns of a groups file. */
enum { COLUMN_GROUP, COLUMN_STUDENT, COLUMN_COUNT };
static const char *const columns[COLUMN_COUNT] = {"group", "student"};

/* One group as the file gives it. */
typedef struct {
    char *name;
    size_t line;     /* Its first row. */
    GArray *members; /* int64_t user ids, in file order. */
    GArray *lines;   /* size_t: the line of each member. */
} file_group;

typedef struct {
    hp_store *store;
    hp_actor actor; /* The school only: what finding a student needs. */
    const char *label;
    bool have_header;
    int map[COLUMN_COUNT]; /* Column -> field index in the file. */
    size_t field_count;
    GPtrArray *groups;   /* file_group *, in the order the file first names them. */
    GHashTable *by_name; /* ASCII-folded name -> file_group *. */
    size_t rows;
} groups_import;

static void file_group_free(void *data)
{
    file_group *g = data;
    g_free(g->name);
    g_array_free(g->members, TRUE);
    g_array_free(g->lines, TRUE);
    g_free(g);
}

static int read_groups_header(groups_import *gi, char **fields, size_t count)
{
    for (size_t c = 0; c < COLUMN_COUNT; c++)
        gi->map[c] = -1;
    for (size_t i = 0; i < count; i++) {
        char *name = g_strstrip(g_strdup(fields[i]));
        int col = -1;
        for (size_t c = 0; c < COLUMN_COUNT; c++)
            if (g_ascii_strcasecmp(name, columns[c]) == 0)
                col = (int)c;
        if (col < 0) {
            int rc = hp_error_set(HP_EINVALID,
                                  "\"%.60s\" is not a column of a groups file (group, student)",
                                  fields[i]);
            g_free(name);
            return rc;
        }
        g_free(name);
        if (gi->map[col] >= 0)
            return hp_error_set(HP_EINVALID, "%s: the column appears twice", columns[col]);
        gi->map[col] = (int)i;
    }
    for (size_t c = 0; c < COLUMN_COUNT; c++)
        if (gi->map[c] < 0)
            return hp_error_set(HP_EINVALID, "%s: the header has no such column", columns[c]);
    gi->field_count = count;
    gi->have_header = true;
    return HP_OK;
}

static int on_group_row(void *data, size_t line, char **fields, size_t count)
{
    groups_import *gi = data;
    int rc;
    if (!gi->have_header)
        return read_groups_header(gi, fields, count);
    if (count != gi->field_count)
        return hp_error_set(HP_EINVALID, "%zu values where the header has %zu columns", count,
                            gi->field_count);
    gi->rows++;
    char *name;
    if ((rc = hp_name_clean(&name, "group", fields[gi->map[COLUMN_GROUP]], true)) < 0)
        return rc;
    char *student_text = g_strstrip(g_strdup(fields[gi->map[COLUMN_STUDENT]]));
    hp_user student = {0};
    rc = hp_student_named(gi->store, &gi->actor, "student", student_text, &student);
    g_free(student_text);
    if (rc < 0) {
        g_free(name);
        return rc;
    }
    char *key = g_ascii_strdown(name, -1);
    file_group *g = g_hash_table_lookup(gi->by_name, key);
    if (g == NULL) {
        g = g_new0(file_group, 1);
        g->name = name;
        g->line = line;
        g->members = g_array_new(FALSE, FALSE, sizeof(int64_t));
        g->lines = g_array_new(FALSE, FALSE, sizeof(size_t));
        g_ptr_array_add(gi->groups, g);
        g_hash_table_insert(gi->by_name, key, g);
    } else {
        g_free(name);
        g_free(key);
    }
    for (guint i = 0; i < g->members->len; i++) {
        if (g_array_index(g->members, int64_t, i) == student.id) {
            rc = hp_error_set(HP_EINVALID, "student: \"%s\" is in group \"%s\" already (line %zu)",
                              fields[gi->map[COLUMN_STUDENT]], g->name,
                              g_array_index(g->lines, size_t, i));
            hp_user_release(&student);
            return rc;
        }
    }
    g_array_append_val(g->members, student.id);
    g_array_append_val(g->lines, line);
    hp_user_release(&student);
    if (g->members->len > HP_GROUP_MEMBERS_MAX)
        return hp_error_set(HP_EINVALID,
                            "student: group \"%s\" would have more than %d students (it starts "
                            "on line %zu)",
                            g->name, HP_GROUP_MEMBERS_MAX, g->line);
    return HP_OK;
}

/* Whether a stored group has exactly these (sorted) members. */
static bool same_members(const hp_group *stored, const int64_t *ids, size_t n)
{
    if (stored->member_count != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (stored->members[i] != ids[i])
            return false;
    return true;
}

/* Writes the file's groups, each replacing the members of the stored group of its name. */
static int write_groups(groups_import *gi, hp_groups_import_stats *stats)
{
    hp_group *stored;
    size_t n;
    int64_t school = gi->actor.school.id;
    int rc = hp_store_groups_list(gi->store, school, &stored, &n);
    if (rc < 0)
        return rc;
    for (guint i = 0; i < gi->groups->len && rc == HP_OK; i++) {
        file_group *g = g_ptr_array_index(gi->groups, i);
        if (g->members->len < HP_GROUP_MEMBERS_MIN) {
            rc = hp_error_set(HP_EINVALID,
                              "%s:%zu: group: \"%s\" has %u student; an encounter group has %d "
                              "to %d",
                              gi->label, g->line, g->name, g->members->len, HP_GROUP_MEMBERS_MIN,
                              HP_GROUP_MEMBERS_MAX);
            break;
        }
        size_t count = g->members->len;
        int64_t *ids = g_memdup2(g->members->data, count * sizeof(int64_t));
        qsort(ids, count, sizeof(*ids), compare_ids);
        const hp_group *match = NULL;
        for (size_t j = 0; j < n; j++)
            if (g_ascii_strcasecmp(stored[j].name, g->name) == 0)
                match = &stored[j];
        if (match && same_members(match, ids, count) && strcmp(match->name, g->name) == 0) {
            stats->unchanged++;
            g_free(ids);
            continue;
        }
        hp_group put = {.id = match ? match->id : 0,
                        .name = g->name,
                        .active = match ? match->active : true,
                        .members = ids,
                        .member_count = count};
        rc = hp_store_group_put(gi->store, school, &put);
        if (rc < 0)
            rc = hp_error_prefix(rc, "%s:%zu", gi->label, g->line);
        g_free(ids);
        if (match)
            stats->updated++;
        else
            stats->added++;
    }
    hp_groups_free(stored, n);
    return rc;
}

/* The import's record, in its transaction. */
static int write_import_audit(hp_store *store, const hp_audit_by *by, const char *label,
                              size_t rows, const hp_groups_import_stats *stats)
{
    json_t *detail =
        json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", label, "rows", (json_int_t)rows, "added",
                  (json_int_t)stats->added, "updated", (json_int_t)stats->updated, "unchanged",
                  (json_int_t)stats->unchanged);
    return hp_audit_write(store, by, g_get_real_time() / G_USEC_PER_SEC, "import", "groups",
                          detail);
}

int hp_groups_import_csv(hp_store *store, const hp_audit_by *by, const hp_school *school, FILE *in,
                         const char *label, hp_groups_import_stats *stats_out)
{
    groups_import gi = {
        .store = store,
        .actor = {.school = *school},
        .label = label,
        .groups = g_ptr_array_new_with_free_func(file_group_free),
        .by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    };
    hp_groups_import_stats stats = {0};
    hp_csv_reader reader = {label, on_group_row, NULL, &gi};
    int rc = hp_store_begin(store);
    if (rc == HP_OK) {
        rc = hp_csv_read(&reader, in);
        if (rc == HP_OK && !gi.have_header)
            rc = hp_error_set(HP_EINVALID,
                              "%s:1: the file is empty; the first line names the columns", label);
        if (rc == HP_OK)
            rc = write_groups(&gi, &stats);
        if (rc == HP_OK)
            rc = write_import_audit(store, by, label, gi.rows, &stats);
        if (rc == HP_OK)
            rc = hp_store_commit(store);
        if (rc < 0)
            hp_store_rollback(store);
    }
    stats.rows = gi.rows;
    g_hash_table_destroy(gi.by_name);
    g_ptr_array_free(gi.groups, TRUE);
    if (rc == HP_OK && stats_out)
        *stats_out = stats;
    return rc;
}
