/*
 * The PostgreSQL store, through libpq: the store a district runs, shared by several app
 * servers. The schema matches the SQLite store's, keyed by school first in every table so
 * that it can be distributed by school_id (docs/scaling.md). Statements are prepared once per
 * connection. Transactions run at READ COMMITTED; a pass is created under row locks on its
 * rooms and its student (hp_store_passes_lock), so that the counts read and the row written
 * are atomic across servers. libpq appears only in this file.
 */
#include "store/backend.h"

#include "core/error.h"
#include "core/util.h"
#include "store/pg_params.h"

#include <glib.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

/* The key of the advisory lock that servers starting at once take around their migrations:
 * any fixed number, the same in every hallpass. */
#define MIGRATION_LOCK_KEY 7146021

/* SQLSTATE of a unique key taken (PostgreSQL's unique_violation). */
#define SQLSTATE_UNIQUE_VIOLATION "23505"

/* Names and emails compare without regard to ASCII letters' case, and only theirs, whatever
 * the database's locale: lower() under the C collation leaves other letters alone. */
#define FOLD(x) "lower(" x " COLLATE \"C\")"

// clang-format off
static const char *const migrations[] = {
    /* 1: the SQLite store's first two versions in one step. */
    "CREATE TABLE schools ("
    "  id bigserial PRIMARY KEY,"
    "  name text NOT NULL,"
    "  timezone text NOT NULL);"
    "CREATE UNIQUE INDEX schools_by_name ON schools (" FOLD("name") ");"
    "CREATE TABLE rooms ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  name text NOT NULL,"
    "  folder text NOT NULL DEFAULT '',"
    "  max_from integer CHECK (max_from IS NULL OR max_from > 0),"
    "  max_to integer CHECK (max_to IS NULL OR max_to > 0),"
    "  PRIMARY KEY (school_id, id));"
    "CREATE UNIQUE INDEX rooms_by_name ON rooms (school_id, " FOLD("name") ");"
    "CREATE TABLE users ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  name text NOT NULL,"
    "  email text NOT NULL,"
    "  role text NOT NULL CHECK (role IN ('admin', 'teacher', 'student', 'kiosk')),"
    "  room_id bigint,"
    "  password_hash text,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, room_id) REFERENCES rooms(school_id, id));"
    "CREATE UNIQUE INDEX users_by_email ON users (school_id, " FOLD("email") ");"
    "CREATE INDEX users_by_any_email ON users (" FOLD("email") ");"
    "CREATE TABLE passes ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  ext_id text,"
    "  student_id bigint NOT NULL,"
    "  origin_id bigint NOT NULL,"
    "  destination_id bigint NOT NULL,"
    "  creator_id bigint NOT NULL,"
    "  source text NOT NULL"
    "    CHECK (source IN ('student', 'teacher', 'kiosk_mode', 'kiosk_login')),"
    "  type text NOT NULL CHECK (type IN ('now', 'scheduled')),"
    "  start_at bigint NOT NULL,"
    "  end_at bigint,"
    "  cancelled boolean NOT NULL DEFAULT false,"
    "  local_day integer NOT NULL,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, student_id) REFERENCES users(school_id, id),"
    "  FOREIGN KEY (school_id, creator_id) REFERENCES users(school_id, id),"
    "  FOREIGN KEY (school_id, origin_id) REFERENCES rooms(school_id, id),"
    "  FOREIGN KEY (school_id, destination_id) REFERENCES rooms(school_id, id));"
    "CREATE UNIQUE INDEX passes_by_ext_id ON passes (school_id, ext_id);"
    /* The passes not ended: what room limits and the active list read (see sqlite.c). */
    "CREATE INDEX passes_open ON passes (school_id, start_at)"
    "  WHERE end_at IS NULL AND NOT cancelled;"
    /* The report counters, as in the SQLite store. */
    "CREATE TABLE usage_counts ("
    "  school_id bigint NOT NULL,"
    "  kind smallint NOT NULL,"
    "  period smallint NOT NULL,"
    "  bucket integer NOT NULL,"
    "  id bigint NOT NULL,"
    "  a bigint NOT NULL,"
    "  b bigint NOT NULL,"
    "  PRIMARY KEY (school_id, kind, period, bucket, id));"
    "CREATE TABLE sessions ("
    "  token_hash bytea PRIMARY KEY,"
    "  school_id bigint NOT NULL,"
    "  user_id bigint NOT NULL,"
    "  kiosk_room_id bigint,"
    "  created_at bigint NOT NULL,"
    "  last_seen bigint NOT NULL,"
    "  FOREIGN KEY (school_id, user_id) REFERENCES users(school_id, id));"
    "CREATE INDEX sessions_by_last_seen ON sessions (last_seen);",

    /* 2: as the SQLite store's third: a student's ID, unique in the school without regard to
     * ASCII case, and the passes by local day. */
    "ALTER TABLE users ADD COLUMN student_id text"
    "  CHECK (student_id ~ '^[A-Za-z0-9-]{1,32}$');"
    "CREATE UNIQUE INDEX users_by_student_id ON users (school_id, " FOLD("student_id") ")"
    "  WHERE student_id IS NOT NULL;"
    "CREATE INDEX passes_by_day ON passes (school_id, local_day);",

    /* 3: the pass rules, as the SQLite store's step 4: settings as (key, value) rows, rooms'
     * time limits and whether passes to them count, students' own daily limits. */
    "CREATE TABLE settings ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  key text NOT NULL,"
    "  value text NOT NULL,"
    "  PRIMARY KEY (school_id, key));"
    "ALTER TABLE rooms ADD COLUMN time_limit_minutes integer"
    "  CHECK (time_limit_minutes BETWEEN 1 AND 240);"
    "ALTER TABLE rooms ADD COLUMN counts_toward_limit boolean NOT NULL DEFAULT true;"
    "ALTER TABLE users ADD COLUMN max_passes_per_day integer"
    "  CHECK (max_passes_per_day BETWEEN 1 AND 50);",

    /* 4: passes keep their time limit, auto-end deadline and overrides, and an index by
     * student and local day, as the SQLite store's step 5. */
    "ALTER TABLE passes ADD COLUMN time_limit_minutes integer;"
    "ALTER TABLE passes ADD COLUMN auto_end_at bigint NOT NULL DEFAULT 0;"
    "ALTER TABLE passes ADD COLUMN overrides integer NOT NULL DEFAULT 0;"
    "UPDATE passes p SET auto_end_at = p.start_at + 60 * coalesce((SELECT s.value::integer"
    "  FROM settings s WHERE s.school_id = p.school_id AND s.key = 'auto_end_minutes'), 120),"
    "  time_limit_minutes = coalesce((SELECT r.time_limit_minutes FROM rooms r"
    "  WHERE r.school_id = p.school_id AND r.id = p.destination_id), (SELECT s.value::integer"
    "  FROM settings s WHERE s.school_id = p.school_id"
    "  AND s.key = 'default_time_limit_minutes'));"
    "CREATE INDEX passes_by_student_day ON passes (school_id, student_id, local_day);",

    /* 5: encounter groups, their members and the passes the rule prevented, as the SQLite
     * store's step 6. A group's row is what a pass's transaction locks. */
    "CREATE TABLE encounter_groups ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  name text NOT NULL,"
    "  active boolean NOT NULL DEFAULT true,"
    "  PRIMARY KEY (school_id, id));"
    "CREATE UNIQUE INDEX encounter_groups_by_name ON encounter_groups (school_id, " FOLD("name") ");"
    "CREATE TABLE encounter_members ("
    "  school_id bigint NOT NULL,"
    "  group_id bigint NOT NULL,"
    "  student_id bigint NOT NULL,"
    "  PRIMARY KEY (school_id, group_id, student_id),"
    "  FOREIGN KEY (school_id, group_id) REFERENCES encounter_groups(school_id, id)"
    "    ON DELETE CASCADE,"
    "  FOREIGN KEY (school_id, student_id) REFERENCES users(school_id, id));"
    "CREATE INDEX encounter_members_by_student ON encounter_members (school_id, student_id);"
    "CREATE TABLE encounter_prevented ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  group_id bigint NOT NULL,"
    "  group_name text NOT NULL,"
    "  student_id bigint NOT NULL,"
    "  at bigint NOT NULL,"
    "  source text NOT NULL,"
    "  local_day integer NOT NULL,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, student_id) REFERENCES users(school_id, id));"
    "CREATE INDEX encounter_prevented_by_day ON encounter_prevented (school_id, local_day);",
    /* 6: no-pass times, as the SQLite store's step 7: the bell schedule's rows in the order
     * given, found by day, and blackouts, found by end. */
    "CREATE TABLE bell_schedule ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  position integer NOT NULL,"
    "  weekday smallint NOT NULL CHECK (weekday BETWEEN 0 AND 7),"
    "  day integer NOT NULL,"
    "  period text NOT NULL,"
    "  start_minute smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),"
    "  end_minute smallint NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1439),"
    "  PRIMARY KEY (school_id, position));"
    "CREATE INDEX bell_schedule_by_day ON bell_schedule (school_id, weekday, day);"
    "CREATE TABLE blackouts ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  start_at bigint NOT NULL,"
    "  end_at bigint CHECK (end_at > start_at),"
    "  reason text,"
    "  created_by bigint NOT NULL,"
    "  created_at bigint NOT NULL,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, created_by) REFERENCES users(school_id, id));"
    "CREATE INDEX blackouts_by_end ON blackouts (school_id, coalesce(end_at, " HP_SQL_NO_END "));",
    /* 7: the refusals by the pass rules as rows, and the last day of each school's refusal
     * counters from before them, as the SQLite store's step 8. */
    "CREATE TABLE refusals ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  rule smallint NOT NULL CHECK (rule BETWEEN 1 AND 8),"
    "  student_id bigint NOT NULL,"
    "  origin_id bigint NOT NULL,"
    "  destination_id bigint NOT NULL,"
    "  source text NOT NULL"
    "    CHECK (source IN ('student', 'teacher', 'kiosk_mode', 'kiosk_login')),"
    "  at bigint NOT NULL,"
    "  local_day integer NOT NULL,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, student_id) REFERENCES users(school_id, id),"
    "  FOREIGN KEY (school_id, origin_id) REFERENCES rooms(school_id, id),"
    "  FOREIGN KEY (school_id, destination_id) REFERENCES rooms(school_id, id));"
    "CREATE INDEX refusals_by_day ON refusals (school_id, local_day);"
    "CREATE TABLE refusals_unrecorded ("
    "  school_id bigint PRIMARY KEY REFERENCES schools(id),"
    "  through_day integer NOT NULL);"
    "INSERT INTO refusals_unrecorded (school_id, through_day)"
    "  SELECT school_id, max(bucket) FROM usage_counts"
    "  WHERE kind IN (2, 3, 4) AND period = 0 GROUP BY school_id;",

    /* 8: the insights' counters, built once from the passes of the schools that had any (as
     * SQLite step 9). */
    "CREATE TABLE counters_unbuilt (school_id bigint PRIMARY KEY REFERENCES schools(id));"
    "INSERT INTO counters_unbuilt (school_id) SELECT DISTINCT school_id FROM passes;",

    /* 9: the counters' third value, as the SQLite store's step 10: of a staff member's now
     * passes, those from a kiosk they launched, filled from the passes stored, by day and by
     * month (year * 12 + month - 1; local_day counts days from 1970-01-01). */
    "ALTER TABLE usage_counts ADD COLUMN c bigint NOT NULL DEFAULT 0;"
    "UPDATE usage_counts u SET c = k.n FROM (SELECT school_id, creator_id, local_day,"
    "  count(*) AS n FROM passes WHERE source = 'kiosk_mode' AND type = 'now'"
    "  AND NOT cancelled GROUP BY school_id, creator_id, local_day) AS k"
    "  WHERE u.kind = 1 AND u.period = 0 AND u.school_id = k.school_id"
    "  AND u.id = k.creator_id AND u.bucket = k.local_day;"
    "UPDATE usage_counts u SET c = k.n FROM (SELECT school_id, creator_id,"
    "  (extract(year FROM date '1970-01-01' + local_day) * 12"
    "  + extract(month FROM date '1970-01-01' + local_day) - 1)::integer AS month,"
    "  count(*) AS n FROM passes WHERE source = 'kiosk_mode' AND type = 'now'"
    "  AND NOT cancelled GROUP BY 1, 2, 3) AS k"
    "  WHERE u.kind = 1 AND u.period = 1 AND u.school_id = k.school_id"
    "  AND u.id = k.creator_id AND u.bucket = k.month;",
    /* 10: the waiting line, as the SQLite store's step 11: entries with their state, offer,
     * lapses, pass and end; the school's entries by state and join time, a student's, the
     * offered ones by origin and by destination, the started ones by pass. */
    "CREATE TABLE line_entries ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  student_id bigint NOT NULL,"
    "  origin_id bigint NOT NULL,"
    "  destination_id bigint NOT NULL,"
    "  creator_id bigint NOT NULL,"
    "  source text NOT NULL"
    "    CHECK (source IN ('student', 'teacher', 'kiosk_mode', 'kiosk_login')),"
    "  joined bigint NOT NULL,"
    "  local_day integer NOT NULL,"
    "  state text NOT NULL"
    "    CHECK (state IN ('waiting', 'offered', 'started', 'lapsed', 'left', 'removed')),"
    "  offered_at bigint,"
    "  offer_expires bigint,"
    "  lapses smallint NOT NULL DEFAULT 0 CHECK (lapses IN (0, 1)),"
    "  pass_id bigint,"
    "  ended_at bigint,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, student_id) REFERENCES users(school_id, id),"
    "  FOREIGN KEY (school_id, origin_id) REFERENCES rooms(school_id, id),"
    "  FOREIGN KEY (school_id, destination_id) REFERENCES rooms(school_id, id),"
    "  FOREIGN KEY (school_id, creator_id) REFERENCES users(school_id, id),"
    "  FOREIGN KEY (school_id, pass_id) REFERENCES passes(school_id, id));"
    "CREATE INDEX line_by_state ON line_entries (school_id, state, joined);"
    "CREATE INDEX line_by_student ON line_entries (school_id, student_id, state);"
    "CREATE INDEX line_offers_from ON line_entries (school_id, origin_id)"
    "  WHERE state = 'offered';"
    "CREATE INDEX line_offers_to ON line_entries (school_id, destination_id)"
    "  WHERE state = 'offered';"
    "CREATE INDEX line_by_pass ON line_entries (school_id, pass_id) WHERE pass_id IS NOT NULL;",

    /* 11: passes that passed the encounter rule by override, with the group, as the SQLite
     * store's step 12. */
    "CREATE TABLE encounter_overridden ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  pass_id bigint NOT NULL,"
    "  group_id bigint NOT NULL,"
    "  local_day integer NOT NULL,"
    "  PRIMARY KEY (school_id, pass_id),"
    "  FOREIGN KEY (school_id, pass_id) REFERENCES passes(school_id, id));",

    /* 12: a pass keeps whether its destination counted toward students' limits when it
     * started, as the SQLite store's step 13. */
    "ALTER TABLE passes ADD COLUMN limit_exempt boolean NOT NULL DEFAULT false;"
    "UPDATE passes p SET limit_exempt = true FROM rooms r"
    "  WHERE r.school_id = p.school_id AND r.id = p.destination_id AND NOT r.counts_toward_limit;",

    /* 13: users may be deactivated, as the SQLite store's step 14. */
    "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;",

    /* 14: the audit log, append-only as the SQLite store's step 15: triggers refuse every
     * change, any removal of a record not older than the school's purge point (which stays
     * 30 days behind now at least and never moves back) and TRUNCATE; and the role that made
     * the table gives up UPDATE and TRUNCATE on it. */
    "CREATE TABLE audit_log ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  at bigint NOT NULL,"
    "  user_id bigint,"
    "  who text NOT NULL,"
    "  address text,"
    "  action text NOT NULL,"
    "  target text NOT NULL,"
    "  detail text,"
    "  PRIMARY KEY (school_id, id));"
    "CREATE INDEX audit_by_time ON audit_log (school_id, at);"
    "CREATE TABLE audit_purged ("
    "  school_id bigint PRIMARY KEY REFERENCES schools(id),"
    "  before bigint NOT NULL);"
    "CREATE FUNCTION audit_log_kept() RETURNS trigger LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  IF TG_OP = 'DELETE' THEN"
    "    IF OLD.at < coalesce((SELECT before FROM audit_purged"
    "        WHERE school_id = OLD.school_id), 0) THEN"
    "      RETURN OLD;"
    "    END IF;"
    "  END IF;"
    "  RAISE EXCEPTION 'the audit log is append-only: only records older than the school''s"
    " retention are removed';"
    "END $$;"
    "CREATE TRIGGER audit_log_kept BEFORE UPDATE OR DELETE ON audit_log"
    "  FOR EACH ROW EXECUTE FUNCTION audit_log_kept();"
    "CREATE TRIGGER audit_log_not_truncated BEFORE TRUNCATE ON audit_log"
    "  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_kept();"
    "CREATE FUNCTION audit_purged_kept() RETURNS trigger LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  IF NEW.before > extract(epoch FROM now()) - 30 * 86400"
    "      OR (TG_OP = 'UPDATE' AND NEW.before < OLD.before) THEN"
    "    RAISE EXCEPTION 'audit records are kept 30 days at least';"
    "  END IF;"
    "  RETURN NEW;"
    "END $$;"
    "CREATE TRIGGER audit_purged_kept BEFORE INSERT OR UPDATE ON audit_purged"
    "  FOR EACH ROW EXECUTE FUNCTION audit_purged_kept();"
    "REVOKE UPDATE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER;",

    /* 15: retention: the school's purged-before day and what the records removed with a
     * student counted, as the SQLite store's step 16. */
    "CREATE TABLE purged ("
    "  school_id bigint PRIMARY KEY REFERENCES schools(id),"
    "  before_day integer NOT NULL);"
    "CREATE TABLE counts_removed ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  kind smallint NOT NULL,"
    "  bucket integer NOT NULL,"
    "  id bigint NOT NULL,"
    "  a bigint NOT NULL,"
    "  b bigint NOT NULL,"
    "  c bigint NOT NULL,"
    "  PRIMARY KEY (school_id, kind, bucket, id));",
    /* 16: share links, as the SQLite store's step 17: kept by the SHA-256 of their token. */
    "CREATE TABLE shares ("
    "  school_id bigint NOT NULL REFERENCES schools(id),"
    "  id bigserial,"
    "  report text NOT NULL CHECK (report IN ('rooms', 'staff')),"
    "  from_date text NOT NULL,"
    "  to_date text NOT NULL CHECK (to_date >= from_date),"
    "  created_by bigint NOT NULL,"
    "  created_at bigint NOT NULL,"
    "  expires_at bigint NOT NULL CHECK (expires_at > created_at),"
    "  revoked_at bigint,"
    "  token_hash bytea NOT NULL UNIQUE,"
    "  PRIMARY KEY (school_id, id),"
    "  FOREIGN KEY (school_id, created_by) REFERENCES users(school_id, id));"
    "CREATE INDEX shares_by_expiry ON shares (school_id, expires_at);",
    /* 17: a user's id in the school's roster, as the SQLite store's step 18. */
    "ALTER TABLE users ADD COLUMN source_id text;"
    "CREATE UNIQUE INDEX users_by_source_id ON users(school_id, source_id)"
    "  WHERE source_id IS NOT NULL;",
    /* 18: the week counters, built from the day counters as the SQLite store's step 19. */
    "INSERT INTO usage_counts (school_id, kind, period, bucket, id, a, b, c)"
    "  SELECT school_id, kind, 2, bucket - ((bucket + 3) % 7 + 7) % 7, id, sum(a), sum(b), sum(c)"
    "  FROM usage_counts WHERE period = 0"
    "  GROUP BY school_id, kind, bucket - ((bucket + 3) % 7 + 7) % 7, id;",

    /* 19: a fourth value, and a student's time out moved into the student counter, as the
     * SQLite store's step 20. */
    "ALTER TABLE usage_counts ADD COLUMN d bigint NOT NULL DEFAULT 0;"
    "ALTER TABLE counts_removed ADD COLUMN d bigint NOT NULL DEFAULT 0;"
    "INSERT INTO usage_counts (school_id, kind, period, bucket, id, a, b, c, d)"
    "  SELECT school_id, 12, period, bucket, id, 0, 0, a, b FROM usage_counts WHERE kind = 13"
    "  ON CONFLICT (school_id, kind, period, bucket, id)"
    "  DO UPDATE SET c = usage_counts.c + excluded.c, d = usage_counts.d + excluded.d;"
    "DELETE FROM usage_counts WHERE kind = 13;",

    /* 20: the quarter counters, built from the month counters as the SQLite store's step
     * 21. */
    "INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c, d)"
    "  SELECT school_id, kind, 3, bucket / 3, id, sum(a), sum(b), sum(c), sum(d)"
    "  FROM usage_counts WHERE period = 1 GROUP BY school_id, kind, bucket / 3, id;",
};
// clang-format on

