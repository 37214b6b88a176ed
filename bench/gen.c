/*
 * Writes a school year for the benchmarks, from a fixed seed: rooms.csv (rooms in folders),
 * users.csv (staff, students, kiosks) and passes.csv (school days of passes with every source
 * and type, some cancelled). Usage:
 *   bench-gen DIR PASSES [ROOMS STAFF STUDENTS DAYS]
 * Defaults: 150 rooms, 120 staff, 2,000 students, 180 school days from 2025-08-18.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const folders[] = {
    "Restrooms",    "Offices",         "Science Wing", "Math Wing",
    "English Wing", "Humanities Wing", "Arts Wing",    ""};

static FILE *open_in(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    g_free(path);
    return f;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-gen DIR PASSES [ROOMS STAFF STUDENTS DAYS]\n");
        return 2;
    }
    const char *dir = argv[1];
    long passes = atol(argv[2]);
    int rooms = argc > 3 ? atoi(argv[3]) : 150;
    int staff = argc > 4 ? atoi(argv[4]) : 120;
    int students = argc > 5 ? atoi(argv[5]) : 2000;
    int days = argc > 6 ? atoi(argv[6]) : 180;
    GRand *rand = g_rand_new_with_seed(1000003);

    FILE *f = open_in(dir, "rooms.csv");
    fprintf(f, "name,folder,max_passes_from,max_passes_to\n");
    for (int r = 0; r < rooms; r++) {
        const char *folder = r < 8 ? folders[0] : r < 14 ? folders[1] : folders[2 + r % 6];
        fprintf(f, "Room %d,%s,%s,%s\n", r + 1, folder, r % 7 == 0 ? "2" : "", r < 8 ? "3" : "");
    }
    fclose(f);

    f = open_in(dir, "users.csv");
    fprintf(f, "name,email,role,room,password\n");
    for (int s = 0; s < staff; s++)
        fprintf(f, "Staff %d,staff%d@bench.example,%s,,\n", s + 1, s + 1,
                s < 5 ? "admin" : "teacher");
    for (int s = 0; s < students; s++)
        fprintf(f, "Student %d,student%d@bench.example,student,,\n", s + 1, s + 1);
    for (int k = 0; k < 4; k++)
        fprintf(f, "Kiosk %d,kiosk%d@bench.example,kiosk,Room %d,\n", k + 1, k + 1, 15 + k);
    fclose(f);

    /* School days: weekdays from Monday 2025-08-18, in America/Chicago (UTC-5 in summer and
     * fall, UTC-6 in winter; the exact offset matters little to a benchmark). */
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, 18, G_DATE_AUGUST, 2025);
    int *day_year = g_new(int, days), *day_month = g_new(int, days), *day_day = g_new(int, days);
    for (int d = 0; d < days; g_date_add_days(&date, 1)) {
        if (g_date_get_weekday(&date) >= G_DATE_SATURDAY)
            continue;
        day_year[d] = g_date_get_year(&date);
        day_month[d] = g_date_get_month(&date);
        day_day[d] = g_date_get_day(&date);
        d++;
    }

    f = open_in(dir, "passes.csv");
    fprintf(f, "id,student,origin,destination,creator,source,type,start,end,cancelled\n");
    for (long i = 0; i < passes; i++) {
        int d = (int)(i * days / passes);
        int hour = 8 + g_rand_int_range(rand, 0, 7), minute = g_rand_int_range(rand, 0, 60);
        int student = g_rand_int_range(rand, 1, students + 1);
        int origin = g_rand_int_range(rand, 15, rooms + 1);
        int dest = g_rand_int_range(rand, 0, 100) < 60 ? g_rand_int_range(rand, 1, 9)
                                                       : g_rand_int_range(rand, 9, rooms + 1);
        if (dest == origin)
            dest = origin == 1 ? 2 : 1;
        int r = g_rand_int_range(rand, 0, 100);
        const char *source, *type = "now", *cancelled = "false";
        char creator[64];
        if (r < 40) {
            source = "student";
            snprintf(creator, sizeof(creator), "student%d@bench.example", student);
        } else if (r < 48) {
            int k = g_rand_int_range(rand, 0, 4);
            source = "kiosk_login";
            origin = 15 + k;
            if (dest == origin)
                dest = 1;
            snprintf(creator, sizeof(creator), "kiosk%d@bench.example", k + 1);
        } else {
            source = r < 62 ? "kiosk_mode" : "teacher";
            snprintf(creator, sizeof(creator), "staff%d@bench.example",
                     g_rand_int_range(rand, 1, staff + 1));
            if (r >= 62 && g_rand_int_range(rand, 0, 100) < 20) {
                type = "scheduled";
                if (g_rand_int_range(rand, 0, 100) < 5)
                    cancelled = "true";
            }
        }
        int offset = (day_month[d] >= 11 || day_month[d] <= 2) ? 6 : 5;
        int minutes = g_rand_int_range(rand, 3, 25);
        int end_minute = minute + minutes, end_hour = hour + end_minute / 60;
        fprintf(f,
                "b%ld,student%d@bench.example,Room %d,Room %d,%s,%s,%s,"
                "%04d-%02d-%02dT%02d:%02d:00-%02d:00,",
                i + 1, student, origin, dest, creator, source, type, day_year[d], day_month[d],
                day_day[d], hour, minute, offset);
        if (cancelled[0] == 't')
            fprintf(f, ",true\n");
        else
            fprintf(f, "%04d-%02d-%02dT%02d:%02d:00-%02d:00,false\n", day_year[d], day_month[d],
                    day_day[d], end_hour, end_minute % 60, offset);
    }
    fclose(f);
    g_free(day_year);
    g_free(day_month);
    g_free(day_day);
    g_rand_free(rand);
    return 0;
}
