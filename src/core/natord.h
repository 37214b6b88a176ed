/*
 * Natural order for report text: digits compare as numbers and letters without regard to
 * ASCII case, so "Room 2" < "room 10" < "Room 10A".
 */
#ifndef HP_CORE_NATORD_H
#define HP_CORE_NATORD_H

/* Compares two NUL-terminated strings in natural order; returns <0, 0 or >0. Returns 0 only
 * for strings that are equal byte for byte. */
int hp_natord_cmp(const char *a, const char *b);

#endif
