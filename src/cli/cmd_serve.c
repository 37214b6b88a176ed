/* hallpass serve: the HTTP server for pages and the JSON API. */
#include "cli/cli.h"

#include "core/error.h"
#include "http/server.h"
#include "service/auth.h"

#include <stdio.h>
#include <stdlib.h>

#define SECONDS_PER_DAY 86400
#define SESSION_MAX_DAYS 366 /* The longest --session-max: a school year and more. */

static const char usage[] =
    "usage: hallpass serve --db DB [--listen ADDR:PORT] [--threads N] [--session-idle MIN]\n"
    "                      [--session-max DAYS]\n"
    "\n"
    "Serves the JSON API (see docs/api.md) until SIGINT or SIGTERM, then finishes the\n"
    "requests in flight and stops. One access-log line per request goes to stderr.\n"
    "\n"
    "options:\n"
    "  --db DB             the store (default: $HALLPASS_DB)\n"
    "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "  --threads N         worker threads (default: twice the cores)\n"
    "  --session-idle MIN  minutes a session may stay unused before it ends (default 480)\n"
    "  --session-max DAYS  days a session lasts from its sign-in, however often used\n"
    "                      (default 7)\n"
    "  --timeout SEC       seconds a silent client keeps its connection (default 15)\n"
    "  --secure-cookies    mark the session cookie Secure (behind a TLS proxy)\n"
    "  --help              show this help\n";

static void on_ready(const char *address, void *data)
{
    (void)data;
    printf("hallpass serve: listening on http://%s\n", address);
    fflush(stdout);
}

/* Parses a whole number in [min, max] for an option. */
int hp_cli_number(const char *command, const char *option, const char *text, long min, long max,
                  long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || v < min || v > max)
        return hp_cli_usage_error(command, "%s: \"%s\" is not a whole number from %ld to %ld",
                                  option, text, min, max);
    *out = v;
    return HP_EXIT_OK;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"listen", required_argument, NULL, 'l'},
                                            {"threads", required_argument, NULL, 't'},
                                            {"session-idle", required_argument, NULL, 'i'},
                                            {"timeout", required_argument, NULL, 'T'},
                                            {"secure-cookies", no_argument, NULL, 'S'},
                                            {"session-max", required_argument, NULL, 'm'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    hp_server_config config = {
        .listen = "127.0.0.1:8080",
        .session_idle = HP_SESSION_IDLE_DEFAULT,
        .session_max = HP_SESSION_MAX_DEFAULT,
        .timeout = 15,
        .on_ready = on_ready,
    };
    const char *db = NULL;
    long v = 0;
    int c, status;

    optind = 0;
    while ((c = hp_cli_getopt("serve", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            config.listen = optarg;
            break;
        case 't':
            if ((status = hp_cli_number("serve", "--threads", optarg, 1, 256, &v)) != 0)
                return status;
            config.threads = (unsigned)v;
            break;
        case 'i':
            if ((status = hp_cli_number("serve", "--session-idle", optarg, 1, 60 * 24 * 30, &v)) !=
                0)
                return status;
            config.session_idle = v * 60;
            break;
        case 'm':
            if ((status =
                     hp_cli_number("serve", "--session-max", optarg, 1, SESSION_MAX_DAYS, &v)) != 0)
                return status;
            config.session_max = v * SECONDS_PER_DAY;
            break;
        case 'T':
            if ((status = hp_cli_number("serve", "--timeout", optarg, 1, 3600, &v)) != 0)
                return status;
            config.timeout = (unsigned)v;
            break;
        case 'S':
            config.secure_cookies = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return hp_cli_usage_error("serve", "unexpected argument \"%s\"", argv[optind]);
    config.db = hp_cli_db(db);
    if (config.db == NULL)
        return hp_cli_usage_error("serve", "no store given: use --db FILE or set HALLPASS_DB");
    if (hp_server_run(&config) < 0)
        return hp_cli_fail("serve");
    return HP_EXIT_OK;
}

const hp_cmd_entry hp_cmd_serve = {"serve", "serve the pages and the JSON API", run};
