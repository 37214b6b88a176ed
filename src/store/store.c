/*
 * Picks the backend from the store's address and dispatches to it; see store.h. The words of
 * the store live here: backends answer a bare HP_ENOTFOUND or HP_EEXISTS, and each function
 * below writes the message once for both backends.
 */
#include "store/backend.h"

#include "core/error.h"
#include "core/module.h"
#include "core/tz.h"
#include "core/util.h"
#include "store/tally.h"

#include <glib.h>

#include <string.h>

/* The address prefixes that name a PostgreSQL store; anything else is a SQLite file. */
static const char *const postgres_prefixes[] = {"postgresql://", "postgres://"};

static int counters_build(hp_store *store);

/* The PostgreSQL backend is linked in where the PostgreSQL code is (the unit tests); in the
 * hallpass binary it is the module hallpass-postgres.so, loaded for the first postgresql://
 * store. */
typedef int (*postgres_open_fn)(hp_store **out, const char *uri);
extern int hp_postgres_store_open(hp_store **out, const char *uri) __attribute__((weak));

static int postgres_open(hp_store **out, const char *uri)
{
    postgres_open_fn fn = hp_postgres_store_open;
    if (fn == NULL) {
        void *sym;
        int rc = hp_module_symbol(HP_MODULE_POSTGRES, "a PostgreSQL store",
                                  "hp_postgres_store_open", &sym);
        if (rc < 0)
            return rc;
        fn = (postgres_open_fn)sym;
    }
    return fn(out, uri);
}

static bool is_postgres(const char *uri)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(postgres_prefixes); i++)
        if (g_str_has_prefix(uri, postgres_prefixes[i]))
            return true;
    return false;
}

