/* hallpass user add|passwd: creates a user or sets a password, so that a new school can make
 * its first admin. Passwords come from standard input, never from the command line, where
 * other users of the machine could read them. */
#include "cli/cli.h"

#include "core/error.h"
#include "core/password.h"
#include "core/util.h"
#include "service/users.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *db;
    const char *school;
    const char *name;
    const char *email;
    const char *role;
    const char *room;
    const char *student_id;
    bool password_stdin;
} user_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(user_options, db),
    HP_OPT_SCHOOL_ROW(user_options, school),
    HP_OPT_TEXT_ROW(user_options, name, "name", "NAME", "the user's name"),
    HP_OPT_TEXT_ROW(user_options, email, "email", "EMAIL",
                    "the user's email, unique in the school"),
    HP_OPT_TEXT_ROW(user_options, role, "role", "ROLE", "admin, teacher, student or kiosk"),
    HP_OPT_TEXT_ROW(user_options, room, "room", "ROOM",
                    "a kiosk's room, or a staff member's home room"),
    HP_OPT_TEXT_ROW(user_options, student_id, "student-id", "ID",
                    "a student's ID, unique in the school (ASCII case ignored);\n"
                    "an empty ID removes the stored one"),
    HP_OPT_FLAG_ROW(user_options, password_stdin, "password-stdin",
                    "read the password from standard input"),
};

/* Room for the longest password allowed, its line end and the NUL: a longer line is refused,
 * not cut. */
#define PASSWORD_LINE_MAX (HP_PASSWORD_MAX + 2)

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

/* The fields of a user as their options are named, for messages: the checks are an import's,
 * which name the column. */
static const struct {
    const char *field;
    const char *option;
} field_options[] = {
    {"name", "--name"}, {"email", "--email"},           {"role", "--role"},
    {"room", "--room"}, {"student_id", "--student-id"},
};

/* Reports a failure of add, naming the option where the message names its field. */
static int fail_add(void)
{
    const char *message = hp_error_last();
    for (size_t i = 0; i < HP_ARRAY_SIZE(field_options); i++) {
        size_t n = strlen(field_options[i].field);
        if (strncmp(message, field_options[i].field, n) == 0 && message[n] == ':') {
            hp_cli_error("user", "%s%s", field_options[i].option, message + n);
            return HP_EXIT_FAILURE;
        }
    }
    return hp_cli_fail("user");
}

/* The checks of the command line that depend on the subcommand. */
static int check_usage(const user_options *o, const char *subcommand, bool *add_out)
{
    bool add = strcmp(subcommand, "add") == 0;
    if (!add && strcmp(subcommand, "passwd") != 0)
        return hp_cli_usage_error("user", "give add or passwd");
    if (o->email == NULL)
        return hp_cli_usage_error("user", "--email is required");
    if (add && (o->name == NULL || o->role == NULL))
        return hp_cli_usage_error("user", "add needs --name and --role");
    if (!add && !o->password_stdin)
        return hp_cli_usage_error("user", "passwd needs --password-stdin");
    if (!add && o->student_id != NULL)
        return hp_cli_usage_error("user", "--student-id is for add");
    *add_out = add;
    return HP_EXIT_OK;
}

static int change(const hp_cli_context *ctx, const user_options *o, bool add, const char *password)
{
    if (!add)
        return hp_user_set_password(ctx->store, ctx->school.id, o->email, password);
    hp_user_fields fields = {
        .name = o->name,
        .email = o->email,
        .role = o->role,
        .room = o->room,
        .password = o->password_stdin ? password : NULL,
        .student_id = o->student_id,
    };
    return hp_user_save(ctx->store, &ctx->school, ctx->tz, &fields, NULL);
}

static int run(const void *opts, int argc, char **argv)
{
    const user_options *o = opts;
    char password[PASSWORD_LINE_MAX] = "";
    bool add;
    int status = check_usage(o, argv[0], &add);
    if (status != HP_EXIT_OK)
        return status;
    if (o->password_stdin && read_password(password, sizeof(password)) < 0)
        return hp_cli_fail("user");

    hp_cli_context ctx;
    if ((status = hp_cli_context_open(&ctx, "user", hp_cli_db(o->db), o->school)) == HP_EXIT_OK) {
        if (change(&ctx, o, add, password) < 0)
            status = add ? fail_add() : hp_cli_fail("user");
        else
            printf("%s %s\n", add ? "saved user" : "set the password of", o->email);
        hp_cli_context_release(&ctx);
    }
    memset(password, 0, sizeof(password));
    return status;
}

const hp_cmd_entry hp_cmd_user = {
    .name = "user",
    .summary = "add a user or set a password",
    .synopsis = "hallpass user add --db DB [--school NAME] --name NAME --email EMAIL\n"
                "                  --role admin|teacher|student|kiosk [--room ROOM]\n"
                "                  [--student-id ID] [--password-stdin]\n"
                "hallpass user passwd --db DB [--school NAME] --email EMAIL --password-stdin",
    .about = "add creates a user (or updates the one with that email); passwd sets a user's\n"
             "password and signs that user out everywhere. With --password-stdin the password is\n"
             "the first line of standard input. A kiosk needs --room, the room it stands in; a\n"
             "staff member's --room is their home room, where their Passes page starts.\n"
             "A student's --student-id is checked as in an import: unique in the school\n"
             "ignoring ASCII case; without it a student keeps their stored ID.\n",
    HP_CLI_OPTIONS(options, user_options),
    .operands_min = 1,
    .operands_max = 1,
    .operands_error = "give add or passwd",
    .run = run,
};