#define MIGRATION_COUNT ((int)HP_ARRAY_SIZE(migrations))

#define PASS_COLUMNS                                                                               \
    "id, ext_id, student_id, origin_id, destination_id, creator_id, source, type, start_at,"       \
    " end_at, cancelled, local_day, time_limit_minutes, auto_end_at, overrides, limit_exempt"
#define PASS_COLUMN_COUNT 16 /* The columns of PASS_COLUMNS: what a row has after them. */

/* An audit record's columns as read_audit() takes them. */
#define AUDIT_COLUMNS "id, at, user_id, who, address, action, target, detail"

/* A user's columns as read_user() takes them; a password hash or a school may follow. */
#define USER_COLUMNS "id, name, email, role, room_id, student_id, max_passes_per_day, active"

/* A bell schedule's row and a blackout, as read_bell_rows() and read_blackouts() take them. */
#define SCHEDULE_COLUMNS "weekday, day, period, start_minute, end_minute"
#define BLACKOUT_COLUMNS "b.id, b.start_at, b.end_at, b.reason, b.created_by, b.created_at, u.name"

/* A share link's columns with its creator's name, as read_share() takes them. */
#define SHARE_SELECT                                                                               \
    "SELECT s.id, s.school_id, s.report, s.from_date, s.to_date, s.created_by, s.created_at,"      \
    " s.expires_at, s.revoked_at, u.name FROM shares s LEFT JOIN users u"                          \
    " ON u.school_id = s.school_id AND u.id = s.created_by"

/* A line entry's columns with its names, and the joins that give them (see sqlite.c). */
#define LINE_COLUMNS                                                                               \
    "l.id, l.student_id, l.origin_id, l.destination_id, l.creator_id, l.source, l.joined,"         \
    " l.local_day, l.state, l.offered_at, l.offer_expires, l.lapses, l.pass_id, l.ended_at,"       \
    " u.name, u.email, u.student_id, o.name, d.name"
#define LINE_JOINS                                                                                 \
    "line_entries l JOIN users u ON u.school_id = l.school_id AND u.id = l.student_id"             \
    " JOIN rooms o ON o.school_id = l.school_id AND o.id = l.origin_id"                            \
    " JOIN rooms d ON d.school_id = l.school_id AND d.id = l.destination_id"

/* An offer outstanding at $2, other than entry $3 (0: none); see sqlite.c. */
#define OFFERED_AT_2 " school_id = $1 AND state = 'offered' AND offer_expires > $2 AND id <> $3"

/* The advisory lock of a school's walk of the line (its second key is the school): any fixed
 * number, the same in every hallpass. */
#define LINE_WALK_LOCK_KEY 7146022

/* A pass is active at $2 when not cancelled, started, not ended, and before its auto-end
 * deadline: the definition of hp_pass_active_at() in core/rules.h (see sqlite.c). */
#define ACTIVE_AT_2                                                                                \
    " school_id = $1 AND end_at IS NULL AND NOT cancelled AND start_at <= $2 AND auto_end_at > $2"

/* Users whose name, email or student ID is like $2, of role $4 and active $5 unless they
 * are NULL, by name. */
#define LIKE_2 " LIKE " FOLD("$2::text") " ESCAPE '\\'"
#define USERS_SEARCH_SQL                                                                           \
    "SELECT " USER_COLUMNS " FROM users WHERE school_id = $1 AND ($4::text IS NULL OR role = $4)"  \
    " AND ($5::boolean IS NULL OR active = $5)"                                                    \
    " AND (" FOLD("name") LIKE_2 " OR " FOLD("email") LIKE_2 " OR " FOLD("student_id") LIKE_2      \
        ") ORDER BY " FOLD("name") ", id LIMIT $3"

