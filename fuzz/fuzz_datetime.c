/*
 * Fuzzes date and date-time parsing. A date that parses formats back to the same text; a
 * date-time that parses lands on a local day whose date parses again.
 */
#include "fuzz_common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hp_tz *tz;
    if (tz == NULL && hp_tz_new(&tz, "America/Chicago") < 0)
        abort();
    char *text = fuzz_string(data, size);
    int32_t day;
    if (hp_date_parse(text, &day) == 0) {
        char back[HP_DATE_LEN];
        hp_date_format(day, back);
        if (strcmp(back, text) != 0)
            abort();
    }
    int64_t t;
    if (hp_datetime_parse(text, &t) == 0) {
        char date[HP_DATE_LEN], stamp[HP_DATETIME_LEN];
        int32_t local = hp_tz_local_day(tz, t), again;
        hp_date_format(local, date);
        if (hp_date_parse(date, &again) != 0 || again != local)
            abort();
        hp_tz_format_datetime(tz, t, stamp);
        int64_t t2;
        if (hp_datetime_parse(stamp, &t2) != 0 || t2 != t)
            abort();
    }
    free(text);
    return 0;
}
