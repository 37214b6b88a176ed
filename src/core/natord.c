/*
 * Natural order. Each string is split into runs of ASCII digits and runs of other bytes, and
 * the runs are compared in turn: digit runs by numeric value (any length, leading zeros
 * ignored), a digit run before a non-digit run, non-digit runs byte by byte with ASCII
 * letters folded to lower case. A string whose runs all equal the start of the other's comes
 * first. Strings equal so far compare byte by byte, so the order is total.
 */
#include "core/natord.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static size_t run_length(const unsigned char *s, bool digits)
{
    size_t n = 0;
    while (s[n] && is_digit(s[n]) == digits)
        n++;
    return n;
}

/* Compares two digit runs by value without converting them, so any length works. */
static int compare_numbers(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    while (na > 0 && *a == '0') {
        a++;
        na--;
    }
    while (nb > 0 && *b == '0') {
        b++;
        nb--;
    }
    if (na != nb)
        return na < nb ? -1 : 1;
    int c = memcmp(a, b, na);
    return c < 0 ? -1 : c > 0;
}

static int compare_text(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = fold(a[i]), cb = fold(b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    if (na != nb)
        return na < nb ? -1 : 1;
    return 0;
}

int hp_natord_cmp(const char *as, const char *bs)
{
    const unsigned char *a = (const unsigned char *)as;
    const unsigned char *b = (const unsigned char *)bs;

    while (*a && *b) {
        bool da = is_digit(*a), db = is_digit(*b);
        if (da != db)
            return da ? -1 : 1;
        size_t na = run_length(a, da), nb = run_length(b, db);
        int c = da ? compare_numbers(a, na, b, nb) : compare_text(a, na, b, nb);
        if (c != 0)
            return c;
        a += na;
        b += nb;
    }
    if (*a || *b)
        return *a ? 1 : -1;
    int c = strcmp(as, bs);
    return c < 0 ? -1 : c > 0;
}