static const struct {
    const char *name;
    const char *sql;
} statements[] = {
    {"school_insert", "INSERT INTO schools(name, timezone) VALUES ($1, $2) RETURNING id"},
    {"schools_list", "SELECT id, name, timezone FROM schools ORDER BY id"},
    {"room_find", "SELECT id, name, folder, max_from, max_to, time_limit_minutes,"
                  " counts_toward_limit FROM rooms WHERE school_id = $1 AND " FOLD(
                      "name") " = " FOLD("$2::text")},
    {"room_insert", "INSERT INTO rooms(school_id, name, folder, max_from, max_to)"
                    " VALUES ($1, $2, $3, $4, $5) RETURNING id"},
    {"room_update", "UPDATE rooms SET name = $2, folder = $3, max_from = $4, max_to = $5"
                    " WHERE school_id = $1 AND id = $6 AND (name IS DISTINCT FROM $2"
                    " OR folder IS DISTINCT FROM $3 OR max_from IS DISTINCT FROM $4"
                    " OR max_to IS DISTINCT FROM $5)"},
    {"rooms_list", "SELECT id, name, folder, max_from, max_to, time_limit_minutes,"
                   " counts_toward_limit FROM rooms WHERE school_id = $1 ORDER BY id"},
    {"room_get", "SELECT id, name, folder, max_from, max_to, time_limit_minutes,"
                 " counts_toward_limit FROM rooms WHERE school_id = $1 AND id = $2"},
    {"user_find", "SELECT " USER_COLUMNS ", password_hash FROM users"
                  " WHERE school_id = $1 AND " FOLD("email") " = " FOLD("$2::text")},
    {"user_find_student_id", "SELECT " USER_COLUMNS " FROM users WHERE school_id = $1"
                             " AND " FOLD("student_id") " = " FOLD("$2::text")},
    {"users_search", USERS_SEARCH_SQL},
    {"user_insert", "INSERT INTO users(school_id, name, email, role, room_id, password_hash,"
                    " student_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"},
    {"user_update", "UPDATE users SET name = $2, email = $3, role = $4, room_id = $5,"
                    " password_hash = coalesce($6, password_hash), student_id = $7"
                    " WHERE school_id = $1 AND id = $8 AND (name IS DISTINCT FROM $2"
                    " OR email IS DISTINCT FROM $3 OR role IS DISTINCT FROM $4"
                    " OR room_id IS DISTINCT FROM $5 OR student_id IS DISTINCT FROM $7"
                    " OR ($6::text IS NOT NULL AND password_hash IS DISTINCT FROM $6))"},
    {"users_list", "SELECT " USER_COLUMNS " FROM users WHERE school_id = $1 ORDER BY id"},
    {"staff_list", "SELECT " USER_COLUMNS " FROM users WHERE school_id = $1"
                   " AND role IN ('admin', 'teacher') ORDER BY id"},
    {"user_get", "SELECT " USER_COLUMNS " FROM users WHERE school_id = $1 AND id = $2"},
    {"logins_find", "SELECT " USER_COLUMNS ", password_hash, school_id FROM users"
                    " WHERE " FOLD("email") " = " FOLD("$1::text") " ORDER BY school_id"},
    {"counts_add",
     "INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c, d)"
     " SELECT $1, * FROM unnest($2::smallint[], $3::smallint[], $4::integer[], $5::bigint[],"
     " $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])"
     " ON CONFLICT (school_id, kind, period, bucket, id) DO UPDATE SET"
     " a = usage_counts.a + excluded.a, b = usage_counts.b + excluded.b,"
     " c = usage_counts.c + excluded.c, d = usage_counts.d + excluded.d"},
    {"counts_read",
     "SELECT id, bucket, a, b, c, d FROM usage_counts WHERE school_id = $1 AND kind = $2"
     " AND period = $3 AND bucket BETWEEN $4 AND $5 AND id BETWEEN $6 AND $7"},
    {"pass_count", "SELECT count(*) FROM passes WHERE school_id = $1"},
    {"session_insert", "INSERT INTO sessions(token_hash, school_id, user_id, kiosk_room_id,"
                       " created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6)"},
    {"session_get", "SELECT school_id, user_id, kiosk_room_id, created_at, last_seen"
                    " FROM sessions WHERE token_hash = $1"},
    {"session_touch", "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1"},
    {"session_kiosk", "UPDATE sessions SET kiosk_room_id = $2 WHERE token_hash = $1"},
    {"session_delete", "DELETE FROM sessions WHERE token_hash = $1"},
    {"sessions_expire", "DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2"},
    {"user_active_put", "UPDATE users SET active = $3 WHERE school_id = $1 AND id = $2"
                        " AND active IS DISTINCT FROM $3::boolean"},
    {"audit_append", "INSERT INTO audit_log(school_id, at, user_id, who, address, action, target,"
                     " detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"},
    {"audit_list", "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE school_id = $1"
                   " AND ($2 = 0 OR at >= $2) AND ($3 = 0 OR at < $3)"
                   " AND ($4 = 0 OR user_id = $4)"
                   " AND ($5::text IS NULL OR strpos(lower(who), lower($5)) > 0)"
                   " AND ($6::text IS NULL OR action = $6) AND ($7 = 0 OR id < $7)"
                   " ORDER BY id DESC LIMIT $8"},
    {"audit_purge_point", "INSERT INTO audit_purged(school_id, before) VALUES ($1, $2)"
                          " ON CONFLICT (school_id) DO UPDATE SET before = excluded.before"
                          " WHERE excluded.before > audit_purged.before"},
    {"audit_purge", "DELETE FROM audit_log WHERE school_id = $1 AND at < $2"},
    {"sessions_delete_user", "DELETE FROM sessions WHERE school_id = $1 AND user_id = $2"},
    {"lock_rooms", "SELECT id FROM rooms WHERE school_id = $1 AND id IN ($2, $3)"
                   " ORDER BY id FOR UPDATE"},
    {"lock_student", "SELECT id FROM users WHERE school_id = $1 AND id = $2 FOR UPDATE"},
    {"active_from", "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2 " AND origin_id = $3"},
    {"active_to", "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2 " AND destination_id = $3"},
    {"active_student", "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2 " AND student_id = $3"},
    {"pass_insert",
     "INSERT INTO passes(" HP_PG_PASS_COLUMNS ")"
     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
     " RETURNING id"},
    /* Read to be changed: the row lock keeps two requests from ending or cancelling it
     * twice. */
    {"pass_get", "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = $1 AND id = $2"
                 " FOR UPDATE"},
    {"pass_end", "UPDATE passes SET end_at = $3 WHERE school_id = $1 AND id = $2"},
    {"pass_cancel", "UPDATE passes SET cancelled = true WHERE school_id = $1 AND id = $2"},
    /* Through the index of passes not ended: the scheduled ones still to start are among them. */
    {"passes_refix_upcoming",
     "UPDATE passes SET auto_end_at = start_at + 60 * $4::bigint,"
     " time_limit_minutes = coalesce((SELECT r.time_limit_minutes FROM rooms r"
     "  WHERE r.id = passes.destination_id), $3::integer),"
     " limit_exempt = (SELECT NOT r.counts_toward_limit FROM rooms r"
     "  WHERE r.id = passes.destination_id)"
     " WHERE school_id = $1 AND end_at IS NULL AND start_at > $2 AND NOT cancelled"
     " AND type = 'scheduled'"},
    {"passes_active", "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = $1"
                      " AND end_at IS NULL AND NOT cancelled AND auto_end_at > $2"
                      " AND (start_at <= $2 OR $4::boolean)"
                      " AND ($3 = 0 OR student_id = $3) ORDER BY start_at, id"},
    {"passes_page", "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = $1 AND id > $2"
                    " ORDER BY id LIMIT $3"},
    /* The pass rules' reads in a pass's transaction (see sqlite.c), and the clock's: a due
     * pass another server's clock holds is skipped, so each is written once. */
    {"lock_school", "SELECT id FROM schools WHERE id = $1 FOR UPDATE"},
    {"active_school", "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2},
    {"student_counted",
     "SELECT count(*) FROM passes WHERE school_id = $1 AND student_id = $2"
     " AND local_day BETWEEN $3 AND $4 AND type = 'now' AND NOT cancelled AND NOT limit_exempt"},
    {"student_last_end",
     "SELECT max(CASE WHEN end_at IS NOT NULL THEN least(end_at, auto_end_at)"
     " WHEN auto_end_at <= $4 THEN auto_end_at END) FROM passes"
     " WHERE school_id = $1 AND student_id = $2 AND local_day >= $3 AND NOT cancelled"
     " AND start_at <= $4"},
    {"passes_due", "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = $1"
                   " AND end_at IS NULL AND NOT cancelled AND auto_end_at <= $2"
                   " ORDER BY auto_end_at, id LIMIT $3 FOR UPDATE SKIP LOCKED"},
    {"pass_reopen", "UPDATE passes SET end_at = NULL WHERE school_id = $1 AND id = $2"},
    /* Encounter groups (see sqlite.c). The lock takes the student's active groups' rows in id
     * order; the read after it sees what a creator that held them committed. Another
     * student's outstanding offer from the line counts as well as an active pass. */
    {"groups_list", "SELECT id, name, active FROM encounter_groups WHERE school_id = $1"
                    " ORDER BY id"},
    {"group_members_list", "SELECT group_id, student_id FROM encounter_members"
                           " WHERE school_id = $1 ORDER BY group_id, student_id"},
    {"group_insert", "INSERT INTO encounter_groups(school_id, name, active) VALUES ($1, $2, $3)"
                     " RETURNING id"},
    {"group_update", "UPDATE encounter_groups SET name = $2, active = $3"
                     " WHERE school_id = $1 AND id = $4 RETURNING id"},
    {"group_members_clear", "DELETE FROM encounter_members WHERE school_id = $1 AND group_id = $2"},
    {"group_member_add", "INSERT INTO encounter_members(school_id, group_id, student_id)"
                         " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"},
    {"group_delete", "DELETE FROM encounter_groups WHERE school_id = $1 AND id = $2 RETURNING id"},
    {"groups_lock", "SELECT g.id FROM encounter_groups g JOIN encounter_members m"
                    " ON m.school_id = g.school_id AND m.group_id = g.id"
                    " WHERE m.school_id = $1 AND m.student_id = $2 AND g.active"
                    " ORDER BY g.id FOR UPDATE OF g"},
    {"group_encounter",
     "SELECT g.id, g.name FROM encounter_members m JOIN encounter_groups g"
     " ON g.school_id = m.school_id AND g.id = m.group_id"
     " WHERE m.school_id = $1 AND m.student_id = $3 AND g.active"
     " AND (EXISTS (SELECT 1 FROM encounter_members o JOIN passes p"
     "  ON p.school_id = o.school_id AND p.student_id = o.student_id"
     "  AND p.end_at IS NULL AND NOT p.cancelled AND p.start_at <= $2 AND p.auto_end_at > $2"
     "  WHERE o.school_id = $1 AND o.group_id = g.id AND o.student_id <> $3)"
     " OR EXISTS (SELECT 1 FROM encounter_members o JOIN line_entries l"
     "  ON l.school_id = o.school_id AND l.student_id = o.student_id"
     "  AND l.state = 'offered' AND l.offer_expires > $2"
     "  WHERE o.school_id = $1 AND o.group_id = g.id AND o.student_id <> $3))"
     " ORDER BY g.id LIMIT 1"},
    {"group_prevented_add", "INSERT INTO encounter_prevented(school_id, group_id, group_name,"
                            " student_id, at, source, local_day)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7)"},
    {"group_prevented_count", "SELECT count(*) FROM encounter_prevented WHERE school_id = $1"},
    {"group_override_add", "INSERT INTO encounter_overridden(school_id, pass_id, group_id,"
                           " local_day) VALUES ($1, $2, $3, $4)"},
    {"group_override_days", "SELECT group_id, local_day, count(*) FROM encounter_overridden"
                            " WHERE school_id = $1 GROUP BY group_id, local_day"},
    {"line_wait_days", "SELECT p.destination_id, p.local_day, count(*),"
                       " sum(p.start_at - l.joined) FROM line_entries l"
                       " JOIN passes p ON p.school_id = l.school_id AND p.id = l.pass_id"
                       " WHERE l.school_id = $1 AND l.state = 'started'"
                       " GROUP BY p.destination_id, p.local_day"},
    {"group_prevented_days", "SELECT group_id, local_day, count(*) FROM encounter_prevented"
                             " WHERE school_id = $1 GROUP BY group_id, local_day"},
    /* No-pass times (see sqlite.c). */
    {"lock_school_shared", "SELECT id FROM schools WHERE id = $1 FOR SHARE"},
    {"schedule_whole", "SELECT " SCHEDULE_COLUMNS " FROM bell_schedule WHERE school_id = $1"
                       " ORDER BY position"},
    {"schedule_day", "SELECT " SCHEDULE_COLUMNS " FROM bell_schedule WHERE school_id = $1"
                     " AND ((weekday = $2 AND day = 0) OR (weekday = 0 AND day = $3))"
                     " ORDER BY position"},
    {"schedule_clear", "DELETE FROM bell_schedule WHERE school_id = $1"},
    {"schedule_insert", "INSERT INTO bell_schedule(school_id, position, weekday, day, period,"
                        " start_minute, end_minute) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
    {"blackouts_list", "SELECT " BLACKOUT_COLUMNS " FROM blackouts b LEFT JOIN users u"
                       " ON u.school_id = b.school_id AND u.id = b.created_by"
                       " WHERE b.school_id = $1 ORDER BY b.start_at, b.id"},
    {"blackout_at", "SELECT " BLACKOUT_COLUMNS " FROM blackouts b LEFT JOIN users u"
                    " ON u.school_id = b.school_id AND u.id = b.created_by"
                    " WHERE b.school_id = $1 AND coalesce(b.end_at, " HP_SQL_NO_END ") > $2"
                    " AND b.start_at <= $2"
                    " ORDER BY b.end_at IS NOT NULL, b.end_at DESC, b.id LIMIT 1"},
    {"blackout_insert", "INSERT INTO blackouts(school_id, start_at, end_at, reason, created_by,"
                        " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"},
    {"blackout_delete", "DELETE FROM blackouts WHERE school_id = $1 AND id = $2"},
    /* Share links (see sqlite.c). */
    {"share_insert", "INSERT INTO shares(school_id, report, from_date, to_date, created_by,"
                     " created_at, expires_at, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                     " RETURNING id"},
    {"share_find", SHARE_SELECT " WHERE s.token_hash = $1"},
    {"share_get", SHARE_SELECT " WHERE s.school_id = $1 AND s.id = $2"},
    {"shares_active",
     SHARE_SELECT " WHERE s.school_id = $1 AND s.expires_at > $2"
                  " AND s.revoked_at IS NULL ORDER BY s.created_at DESC, s.id DESC"},
    {"share_revoke", "UPDATE shares SET revoked_at = $3"
                     " WHERE school_id = $1 AND id = $2 AND revoked_at IS NULL"},
    /* The waiting line (see sqlite.c). An entry read to be changed is locked alone. */
    {"line_insert", "INSERT INTO line_entries(school_id, student_id, origin_id, destination_id,"
                    " creator_id, source, joined, local_day, state)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting') RETURNING id"},
    {"line_get", "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = $1"
                 " AND l.id = $2 FOR UPDATE OF l"},
    {"line_in_line", "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = $1"
                     " AND ((l.state = 'waiting' AND l.local_day = $3) OR (l.state = 'offered'"
                     " AND (l.offer_expires > $2 OR (l.lapses = 0 AND l.local_day = $3))))"
                     " AND ($4 = 0 OR l.student_id = $4) ORDER BY l.joined, l.id LIMIT $5"},
    {"line_open", "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = $1"
                  " AND l.state IN ('waiting', 'offered') AND $2::bigint = $2"
                  " AND $3::integer = $3 AND ($4 = 0 OR l.student_id = $4)"
                  " ORDER BY l.joined, l.id LIMIT $5"},
    {"line_all", "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = $1"
                 " AND $2::bigint = $2 AND $3::integer = $3 AND ($4 = 0 OR l.student_id = $4)"
                 " ORDER BY l.joined, l.id LIMIT $5"},
    {"line_update", "UPDATE line_entries SET state = $3, offered_at = $4, offer_expires = $5,"
                    " lapses = $6, pass_id = $7, ended_at = $8 WHERE school_id = $1 AND id = $2"},
    {"line_offers_from",
     "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2 " AND origin_id = $4"},
    {"line_offers_to",
     "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2 " AND destination_id = $4"},
    {"line_offers_student",
     "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2 " AND student_id = $4"},
    {"line_offers_school", "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2},
    {"line_remove_student", "UPDATE line_entries SET state = 'removed', ended_at = $3"
                            " WHERE school_id = $1 AND student_id = $2"
                            " AND state IN ('waiting', 'offered')"},
    {"line_walk_try", "SELECT pg_try_advisory_xact_lock($2::integer, $1::integer)"},
    {"line_lock_rooms", "SELECT id FROM rooms WHERE school_id = $1 AND id = ANY($2::bigint[])"
                        " ORDER BY id FOR UPDATE"},
    {"line_lock_students", "SELECT id FROM users WHERE school_id = $1"
                           " AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE"},
    {"line_lock_groups", "SELECT g.id FROM encounter_groups g JOIN encounter_members m"
                         " ON m.school_id = g.school_id AND m.group_id = g.id"
                         " WHERE m.school_id = $1 AND m.student_id = ANY($2::bigint[])"
                         " AND g.active ORDER BY g.id FOR UPDATE OF g"},
    /* The pass rules. */
    {"settings_read", "SELECT key, value FROM settings WHERE school_id = $1 ORDER BY key"},
    {"setting_put", "INSERT INTO settings(school_id, key, value) VALUES ($1, $2, $3)"
                    " ON CONFLICT (school_id, key) DO UPDATE SET value = excluded.value"
                    " WHERE settings.value IS DISTINCT FROM excluded.value"},
    {"setting_delete", "DELETE FROM settings WHERE school_id = $1 AND key = $2"},
    {"room_rules_put", "UPDATE rooms SET time_limit_minutes = $3, counts_toward_limit = $4"
                       " WHERE school_id = $1 AND id = $2"
                       " AND (time_limit_minutes IS DISTINCT FROM $3::integer"
                       " OR counts_toward_limit IS DISTINCT FROM $4::boolean)"},
    {"user_rules_put", "UPDATE users SET max_passes_per_day = $3 WHERE school_id = $1 AND id = $2"
                       " AND max_passes_per_day IS DISTINCT FROM $3::integer"},
    /* Refusals (see sqlite.c). */
    {"refusal_add", "INSERT INTO refusals(school_id, rule, student_id, origin_id, destination_id,"
                    " source, at, local_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"},
    {"refusal_sums", "SELECT rule, student_id, origin_id, destination_id, local_day, count(*)"
                     " FROM refusals WHERE school_id = $1"
                     " GROUP BY rule, student_id, origin_id, destination_id, local_day"},
    {"refusals_unrecorded", "SELECT max(through_day) FROM refusals_unrecorded"
                            " WHERE school_id = $1"},
    {"counters_unbuilt_next", "SELECT min(school_id) FROM counters_unbuilt"},
    {"counters_unbuilt_take", "DELETE FROM counters_unbuilt WHERE school_id = $1"},
    /* Retention (see sqlite.c). */
    {"purged_before", "SELECT max(before_day) FROM purged WHERE school_id = $1"},
    {"counts_removed_add", "INSERT INTO counts_removed(school_id, kind, bucket, id, a, b, c, d)"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                           " ON CONFLICT (school_id, kind, bucket, id) DO UPDATE SET"
                           " a = counts_removed.a + excluded.a, b = counts_removed.b + excluded.b,"
                           " c = counts_removed.c + excluded.c, d = counts_removed.d + excluded.d"},
    {"counts_removed_read", "SELECT kind, bucket, id, a, b, c, d FROM counts_removed"
                            " WHERE school_id = $1"},
    {"student_refusals", "SELECT rule, student_id, origin_id, destination_id, source, at,"
                         " local_day FROM refusals WHERE school_id = $1 AND student_id = $2"
                         " ORDER BY at, id"},
    /* Roster ids of users. */
    {"user_sources_list", "SELECT id, source_id FROM users"
                          " WHERE school_id = $1 AND source_id IS NOT NULL ORDER BY id"},
    {"user_source_put", "UPDATE users SET source_id = $3 WHERE school_id = $1 AND id = $2"
                        " AND source_id IS DISTINCT FROM $3::text"},
};

#define STATEMENT_COUNT HP_ARRAY_SIZE(statements)

/* The most parameters one statement may take in PostgreSQL's protocol (a 16-bit count). */
#define PROTOCOL_PARAMS_MAX 65535
_Static_assert(HP_IMPORT_BATCH *HP_PG_PASS_PARAMS <= PROTOCOL_PARAMS_MAX,
               "a batch of imported passes fits in one statement");

typedef struct {
    hp_store base;
    PGconn *conn;
    /* Between a BEGIN that succeeded and its COMMIT or ROLLBACK: kept here, never guessed
     * from the text of a statement. */
    bool in_transaction;
    bool needs_reset; /* A new connection failed its set-up: open another before use. */
} pg_store;

static pg_store *from_base(hp_store *store)
{
    return (pg_store *)store;
}

typedef hp_pg_params params;
#define param_int hp_pg_param_int
#define param_text hp_pg_param_text
#define param_id hp_pg_param_id
#define param_limit hp_pg_param_id /* A room limit: NULL for 0, no limit. */
#define param_bool hp_pg_param_bool
#define param_bytes hp_pg_param_bytes
#define params_release hp_pg_params_release

/* The database's message for a failed result, which it frees. A unique key taken is a bare
 * HP_EEXISTS: store.c names what exists. */
static int result_error(PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, SQLSTATE_UNIQUE_VIOLATION) == 0) {
        PQclear(res);
        return HP_EEXISTS;
    }
    char message[HP_ERROR_MAX];
    g_strlcpy(message, res ? PQresultErrorMessage(res) : "no answer", sizeof(message));
    g_strchomp(message);
    if (res)
        PQclear(res);
    return hp_error_set(HP_ESTORE, "PostgreSQL: %s: %s", what, message);
}

/* Prepares every statement on this connection: when it is opened, and again on a connection
 * opened anew after it was lost (prepared statements live as long as their connection). */
static int prepare_all(pg_store *s)
{
    for (size_t i = 0; i < STATEMENT_COUNT; i++) {
        PGresult *res = PQprepare(s->conn, statements[i].name, statements[i].sql, 0, NULL);
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
            return result_error(res, "preparing a statement");
        PQclear(res);
    }
    return HP_OK;
}

/* Settings every connection starts with: notices below warnings stay out of the log. */
static int set_up_connection(pg_store *s)
{
    PGresult *res = PQexec(s->conn, "SET client_min_messages = warning");
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        return result_error(res, "setting up the connection");
    PQclear(res);
    return HP_OK;
}

/* A server's connection outlives a database restart: a lost connection is opened again
 * (outside a transaction, where nothing is lost by it) and its statements prepared anew. A
 * connection that cannot be opened or prepared again is an error for this call, and the next
 * call tries again. */
static int reconnect_if_lost(pg_store *s)
{
    if (PQstatus(s->conn) != CONNECTION_BAD && !s->needs_reset)
        return HP_OK;
    /* Inside a transaction a new connection would run the rest outside it: fail instead. */
    if (s->in_transaction)
        return hp_error_set(HP_ESTORE, "PostgreSQL: the connection was lost in a transaction");
    PQreset(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char message[HP_ERROR_MAX];
        g_strlcpy(message, PQerrorMessage(s->conn), sizeof(message));
        g_strchomp(message);
        return hp_error_set(HP_ESTORE, "PostgreSQL: the connection was lost: %s", message);
    }
    int rc = set_up_connection(s);
    if (rc == HP_OK)
        rc = prepare_all(s);
    /* Half prepared, the connection would fail each statement it lacks: open it afresh on
     * the next call instead. */
    s->needs_reset = rc < 0;
    if (rc < 0)
        hp_error_prefix(rc, "PostgreSQL: the connection was opened again but cannot be used");
    return rc;
}

/* A connection found dead by the statement just sent, outside a transaction. libpq learns of a
 * lost connection only when it next uses it, so the first statement after a database restart
 * fails this way; the server never ran it (it had closed the connection before), and it is
 * sent again on a new connection. Inside a transaction that would run the rest outside it:
 * the transaction fails instead. */
static bool lost_between_transactions(pg_store *s)
{
    return !s->in_transaction && PQstatus(s->conn) == CONNECTION_BAD;
}

/* Tries of a statement: the first, and one more on a new connection (see above). */
#define CONNECTION_ATTEMPTS 2

/* Runs the prepared statement `name`, or with name NULL the text sql; NULL on failure, with
 * the error in *rc. The parameters are released either way. */
static PGresult *run_query(pg_store *s, const char *name, const char *sql, params *p,
                           const char *what, int *rc)
{
    if (p && p->overflow) {
        params_release(p);
        *rc = hp_error_set(HP_ERROR, "%s: more than %d parameters", what, HP_PG_PARAMS_MAX);
        return NULL;
    }
    int n = p ? p->count : 0;
    const char *const *values = p ? p->values : NULL;
    PGresult *res = NULL;
    for (int attempt = 1;; attempt++) {
        if ((*rc = reconnect_if_lost(s)) < 0)
            break;
        res = name ? PQexecPrepared(s->conn, name, n, values, NULL, NULL, 0)
                   : PQexecParams(s->conn, sql, n, NULL, values, NULL, NULL, 0);
        ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            *rc = HP_OK;
            break;
        }
        if (attempt < CONNECTION_ATTEMPTS && lost_between_transactions(s)) {
            PQclear(res);
            res = NULL;
            continue;
        }
        *rc = result_error(res, what);
        res = NULL;
        break;
    }
    if (p)
        params_release(p);
    return res;
}

static PGresult *run(pg_store *s, const char *name, params *p, const char *what, int *rc)
{
    return run_query(s, name, NULL, p, what, rc);
}

static int run_command(pg_store *s, const char *name, params *p, const char *what)
{
    int rc;
    PGresult *res = run(s, name, p, what, &rc);
    if (res)
        PQclear(res);
    return rc;
}

static int exec(pg_store *s, const char *sql, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return result_error(res, what);
    PQclear(res);
    return HP_OK;
}

static int64_t get_int(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : g_ascii_strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static char *get_text(PGresult *res, int row, int col)
{
    return g_strdup(PQgetvalue(res, row, col));
}

static char *get_text_or_null(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : get_text(res, row, col);
}

static void pg_free(hp_store *store)
{
    pg_store *s = from_base(store);
    if (s->conn)
        PQfinish(s->conn);
    g_free(s);
}

/* A lost connection is opened again here, between transactions, where nothing is lost. */
static int pg_begin(hp_store *store)
{
    pg_store *s = from_base(store);
    int rc = HP_OK;
    for (int attempt = 1; attempt <= CONNECTION_ATTEMPTS; attempt++) {
        if ((rc = reconnect_if_lost(s)) < 0)
            break;
        PGresult *res = PQexec(s->conn, "BEGIN");
        if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
            rc = HP_OK;
            break;
        }
        if (attempt < CONNECTION_ATTEMPTS && lost_between_transactions(s)) {
            PQclear(res);
            continue;
        }
        rc = result_error(res, "starting a transaction");
        break;
    }
    s->in_transaction = rc == HP_OK;
    return rc;
}

/* A failed COMMIT ends the transaction too (the server rolls it back). */
static int pg_commit(hp_store *store)
{
    pg_store *s = from_base(store);
    int rc = exec(s, "COMMIT", "committing");
    s->in_transaction = false;
    return rc;
}

static void pg_rollback(hp_store *store)
{
    pg_store *s = from_base(store);
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    s->in_transaction = false;
}

static int schema_version(pg_store *s)
{
    PGresult *res = PQexec(s->conn, "SELECT max(version) FROM schema_version");
    int version = -1;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
        version = (int)get_int(res, 0, 0);
    PQclear(res);
    return version;
}

static int pg_schema_version(hp_store *store)
{
    return schema_version(from_base(store));
}

/* SELECT 1, on a connection opened again when lost; libpq learns of a lost connection only
 * when it next uses it, so a failure that finds it lost tries once more on a new one. */
static int pg_ping(hp_store *store)
{
    pg_store *s = from_base(store);
    int rc = HP_OK;
    for (int attempt = 1; attempt <= CONNECTION_ATTEMPTS; attempt++) {
        if ((rc = reconnect_if_lost(s)) < 0)
            return rc;
        if ((rc = exec(s, "SELECT 1", "a health check")) == HP_OK || !lost_between_transactions(s))
            return rc;
    }
    return rc;
}

/* Brings the schema to the newest version. An advisory lock keeps several servers starting at
 * once from migrating together. */
static int migrate(pg_store *s)
{
    int rc;
    char lock[64], unlock[64];
    snprintf(lock, sizeof(lock), "SELECT pg_advisory_lock(%d)", MIGRATION_LOCK_KEY);
    snprintf(unlock, sizeof(unlock), "SELECT pg_advisory_unlock(%d)", MIGRATION_LOCK_KEY);
    if ((rc = exec(s, lock, "locking for migrations")) < 0)
        return rc;
    rc = exec(s, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)",
              "creating the schema version");
    int version = rc == HP_OK ? schema_version(s) : -1;
    if (rc == HP_OK && version > MIGRATION_COUNT)
        rc = hp_store_schema_too_new("PostgreSQL", version, MIGRATION_COUNT);
    for (int v = version; rc == HP_OK && v < MIGRATION_COUNT; v++) {
        char record[96];
        snprintf(record, sizeof(record), "INSERT INTO schema_version VALUES (%d)", v + 1);
        if ((rc = pg_begin(&s->base)) < 0)
            break;
        if ((rc = exec(s, migrations[v], "migrating the schema")) < 0 ||
            (rc = exec(s, record, "migrating the schema")) < 0) {
            pg_rollback(&s->base);
            break;
        }
        rc = pg_commit(&s->base);
    }
    /* The lock ends with the session anyway; failing to release it early harms no one. */
    PQclear(PQexec(s->conn, unlock));
    return rc;
}

static int pg_school_create(hp_store *store, const char *name, const char *zone, int64_t *id_out)
{
    params p = {0};
    int rc;
    param_text(&p, name);
    param_text(&p, zone);
    PGresult *res = run(from_base(store), "school_insert", &p, "creating the school", &rc);
    if (res == NULL)
        return rc;
    *id_out = get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static int pg_schools_list(hp_store *store, hp_school **out, size_t *count_out)
{
    int rc;
    PGresult *res = run(from_base(store), "schools_list", NULL, "listing schools", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_school *schools = g_new0(hp_school, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        schools[i].id = get_int(res, i, 0);
        schools[i].name = get_text(res, i, 1);
        schools[i].timezone = get_text(res, i, 2);
    }
    PQclear(res);
    *out = schools;
    *count_out = (size_t)n;
    return HP_OK;
}

static void read_room(PGresult *res, int row, hp_room *room)
{
    room->id = get_int(res, row, 0);
    room->name = get_text(res, row, 1);
    room->folder = get_text(res, row, 2);
    room->max_from = (int)get_int(res, row, 3);
    room->max_to = (int)get_int(res, row, 4);
    room->time_limit_minutes = (int)get_int(res, row, 5);
    room->counts_toward_limit = PQgetvalue(res, row, 6)[0] == 't';
}

static void read_user(PGresult *res, int row, hp_user *user)
{
    user->id = get_int(res, row, 0);
    user->name = get_text(res, row, 1);
    user->email = get_text(res, row, 2);
    hp_role_parse(PQgetvalue(res, row, 3), &user->role);
    user->room_id = get_int(res, row, 4);
    user->student_id = get_text_or_null(res, row, 5);
    user->max_passes_per_day = PQgetisnull(res, row, 6) ? 0 : (int)get_int(res, row, 6);
    user->active = PQgetvalue(res, row, 7)[0] == 't';
}

/* Every row of a user query into a new array. */
static int read_users(pg_store *s, const char *name, params *p, const char *what, hp_user **out,
                      size_t *count_out)
{
    int rc;
    PGresult *res = run(s, name, p, what, &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_user *users = g_new0(hp_user, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        read_user(res, i, &users[i]);
    PQclear(res);
    *out = users;
    *count_out = (size_t)n;
    return HP_OK;
}

/* Runs a statement expected to give at most one row, and reads it; HP_ENOTFOUND when none. */
static int one_row(pg_store *s, const char *name, params *p, const char *what, PGresult **out)
{
    int rc;
    PGresult *res = run(s, name, p, what, &rc);
    if (res == NULL)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return HP_ENOTFOUND;
    }
    *out = res;
    return HP_OK;
}

static int pg_room_find(hp_store *store, int64_t school_id, const char *name, hp_room *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_text(&p, name);
    int rc = one_row(from_base(store), "room_find", &p, "finding a room", &res);
    if (rc < 0)
        return rc;
    read_room(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pg_room_get(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_int(&p, room_id);
    int rc = one_row(from_base(store), "room_get", &p, "reading a room", &res);
    if (rc < 0)
        return rc;
    read_room(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pg_room_put(hp_store *store, int64_t school_id, hp_room *room, bool *changed)
{
    params p = {0};
    int rc;
    bool insert = room->id == 0;
    param_int(&p, school_id);
    param_text(&p, room->name);
    param_text(&p, room->folder ? room->folder : "");
    param_limit(&p, room->max_from);
    param_limit(&p, room->max_to);
    if (!insert)
        param_int(&p, room->id);
    PGresult *res =
        run(from_base(store), insert ? "room_insert" : "room_update", &p, "saving a room", &rc);
    if (res == NULL)
        return rc;
    if (insert)
        room->id = get_int(res, 0, 0);
    *changed = insert || g_ascii_strtoll(PQcmdTuples(res), NULL, 10) > 0;
    PQclear(res);
    return HP_OK;
}

static int pg_rooms_list(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), "rooms_list", &p, "listing rooms", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_room *rooms = g_new0(hp_room, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        read_room(res, i, &rooms[i]);
    PQclear(res);
    *out = rooms;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_user_find(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                        char **password_hash_out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_text(&p, email);
    int rc = one_row(from_base(store), "user_find", &p, "finding a user", &res);
    if (rc < 0)
        return rc;
    read_user(res, 0, out);
    if (password_hash_out)
        *password_hash_out = get_text_or_null(res, 0, 8);
    PQclear(res);
    return HP_OK;
}

static int pg_user_find_student_id(hp_store *store, int64_t school_id, const char *student_id,
                                   hp_user *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_text(&p, student_id);
    int rc = one_row(from_base(store), "user_find_student_id", &p, "finding a student", &res);
    if (rc < 0)
        return rc;
    read_user(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pg_user_get(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_int(&p, user_id);
    int rc = one_row(from_base(store), "user_get", &p, "reading a user", &res);
    if (rc < 0)
        return rc;
    read_user(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pg_user_put(hp_store *store, int64_t school_id, hp_user *user, const char *password_hash,
                       bool *changed)
{
    params p = {0};
    int rc;
    bool insert = user->id == 0;
    param_int(&p, school_id);
    param_text(&p, user->name);
    param_text(&p, user->email);
    param_text(&p, hp_role_name(user->role));
    param_id(&p, user->room_id);
    param_text(&p, password_hash);
    param_text(&p, user->student_id);
    if (!insert)
        param_int(&p, user->id);
    PGresult *res =
        run(from_base(store), insert ? "user_insert" : "user_update", &p, "saving a user", &rc);
    if (res == NULL)
        return rc;
    if (insert)
        user->id = get_int(res, 0, 0);
    *changed = insert || g_ascii_strtoll(PQcmdTuples(res), NULL, 10) > 0;
    PQclear(res);
    return HP_OK;
}

static int pg_users_list(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                         size_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    return read_users(from_base(store), staff_only ? "staff_list" : "users_list", &p,
                      "listing users", out, count_out);
}

static int pg_users_search(hp_store *store, int64_t school_id, const char *pattern,
                           const char *role, int active, size_t limit, hp_user **out,
                           size_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_text(&p, pattern);
    param_int(&p, (int64_t)limit);
    param_text(&p, role);
    param_text(&p, active < 0 ? NULL : active ? "true" : "false");
    return read_users(from_base(store), "users_search", &p, "searching users", out, count_out);
}

/* Many passes in one INSERT: a batch costs one round trip. RETURNING names the rows that went
 * in; the others had an ext_id already stored, or an earlier twin in the batch. */
static int pg_passes_import(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                            bool *inserted)
{
    pg_store *s = from_base(store);
    int rc = reconnect_if_lost(s);
    if (rc < 0)
        return rc;
    GString *sql = g_string_new("INSERT INTO passes(" HP_PG_PASS_COLUMNS ") VALUES ");
    hp_pg_params *rows = g_new0(hp_pg_params, count);
    const char **values = g_new(const char *, count *HP_PG_PASS_PARAMS);

    for (size_t i = 0; i < count; i++) {
        hp_pg_params_pass(&rows[i], school_id, &passes[i], passes[i].ext_id);
        memcpy(&values[i * HP_PG_PASS_PARAMS], rows[i].values,
               sizeof(rows[i].values[0]) * HP_PG_PASS_PARAMS);
        g_string_append(sql, i ? ", (" : "(");
        for (size_t k = 1; k <= HP_PG_PASS_PARAMS; k++)
            g_string_append_printf(sql, "%s$%zu", k > 1 ? ", " : "", i * HP_PG_PASS_PARAMS + k);
        g_string_append_c(sql, ')');
        inserted[i] = false;
    }
    g_string_append(sql, " ON CONFLICT (school_id, ext_id) DO NOTHING RETURNING id, ext_id");

    PGresult *res = PQexecParams(s->conn, sql->str, (int)(count * HP_PG_PASS_PARAMS), NULL, values,
                                 NULL, NULL, 0);
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = result_error(res, "saving passes");
    } else {
        /* The first pass with each ext_id is the one that went in. A pass with none (one
         * created live, being copied) never conflicts: its row comes back with a NULL ext_id,
         * in the order of the VALUES, as PostgreSQL returns the rows of one INSERT. */
        GHashTable *first = g_hash_table_new(g_str_hash, g_str_equal);
        for (size_t i = count; i-- > 0;)
            if (passes[i].ext_id)
                g_hash_table_insert(first, passes[i].ext_id, GSIZE_TO_POINTER(i + 1));
        size_t next_live = 0;
        for (int r = 0; r < PQntuples(res); r++) {
            size_t i = 0;
            if (PQgetisnull(res, r, 1)) {
                while (next_live < count && passes[next_live].ext_id)
                    next_live++;
                i = next_live < count ? ++next_live : 0;
            } else {
                i = GPOINTER_TO_SIZE(g_hash_table_lookup(first, PQgetvalue(res, r, 1)));
            }
            if (i > 0) {
                inserted[i - 1] = true;
                passes[i - 1].id = get_int(res, r, 0);
            }
        }
        g_hash_table_destroy(first);
        PQclear(res);
    }
    g_string_free(sql, TRUE);
    g_free(values);
    for (size_t i = 0; i < count; i++)
        hp_pg_params_release(&rows[i]);
    g_free(rows);
    return rc;
}

/* The statements name the value columns a, b, c and d. */
_Static_assert(HP_COUNTER_VALUES == 4, "usage_counts holds four values per counter");

/* The columns of counts_add after school_id: kind, period, bucket, subject, the values. */
#define COUNTS_ADD_ARRAYS (4 + HP_COUNTER_VALUES)

/* Adds counters through arrays: all of them in one statement. */
static int pg_counts_write(hp_store *store, int64_t school_id, const hp_counter *counters,
                           size_t count)
{
    GString *col[COUNTS_ADD_ARRAYS];
    for (int c = 0; c < COUNTS_ADD_ARRAYS; c++)
        col[c] = g_string_new("{");
    for (size_t i = 0; i < count; i++) {
        const hp_counter *c = &counters[i];
        const char *sep = i ? "," : "";
        g_string_append_printf(col[0], "%s%d", sep, (int)c->key.kind);
        g_string_append_printf(col[1], "%s%d", sep, (int)c->key.period);
        g_string_append_printf(col[2], "%s%d", sep, c->key.bucket);
        g_string_append_printf(col[3], "%s%" PRId64, sep, c->key.subject);
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            g_string_append_printf(col[4 + v], "%s%" PRId64, sep, c->values[v]);
    }
    params p = {0};
    param_int(&p, school_id);
    for (int c = 0; c < COUNTS_ADD_ARRAYS; c++) {
        g_string_append_c(col[c], '}');
        param_text(&p, col[c]->str);
    }
    int rc = run_command(from_base(store), "counts_add", &p, "updating report counters");
    for (int c = 0; c < COUNTS_ADD_ARRAYS; c++)
        g_string_free(col[c], TRUE);
    return rc;
}

static int pg_counts_each(hp_store *store, int64_t school_id, hp_counter_kind kind,
                          hp_counter_period period, int32_t from, int32_t to,
                          const hp_subject_range *subjects, hp_counter_visit visit, void *data)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, kind);
    param_int(&p, period);
    param_int(&p, from);
    param_int(&p, to);
    param_int(&p, subjects->from);
    param_int(&p, subjects->to);
    PGresult *res = run(from_base(store), "counts_read", &p, "reading report counters", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        hp_counter c = {.key = {kind, period, (int32_t)get_int(res, i, 1), get_int(res, i, 0)}};
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            c.values[v] = get_int(res, i, 2 + v);
        visit(&c, data);
    }
    PQclear(res);
    return HP_OK;
}

static int pg_pass_count(hp_store *store, int64_t school_id, int64_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), "pass_count", &p, "counting passes", &rc);
    if (res == NULL)
        return rc;
    *count_out = get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static int pg_session_create(hp_store *store, const unsigned char *token_hash,
                             const hp_session *session)
{
    params p = {0};
    param_bytes(&p, token_hash, HP_TOKEN_HASH_BYTES);
    param_int(&p, session->school_id);
    param_int(&p, session->user_id);
    param_id(&p, session->kiosk_room_id);
    param_int(&p, session->created_at);
    param_int(&p, session->last_seen);
    return run_command(from_base(store), "session_insert", &p, "creating a session");
}

static int pg_session_get(hp_store *store, const unsigned char *token_hash, hp_session *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_bytes(&p, token_hash, HP_TOKEN_HASH_BYTES);
    int rc = one_row(from_base(store), "session_get", &p, "reading a session", &res);
    if (rc < 0)
        return rc;
    out->school_id = get_int(res, 0, 0);
    out->user_id = get_int(res, 0, 1);
    out->kiosk_room_id = get_int(res, 0, 2);
    out->created_at = get_int(res, 0, 3);
    out->last_seen = get_int(res, 0, 4);
    PQclear(res);
    return HP_OK;
}

static int session_update(hp_store *store, const char *name, const unsigned char *token_hash,
                          const int64_t *value, const char *what)
{
    params p = {0};
    param_bytes(&p, token_hash, HP_TOKEN_HASH_BYTES);
    if (value)
        param_id(&p, *value);
    return run_command(from_base(store), name, &p, what);
}

static int pg_session_touch(hp_store *store, const unsigned char *token_hash, int64_t now)
{
    return session_update(store, "session_touch", token_hash, &now, "updating a session");
}

static int pg_session_set_kiosk(hp_store *store, const unsigned char *token_hash,
                                int64_t kiosk_room_id)
{
    return session_update(store, "session_kiosk", token_hash, &kiosk_room_id, "updating a session");
}

static int pg_session_delete(hp_store *store, const unsigned char *token_hash)
{
    return session_update(store, "session_delete", token_hash, NULL, "ending a session");
}

static int pg_sessions_expire(hp_store *store, int64_t seen_before, int64_t created_before)
{
    params p = {0};
    param_int(&p, seen_before);
    param_int(&p, created_before);
    return run_command(from_base(store), "sessions_expire", &p, "expiring sessions");
}

static int pg_sessions_delete_user(hp_store *store, int64_t school_id, int64_t user_id)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, user_id);
    return run_command(from_base(store), "sessions_delete_user", &p, "ending the user's sessions");
}

static int pg_logins_find(hp_store *store, const char *email, hp_login **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_text(&p, email);
    PGresult *res = run(from_base(store), "logins_find", &p, "finding a user", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_login *logins = g_new0(hp_login, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        read_user(res, i, &logins[i].user);
        logins[i].password_hash = get_text_or_null(res, i, 8);
        logins[i].school_id = get_int(res, i, 9);
    }
    PQclear(res);
    *out = logins;
    *count_out = (size_t)n;
    return HP_OK;
}

/* Locks the pass's rooms in id order, then its student: every creator takes the locks in
 * the same order, so two never wait on each other. */
static int pg_passes_lock(hp_store *store, int64_t school_id, int64_t student_id, int64_t origin_id,
                          int64_t destination_id)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, origin_id);
    param_int(&p, destination_id);
    if ((rc = run_command(from_base(store), "lock_rooms", &p, "locking rooms")) < 0)
        return rc;
    params q = {0};
    param_int(&q, school_id);
    param_int(&q, student_id);
    return run_command(from_base(store), "lock_student", &q, "locking a student");
}

static int pg_active_count(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                           int64_t now, int64_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, now);
    if (kind != HP_ACTIVE_IN_SCHOOL)
        param_int(&p, id);
    const char *name = kind == HP_ACTIVE_FROM_ROOM   ? "active_from"
                       : kind == HP_ACTIVE_TO_ROOM   ? "active_to"
                       : kind == HP_ACTIVE_IN_SCHOOL ? "active_school"
                                                     : "active_student";
    PGresult *res = run(from_base(store), name, &p, "counting active passes", &rc);
    if (res == NULL)
        return rc;
    *count_out = get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static int pg_pass_insert(hp_store *store, int64_t school_id, hp_pass *pass)
{
    params p = {0};
    int rc;
    hp_pg_params_pass(&p, school_id, pass, NULL);
    PGresult *res = run(from_base(store), "pass_insert", &p, "saving a pass", &rc);
    if (res == NULL)
        return rc;
    pass->id = get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static void read_pass(PGresult *res, int row, hp_pass *pass)
{
    pass->id = get_int(res, row, 0);
    pass->ext_id = get_text_or_null(res, row, 1);
    pass->student_id = get_int(res, row, 2);
    pass->origin_id = get_int(res, row, 3);
    pass->destination_id = get_int(res, row, 4);
    pass->creator_id = get_int(res, row, 5);
    hp_source_parse(PQgetvalue(res, row, 6), &pass->source);
    hp_pass_type_parse(PQgetvalue(res, row, 7), &pass->type);
    pass->start = get_int(res, row, 8);
    pass->has_end = !PQgetisnull(res, row, 9);
    pass->end = get_int(res, row, 9);
    pass->cancelled = PQgetvalue(res, row, 10)[0] == 't';
    pass->local_day = (int32_t)get_int(res, row, 11);
    pass->time_limit_minutes = PQgetisnull(res, row, 12) ? 0 : (int)get_int(res, row, 12);
    pass->auto_end_at = get_int(res, row, 13);
    pass->overrides = (unsigned)get_int(res, row, 14);
    pass->limit_exempt = PQgetvalue(res, row, 15)[0] == 't';
}

static int pg_pass_get(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_int(&p, pass_id);
    int rc = one_row(from_base(store), "pass_get", &p, "reading a pass", &res);
    if (rc < 0)
        return rc;
    read_pass(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pass_update(hp_store *store, const char *name, int64_t school_id, int64_t pass_id,
                       const int64_t *value)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, pass_id);
    if (value)
        param_int(&p, *value);
    PGresult *res = run(from_base(store), name, &p, "updating a pass", &rc);
    if (res == NULL)
        return rc;
    bool found = g_ascii_strtoll(PQcmdTuples(res), NULL, 10) > 0;
    PQclear(res);
    return found ? HP_OK : HP_ENOTFOUND;
}

static int pg_pass_set_end(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end)
{
    return pass_update(store, "pass_end", school_id, pass_id, &end);
}

static int pg_pass_set_cancelled(hp_store *store, int64_t school_id, int64_t pass_id)
{
    return pass_update(store, "pass_cancel", school_id, pass_id, NULL);
}

static int pg_passes_refix_upcoming(hp_store *store, int64_t school_id, int64_t now,
                                    int default_time_limit_minutes, int auto_end_minutes)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, now);
    param_limit(&p, default_time_limit_minutes);
    param_int(&p, auto_end_minutes);
    PGresult *res = run(from_base(store), "passes_refix_upcoming", &p,
                        "updating the limits of scheduled passes", &rc);
    if (res == NULL)
        return rc;
    PQclear(res);
    return HP_OK;
}

static int read_passes(pg_store *s, const char *name, params *p, hp_pass **out, size_t *count_out)
{
    int rc;
    PGresult *res = run(s, name, p, "listing passes", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_pass *passes = g_new0(hp_pass, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        read_pass(res, i, &passes[i]);
    PQclear(res);
    *out = passes;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_passes_active(hp_store *store, int64_t school_id, int64_t now, int64_t student_id,
                            bool with_scheduled, hp_pass **out, size_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, now);
    param_int(&p, student_id);
    param_bool(&p, with_scheduled);
    return read_passes(from_base(store), "passes_active", &p, out, count_out);
}

static int pg_passes_page(hp_store *store, int64_t school_id, int64_t after_id, size_t limit,
                          hp_pass **out, size_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, after_id);
    param_int(&p, (int64_t)limit);
    return read_passes(from_base(store), "passes_page", &p, out, count_out);
}

/* The list of passes with their names, one statement built for the filter's conditions so
 * that each keeps its own plan; run unprepared, its parsing costs less than a round trip. */
static int pg_passes_list(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                          hp_pass_view **out, size_t *count_out)
{
    params p = {0};
    GString *sql = g_string_new(
        "SELECT p.id, p.ext_id, p.student_id, p.origin_id, p.destination_id, p.creator_id,"
        " p.source, p.type, p.start_at, p.end_at, p.cancelled, p.local_day,"
        " p.time_limit_minutes, p.auto_end_at, p.overrides, p.limit_exempt,"
        " s.name, s.email, s.student_id, o.name, d.name, c.name, c.email FROM passes p"
        " JOIN users s ON s.school_id = p.school_id AND s.id = p.student_id"
        " JOIN users c ON c.school_id = p.school_id AND c.id = p.creator_id"
        " JOIN rooms o ON o.school_id = p.school_id AND o.id = p.origin_id"
        " JOIN rooms d ON d.school_id = p.school_id AND d.id = p.destination_id"
        " WHERE p.school_id = $1");
    param_int(&p, school_id);
    if (filter->active) {
        param_int(&p, filter->at);
        param_bool(&p, filter->with_scheduled);
        g_string_append_printf(sql,
                               " AND p.end_at IS NULL AND NOT p.cancelled"
                               " AND (p.start_at <= $%d OR $%d::boolean) AND p.auto_end_at > $%d",
                               p.count - 1, p.count, p.count - 1);
    }
    if (filter->on_day) {
        param_int(&p, filter->day);
        g_string_append_printf(sql, " AND p.local_day = $%d", p.count);
    }
    if (filter->student_id) {
        param_int(&p, filter->student_id);
        g_string_append_printf(sql, " AND p.student_id = $%d", p.count);
    }
    if (filter->pass_id) {
        param_int(&p, filter->pass_id);
        g_string_append_printf(sql, " AND p.id = $%d", p.count);
    }
    g_string_append(sql, " ORDER BY p.start_at, p.id");

    int rc;
    PGresult *res = run_query(from_base(store), NULL, sql->str, &p, "listing passes", &rc);
    g_string_free(sql, TRUE);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_pass_view *views = g_new0(hp_pass_view, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        hp_pass_view *v = &views[i];
        read_pass(res, i, &v->pass);
        v->student_name = get_text(res, i, PASS_COLUMN_COUNT);
        v->student_email = get_text(res, i, PASS_COLUMN_COUNT + 1);
        v->student_id = get_text_or_null(res, i, PASS_COLUMN_COUNT + 2);
        v->origin_name = get_text(res, i, PASS_COLUMN_COUNT + 3);
        v->destination_name = get_text(res, i, PASS_COLUMN_COUNT + 4);
        v->creator_name = get_text(res, i, PASS_COLUMN_COUNT + 5);
        v->creator_email = get_text(res, i, PASS_COLUMN_COUNT + 6);
    }
    PQclear(res);
    *out = views;
    *count_out = (size_t)n;
    return HP_OK;
}

/* The pass rules: a school's settings as key/value rows, and the rule fields of rooms and
 * users, written apart from the rest of them (see hp_store_room_rules_put()). */
static int pg_settings_read(hp_store *store, int64_t school_id, hp_setting_row **out,
                            size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), "settings_read", &p, "reading the settings", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_setting_row *rows = g_new0(hp_setting_row, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        rows[i].key = g_strdup(PQgetvalue(res, i, 0));
        rows[i].value = g_strdup(PQgetvalue(res, i, 1));
    }
    PQclear(res);
    *out = rows;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_setting_write(hp_store *store, int64_t school_id, const char *key, const char *value)
{
    params p = {0};
    param_int(&p, school_id);
    param_text(&p, key);
    if (value)
        param_text(&p, value);
    return run_command(from_base(store), value ? "setting_put" : "setting_delete", &p,
                       "saving a setting");
}

/* Runs an UPDATE and tells whether it changed a row. */
static int pg_update(hp_store *store, const char *name, params *p, const char *what, bool *changed)
{
    int rc;
    PGresult *res = run(from_base(store), name, p, what, &rc);
    if (res == NULL)
        return rc;
    *changed = g_ascii_strtoll(PQcmdTuples(res), NULL, 10) > 0;
    PQclear(res);
    return HP_OK;
}

static int pg_room_rules_put(hp_store *store, int64_t school_id, const hp_room *room, bool *changed)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, room->id);
    param_limit(&p, room->time_limit_minutes);
    param_bool(&p, room->counts_toward_limit);
    return pg_update(store, "room_rules_put", &p, "saving a room's rules", changed);
}

static int pg_user_active_put(hp_store *store, int64_t school_id, int64_t user_id, bool active,
                              bool *changed)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, user_id);
    param_bool(&p, active);
    return pg_update(store, "user_active_put", &p, "saving whether a user is active", changed);
}

static int pg_audit_append(hp_store *store, int64_t school_id, const hp_audit_record *rec)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, rec->at);
    param_id(&p, rec->user_id);
    param_text(&p, rec->who);
    param_text(&p, rec->address);
    param_text(&p, rec->action);
    param_text(&p, rec->target);
    param_text(&p, rec->detail);
    return run_command(from_base(store), "audit_append", &p, "writing the audit log");
}

static int pg_audit_list(hp_store *store, int64_t school_id, const hp_audit_query *q,
                         hp_audit_record **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, q->from);
    param_int(&p, q->to);
    param_int(&p, q->user_id);
    param_text(&p, q->who);
    param_text(&p, q->action);
    param_int(&p, q->before_id);
    param_int(&p, (int64_t)q->limit);
    PGresult *res = run(from_base(store), "audit_list", &p, "reading the audit log", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_audit_record *recs = g_new0(hp_audit_record, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        hp_audit_record *rec = &recs[i];
        rec->id = get_int(res, i, 0);
        rec->at = get_int(res, i, 1);
        rec->user_id = PQgetisnull(res, i, 2) ? 0 : get_int(res, i, 2);
        rec->who = get_text(res, i, 3);
        rec->address = get_text_or_null(res, i, 4);
        rec->action = get_text(res, i, 5);
        rec->target = get_text(res, i, 6);
        rec->detail = get_text_or_null(res, i, 7);
    }
    PQclear(res);
    *out = recs;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_audit_purge(hp_store *store, int64_t school_id, int64_t before, int64_t *removed)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, before);
    if ((rc = run_command(from_base(store), "audit_purge_point", &p,
                          "moving the audit log's purge point")) < 0)
        return rc;
    params q = {0};
    param_int(&q, school_id);
    param_int(&q, before);
    PGresult *res = run(from_base(store), "audit_purge", &q, "removing old audit records", &rc);
    if (res == NULL)
        return rc;
    *removed = g_ascii_strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return HP_OK;
}

static int pg_user_rules_put(hp_store *store, int64_t school_id, const hp_user *user, bool *changed)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, user->id);
    param_limit(&p, user->max_passes_per_day);
    return pg_update(store, "user_rules_put", &p, "saving a user's rules", changed);
}

static int pg_user_sources_list(hp_store *store, int64_t school_id, hp_user_source **out,
                                size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res =
        run(from_base(store), "user_sources_list", &p, "listing users' roster ids", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_user_source *sources = g_new0(hp_user_source, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        sources[i].user_id = get_int(res, i, 0);
        sources[i].source_id = get_text(res, i, 1);
    }
    PQclear(res);
    *out = sources;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_user_source_put(hp_store *store, int64_t school_id, int64_t user_id,
                              const char *source_id, bool *changed)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, user_id);
    param_text(&p, source_id);
    return pg_update(store, "user_source_put", &p, "saving a user's roster id", changed);
}

/* The pass rules' reads in a pass's transaction, and the clock's. */
static int pg_school_lock(hp_store *store, int64_t school_id)
{
    params p = {0};
    param_int(&p, school_id);
    return run_command(from_base(store), "lock_school", &p, "locking the school");
}

/* Runs a statement that gives one number (NULL: *has_out false, when has_out is given). */
static int one_number(hp_store *store, const char *name, params *p, const char *what, bool *has_out,
                      int64_t *out)
{
    int rc;
    PGresult *res = run(from_base(store), name, p, what, &rc);
    if (res == NULL)
        return rc;
    if (has_out)
        *has_out = !PQgetisnull(res, 0, 0);
    *out = PQgetisnull(res, 0, 0) ? 0 : get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static int pg_student_counted(hp_store *store, int64_t school_id, int64_t student_id,
                              int32_t from_day, int32_t to_day, int64_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, student_id);
    param_int(&p, from_day);
    param_int(&p, to_day);
    return one_number(store, "student_counted", &p, "counting a student's passes", NULL, count_out);
}

static int pg_student_last_end(hp_store *store, int64_t school_id, int64_t student_id,
                               int32_t from_day, int64_t now, bool *has_out, int64_t *end_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, student_id);
    param_int(&p, from_day);
    param_int(&p, now);
    return one_number(store, "student_last_end", &p, "reading a student's last pass", has_out,
                      end_out);
}

static int pg_passes_due(hp_store *store, int64_t school_id, int64_t now, size_t limit,
                         hp_pass **out, size_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, now);
    param_int(&p, (int64_t)limit);
    return read_passes(from_base(store), "passes_due", &p, out, count_out);
}

