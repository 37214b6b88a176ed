/*
 * The pages: each path maps to an HTML file built in from web/, with the roles that may see
 * it. A visitor not signed in is sent to the sign-in page, and a signed-in user to a page
 * they may not see is sent to their own home page, with `?denied=` naming the page so that
 * the home page can say why. Scripts and styles are served to anyone: they hold no data.
 *
 * /pages.json tells the scripts what they would otherwise copy: whether the visitor is signed
 * in (always 200, so that the sign-in page never logs a 401), the pages with the audience of
 * each and which the visitor may see, and the report columns with the titles the CSV and
 * XLSX downloads use.
 */
#include "http/http.h"

#include "core/util.h"
#include "http/assets.h"
#include "report/report.h"
#include "service/shares.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

enum {
    SEE_ADMIN = 1 << 0,   /* An admin's own session. */
    SEE_TEACHER = 1 << 1, /* A teacher's own session. */
    SEE_STUDENT = 1 << 2,
    SEE_KIOSK = 1 << 3, /* A kiosk login, or a staff session in kiosk mode. */
    SEE_ANYONE = 1 << 4 /* Not signed in too. */
};

/* In the order of the header's links; label and audience are shown to people ("Analytics is
 * for admins"). */
static const struct {
    const char *path;
    const char *file;
    int who;
    const char *label;
    const char *audience;
} pages[] = {
    {"/signin", "/signin.html", SEE_ANYONE, "Sign in", "everyone"},
    {"/analytics", "/analytics.html", SEE_ADMIN, "Analytics", "admins"},
    {"/rooms", "/rooms.html", SEE_ADMIN, "Rooms", "admins"},
    {"/rules", "/rules.html", SEE_ADMIN, "Pass rules", "admins"},
    {"/users", "/users.html", SEE_ADMIN, "Users", "admins"},
    {"/passes", "/passes.html", SEE_ADMIN | SEE_TEACHER, "Passes", "staff"},
    {"/audit", "/audit.html", SEE_ADMIN, "Audit log", "admins"},
    {"/student", "/student.html", SEE_STUDENT, "My pass", "students"},
    {"/kiosk", "/kiosk.html", SEE_KIOSK, "Kiosk", "kiosks"},
};

#define SITE_PATH "/pages.json"

const hp_asset *hp_asset_find(const char *path)
{
    for (unsigned i = 0; i < hp_asset_count; i++)
        if (strcmp(hp_assets[i].path, path) == 0)
            return &hp_assets[i];
    return NULL;
}

static int who_is(const hp_http_request *req)
{
    if (!req->signed_in)
        return 0;
    if (hp_actor_is_kiosk(&req->actor))
        return SEE_KIOSK;
    switch (req->actor.user.role) {
    case HP_ROLE_ADMIN:
        return SEE_ADMIN;
    case HP_ROLE_TEACHER:
        return SEE_TEACHER;
    case HP_ROLE_STUDENT:
        return SEE_STUDENT;
    case HP_ROLE_KIOSK:
        break;
    }
    return SEE_KIOSK;
}

/* Where each kind of user starts. */
static const char *home_of(int who)
{
    switch (who) {
    case SEE_ADMIN:
        return "/analytics";
    case SEE_TEACHER:
        return "/passes";
    case SEE_STUDENT:
        return "/student";
    case SEE_KIOSK:
        return "/kiosk";
    }
    return "/signin";
}

const char *hp_http_home(const hp_http_request *req)
{
    return home_of(who_is(req));
}

static void redirect(hp_http_response *res, const char *location)
{
    res->status = 302;
    res->location = g_strdup(location);
    res->content_type = "text/plain; charset=utf-8";
    res->body = g_strdup("");
    res->body_len = 0;
}

static void send_asset(hp_http_response *res, const hp_asset *asset)
{
    res->status = 200;
    res->content_type = asset->content_type;
    res->body = g_memdup2(asset->data, asset->size);
    res->body_len = asset->size;
}

static json_t *report_json(hp_report_kind kind)
{
    size_t count;
    const hp_report_column *columns = hp_report_columns(kind, &count);
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:b}", "key", columns[i].key, "title",
                                        columns[i].title, "field", columns[i].json_name, "numeric",
                                        hp_report_column_numeric(&columns[i])));
    return json_pack("{s:s, s:o}", "title", hp_report_title(kind), "columns", list);
}

static void send_site(const hp_http_request *req, hp_http_response *res, int who)
{
    json_t *list = json_array();
    for (size_t i = 0; i < HP_ARRAY_SIZE(pages); i++) {
        if (pages[i].who & SEE_ANYONE)
            continue;
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:b}", "path", pages[i].path, "label", pages[i].label,
                            "audience", pages[i].audience, "yours", (pages[i].who & who) != 0));
    }
    json_t *reports = json_pack("{s:o, s:o}", "rooms", report_json(HP_REPORT_ROOMS), "staff",
                                report_json(HP_REPORT_STAFF));
    json_t *insights = json_object();
    for (int k = HP_INSIGHT_FIRST; k <= HP_INSIGHT_LAST; k++)
        json_object_set_new(insights, hp_report_kind_name((hp_report_kind)k),
                            report_json((hp_report_kind)k));
    hp_http_json(res, 200,
                 json_pack("{s:b, s:s, s:o, s:o, s:o}", "signed_in", req->signed_in, "home",
                           home_of(who), "pages", list, "reports", reports, "insights", insights));
}

void hp_http_page(hp_http_request *req, hp_http_response *res)
{
    int who = who_is(req);

    if (strcmp(req->path, "/") == 0) {
        redirect(res, home_of(who));
        return;
    }
    if (strcmp(req->path, SITE_PATH) == 0) {
        send_site(req, res, who);
        return;
    }
    if (g_str_has_prefix(req->path, HP_SHARE_PATH)) {
        /* A share link's page, for anyone with the link, signed in or not. */
        hp_http_shared_page(req, res);
        return;
    }
    for (size_t i = 0; i < HP_ARRAY_SIZE(pages); i++) {
        if (strcmp(req->path, pages[i].path) != 0)
            continue;
        if (!(pages[i].who & (who | SEE_ANYONE))) {
            if (who == 0) {
                /* Back to the same page, with its range and sort, once signed in. */
                char *target =
                    g_strdup_printf("%s%s%s", req->path, req->query[0] ? "?" : "", req->query);
                char *next = g_uri_escape_string(target, NULL, FALSE);
                char *location = g_strdup_printf("/signin?next=%s", next);
                redirect(res, location);
                g_free(location);
                g_free(next);
                g_free(target);
            } else {
                char *location = g_strdup_printf("%s?denied=%s", home_of(who), req->path + 1);
                redirect(res, location);
                g_free(location);
            }
            return;
        }
        const hp_asset *page = hp_asset_find(pages[i].file);
        if (page)
            send_asset(res, page);
        else
            hp_http_error(res, 404, "no such page");
        return;
    }
    /* Scripts, styles and images; never the pages by their file names, which would skip the
     * role check above. */
    const hp_asset *asset = hp_asset_find(req->path);
    if (asset && !g_str_has_suffix(asset->path, ".html")) {
        send_asset(res, asset);
        return;
    }
    hp_http_error(res, 404, "no such page");
}
