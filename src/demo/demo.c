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
#define PERSON_NAME_MAX 64      /* The longest first and last name, a space and the NUL. */
#define EMAIL_MAX 128           /* A name, a number and the domain. */
#define STUDENT_ID_MAX 16       /* "S" and the student's number. */
#define ROOM_NAME_MAX 32        /* "Room " and a wing's room number. */
/* A date made from a year: room for any int the year could be, which the compiler checks. */
#define DATE_TEXT_MAX (HP_DATE_LEN + 8)
#define PERCENT 100 /* The draws below are in percent: 0 to 99. */
#define FRIDAY 5    /* hp_date_weekday() counts from Monday, 1: school days are 1 to 5. */
#define MINUTES_PER_HOUR 60
#define SECONDS_PER_MINUTE 60

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

static void demo_people_init(demo_people *people)
{
    *people = (demo_people){
        .room_names = g_ptr_array_new_with_free_func(g_free),
        .staff_emails = g_ptr_array_new_with_free_func(g_free),
        .student_emails = g_ptr_array_new_with_free_func(g_free),
        .kiosk_emails = g_ptr_array_new_with_free_func(g_free),
        .kiosk_rooms = g_array_new(FALSE, FALSE, sizeof(int)),
    };
}

static void demo_people_release(demo_people *people)
{
    g_ptr_array_free(people->room_names, TRUE);
    g_ptr_array_free(people->staff_emails, TRUE);
    g_ptr_array_free(people->student_emails, TRUE);
    g_ptr_array_free(people->kiosk_emails, TRUE);
    g_array_free(people->kiosk_rooms, TRUE);
    *people = (demo_people){0};
}

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
            char name[ROOM_NAME_MAX];
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

/* The principal (a demo sign-in) and two assistant principals. */
static void add_admins(GPtrArray *rows, demo_people *people)
{
    static const struct {
        const char *name;
        const char *email;
        const char *password;
    } admins[ADMINS] = {{"Dana Whitfield", "principal@" DOMAIN, HP_DEMO_PASSWORD},
                        {"Marcus Bell", "mbell@" DOMAIN, ""},
                        {"Rosa Alvarez", "ralvarez@" DOMAIN, ""}};
    for (size_t i = 0; i < HP_ARRAY_SIZE(admins); i++) {
        add_user(rows, admins[i].name, admins[i].email, "admin", "", admins[i].password);
        g_ptr_array_add(people->staff_emails, g_strdup(admins[i].email));
    }
}

static void add_teachers(GPtrArray *rows, GRand *rand, demo_people *people)
{
    char name[PERSON_NAME_MAX], email[EMAIL_MAX];
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
}

static void add_students(GPtrArray *rows, GRand *rand, demo_people *people)
{
    char name[PERSON_NAME_MAX], email[EMAIL_MAX], student_id[STUDENT_ID_MAX];
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
        snprintf(student_id, sizeof(student_id), "S%04d", i + 1);
        add_user_row(rows, name, email, "student", "", i == 0 ? HP_DEMO_PASSWORD : "", student_id);
        g_ptr_array_add(people->student_emails, g_strdup(email));
    }
}

static void add_kiosks(GPtrArray *rows, demo_people *people)
{
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
}

/* Staff first, so that their list's order (admins, then teachers) is the one passes use. */
static int make_users(hp_store *store, const hp_school *school, const hp_tz *tz, GRand *rand,
                      demo_people *people)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    add_admins(rows, people);
    add_teachers(rows, rand, people);
    add_students(rows, rand, people);
    add_kiosks(rows, people);
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

/* Where students go: each row takes `percent` of the passes, to one of the rooms first_room
 * to last_room (DEST_CLASSROOM: any classroom), for min_minutes to max_minutes. The last row
 * takes what the others leave. */
#define DEST_CLASSROOM (-1)
static const struct {
    int percent;
    int first_room, last_room;
    int min_minutes, max_minutes;
} destinations[] = {
    {55, R_BOYS_EAST, R_ALL_GENDER, 3, 10},   {9, R_NURSE, R_NURSE, 10, 25},
    {7, R_MAIN_OFFICE, R_MAIN_OFFICE, 5, 15}, {6, R_COUNSELING, R_COUNSELING, 15, 40},
    {9, R_LIBRARY, R_LIBRARY, 10, 40},        {4, R_FOUNTAIN, R_FOUNTAIN, 2, 4},
    {3, R_ATTENDANCE, R_ATTENDANCE, 5, 10},   {PERCENT, DEST_CLASSROOM, DEST_CLASSROOM, 5, 20},
};