int hp_store_open(hp_store **out, const char *uri, bool create)
{
    *out = NULL;
    if (uri == NULL || uri[0] == '\0')
        return hp_error_set(HP_EINVALID, "no store given: use --db or HALLPASS_DB");
    int rc = is_postgres(uri) ? postgres_open(out, uri) : hp_sqlite_store_open(out, uri, create);
    if (rc == HP_OK && (*out)->ops->version != HP_STORE_OPS_VERSION) {
        hp_store_free(*out);
        *out = NULL;
        return hp_error_set(HP_ERROR, "store backend built for another version of hallpass");
    }
    if (rc == HP_OK && (rc = counters_build(*out)) < 0) {
        hp_store_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The kinds of counter added after stores had passes: a store made before them has them built
 * once from its passes, when it is first opened after the migration that lists its schools. */
static const hp_counter_kind built_later[] = {
    HP_COUNTER_SOURCE,   HP_COUNTER_HOUR,           HP_COUNTER_ROOM_HOUR,
    HP_COUNTER_DURATION, HP_COUNTER_OVERTIME,       HP_COUNTER_MINUTES,
    HP_COUNTER_STUDENT,  HP_COUNTER_RULE_OVERRIDES, HP_COUNTER_ROOM_OVERRIDES,
};

static bool built_later_kind(hp_counter_kind kind)
{
    for (size_t i = 0; i < HP_ARRAY_SIZE(built_later); i++)
        if (built_later[i] == kind)
            return true;
    return false;
}

/* Builds one school's counters of the later kinds from its passes, in the open transaction. */
static int counters_build_school(hp_store *store, const hp_school *school)
{
    hp_tz *tz;
    int rc = hp_tz_new(&tz, school->timezone);
    if (rc < 0)
        return rc;
    hp_tally *tally = hp_tally_new(tz);
    rc = hp_tally_school_passes(tally, store, school->id, NULL);
    if (rc == HP_OK) {
        size_t n;
        const hp_counter *all = hp_tally_counters(tally, &n);
        GArray *later = g_array_new(FALSE, FALSE, sizeof(hp_counter));
        for (size_t i = 0; i < n; i++)
            if (built_later_kind(all[i].key.kind))
                g_array_append_val(later, all[i]);
        rc = hp_store_counts_add(store, school->id, (const hp_counter *)later->data, later->len);
        g_array_free(later, TRUE);
    }
    hp_tally_free(tally);
    hp_tz_free(tz);
    return rc;
}

/* Builds the counters of every school the migration listed, each in a transaction of its own
 * that takes it off the list first, so that two processes opening the store at once build
 * each school once. Nothing to do (one read) on a store that has no school listed. */
static int counters_build(hp_store *store)
{
    for (;;) {
        bool found = false, taken = false;
        int64_t school_id = 0;
        int rc = store->ops->counters_unbuilt_next(store, &found, &school_id);
        if (rc < 0 || !found)
            return rc;
        if ((rc = hp_store_begin(store)) < 0)
            return rc;
        if ((rc = store->ops->counters_unbuilt_take(store, school_id, &taken)) == HP_OK && taken) {
            hp_school *schools;
            size_t n;
            if ((rc = hp_store_schools_list(store, &schools, &n)) == HP_OK) {
                for (size_t i = 0; i < n && rc == HP_OK; i++)
                    if (schools[i].id == school_id)
                        rc = counters_build_school(store, &schools[i]);
                hp_schools_free(schools, n);
            }
        }
        if (rc == HP_OK)
            rc = hp_store_commit(store);
        if (rc < 0) {
            hp_store_rollback(store);
            return rc;
        }
    }
}

/* Checks come first, so that a refused backup opens nothing and writes nothing. */
int hp_store_backup(const char *uri, const char *to, bool force)
{
    if (uri == NULL || uri[0] == '\0')
        return hp_error_set(HP_EINVALID, "no store given: use --db or HALLPASS_DB");
    if (is_postgres(uri))
        return hp_error_set(HP_EINVALID,
                            "a PostgreSQL store is backed up with PostgreSQL's own tools: "
                            "pg_dump -Fc (and restored with pg_restore)");
    if (to == NULL || to[0] == '\0')
        return hp_error_set(HP_EINVALID, "to: the backup's file name is empty");
    if (!force && g_file_test(to, G_FILE_TEST_EXISTS))
        return hp_error_set(HP_EEXISTS,
                            "%s: exists already; choose another name, or --force "
                            "to replace it",
                            to);
    if (g_file_test(to, G_FILE_TEST_IS_DIR))
        return hp_error_set(HP_EINVALID, "%s: is a folder, not a file", to);
    hp_store *store;
    int rc = hp_store_open(&store, uri, false);
    if (rc < 0)
        return rc;
    rc = hp_sqlite_store_backup(store, to);
    hp_store_free(store);
    return rc;
}

void hp_store_free(hp_store *store)
{
    if (store)
        store->ops->free(store);
}

int hp_store_begin(hp_store *store)
{
    return store->ops->begin(store);
}

int hp_store_begin_import(hp_store *store)
{
    return store->ops->begin_import(store);
}

int hp_store_commit(hp_store *store)
{
    return store->ops->commit(store);
}

void hp_store_rollback(hp_store *store)
{
    store->ops->rollback(store);
}

int hp_store_schema_too_new(const char *where, int version, int known)
{
    return hp_error_set(HP_ESTORE, "%s: schema version %d is newer than this hallpass knows (%d)",
                        where, version, known);
}

int hp_store_schema_version(hp_store *store)
{
    return store->ops->schema_version(store);
}

int hp_store_ping(hp_store *store)
{
    return store->ops->ping(store);
}

/* Names are checked here too, whatever path they came by (an import, a request, the command
 * line, a copy), so that no invisible character or control byte reaches a store. */
int hp_store_school_create(hp_store *store, const char *name, const char *zone, int64_t *id_out)
{
    int rc = hp_check_name("school", name, true);
    if (rc < 0)
        return rc;
    rc = store->ops->school_create(store, name, zone, id_out);
    if (rc == HP_EEXISTS)
        return hp_error_set(rc, "a school named \"%s\" already exists", name);
    return rc;
}

int hp_store_schools_list(hp_store *store, hp_school **out, size_t *count_out)
{
    return store->ops->schools_list(store, out, count_out);
}

int hp_store_room_find(hp_store *store, int64_t school_id, const char *name, hp_room *out)
{
    int rc = store->ops->room_find(store, school_id, name, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no room named \"%s\"", name);
    return rc;
}

int hp_store_room_put(hp_store *store, int64_t school_id, hp_room *room, bool *changed)
{
    int rc;
    if ((rc = hp_check_name("name", room->name, true)) < 0 ||
        (rc = hp_check_name("folder", room->folder, false)) < 0)
        return rc;
    rc = store->ops->room_put(store, school_id, room, changed);
    if (rc == HP_EEXISTS)
        return hp_error_set(rc, "a room named \"%s\" already exists", room->name);
    return rc;
}

int hp_store_rooms_list(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out)
{
    return store->ops->rooms_list(store, school_id, out, count_out);
}

int hp_store_user_find(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                       char **password_hash_out)
{
    if (password_hash_out)
        *password_hash_out = NULL;
    int rc = store->ops->user_find(store, school_id, email, out, password_hash_out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no user with email \"%s\"", email);
    return rc;
}

int hp_store_user_find_student_id(hp_store *store, int64_t school_id, const char *student_id,
                                  hp_user *out)
{
    int rc = store->ops->user_find_student_id(store, school_id, student_id, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no student with student ID \"%s\"", student_id);
    return rc;
}

int hp_store_user_put(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                      bool *changed)
{
    int rc = hp_check_name("name", user->name, true);
    if (rc < 0 || (user->student_id && (rc = hp_check_student_id(user->student_id)) < 0))
        return rc;
    if (user->student_id && user->role != HP_ROLE_STUDENT)
        return hp_error_set(HP_EINVALID, "student_id: only a student has a student ID, not a %s",
                            hp_role_name(user->role));
    rc = store->ops->user_put(store, school_id, user, password_hash, changed);
    if (rc == HP_EEXISTS && user->student_id)
        return hp_error_set(rc, "a user with email \"%s\" or student ID \"%s\" already exists",
                            user->email, user->student_id);
    if (rc == HP_EEXISTS)
        return hp_error_set(rc, "a user with email \"%s\" already exists", user->email);
    return rc;
}

int hp_store_users_list(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                        size_t *count_out)
{
    return store->ops->users_list(store, school_id, staff_only, out, count_out);
}

void hp_user_source_release(hp_user_source *source)
{
    g_free(source->source_id);
    source->source_id = NULL;
}

static void user_source_release(void *item)
{
    hp_user_source_release(item);
}

void hp_user_sources_free(hp_user_source *sources, size_t count)
{
    hp_list_free(sources, count, sizeof(*sources), user_source_release);
}

int hp_store_user_sources_list(hp_store *store, int64_t school_id, hp_user_source **out,
                               size_t *count_out)
{
    return store->ops->user_sources_list(store, school_id, out, count_out);
}

int hp_store_user_source_put(hp_store *store, int64_t school_id, int64_t user_id,
                             const char *source_id, bool *changed)
{
    int rc = store->ops->user_source_put(store, school_id, user_id, source_id, changed);
    if (rc == HP_EEXISTS)
        return hp_error_set(HP_EEXISTS, "another user of the school has the roster id \"%s\"",
                            source_id);
    return rc;
}

/* A LIKE pattern that matches text containing query: its wildcards and the escape character
 * itself are escaped, so a search for "50%" finds "50%" and not "500". */
static char *contains_pattern(const char *query)
{
    GString *pattern = g_string_sized_new(strlen(query) + 2);
    g_string_append_c(pattern, '%');
    for (const char *p = query; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c(pattern, '\\');
        g_string_append_c(pattern, *p);
    }
    g_string_append_c(pattern, '%');
    return g_string_free(pattern, FALSE);
}

int hp_store_users_search(hp_store *store, int64_t school_id, const hp_user_search *q,
                          hp_user **out, size_t *count_out)
{
    *out = NULL;
    *count_out = 0;
    size_t limit = q->limit > HP_STUDENTS_SEARCH_MAX ? HP_STUDENTS_SEARCH_MAX : q->limit;
    /* Every stored name, email and student ID is valid UTF-8, so a query that is not holds
     * in none of them; PostgreSQL would refuse its bytes rather than find nothing. */
    if (limit == 0 || (q->query && !g_utf8_validate(q->query, -1, NULL)))
        return HP_OK;
    char *pattern = contains_pattern(q->query ? q->query : "");
    const char *role = q->any_role ? NULL : hp_role_name(q->role);
    int active = q->any_state ? -1 : q->active;
    int rc =
        store->ops->users_search(store, school_id, pattern, role, active, limit, out, count_out);
    g_free(pattern);
    return rc;
}

int hp_store_students_search(hp_store *store, int64_t school_id, const char *query, size_t limit,
                             hp_user **out, size_t *count_out)
{
    hp_user_search q = {.query = query, .role = HP_ROLE_STUDENT, .any_state = true, .limit = limit};
    return hp_store_users_search(store, school_id, &q, out, count_out);
}

/* Every stored pass keeps the deadline it ends itself at (core/rules.h): "active" in the
 * stores' SQL reads it, so a pass without one would never be out. */
static int check_deadlines(const hp_pass *passes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (passes[i].auto_end_at <= passes[i].start)
            return hp_error_set(HP_EINVALID, "a pass needs its auto-end deadline after its start");
    return HP_OK;
}

int hp_store_passes_import(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                           bool *inserted)
{
    if (count == 0)
        return HP_OK;
    int rc = check_deadlines(passes, count);
    if (rc < 0)
        return rc;
    return store->ops->passes_import(store, school_id, passes, count, inserted);
}

static gint compare_counters(gconstpointer a, gconstpointer b)
{
    return hp_counter_key_compare(&((const hp_counter *)a)->key, &((const hp_counter *)b)->key);
}

/* Day counters up to which every stored counter they add to is summed and written in one go
 * (a pass, a cancel). An import's many more are written a kind and a period at a time, so that
 * it holds the rows of one part and not of every level of every kind at once. */
#define COUNTS_ONE_BATCH_MAX 4096

/* The levels of hp_counter_key_levels() in the order of their periods' numbers, which is the
 * order hp_counter_key_compare() gives them within a kind. */
static const size_t levels_in_key_order[HP_COUNTER_LEVELS] = {0, 2, 1, 3};
_Static_assert(HP_PERIOD_DAY == 0 && HP_PERIOD_MONTH == 1 && HP_PERIOD_WEEK == 2 &&
                   HP_PERIOD_QUARTER == 3,
               "levels_in_key_order follows the periods' numbers");

/* Which stored counters one call of counts_add_part() sums: a kind (or every kind, -1) and the
 * levels from..to-1 of hp_counter_key_levels(). */
typedef struct {
    int kind;
    size_t from, to;
} counts_part;

/* Sums the day counters into the stored counters of one part and writes those in key order.
 * Key -> index + 1 into rows; the keys point into rows, which is sized up front (at most one
 * row per day counter and level) so that it never moves. */
static int counts_add_part(hp_store *store, int64_t school_id, const hp_counter *day_counters,
                           size_t count, counts_part part)
{
    size_t in_part = 0;
    for (size_t i = 0; i < count; i++)
        in_part += part.kind < 0 || day_counters[i].key.kind == (hp_counter_kind)part.kind;
    if (in_part == 0)
        return HP_OK;
    GHashTable *index = g_hash_table_new(hp_counter_key_hash, hp_counter_key_equal);
    GArray *rows = g_array_sized_new(FALSE, FALSE, sizeof(hp_counter),
                                     (guint)((part.to - part.from) * in_part));
    for (size_t i = 0; i < count; i++) {
        if (part.kind >= 0 && day_counters[i].key.kind != (hp_counter_kind)part.kind)
            continue;
        hp_counter_key keys[HP_COUNTER_LEVELS];
        hp_counter_key_levels(day_counters[i].key, keys);
        for (size_t k = part.from; k < part.to; k++) {
            gpointer at = g_hash_table_lookup(index, &keys[k]);
            if (at == NULL) {
                hp_counter zero = {.key = keys[k]};
                g_array_append_val(rows, zero);
                at = GUINT_TO_POINTER(rows->len);
                g_hash_table_insert(index, &g_array_index(rows, hp_counter, rows->len - 1).key, at);
            }
            hp_counter_add(&g_array_index(rows, hp_counter, GPOINTER_TO_UINT(at) - 1),
                           &day_counters[i]);
        }
    }
    g_hash_table_destroy(index);
    g_array_sort(rows, compare_counters);
    int rc = rows->len
                 ? store->ops->counts_write(store, school_id, (hp_counter *)rows->data, rows->len)
                 : HP_OK;
    g_array_free(rows, TRUE);
    return rc;
}

/* Each day counter adds to its day's stored counter, its week's, its month's and its
 * quarter's; those that meet on one stored counter are summed first, since a database may take
 * each key only once per statement. The counters are written in key order, the same for every
 * transaction (an import's part by part, in that same order), so that two that change the same
 * counters (a pass from A to B, another from B to A) wait for each other instead of
 * deadlocking on a database that locks rows. */
int hp_store_counts_add(hp_store *store, int64_t school_id, const hp_counter *day_counters,
                        size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (day_counters[i].key.period != HP_PERIOD_DAY)
            return hp_error_set(HP_EINVALID, "a counter to add is not a day's");
    if (count <= COUNTS_ONE_BATCH_MAX)
        return counts_add_part(store, school_id, day_counters, count,
                               (counts_part){.kind = -1, .from = 0, .to = HP_COUNTER_LEVELS});
    int rc = HP_OK;
    for (int kind = 0; kind < HP_COUNTER_KIND_COUNT && rc == HP_OK; kind++)
        for (size_t l = 0; l < HP_COUNTER_LEVELS && rc == HP_OK; l++) {
            size_t level = levels_in_key_order[l];
            rc = counts_add_part(store, school_id, day_counters, count,
                                 (counts_part){.kind = kind, .from = level, .to = level + 1});
        }
    return rc;
}

/* The visitor that collects counters into a GArray, for the calls that return arrays. */
static void collect_counter(const hp_counter *counter, void *data)
{
    g_array_append_val((GArray *)data, *counter);
}

/* Reads the counters of one period and range of buckets into a new array. */
static int counts_collect(hp_store *store, int64_t school_id, hp_counter_kind kind,
                          hp_counter_period period, int32_t from, int32_t to,
                          hp_subject_range subjects, hp_counter **out, size_t *count_out)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(hp_counter));
    int rc = store->ops->counts_each(store, school_id, kind, period, from, to, &subjects,
                                     collect_counter, all);
    if (rc < 0) {
        g_array_free(all, TRUE);
        return rc;
    }
    *count_out = all->len;
    *out = (hp_counter *)g_array_free(all, FALSE);
    return HP_OK;
}

