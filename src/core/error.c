/* Per-thread last error message; see error.h. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[HP_ERROR_MAX];

int hp_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
    return code;
}

int hp_error_prefix(int code, const char *fmt, ...)
{
    char prefix[HP_ERROR_MAX];
    char old[HP_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    /* Messages longer than the buffer are cut, not overflowed. */
    memcpy(old, last_error, sizeof(old));
    size_t used = strlen(prefix);
    memcpy(last_error, prefix, used + 1);
    if (used + 2 < sizeof(last_error)) {
        memcpy(last_error + used, ": ", 3);
        used += 2;
        size_t rest = strlen(old);
        if (rest > sizeof(last_error) - 1 - used)
            rest = sizeof(last_error) - 1 - used;
        memcpy(last_error + used, old, rest);
        last_error[used + rest] = '\0';
    }
    return code;
}

const char *hp_error_last(void)
{
    return last_error[0] ? last_error : "unknown error";
}

void hp_error_clear(void)
{
    last_error[0] = '\0';
}
