/* Schools; see schools.h. */
#include "service/schools.h"

#include "core/error.h"
#include "core/tz.h"

#include <glib.h>

int hp_school_check_new(const char *name, const char *zone)
{
    hp_tz *tz;
    int rc;
    if ((rc = hp_check_name("school", name, true)) < 0 || (rc = hp_tz_new(&tz, zone)) < 0)
        return rc;
    hp_tz_free(tz);
    return HP_OK;
}

int hp_school_create(hp_store *store, const char *name, const char *zone, int64_t *id_out)
{
    int rc = hp_school_check_new(name, zone);
    if (rc < 0)
        return rc;
    return hp_store_school_create(store, name, zone, id_out);
}

int hp_school_find(hp_store *store, const char *name, hp_school *out)
{
    hp_school *schools;
    size_t n;
    int rc = hp_store_schools_list(store, &schools, &n);
    if (rc < 0)
        return rc;

    size_t found = n;
    if (name) {
        for (size_t i = 0; i < n && found == n; i++)
            if (g_ascii_strcasecmp(schools[i].name, name) == 0)
                found = i;
        if (found == n)
            rc = hp_error_set(HP_ENOTFOUND, "no school named \"%s\"", name);
    } else if (n == 1) {
        found = 0;
    } else if (n == 0) {
        rc = hp_error_set(HP_ENOTFOUND,
                          "the store has no school yet; create one with hallpass init");
    } else {
        rc = hp_error_set(HP_EINVALID, "the store has %zu schools; name one with --school", n);
    }
    if (found < n) {
        /* Handed over as the store made it, so that hp_school_release() frees it the same way. */
        *out = schools[found];
        schools[found] = (hp_school){0};
        rc = HP_OK;
    }
    hp_schools_free(schools, n);
    return rc;
}

int hp_school_get(hp_store *store, int64_t school_id, hp_school *out)
{
    hp_school *all;
    size_t n;
    int rc = hp_store_schools_list(store, &all, &n);
    if (rc < 0)
        return rc;
    rc = hp_error_set(HP_ENOTFOUND, "no school with id %lld", (long long)school_id);
    for (size_t i = 0; i < n; i++) {
        if (all[i].id == school_id) {
            *out = all[i];
            all[i] = (hp_school){0};
            rc = HP_OK;
        }
    }
    hp_schools_free(all, n);
    return rc;
}