int hp_store_counts_read(hp_store *store, int64_t school_id, hp_counter_kind kind,
                         hp_counter_period period, hp_counter **out, size_t *count_out)
{
    return counts_collect(store, school_id, kind, period, INT32_MIN, INT32_MAX, HP_SUBJECTS_ALL,
                          out, count_out);
}

int hp_store_counts_days(hp_store *store, int64_t school_id, hp_counter_kind kind, int32_t from_day,
                         int32_t to_day, hp_counter **out, size_t *count_out)
{
    return counts_collect(store, school_id, kind, HP_PERIOD_DAY, from_day, to_day, HP_SUBJECTS_ALL,
                          out, count_out);
}

int hp_store_counts_range(hp_store *store, int64_t school_id, hp_counter_kind kind,
                          int32_t from_day, int32_t to_day, hp_counter **out, size_t *count_out)
{
    return hp_store_counts_range_of(store, school_id, kind, from_day, to_day, HP_SUBJECTS_ALL, out,
                                    count_out);
}

int hp_store_counts_range_each(hp_store *store, int64_t school_id, hp_counter_kind kind,
                               int32_t from_day, int32_t to_day, hp_subject_range subjects,
                               hp_counter_visit visit, void *data)
{
    hp_counter_span spans[HP_COUNTER_SPANS_MAX];
    size_t span_count = hp_counter_range_split(from_day, to_day, spans);
    for (size_t i = 0; i < span_count; i++) {
        int rc = store->ops->counts_each(store, school_id, kind, spans[i].period, spans[i].from,
                                         spans[i].to, &subjects, visit, data);
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

int hp_store_counts_range_of(hp_store *store, int64_t school_id, hp_counter_kind kind,
                             int32_t from_day, int32_t to_day, hp_subject_range subjects,
                             hp_counter **out, size_t *count_out)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(hp_counter));
    int rc = hp_store_counts_range_each(store, school_id, kind, from_day, to_day, subjects,
                                        collect_counter, all);
    if (rc < 0) {
        g_array_free(all, TRUE);
        return rc;
    }
    *count_out = all->len;
    *out = (hp_counter *)g_array_free(all, FALSE);
    return HP_OK;
}

