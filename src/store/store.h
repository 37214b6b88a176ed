/*
 * The store: where schools, rooms, users, passes, sessions and the report counters live. One
 * interface with two backends, SQLite (a file path) and PostgreSQL (a postgresql:// URI);
 * callers never know which. Every call is scoped to one school.
 *
 * Writes happen inside hp_store_begin() / hp_store_commit(); hp_store_rollback() undoes them.
 * Results handed back through out parameters belong to the caller, and are GLib allocations:
 * free them with the matching hp_*_release() or hp_*s_free(), or g_free() for a lone string.
 *
 * Errors: HP_ENOTFOUND and HP_EEXISTS come with a message naming the thing (`no room named
 * "Rm 9"`); HP_ESTORE when the database failed, with its own words for the log.
 */
#ifndef HP_STORE_STORE_H
#define HP_STORE_STORE_H

#include "core/line.h"
#include "core/model.h"
#include "core/schedule.h"
#include "store/counter.h"
#include "core/settings.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hp_store hp_store;

/* Opens the store named by uri. With create, a missing SQLite file is created; without it,
 * a missing file is an HP_ENOTFOUND error. Migrates the schema to the current version. */
int hp_store_open(hp_store **out, const char *uri, bool create);
void hp_store_free(hp_store *store);

/* Copies the SQLite store uri, while others keep writing to it, into the new file `to`: SQLite's
 * online backup, a few pages at a time, into `to`.tmp renamed to `to` once complete. An
 * existing `to` is refused (HP_EEXISTS) unless force; a PostgreSQL store is refused
 * (HP_EINVALID: it is backed up with pg_dump). On failure `to` is as it was. */
int hp_store_backup(const char *uri, const char *to, bool force);

int hp_store_begin(hp_store *store);
/* Begins a transaction for a bulk import whose rows the importer has checked already: a
 * backend may skip its own checks of references there, until the commit or rollback. */
int hp_store_begin_import(hp_store *store);
int hp_store_commit(hp_store *store);
void hp_store_rollback(hp_store *store);

/* The schema version the store is at after open. */
int hp_store_schema_version(hp_store *store);

/* Whether the store answers a trivial query now, reading no school's data: HP_OK, or HP_ESTORE
 * saying why not (a SQLite file moved or deleted, or its schema unreadable; a PostgreSQL server
 * gone). A lost PostgreSQL connection is opened again first. Outside a transaction. */
int hp_store_ping(hp_store *store);

/* Names given to the store (a school's, a room's and its folder, a user's) are checked with
 * hp_check_name(), and a student ID with hp_check_student_id(), whoever calls: HP_EINVALID. */
int hp_store_school_create(hp_store *store, const char *name, const char *zone, int64_t *id_out);
/* Schools in the order they were created. */
int hp_store_schools_list(hp_store *store, hp_school **out, size_t *count_out);

/* Finds a room by name, compared without regard to ASCII case. */
int hp_store_room_find(hp_store *store, int64_t school_id, const char *name, hp_room *out);
/* Inserts the room when room->id is 0 (and sets it), else updates it. *changed tells whether
 * any stored value differs now. */
int hp_store_room_put(hp_store *store, int64_t school_id, hp_room *room, bool *changed);
/* Every room of the school, in the order they were created. */
int hp_store_rooms_list(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out);

/* Finds a user by email, compared without regard to ASCII case. password_hash_out may be
 * NULL; else it receives the stored hash or NULL, to g_free(). */
int hp_store_user_find(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                       char **password_hash_out);
/* Finds a student by the school's student ID, compared without regard to ASCII case. */
int hp_store_user_find_student_id(hp_store *store, int64_t school_id, const char *student_id,
                                  hp_user *out);
/* Inserts (user->id == 0) or updates a user, student_id and room_id included. A NULL
 * password_hash keeps the stored one. HP_EEXISTS when another user of the school has the
 * email or the student ID. */
int hp_store_user_put(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                      bool *changed);
/* A user's id in the school's roster (a OneRoster sourcedId): the roster import finds the
 * user by it first. Kept apart from hp_user since only that import reads it. */
typedef struct {
    int64_t user_id;
    char *source_id;
} hp_user_source;

void hp_user_source_release(hp_user_source *source);
void hp_user_sources_free(hp_user_source *sources, size_t count);

