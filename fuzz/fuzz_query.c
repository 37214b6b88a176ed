/*
 * Fuzzes report and insight query parameters: the input is split at its '&' bytes into from,
 * to, sort and order; a fifth part picks the format, a sixth is the compare range and a seventh
 * the heatmap's destination. A bad value gives a clear error naming the parameter; a good one,
 * a report or insight in the format.
 */
#include "fuzz_common.h"

#include "core/error.h"
#include "export/export.h"
#include "report/insight.h"
#include "report/report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_school fs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        fuzz_school_open(&fs);
        ready = 1;
    }
    char *text = fuzz_string(data, size);
    char *part[7] = {NULL};
    char *p = text;
    for (int i = 0; i < 7 && p; i++) {
        part[i] = p;
        p = strpbrk(p, "&");
        if (p)
            *p++ = '\0';
    }
    hp_report_query q = {part[0], part[1], part[2], part[3], part[5], NULL};
    for (int k = HP_REPORT_ROOMS; k <= HP_REPORT_STAFF; k++) {
        hp_report *report;
        int rc = hp_report_build(&report, fs.store, &fs.school, fs.tz, (hp_report_kind)k, &q);
        if (rc < 0) {
            const char *m = hp_error_last();
            if (rc != HP_EINVALID ||
                (strncmp(m, "from:", 5) && strncmp(m, "to:", 3) && strncmp(m, "sort:", 5) &&
                 strncmp(m, "order:", 6) && strncmp(m, "compare:", 8) &&
                 strncmp(m, "destination:", 12))) {
                fprintf(stderr, "a bad query gave \"%s\" (%d)\n", m, rc);
                abort();
            }
            continue;
        }
        hp_format format = HP_FORMAT_JSON;
        if (part[4])
            hp_format_parse(part[4], &format);
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (format != HP_FORMAT_XLSX)
            hp_export(report, format, out);
        fclose(out);
        free(buf);
        hp_report_free(report);
    }
    free(text);
    return 0;
}
