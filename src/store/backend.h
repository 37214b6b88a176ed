/*
 * What a store backend implements: a versioned table of functions, the way libgit2's
 * pluggable backends work. store.c checks arguments common to all backends and dispatches.
 */
#ifndef HP_STORE_BACKEND_H
#define HP_STORE_BACKEND_H

#include "store/store.h"

#define HP_STORE_OPS_VERSION 1

/* A stored setting: its key and its value as text (see core/settings.h). */
typedef struct {
    char *key;
    char *value;
} hp_setting_row;

void hp_setting_rows_free(hp_setting_row *rows, size_t count);

typedef struct hp_store_ops {
    int version;
    const char *name;
    void (*free)(hp_store *store);
    int (*begin)(hp_store *store);
    int (*begin_import)(hp_store *store);
    int (*commit)(hp_store *store);
    void (*rollback)(hp_store *store);
    int (*schema_version)(hp_store *store);
    int (*school_create)(hp_store *store, const char *name, const char *zone, int64_t *id_out);
    int (*schools_list)(hp_store *store, hp_school **out, size_t *count_out);
    int (*room_find)(hp_store *store, int64_t school_id, const char *name, hp_room *out);
    int (*room_put)(hp_store *store, int64_t school_id, hp_room *room, bool *changed);
    int (*rooms_list)(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out);
    int (*user_find)(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                     char **password_hash_out);
    int (*user_put)(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                    bool *changed);
    int (*users_list)(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                      size_t *count_out);
    int (*passes_import)(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                         bool *inserted);
    /* Adds each counter's values to the stored counter of its key, creating it at zero. No
     * two share a key, and they come in hp_counter_key_compare() order. Writes every value of
     * values[], whatever the kind. */
    int (*counts_write)(hp_store *store, int64_t school_id, const hp_counter *counters,
                        size_t count);
    /* The stored counters of a kind and period with buckets in [from, to], in any order;
     * *out is a g_malloc'd array that the caller frees with hp_counters_free(). */
    int (*counts_read)(hp_store *store, int64_t school_id, hp_counter_kind kind,
                       hp_counter_period period, int32_t from, int32_t to, hp_counter **out,
                       size_t *count_out);
    int (*pass_count)(hp_store *store, int64_t school_id, int64_t *count_out);
    int (*session_create)(hp_store *store, const unsigned char *token_hash,
                          const hp_session *session);
    int (*session_get)(hp_store *store, const unsigned char *token_hash, hp_session *out);
    int (*session_touch)(hp_store *store, const unsigned char *token_hash, int64_t now);
    int (*session_set_kiosk)(hp_store *store, const unsigned char *token_hash,
                             int64_t kiosk_room_id);
    int (*session_delete)(hp_store *store, const unsigned char *token_hash);
    int (*sessions_expire)(hp_store *store, int64_t seen_before, int64_t created_before);
    int (*logins_find)(hp_store *store, const char *email, hp_login **out, size_t *count_out);
    int (*user_get)(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out);
    int (*room_get)(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out);
    int (*passes_lock)(hp_store *store, int64_t school_id, int64_t student_id, int64_t origin_id,
                       int64_t destination_id);
    int (*active_count)(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                        int64_t now, int64_t *count_out);
    int (*pass_insert)(hp_store *store, int64_t school_id, hp_pass *pass);
    int (*pass_get)(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out);
    int (*pass_set_end)(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end);
    int (*pass_set_cancelled)(hp_store *store, int64_t school_id, int64_t pass_id);
    int (*passes_page)(hp_store *store, int64_t school_id, int64_t after_id, size_t limit,
                       hp_pass **out, size_t *count_out);
    int (*passes_active)(hp_store *store, int64_t school_id, int64_t now, int64_t student_id,
                         bool with_scheduled, hp_pass **out, size_t *count_out);
    /* One query joining the names; *out (calloc'd, freed by hp_pass_views_free) is the
     * caller's. */
    int (*passes_list)(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                       hp_pass_view **out, size_t *count_out);
    /* Operations added for ending sessions (owner: the command line and users service).
     * Removes every session of the user; none is not an error. Allocates nothing. */
    int (*sessions_delete_user)(hp_store *store, int64_t school_id, int64_t user_id);
    /* Operations added for the pass rules (owner: the settings). */
    /* The school's stored settings as (key, value) rows, in key order, GLib memory
     * (hp_setting_rows_free()); a key with no row has its default or is off. */
    int (*settings_read)(hp_store *store, int64_t school_id, hp_setting_row **out,
                         size_t *count_out);
    /* Stores one setting's value as text; a NULL value removes the key's row. */
    int (*setting_write)(hp_store *store, int64_t school_id, const char *key, const char *value);
    /* Writes only a room's time_limit_minutes and counts_toward_limit. */
    int (*room_rules_put)(hp_store *store, int64_t school_id, const hp_room *room, bool *changed);
    /* Writes only a user's max_passes_per_day. */
    int (*user_rules_put)(hp_store *store, int64_t school_id, const hp_user *user, bool *changed);
} hp_store_ops;

/* The SQL of a pass with the names shown with it (hp_pass_view), in one query that both
 * backends run; each adds its WHERE. The student's student_id is NULL until the users table
 * keeps it. */
#define HP_PASS_VIEW_SELECT                                                                        \
    "SELECT p.id, p.ext_id, p.student_id, p.origin_id, p.destination_id, p.creator_id,"            \
    " p.source, p.type, p.start_at, p.end_at, p.cancelled, p.local_day,"                           \
    " s.name, s.email, NULL, o.name, d.name, c.name, c.email FROM passes p"                        \
    " LEFT JOIN users s ON s.id = p.student_id LEFT JOIN users c ON c.id = p.creator_id"           \
    " LEFT JOIN rooms o ON o.id = p.origin_id LEFT JOIN rooms d ON d.id = p.destination_id"

/* Every backend's store struct begins with this. */
struct hp_store {
    const hp_store_ops *ops;
};

int hp_sqlite_store_open(hp_store **out, const char *path, bool create);
int hp_postgres_store_open(hp_store **out, const char *uri);

#endif