/* The roster ids of the school's users that have one, by user id. */
int hp_store_user_sources_list(hp_store *store, int64_t school_id, hp_user_source **out,
                               size_t *count_out);
/* Sets (or with NULL removes) a user's roster id; *changed tells whether it differs now.
 * HP_EEXISTS when another user of the school has it. */
int hp_store_user_source_put(hp_store *store, int64_t school_id, int64_t user_id,
                             const char *source_id, bool *changed);

/* Users of the school in creation order; only admins and teachers with staff_only. */
int hp_store_users_list(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                        size_t *count_out);

/* The most results a student search hands back, whatever limit is asked. */
#define HP_STUDENTS_SEARCH_MAX 1000

/* Students whose name, email or student ID contains query (ASCII letters compared without
 * regard to case; % and _ in query are plain characters), at most limit of them, ordered by
 * name. The database does the matching and the limit, so a keystroke costs one query. */
int hp_store_students_search(hp_store *store, int64_t school_id, const char *query, size_t limit,
                             hp_user **out, size_t *count_out);

/* A search of the school's users (the Users page). */
typedef struct {
    const char *query; /* Held in the name, email or student ID, as a student search holds it;
                          NULL or "" for every user. */
    bool any_role;     /* Users of every role; else only those of role. */
    hp_role role;
    bool any_state; /* Active and deactivated users; else only those whose flag is active. */
    bool active;
    size_t limit; /* At most this many (and never more than HP_STUDENTS_SEARCH_MAX). */
} hp_user_search;

/* The users a search finds, ordered by name; the database does the matching and the limit. */
int hp_store_users_search(hp_store *store, int64_t school_id, const hp_user_search *q,
                          hp_user **out, size_t *count_out);

/* Stores imported passes, each unless a pass with the same ext_id is there already (or comes
 * earlier in the batch): inserted[i] tells which were stored. A batch lets a database server
 * take many rows in one round trip. Does not touch the report counters: see
 * hp_store_counts_add(). */
#define HP_IMPORT_BATCH 500

int hp_store_passes_import(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                           bool *inserted);

/* The report counters (counter.h). Adds each day counter given (key.period HP_PERIOD_DAY)
 * to the stored counter of its day and to that of its month, creating them at zero. */
int hp_store_counts_add(hp_store *store, int64_t school_id, const hp_counter *day_counters,
                        size_t count);

/* Subjects from `from` to `to`, both included: a read of one room's counters of the kinds whose
 * subject pairs a room with an hour or a minute (counter.h). */
typedef struct {
    int64_t from;
    int64_t to;
} hp_subject_range;

#define HP_SUBJECTS_ALL ((hp_subject_range){INT64_MIN, INT64_MAX})

/* The counters of a kind that a report over the local days [from_day, to_day] adds up: the
 * whole months inside the range as month counters, the days before and after as day counters
 * (hp_counter_range_split), so a report over a school year reads about twelve per subject,
 * not one per day. A subject may come several times (a month, then days); subjects with no
 * counter do not come. *out is the caller's, for hp_counters_free(). */
int hp_store_counts_range(hp_store *store, int64_t school_id, hp_counter_kind kind,
                          int32_t from_day, int32_t to_day, hp_counter **out, size_t *count_out);
/* The same, of the subjects in a range only (the database leaves out the others). */
int hp_store_counts_range_of(hp_store *store, int64_t school_id, hp_counter_kind kind,
                             int32_t from_day, int32_t to_day, hp_subject_range subjects,
                             hp_counter **out, size_t *count_out);

/* What the store hands each counter it reads to, one at a time: a report adds the counter's
 * values to its row and keeps nothing, so that no array of every row read is built. */
typedef void (*hp_counter_visit)(const hp_counter *counter, void *data);

/* hp_store_counts_range_of, handing each counter to visit(counter, data) as it is read (valid
 * during the call only) instead of into an array: what the insights read, since a school year
 * of a few thousand students is tens of thousands of counters. */
int hp_store_counts_range_each(hp_store *store, int64_t school_id, hp_counter_kind kind,
                               int32_t from_day, int32_t to_day, hp_subject_range subjects,
                               hp_counter_visit visit, void *data);