static int pg_pass_reopen(hp_store *store, int64_t school_id, int64_t pass_id)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, pass_id);
    return run_command(from_base(store), "pass_reopen", &p, "resuming a pass");
}

/* ---- Encounter groups ---- */

static int pg_groups_list(hp_store *store, int64_t school_id, hp_group **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), "groups_list", &p, "listing encounter groups", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_group *groups = g_new0(hp_group, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        groups[i].id = get_int(res, i, 0);
        groups[i].name = get_text(res, i, 1);
        groups[i].active = PQgetvalue(res, i, 2)[0] == 't';
    }
    PQclear(res);
    params q = {0};
    param_int(&q, school_id);
    if ((res = run(from_base(store), "group_members_list", &q, "listing encounter groups' students",
                   &rc)) == NULL) {
        hp_groups_free(groups, (size_t)n);
        return rc;
    }
    /* Both lists are in group id order: one walk pairs them. */
    int g = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        int64_t gid = get_int(res, i, 0);
        while (g < n && groups[g].id < gid)
            g++;
        if (g == n)
            break;
        if (groups[g].id != gid)
            continue;
        groups[g].members = g_renew(int64_t, groups[g].members, groups[g].member_count + 1);
        groups[g].members[groups[g].member_count++] = get_int(res, i, 1);
    }
    PQclear(res);
    *out = groups;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_group_put(hp_store *store, int64_t school_id, hp_group *group)
{
    params p = {0};
    int rc;
    bool insert = group->id == 0;
    param_int(&p, school_id);
    param_text(&p, group->name);
    param_bool(&p, group->active);
    if (!insert)
        param_int(&p, group->id);
    PGresult *res = run(from_base(store), insert ? "group_insert" : "group_update", &p,
                        "saving an encounter group", &rc);
    if (res == NULL)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return HP_ENOTFOUND;
    }
    group->id = get_int(res, 0, 0);
    PQclear(res);
    params c = {0};
    param_int(&c, school_id);
    param_int(&c, group->id);
    if ((rc = run_command(from_base(store), "group_members_clear", &c,
                          "saving an encounter group's students")) < 0)
        return rc;
    for (size_t i = 0; i < group->member_count; i++) {
        params m = {0};
        param_int(&m, school_id);
        param_int(&m, group->id);
        param_int(&m, group->members[i]);
        if ((rc = run_command(from_base(store), "group_member_add", &m,
                              "saving an encounter group's students")) < 0)
            return rc;
    }
    return HP_OK;
}

