/*
 * The statements of a purge and of a student's removal, one text for both backends, which
 * run them through their run_removal op (backend.h): parameters are written $1, $2 ..., which
 * PostgreSQL numbers and SQLite takes as names. Each step names the field of
 * hp_removed_counts its removed rows count toward (or none) and how many parameters it takes,
 * always the first ones: PostgreSQL refuses a parameter a statement does not use.
 *
 * A purge's parameters: 1 the school, 2 the first local day kept, 3 that day's month, 4 the
 * month's first day. A removal's: 1 the school, 2 the student.
 */
#ifndef HP_STORE_RETENTION_SQL_H
#define HP_STORE_RETENTION_SQL_H

#include "store/counter.h"
#include "store/store.h"

#include <stddef.h>

typedef struct {
    const char *sql;
    int params;
    ptrdiff_t counts; /* offsetof a field of hp_removed_counts, or HP_REMOVAL_UNCOUNTED. */
} hp_removal_step;

#define HP_REMOVAL_UNCOUNTED (-1)
#define HP_REMOVAL_PARAM_LEN 12 /* "$" and any int, and its NUL. */
#define HP_REMOVED(field) ((ptrdiff_t)offsetof(hp_removed_counts, field))

/* The per-student kinds, which a purge and a removal take out; every other kind stays. */
#define HP_SQL_STUDENT_KINDS "4, 12, 13"
_Static_assert(HP_COUNTER_STUDENT_REFUSALS == 4 && HP_COUNTER_STUDENT == 12 &&
                   HP_COUNTER_STUDENT_TIME == 13,
               "HP_SQL_STUDENT_KINDS names the per-student kinds");
_Static_assert(HP_PERIOD_DAY == 0 && HP_PERIOD_MONTH == 1, "the statements name the periods");

/* The statements keep one clause a line, as SQL reads best. */
// clang-format off
/* The passes of the purged days, and one student's. */
#define HP_SQL_PURGED_PASSES "SELECT id FROM passes WHERE school_id = $1 AND local_day < $2"
#define HP_SQL_STUDENT_PASSES "SELECT id FROM passes WHERE school_id = $1 AND student_id = $2"

/* In order: what refers to a pass goes before it. The month partly purged loses what its
 * purged days counted before those days' counters go. */
#define HP_PURGE_STEPS                                                                             \
    {"DELETE FROM encounter_overridden WHERE school_id = $1 AND pass_id IN ("                      \
     HP_SQL_PURGED_PASSES ")", 2, HP_REMOVED(overridden)},                                         \
    {"DELETE FROM line_entries WHERE school_id = $1 AND (local_day < $2"                           \
     " OR pass_id IN (" HP_SQL_PURGED_PASSES "))", 2, HP_REMOVED(line_entries)},                   \
    {"DELETE FROM refusals WHERE school_id = $1 AND local_day < $2", 2,                            \
     HP_REMOVED(refusals)},                                                                        \
    {"DELETE FROM encounter_prevented WHERE school_id = $1 AND local_day < $2", 2,                 \
     HP_REMOVED(prevented)},                                                                       \
    {"DELETE FROM passes WHERE school_id = $1 AND local_day < $2", 2, HP_REMOVED(passes)},         \
    {"UPDATE usage_counts SET a = a - d.da, b = b - d.db, c = c - d.dc FROM (SELECT kind AS dk,"   \
     " id AS di, sum(a) AS da, sum(b) AS db, sum(c) AS dc FROM usage_counts WHERE school_id = "    \
     "$1 AND kind IN (" HP_SQL_STUDENT_KINDS ") AND period = 0 AND bucket >= $4"                   \
     " AND bucket < $2 GROUP BY kind, id) AS d WHERE usage_counts.school_id = $1"                  \
     " AND usage_counts.kind = d.dk AND usage_counts.period = 1 AND usage_counts.bucket = $3"      \
     " AND usage_counts.id = d.di", 4, HP_REMOVAL_UNCOUNTED},                                      \
    {"DELETE FROM usage_counts WHERE school_id = $1 AND kind IN (" HP_SQL_STUDENT_KINDS            \
     ") AND ((period = 0 AND bucket < $2) OR (period = 1 AND bucket < $3))", 3,                    \
     HP_REMOVED(counters)},                                                                        \
    {"DELETE FROM counts_removed WHERE school_id = $1 AND bucket < $2", 2,                         \
     HP_REMOVAL_UNCOUNTED},                                                                        \
    {"INSERT INTO purged(school_id, before_day) VALUES ($1, $2)"                                   \
     " ON CONFLICT (school_id) DO UPDATE SET before_day = excluded.before_day"                     \
     " WHERE excluded.before_day > purged.before_day", 2, HP_REMOVAL_UNCOUNTED}

/* The user's row goes last: the backend tells HP_ENOTFOUND from its count. */
#define HP_ERASE_STEPS                                                                             \
    {"DELETE FROM encounter_overridden WHERE school_id = $1 AND pass_id IN ("                      \
     HP_SQL_STUDENT_PASSES ")", 2, HP_REMOVED(overridden)},                                        \
    {"DELETE FROM line_entries WHERE school_id = $1 AND (student_id = $2"                          \
     " OR pass_id IN (" HP_SQL_STUDENT_PASSES "))", 2, HP_REMOVED(line_entries)},                  \
    {"DELETE FROM refusals WHERE school_id = $1 AND student_id = $2", 2,                           \
     HP_REMOVED(refusals)},                                                                        \
    {"DELETE FROM encounter_prevented WHERE school_id = $1 AND student_id = $2", 2,                \
     HP_REMOVED(prevented)},                                                                       \
    {"DELETE FROM encounter_members WHERE school_id = $1 AND student_id = $2", 2,                  \
     HP_REMOVED(memberships)},                                                                     \
    {"DELETE FROM passes WHERE school_id = $1 AND student_id = $2", 2,                             \
     HP_REMOVED(passes)},                                                                          \
    {"DELETE FROM usage_counts WHERE school_id = $1 AND kind IN (" HP_SQL_STUDENT_KINDS            \
     ") AND id = $2", 2, HP_REMOVED(counters)},                                                    \
    {"DELETE FROM sessions WHERE school_id = $1 AND user_id = $2", 2,                              \
     HP_REMOVAL_UNCOUNTED},                                                                        \
    {"DELETE FROM users WHERE school_id = $1 AND id = $2", 2, HP_REMOVAL_UNCOUNTED}

// clang-format on

/* Adds to the counted field of a step's removal; nothing for an uncounted step. */
static inline void hp_removal_count(hp_removed_counts *counts, const hp_removal_step *step,
                                    int64_t rows)
{
    if (step->counts != HP_REMOVAL_UNCOUNTED)
        *(int64_t *)((char *)counts + step->counts) += rows;
}

#endif