/* The day counters of a kind over the local days [from_day, to_day], one per subject and day
 * that has one: what an answer by day (the daily insight) reads. *out is the caller's, for
 * hp_counters_free(). */
int hp_store_counts_days(hp_store *store, int64_t school_id, hp_counter_kind kind, int32_t from_day,
                         int32_t to_day, hp_counter **out, size_t *count_out);

/* Every stored counter of a kind and period: what `hallpass check` compares with a recount.
 * *out is the caller's, for hp_counters_free(). */
int hp_store_counts_read(hp_store *store, int64_t school_id, hp_counter_kind kind,
                         hp_counter_period period, hp_counter **out, size_t *count_out);

/* Sessions, keyed by the hash of their token: the token itself is never stored. */
#define HP_TOKEN_HASH_BYTES 32

typedef struct {
    int64_t school_id;
    int64_t user_id;
    int64_t kiosk_room_id; /* Kiosk mode: the room a staff member launched it in; else 0. */
    int64_t created_at;
    int64_t last_seen;
} hp_session;

int hp_store_session_create(hp_store *store, const unsigned char *token_hash,
                            const hp_session *session);
/* Finds a session by token hash; HP_ENOTFOUND when there is none. */
int hp_store_session_get(hp_store *store, const unsigned char *token_hash, hp_session *out);
int hp_store_session_touch(hp_store *store, const unsigned char *token_hash, int64_t now);
int hp_store_session_set_kiosk(hp_store *store, const unsigned char *token_hash,
                               int64_t kiosk_room_id);
int hp_store_session_delete(hp_store *store, const unsigned char *token_hash);
/* Removes sessions not seen since before `seen_before`, and those created before
 * `created_before` however recently seen. */
int hp_store_sessions_expire(hp_store *store, int64_t seen_before, int64_t created_before);
/* Removes every session of one user (a password change signs them out everywhere). */
int hp_store_sessions_delete_user(hp_store *store, int64_t school_id, int64_t user_id);

/* Sets whether a user is active (may sign in); *changed tells whether it differed. */
int hp_store_user_active_put(hp_store *store, int64_t school_id, int64_t user_id, bool active,
                             bool *changed);

/* The audit log is append-only: the store refuses to change a record, and to remove one that
 * is not older than the school's purge point, which hp_store_audit_purge() alone moves and
 * never to less than HP_AUDIT_KEEP_MIN_DAYS ago. */
#define HP_AUDIT_KEEP_MIN_DAYS 30 /* The shortest retention a school may set. */
/* The most records one read hands back, whatever limit is asked. */
#define HP_AUDIT_LIST_MAX 10000

/* Which records to read; zero fields match everything. */
typedef struct {
    int64_t from, to;   /* Unix seconds: records with from <= at < to (0: open). */
    int64_t user_id;    /* Only this user's. */
    const char *who;    /* Only those whose who contains this (ASCII case folded), or NULL. */
    const char *action; /* Only this action, or NULL. */
    size_t limit;       /* At most this many (0 or more than HP_AUDIT_LIST_MAX: the maximum). */
    int64_t before_id;  /* Paging: only records with a smaller id (0: from the newest). */
} hp_audit_query;

/* Appends rec (its id and school are the store's to set). */
int hp_store_audit_append(hp_store *store, int64_t school_id, const hp_audit_record *rec);
/* The matching records, newest first. */
int hp_store_audit_list(hp_store *store, int64_t school_id, const hp_audit_query *query,
                        hp_audit_record **out, size_t *count_out);
/* Removes the records with at < before, which must be HP_AUDIT_KEEP_MIN_DAYS before now at
 * least (HP_EINVALID otherwise), and moves the school's purge point there. */
int hp_store_audit_purge(hp_store *store, int64_t school_id, int64_t before, int64_t now,
                         int64_t *removed);

/* ---- Retention: purging old records and removing one student's ----
 * What a purge or a student's removal took out of the store (a dry run counts the same in a
 * transaction it rolls back). */
typedef struct {
    int64_t passes;
    int64_t line_entries;
    int64_t refusals;    /* Refusals recorded by the pass rules. */
    int64_t prevented;   /* Passes an encounter group prevented (recorded apart). */
    int64_t overridden;  /* Encounter overrides recorded with the passes removed. */
    int64_t memberships; /* Encounter group memberships (a student's removal only). */
    int64_t counters;    /* Per-student counters (kinds STUDENT, STUDENT_TIME and
                            STUDENT_REFUSALS), per day and per month. */
} hp_removed_counts;