/* Where a student goes, and for how many minutes. */
static int pick_destination(GRand *rand, const demo_people *people, int origin, int *minutes)
{
    int r = g_rand_int_range(rand, 0, PERCENT);
    size_t row = 0;
    while (row + 1 < HP_ARRAY_SIZE(destinations) && r >= destinations[row].percent)
        r -= destinations[row++].percent;

    int dest;
    if (destinations[row].first_room == DEST_CLASSROOM)
        dest = (int)people->classroom_first +
               g_rand_int_range(rand, 0, (gint32)people->classroom_count);
    else if (destinations[row].first_room == destinations[row].last_room)
        dest = destinations[row].first_room;
    else
        dest =
            g_rand_int_range(rand, destinations[row].first_room, destinations[row].last_room + 1);
    *minutes =
        g_rand_int_range(rand, destinations[row].min_minutes, destinations[row].max_minutes + 1);
    if (dest == origin)
        dest = R_MAIN_OFFICE == origin ? R_NURSE : R_MAIN_OFFICE;
    return dest;
}

/* How passes are made: each row takes `percent` of them, the last what the others leave. */
typedef enum { BY_KIOSK_LOGIN, BY_STUDENT, BY_KIOSK_MODE, BY_TEACHER } pass_way;
static const struct {
    int percent;
    pass_way way;
    const char *source;
} sources[] = {
    {8, BY_KIOSK_LOGIN, "kiosk_login"}, /* A kiosk login in the library, cafeteria or gym. */
    {37, BY_STUDENT, "student"},        /* A student asks from the classroom. */
    {15, BY_KIOSK_MODE, "kiosk_mode"},  /* The classroom's kiosk. */
    {PERCENT, BY_TEACHER, "teacher"},
};
/* Of the teachers' passes: scheduled ones, and of those the cancelled ones. */
#define SCHEDULED_PERCENT 18
#define CANCELLED_PERCENT 6
/* Of the teachers' passes: written by an admin, or by a coach or specialist instead. */
#define BY_ADMIN_PERCENT 6
#define BY_SPECIALIST_PERCENT 6
/* Coaches and specialists, the last staff, of whom this many never write a pass. */
#define SILENT_SPECIALISTS 3

typedef struct {
    GPtrArray *rows;
    size_t passes;
    GHashTable *active; /* Students (their index + 1) with a pass still out. */
} pass_rows;

static void pass_rows_init(pass_rows *out)
{
    *out = (pass_rows){.rows = g_ptr_array_new_with_free_func(g_free),
                       .active = g_hash_table_new(g_direct_hash, g_direct_equal)};
}

static void pass_rows_release(pass_rows *out)
{
    g_ptr_array_free(out->rows, TRUE);
    g_hash_table_destroy(out->active);
    *out = (pass_rows){0};
}

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
        char date[DATE_TEXT_MAX];
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
        if (hp_date_weekday(day) <= FRIDAY && --left == 0)
            return day;
}

/* A drawn pass before its destination and times. */
typedef struct {
    int origin;
    const char *source;
    const char *type;
    const char *creator;
    bool cancelled;
} pass_draw;

/* A teacher's pass: now or scheduled (a few of those cancelled), and now and then written by
 * an admin or a specialist rather than the classroom's teacher. */
static void draw_teacher_pass(GRand *rand, const demo_people *people, pass_draw *pass)
{
    const size_t admins = ADMINS;
    const size_t classroom_teachers = people->classroom_count;
    if (g_rand_int_range(rand, 0, PERCENT) < SCHEDULED_PERCENT) {
        pass->type = "scheduled";
        pass->cancelled = g_rand_int_range(rand, 0, PERCENT) < CANCELLED_PERCENT;
    }
    int who = g_rand_int_range(rand, 0, PERCENT);
    if (who < BY_ADMIN_PERCENT) {
        pass->creator = g_ptr_array_index(people->staff_emails, (size_t)who % admins);
    } else if (who < BY_ADMIN_PERCENT + BY_SPECIALIST_PERCENT) {
        size_t writing =
            people->staff_emails->len - admins - classroom_teachers - SILENT_SPECIALISTS;
        pass->creator = g_ptr_array_index(people->staff_emails,
                                          admins + classroom_teachers + (size_t)who % writing);
    }
}