static int pg_group_delete(hp_store *store, int64_t school_id, int64_t group_id)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, group_id);
    PGresult *res = run(from_base(store), "group_delete", &p, "removing an encounter group", &rc);
    if (res == NULL)
        return rc;
    rc = PQntuples(res) == 0 ? HP_ENOTFOUND : HP_OK;
    PQclear(res);
    return rc;
}

static int pg_groups_lock(hp_store *store, int64_t school_id, int64_t student_id)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, student_id);
    return run_command(from_base(store), "groups_lock", &p, "locking encounter groups");
}

static int pg_group_encounter(hp_store *store, int64_t school_id, int64_t student_id, int64_t now,
                              int64_t *group_id_out, char **name_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, now);
    param_int(&p, student_id);
    PGresult *res =
        run(from_base(store), "group_encounter", &p, "reading the student's encounter groups", &rc);
    if (res == NULL)
        return rc;
    if (PQntuples(res) > 0) {
        *group_id_out = get_int(res, 0, 0);
        *name_out = get_text(res, 0, 1);
    }
    PQclear(res);
    return HP_OK;
}

static int pg_group_prevented_add(hp_store *store, int64_t school_id,
                                  const hp_group_prevented *prevented)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, prevented->group_id);
    param_text(&p, prevented->group_name);
    param_int(&p, prevented->student_id);
    param_int(&p, prevented->at);
    param_text(&p, hp_source_name(prevented->source));
    param_int(&p, prevented->local_day);
    return run_command(from_base(store), "group_prevented_add", &p, "recording a prevented pass");
}