/* Inside a transaction: removes the school's passes, line entries, refusals, prevented passes
 * and their encounter overrides of the local days before before_day, and the per-student
 * counters of those days; a month partly before keeps, in its month counter, the sums of its
 * days from before_day on. The room, staff, rule, group and insight counters stay. Moves the
 * school's purged-before day there (never back). */
int hp_store_purge(hp_store *store, int64_t school_id, int32_t before_day, hp_removed_counts *out);
/* The school's purged-before day: no record of a local day before it is kept; 0 when the
 * school was never purged. */
int hp_store_purged_before(hp_store *store, int64_t school_id, int32_t *day_out);

/* Inside a transaction: removes a student with their passes, line entries, refusals, prevented
 * passes, encounter overrides, group memberships, per-student counters and sessions. The
 * counters of rooms, staff and the school stay; the caller records what the removed rows
 * counted there with hp_store_counts_removed_add(). HP_ENOTFOUND when no such user. */
int hp_store_student_erase(hp_store *store, int64_t school_id, int64_t student_id,
                           hp_removed_counts *out);
/* What removed records counted, as day counters added to those kept before (`hallpass check`
 * adds them to its recount of the rows that remain), and read back. hp_store_purge() drops
 * those of the days it purges. *out is freed with hp_counters_free(). */
int hp_store_counts_removed_add(hp_store *store, int64_t school_id, const hp_counter *days,
                                size_t count);
int hp_store_counts_removed_read(hp_store *store, int64_t school_id, hp_counter **out,
                                 size_t *count_out);

/* A user who may sign in with an email, in any school. */
typedef struct {
    int64_t school_id;
    hp_user user;
    char *password_hash; /* NULL when the user has no password. */
} hp_login;

int hp_store_logins_find(hp_store *store, const char *email, hp_login **out, size_t *count_out);
void hp_login_release(hp_login *login);
void hp_logins_free(hp_login *logins, size_t count);

int hp_store_user_get(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out);
int hp_store_room_get(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out);

/* Live passes. hp_store_passes_lock() is called first in a transaction that creates a pass:
 * a backend whose transactions do not already serialize writers takes row locks there on the
 * rooms and the student, so that counting and inserting are atomic. */
int hp_store_passes_lock(hp_store *store, int64_t school_id, int64_t student_id, int64_t origin_id,
                         int64_t destination_id);

typedef enum {
    HP_ACTIVE_FROM_ROOM,
    HP_ACTIVE_TO_ROOM,
    HP_ACTIVE_OF_STUDENT,
    HP_ACTIVE_IN_SCHOOL /* The whole school (the hallway cap); the id is not read. */
} hp_active_kind;

/* Counts passes active at `now` (core/rules.h: before its auto-end deadline too) from a room,
 * to a room, of a student, or in the school. */
int hp_store_active_count(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                          int64_t now, int64_t *count_out);
/* Inserts a pass created here (ext_id NULL) and sets pass->id. */
int hp_store_pass_insert(hp_store *store, int64_t school_id, hp_pass *pass);
int hp_store_pass_get(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out);
int hp_store_pass_set_end(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end);
int hp_store_pass_set_cancelled(hp_store *store, int64_t school_id, int64_t pass_id);

/* Gives the school's scheduled passes that start after now the time limit and auto-end
 * deadline they would take if they started under the settings and rooms as they stand in this
 * transaction: their destination's time limit or else default_time_limit_minutes, and start +
 * auto_end_minutes. A pass keeps the limits it starts with; a change of a setting or a room's
 * time limit calls this in its own transaction, so passes still to start take the new ones. */
int hp_store_passes_refix_upcoming(hp_store *store, int64_t school_id, int64_t now);
/* Passes active at `now`, oldest first; only one student's when student_id is not 0. Also the
 * scheduled passes still to start when with_scheduled. */
int hp_store_passes_active(hp_store *store, int64_t school_id, int64_t now, int64_t student_id,
                           bool with_scheduled, hp_pass **out, size_t *count_out);
void hp_passes_free(hp_pass *passes, size_t count);