int hp_store_pass_count(hp_store *store, int64_t school_id, int64_t *count_out)
{
    return store->ops->pass_count(store, school_id, count_out);
}

int hp_store_session_create(hp_store *store, const unsigned char *token_hash,
                            const hp_session *session)
{
    return store->ops->session_create(store, token_hash, session);
}

int hp_store_session_get(hp_store *store, const unsigned char *token_hash, hp_session *out)
{
    int rc = store->ops->session_get(store, token_hash, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no such session");
    return rc;
}

int hp_store_session_touch(hp_store *store, const unsigned char *token_hash, int64_t now)
{
    return store->ops->session_touch(store, token_hash, now);
}

int hp_store_session_set_kiosk(hp_store *store, const unsigned char *token_hash,
                               int64_t kiosk_room_id)
{
    return store->ops->session_set_kiosk(store, token_hash, kiosk_room_id);
}

int hp_store_session_delete(hp_store *store, const unsigned char *token_hash)
{
    return store->ops->session_delete(store, token_hash);
}

int hp_store_sessions_expire(hp_store *store, int64_t seen_before, int64_t created_before)
{
    return store->ops->sessions_expire(store, seen_before, created_before);
}

int hp_store_sessions_delete_user(hp_store *store, int64_t school_id, int64_t user_id)
{
    return store->ops->sessions_delete_user(store, school_id, user_id);
}

int hp_store_user_active_put(hp_store *store, int64_t school_id, int64_t user_id, bool active,
                             bool *changed)
{
    return store->ops->user_active_put(store, school_id, user_id, active, changed);
}

int hp_store_audit_append(hp_store *store, int64_t school_id, const hp_audit_record *rec)
{
    return store->ops->audit_append(store, school_id, rec);
}

int hp_store_audit_list(hp_store *store, int64_t school_id, const hp_audit_query *query,
                        hp_audit_record **out, size_t *count_out)
{
    hp_audit_query q = *query;
    if (q.limit == 0 || q.limit > HP_AUDIT_LIST_MAX)
        q.limit = HP_AUDIT_LIST_MAX;
    return store->ops->audit_list(store, school_id, &q, out, count_out);
}

int hp_store_audit_purge(hp_store *store, int64_t school_id, int64_t before, int64_t now,
                         int64_t *removed)
{
    *removed = 0;
    if (before > now - (int64_t)HP_AUDIT_KEEP_MIN_DAYS * 86400)
        return hp_error_set(HP_EINVALID,
                            "audit records are kept %d days at least; none newer is removed",
                            HP_AUDIT_KEEP_MIN_DAYS);
    return store->ops->audit_purge(store, school_id, before, removed);
}

int hp_store_logins_find(hp_store *store, const char *email, hp_login **out, size_t *count_out)
{
    return store->ops->logins_find(store, email, out, count_out);
}

void hp_login_release(hp_login *login)
{
    hp_user_release(&login->user);
    g_free(login->password_hash);
    login->password_hash = NULL;
}

void hp_logins_free(hp_login *logins, size_t count)
{
    hp_list_free(logins, count, sizeof(*logins), (void (*)(void *))hp_login_release);
}

int hp_store_user_get(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out)
{
    int rc = store->ops->user_get(store, school_id, user_id, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no such user");
    return rc;
}

int hp_store_room_get(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out)
{
    int rc = store->ops->room_get(store, school_id, room_id, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no such room");
    return rc;
}

int hp_store_passes_lock(hp_store *store, int64_t school_id, int64_t student_id, int64_t origin_id,
                         int64_t destination_id)
{
    return store->ops->passes_lock(store, school_id, student_id, origin_id, destination_id);
}

int hp_store_active_count(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                          int64_t now, int64_t *count_out)
{
    return store->ops->active_count(store, school_id, kind, id, now, count_out);
}

int hp_store_pass_insert(hp_store *store, int64_t school_id, hp_pass *pass)
{
    int rc = check_deadlines(pass, 1);
    if (rc < 0)
        return rc;
    return store->ops->pass_insert(store, school_id, pass);
}

/* The message for every pass that is not there. */
static int pass_result(int rc, int64_t pass_id)
{
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no pass with id %lld", (long long)pass_id);
    return rc;
}

int hp_store_pass_get(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out)
{
    return pass_result(store->ops->pass_get(store, school_id, pass_id, out), pass_id);
}

int hp_store_pass_set_end(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end)
{
    return pass_result(store->ops->pass_set_end(store, school_id, pass_id, end), pass_id);
}

int hp_store_pass_set_cancelled(hp_store *store, int64_t school_id, int64_t pass_id)
{
    return pass_result(store->ops->pass_set_cancelled(store, school_id, pass_id), pass_id);
}

int hp_store_passes_refix_upcoming(hp_store *store, int64_t school_id, int64_t now)
{
    hp_settings settings;
    int rc = hp_store_settings_get(store, school_id, &settings);
    if (rc < 0)
        return rc;
    return store->ops->passes_refix_upcoming(
        store, school_id, now, settings.default_time_limit_minutes, settings.auto_end_minutes);
}

int hp_store_passes_active(hp_store *store, int64_t school_id, int64_t now, int64_t student_id,
                           bool with_scheduled, hp_pass **out, size_t *count_out)
{
    return store->ops->passes_active(store, school_id, now, student_id, with_scheduled, out,
                                     count_out);
}

int hp_store_passes_page(hp_store *store, int64_t school_id, int64_t after_id, size_t limit,
                         hp_pass **out, size_t *count_out)
{
    return store->ops->passes_page(store, school_id, after_id, limit, out, count_out);
}

void hp_passes_free(hp_pass *passes, size_t count)
{
    hp_list_free(passes, count, sizeof(*passes), (void (*)(void *))hp_pass_release);
}

int hp_store_passes_list(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                         hp_pass_view **out, size_t *count_out)
{
    static const hp_pass_filter everything = {0};
    return store->ops->passes_list(store, school_id, filter ? filter : &everything, out, count_out);
}

void hp_pass_view_release(hp_pass_view *view)
{
    hp_pass_release(&view->pass);
    g_free(view->student_name);
    g_free(view->student_email);
    g_free(view->student_id);
    g_free(view->origin_name);
    g_free(view->destination_name);
    g_free(view->creator_name);
    g_free(view->creator_email);
    memset(view, 0, sizeof(*view));
}

void hp_pass_views_free(hp_pass_view *views, size_t count)
{
    hp_list_free(views, count, sizeof(*views), (void (*)(void *))hp_pass_view_release);
}
/* The pass rules: settings as key/value rows, and the rule fields of rooms and users. */
void hp_setting_rows_free(hp_setting_row *rows, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        g_free(rows[i].key);
        g_free(rows[i].value);
    }
    g_free(rows);
}

int hp_store_settings_get(hp_store *store, int64_t school_id, hp_settings *out)
{
    hp_setting_row *rows;
    size_t n;
    hp_settings settings;
    int rc = store->ops->settings_read(store, school_id, &rows, &n);
    if (rc < 0)
        return rc;
    hp_settings_init(&settings);
    for (size_t i = 0; i < n && rc == HP_OK; i++) {
        /* A key this version does not know (written by a newer one) is left alone. */
        if (hp_setting_find(rows[i].key) == NULL)
            continue;
        if (hp_settings_set_text(&settings, rows[i].key, rows[i].value) < 0)
            rc = hp_error_prefix(HP_ESTORE, "the stored settings");
    }
    hp_setting_rows_free(rows, n);
    if (rc == HP_OK && hp_settings_check(&settings) < 0)
        rc = hp_error_prefix(HP_ESTORE, "the stored settings");
    if (rc == HP_OK)
        *out = settings;
    return rc;
}

int hp_store_settings_put(hp_store *store, int64_t school_id, const hp_settings *settings,
                          const hp_settings *stored)
{
    int rc = hp_settings_check(settings);
    for (size_t i = 0; rc == HP_OK && i < HP_SETTINGS_COUNT; i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        if (spec->type == HP_SETTING_TEXT) {
            const char *text = hp_settings_text(settings, spec);
            if (stored && strcmp(hp_settings_text(stored, spec), text) == 0)
                continue;
            rc = store->ops->setting_write(store, school_id, spec->key, text[0] ? text : NULL);
            continue;
        }
        int value = hp_settings_get(settings, spec);
        if (stored && hp_settings_get(stored, spec) == value)
            continue;
        char text[HP_SETTING_VALUE_LEN];
        hp_setting_format(spec, value, text);
        /* Empty, or the default: no row, so that a school that never chose follows the
         * default. */
        bool none = spec->has_default ? value == spec->default_value : text[0] == '\0';
        rc = store->ops->setting_write(store, school_id, spec->key, none ? NULL : text);
    }
    return rc;
}

/* Checks a rule field's value against its spec: a whole number in range or 0 for none. */
static int check_rule_field(const hp_setting_spec *spec, int value)
{
    if (value == 0 || (value >= spec->min && value <= spec->max))
        return HP_OK;
    return hp_error_set(HP_EINVALID, "%s: %d is not a whole number from %d to %d", spec->key, value,
                        spec->min, spec->max);
}

int hp_store_room_rules_put(hp_store *store, int64_t school_id, const hp_room *room, bool *changed)
{
    int rc = check_rule_field(&hp_field_time_limit_minutes, room->time_limit_minutes);
    if (rc < 0)
        return rc;
    return store->ops->room_rules_put(store, school_id, room, changed);
}

int hp_store_user_rules_put(hp_store *store, int64_t school_id, const hp_user *user, bool *changed)
{
    int rc = check_rule_field(&hp_field_max_passes_per_day, user->max_passes_per_day);
    if (rc < 0)
        return rc;
    return store->ops->user_rules_put(store, school_id, user, changed);
}

/* The pass rules' reads in a pass's transaction, and the clock's. */
int hp_store_school_lock(hp_store *store, int64_t school_id)
{
    return store->ops->school_lock(store, school_id);
}

int hp_store_student_counted(hp_store *store, int64_t school_id, int64_t student_id,
                             int32_t from_day, int32_t to_day, int64_t *count_out)
{
    return store->ops->student_counted(store, school_id, student_id, from_day, to_day, count_out);
}

int hp_store_student_last_end(hp_store *store, int64_t school_id, int64_t student_id,
                              int32_t from_day, int64_t now, bool *has_out, int64_t *end_out)
{
    return store->ops->student_last_end(store, school_id, student_id, from_day, now, has_out,
                                        end_out);
}

int hp_store_passes_due(hp_store *store, int64_t school_id, int64_t now, size_t limit,
                        hp_pass **out, size_t *count_out)
{
    return store->ops->passes_due(store, school_id, now, limit, out, count_out);
}

int hp_store_pass_reopen(hp_store *store, int64_t school_id, int64_t pass_id)
{
    return store->ops->pass_reopen(store, school_id, pass_id);
}

/* ---- Encounter groups ---- */

void hp_group_release(hp_group *group)
{
    if (group == NULL)
        return;
    g_free(group->name);
    g_free(group->members);
    *group = (hp_group){0};
}

static void group_release_item(void *item)
{
    hp_group_release(item);
}

void hp_groups_free(hp_group *groups, size_t count)
{
    hp_list_free(groups, count, sizeof(*groups), group_release_item);
}

int hp_store_groups_list(hp_store *store, int64_t school_id, hp_group **out, size_t *count_out)
{
    return store->ops->groups_list(store, school_id, out, count_out);
}

int hp_store_group_put(hp_store *store, int64_t school_id, hp_group *group)
{
    if (group->member_count < HP_GROUP_MEMBERS_MIN || group->member_count > HP_GROUP_MEMBERS_MAX)
        return hp_error_set(HP_EINVALID, "students: an encounter group has %d to %d students",
                            HP_GROUP_MEMBERS_MIN, HP_GROUP_MEMBERS_MAX);
    int rc = hp_check_name("name", group->name, true);
    if (rc < 0)
        return rc;
    rc = store->ops->group_put(store, school_id, group);
    if (rc == HP_EEXISTS)
        return hp_error_set(HP_EEXISTS, "name: an encounter group named \"%s\" already exists",
                            group->name);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_ENOTFOUND, "no encounter group with id %lld", (long long)group->id);
    return rc;
}

int hp_store_group_delete(hp_store *store, int64_t school_id, int64_t group_id)
{
    int rc = store->ops->group_delete(store, school_id, group_id);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_ENOTFOUND, "no encounter group with id %lld", (long long)group_id);
    return rc;
}

