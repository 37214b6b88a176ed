/* The waiting line's entries by time; see line.h. */
#include "core/line.h"

#include "core/error.h"
#include "core/util.h"

#include <glib.h>
#include <string.h>

static const char *const state_names[] = {
    [HP_LINE_WAITING] = "waiting", [HP_LINE_OFFERED] = "offered", [HP_LINE_STARTED] = "started",
    [HP_LINE_LAPSED] = "lapsed",   [HP_LINE_LEFT] = "left",       [HP_LINE_REMOVED] = "removed",
};

const char *hp_line_state_name(hp_line_state state)
{
    return (size_t)state < HP_ARRAY_SIZE(state_names) ? state_names[state] : "";
}

int hp_line_state_parse(const char *name, hp_line_state *out)
{
    for (size_t i = 0; name && i < HP_ARRAY_SIZE(state_names); i++) {
        if (strcmp(state_names[i], name) == 0) {
            *out = (hp_line_state)i;
            return HP_OK;
        }
    }
    return hp_error_set(HP_EINVALID, "\"%.32s\" is not a state of the line", name ? name : "");
}

void hp_line_entry_release(hp_line_entry *entry)
{
    g_free(entry->student_name);
    g_free(entry->student_email);
    g_free(entry->student_code);
    g_free(entry->origin_name);
    g_free(entry->destination_name);
    memset(entry, 0, sizeof(*entry));
}

void hp_line_entries_free(hp_line_entry *entries, size_t count)
{
    for (size_t i = 0; entries && i < count; i++)
        hp_line_entry_release(&entries[i]);
    g_free(entries);
}

bool hp_line_offer_outstanding(const hp_line_entry *entry, int64_t now)
{
    return entry->state == HP_LINE_OFFERED && now < entry->offer_expires;
}

hp_line_state hp_line_state_at(const hp_line_entry *entry, int32_t today, int64_t now)
{
    switch (entry->state) {
    case HP_LINE_WAITING:
        return entry->local_day == today ? HP_LINE_WAITING : HP_LINE_REMOVED;
    case HP_LINE_OFFERED:
        if (now < entry->offer_expires)
            return HP_LINE_OFFERED;
        if (entry->lapses > 0)
            return HP_LINE_LAPSED;
        return entry->local_day == today ? HP_LINE_WAITING : HP_LINE_REMOVED;
    default:
        return entry->state;
    }
}

bool hp_line_in_line(const hp_line_entry *entry, int32_t today, int64_t now)
{
    hp_line_state state = hp_line_state_at(entry, today, now);
    return state == HP_LINE_WAITING || state == HP_LINE_OFFERED;
}

int64_t hp_line_offer_seconds_left(const hp_line_entry *entry, int64_t now)
{
    return hp_line_offer_outstanding(entry, now) ? entry->offer_expires - now : -1;
}

size_t hp_line_position(const hp_line_entry *line, size_t count, int64_t entry_id)
{
    for (size_t i = 0; i < count; i++)
        if (line[i].id == entry_id)
            return i + 1;
    return 0;
}
