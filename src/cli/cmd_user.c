/* hallpass user add|passwd: creates a user or sets a password, so that a new school can make
 * its first admin. Passwords come from standard input, never from the command line, where
 * other users of the machine could read them. */
#include "cli/cli.h"

#include "core/error.h"
#include "core/password.h"
#include "import/import.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: hallpass user add --db DB [--school NAME] --name NAME --email EMAIL\n"
    "                         --role admin|teacher|student|kiosk [--room ROOM]\n"
    "                         [--password-stdin]\n"
    "       hallpass user passwd --db DB [--school NAME] --email EMAIL --password-stdin\n"
    "\n"
    "add creates a user (or updates the one with that email); passwd sets a user's\n"
    "password. With --password-stdin the password is the first line of standard input.\n"
    "A kiosk needs --room, the room it stands in.\n"
    "\n"
    "options:\n"
    "  --db DB            the store (default: $HALLPASS_DB)\n"
    "  --school NAME      the school, when the store holds more than one\n"
    "  --name NAME        the user's name\n"
    "  --email EMAIL      the user's email, unique in the school\n"
    "  --role ROLE        admin, teacher, student or kiosk\n"
    "  --room ROOM        a kiosk's room\n"
    "  --password-stdin   read the password from standard input\n"
    "  --help             show this help\n";

static int read_password(char *buf, size_t size)
{
    if (fgets(buf, (int)size, stdin) == NULL)
        return hp_error_set(HP_EINVALID, "password: nothing on standard input");
    size_t n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n == size - 1)
        return hp_error_set(HP_EINVALID, "password: longer than %d bytes", HP_PASSWORD_MAX);
    buf[n] = '\0';
    if (n == 0)
        return hp_error_set(HP_EINVALID, "password: empty");
    return HP_OK;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"school", required_argument, NULL, 's'},
                                            {"name", required_argument, NULL, 'n'},
                                            {"email", required_argument, NULL, 'e'},
                                            {"role", required_argument, NULL, 'r'},
                                            {"room", required_argument, NULL, 'R'},
                                            {"password-stdin", no_argument, NULL, 'p'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *db = NULL, *school = NULL, *name = NULL, *email = NULL, *role = NULL, *room = NULL;
    bool password_stdin = false;
    char password[HP_PASSWORD_MAX + 2] = "";
    int c;

    optind = 0;
    while ((c = hp_cli_getopt("user", argc, argv, "", options)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 's':
            school = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'e':
            email = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 'R':
            room = optarg;
            break;
        case 'p':
            password_stdin = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return HP_EXIT_OK;
        default:
            return HP_EXIT_USAGE;
        }
    }
    if (argc - optind != 1 ||
        (strcmp(argv[optind], "add") != 0 && strcmp(argv[optind], "passwd") != 0))
        return hp_cli_usage_error("user", "give add or passwd");
    bool add = strcmp(argv[optind], "add") == 0;
    if (email == NULL)
        return hp_cli_usage_error("user", "--email is required");
    if (add && (name == NULL || role == NULL))
        return hp_cli_usage_error("user", "add needs --name and --role");
    if (!add && !password_stdin)
        return hp_cli_usage_error("user", "passwd needs --password-stdin");
    if (password_stdin && read_password(password, sizeof(password)) < 0)
        return hp_cli_fail("user");

    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "user", hp_cli_db(db), school);
    if (status != HP_EXIT_OK)
        return status;

    int rc;
    if (add) {
        const char *fields[HP_USER_COLUMNS] = {name, email, role, room, password};
        hp_importer *imp;
        if ((rc = hp_importer_new(&imp, ctx.store, &ctx.school, ctx.tz, HP_IMPORT_USERS)) ==
            HP_OK) {
            if ((rc = hp_importer_add(imp, fields)) == HP_OK)
                rc = hp_importer_finish(imp, NULL);
            hp_importer_free(imp);
        }
    } else {
        hp_user user = {0};
        char hash[HP_PASSWORD_HASH_MAX];
        bool changed;
        if ((rc = hp_store_user_find(ctx.store, ctx.school.id, email, &user, NULL)) == HP_OK &&
            (rc = hp_password_hash(hash, password)) == HP_OK &&
            (rc = hp_store_begin(ctx.store)) == HP_OK) {
            if ((rc = hp_store_user_put(ctx.store, ctx.school.id, &user, hash, &changed)) == HP_OK)
                rc = hp_store_commit(ctx.store);
            else
                hp_store_rollback(ctx.store);
        }
        hp_user_release(&user);
    }
    memset(password, 0, sizeof(password));
    if (rc < 0)
        status = hp_cli_fail("user");
    else
        printf("%s %s\n", add ? "saved user" : "set the password of", email);
    hp_cli_context_release(&ctx);
    return status;
}

const hp_cmd_entry hp_cmd_user = {"user", "add a user or set a password", run};