/* Which passes hp_store_passes_list() gives; each condition set narrows the list. */
typedef struct {
    bool active;         /* Only passes active at `at`: started, not ended, not cancelled. */
    bool with_scheduled; /* With active: also those not ended nor cancelled starting after. */
    int64_t at;
    bool on_day; /* Only passes whose local day is `day`. */
    int32_t day;
    int64_t student_id; /* Only this student's passes when not 0. */
    int64_t pass_id;    /* Only this pass when not 0: one pass as shown, after a change. */
} hp_pass_filter;

/* A pass with the names a page shows beside it. */
typedef struct {
    hp_pass pass;
    char *student_name;
    char *student_email;
    char *student_id; /* The student's ID in the school (hp_user.student_id); NULL when none. */
    char *origin_name;
    char *destination_name;
    char *creator_name;
    char *creator_email;
} hp_pass_view;

/* The passes the filter lets through, oldest first (by start, then id), with their names, in
 * one query whatever their number. */
int hp_store_passes_list(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                         hp_pass_view **out, size_t *count_out);
void hp_pass_view_release(hp_pass_view *view);
void hp_pass_views_free(hp_pass_view *views, size_t count);

/* Up to `limit` passes of the school with ids above after_id, in id order: a way to walk all
 * of them in constant memory. */
int hp_store_passes_page(hp_store *store, int64_t school_id, int64_t after_id, size_t limit,
                         hp_pass **out, size_t *count_out);

/* Number of passes stored for the school, cancelled ones included. */
int hp_store_pass_count(hp_store *store, int64_t school_id, int64_t *count_out);

/* The pass rules. A school's settings are read and written as one hp_settings; the store
 * keeps each as a key and its text, and checks what it reads back against the settings table
 * (a stored value out of range is an HP_ESTORE error naming it). Call them inside
 * hp_store_begin() / hp_store_commit() to change settings all or nothing. */
int hp_store_settings_get(hp_store *store, int64_t school_id, hp_settings *out);
/* Writes the settings of `settings` (checked first with hp_settings_check()) that differ from
 * `stored`, or every one when stored is NULL. Writing only what changed lets two changes of
 * different settings at once both stand. */
int hp_store_settings_put(hp_store *store, int64_t school_id, const hp_settings *settings,
                          const hp_settings *stored);

/* The rule fields of a room (time_limit_minutes, counts_toward_limit) and of a user
 * (max_passes_per_day) are read with the rest of them but written by these alone, so that
 * code that builds a room or user from nothing and puts it (an import without those columns,
 * a copy, `hallpass user add`) never resets them: a new row has the defaults (no time limit,
 * counted, no daily limit of its own). The values are checked against their specs in
 * core/settings.h: HP_EINVALID naming the field. *changed tells whether a value differs now. */
int hp_store_room_rules_put(hp_store *store, int64_t school_id, const hp_room *room, bool *changed);
int hp_store_user_rules_put(hp_store *store, int64_t school_id, const hp_user *user, bool *changed);

/* ---- The pass rules' reads and writes in the transaction of a pass ----
 * Each reads a bounded number of rows whatever the history: the open passes through the
 * index of passes not ended, a student's passes through the index by student and local day. */

/* Locks the school's row, after the rooms and the student (hp_store_passes_lock): a creator
 * that checks the hallway cap takes it, so that two such creators count one after the other.
 * A backend whose transactions already serialize writers does nothing. */
int hp_store_school_lock(hp_store *store, int64_t school_id);

/* The student's passes that count toward their limits, among those that started on the local
 * days [from_day, to_day]: type now, not cancelled, to a room that counts toward the limit. */
int hp_store_student_counted(hp_store *store, int64_t school_id, int64_t student_id,
                             int32_t from_day, int32_t to_day, int64_t *count_out);

/* The latest end of the student's passes that started on local days from from_day on: a
 * written end, or an auto-end deadline reached by now. *has_out false when none ended. */
int hp_store_student_last_end(hp_store *store, int64_t school_id, int64_t student_id,
                              int32_t from_day, int64_t now, bool *has_out, int64_t *end_out);

/* Up to limit passes of the school whose auto-end deadline has come by now and whose end is
 * not written, oldest deadline first, each locked for this transaction; a backend that runs
 * writers in parallel skips the passes another transaction holds, so two clocks never write
 * the same one. */
