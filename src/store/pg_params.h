/*
 * The parameters of one PostgreSQL statement, in the text form libpq takes them. Kept apart
 * from postgres.c and free of libpq, so that the unit tests check what a statement is sent
 * without a server.
 */
#ifndef HP_STORE_PG_PARAMS_H
#define HP_STORE_PG_PARAMS_H

#include "core/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most parameters a statement of the store takes (the batch import builds its own). */
#define HP_PG_PARAMS_MAX 16
/* Bytes of the longest int64 in decimal, "-9223372036854775808", and its NUL. */
#define HP_PG_INT_TEXT_MAX 21

typedef struct {
    char numbers[HP_PG_PARAMS_MAX][HP_PG_INT_TEXT_MAX];
    char *owned[HP_PG_PARAMS_MAX]; /* GLib strings the values point into, freed on release. */
    const char *values[HP_PG_PARAMS_MAX];
    int count;
    bool overflow; /* More were added than fit: the statement must not run. */
} hp_pg_params;

void hp_pg_param_int(hp_pg_params *p, int64_t v);
/* Borrowed: text must outlive the statement's run. NULL is SQL NULL. */
void hp_pg_param_text(hp_pg_params *p, const char *text);
/* A row id, or NULL for 0. */
void hp_pg_param_id(hp_pg_params *p, int64_t id);
void hp_pg_param_bool(hp_pg_params *p, bool v);
/* bytea in PostgreSQL's hex form, \x0a1b... */
void hp_pg_param_bytes(hp_pg_params *p, const unsigned char *bytes, size_t n);
/* The parameters a pass is written with, in the order of PG_PASS_COLUMNS: school, ext_id,
 * student, origin, destination, creator, source, type, start, end (NULL while out),
 * cancelled, local day, time limit (NULL for none), auto-end deadline, overrides, whether it
 * is exempt from students' limits. ext_id is borrowed and may be NULL. */
#define HP_PG_PASS_PARAMS 16
#define HP_PG_PASS_COLUMNS                                                                         \
    "school_id, ext_id, student_id, origin_id, destination_id, creator_id, source, type,"          \
    " start_at, end_at, cancelled, local_day, time_limit_minutes, auto_end_at, overrides,"         \
    " limit_exempt"
void hp_pg_params_pass(hp_pg_params *p, int64_t school_id, const hp_pass *pass, const char *ext_id);

/* Frees what the parameters own; they may be filled again after. */
void hp_pg_params_release(hp_pg_params *p);

#endif
