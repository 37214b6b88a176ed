/*
 * Fuzzes JSON request bodies through the handlers that take them: creating a pass (as a
 * teacher, as a student and as a kiosk), creating and changing a room, and launching kiosk
 * mode. Any bytes must give an answer with a status and a JSON body, never a crash.
 */
#include "fuzz_common.h"

#include "http/http.h"

#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_school fs;
static hp_user users[3];

static void setup(void)
{
    static const char *const emails[] = {"tom@x.org", "sam@x.org", "kiosk@x.org"};
    fuzz_school_open(&fs);
    for (int i = 0; i < 3; i++)
        if (hp_store_user_find(fs.store, fs.school.id, emails[i], &users[i], NULL) < 0)
            abort();
}

static void check_answer(const hp_http_response *res)
{
    if (res->status < 200 || res->status > 599 || res->body == NULL)
        abort();
    json_error_t err;
    json_t *body = json_loadb(res->body, res->body_len, 0, &err);
    if (body == NULL)
        abort();
    json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1)
        return 0;
    hp_http_handler handlers[] = {hp_http_passes_create, hp_http_rooms_create,
                                  hp_http_rooms_update};
    int which = data[0] % 5;
    hp_http_request req = {
        .store = fs.store,
        .method = "POST",
        .path = "/api/passes",
        .query = "",
        .body = (const char *)data + 1,
        .body_len = size - 1,
        .content_type = "application/json",
        .client = "127.0.0.1",
        .path_id = 1,
        .now = 1789400000,
        .signed_in = true,
    };
    req.actor.school = fs.school;
    req.actor.tz = fs.tz;
    /* Creating a pass as a teacher, a student and a kiosk; then rooms as an admin-like
     * teacher is refused, so the room handlers run with the admin's role. */
    req.actor.user = users[which < 3 ? which : 0];
    if (which >= 3)
        req.actor.user.role = HP_ROLE_ADMIN;
    hp_http_response res = {0};
    handlers[which < 3 ? 0 : which - 2](&req, &res);
    check_answer(&res);
    g_free(res.body);
    g_free(res.set_cookie);
    g_free(res.content_disposition);
    g_free(res.location);
    g_free(res.allow);
    return 0;
}