int hp_store_passes_due(hp_store *store, int64_t school_id, int64_t now, size_t limit,
                        hp_pass **out, size_t *count_out);

/* Empties a pass's end: a resumed pass is active again. */
int hp_store_pass_reopen(hp_store *store, int64_t school_id, int64_t pass_id);

/* ---- Encounter groups ----
 * Students an admin keeps apart: while one of an active group's students is out, no other
 * of them may start a pass (the encounter rule). Only admins read or change groups. */

#define HP_GROUP_MEMBERS_MIN 2  /* A group keeps at least two students apart. */
#define HP_GROUP_MEMBERS_MAX 20 /* And at most a class's worth: a larger one blocks a hallway. */

/* A group: its name (unique in the school, ASCII case ignored), whether it is active (a
 * paused group refuses nothing) and its students' user ids, ascending. */
typedef struct {
    int64_t id;
    char *name;
    bool active;
    int64_t *members;
    size_t member_count;
} hp_group;

void hp_group_release(hp_group *group);
void hp_groups_free(hp_group *groups, size_t count);

/* Every group of the school, by id, each with its members. */
int hp_store_groups_list(hp_store *store, int64_t school_id, hp_group **out, size_t *count_out);

/* Inside a transaction: writes a group's name, state and members (replacing the members it
 * had). id 0 inserts it and sets group->id. HP_EEXISTS for a name taken, HP_ENOTFOUND for an
 * id the school has no group of; the member count must be within the limits above. */
int hp_store_group_put(hp_store *store, int64_t school_id, hp_group *group);

/* Removes a group and its members (its recorded prevented passes stay). HP_ENOTFOUND. */
int hp_store_group_delete(hp_store *store, int64_t school_id, int64_t group_id);

/* In a pass's transaction, after hp_store_passes_lock and before hp_store_school_lock: locks
 * the rows of the student's active groups, so that two students of one group are checked one
 * after the other. A backend whose transactions already serialize writers does nothing. */
int hp_store_groups_lock(hp_store *store, int64_t school_id, int64_t student_id);

/* The first (by id) of the student's active groups in which another student has a pass
 * active at now: *group_id_out and *name_out (GLib memory), or 0 and NULL when none. */
int hp_store_group_encounter(hp_store *store, int64_t school_id, int64_t student_id, int64_t now,
                             int64_t *group_id_out, char **name_out);

/* A pass the encounter rule prevented: the group (its name kept, as the group may be removed
 * later), the student, when, from which source, and the local day. */
typedef struct {
    int64_t group_id;
    const char *group_name;
    int64_t student_id;
    int64_t at;
    hp_source source;
    int32_t local_day;
} hp_group_prevented;

int hp_store_group_prevented_add(hp_store *store, int64_t school_id,
                                 const hp_group_prevented *prevented);

/* The recorded prevented passes summed per group and local day, as day counters of kind
 * HP_COUNTER_GROUP_REFUSALS (what `hallpass check` recounts that kind from); *out is freed
 * with hp_counters_free(). */
int hp_store_group_prevented_days(hp_store *store, int64_t school_id, hp_counter **out,
                                  size_t *count_out);

/* Records that a pass passed the encounter rule of a group by a staff override, in the pass's
 * transaction. */
int hp_store_group_override_add(hp_store *store, int64_t school_id, int64_t pass_id,
                                int64_t group_id, int32_t local_day);

/* Those records summed per group and local day, as day counters of kind
 * HP_COUNTER_GROUP_OVERRIDES (what `hallpass check` recounts that kind from); *out is freed
 * with hp_counters_free(). */
int hp_store_group_override_days(hp_store *store, int64_t school_id, hp_counter **out,
                                 size_t *count_out);

/* The passes started from the line, summed per destination and local day of the pass, as day
 * counters of kind HP_COUNTER_ROOM_WAITS (waited, and the seconds from joining to starting):
 * what `hallpass check` recounts that kind from. *out is freed with hp_counters_free(). */
int hp_store_line_wait_days(hp_store *store, int64_t school_id, hp_counter **out,
                            size_t *count_out);

/* How many passes the store has recorded as prevented for the school (for tests and check). */
int hp_store_group_prevented_count(hp_store *store, int64_t school_id, int64_t *count_out);

