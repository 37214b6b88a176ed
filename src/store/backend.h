/*
 * What a store backend implements: a versioned table of functions, the way libgit2's
 * pluggable backends work. store.c checks arguments common to all backends and dispatches.
 */
#ifndef HP_STORE_BACKEND_H
#define HP_STORE_BACKEND_H

#include "store/retention_sql.h"
#include "store/store.h"

#define HP_STORE_OPS_VERSION 2

/*
 * The functions a backend fills in. The rules for all of them:
 *
 * - Return HP_OK, or a negative code. HP_ENOTFOUND (no such row) and HP_EEXISTS (a unique key
 *   taken) are returned bare, with no message: store.c writes the one message for every
 *   backend. Any other failure sets its message (HP_ESTORE with the database's own words).
 * - Arguments are borrowed for the call; the backend keeps no pointer into them.
 * - What comes back through an out parameter belongs to the caller, allocated with GLib:
 *   lists as one g_new() array (NULL or empty for no rows) freed by the matching hp_*s_free(),
 *   strings inside them g_strdup()'d. On failure nothing is handed back and nothing leaks.
 * - store.c has checked what all backends would check alike (empty imports, limits).
 */

/* A stored setting: its key and its value as text (see core/settings.h). */
typedef struct {
    char *key;
    char *value;
} hp_setting_row;

void hp_setting_rows_free(hp_setting_row *rows, size_t count);

