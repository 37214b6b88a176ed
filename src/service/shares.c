/* Share links; see shares.h. */
#include "service/shares.h"

#include "core/error.h"
#include "core/tz.h"
#include "service/audit.h"

#include <glib.h>
#include <string.h>

int hp_share_allowed(const hp_actor *actor)
{
    if (hp_actor_is_admin(actor))
        return HP_OK;
    return hp_error_set(HP_EFORBIDDEN, "only admins share reports");
}

hp_report_kind hp_share_kind(const hp_share *share)
{
    /* The store holds only the two words its check allows. */
    return strcmp(share->report, "staff") == 0 ? HP_REPORT_STAFF : HP_REPORT_ROOMS;
}

/* Reads the request into a share of the actor's school: the report, the range fixed at its
 * dates, and the expiry. */
static int share_from_request(const hp_actor *actor, const hp_share_request *request, int64_t now,
                              hp_share *out)
{
    hp_report_kind kind;
    int32_t from_day, to_day;
    int rc;
    if (request->report == NULL)
        return hp_error_set(HP_EINVALID, "report: missing; rooms or staff");
    if ((rc = hp_report_kind_parse(request->report, &kind)) < 0)
        return hp_error_prefix(rc, "report");
    if ((rc = hp_report_range(actor->tz, request->from, request->to, &from_day, &to_day)) < 0)
        return rc;
    if (request->expires_in_days < HP_SHARE_DAYS_MIN ||
        request->expires_in_days > HP_SHARE_DAYS_MAX)
        return hp_error_set(HP_EINVALID,
                            "expires_in_days: %lld is not a whole number of days "
                            "from %d to %d",
                            (long long)request->expires_in_days, HP_SHARE_DAYS_MIN,
                            HP_SHARE_DAYS_MAX);
    char from[HP_DATE_LEN], to[HP_DATE_LEN];
    hp_date_format(from_day, from);
    hp_date_format(to_day, to);
    *out = (hp_share){
        .school_id = actor->school.id,
        .report = g_strdup(hp_report_kind_name(kind)),
        .from = g_strdup(from),
        .to = g_strdup(to),
        .created_by = actor->user.id,
        .creator_name = g_strdup(actor->user.name),
        .created_at = now,
        .expires_at = now + request->expires_in_days * HP_SHARE_DAY_SECONDS,
    };
    return HP_OK;
}

/* The audit log's words for a share: its target ("share 12") and detail (its report, range
 * and expiry, in the school's zone). */
static char *share_target(const hp_share *share)
{
    return g_strdup_printf("share %lld", (long long)share->id);
}

static json_t *share_detail(const hp_share *share, const hp_tz *tz)
{
    char expires[HP_DATETIME_LEN];
    hp_tz_format_datetime(tz, share->expires_at, expires);
    return json_pack("{s:s, s:s, s:s, s:s}", "report", share->report, "from", share->from, "to",
                     share->to, "expires", expires);
}

/* Writes a record of the actor's about a share, in the open transaction. */
static int audit_share(hp_store *store, const hp_actor *actor, const hp_share *share, int64_t now,
                       const char *action)
{
    hp_audit_by by = hp_audit_by_actor(actor);
    char *target = share_target(share);
    int rc = hp_audit_write(store, &by, now, action, target, share_detail(share, actor->tz));
    g_free(target);
    return rc;
}

int hp_share_create(hp_store *store, const hp_actor *actor, const hp_share_request *request,
                    int64_t now, hp_share *out, char token_out[HP_TOKEN_MAX])
{
    hp_share share;
    unsigned char hash[HP_TOKEN_HASH_BYTES];
    int rc = hp_share_allowed(actor);
    if (rc < 0 || (rc = share_from_request(actor, request, now, &share)) < 0)
        return rc;
    if ((rc = hp_token_new(token_out, hash)) < 0 || (rc = hp_store_begin(store)) < 0) {
        hp_share_release(&share);
        return rc;
    }
    if ((rc = hp_store_share_insert(store, &share, hash)) < 0 ||
        (rc = audit_share(store, actor, &share, now, "share_create")) < 0 ||
        (rc = hp_store_commit(store)) < 0) {
        hp_store_rollback(store);
        hp_share_release(&share);
        return rc;
    }
    *out = share;
    return HP_OK;
}

int hp_shares_list(hp_store *store, const hp_actor *actor, int64_t now, hp_share **out,
                   size_t *count_out)
{
    int rc = hp_share_allowed(actor);
    return rc < 0 ? rc : hp_store_shares_active(store, actor->school.id, now, out, count_out);
}

int hp_share_revoke(hp_store *store, const hp_actor *actor, int64_t share_id, int64_t now)
{
    hp_share share = {0};
    int rc = hp_share_allowed(actor);
    if (rc < 0 || (rc = hp_store_begin(store)) < 0)
        return rc;
    /* Read first, for the record's detail; the revocation then changes it only if no one
     * revoked it meanwhile. */
    if ((rc = hp_store_share_get(store, actor->school.id, share_id, &share)) < 0 ||
        (rc = hp_store_share_revoke(store, actor->school.id, share_id, now)) < 0 ||
        (rc = audit_share(store, actor, &share, now, "share_revoke")) < 0 ||
        (rc = hp_store_commit(store)) < 0)
        hp_store_rollback(store);
    hp_share_release(&share);
    return rc;
}

int hp_share_open(hp_store *store, const char *token, int64_t now, hp_share *out)
{
    unsigned char hash[HP_TOKEN_HASH_BYTES];
    hp_share share;
    /* A token that no link could have is answered as any other wrong one. */
    if (token == NULL || token[0] == '\0' || strlen(token) >= HP_TOKEN_MAX)
        return hp_error_set(HP_ENOTFOUND, "no such share link; check that the whole link was "
                                          "copied");
    hp_token_hash(token, hash);
    int rc = hp_store_share_find(store, hash, &share);
    if (rc == HP_ENOTFOUND)
        return hp_error_set(HP_ENOTFOUND, "no such share link; check that the whole link was "
                                          "copied");
    if (rc < 0)
        return rc;
    if (share.revoked_at != 0)
        rc = hp_error_set(HP_EGONE, "this share link was revoked by the school; ask them for a "
                                    "new one");
    else if (now >= share.expires_at)
        rc = hp_error_set(HP_EGONE, "this share link has expired; ask the school for a new one");
    if (rc < 0) {
        hp_share_release(&share);
        return rc;
    }
    *out = share;
    return HP_OK;
}

int hp_share_report(hp_store *store, const hp_share *share, const hp_school *school,
                    const hp_tz *tz, const char *sort, const char *order, hp_report **out)
{
    hp_report_query query = {.from = share->from, .to = share->to, .sort = sort, .order = order};
    return hp_report_build(out, store, school, tz, hp_share_kind(share), &query);
}

int hp_share_opened(hp_store *store, const hp_share *share, const hp_tz *tz, const char *client,
                    const char *format, int64_t now)
{
    char *who = g_strdup_printf("share link %lld", (long long)share->id);
    char *target = share_target(share);
    hp_audit_by by = {.school_id = share->school_id, .who = who, .address = client};
    json_t *detail = share_detail(share, tz);
    json_object_set_new(detail, "format", json_string(format));
    int rc = hp_audit_note(store, &by, now, "share_open", target, detail);
    g_free(target);
    g_free(who);
    return rc;
}
