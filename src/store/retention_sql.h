/*
 * The statements of a purge and of a student's removal, one text for both backends, which
 * run them through their run_removal op (backend.h): parameters are written $1, $2 ..., which
 * PostgreSQL numbers and SQLite takes as names. Each step names the field of
 * hp_removed_counts its removed rows count toward (or none) and how many parameters it takes,
 * always the first ones: PostgreSQL refuses a parameter a statement does not use.
 *
 * A purge's parameters: 1 the school, 2 the first local day kept, 3 the Monday of its week,
 * 4 its month, 5 its quarter, 6 the month's first day, 7 the quarter's first day. A removal's:
 * 1 the school, 2 the student.
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
_Static_assert(HP_PERIOD_DAY == 0 && HP_PERIOD_MONTH == 1 && HP_PERIOD_WEEK == 2 &&
                   HP_PERIOD_QUARTER == 3,
               "the statements name the periods");

/* The statements keep one clause a line, as SQL reads best. */
// clang-format off
/* The passes of the purged days, and one student's. */
#define HP_SQL_PURGED_PASSES "SELECT id FROM passes WHERE school_id = $1 AND local_day < $2"
#define HP_SQL_STUDENT_PASSES "SELECT id FROM passes WHERE school_id = $1 AND student_id = $2"

/* In order: what refers to a pass goes before it. The week, month and quarter partly purged
 * (those holding the first day kept) lose what their purged days counted, summed from those
 * days' counters before they go; then every student counter wholly before that day goes. Each
 * partly purged level is a row of l: its period, its bucket and its first day (the casts give
 * PostgreSQL the parameters' type, which a select list alone does not). */
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
    {"UPDATE usage_counts SET a = a - r.ra, b = b - r.rb, c = c - r.rc, d = d - r.rd"              \
     " FROM (SELECT u.kind AS rk, u.id AS ri, l.lp AS rp, l.lb AS rl, sum(u.a) AS ra,"             \
     " sum(u.b) AS rb, sum(u.c) AS rc, sum(u.d) AS rd FROM usage_counts AS u JOIN ("               \
     "SELECT 2 AS lp, CAST($3 AS integer) AS lb, CAST($3 AS integer) AS lf"                        \
     " UNION ALL SELECT 1, CAST($4 AS integer), CAST($6 AS integer)"                               \
     " UNION ALL SELECT 3, CAST($5 AS integer), CAST($7 AS integer)) AS l ON u.bucket >= l.lf"     \
     " WHERE u.school_id = $1 AND u.kind IN (" HP_SQL_STUDENT_KINDS ") AND u.period = 0"           \
     " AND u.bucket < $2 GROUP BY u.kind, u.id, l.lp, l.lb) AS r"                                  \
     " WHERE usage_counts.school_id = $1 AND usage_counts.kind = r.rk"                             \
     " AND usage_counts.period = r.rp AND usage_counts.bucket = r.rl"                              \
     " AND usage_counts.id = r.ri", 7, HP_REMOVAL_UNCOUNTED},                                      \
    {"DELETE FROM usage_counts WHERE school_id = $1 AND kind IN (" HP_SQL_STUDENT_KINDS            \
     ") AND ((period = 0 AND bucket < $2) OR (period = 2 AND bucket < $3)"                         \
     " OR (period = 1 AND bucket < $4) OR (period = 3 AND bucket < $5))", 5,                       \
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