int hp_store_groups_lock(hp_store *store, int64_t school_id, int64_t student_id)
{
    return store->ops->groups_lock(store, school_id, student_id);
}

int hp_store_group_encounter(hp_store *store, int64_t school_id, int64_t student_id, int64_t now,
                             int64_t *group_id_out, char **name_out)
{
    *group_id_out = 0;
    *name_out = NULL;
    return store->ops->group_encounter(store, school_id, student_id, now, group_id_out, name_out);
}

int hp_store_group_prevented_add(hp_store *store, int64_t school_id,
                                 const hp_group_prevented *prevented)
{
    return store->ops->group_prevented_add(store, school_id, prevented);
}

int hp_store_group_override_add(hp_store *store, int64_t school_id, int64_t pass_id,
                                int64_t group_id, int32_t local_day)
{
    return store->ops->group_override_add(store, school_id, pass_id, group_id, local_day);
}

int hp_store_group_override_days(hp_store *store, int64_t school_id, hp_counter **out,
                                 size_t *count_out)
{
    return store->ops->group_override_days(store, school_id, out, count_out);
}

int hp_store_line_wait_days(hp_store *store, int64_t school_id, hp_counter **out, size_t *count_out)
{
    return store->ops->line_wait_days(store, school_id, out, count_out);
}