static int pg_group_prevented_count(hp_store *store, int64_t school_id, int64_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    return one_number(store, "group_prevented_count", &p, "counting prevented passes", NULL,
                      count_out);
}

static int pg_group_override_add(hp_store *store, int64_t school_id, int64_t pass_id,
                                 int64_t group_id, int32_t local_day)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, pass_id);
    param_int(&p, group_id);
    param_int(&p, local_day);
    return run_command(from_base(store), "group_override_add", &p,
                       "recording an overridden encounter");
}

/* Day counters of one kind summed from a school's recorded rows: the named statement gives,
 * per row, the subject, the local day and the kind's values in order (what `hallpass check`
 * recounts the kinds that records keep from). */
static int record_days(hp_store *store, int64_t school_id, const char *name, hp_counter_kind kind,
                       const char *what, hp_counter **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), name, &p, what, &rc);
    if (res == NULL)
        return rc;
    size_t values = hp_counter_kind_describe(kind)->value_count;
    int n = PQntuples(res);
    hp_counter *rows = g_new0(hp_counter, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        rows[i].key = (hp_counter_key){.kind = kind,
                                       .period = HP_PERIOD_DAY,
                                       .bucket = (int32_t)get_int(res, i, 1),
                                       .subject = get_int(res, i, 0)};
        for (size_t v = 0; v < values; v++)
            rows[i].values[v] = get_int(res, i, 2 + (int)v);
    }
    PQclear(res);
    *out = rows;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_group_override_days(hp_store *store, int64_t school_id, hp_counter **out,
                                  size_t *count_out)
{
    return record_days(store, school_id, "group_override_days", HP_COUNTER_GROUP_OVERRIDES,
                       "summing overridden encounters", out, count_out);
}

