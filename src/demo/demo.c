/* The demo school's generator; see demo.h. All randomness comes from one GRand seeded with a
 * constant, so the same day gives the same school. */
#include "demo/demo.h"

#include "core/error.h"
#include "core/util.h"
#include "import/import.h"
#include "service/schools.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED 20260817u
#define SCHOOL_DAYS 90 /* 18 weeks of school days. */
#define STUDENTS 1500
#define TEACHERS 57
#define DOMAIN "maplegrove.example"
#define ADMINS 3                /* The first three staff; the teachers follow. */
#define FIRST_HOUR 8            /* Passes start from 8:00, one weight per hour below. */
#define PASSES_PER_STUDENT 0.33 /* Passes a day per student, on an average weekday. */
#define DAILY_JITTER 40         /* Passes a day vary by up to this many either way. */
#define SCHOOL_MONTH 30         /* Days: less school than this so far reads a fixed span. */
#define PASS_ID_MAX 32          /* "demo-" and the pass number. */

const hp_demo_login hp_demo_logins[] = {
    {"admin", "principal@" DOMAIN},
    {"teacher", "teacher@" DOMAIN},
    {"student", "student@" DOMAIN},
    {"kiosk", "library-kiosk@" DOMAIN},
};
const size_t hp_demo_login_count = HP_ARRAY_SIZE(hp_demo_logins);

typedef struct {
    const char *name;
    const char *folder;
    const char *max_from;
    const char *max_to;
} demo_room;

/* Classrooms are added per wing below; these are the shared places. */
static const demo_room shared_rooms[] = {
    {"Boys Restroom East", "Restrooms", "", "3"},
    {"Girls Restroom East", "Restrooms", "", "3"},
    {"Boys Restroom West", "Restrooms", "", "3"},
    {"Girls Restroom West", "Restrooms", "", "3"},
    {"All-Gender Restroom", "Restrooms", "", "2"},
    {"Main Office", "Offices", "", ""},
    {"Nurse", "Offices", "", "4"},
    {"Counseling", "Offices", "", "3"},
    {"Attendance Office", "Offices", "", ""},
    {"Library", "", "", "25"},
    {"Gym", "", "", ""},
    {"Cafeteria", "", "", ""},
    {"Water Fountain", "", "", ""},
};

enum {
    R_BOYS_EAST,
    R_GIRLS_EAST,
    R_BOYS_WEST,
    R_GIRLS_WEST,
    R_ALL_GENDER,
    R_MAIN_OFFICE,
    R_NURSE,
    R_COUNSELING,
    R_ATTENDANCE,
    R_LIBRARY,
    R_GYM,
    R_CAFETERIA,
    R_FOUNTAIN,
    SHARED_ROOM_COUNT
};

static const struct {
    const char *folder;
    int first_number;
    int count;
} wings[] = {
    {"Science Wing", 101, 12},
    {"Math Wing", 201, 12},
    {"English Wing", 301, 11},
    {"Humanities Wing", 401, 9},
};

static const char *const arts_rooms[] = {"Art Studio", "Band Room", "Choir Room", "Drama Room"};

static const char *const first_names[] = {
    "Ava",    "Liam",   "Olivia", "Noah",  "Emma",  "Elijah", "Sophia", "Mateo",   "Isabella",
    "Lucas",  "Mia",    "Mason",  "Amara", "Ethan", "Harper", "Levi",   "Aaliyah", "James",
    "Camila", "Aiden",  "Nora",   "Kai",   "Zoe",   "Diego",  "Layla",  "Omar",    "Priya",
    "Wei",    "Fatima", "Jonah",  "Grace", "Malik", "Hana",   "Sofia",  "Luca",    "Ines",
    "Chloe",  "Andre",  "Maya",   "Tomas", "Leah",  "Ravi",   "Elena",  "Samir",   "Yuki"};

