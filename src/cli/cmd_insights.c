/* hallpass insights KIND: prints or saves one of the insights (daily, heatmap, durations,
 * students, limits, rules, sources, encounters), as `hallpass report` does the reports. */
#include "cli/cli.h"

#include "core/error.h"
#include "report/insight.h"

#include <glib.h>
#include <stdio.h>

static const hp_cli_option options[] = {
    HP_OPT_DB_ROW(hp_cli_report_options, db),
    HP_OPT_SCHOOL_ROW(hp_cli_report_options, school),
    HP_OPT_RANGE_ROWS,
    HP_OPT_TEXT_ROW(hp_cli_report_options, sort, "sort", "KEY",
                    "a column's json name (listed above; default the first;\n"
                    "prev_KEY with --compare)"),
    HP_OPT_ORDER_ROW,
    HP_OPT_TEXT_ROW(hp_cli_report_options, compare, "compare", "RANGE",
                    "durations, students and limits: previous (as many days, ending\n"
                    "the day before --from) or FROM..TO: adds each count over that\n"
                    "range (prev_ in json, \"(previous)\" columns elsewhere)"),
    HP_OPT_TEXT_ROW(hp_cli_report_options, destination, "destination", "ROOM",
                    "heatmap: only the passes to this room"),
    HP_OPT_OUTPUT_ROWS,
};

static int run(const void *opts, int argc, char **argv)
{
    const hp_cli_report_options *o = opts;
    (void)argc;
    hp_report_kind kind;
    if (hp_insight_kind_parse(argv[0], &kind) < 0)
        return hp_cli_usage_error("insights", "%s", hp_error_last());
    if (o->destination && kind != HP_INSIGHT_HEATMAP)
        return hp_cli_usage_error("insights", "--destination is for the heatmap only");
    return hp_cli_report_run("insights", kind, o);
}

/* Each insight's columns come from the library's own tables, so the help names every sort
 * key there is. */
static void print_about(FILE *out)
{
    fputs("Reads the counters written with the passes over a range of the school's local dates\n"
          "YYYY-MM-DD, both included (the default range is the 30 days ending today, as for\n"
          "`hallpass report`), and prints one of these, with its columns (the sort keys):\n",
          out);
    for (int k = HP_INSIGHT_FIRST; k <= HP_INSIGHT_LAST; k++) {
        size_t count;
        const hp_report_column *columns = hp_insight_columns((hp_report_kind)k, &count);
        char *label = g_strdup_printf("%s:", hp_report_kind_name((hp_report_kind)k));
        fprintf(out, "  %-12s", label);
        g_free(label);
        for (size_t c = 0; c < count; c++)
            fprintf(out, "%s%s", c ? "," : "", columns[c].key);
        fputc('\n', out);
    }
    fputs("daily has a row for every date; heatmap one for each weekday (1 Monday ... 7 Sunday)\n"
          "and local hour of start; durations and limits one for every room; students one for\n"
          "each student with a pass or a refusal; rules one per pass rule in their order;\n"
          "sources one per source and type; encounters one per encounter group. An average or\n"
          "median of nothing is empty (null in json). The students insight is personal data.\n",
          out);
}

const hp_cmd_entry hp_cmd_insights = {
    .name = "insights",
    .summary = "print or save an insight: passes by day or hour, durations, students, limits...",
    .synopsis = "hallpass insights KIND --db DB [--school NAME] [--from DATE] [--to DATE]\n"
                "                [--sort KEY] [--order asc|desc] [--compare previous|FROM..TO]\n"
                "                [--destination ROOM] [--format table|csv|xlsx|json]\n"
                "                [--output FILE]",
    .print_about = print_about,
    HP_CLI_OPTIONS(options, hp_cli_report_options),
    .operands_min = 1,
    .operands_max = 1,
    .operands_error = "give the insight: daily, heatmap, durations, students, limits, rules, "
                      "sources or encounters",
    .run = run,
};