static int pg_line_wait_days(hp_store *store, int64_t school_id, hp_counter **out,
                             size_t *count_out)
{
    return record_days(store, school_id, "line_wait_days", HP_COUNTER_ROOM_WAITS,
                       "summing the line's waits", out, count_out);
}

static int pg_group_prevented_days(hp_store *store, int64_t school_id, hp_counter **out,
                                   size_t *count_out)
{
    return record_days(store, school_id, "group_prevented_days", HP_COUNTER_GROUP_REFUSALS,
                       "summing prevented passes", out, count_out);
}

/* No-pass times: the bell schedule and blackouts. */
static int pg_school_lock_shared(hp_store *store, int64_t school_id)
{
    params p = {0};
    param_int(&p, school_id);
    return run_command(from_base(store), "lock_school_shared", &p, "locking the school");
}

static int pg_schedule_read(hp_store *store, int64_t school_id, int32_t day, hp_bell_row **out,
                            size_t *count_out)
{
    params p = {0};
    int rc;
    bool whole = day == HP_SCHEDULE_WHOLE;
    param_int(&p, school_id);
    if (!whole) {
        param_int(&p, hp_date_weekday(day));
        param_int(&p, day);
    }
    PGresult *res = run(from_base(store), whole ? "schedule_whole" : "schedule_day", &p,
                        "reading the bell schedule", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_bell_row *rows = g_new0(hp_bell_row, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        rows[i].weekday = (int)get_int(res, i, 0);
        rows[i].date = (int32_t)get_int(res, i, 1);
        rows[i].period = get_text(res, i, 2);
        rows[i].start = (int)get_int(res, i, 3);
        rows[i].end = (int)get_int(res, i, 4);
    }
    PQclear(res);
    *out = rows;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_schedule_write(hp_store *store, int64_t school_id, const hp_bell_row *rows,
                             size_t count)
{
    params p = {0};
    param_int(&p, school_id);
    int rc = run_command(from_base(store), "schedule_clear", &p, "replacing the bell schedule");
    for (size_t i = 0; i < count && rc == HP_OK; i++) {
        param_int(&p, school_id);
        param_int(&p, (int64_t)i);
        param_int(&p, rows[i].weekday);
        param_int(&p, rows[i].weekday == 0 ? rows[i].date : 0);
        param_text(&p, rows[i].period);
        param_int(&p, rows[i].start);
        param_int(&p, rows[i].end);
        rc = run_command(from_base(store), "schedule_insert", &p, "writing the bell schedule");
    }
    return rc;
}

static int pg_blackouts_read(hp_store *store, int64_t school_id, bool at_only, int64_t at,
                             hp_blackout **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    if (at_only)
        param_int(&p, at);
    PGresult *res = run(from_base(store), at_only ? "blackout_at" : "blackouts_list", &p,
                        "reading the blackouts", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_blackout *list = g_new0(hp_blackout, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        hp_blackout *b = &list[i];
        b->id = get_int(res, i, 0);
        b->start = get_int(res, i, 1);
        b->has_end = !PQgetisnull(res, i, 2);
        b->end = get_int(res, i, 2);
        b->reason = get_text_or_null(res, i, 3);
        b->created_by = get_int(res, i, 4);
        b->created_at = get_int(res, i, 5);
        b->creator_name = get_text_or_null(res, i, 6);
    }
    PQclear(res);
    *out = list;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_blackout_insert(hp_store *store, int64_t school_id, hp_blackout *blackout)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, blackout->start);
    if (blackout->has_end)
        param_int(&p, blackout->end);
    else
        param_text(&p, NULL);
    param_text(&p, blackout->reason);
    param_int(&p, blackout->created_by);
    param_int(&p, blackout->created_at);
    PGresult *res = run(from_base(store), "blackout_insert", &p, "saving a blackout", &rc);
    if (res == NULL)
        return rc;
    blackout->id = get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static int pg_blackout_delete(hp_store *store, int64_t school_id, int64_t blackout_id)
{
    params p = {0};
    bool changed = false;
    param_int(&p, school_id);
    param_int(&p, blackout_id);
    int rc = pg_update(store, "blackout_delete", &p, "deleting a blackout", &changed);
    return rc < 0 ? rc : changed ? HP_OK : HP_ENOTFOUND;
}

/* ---- Share links ---- */

static int pg_share_insert(hp_store *store, hp_share *share, const unsigned char *token_hash)
{
    params p = {0};
    int rc;
    param_int(&p, share->school_id);
    param_text(&p, share->report);
    param_text(&p, share->from);
    param_text(&p, share->to);
    param_int(&p, share->created_by);
    param_int(&p, share->created_at);
    param_int(&p, share->expires_at);
    param_bytes(&p, token_hash, HP_TOKEN_HASH_BYTES);
    PGresult *res = run(from_base(store), "share_insert", &p, "saving a share link", &rc);
    if (res == NULL)
        return rc;
    share->id = get_int(res, 0, 0);
    PQclear(res);
    return HP_OK;
}

static void read_share(PGresult *res, int row, hp_share *share)
{
    share->id = get_int(res, row, 0);
    share->school_id = get_int(res, row, 1);
    share->report = get_text(res, row, 2);
    share->from = get_text(res, row, 3);
    share->to = get_text(res, row, 4);
    share->created_by = get_int(res, row, 5);
    share->created_at = get_int(res, row, 6);
    share->expires_at = get_int(res, row, 7);
    share->revoked_at = get_int(res, row, 8);
    share->creator_name = get_text_or_null(res, row, 9);
}

/* Runs a statement that finds at most one share. */
static int one_share(hp_store *store, const char *name, params *p, const char *what, hp_share *out)
{
    PGresult *res = NULL;
    int rc = one_row(from_base(store), name, p, what, &res);
    if (rc < 0)
        return rc;
    read_share(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pg_share_find(hp_store *store, const unsigned char *token_hash, hp_share *out)
{
    params p = {0};
    param_bytes(&p, token_hash, HP_TOKEN_HASH_BYTES);
    return one_share(store, "share_find", &p, "finding a share link", out);
}

static int pg_share_get(hp_store *store, int64_t school_id, int64_t share_id, hp_share *out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, share_id);
    return one_share(store, "share_get", &p, "reading a share link", out);
}

static int pg_shares_active(hp_store *store, int64_t school_id, int64_t now, hp_share **out,
                            size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, now);
    PGresult *res = run(from_base(store), "shares_active", &p, "listing share links", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_share *list = g_new0(hp_share, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        read_share(res, i, &list[i]);
    PQclear(res);
    *out = list;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_share_revoke(hp_store *store, int64_t school_id, int64_t share_id, int64_t now)
{
    params p = {0};
    bool changed = false;
    param_int(&p, school_id);
    param_int(&p, share_id);
    param_int(&p, now);
    int rc = pg_update(store, "share_revoke", &p, "revoking a share link", &changed);
    return rc < 0 ? rc : changed ? HP_OK : HP_ENOTFOUND;
}

/* ---- Refusals ---- */

static int pg_refusal_add(hp_store *store, int64_t school_id, const hp_refusal *refusal)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, refusal->rule);
    param_int(&p, refusal->student_id);
    param_int(&p, refusal->origin_id);
    param_int(&p, refusal->destination_id);
    param_text(&p, hp_source_name(refusal->source));
    param_int(&p, refusal->at);
    param_int(&p, refusal->local_day);
    return run_command(from_base(store), "refusal_add", &p, "recording a refusal");
}

static int pg_refusal_sums(hp_store *store, int64_t school_id, hp_refusal_sum **out,
                           size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), "refusal_sums", &p, "summing refusals", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_refusal_sum *rows = g_new0(hp_refusal_sum, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        rows[i] = (hp_refusal_sum){.refusal = {.rule = (int)get_int(res, i, 0),
                                               .student_id = get_int(res, i, 1),
                                               .origin_id = get_int(res, i, 2),
                                               .destination_id = get_int(res, i, 3),
                                               .local_day = (int32_t)get_int(res, i, 4)},
                                   .count = get_int(res, i, 5)};
    PQclear(res);
    *out = rows;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_refusals_unrecorded(hp_store *store, int64_t school_id, bool *any_out,
                                  int32_t *day_out)
{
    params p = {0};
    int64_t day = 0;
    param_int(&p, school_id);
    int rc = one_number(store, "refusals_unrecorded", &p,
                        "reading the days of refusals not recorded", any_out, &day);
    *day_out = (int32_t)day;
    return rc;
}

static int pg_counters_unbuilt_next(hp_store *store, bool *found, int64_t *school_id)
{
    params p = {0};
    return one_number(store, "counters_unbuilt_next", &p,
                      "reading the schools whose counters are to be built", found, school_id);
}

/* The row's lock makes a second server that opens the store at the same time wait, then find
 * the row gone. */
static int pg_counters_unbuilt_take(hp_store *store, int64_t school_id, bool *taken)
{
    params p = {0};
    param_int(&p, school_id);
    return pg_update(store, "counters_unbuilt_take", &p, "marking a school's counters built",
                     taken);
}

/* ---- The waiting line ---- */

static void read_line_entry(PGresult *res, int row, hp_line_entry *e)
{
    e->id = get_int(res, row, 0);
    e->student_id = get_int(res, row, 1);
    e->origin_id = get_int(res, row, 2);
    e->destination_id = get_int(res, row, 3);
    e->creator_id = get_int(res, row, 4);
    hp_source_parse(PQgetvalue(res, row, 5), &e->source);
    e->joined = get_int(res, row, 6);
    e->local_day = (int32_t)get_int(res, row, 7);
    hp_line_state_parse(PQgetvalue(res, row, 8), &e->state);
    e->offered_at = get_int(res, row, 9);
    e->offer_expires = get_int(res, row, 10);
    e->lapses = (int)get_int(res, row, 11);
    e->pass_id = get_int(res, row, 12);
    e->ended_at = get_int(res, row, 13);
    e->student_name = get_text(res, row, 14);
    e->student_email = get_text(res, row, 15);
    e->student_code = get_text_or_null(res, row, 16);
    e->origin_name = get_text(res, row, 17);
    e->destination_name = get_text(res, row, 18);
}

static int pg_line_insert(hp_store *store, int64_t school_id, hp_line_entry *entry)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, entry->student_id);
    param_int(&p, entry->origin_id);
    param_int(&p, entry->destination_id);
    param_int(&p, entry->creator_id);
    param_text(&p, hp_source_name(entry->source));
    param_int(&p, entry->joined);
    param_int(&p, entry->local_day);
    PGresult *res = run(from_base(store), "line_insert", &p, "joining the line", &rc);
    if (res == NULL)
        return rc;
    entry->id = get_int(res, 0, 0);
    entry->state = HP_LINE_WAITING;
    PQclear(res);
    return HP_OK;
}

static int pg_line_get(hp_store *store, int64_t school_id, int64_t entry_id, hp_line_entry *out)
{
    params p = {0};
    PGresult *res = NULL;
    param_int(&p, school_id);
    param_int(&p, entry_id);
    int rc = one_row(from_base(store), "line_get", &p, "reading an entry in line", &res);
    if (rc < 0)
        return rc;
    read_line_entry(res, 0, out);
    PQclear(res);
    return HP_OK;
}

static int pg_line_list(hp_store *store, int64_t school_id, const hp_line_filter *filter,
                        hp_line_entry **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, filter->now);
    param_int(&p, filter->today);
    param_int(&p, filter->student_id);
    if (filter->limit > 0)
        param_int(&p, (int64_t)filter->limit);
    else
        param_text(&p, NULL); /* LIMIT NULL: no limit. */
    const char *name = filter->kind == HP_LINE_LIST_IN_LINE ? "line_in_line"
                       : filter->kind == HP_LINE_LIST_OPEN  ? "line_open"
                                                            : "line_all";
    PGresult *res = run(from_base(store), name, &p, "listing the line", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_line_entry *entries = g_new0(hp_line_entry, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        read_line_entry(res, i, &entries[i]);
    PQclear(res);
    *out = entries;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_line_update(hp_store *store, int64_t school_id, const hp_line_entry *entry)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, entry->id);
    param_text(&p, hp_line_state_name(entry->state));
    param_id(&p, entry->offered_at);
    param_id(&p, entry->offer_expires);
    param_int(&p, entry->lapses);
    param_id(&p, entry->pass_id);
    param_id(&p, entry->ended_at);
    PGresult *res = run(from_base(store), "line_update", &p, "changing an entry in line", &rc);
    if (res == NULL)
        return rc;
    bool found = g_ascii_strtoll(PQcmdTuples(res), NULL, 10) > 0;
    PQclear(res);
    return found ? HP_OK : HP_ENOTFOUND;
}

static int pg_line_offers(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                          int64_t now, int64_t exclude_id, int64_t *count_out)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, now);
    param_int(&p, exclude_id);
    if (kind != HP_ACTIVE_IN_SCHOOL)
        param_int(&p, id);
    const char *name = kind == HP_ACTIVE_FROM_ROOM   ? "line_offers_from"
                       : kind == HP_ACTIVE_TO_ROOM   ? "line_offers_to"
                       : kind == HP_ACTIVE_IN_SCHOOL ? "line_offers_school"
                                                     : "line_offers_student";
    return one_number(store, name, &p, "counting offers from the line", NULL, count_out);
}

static int pg_line_remove_student(hp_store *store, int64_t school_id, int64_t student_id,
                                  int64_t now)
{
    params p = {0};
    param_int(&p, school_id);
    param_int(&p, student_id);
    param_int(&p, now);
    return run_command(from_base(store), "line_remove_student", &p,
                       "removing a student from the line");
}

/* Ids as a PostgreSQL array literal, "{1,2,3}"; g_free it. */
static char *id_array(const int64_t *ids, size_t count)
{
    GString *text = g_string_new("{");
    for (size_t i = 0; i < count; i++)
        g_string_append_printf(text, "%s%lld", i ? "," : "", (long long)ids[i]);
    g_string_append_c(text, '}');
    return g_string_free(text, FALSE);
}

/* Runs a lock statement over a list of ids (none: nothing to lock). */
static int lock_ids(hp_store *store, const char *name, int64_t school_id, const int64_t *ids,
                    size_t count, const char *what)
{
    if (count == 0)
        return HP_OK;
    char *array = id_array(ids, count);
    params p = {0};
    param_int(&p, school_id);
    param_text(&p, array);
    int rc = run_command(from_base(store), name, &p, what);
    g_free(array);
    return rc;
}

/* The try lock first: a second server's clock that finds it held skips this second, and as it
 * waits for nothing it cannot deadlock. Creators never take it. Then the rows in the
 * creators' order. */
static int pg_line_walk_lock(hp_store *store, int64_t school_id, const int64_t *room_ids,
                             size_t room_count, const int64_t *student_ids, size_t student_count,
                             bool *got)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, LINE_WALK_LOCK_KEY);
    PGresult *res = run(from_base(store), "line_walk_try", &p, "locking the line", &rc);
    if (res == NULL)
        return rc;
    bool held = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!held)
        return HP_OK;
    if ((rc = lock_ids(store, "line_lock_rooms", school_id, room_ids, room_count,
                       "locking rooms")) < 0 ||
        (rc = lock_ids(store, "line_lock_students", school_id, student_ids, student_count,
                       "locking students")) < 0 ||
        (rc = lock_ids(store, "line_lock_groups", school_id, student_ids, student_count,
                       "locking encounter groups")) < 0 ||
        (rc = pg_school_lock(store, school_id)) < 0)
        return rc;
    *got = true;
    return HP_OK;
}