static const char *const last_names[] = {
    "Johnson", "Garcia",    "Nguyen",   "Smith",    "Martinez", "Brown",   "Lee",      "Patel",
    "Davis",   "Lopez",     "Wilson",   "Kim",      "Anderson", "Thomas",  "Chen",     "Moore",
    "Jackson", "Martin",    "Okafor",   "Rivera",   "Walker",   "Hall",    "Young",    "Allen",
    "Khan",    "Hernandez", "Wright",   "Scott",    "Torres",   "Hill",    "Green",    "Adams",
    "Baker",   "Nelson",    "Campbell", "Mitchell", "Roberts",  "Carter",  "Phillips", "Evans",
    "Turner",  "Diaz",      "Parker",   "Cruz",     "Edwards",  "Collins", "Stewart",  "Morris"};

typedef struct {
    GPtrArray *room_names; /* Index -> name; shared rooms first, then classrooms. */
    size_t classroom_first;
    size_t classroom_count;
    GPtrArray *staff_emails; /* Index 0..2 admins, then teachers. */
    GPtrArray *student_emails;
    GPtrArray *kiosk_emails;
    GArray *kiosk_rooms; /* Kiosk index -> room index. */
} demo_people;

static char *person_name(GRand *rand, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", first_names[g_rand_int_range(rand, 0, HP_ARRAY_SIZE(first_names))],
             last_names[g_rand_int_range(rand, 0, HP_ARRAY_SIZE(last_names))]);
    return buf;
}

static int import_rows(hp_store *store, const hp_school *school, const hp_tz *tz,
                       hp_import_kind kind, GPtrArray *rows, size_t width)
{
    hp_importer *imp;
    int rc = hp_importer_new(&imp, store, school, tz, kind);
    if (rc < 0)
        return rc;
    for (guint i = 0; i + width <= rows->len && rc == HP_OK; i += (guint)width)
        rc = hp_importer_add(imp, (const char *const *)&rows->pdata[i]);
    if (rc == HP_OK)
        rc = hp_importer_finish(imp, NULL);
    hp_importer_free(imp);
    return rc;
}

/* Appends one row of an import, each field by its column, so that a column added to a file
 * kind is empty here until the demo fills it. NULL fields are empty. */
static void add_row(GPtrArray *rows, const char *const *fields, size_t width)
{
    for (size_t i = 0; i < width; i++)
        g_ptr_array_add(rows, g_strdup(fields[i] ? fields[i] : ""));
}

static void add_room(GPtrArray *rows, demo_people *people, const char *name, const char *folder,
                     const char *max_from, const char *max_to)
{
    const char *f[HP_ROOM_COLUMNS] = {[HP_ROOM_NAME] = name,
                                      [HP_ROOM_FOLDER] = folder,
                                      [HP_ROOM_MAX_FROM] = max_from,
                                      [HP_ROOM_MAX_TO] = max_to};
    add_row(rows, f, HP_ROOM_COLUMNS);
    g_ptr_array_add(people->room_names, g_strdup(name));
}

static int make_rooms(hp_store *store, const hp_school *school, const hp_tz *tz,
                      demo_people *people)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < HP_ARRAY_SIZE(shared_rooms); i++)
        add_room(rows, people, shared_rooms[i].name, shared_rooms[i].folder,
                 shared_rooms[i].max_from, shared_rooms[i].max_to);
    people->classroom_first = people->room_names->len;
    for (size_t w = 0; w < HP_ARRAY_SIZE(wings); w++) {
        for (int i = 0; i < wings[w].count; i++) {
            char name[32];
            snprintf(name, sizeof(name), "Room %d", wings[w].first_number + i);
            /* A few rooms let only one or two students out at once. */
            add_room(rows, people, name, wings[w].folder, (i % 5 == 0) ? "2" : "", "");
        }
    }
    for (size_t i = 0; i < HP_ARRAY_SIZE(arts_rooms); i++)
        add_room(rows, people, arts_rooms[i], "Arts Wing", "", "");
    people->classroom_count = people->room_names->len - people->classroom_first;
    int rc = import_rows(store, school, tz, HP_IMPORT_ROOMS, rows, HP_ROOM_COLUMNS);
    g_ptr_array_free(rows, TRUE);
    return rc;
}

