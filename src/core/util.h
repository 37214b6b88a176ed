/* Small helpers that every module may use. */
#ifndef HP_CORE_UTIL_H
#define HP_CORE_UTIL_H

/* The number of elements of an array (an array, never a pointer). */
#define HP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