/* Who makes the pass and where it leaves from: a kiosk login's room, or the classroom the
 * student is in at that hour. Teachers with a classroom are the first classroom_count. */
static pass_draw draw_source(GRand *rand, const demo_people *people, int student, int hour)
{
    pass_draw pass = {.type = "now"};
    int r = g_rand_int_range(rand, 0, PERCENT);
    size_t row = 0;
    while (row + 1 < HP_ARRAY_SIZE(sources) && r >= sources[row].percent)
        r -= sources[row++].percent;
    pass.source = sources[row].source;

    if (sources[row].way == BY_KIOSK_LOGIN) {
        int k = g_rand_int_range(rand, 0, (gint32)people->kiosk_rooms->len);
        pass.origin = g_array_index(people->kiosk_rooms, int, k);
        pass.creator = g_ptr_array_index(people->kiosk_emails, k);
        return pass;
    }
    /* A fixed timetable: the same student is in the same room at the same hour every day. */
    size_t teacher = (size_t)((student * 7 + hour * 13) % (int)people->classroom_count);
    pass.origin = (int)(people->classroom_first + teacher);
    pass.creator = g_ptr_array_index(people->staff_emails, ADMINS + teacher);
    if (sources[row].way == BY_STUDENT)
        pass.creator = g_ptr_array_index(people->student_emails, student);
    else if (sources[row].way == BY_TEACHER)
        draw_teacher_pass(rand, people, &pass);
    return pass;
}

/* One pass on a day, added to out unless it would start after now or be a student's second
 * pass still out. */
static void draw_pass(GRand *rand, const demo_people *people, const hp_tz *tz, int32_t day,
                      int64_t now, pass_rows *out)
{
    int hour = FIRST_HOUR + pick_weighted(rand, hour_weight, HP_ARRAY_SIZE(hour_weight));
    int64_t start = hp_tz_local_time(tz, day, hour, g_rand_int_range(rand, 0, MINUTES_PER_HOUR),
                                     g_rand_int_range(rand, 0, SECONDS_PER_MINUTE));
    if (start > now)
        return;
    int student = g_rand_int_range(rand, 0, STUDENTS);
    pass_draw pass = draw_source(rand, people, student, hour);
    int minutes;
    int dest = pick_destination(rand, people, pass.origin, &minutes);
    int64_t end =
        start + minutes * SECONDS_PER_MINUTE + g_rand_int_range(rand, 0, SECONDS_PER_MINUTE);
    if (pass.cancelled) {
        end = 0;
    } else if (end > now) {
        /* Still out: at most one active pass per student. */
        if (g_hash_table_contains(out->active, GINT_TO_POINTER(student + 1)))
            return;
        g_hash_table_add(out->active, GINT_TO_POINTER(student + 1));
        end = 0;
    }
    add_pass(out, tz, g_ptr_array_index(people->student_emails, student),
             g_ptr_array_index(people->room_names, pass.origin),
             g_ptr_array_index(people->room_names, dest), pass.creator, pass.source, pass.type,
             start, end, pass.cancelled);
}

/* Passes on a school day: about PASSES_PER_STUDENT each, more early in the week. */
static int passes_on(GRand *rand, int weekday)
{
    return (int)(STUDENTS * PASSES_PER_STUDENT * weekday_weight[weekday - 1]) +
           g_rand_int_range(rand, -DAILY_JITTER, DAILY_JITTER + 1);
}

static int make_passes(hp_store *store, const hp_school *school, const hp_tz *tz, GRand *rand,
                       const demo_people *people, int32_t today, hp_demo_summary *summary)
{
    pass_rows out;
    pass_rows_init(&out);
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;

    summary->first_day = first_school_day(today);
    summary->last_day = today;
    for (int32_t day = summary->first_day; day <= today; day++) {
        int weekday = hp_date_weekday(day);
        if (weekday > FRIDAY)
            continue;
        for (int p = 0, n = passes_on(rand, weekday); p < n; p++)
            draw_pass(rand, people, tz, day, now, &out);
    }
    summary->passes = out.passes;
    int rc = import_rows(store, school, tz, HP_IMPORT_PASSES, out.rows, HP_PASS_COLUMNS);
    pass_rows_release(&out);
    return rc;
}

int hp_demo_populate(hp_store *store, const hp_school *school, const hp_tz *tz, int32_t today,
                     hp_demo_summary *summary_out)
{
    demo_people people;
    demo_people_init(&people);
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
    demo_people_release(&people);
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