int hp_store_group_prevented_days(hp_store *store, int64_t school_id, hp_counter **out,
                                  size_t *count_out)
{
    return store->ops->group_prevented_days(store, school_id, out, count_out);
}

int hp_store_group_prevented_count(hp_store *store, int64_t school_id, int64_t *count_out)
{
    return store->ops->group_prevented_count(store, school_id, count_out);
}

int hp_store_refusal_add(hp_store *store, int64_t school_id, const hp_refusal *refusal)
{
    return store->ops->refusal_add(store, school_id, refusal);
}

int hp_store_refusal_sums(hp_store *store, int64_t school_id, hp_refusal_sum **out,
                          size_t *count_out)
{
    *out = NULL;
    *count_out = 0;
    return store->ops->refusal_sums(store, school_id, out, count_out);
}

void hp_refusal_sums_free(hp_refusal_sum *sums)
{
    g_free(sums);
}

int hp_store_refusals_unrecorded(hp_store *store, int64_t school_id, bool *any_out,
                                 int32_t *day_out)
{
    *any_out = false;
    *day_out = 0;
    return store->ops->refusals_unrecorded(store, school_id, any_out, day_out);
}

/* No-pass times: the bell schedule and blackouts. */
int hp_store_school_lock_shared(hp_store *store, int64_t school_id)
{
    return store->ops->school_lock_shared(store, school_id);
}

