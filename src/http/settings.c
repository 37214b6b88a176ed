/* /api/settings: admins read and change the school's pass-rule settings. Also the JSON of the
 * rule fields of rooms, which /api/rooms shows and takes. The work is in service/settings.c
 * (and service/rooms.c); this file only turns JSON into changes and settings into JSON. */
#include "http/http.h"

#include "core/error.h"
#include "core/settings.h"
#include "service/settings.h"

#include <glib.h>

json_t *hp_http_setting_json(const hp_setting_spec *spec, int value)
{
    hp_setting_value v = hp_setting_json(spec, value);
    switch (v.kind) {
    case HP_VALUE_NUMBER:
        return json_integer((json_int_t)v.number);
    case HP_VALUE_BOOL:
        return json_boolean(v.flag);
    case HP_VALUE_TEXT:
        return json_string(v.text);
    case HP_VALUE_NULL:
        break;
    }
    return json_null();
}

/* A JSON value as a setting's or field's value; false for a kind the spec does not take. */
static bool take_json(const hp_setting_spec *spec, json_t *json, hp_setting_value *out)
{
    *out = (hp_setting_value){.kind = HP_VALUE_NULL};
    if (json_is_string(json) && spec->type == HP_SETTING_TEXT)
        *out = (hp_setting_value){.kind = HP_VALUE_TEXT, .text = json_string_value(json)};
    else if (spec->type == HP_SETTING_TEXT && !json_is_null(json))
        return false;
    else if (json_is_boolean(json))
        *out = (hp_setting_value){.kind = HP_VALUE_BOOL, .flag = json_is_true(json)};
    else if (json_is_integer(json))
        *out = (hp_setting_value){.kind = HP_VALUE_NUMBER, .number = json_integer_value(json)};
    else if (!json_is_null(json))
        return false; /* A string, a fraction, a list or an object. */
    return true;
}

static json_t *settings_json(const hp_settings *settings)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < HP_SETTINGS_COUNT; i++) {
        const hp_setting_spec *spec = &hp_settings_table[i];
        const char *text = hp_settings_text(settings, spec);
        json_object_set_new(obj, spec->key,
                            text ? (text[0] ? json_string(text) : json_null())
                                 : hp_http_setting_json(spec, hp_settings_get(settings, spec)));
    }
    return obj;
}

void hp_http_settings_get(hp_http_request *req, hp_http_response *res)
{
    hp_settings settings;
    int rc = hp_actor_settings_get(req->store, &req->actor, &settings);
    if (rc < 0)
        hp_http_fail(res, rc);
    else
        hp_http_json(res, 200, settings_json(&settings));
}

json_t *hp_http_admin_body(hp_http_request *req, hp_http_response *res)
{
    /* Who may, before what they sent is read: a teacher learns nothing of the pass rules from
     * the answer to a bad body. */
    int rc = hp_actor_settings_allowed(&req->actor);
    if (rc < 0) {
        hp_http_fail(res, rc);
        return NULL;
    }
    return hp_http_body_object(req, res);
}

void hp_http_settings_update(hp_http_request *req, hp_http_response *res)
{
    json_t *body = hp_http_admin_body(req, res);
    int rc;
    if (body == NULL)
        return;
    GArray *changes = g_array_new(FALSE, TRUE, sizeof(hp_setting_change));
    const char *key;
    json_t *value;
    bool ok = true;
    json_object_foreach(body, key, value)
    {
        hp_setting_change change = {.key = key};
        const hp_setting_spec *spec = hp_setting_find(key);
        /* An unknown key goes on to the service, whose message lists the settings. */
        if (spec && !(ok = take_json(spec, value, &change.value))) {
            hp_http_fail(res, hp_setting_wrong_kind(spec));
            break;
        }
        g_array_append_val(changes, change);
    }
    if (ok) {
        hp_settings settings;
        rc = hp_actor_settings_change(req->store, &req->actor,
                                      (const hp_setting_change *)(void *)changes->data,
                                      changes->len, &settings);
        if (rc < 0)
            hp_http_fail(res, rc);
        else
            hp_http_json(res, 200, settings_json(&settings));
    }
    g_array_free(changes, TRUE);
    json_decref(body);
}

void hp_http_room_rules_json(json_t *room_json, const hp_room *room)
{
    json_object_set_new(
        room_json, hp_field_time_limit_minutes.key,
        hp_http_setting_json(&hp_field_time_limit_minutes, room->time_limit_minutes));
    json_object_set_new(
        room_json, hp_field_counts_toward_limit.key,
        hp_http_setting_json(&hp_field_counts_toward_limit, room->counts_toward_limit));
}

void hp_http_field_change(json_t *body, const hp_setting_spec *spec, hp_field_change *out)
{
    json_t *json = json_object_get(body, spec->key);
    *out = (hp_field_change){.given = json != NULL};
    if (json)
        out->wrong_kind = !take_json(spec, json, &out->value);
}