/* ---- Refusals by the pass rules ----
 * A refusal: the rule (its hp_rule_id number), the student, the rooms the pass was asked from
 * and to, from which source, when, and the local day. Written in the transaction that refused,
 * beside its counters, so that `hallpass check` recounts them. Personal data, like a pass. */
typedef struct {
    int rule;
    int64_t student_id;
    int64_t origin_id;
    int64_t destination_id;
    hp_source source;
    int64_t at;
    int32_t local_day;
} hp_refusal;

int hp_store_refusal_add(hp_store *store, int64_t school_id, const hp_refusal *refusal);

/* The recorded refusals that are alike but for their source and time, and how many. */
typedef struct {
    hp_refusal refusal; /* source and at are zero. */
    int64_t count;
} hp_refusal_sum;

/* The school's recorded refusals summed per rule, student, rooms and local day; *out is
 * freed with hp_refusal_sums_free(). What `hallpass check` recounts the refusal counters from. */
int hp_store_refusal_sums(hp_store *store, int64_t school_id, hp_refusal_sum **out,
                          size_t *count_out);
void hp_refusal_sums_free(hp_refusal_sum *sums);

/* Refusals counted before the store recorded them as rows left counters only. *any_out says
 * whether the school has such counters, and *day_out is then the last local day that has one:
 * up to that day (and its month) the refusal counters cannot be recounted. */
int hp_store_refusals_unrecorded(hp_store *store, int64_t school_id, bool *any_out,
                                 int32_t *day_out);

/* Every recorded refusal of one student, oldest first; *out is a g_new() array to g_free(). */
int hp_store_student_refusals(hp_store *store, int64_t school_id, int64_t student_id,
                              hp_refusal **out, size_t *count_out);

/* ---- No-pass times: the school's bell schedule and its blackouts ----
 * The pass's transaction reads a bounded number of rows: the schedule's rows of one local day
 * (its date's and its weekday's) and the one blackout that answers at an instant, through
 * indexes by day and by end. */

/* Locks the school's row for sharing, after the rooms and the student, instead of
 * hp_store_school_lock() when only the no-pass times are checked: a change to the schedule or
 * the blackouts locks the row (hp_store_school_lock), so it waits for the creators that read
 * the old ones, and creators after it see the new ones. Nothing on a backend whose
 * transactions serialize writers. */
int hp_store_school_lock_shared(hp_store *store, int64_t school_id);

/* The whole bell schedule, in the order it was given; *out is new (hp_schedule_release). */
int hp_store_schedule_get(hp_store *store, int64_t school_id, hp_schedule *out);
/* The rows that may apply on local day `day`: that date's and that weekday's (hp_schedule_day
 * picks between them). */
int hp_store_schedule_day(hp_store *store, int64_t school_id, int32_t day, hp_schedule *out);
/* Replaces the whole schedule; *changed false (and nothing written) when it is the same. */
int hp_store_schedule_put(hp_store *store, int64_t school_id, const hp_schedule *schedule,
                          bool *changed);

/* Every blackout of the school, by start; each with its creator's name. */
int hp_store_blackouts_list(hp_store *store, int64_t school_id, hp_blackout **out,
                            size_t *count_out);
/* The blackout that answers at t (one without an end, else the one that ends last, else the
 * oldest): HP_ENOTFOUND, with no message, when none covers t. */
int hp_store_blackout_at(hp_store *store, int64_t school_id, int64_t t, hp_blackout *out);
/* Stores a new blackout (its created_by, start, end and reason) and sets its id. */
int hp_store_blackout_insert(hp_store *store, int64_t school_id, hp_blackout *blackout);
/* HP_ENOTFOUND naming the id when the school has no such blackout. */
int hp_store_blackout_delete(hp_store *store, int64_t school_id, int64_t blackout_id);

/* ---- The waiting line ----
 * Entries of students waiting for a place (core/line.h). The reads go through indexes by
 * school, state and join time, by student, and over the offered entries by origin and by
 * destination, so a pass's rules and the clock read a bounded number of rows. */

/* Stores a new entry (its id is set). */
int hp_store_line_insert(hp_store *store, int64_t school_id, hp_line_entry *entry);

