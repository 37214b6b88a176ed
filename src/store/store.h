/*
 * The store: where schools, rooms, users, passes and the report counters live. One interface,
 * with SQLite (a file path) behind it today and PostgreSQL (a postgresql:// URI) to come;
 * callers never know which. Every call is scoped to one school.
 *
 * Writes happen inside hp_store_begin() / hp_store_commit(); hp_store_rollback() undoes them.
 * Results handed back through out parameters belong to the caller.
 */
#ifndef HP_STORE_STORE_H
#define HP_STORE_STORE_H

#include "core/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hp_store hp_store;

/* Opens the store named by uri. With create, a missing SQLite file is created; without it,
 * a missing file is an HP_ENOTFOUND error. Migrates the schema to the current version. */
int hp_store_open(hp_store **out, const char *uri, bool create);
void hp_store_free(hp_store *store);

int hp_store_begin(hp_store *store);
int hp_store_commit(hp_store *store);
void hp_store_rollback(hp_store *store);

/* The schema version the store is at after open. */
int hp_store_schema_version(hp_store *store);

int hp_store_school_create(hp_store *store, const char *name, const char *timezone,
                           int64_t *id_out);
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
 * NULL; else it receives the stored hash or NULL, to free(). */
int hp_store_user_find(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                       char **password_hash_out);
/* Inserts (user->id == 0) or updates a user. A NULL password_hash keeps the stored one. */
int hp_store_user_put(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                      bool *changed);
/* Users of the school in creation order; only admins and teachers with staff_only. */
int hp_store_users_list(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                        size_t *count_out);

/* Stores an imported pass unless a pass with the same ext_id is there already (then
 * *inserted is false). Does not touch the report counters: see hp_store_counts_add(). */
int hp_store_pass_import(hp_store *store, int64_t school_id, hp_pass *pass, bool *inserted);

/* A change to the per-day report counters of one room or one staff member. */
typedef enum { HP_COUNTER_ROOM, HP_COUNTER_STAFF } hp_counter_kind;

typedef struct {
    hp_counter_kind kind;
    int64_t id; /* Room id or user id. */
    int32_t day;
    int64_t a; /* Room: passes from it.  Staff: now passes. */
    int64_t b; /* Room: passes to it.    Staff: scheduled passes. */
} hp_counter_delta;

int hp_store_counts_add(hp_store *store, int64_t school_id, const hp_counter_delta *deltas,
                        size_t count);

/* Sums of the counters over the local days [from_day, to_day], one entry per room or staff
 * member that has any; the report adds those with none. */
typedef struct {
    int64_t id;
    int64_t a;
    int64_t b;
} hp_usage;

int hp_store_usage(hp_store *store, int64_t school_id, hp_counter_kind kind, int32_t from_day,
                   int32_t to_day, hp_usage **out, size_t *count_out);

/* Number of passes stored for the school, cancelled ones included. */
int hp_store_pass_count(hp_store *store, int64_t school_id, int64_t *count_out);

#endif
