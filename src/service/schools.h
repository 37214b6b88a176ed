/*
 * Schools: creating one, and finding the one a command or a request names. Every path that
 * looks a school up by name calls hp_school_find(), so the rule (ASCII case does not count;
 * with no name, the store's only school) is written once.
 */
#ifndef HP_SERVICE_SCHOOLS_H
#define HP_SERVICE_SCHOOLS_H

#include "store/store.h"

/* Checks a new school's name and IANA time zone, before anything is created. */
int hp_school_check_new(const char *name, const char *zone);

/* Creates a school after the checks of hp_school_check_new(); HP_EEXISTS when the name is
 * taken. */
int hp_school_create(hp_store *store, const char *name, const char *zone, int64_t *id_out);

/* Finds the school named `name`, compared without regard to ASCII case, or with name NULL the
 * store's only school. HP_ENOTFOUND when there is no such school (or none at all), HP_EINVALID
 * when name is NULL and the store holds several. *out belongs to the caller
 * (hp_school_release). */
int hp_school_find(hp_store *store, const char *name, hp_school *out);

/* Finds the school with that id (a session's): HP_ENOTFOUND when there is none. *out belongs
 * to the caller (hp_school_release). */
int hp_school_get(hp_store *store, int64_t school_id, hp_school *out);

#endif