/* One users.csv row, in the importer's column order; student_id "" for none. */
static void add_user_row(GPtrArray *rows, const char *name, const char *email, const char *role,
                         const char *room, const char *password, const char *student_id)
{
    const char *f[HP_USER_COLUMNS] = {
        [HP_USER_NAME] = name, [HP_USER_EMAIL] = email,       [HP_USER_ROLE] = role,
        [HP_USER_ROOM] = room, [HP_USER_PASSWORD] = password, [HP_USER_STUDENT_ID] = student_id};
    add_row(rows, f, HP_USER_COLUMNS);
}

static void add_user(GPtrArray *rows, const char *name, const char *email, const char *role,
                     const char *room, const char *password)
{
    add_user_row(rows, name, email, role, room, password, "");
}

static int make_users(hp_store *store, const hp_school *school, const hp_tz *tz, GRand *rand,
                      demo_people *people)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    char name[64], email[128];

    add_user(rows, "Dana Whitfield", hp_demo_logins[0].email, "admin", "", HP_DEMO_PASSWORD);
    add_user(rows, "Marcus Bell", "mbell@" DOMAIN, "admin", "", "");
    add_user(rows, "Rosa Alvarez", "ralvarez@" DOMAIN, "admin", "", "");
    for (int i = 0; i < ADMINS; i++)
        g_ptr_array_add(people->staff_emails,
                        g_strdup(g_ptr_array_index(rows, i * HP_USER_COLUMNS + HP_USER_EMAIL)));

    for (int i = 0; i < TEACHERS; i++) {
        person_name(rand, name, sizeof(name));
        if (i == 0) {
            snprintf(email, sizeof(email), "%s", hp_demo_logins[1].email);
        } else {
            char *lower = g_ascii_strdown(strchr(name, ' ') + 1, -1);
            snprintf(email, sizeof(email), "%c%s%d@%s", g_ascii_tolower(name[0]), lower, i, DOMAIN);
            g_free(lower);
        }
        /* Teacher i teaches in classroom i (the passes below leave from it), their home room:
         * the Passes page starts from it. Coaches and specialists have none. */
        const char *home = (size_t)i < people->classroom_count
                               ? g_ptr_array_index(people->room_names, people->classroom_first + i)
                               : "";
        add_user(rows, name, email, "teacher", home, i == 0 ? HP_DEMO_PASSWORD : "");
        g_ptr_array_add(people->staff_emails, g_strdup(email));
    }
    for (int i = 0; i < STUDENTS; i++) {
        person_name(rand, name, sizeof(name));
        if (i == 0) {
            snprintf(email, sizeof(email), "%s", hp_demo_logins[2].email);
        } else {
            char *lower = g_ascii_strdown(name, -1);
            *strchr(lower, ' ') = '.';
            snprintf(email, sizeof(email), "%s%d@students.%s", lower, i, DOMAIN);
            g_free(lower);
        }
        /* Students have the school's own IDs, as a kiosk takes them: S0001, S0002, ... */
        char student_id[16];
        snprintf(student_id, sizeof(student_id), "S%04d", i + 1);
        add_user_row(rows, name, email, "student", "", i == 0 ? HP_DEMO_PASSWORD : "", student_id);
        g_ptr_array_add(people->student_emails, g_strdup(email));
    }
    static const struct {
        const char *name;
        const char *email;
        int room;
    } kiosks[] = {{"Library Kiosk", "library-kiosk@" DOMAIN, R_LIBRARY},
                  {"Cafeteria Kiosk", "cafeteria-kiosk@" DOMAIN, R_CAFETERIA},
                  {"Gym Kiosk", "gym-kiosk@" DOMAIN, R_GYM}};
    for (size_t i = 0; i < HP_ARRAY_SIZE(kiosks); i++) {
        add_user(rows, kiosks[i].name, kiosks[i].email, "kiosk",
                 g_ptr_array_index(people->room_names, kiosks[i].room),
                 i == 0 ? HP_DEMO_PASSWORD : "");
        g_ptr_array_add(people->kiosk_emails, g_strdup(kiosks[i].email));
        int room = kiosks[i].room;
        g_array_append_val(people->kiosk_rooms, room);
    }
    int rc = import_rows(store, school, tz, HP_IMPORT_USERS, rows, HP_USER_COLUMNS);
    g_ptr_array_free(rows, TRUE);
    return rc;
}

