/* Finding students; see students.h. */
#include "service/students.h"

#include "core/error.h"

#include <string.h>

int hp_students_search(hp_store *store, const hp_actor *actor, const char *query, hp_user **out,
                       size_t *count_out)
{
    if (!hp_actor_is_staff(actor))
        return hp_error_set(HP_EFORBIDDEN, "only staff look up students");
    if (query && strlen(query) > HP_NAME_MAX)
        return hp_error_set(HP_EINVALID, "q: longer than %d bytes", HP_NAME_MAX);
    return hp_store_students_search(store, actor->school.id, query ? query : "",
                                    HP_STUDENT_MATCHES_MAX, out, count_out);
}

int hp_student_named(hp_store *store, const hp_actor *actor, const char *field, const char *who,
                     hp_user *out)
{
    return hp_student_find(store, actor->school.id, field, who, out);
}

int hp_student_find(hp_store *store, int64_t school_id, const char *field, const char *who,
                    hp_user *out)
{
    int rc;
    if (who == NULL || who[0] == '\0')
        return hp_error_set(HP_EINVALID, "%s: missing", field);
    if (strlen(who) > HP_EMAIL_MAX)
        return hp_error_set(HP_EINVALID, "%s: longer than %d bytes", field, HP_EMAIL_MAX);
    /* An email always holds an "@" and a student ID never does, so one lookup decides. */
    if (strchr(who, '@'))
        rc = hp_store_user_find(store, school_id, who, out, NULL);
    else
        rc = hp_store_user_find_student_id(store, school_id, who, out);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_EINVALID, "%s: no student with email or student ID \"%s\"", field,
                            who);
    if (rc < 0)
        return rc;
    if (out->role != HP_ROLE_STUDENT) {
        hp_user_release(out);
        return hp_error_set(HP_EINVALID, "%s: \"%s\" is not a student", field, who);
    }
    return HP_OK;
}