void hp_bell_rows_free(hp_bell_row *rows, size_t count)
{
    for (size_t i = 0; rows && i < count; i++)
        g_free(rows[i].period);
    g_free(rows);
}

/* Reads rows into a new schedule, which takes their periods. */
static int schedule_read(hp_store *store, int64_t school_id, int32_t day, hp_schedule *out)
{
    hp_bell_row *rows;
    size_t n;
    int rc = store->ops->schedule_read(store, school_id, day, &rows, &n);
    if (rc < 0)
        return rc;
    hp_schedule_init(out);
    g_array_append_vals(out->rows, rows, (guint)n);
    g_free(rows);
    return HP_OK;
}

int hp_store_schedule_get(hp_store *store, int64_t school_id, hp_schedule *out)
{
    return schedule_read(store, school_id, HP_SCHEDULE_WHOLE, out);
}

int hp_store_schedule_day(hp_store *store, int64_t school_id, int32_t day, hp_schedule *out)
{
    return schedule_read(store, school_id, day, out);
}

static bool same_rows(const hp_schedule *a, const hp_schedule *b)
{
    if (a->rows->len != b->rows->len)
        return false;
    for (guint i = 0; i < a->rows->len; i++) {
        const hp_bell_row *x = &g_array_index(a->rows, hp_bell_row, i);
        const hp_bell_row *y = &g_array_index(b->rows, hp_bell_row, i);
        if (x->weekday != y->weekday || (x->weekday == 0 && x->date != y->date) ||
            x->start != y->start || x->end != y->end || strcmp(x->period, y->period) != 0)
            return false;
    }
    return true;
}

int hp_store_schedule_put(hp_store *store, int64_t school_id, const hp_schedule *schedule,
                          bool *changed)
{
    hp_schedule stored;
    int rc = hp_store_schedule_get(store, school_id, &stored);
    if (rc < 0)
        return rc;
    *changed = !same_rows(&stored, schedule);
    hp_schedule_release(&stored);
    if (!*changed)
        return HP_OK;
    return store->ops->schedule_write(store, school_id, (const hp_bell_row *)schedule->rows->data,
                                      schedule->rows->len);
}

int hp_store_blackouts_list(hp_store *store, int64_t school_id, hp_blackout **out,
                            size_t *count_out)
{
    return store->ops->blackouts_read(store, school_id, false, 0, out, count_out);
}

int hp_store_blackout_at(hp_store *store, int64_t school_id, int64_t t, hp_blackout *out)
{
    hp_blackout *found;
    size_t n;
    int rc = store->ops->blackouts_read(store, school_id, true, t, &found, &n);
    if (rc < 0)
        return rc;
    if (n == 0) {
        hp_blackouts_free(found, n);
        return HP_ENOTFOUND;
    }
    *out = found[0];
    found[0] = (hp_blackout){0};
    hp_blackouts_free(found, n);
    return HP_OK;
}