/* Relative weights of each hour from FIRST_HOUR (8:00) to 14:00 and of each weekday, Monday first.
 */
static const double hour_weight[] = {0.6, 1.2, 1.4, 0.9, 0.7, 1.3, 1.0};
static const double weekday_weight[] = {1.0, 1.05, 1.0, 0.95, 0.8};

static int pick_weighted(GRand *rand, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    double x = g_rand_double_range(rand, 0, total);
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/* Where a student goes, and for how many minutes. */
static int pick_destination(GRand *rand, const demo_people *people, int origin, int *minutes)
{
    int r = g_rand_int_range(rand, 0, 100);
    int dest;
    if (r < 55) {
        dest = g_rand_int_range(rand, R_BOYS_EAST, R_ALL_GENDER + 1);
        *minutes = g_rand_int_range(rand, 3, 11);
    } else if (r < 64) {
        dest = R_NURSE;
        *minutes = g_rand_int_range(rand, 10, 26);
    } else if (r < 71) {
        dest = R_MAIN_OFFICE;
        *minutes = g_rand_int_range(rand, 5, 16);
    } else if (r < 77) {
        dest = R_COUNSELING;
        *minutes = g_rand_int_range(rand, 15, 41);
    } else if (r < 86) {
        dest = R_LIBRARY;
        *minutes = g_rand_int_range(rand, 10, 41);
    } else if (r < 90) {
        dest = R_FOUNTAIN;
        *minutes = g_rand_int_range(rand, 2, 5);
    } else if (r < 93) {
        dest = R_ATTENDANCE;
        *minutes = g_rand_int_range(rand, 5, 11);
    } else {
        dest = (int)people->classroom_first +
               g_rand_int_range(rand, 0, (gint32)people->classroom_count);
        *minutes = g_rand_int_range(rand, 5, 21);
    }
    if (dest == origin)
        dest = R_MAIN_OFFICE == origin ? R_NURSE : R_MAIN_OFFICE;
    return dest;
}

typedef struct {
    GPtrArray *rows;
    size_t passes;
} pass_rows;

static void add_pass(pass_rows *out, const hp_tz *tz, const char *student, const char *origin,
                     const char *destination, const char *creator, const char *source,
                     const char *type, int64_t start, int64_t end, bool cancelled)
{
    char id[PASS_ID_MAX], start_text[HP_DATETIME_LEN], end_text[HP_DATETIME_LEN] = "";
    snprintf(id, sizeof(id), "demo-%07zu", ++out->passes);
    hp_tz_format_datetime(tz, start, start_text);
    if (end > 0)
        hp_tz_format_datetime(tz, end, end_text);
    const char *f[HP_PASS_COLUMNS] = {
        [HP_PASS_ID] = id,           [HP_PASS_STUDENT] = student,
        [HP_PASS_ORIGIN] = origin,   [HP_PASS_DESTINATION] = destination,
        [HP_PASS_CREATOR] = creator, [HP_PASS_SOURCE] = source,
        [HP_PASS_TYPE] = type,       [HP_PASS_START] = start_text,
        [HP_PASS_END] = end_text,    [HP_PASS_CANCELLED] = cancelled ? "true" : "false"};
    add_row(out->rows, f, HP_PASS_COLUMNS);
}

/* The semester so far: from the last August 17 or January 6 up to today, or the last
 * SCHOOL_DAYS weekdays when that is less than a month of school. */
static int32_t first_school_day(int32_t today)
{
    char text[HP_DATE_LEN];
    int32_t start = today, candidate;
    hp_date_format(today, text);
    int year = atoi(text);
    for (int y = year; y >= year - 1 && start == today; y--) {
        char date[HP_DATE_LEN + 8];
        snprintf(date, sizeof(date), "%04d-08-17", y);
        if (hp_date_parse(date, &candidate) == HP_OK && candidate <= today)
            start = candidate;
        snprintf(date, sizeof(date), "%04d-01-06", y);
        if (start == today && hp_date_parse(date, &candidate) == HP_OK && candidate <= today)
            start = candidate;
    }
    if (today - start >= SCHOOL_MONTH)
        return start;
    int32_t day = today;
    for (int left = SCHOOL_DAYS;; day--)
        if (hp_date_weekday(day) <= 5 && --left == 0)
            return day;
}

static int make_passes(hp_store *store, const hp_school *school, const hp_tz *tz, GRand *rand,
                       const demo_people *people, int32_t today, hp_demo_summary *summary)
{
    pass_rows out = {g_ptr_array_new_with_free_func(g_free), 0};
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    GHashTable *active = g_hash_table_new(g_direct_hash, g_direct_equal);
    /* Teachers with a classroom are the first classroom_count teachers; the rest (coaches,
     * specialists) rarely write passes, and a few never do. */
    const size_t admins = ADMINS;
    const size_t classroom_teachers = people->classroom_count;

    summary->first_day = first_school_day(today);
    summary->last_day = today;
    for (int32_t day = summary->first_day; day <= today; day++) {
        int weekday = hp_date_weekday(day);
        if (weekday > 5)
            continue;
        int passes_today = (int)(STUDENTS * PASSES_PER_STUDENT * weekday_weight[weekday - 1]) +
                           g_rand_int_range(rand, -DAILY_JITTER, DAILY_JITTER + 1);
        for (int p = 0; p < passes_today; p++) {
            int hour = FIRST_HOUR + pick_weighted(rand, hour_weight, HP_ARRAY_SIZE(hour_weight));
            int64_t start = hp_tz_local_time(tz, day, hour, g_rand_int_range(rand, 0, 60),
                                             g_rand_int_range(rand, 0, 60));
            if (start > now)
                continue;
            int student = g_rand_int_range(rand, 0, STUDENTS);
            int minutes;
            int r = g_rand_int_range(rand, 0, 100);
            const char *source, *type = "now", *creator;
            int origin;
            bool cancelled = false;

            if (r < 8) { /* A kiosk login in the library, cafeteria or gym. */
                int k = g_rand_int_range(rand, 0, (gint32)people->kiosk_rooms->len);
                origin = g_array_index(people->kiosk_rooms, int, k);
                source = "kiosk_login";
                creator = g_ptr_array_index(people->kiosk_emails, k);
            } else {
                size_t teacher = (size_t)((student * 7 + hour * 13) % (int)classroom_teachers);
                origin = (int)(people->classroom_first + teacher);
                creator = g_ptr_array_index(people->staff_emails, admins + teacher);
                if (r < 45) {
                    source = "student";
                    creator = g_ptr_array_index(people->student_emails, student);
                } else if (r < 60) {
                    source = "kiosk_mode";
                } else {
                    source = "teacher";
                    if (g_rand_int_range(rand, 0, 100) < 18) {
                        type = "scheduled";
                        cancelled = g_rand_int_range(rand, 0, 100) < 6;
                    }
                    /* Specialists and admins write some passes too; three teachers never do. */
                    int who = g_rand_int_range(rand, 0, 100);
                    if (who < 6)
                        creator = g_ptr_array_index(people->staff_emails, who % admins);
                    else if (who < 12)
                        creator =
                            g_ptr_array_index(people->staff_emails,
                                              admins + classroom_teachers +
                                                  (size_t)who % (people->staff_emails->len -
                                                                 admins - classroom_teachers - 3));
                }
            }
            int dest = pick_destination(rand, people, origin, &minutes);
            int64_t end = start + minutes * 60 + g_rand_int_range(rand, 0, 60);
            const char *student_email = g_ptr_array_index(people->student_emails, student);
            if (strcmp(source, "student") == 0)
                creator = student_email;
            if (cancelled) {
                end = 0;
            } else if (end > now) {
                /* Still out: at most one active pass per student. */
                if (g_hash_table_contains(active, GINT_TO_POINTER(student + 1)))
                    continue;
                g_hash_table_add(active, GINT_TO_POINTER(student + 1));
                end = 0;
            }
            add_pass(&out, tz, student_email, g_ptr_array_index(people->room_names, origin),
                     g_ptr_array_index(people->room_names, dest), creator, source, type, start, end,
                     cancelled);
        }
    }
    summary->passes = out.passes;
    int rc = import_rows(store, school, tz, HP_IMPORT_PASSES, out.rows, HP_PASS_COLUMNS);
    g_ptr_array_free(out.rows, TRUE);
    g_hash_table_destroy(active);
    return rc;
}

int hp_demo_populate(hp_store *store, const hp_school *school, const hp_tz *tz, int32_t today,
                     hp_demo_summary *summary_out)
{
    demo_people people = {
        .room_names = g_ptr_array_new_with_free_func(g_free),
        .staff_emails = g_ptr_array_new_with_free_func(g_free),
        .student_emails = g_ptr_array_new_with_free_func(g_free),
        .kiosk_emails = g_ptr_array_new_with_free_func(g_free),
        .kiosk_rooms = g_array_new(FALSE, FALSE, sizeof(int)),
    };
    GRand *rand = g_rand_new_with_seed(SEED);
    hp_demo_summary summary = {0};
    int rc;

    if ((rc = make_rooms(store, school, tz, &people)) == HP_OK &&
        (rc = make_users(store, school, tz, rand, &people)) == HP_OK)
        rc = make_passes(store, school, tz, rand, &people, today, &summary);
    summary.rooms = people.room_names->len;
    summary.staff = people.staff_emails->len;
    summary.students = people.student_emails->len;
    summary.kiosks = people.kiosk_emails->len;
    if (summary_out)
        *summary_out = summary;

    g_rand_free(rand);
    g_ptr_array_free(people.room_names, TRUE);
    g_ptr_array_free(people.staff_emails, TRUE);
    g_ptr_array_free(people.student_emails, TRUE);
    g_ptr_array_free(people.kiosk_emails, TRUE);
    g_array_free(people.kiosk_rooms, TRUE);
    return rc;
}

int hp_demo_create(hp_store *store, hp_school *school_out, hp_tz **tz_out,
                   hp_demo_summary *summary_out)
{
    int64_t id;
    int rc;

    *school_out = (hp_school){0};
    *tz_out = NULL;
    if ((rc = hp_tz_new(tz_out, HP_DEMO_TIMEZONE)) < 0 ||
        (rc = hp_school_create(store, HP_DEMO_SCHOOL, HP_DEMO_TIMEZONE, &id)) < 0)
        return rc;
    /* Read back as the store hands schools out, so that hp_school_release() matches. */
    if ((rc = hp_school_find(store, HP_DEMO_SCHOOL, school_out)) < 0)
        return rc;
    return hp_demo_populate(store, school_out, *tz_out, hp_tz_today(*tz_out), summary_out);
}
