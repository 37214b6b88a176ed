/*
 * Fuzzes natural order: the input is three strings split at NUL bytes. The order must be a
 * total order: reflexive, antisymmetric, transitive, and 0 only for equal strings.
 */
#include "core/natord.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3);
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    const char *a = buf;
    const char *b = a + strlen(a) + 1;
    if (b > buf + size)
        b = buf + size;
    const char *c = b + strlen(b) + 1;
    if (c > buf + size + 1)
        c = buf + size + 1;

    if (hp_natord_cmp(a, a) != 0)
        abort();
    int ab = sign(hp_natord_cmp(a, b)), ba = sign(hp_natord_cmp(b, a));
    if (ab != -ba || (ab == 0) != (strcmp(a, b) == 0))
        abort();
    int bc = sign(hp_natord_cmp(b, c)), ac = sign(hp_natord_cmp(a, c));
    if (ab <= 0 && bc <= 0 && ac > 0)
        abort();
    if (ab >= 0 && bc >= 0 && ac < 0)
        abort();
    free(buf);
    return 0;
}
