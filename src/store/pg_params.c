/* Building the text parameters of a PostgreSQL statement; see pg_params.h. */
#include "store/pg_params.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The slot for the next parameter, or -1 (and overflow set) when all are taken. */
static int next_slot(hp_pg_params *p)
{
    if (p->count >= HP_PG_PARAMS_MAX) {
        p->overflow = true;
        return -1;
    }
    p->owned[p->count] = NULL;
    return p->count++;
}

void hp_pg_param_int(hp_pg_params *p, int64_t v)
{
    int i = next_slot(p);
    if (i < 0)
        return;
    snprintf(p->numbers[i], sizeof(p->numbers[i]), "%" PRId64, v);
    p->values[i] = p->numbers[i];
}

void hp_pg_param_text(hp_pg_params *p, const char *text)
{
    int i = next_slot(p);
    if (i >= 0)
        p->values[i] = text;
}

void hp_pg_param_id(hp_pg_params *p, int64_t id)
{
    if (id > 0)
        hp_pg_param_int(p, id);
    else
        hp_pg_param_text(p, NULL);
}

void hp_pg_param_bool(hp_pg_params *p, bool v)
{
    hp_pg_param_text(p, v ? "true" : "false");
}

void hp_pg_param_bytes(hp_pg_params *p, const unsigned char *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    int i = next_slot(p);
    if (i < 0)
        return;
    char *hex = g_malloc(2 * n + 3);
    hex[0] = '\\';
    hex[1] = 'x';
    for (size_t k = 0; k < n; k++) {
        hex[2 + 2 * k] = digits[bytes[k] >> 4];
        hex[3 + 2 * k] = digits[bytes[k] & 0xf];
    }
    hex[2 + 2 * n] = '\0';
    p->owned[i] = hex;
    p->values[i] = hex;
}

void hp_pg_params_pass(hp_pg_params *p, int64_t school_id, const hp_pass *pass, const char *ext_id)
{
    hp_pg_param_int(p, school_id);
    hp_pg_param_text(p, ext_id);
    hp_pg_param_int(p, pass->student_id);
    hp_pg_param_int(p, pass->origin_id);
    hp_pg_param_int(p, pass->destination_id);
    hp_pg_param_int(p, pass->creator_id);
    hp_pg_param_text(p, hp_source_name(pass->source));
    hp_pg_param_text(p, hp_pass_type_name(pass->type));
    hp_pg_param_int(p, pass->start);
    if (pass->has_end)
        hp_pg_param_int(p, pass->end);
    else
        hp_pg_param_text(p, NULL);
    hp_pg_param_bool(p, pass->cancelled);
    hp_pg_param_int(p, pass->local_day);
    hp_pg_param_id(p, pass->time_limit_minutes);
    hp_pg_param_int(p, pass->auto_end_at);
    hp_pg_param_int(p, pass->overrides);
    hp_pg_param_bool(p, pass->limit_exempt);
}

void hp_pg_params_release(hp_pg_params *p)
{
    for (int i = 0; i < p->count; i++) {
        g_free(p->owned[i]);
        p->owned[i] = NULL;
    }
    p->count = 0;
    p->overflow = false;
}
