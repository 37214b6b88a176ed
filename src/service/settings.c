/* A school's settings, read and changed in one transaction; see settings.h. */
#include "service/settings.h"

#include "core/error.h"
#include "service/audit.h"

#include <glib.h>
#include <string.h>

int hp_setting_wrong_kind(const hp_setting_spec *spec)
{
    if (spec->type == HP_SETTING_TEXT)
        return hp_error_set(HP_EINVALID, "%s: must be text, or null", spec->key);
    if (spec->type == HP_SETTING_BOOL)
        return hp_error_set(HP_EINVALID, "%s: must be true or false, or null", spec->key);
    return hp_error_set(HP_EINVALID, "%s: must be a whole number from %d to %d, or null", spec->key,
                        spec->min, spec->max);
}

int hp_field_change_apply(const hp_setting_spec *spec, const hp_field_change *change, int *value)
{
    if (!change->given)
        return HP_OK;
    if (change->wrong_kind)
        return hp_setting_wrong_kind(spec);
    return hp_setting_take(spec, &change->value, value);
}

int hp_school_settings_get(hp_store *store, int64_t school_id, hp_settings *out)
{
    return hp_store_settings_get(store, school_id, out);
}

/* Applies the changes to settings; nothing is stored here. */
static int apply(hp_settings *settings, const hp_setting_change *changes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const hp_setting_change *c = &changes[i];
        int rc = c->key == NULL ? hp_settings_assign(settings, c->text)
                 : c->text      ? hp_settings_set_text(settings, c->key, c->text)
                                : hp_settings_set_json(settings, c->key, &c->value);
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

/* Every setting as JSON values, for the audit record of a change. */
static json_t *settings_json(const hp_settings *settings)
{
    json_t *o = json_object();
    for (size_t i = 0; i < HP_SETTINGS_COUNT; i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        hp_setting_value v = hp_setting_json(spec, hp_settings_get(settings, spec));
        json_object_set_new(o, spec->key,
                            v.kind == HP_VALUE_NULL   ? json_null()
                            : v.kind == HP_VALUE_BOOL ? json_boolean(v.flag)
                                                      : json_integer((json_int_t)v.number));
    }
    return o;
}

/* The settings_update record of the settings that differ; none when nothing does. */
static int write_audit(hp_store *store, const hp_audit_by *by, int64_t now,
                       const hp_settings *stored, const hp_settings *settings)
{
    json_t *change = hp_audit_diff(settings_json(stored), settings_json(settings));
    return change ? hp_audit_write(store, by, now, "settings_update", "settings", change) : HP_OK;
}

int hp_school_settings_change(hp_store *store, const hp_audit_by *by,
                              const hp_setting_change *changes, size_t count, hp_settings *out)
{
    hp_settings stored, settings;
    int64_t school_id = by->school_id, now = g_get_real_time() / G_USEC_PER_SEC;
    int rc = hp_store_begin(store);
    if (rc < 0)
        return rc;
    /* Only the settings that change are written, so that another change of other settings
     * at the same time stands too. */
    if ((rc = hp_store_settings_get(store, school_id, &stored)) == HP_OK) {
        settings = stored;
        if ((rc = apply(&settings, changes, count)) == HP_OK &&
            (rc = hp_store_settings_put(store, school_id, &settings, &stored)) == HP_OK &&
            (rc = hp_store_passes_refix_upcoming(store, school_id, now)) == HP_OK &&
            (rc = write_audit(store, by, now, &stored, &settings)) == HP_OK)
            rc = hp_store_commit(store);
    }
    if (rc < 0) {
        hp_store_rollback(store);
        return rc;
    }
    if (out)
        *out = settings;
    return HP_OK;
}

int hp_actor_settings_allowed(const hp_actor *actor)
{
    if (hp_actor_is_admin(actor))
        return HP_OK;
    return hp_error_set(HP_EFORBIDDEN, "only admins see and change the pass rules");
}

int hp_actor_settings_get(hp_store *store, const hp_actor *actor, hp_settings *out)
{
    int rc = hp_actor_settings_allowed(actor);
    return rc < 0 ? rc : hp_school_settings_get(store, actor->school.id, out);
}

int hp_actor_settings_change(hp_store *store, const hp_actor *actor,
                             const hp_setting_change *changes, size_t count, hp_settings *out)
{
    int rc = hp_actor_settings_allowed(actor);
    if (rc < 0)
        return rc;
    /* The server reads the secret file and sends what it holds to the issuer's token
     * endpoint: were a web admin to name the file, they could have any file the server may
     * read sent to a server of theirs. Only someone at the server's command line names it. */
    for (size_t i = 0; i < count; i++)
        if (changes[i].key && strcmp(changes[i].key, "oidc_client_secret_file") == 0)
            return hp_error_set(HP_EFORBIDDEN,
                                "oidc_client_secret_file: set on the server's machine "
                                "(hallpass settings or serve --oidc-secret-file), not here");
    hp_audit_by by = hp_audit_by_actor(actor);
    return hp_school_settings_change(store, &by, changes, count, out);
}
