/* Picks the backend from the store's address and dispatches to it; see store.h. */
#include "store/backend.h"

#include "core/error.h"
#include "core/tz.h"
#include "core/util.h"

#include <glib.h>

#include <stdlib.h>
#include <string.h>

int hp_store_open(hp_store **out, const char *uri, bool create)
{
    *out = NULL;
    if (uri == NULL || uri[0] == '\0')
        return hp_error_set(HP_EINVALID, "no store given: use --db or HALLPASS_DB");
    if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0)
        return hp_postgres_store_open(out, uri);
    return hp_sqlite_store_open(out, uri, create);
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

int hp_store_schema_version(hp_store *store)
{
    return store->ops->schema_version(store);
}

int hp_store_school_create(hp_store *store, const char *name, const char *zone, int64_t *id_out)
{
    return store->ops->school_create(store, name, zone, id_out);
}

int hp_store_schools_list(hp_store *store, hp_school **out, size_t *count_out)
{
    return store->ops->schools_list(store, out, count_out);
}

int hp_store_room_find(hp_store *store, int64_t school_id, const char *name, hp_room *out)
{
    return store->ops->room_find(store, school_id, name, out);
}

int hp_store_room_put(hp_store *store, int64_t school_id, hp_room *room, bool *changed)
{
    return store->ops->room_put(store, school_id, room, changed);
}

int hp_store_rooms_list(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out)
{
    return store->ops->rooms_list(store, school_id, out, count_out);
}

int hp_store_user_find(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                       char **password_hash_out)
{
    return store->ops->user_find(store, school_id, email, out, password_hash_out);
}

int hp_store_user_put(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                      bool *changed)
{
    return store->ops->user_put(store, school_id, user, password_hash, changed);
}

int hp_store_users_list(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                        size_t *count_out)
{
    return store->ops->users_list(store, school_id, staff_only, out, count_out);
}

int hp_store_passes_import(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                           bool *inserted)
{
    if (count == 0)
        return HP_OK;
    return store->ops->passes_import(store, school_id, passes, count, inserted);
}

static gint compare_counters(gconstpointer a, gconstpointer b)
{
    return hp_counter_key_compare(&((const hp_counter *)a)->key, &((const hp_counter *)b)->key);
}

/* Each day counter adds to its day's stored counter and its month's; those that meet on one
 * stored counter are summed first, since a database may take each key only once per
 * statement. The counters are written in key order, the same for every transaction, so that
 * two that change the same counters (a pass from A to B, another from B to A) wait for each
 * other instead of deadlocking on a database that locks rows. */
