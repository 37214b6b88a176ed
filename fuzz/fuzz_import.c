/*
 * Fuzzes the CSV import of each kind of file: the first byte picks rooms, users or passes,
 * the rest is the file. Whatever the bytes, an import either fails with a message naming a
 * line or succeeds, and then the reports build and export.
 */
#include "fuzz_common.h"

#include "core/error.h"
#include "export/export.h"
#include "import/import.h"
#include "report/report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_school fs;
    fuzz_school_open(&fs);
    hp_import_kind kind = (hp_import_kind)(data[0] % 3);
    FILE *in = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (size == 1) {
        fclose(in);
        in = fopen("/dev/null", "rb");
    }
    hp_import_stats stats;
    int rc =
        hp_import_csv(fs.store, &fs.school, fs.tz, kind, in, "fuzz.csv", NULL, NULL, NULL, &stats);
    fclose(in);
    if (rc < 0 && strncmp(hp_error_last(), "fuzz.csv:", 9) != 0) {
        fprintf(stderr, "an import error that names no line: %s\n", hp_error_last());
        abort();
    }
    if (rc == 0) {
        hp_report_query q = {.from = "2000-01-01", .to = "2100-12-31"};
        for (int k = HP_REPORT_ROOMS; k <= HP_REPORT_STAFF; k++) {
            hp_report *report;
            if (hp_report_build(&report, fs.store, &fs.school, fs.tz, (hp_report_kind)k, &q) < 0) {
                fprintf(stderr, "a report failed after an import: %s\n", hp_error_last());
                abort();
            }
            char *buf = NULL;
            size_t len = 0;
            FILE *out = open_memstream(&buf, &len);
            hp_export_csv(report, out);
            hp_export_json(report, out);
            hp_export_table(report, out);
            fclose(out);
            free(buf);
            hp_report_free(report);
        }
    }
    fuzz_school_close(&fs);
    return 0;
}