typedef struct hp_store_ops {
    int version; /* HP_STORE_OPS_VERSION: a table built for another version is refused. */
    const char *name;
    /* Closes the connection and frees the store, which is never used again. */
    void (*free)(hp_store *store);
    /* Starts a write transaction; the backend keeps track that one is open. */
    int (*begin)(hp_store *store);
    /* As begin, for an import whose references the importer has checked (see store.h). */
    int (*begin_import)(hp_store *store);
    /* Ends the open transaction, keeping its writes. On failure (HP_ESTORE) the caller still
     * calls rollback, which ends what is left of it: none of its writes is kept. */
    int (*commit)(hp_store *store);
    /* Undoes the open transaction; does nothing outside one. Never fails. */
    void (*rollback)(hp_store *store);
    /* The schema version, or a negative code. */
    int (*schema_version)(hp_store *store);
    /* Sets *id_out. HP_EEXISTS for a name taken (ASCII case ignored). */
    int (*school_create)(hp_store *store, const char *name, const char *zone, int64_t *id_out);
    /* *out: a new array of *count_out schools, each with its own strings. */
    int (*schools_list)(hp_store *store, hp_school **out, size_t *count_out);
    /* Fills the caller's *out (its strings then belong to the caller). HP_ENOTFOUND. */
    int (*room_find)(hp_store *store, int64_t school_id, const char *name, hp_room *out);
    /* Reads *room, sets room->id on an insert and *changed. HP_EEXISTS for a name taken. */
    int (*room_put)(hp_store *store, int64_t school_id, hp_room *room, bool *changed);
    /* *out: a new array of *count_out rooms. */
    int (*rooms_list)(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out);
    /* Fills *out; *password_hash_out (when not NULL) gets a new string or NULL. HP_ENOTFOUND. */
    int (*user_find)(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                     char **password_hash_out);
    /* Fills *out. HP_ENOTFOUND. */
    int (*user_find_student_id)(hp_store *store, int64_t school_id, const char *student_id,
                                hp_user *out);
    /* Reads *user, sets user->id on an insert and *changed. HP_EEXISTS for an email or a
     * student ID taken. */
    int (*user_put)(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                    bool *changed);
    /* *out: a new array of *count_out users. */
    int (*users_list)(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                      size_t *count_out);
    /* Users matching pattern, a LIKE pattern with '\\' as its escape that store.c built,
     * matched without regard to ASCII case against name, email and student ID; only those
     * of role (a role's name) unless it is NULL, and only those whose active flag is active
     * (0 or 1) unless it is -1; at most limit (at least 1), by name. *out: a new array of
     * *count_out users. */
    int (*users_search)(hp_store *store, int64_t school_id, const char *pattern, const char *role,
                        int active, size_t limit, hp_user **out, size_t *count_out);
    /* Reads passes[0..count), count >= 1; sets inserted[i] and, for those, passes[i].id. */
    int (*passes_import)(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                         bool *inserted);
    /* Adds each counter's values to the stored counter of its key, creating it at zero. No
     * two share a key, and they come in hp_counter_key_compare() order. Writes every value of
     * values[], whatever the kind. */
    int (*counts_write)(hp_store *store, int64_t school_id, const hp_counter *counters,
                        size_t count);
    /* Calls visit(counter, data) for each stored counter of a kind and period with buckets in
     * [from, to] and subjects in [subjects->from, subjects->to], in any order. The counter is
     * the backend's, valid during the call only: a report adds it up and keeps nothing. */
    int (*counts_each)(hp_store *store, int64_t school_id, hp_counter_kind kind,
                       hp_counter_period period, int32_t from, int32_t to,
                       const hp_subject_range *subjects, hp_counter_visit visit, void *data);
    /* Sets *count_out to the number of the school's passes. Allocates nothing. */
    int (*pass_count)(hp_store *store, int64_t school_id, int64_t *count_out);
    /* token_hash is HP_TOKEN_HASH_BYTES long; the backend copies what it stores. */
    int (*session_create)(hp_store *store, const unsigned char *token_hash,
                          const hp_session *session);
    /* Fills *out (no pointers in it). HP_ENOTFOUND. */
    int (*session_get)(hp_store *store, const unsigned char *token_hash, hp_session *out);
    /* The next four write one statement, usually outside a transaction, and allocate nothing;
     * token_hash is HP_TOKEN_HASH_BYTES long. A token with no session is not an error: it was
     * ended meanwhile, and there is nothing to change. */
    /* Sets the session's last use to now. */
    int (*session_touch)(hp_store *store, const unsigned char *token_hash, int64_t now);
    /* Sets the session's kiosk room (0: none, kiosk mode ended). */
    int (*session_set_kiosk)(hp_store *store, const unsigned char *token_hash,
                             int64_t kiosk_room_id);
    /* Removes the session. */
    int (*session_delete)(hp_store *store, const unsigned char *token_hash);
    /* Removes every session last used before seen_before or created before created_before. */
    int (*sessions_expire)(hp_store *store, int64_t seen_before, int64_t created_before);
    /* *out: a new array of *count_out logins, each with its strings and hash. */
    int (*logins_find)(hp_store *store, const char *email, hp_login **out, size_t *count_out);
    /* Fills *out (its strings then belong to the caller). HP_ENOTFOUND. */
    int (*user_get)(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out);
    /* Fills *out (its strings then belong to the caller). HP_ENOTFOUND. */
    int (*room_get)(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out);
    /* Inside a transaction: serializes creators of passes on these rows (see store.h). */
    int (*passes_lock)(hp_store *store, int64_t school_id, int64_t student_id, int64_t origin_id,
                       int64_t destination_id);
    /* Sets *count_out to the passes active at now from the room, to the room or of the
     * student `id` (by kind). Allocates nothing. */
    int (*active_count)(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                        int64_t now, int64_t *count_out);
    /* Reads *pass (its ext_id ignored: stored as NULL) and sets pass->id. */
    int (*pass_insert)(hp_store *store, int64_t school_id, hp_pass *pass);
    /* Fills *out (its ext_id then belongs to the caller). HP_ENOTFOUND. */
    int (*pass_get)(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out);
    /* HP_ENOTFOUND when no such pass. */
    int (*pass_set_end)(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end);
    /* HP_ENOTFOUND when no such pass. Allocates nothing. */
    int (*pass_set_cancelled)(hp_store *store, int64_t school_id, int64_t pass_id);
    int (*passes_refix_upcoming)(hp_store *store, int64_t school_id, int64_t now,
                                 int default_time_limit_minutes, int auto_end_minutes);
    /* The passes with ids after after_id, by id, at most limit. *out: a new array of
     * *count_out passes, each with its own ext_id. */
    int (*passes_page)(hp_store *store, int64_t school_id, int64_t after_id, size_t limit,
                       hp_pass **out, size_t *count_out);
    /* The passes not ended nor cancelled that started by now (or later too, with
     * with_scheduled), of the one student student_id (0: of everyone), by start. *out: a new
     * array of *count_out passes, each with its own ext_id. */
    int (*passes_active)(hp_store *store, int64_t school_id, int64_t now, int64_t student_id,
                         bool with_scheduled, hp_pass **out, size_t *count_out);
    /* *out: a new array of *count_out views, each with its own strings; filter is borrowed. */
    int (*passes_list)(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                       hp_pass_view **out, size_t *count_out);
    /* Operations added for ending sessions (owner: the command line and users service).
     * Removes every session of the user; none is not an error. Allocates nothing. */
    int (*sessions_delete_user)(hp_store *store, int64_t school_id, int64_t user_id);
    /* Operations added for deactivation and the audit log (owner: the users and audit
     * services). *out of audit_list: a new array of records with their own strings. */
    int (*user_active_put)(hp_store *store, int64_t school_id, int64_t user_id, bool active,
                           bool *changed);
    int (*audit_append)(hp_store *store, int64_t school_id, const hp_audit_record *rec);
    int (*audit_list)(hp_store *store, int64_t school_id, const hp_audit_query *query,
                      hp_audit_record **out, size_t *count_out);
    /* Moves the purge point to before (never back), then removes the older records. */
    int (*audit_purge)(hp_store *store, int64_t school_id, int64_t before, int64_t *removed);
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
    /* Operations added for the pass rules' transaction and the clock (owner: the pass rules);
     * see store.h. passes_due's array is freed with hp_passes_free(). */
    int (*school_lock)(hp_store *store, int64_t school_id);
    int (*student_counted)(hp_store *store, int64_t school_id, int64_t student_id, int32_t from_day,
                           int32_t to_day, int64_t *count_out);
    int (*student_last_end)(hp_store *store, int64_t school_id, int64_t student_id,
                            int32_t from_day, int64_t now, bool *has_out, int64_t *end_out);
    int (*passes_due)(hp_store *store, int64_t school_id, int64_t now, size_t limit, hp_pass **out,
                      size_t *count_out);
    int (*pass_reopen)(hp_store *store, int64_t school_id, int64_t pass_id);
    /* Operations added for encounter groups (owner: the groups service); see store.h. *out of
     * groups_list is a g_new() array whose groups own their names and member arrays. */
    int (*groups_list)(hp_store *store, int64_t school_id, hp_group **out, size_t *count_out);
    int (*group_put)(hp_store *store, int64_t school_id, hp_group *group);
    int (*group_delete)(hp_store *store, int64_t school_id, int64_t group_id);
    int (*groups_lock)(hp_store *store, int64_t school_id, int64_t student_id);
    int (*group_encounter)(hp_store *store, int64_t school_id, int64_t student_id, int64_t now,
                           int64_t *group_id_out, char **name_out);
    int (*group_prevented_add)(hp_store *store, int64_t school_id,
                               const hp_group_prevented *prevented);
    int (*group_prevented_count)(hp_store *store, int64_t school_id, int64_t *count_out);
    int (*line_wait_days)(hp_store *store, int64_t school_id, hp_counter **out, size_t *count_out);
    int (*group_override_add)(hp_store *store, int64_t school_id, int64_t pass_id, int64_t group_id,
                              int32_t local_day);
    int (*group_override_days)(hp_store *store, int64_t school_id, hp_counter **out,
                               size_t *count_out);
    int (*group_prevented_days)(hp_store *store, int64_t school_id, hp_counter **out,
                                size_t *count_out);
    /* Operations added for the no-pass times (owner: the bell schedule and blackouts); see
     * store.h. */
    int (*school_lock_shared)(hp_store *store, int64_t school_id);
    /* The rows of local day `day` (its date's and its weekday's), or with day
     * HP_SCHEDULE_WHOLE every row, in the order given; *out a g_new() array whose periods are
     * the caller's (hp_bell_rows_free()). */
    int (*schedule_read)(hp_store *store, int64_t school_id, int32_t day, hp_bell_row **out,
                         size_t *count_out);
    /* Deletes every row of the school's schedule and writes these, in this order. */
    int (*schedule_write)(hp_store *store, int64_t school_id, const hp_bell_row *rows,
                          size_t count);
    /* With at_only, the one blackout that answers at `at` (none: an empty array); else all of
     * them by start. Arrays freed with hp_blackouts_free(). */
    int (*blackouts_read)(hp_store *store, int64_t school_id, bool at_only, int64_t at,
                          hp_blackout **out, size_t *count_out);
    int (*blackout_insert)(hp_store *store, int64_t school_id, hp_blackout *blackout);
    /* HP_ENOTFOUND when no row was deleted. */
    int (*blackout_delete)(hp_store *store, int64_t school_id, int64_t blackout_id);
    /* Operations added for the recorded refusals (owner: the pass rules and the check); see
     * store.h. refusal_sums' *out is a g_new() array. */
    int (*refusal_add)(hp_store *store, int64_t school_id, const hp_refusal *refusal);
    int (*refusal_sums)(hp_store *store, int64_t school_id, hp_refusal_sum **out,
                        size_t *count_out);
    int (*refusals_unrecorded)(hp_store *store, int64_t school_id, bool *any_out, int32_t *day_out);
    /* A school whose counters are still to be built (the lowest id); *found false when none. */
    int (*counters_unbuilt_next)(hp_store *store, bool *found, int64_t *school_id);
    /* Takes the school off that list in the open transaction; *taken false when another
     * transaction did first (it then built them). */
    int (*counters_unbuilt_take)(hp_store *store, int64_t school_id, bool *taken);
    /* Operations added for the waiting line (owner: the line service); see store.h.
     * line_list's array is freed with hp_line_entries_free(); id lists are sorted ascending
     * with no repeats. */
    int (*line_insert)(hp_store *store, int64_t school_id, hp_line_entry *entry);
    int (*line_get)(hp_store *store, int64_t school_id, int64_t entry_id, hp_line_entry *out);
    int (*line_list)(hp_store *store, int64_t school_id, const hp_line_filter *filter,
                     hp_line_entry **out, size_t *count_out);
    int (*line_update)(hp_store *store, int64_t school_id, const hp_line_entry *entry);
    int (*line_offers)(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                       int64_t now, int64_t exclude_id, int64_t *count_out);
    int (*line_remove_student)(hp_store *store, int64_t school_id, int64_t student_id, int64_t now);
    int (*line_walk_lock)(hp_store *store, int64_t school_id, const int64_t *room_ids,
                          size_t room_count, const int64_t *student_ids, size_t student_count,
                          bool *got);
    /* Operations added for retention (owner: the retention service); see store.h.
     * run_removal runs the steps of a purge or a student's removal (store/retention_sql.h) in
     * order, each with the first step->params of params bound to $1, $2 ..., and adds the rows
     * each removed to its field of *out (zeroed first). *out of counts_removed_read and
     * student_refusals: a g_new() array. */
    int (*run_removal)(hp_store *store, const hp_removal_step *steps, size_t count,
                       const int64_t *params, hp_removed_counts *out, const char *what);
    int (*purged_before)(hp_store *store, int64_t school_id, int32_t *day_out);
    int (*counts_removed_add)(hp_store *store, int64_t school_id, const hp_counter *days,
                              size_t count);
    int (*counts_removed_read)(hp_store *store, int64_t school_id, hp_counter **out,
                               size_t *count_out);
    int (*student_refusals)(hp_store *store, int64_t school_id, int64_t student_id,
                            hp_refusal **out, size_t *count_out);
    /* Operations added for share links (owner: the shares service); see store.h. token_hash
     * is HP_TOKEN_HASH_BYTES long; a share read fills the caller's struct with GLib strings;
     * shares_active's array is freed with hp_shares_free(). share_find and share_get answer a
     * bare HP_ENOTFOUND, and share_revoke too when no row changed. */
    int (*share_insert)(hp_store *store, hp_share *share, const unsigned char *token_hash);
    int (*share_find)(hp_store *store, const unsigned char *token_hash, hp_share *out);
    int (*share_get)(hp_store *store, int64_t school_id, int64_t share_id, hp_share *out);
    int (*shares_active)(hp_store *store, int64_t school_id, int64_t now, hp_share **out,
                         size_t *count_out);
    int (*share_revoke)(hp_store *store, int64_t school_id, int64_t share_id, int64_t now);
    /* Operations added for the roster import (owner: the roster service); see store.h.
     * *out of user_sources_list is a g_new() array, freed with hp_user_sources_free(). */
    int (*user_sources_list)(hp_store *store, int64_t school_id, hp_user_source **out,
                             size_t *count_out);
    int (*user_source_put)(hp_store *store, int64_t school_id, int64_t user_id,
                           const char *source_id, bool *changed);
    /* Whether the store answers a trivial query now (a health check): HP_OK, or HP_ESTORE
     * saying why not. Outside a transaction only. */
    int (*ping)(hp_store *store);
} hp_store_ops;

/* schedule_read's day for the whole schedule. */
#define HP_SCHEDULE_WHOLE INT32_MIN

/* A blackout's missing end in SQL, so one index by end finds those still in force. */
#define HP_SQL_NO_END "9223372036854775807"

void hp_bell_rows_free(hp_bell_row *rows, size_t count);

/* Every backend's store struct begins with this. */
struct hp_store {
    const hp_store_ops *ops;
};

/* The error for a store whose schema is newer than this hallpass knows: `where` names the
 * store (its file, or "PostgreSQL"), version is the stored schema's and known the newest this
 * build can migrate to. Backends return it from their open; store.c writes the words. */
int hp_store_schema_too_new(const char *where, int version, int known);

int hp_sqlite_store_open(hp_store **out, const char *path, bool create);
int hp_postgres_store_open(hp_store **out, const char *uri);

/* SQLite only: copies the open store into the file `to` through `to`.tmp (see
 * hp_store_backup). */
int hp_sqlite_store_backup(hp_store *store, const char *to);

#endif