int hp_store_counts_add(hp_store *store, int64_t school_id, const hp_counter *day_counters,
                        size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (day_counters[i].key.period != HP_PERIOD_DAY)
            return hp_error_set(HP_EINVALID, "a counter to add is not a day's");
    /* Key -> index + 1 into rows; the keys point into rows, which is sized up front (each day
     * counter adds to two: its day's and its month's) so that it never moves. */
    GHashTable *index = g_hash_table_new(hp_counter_key_hash, hp_counter_key_equal);
    GArray *rows = g_array_sized_new(FALSE, FALSE, sizeof(hp_counter), (guint)(2 * count));

    for (size_t i = 0; i < count; i++) {
        hp_counter_key keys[] = {day_counters[i].key, hp_counter_key_month(day_counters[i].key)};
        for (size_t k = 0; k < HP_ARRAY_SIZE(keys); k++) {
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

int hp_store_counts_read(hp_store *store, int64_t school_id, hp_counter_kind kind,
                         hp_counter_period period, hp_counter **out, size_t *count_out)
{
    return store->ops->counts_read(store, school_id, kind, period, INT32_MIN, INT32_MAX, out,
                                   count_out);
}

int hp_store_counts_range(hp_store *store, int64_t school_id, hp_counter_kind kind,
                          int32_t from_day, int32_t to_day, hp_counter **out, size_t *count_out)
{
    hp_counter_span spans[HP_COUNTER_SPANS_MAX];
    size_t span_count = hp_counter_range_split(from_day, to_day, spans);
    GArray *all = g_array_new(FALSE, FALSE, sizeof(hp_counter));

    for (size_t i = 0; i < span_count; i++) {
        hp_counter *part;
        size_t n;
        int rc = store->ops->counts_read(store, school_id, kind, spans[i].period, spans[i].from,
                                         spans[i].to, &part, &n);
        if (rc < 0) {
            g_array_free(all, TRUE);
            return rc;
        }
        g_array_append_vals(all, part, (guint)n);
        hp_counters_free(part);
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
    return store->ops->session_get(store, token_hash, out);
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

int hp_store_logins_find(hp_store *store, const char *email, hp_login **out, size_t *count_out)
{
    return store->ops->logins_find(store, email, out, count_out);
}

void hp_logins_free(hp_login *logins, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        hp_user_release(&logins[i].user);
        free(logins[i].password_hash);
    }
    free(logins);
}

int hp_store_user_get(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out)
{
    return store->ops->user_get(store, school_id, user_id, out);
}

int hp_store_room_get(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out)
{
    return store->ops->room_get(store, school_id, room_id, out);
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
    return store->ops->pass_insert(store, school_id, pass);
}

int hp_store_pass_get(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out)
{
    return store->ops->pass_get(store, school_id, pass_id, out);
}

int hp_store_pass_set_end(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end)
{
    return store->ops->pass_set_end(store, school_id, pass_id, end);
}

int hp_store_pass_set_cancelled(hp_store *store, int64_t school_id, int64_t pass_id)
{
    return store->ops->pass_set_cancelled(store, school_id, pass_id);
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
    for (size_t i = 0; i < count; i++)
        free(passes[i].ext_id);
    free(passes);
}

/* Until the backends answer these two with one query each, they are built here from the
 * operations every backend has: same results, more work. */

static bool holds_folded(const char *text, const char *needle)
{
    if (text == NULL)
        return false;
    char *folded = g_ascii_strdown(text, -1);
    bool found = strstr(folded, needle) != NULL;
    g_free(folded);
    return found;
}

static int by_name(const void *a, const void *b)
{
    const hp_user *x = a, *y = b;
    int c = g_ascii_strcasecmp(x->name, y->name);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

int hp_store_students_search(hp_store *store, int64_t school_id, const char *query, size_t limit,
                             hp_user **out, size_t *count_out)
{
    hp_user *users;
    size_t n, kept = 0;
    int rc = hp_store_users_list(store, school_id, false, &users, &n);
    if (rc < 0)
        return rc;
    char *needle = g_ascii_strdown(query ? query : "", -1);
    for (size_t i = 0; i < n; i++) {
        if (users[i].role == HP_ROLE_STUDENT &&
            (holds_folded(users[i].name, needle) || holds_folded(users[i].email, needle) ||
             holds_folded(users[i].student_id, needle)))
            users[kept++] = users[i];
        else
            hp_user_release(&users[i]);
    }
    g_free(needle);
    qsort(users, kept, sizeof(*users), by_name);
    for (size_t i = limit; i < kept; i++)
        hp_user_release(&users[i]);
    *out = users;
    *count_out = kept < limit ? kept : limit;
    return HP_OK;
}

int hp_store_user_find_student_id(hp_store *store, int64_t school_id, const char *student_id,
                                  hp_user *out)
{
    hp_user *users;
    size_t n;
    int rc = hp_store_users_list(store, school_id, false, &users, &n);
    if (rc < 0)
        return rc;
    rc = hp_error_set(HP_ENOTFOUND, "no student with student_id \"%s\"", student_id);
    for (size_t i = 0; i < n && rc == HP_ENOTFOUND; i++) {
        if (users[i].student_id && g_ascii_strcasecmp(users[i].student_id, student_id) == 0) {
            *out = users[i];
            users[i] = (hp_user){0};
            rc = HP_OK;
        }
    }
    hp_users_free(users, n);
    return rc;
}

void hp_pass_view_release(hp_pass_view *v)
{
    hp_pass_release(&v->pass);
    free(v->student_name);
    free(v->student_email);
    free(v->student_number);
    free(v->origin);
    free(v->destination);
    free(v->creator_name);
    free(v->creator_email);
    memset(v, 0, sizeof(*v));
}

void hp_pass_views_free(hp_pass_view *views, size_t count)
{
    for (size_t i = 0; i < count; i++)
        hp_pass_view_release(&views[i]);
    free(views);
}

int hp_store_passes_list(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                         hp_pass_view **out, size_t *count_out)
{
    return store->ops->passes_list(store, school_id, filter, out, count_out);
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