int hp_store_blackout_insert(hp_store *store, int64_t school_id, hp_blackout *blackout)
{
    return store->ops->blackout_insert(store, school_id, blackout);
}

int hp_store_blackout_delete(hp_store *store, int64_t school_id, int64_t blackout_id)
{
    int rc = store->ops->blackout_delete(store, school_id, blackout_id);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_ENOTFOUND, "no blackout with id %lld", (long long)blackout_id);
    return rc;
}

/* ---- The waiting line ---- */

int hp_store_line_insert(hp_store *store, int64_t school_id, hp_line_entry *entry)
{
    return store->ops->line_insert(store, school_id, entry);
}

int hp_store_line_get(hp_store *store, int64_t school_id, int64_t entry_id, hp_line_entry *out)
{
    memset(out, 0, sizeof(*out));
    int rc = store->ops->line_get(store, school_id, entry_id, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_ENOTFOUND, "no entry in line with id %lld", (long long)entry_id);
    return rc;
}

int hp_store_line_list(hp_store *store, int64_t school_id, const hp_line_filter *filter,
                       hp_line_entry **out, size_t *count_out)
{
    *out = NULL;
    *count_out = 0;
    return store->ops->line_list(store, school_id, filter, out, count_out);
}

int hp_store_line_update(hp_store *store, int64_t school_id, const hp_line_entry *entry)
{
    int rc = store->ops->line_update(store, school_id, entry);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_ENOTFOUND, "no entry in line with id %lld", (long long)entry->id);
    return rc;
}

int hp_store_line_offers(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                         int64_t now, int64_t exclude_id, int64_t *count_out)
{
    *count_out = 0;
    return store->ops->line_offers(store, school_id, kind, id, now, exclude_id, count_out);
}

int hp_store_line_remove_student(hp_store *store, int64_t school_id, int64_t student_id,
                                 int64_t now)
{
    return store->ops->line_remove_student(store, school_id, student_id, now);
}

int hp_store_line_walk_lock(hp_store *store, int64_t school_id, const int64_t *room_ids,
                            size_t room_count, const int64_t *student_ids, size_t student_count,
                            bool *got)
{
    *got = false;
    return store->ops->line_walk_lock(store, school_id, room_ids, room_count, student_ids,
                                      student_count, got);
}

static const hp_removal_step purge_steps[] = {HP_PURGE_STEPS};
static const hp_removal_step erase_steps[] = {HP_ERASE_STEPS};

int hp_store_purge(hp_store *store, int64_t school_id, int32_t before_day, hp_removed_counts *out)
{
    int32_t month = hp_day_month(before_day);
    int32_t quarter = month / HP_MONTHS_PER_QUARTER;
    const int64_t params[] = {school_id,
                              before_day,
                              hp_day_week(before_day),
                              month,
                              quarter,
                              hp_month_first_day(month),
                              hp_month_first_day(quarter * HP_MONTHS_PER_QUARTER)};
    return store->ops->run_removal(store, purge_steps, HP_ARRAY_SIZE(purge_steps), params, out,
                                   "purging old records");
}

int hp_store_purged_before(hp_store *store, int64_t school_id, int32_t *day_out)
{
    return store->ops->purged_before(store, school_id, day_out);
}

int hp_store_student_erase(hp_store *store, int64_t school_id, int64_t student_id,
                           hp_removed_counts *out)
{
    const int64_t params[] = {school_id, student_id};
    return store->ops->run_removal(store, erase_steps, HP_ARRAY_SIZE(erase_steps), params, out,
                                   "removing a student's records");
}

int hp_store_counts_removed_add(hp_store *store, int64_t school_id, const hp_counter *days,
                                size_t count)
{
    if (count == 0)
        return HP_OK;
    return store->ops->counts_removed_add(store, school_id, days, count);
}

int hp_store_counts_removed_read(hp_store *store, int64_t school_id, hp_counter **out,
                                 size_t *count_out)
{
    return store->ops->counts_removed_read(store, school_id, out, count_out);
}

int hp_store_student_refusals(hp_store *store, int64_t school_id, int64_t student_id,
                              hp_refusal **out, size_t *count_out)
{
    return store->ops->student_refusals(store, school_id, student_id, out, count_out);
}

/* Share links. */

void hp_share_release(hp_share *share)
{
    g_free(share->report);
    g_free(share->from);
    g_free(share->to);
    g_free(share->creator_name);
    *share = (hp_share){0};
}

void hp_shares_free(hp_share *shares, size_t count)
{
    for (size_t i = 0; shares && i < count; i++)
        hp_share_release(&shares[i]);
    g_free(shares);
}

int hp_store_share_insert(hp_store *store, hp_share *share, const unsigned char *token_hash)
{
    return store->ops->share_insert(store, share, token_hash);
}

int hp_store_share_find(hp_store *store, const unsigned char *token_hash, hp_share *out)
{
    return store->ops->share_find(store, token_hash, out);
}

int hp_store_share_get(hp_store *store, int64_t school_id, int64_t share_id, hp_share *out)
{
    int rc = store->ops->share_get(store, school_id, share_id, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no share link with id %lld", (long long)share_id);
    return rc;
}

int hp_store_shares_active(hp_store *store, int64_t school_id, int64_t now, hp_share **out,
                           size_t *count_out)
{
    return store->ops->shares_active(store, school_id, now, out, count_out);
}

int hp_store_share_revoke(hp_store *store, int64_t school_id, int64_t share_id, int64_t now)
{
    int rc = store->ops->share_revoke(store, school_id, share_id, now);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(rc, "no share link with id %lld that is not revoked already",
                            (long long)share_id);
    return rc;
}
