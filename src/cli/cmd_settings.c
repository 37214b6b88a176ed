/* hallpass settings: prints a school's pass-rule settings, or changes some of them, all or
 * nothing. */
#include "cli/cli.h"

#include "core/error.h"
#include "core/settings.h"
#include "service/settings.h"

#include <glib.h>
#include <stdio.h>

/* Assignments one command takes: far more than there are settings, so that only a runaway
 * script meets it. */
#define ASSIGNMENTS_MAX 1000

typedef struct {
    const char *db;
    const char *school;
} settings_options;

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(settings_options, db),
    HP_OPT_SCHOOL_ROW(settings_options, school),
};

static void print_settings(const hp_settings *settings)
{
    char *lines = hp_settings_format_lines(settings);
    fputs(lines, stdout);
    g_free(lines);
}

static int run(const void *opts, int argc, char **argv)
{
    const settings_options *o = opts;
    hp_cli_context ctx;
    int status = hp_cli_context_open(&ctx, "settings", hp_cli_db(o->db), o->school);
    if (status != HP_EXIT_OK)
        return status;
    hp_settings settings;
    hp_setting_change *changes = g_new0(hp_setting_change, (size_t)argc + 1);
    for (int i = 0; i < argc; i++)
        changes[i].text = argv[i];
    int rc = argc == 0 ? hp_school_settings_get(ctx.store, ctx.school.id, &settings)
                       : hp_school_settings_change(ctx.store, ctx.school.id, changes,
                                                   (size_t)argc, &settings);
    if (rc < 0) {
        status = hp_cli_fail("settings");
        if (argc > 0)
            fprintf(stderr, "nothing was changed\n");
    } else {
        print_settings(&settings);
    }
    g_free(changes);
    hp_cli_context_release(&ctx);
    return status;
}

/* The help lists every setting with its values and meaning; the ranges come from the
 * constants the settings table is made of. */
#define S(x) HP_CLI_STR(x)
#define SETTINGS_ABOUT                                                                             \
    "With no KEY=VALUE, prints every setting of the school as KEY=VALUE, one a line, empty\n"     \
    "when the rule is off. With assignments, sets them all in one transaction and prints the\n"   \
    "settings as they now stand; one bad key or value changes nothing and exits 1. KEY=\n"        \
    "(empty) turns a rule off, or restores the default of a setting that has one.\n"              \
    "\n"                                                                                           \
    "settings:\n"                                                                                  \
    "  auto_end_minutes            " S(HP_AUTO_END_MINUTES_MIN) "-" S(                             \
        HP_AUTO_END_MINUTES_MAX) ", default " S(HP_AUTO_END_MINUTES_DEFAULT) ": a pass still "     \
                                                                             "out this long\n"     \
    "                              after its start ends itself\n"                                 \
    "  default_time_limit_minutes  1-" S(HP_TIME_LIMIT_MINUTES_MAX) ": the time limit of a room "  \
                                                                    "that has none\n"              \
    "  max_active_passes           1-" S(HP_MAX_ACTIVE_PASSES_MAX) ": passes active at once in "   \
                                                                   "the whole school\n"            \
    "  max_passes_per_day          1-" S(HP_PASSES_PER_DAY_MAX) ": a student's now passes per "    \
                                                                "local day\n"                      \
    "  max_passes_per_week         1-" S(HP_PASSES_PER_WEEK_MAX) ": the same per local week, "     \
                                                                 "Monday to Sunday\n"              \
    "  cooldown_minutes            1-" S(HP_COOLDOWN_MINUTES_MAX) ": after a student's pass "      \
                                                                  "ends, the wait before\n"        \
    "                              their next\n"                                                  \
    "  no_pass_first_minutes       1-" S(HP_NO_PASS_MINUTES_MAX) ": no passes in the first "       \
                                                                 "minutes of each period\n"        \
    "  no_pass_last_minutes        1-" S(HP_NO_PASS_MINUTES_MAX) ": no passes in the last "        \
                                                                 "minutes of each period\n"        \
    "  wait_in_line                true (default) or false: a full room or hallway offers a\n"    \
    "                              place in line\n"                                               \
    "  line_offer_seconds          " S(HP_LINE_OFFER_SECONDS_MIN) "-" S(                           \
        HP_LINE_OFFER_SECONDS_MAX) ", default " S(HP_LINE_OFFER_SECONDS_DEFAULT) ": how long an "  \
                                                                                 "offer from\n"    \
    "                              the line waits to be taken\n"

const hp_cmd_entry hp_cmd_settings = {
    .name = "settings",
    .summary = "print or change the school's pass rules",
    .synopsis = "hallpass settings --db DB [--school NAME] [KEY=VALUE ...]",
    .about = SETTINGS_ABOUT,
    HP_CLI_OPTIONS(options, settings_options),
    .operands_min = 0,
    .operands_max = ASSIGNMENTS_MAX,
    .run = run,
};