/* ---- Retention ---- */

/* Runs removal steps with their parameters, counting what each removed; sent as text, as
 * they run once a day or once per student removed. */
static int pg_run_removal(hp_store *store, const hp_removal_step *steps, size_t count,
                          const int64_t *values, hp_removed_counts *out, const char *what)
{
    *out = (hp_removed_counts){0};
    for (size_t i = 0; i < count; i++) {
        params p = {0};
        int rc;
        for (int v = 0; v < steps[i].params; v++)
            param_int(&p, values[v]);
        PGresult *res = run_query(from_base(store), NULL, steps[i].sql, &p, what, &rc);
        if (res == NULL)
            return rc;
        hp_removal_count(out, &steps[i], g_ascii_strtoll(PQcmdTuples(res), NULL, 10));
        PQclear(res);
    }
    return HP_OK;
}

static int pg_purged_before(hp_store *store, int64_t school_id, int32_t *day_out)
{
    params p = {0};
    int64_t day = 0;
    param_int(&p, school_id);
    int rc = one_number(store, "purged_before", &p, "reading the days purged", NULL, &day);
    *day_out = (int32_t)day;
    return rc;
}

static int pg_counts_removed_add(hp_store *store, int64_t school_id, const hp_counter *days,
                                 size_t count)
{
    for (size_t i = 0; i < count; i++) {
        params p = {0};
        param_int(&p, school_id);
        param_int(&p, days[i].key.kind);
        param_int(&p, days[i].key.bucket);
        param_int(&p, days[i].key.subject);
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            param_int(&p, days[i].values[v]);
        int rc = run_command(from_base(store), "counts_removed_add", &p,
                             "keeping what removed records counted");
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

static int pg_counts_removed_read(hp_store *store, int64_t school_id, hp_counter **out,
                                  size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    PGresult *res = run(from_base(store), "counts_removed_read", &p,
                        "reading what removed records counted", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_counter *rows = g_new0(hp_counter, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        rows[i].key = (hp_counter_key){(hp_counter_kind)get_int(res, i, 0), HP_PERIOD_DAY,
                                       (int32_t)get_int(res, i, 1), get_int(res, i, 2)};
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            rows[i].values[v] = get_int(res, i, 3 + v);
    }
    PQclear(res);
    *out = rows;
    *count_out = (size_t)n;
    return HP_OK;
}

static int pg_student_refusals(hp_store *store, int64_t school_id, int64_t student_id,
                               hp_refusal **out, size_t *count_out)
{
    params p = {0};
    int rc;
    param_int(&p, school_id);
    param_int(&p, student_id);
    PGresult *res =
        run(from_base(store), "student_refusals", &p, "reading a student's refusals", &rc);
    if (res == NULL)
        return rc;
    int n = PQntuples(res);
    hp_refusal *rows = g_new0(hp_refusal, (size_t)n + 1);
    for (int i = 0; i < n; i++) {
        rows[i] = (hp_refusal){.rule = (int)get_int(res, i, 0),
                               .student_id = get_int(res, i, 1),
                               .origin_id = get_int(res, i, 2),
                               .destination_id = get_int(res, i, 3),
                               .at = get_int(res, i, 5),
                               .local_day = (int32_t)get_int(res, i, 6)};
        hp_source_parse(PQgetvalue(res, i, 4), &rows[i].source);
    }
    PQclear(res);
    *out = rows;
    *count_out = (size_t)n;
    return HP_OK;
}

static const hp_store_ops postgres_ops = {
    .version = HP_STORE_OPS_VERSION,
    .name = "postgresql",
    .ping = pg_ping,
    .free = pg_free,
    .begin = pg_begin,
    .begin_import = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .schema_version = pg_schema_version,
    .school_create = pg_school_create,
    .schools_list = pg_schools_list,
    .room_find = pg_room_find,
    .room_put = pg_room_put,
    .rooms_list = pg_rooms_list,
    .user_find = pg_user_find,
    .user_find_student_id = pg_user_find_student_id,
    .users_search = pg_users_search,
    .user_put = pg_user_put,
    .users_list = pg_users_list,
    .passes_import = pg_passes_import,
    .counts_write = pg_counts_write,
    .counts_each = pg_counts_each,
    .pass_count = pg_pass_count,
    .session_create = pg_session_create,
    .session_get = pg_session_get,
    .session_touch = pg_session_touch,
    .session_set_kiosk = pg_session_set_kiosk,
    .session_delete = pg_session_delete,
    .sessions_expire = pg_sessions_expire,
    .sessions_delete_user = pg_sessions_delete_user,
    .logins_find = pg_logins_find,
    .user_get = pg_user_get,
    .room_get = pg_room_get,
    .passes_lock = pg_passes_lock,
    .active_count = pg_active_count,
    .pass_insert = pg_pass_insert,
    .pass_get = pg_pass_get,
    .pass_set_end = pg_pass_set_end,
    .pass_set_cancelled = pg_pass_set_cancelled,
    .passes_refix_upcoming = pg_passes_refix_upcoming,
    .passes_active = pg_passes_active,
    .passes_page = pg_passes_page,
    .passes_list = pg_passes_list,
    .settings_read = pg_settings_read,
    .setting_write = pg_setting_write,
    .room_rules_put = pg_room_rules_put,
    .user_rules_put = pg_user_rules_put,
    .user_active_put = pg_user_active_put,
    .audit_append = pg_audit_append,
    .audit_list = pg_audit_list,
    .audit_purge = pg_audit_purge,
    .school_lock = pg_school_lock,
    .student_counted = pg_student_counted,
    .student_last_end = pg_student_last_end,
    .passes_due = pg_passes_due,
    .pass_reopen = pg_pass_reopen,
    .groups_list = pg_groups_list,
    .group_put = pg_group_put,
    .group_delete = pg_group_delete,
    .groups_lock = pg_groups_lock,
    .group_encounter = pg_group_encounter,
    .group_prevented_add = pg_group_prevented_add,
    .group_prevented_count = pg_group_prevented_count,
    .group_prevented_days = pg_group_prevented_days,
    .line_wait_days = pg_line_wait_days,
    .group_override_add = pg_group_override_add,
    .group_override_days = pg_group_override_days,
    .school_lock_shared = pg_school_lock_shared,
    .schedule_read = pg_schedule_read,
    .schedule_write = pg_schedule_write,
    .blackouts_read = pg_blackouts_read,
    .blackout_insert = pg_blackout_insert,
    .blackout_delete = pg_blackout_delete,
    .refusal_add = pg_refusal_add,
    .refusal_sums = pg_refusal_sums,
    .refusals_unrecorded = pg_refusals_unrecorded,
    .counters_unbuilt_next = pg_counters_unbuilt_next,
    .counters_unbuilt_take = pg_counters_unbuilt_take,
    .line_insert = pg_line_insert,
    .line_get = pg_line_get,
    .line_list = pg_line_list,
    .line_update = pg_line_update,
    .line_offers = pg_line_offers,
    .line_remove_student = pg_line_remove_student,
    .line_walk_lock = pg_line_walk_lock,
    .run_removal = pg_run_removal,
    .purged_before = pg_purged_before,
    .counts_removed_add = pg_counts_removed_add,
    .counts_removed_read = pg_counts_removed_read,
    .student_refusals = pg_student_refusals,
    .share_insert = pg_share_insert,
    .share_find = pg_share_find,
    .share_get = pg_share_get,
    .shares_active = pg_shares_active,
    .share_revoke = pg_share_revoke,
    .user_sources_list = pg_user_sources_list,
    .user_source_put = pg_user_source_put,
};

int hp_postgres_store_open(hp_store **out, const char *uri)
{
    pg_store *s = g_new0(pg_store, 1);
    int rc;

    *out = NULL;
    s->base.ops = &postgres_ops;
    s->conn = PQconnectdb(uri);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char message[HP_ERROR_MAX];
        g_strlcpy(message, PQerrorMessage(s->conn), sizeof(message));
        g_strchomp(message);
        /* The address may hold a password: name the server only by what libpq says. */
        rc = hp_error_set(HP_ESTORE, "cannot connect to PostgreSQL: %s", message);
        goto fail;
    }
    if ((rc = set_up_connection(s)) < 0 || (rc = migrate(s)) < 0)
        goto fail;
    if ((rc = prepare_all(s)) < 0)
        goto fail;
    *out = &s->base;
    return HP_OK;
fail:
    pg_free(&s->base);
    return rc;
}
