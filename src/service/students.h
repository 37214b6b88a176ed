/*
 * Finding students: staff search by name, email or student ID to write a pass, and every
 * request that names a student (a pass's `student`, a kiosk's field) names them by email or
 * by the school's student ID, never by an internal user number, so that a typo at a kiosk
 * cannot start a pass for someone else.
 */
#ifndef HP_SERVICE_STUDENTS_H
#define HP_SERVICE_STUDENTS_H

#include "service/actor.h"
#include "store/store.h"

#define HP_STUDENT_MATCHES_MAX 20 /* Students a search answers at most: a list to pick from. */

/* Students whose name, email or student ID holds query, at most HP_STUDENT_MATCHES_MAX, by
 * name. Staff only. */
int hp_students_search(hp_store *store, const hp_actor *actor, const char *query, hp_user **out,
                       size_t *count_out);

/* Finds the student a request names in `field`: an email (it holds an "@") or a student ID.
 * HP_EINVALID, naming the field, when there is none or it is not a student. */
int hp_student_named(hp_store *store, const hp_actor *actor, const char *field, const char *who,
                     hp_user *out);
/* The same in a school named by id, for callers with no actor (the command line). */
int hp_student_find(hp_store *store, int64_t school_id, const char *field, const char *who,
                    hp_user *out);

#endif
