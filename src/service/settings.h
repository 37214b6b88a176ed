/*
 * A school's pass-rule settings as the command line and the API read and change them. A
 * change is a list of keys with their new values, applied to the stored settings in one
 * transaction: every value is checked against the settings table first, and the first that
 * fails (an unknown key, a value out of range) changes nothing and names the key, the value and
 * the range.
 */
#ifndef HP_SERVICE_SETTINGS_H
#define HP_SERVICE_SETTINGS_H

#include "core/settings.h"
#include "service/actor.h"
#include "service/audit.h"
#include "store/store.h"

#include <stddef.h>

/* One setting to change: its key and its value, as text (text not NULL; "" for empty) or else
 * as a JSON value. With key NULL, text is a whole `KEY=VALUE` assignment, as a command line
 * gives it (`KEY=` empties the setting). */
typedef struct {
    const char *key;
    const char *text;
    hp_setting_value value;
} hp_setting_change;

/* A rule field of a room or user (time_limit_minutes, counts_toward_limit) as a request gave
 * it: not given, a value (null, a number or a boolean), or of a kind no field takes (a string,
 * a fraction, a list). */
typedef struct {
    bool given;
    bool wrong_kind;
    hp_setting_value value;
} hp_field_change;

/* The message for a value of a kind the setting or field does not take:
 * `time_limit_minutes: must be a whole number from 1 to 240, or null`. HP_EINVALID. */
int hp_setting_wrong_kind(const hp_setting_spec *spec);

/* Applies a field change to *value (as hp_setting_take() gives it); nothing when not given.
 * HP_EINVALID naming the field, the value and the range. */
int hp_field_change_apply(const hp_setting_spec *spec, const hp_field_change *change, int *value);

/* The school's settings as stored (defaults for those never set). */
int hp_school_settings_get(hp_store *store, int64_t school_id, hp_settings *out);

/* Applies the changes in order (a key given twice takes its last value) and stores the result
 * in one transaction, with the audit record of the settings that changed by `by` (of whose
 * school they are); *out (may be NULL) receives the settings as they now stand. */
int hp_school_settings_change(hp_store *store, const hp_audit_by *by,
                              const hp_setting_change *changes, size_t count, hp_settings *out);

/* Whether the actor may see and change the settings: admins only, not in kiosk mode.
 * HP_EFORBIDDEN with its message otherwise. */
int hp_actor_settings_allowed(const hp_actor *actor);

/* The same for a signed-in user, after hp_actor_settings_allowed(), and only in their own
 * school. oidc_client_secret_file is not theirs to change (HP_EFORBIDDEN): it names a file
 * on the server's machine, set there. */
int hp_actor_settings_get(hp_store *store, const hp_actor *actor, hp_settings *out);
int hp_actor_settings_change(hp_store *store, const hp_actor *actor,
                             const hp_setting_change *changes, size_t count, hp_settings *out);

#endif
