/*
 * One error convention for all of hallpass: functions return int, 0 on success and a negative
 * HP_E* code on failure, and set a message once with hp_error_set(). The message names the
 * thing and the reason, in lower case without a full stop. It is kept per thread, so that
 * server threads never see each other's errors.
 */
#ifndef HP_CORE_ERROR_H
#define HP_CORE_ERROR_H

enum {
    HP_OK = 0,
    HP_ERROR = -1,       /* Anything not listed below. */
    HP_ENOTFOUND = -2,   /* The thing asked for does not exist. */
    HP_EINVALID = -3,    /* Bad input from a user: a value, a file, a parameter. */
    HP_ECONFLICT = -4,   /* A rule refuses it: a room limit, an active pass, a duplicate. */
    HP_EEXISTS = -5,     /* It exists already. */
    HP_ESTORE = -6,      /* The store failed (disk, database server). */
    HP_ETOOBIG = -7,     /* Input past a size cap. */
    HP_EIO = -8,         /* Reading or writing a file failed. */
    HP_EAUTH = -9,       /* Not signed in, or the sign-in failed. */
    HP_EFORBIDDEN = -10, /* Signed in, but this user may not do it. */
    HP_ETHROTTLED = -11, /* Too many failed sign-ins: try again later. */
    HP_EGONE = -12,      /* It was there but is over: an expired or revoked share link. */
};

#define HP_ERROR_MAX 1024

/* Sets this thread's last error message and returns code, so callers can write
 * `return hp_error_set(HP_EINVALID, "...")`. */
int hp_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes this thread's last message with "prefix: " and returns code. */
int hp_error_prefix(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* This thread's last error message, never NULL. */
const char *hp_error_last(void);

void hp_error_clear(void);

#endif
