/*
 * Share links: an admin makes a read-only link to Room Usage or Staff Usage over one range of
 * dates, for people who should read that report without an account that sees more (teachers,
 * a school board), until the link expires (1 to 90 days) or an admin revokes it. The link
 * carries a token of 32 random bytes, shown once, when the link is made; the store keeps only
 * its SHA-256, and a link is found by that hash. Whoever holds the link reads that one report
 * over that one range, sorted as they like and downloaded as CSV or XLSX, and nothing else.
 */
#ifndef HP_SERVICE_SHARES_H
#define HP_SERVICE_SHARES_H

#include "report/report.h"
#include "service/actor.h"
#include "service/auth.h"
#include "store/store.h"

#define HP_SHARE_DAYS_MIN 1
#define HP_SHARE_DAYS_MAX 90 /* About a school term: long enough to read, short enough to end. */
#define HP_SHARE_DAY_SECONDS 86400 /* A link's days are whole days of 24 hours from its making. */
#define HP_SHARE_PATH "/shared/"   /* A link is this path and the token. */

/* What an admin asks for: the report's name, the range as a report takes it (NULL from or to
 * as a report without them: the 30 days ending today), and how many days the link lasts. */
typedef struct {
    const char *report;
    const char *from;
    const char *to;
    int64_t expires_in_days;
} hp_share_request;

/* HP_OK for an admin of the school (not in kiosk mode), else HP_EFORBIDDEN: checked before a
 * request's body is read, so that a teacher learns nothing from a bad one. */
int hp_share_allowed(const hp_actor *actor);

/* Makes a link for an admin of the actor's school (HP_EFORBIDDEN for anyone else, before the
 * request is read). Bad fields are HP_EINVALID naming the field. The range is fixed at its
 * dates now, so the link shows the same days whenever it is opened. *out is the stored share
 * (hp_share_release) and token_out the link's token, which nothing keeps. */
int hp_share_create(hp_store *store, const hp_actor *actor, const hp_share_request *request,
                    int64_t now, hp_share *out, char token_out[HP_TOKEN_MAX]);

/* The school's links neither expired nor revoked at now, newest first (admins only). */
int hp_shares_list(hp_store *store, const hp_actor *actor, int64_t now, hp_share **out,
                   size_t *count_out);

/* Revokes one of the school's links (admins only): HP_ENOTFOUND naming the id for a link the
 * school does not have, or has revoked already. */
int hp_share_revoke(hp_store *store, const hp_actor *actor, int64_t share_id, int64_t now);

/* Finds the link of a token, for anyone: HP_ENOTFOUND for a token no link has, HP_EGONE for
 * a link that has expired or was revoked (each saying which, plainly). *out is filled only on
 * success. */
int hp_share_open(hp_store *store, const char *token, int64_t now, hp_share *out);

/* The kind of report a share shows. */
hp_report_kind hp_share_kind(const hp_share *share);

/* Builds a share's report over its range for its school (zone tz), sorted by sort and order
 * as a report's query takes them (NULL for the defaults). */
int hp_share_report(hp_store *store, const hp_share *share, const hp_school *school,
                    const hp_tz *tz, const char *sort, const char *order, hp_report **out);

/* Records an opening of a link in the audit log (share_open): the link, its report, range and
 * expiry, the format read (json, csv or xlsx) and the reader's address; no signed-in user,
 * the reader is "share link N". */
int hp_share_opened(hp_store *store, const hp_share *share, const hp_tz *tz, const char *client,
                    const char *format, int64_t now);

#endif
