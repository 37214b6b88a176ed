/* Small helpers every part of the code may use. */
#ifndef HP_CORE_UTIL_H
#define HP_CORE_UTIL_H

/* The number of elements of an array (not a pointer). */
#define HP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