/* One entry with its names; HP_ENOTFOUND naming the id. On a backend with row locks the row
 * is locked for the transaction when one is open. */
int hp_store_line_get(hp_store *store, int64_t school_id, int64_t entry_id, hp_line_entry *out);

/* Which entries hp_store_line_list() gives, in join order (joined, then id), with names. */
typedef enum {
    HP_LINE_LIST_IN_LINE, /* In line at now (hp_line_in_line() with today). */
    HP_LINE_LIST_OPEN,    /* Written waiting or offered, whatever the time: the clock's. */
    HP_LINE_LIST_ALL      /* Every entry in any state: a copy's. */
} hp_line_list_kind;

typedef struct {
    hp_line_list_kind kind;
    int64_t now;
    int32_t today;
    int64_t student_id; /* Only this student's when not 0. */
    size_t limit;       /* At most this many; 0 for no limit. */
} hp_line_filter;

int hp_store_line_list(hp_store *store, int64_t school_id, const hp_line_filter *filter,
                       hp_line_entry **out, size_t *count_out);

/* Writes an entry's state, offer, lapses, pass and end. HP_ENOTFOUND naming the id. */
int hp_store_line_update(hp_store *store, int64_t school_id, const hp_line_entry *entry);

/* Outstanding offers at now (core/line.h) from a room, to a room, of a student or in the
 * school, leaving out the entry exclude_id (the offer being taken; 0: none). They count as
 * active passes for the rules. */
int hp_store_line_offers(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                         int64_t now, int64_t exclude_id, int64_t *count_out);

/* Removes the student's entries written waiting or offered (state removed, ended at now): a
 * pass started for them. */
int hp_store_line_remove_student(hp_store *store, int64_t school_id, int64_t student_id,
                                 int64_t now);

/* The clock's locks for a walk of the line, in the order every creator takes its own: the
 * rooms by id, the students by id, their active encounter groups by id, then the school.
 * First a lock of the school's walk that only one transaction at a time may hold: when
 * another holds it, *got is false and nothing is locked (that walk makes the changes). A
 * backend whose transactions serialize writers takes nothing and sets *got. */
int hp_store_line_walk_lock(hp_store *store, int64_t school_id, const int64_t *room_ids,
                            size_t room_count, const int64_t *student_ids, size_t student_count,
                            bool *got);

/* ---- Share links ----
 * A read-only link to one report over one range of dates, for anyone who holds it, until it
 * expires or an admin revokes it. Like a session, the store keeps only the SHA-256 of the
 * link's token (HP_TOKEN_HASH_BYTES), so a copy of the store opens no link. */
typedef struct {
    int64_t id;
    int64_t school_id;
    char *report; /* The report's name: "rooms" or "staff". */
    char *from;   /* The range's first and last local dates, YYYY-MM-DD. */
    char *to;
    int64_t created_by; /* The admin who made it. */
    char *creator_name; /* Their name as the store read it, or NULL. */
    int64_t created_at;
    int64_t expires_at; /* Open until this instant, not at it. */
    int64_t revoked_at; /* 0 while not revoked. */
} hp_share;

void hp_share_release(hp_share *share);
void hp_shares_free(hp_share *shares, size_t count);

/* Stores a new share (its school, report, range, creator and times) with the hash of its
 * token, and sets share->id. */
int hp_store_share_insert(hp_store *store, hp_share *share, const unsigned char *token_hash);
/* Finds a share by the hash of its token, in any school, revoked or not: HP_ENOTFOUND with
 * no message when none has it (the caller says what a wrong link is). */
int hp_store_share_find(hp_store *store, const unsigned char *token_hash, hp_share *out);
/* One share of the school, revoked or not: HP_ENOTFOUND naming the id (another school's
 * too). */
int hp_store_share_get(hp_store *store, int64_t school_id, int64_t share_id, hp_share *out);
/* The school's shares neither revoked nor expired at now, newest first, each with its
 * creator's name. */
int hp_store_shares_active(hp_store *store, int64_t school_id, int64_t now, hp_share **out,
                           size_t *count_out);
/* Marks a share revoked at now; HP_ENOTFOUND naming the id when the school has no share of
 * that id not revoked already. */
int hp_store_share_revoke(hp_store *store, int64_t school_id, int64_t share_id, int64_t now);

#endif
