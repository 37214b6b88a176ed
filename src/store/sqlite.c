/*
 * The SQLite store: one file, WAL journal, foreign keys on, schema versioned with
 * PRAGMA user_version and migrated on open. Every table carries school_id so that schools
 * never mix, and every query is scoped by it.
 *
 * Report counters live in usage_counts, one row per room (or staff member) and local day,
 * and one per month, written in the same transaction as the passes they count. A report
 * reads those, never the passes.
 */
#include "store/backend.h"

#include "core/error.h"
#include "core/util.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* How long a writer waits for another process's write lock before it fails: longer than any
 * one transaction takes (an import of a year of passes commits in a few seconds). */
#define BUSY_TIMEOUT_MS 10000

static const char *const migrations[] = {
    /* 1: schools, rooms, users, passes and the per-day report counters. */
    "CREATE TABLE schools ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  timezone TEXT NOT NULL);"
    "CREATE TABLE rooms ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  name TEXT NOT NULL,"
    "  folder TEXT NOT NULL DEFAULT '',"
    "  max_from INTEGER CHECK (max_from IS NULL OR max_from > 0),"
    "  max_to INTEGER CHECK (max_to IS NULL OR max_to > 0));"
    "CREATE UNIQUE INDEX rooms_by_name ON rooms(school_id, name COLLATE NOCASE);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL,"
    /* The checks spell out each word: SQLite builds a temporary table for every insert
     * that checks an IN list, which made imports several times slower. */
    "  role TEXT NOT NULL CHECK (role = 'admin' OR role = 'teacher' OR role = 'student'"
    "    OR role = 'kiosk'),"
    "  room_id INTEGER REFERENCES rooms(id),"
    "  password_hash TEXT);"
    "CREATE UNIQUE INDEX users_by_email ON users(school_id, email COLLATE NOCASE);"
    "CREATE TABLE passes ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  ext_id TEXT,"
    "  student_id INTEGER NOT NULL REFERENCES users(id),"
    "  origin_id INTEGER NOT NULL REFERENCES rooms(id),"
    "  destination_id INTEGER NOT NULL REFERENCES rooms(id),"
    "  creator_id INTEGER NOT NULL REFERENCES users(id),"
    "  source TEXT NOT NULL CHECK (source = 'student' OR source = 'teacher'"
    "    OR source = 'kiosk_mode' OR source = 'kiosk_login'),"
    "  type TEXT NOT NULL CHECK (type = 'now' OR type = 'scheduled'),"
    "  start_at INTEGER NOT NULL,"
    "  end_at INTEGER,"
    "  cancelled INTEGER NOT NULL DEFAULT 0,"
    "  local_day INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX passes_by_ext_id ON passes(school_id, ext_id);"
    /* The report counters (store/counter.h): per kind (hp_counter_kind), period
     * (hp_counter_period), bucket (the day's or the month's number) and subject (id, a room
     * or a user); a and b hold the counter's values in the order of its kind's struct (a
     * room: from, to; a staff member: now, scheduled). */
    "CREATE TABLE usage_counts ("
    "  school_id INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  period INTEGER NOT NULL,"
    "  bucket INTEGER NOT NULL,"
    "  id INTEGER NOT NULL,"
    "  a INTEGER NOT NULL,"
    "  b INTEGER NOT NULL,"
    "  PRIMARY KEY (school_id, kind, period, bucket, id)) WITHOUT ROWID;",

    /* 2: sessions, and an index over the passes not ended, which is all that the room limits
     * and the active list read. A stored end is never in the future (an import refuses one),
     * so a pass not ended is one whose end is empty; the index stays as small as the number of
     * passes out, and an import of history does not touch it. */
    "CREATE TABLE sessions ("
    "  token_hash BLOB PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  kiosk_room_id INTEGER REFERENCES rooms(id),"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL);"
    "CREATE INDEX sessions_by_last_seen ON sessions(last_seen);"
    "CREATE INDEX passes_open ON passes(school_id, start_at)"
    "  WHERE end_at IS NULL AND cancelled = 0;",

    /* 3: a student's ID in the school (unique in it without regard to ASCII case), and an
     * index over the passes by local day, which a day's list reads. Staff keep their home
     * room in room_id, the column a kiosk's room is in. */
    "ALTER TABLE users ADD COLUMN student_id TEXT"
    "  CHECK (student_id IS NULL OR (length(student_id) BETWEEN 1 AND 32"
    "    AND student_id NOT GLOB '*[^A-Za-z0-9-]*'));"
    "CREATE UNIQUE INDEX users_by_student_id ON users(school_id, student_id COLLATE NOCASE)"
    "  WHERE student_id IS NOT NULL;"
    "CREATE INDEX passes_by_day ON passes(school_id, local_day);",

    /* 4: the pass rules. A school's settings are rows of (key, value as text): the settings
     * table in core/settings.c is the one list of keys, ranges and defaults, so a new setting
     * needs no migration, and a key with no row has its default (or is off). Rooms gain their
     * time limit and whether passes to them count toward a student's limits; students their
     * own daily limit. The ranges are written out as they stood when this step was made. */
    "CREATE TABLE settings ("
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (school_id, key)) WITHOUT ROWID;"
    "ALTER TABLE rooms ADD COLUMN time_limit_minutes INTEGER"
    "  CHECK (time_limit_minutes IS NULL OR time_limit_minutes BETWEEN 1 AND 240);"
    "ALTER TABLE rooms ADD COLUMN counts_toward_limit INTEGER NOT NULL DEFAULT 1"
    "  CHECK (counts_toward_limit = 0 OR counts_toward_limit = 1);"
    "ALTER TABLE users ADD COLUMN max_passes_per_day INTEGER"
    "  CHECK (max_passes_per_day IS NULL OR max_passes_per_day BETWEEN 1 AND 50);",

    /* 5: passes keep the time limit and the auto-end deadline they started with, and the rules
     * a staff override passed (bits of hp_rule_id); an index by student and local day for the
     * students' limits and cooldown. Passes written before this step take the school's
     * settings as they stand (the default auto-end, 120 minutes, written out as it stood when
     * this step was made). */
    "ALTER TABLE passes ADD COLUMN time_limit_minutes INTEGER;"
    "ALTER TABLE passes ADD COLUMN auto_end_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE passes ADD COLUMN overrides INTEGER NOT NULL DEFAULT 0;"
    "UPDATE passes SET auto_end_at = start_at + 60 * coalesce((SELECT CAST(value AS INTEGER)"
    "  FROM settings WHERE settings.school_id = passes.school_id"
    "  AND key = 'auto_end_minutes'), 120),"
    "  time_limit_minutes = coalesce((SELECT time_limit_minutes FROM rooms"
    "  WHERE rooms.id = passes.destination_id), (SELECT CAST(value AS INTEGER) FROM settings"
    "  WHERE settings.school_id = passes.school_id AND key = 'default_time_limit_minutes'));"
    "CREATE INDEX passes_by_student_day ON passes(school_id, student_id, local_day);",

    /* 6: encounter groups: students an admin keeps apart, their members (by student, which
     * the encounter rule reads in a pass's transaction), and the passes the rule prevented,
     * which keep the group's name and id as plain values, as a group may be removed later. */
    "CREATE TABLE encounter_groups ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  name TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active = 0 OR active = 1));"
    "CREATE UNIQUE INDEX encounter_groups_by_name"
    "  ON encounter_groups(school_id, name COLLATE NOCASE);"
    "CREATE TABLE encounter_members ("
    "  school_id INTEGER NOT NULL,"
    "  group_id INTEGER NOT NULL REFERENCES encounter_groups(id) ON DELETE CASCADE,"
    "  student_id INTEGER NOT NULL REFERENCES users(id),"
    "  PRIMARY KEY (group_id, student_id)) WITHOUT ROWID;"
    "CREATE INDEX encounter_members_by_student ON encounter_members(school_id, student_id);"
    "CREATE TABLE encounter_prevented ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  group_id INTEGER NOT NULL,"
    "  group_name TEXT NOT NULL,"
    "  student_id INTEGER NOT NULL REFERENCES users(id),"
    "  at INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  local_day INTEGER NOT NULL);"
    "CREATE INDEX encounter_prevented_by_day ON encounter_prevented(school_id, local_day);",
    /* 7: no-pass times. The bell schedule's rows in the order given (position), each for a
     * weekday (1 = Monday ... 7 = Sunday, day 0) or for one date (weekday 0, day its local
     * day number), with its start and end in local minutes after midnight; the index finds
     * one day's rows. Blackouts with an optional end (none: until deleted); the index by end,
     * a missing end as the largest number, finds those still in force without reading the
     * ones long over. */
    "CREATE TABLE bell_schedule ("
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  position INTEGER NOT NULL,"
    "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 7),"
    "  day INTEGER NOT NULL,"
    "  period TEXT NOT NULL,"
    "  start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),"
    "  end_minute INTEGER NOT NULL CHECK (end_minute > start_minute AND end_minute <= 1439),"
    "  PRIMARY KEY (school_id, position)) WITHOUT ROWID;"
    "CREATE INDEX bell_schedule_by_day ON bell_schedule(school_id, weekday, day);"
    "CREATE TABLE blackouts ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  start_at INTEGER NOT NULL,"
    "  end_at INTEGER CHECK (end_at IS NULL OR end_at > start_at),"
    "  reason TEXT,"
    "  created_by INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX blackouts_by_end ON blackouts(school_id,"
    "  coalesce(end_at, " HP_SQL_NO_END "));",
    /* 8: every refusal by the pass rules as a row (rule number, student, the rooms asked
     * for, source, time, local day), written with its counters, so that `hallpass check`
     * recounts those counters; the index finds a day's refusals. Refusals counted before
     * this step left no row: refusals_unrecorded keeps, per school that had any, the last
     * local day with such a counter, and the check compares no refusal counter up to that
     * day (or its month). */
    "CREATE TABLE refusals ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  rule INTEGER NOT NULL CHECK (rule BETWEEN 1 AND 8),"
    "  student_id INTEGER NOT NULL REFERENCES users(id),"
    "  origin_id INTEGER NOT NULL REFERENCES rooms(id),"
    "  destination_id INTEGER NOT NULL REFERENCES rooms(id),"
    "  source TEXT NOT NULL CHECK (source = 'student' OR source = 'teacher'"
    "    OR source = 'kiosk_mode' OR source = 'kiosk_login'),"
    "  at INTEGER NOT NULL,"
    "  local_day INTEGER NOT NULL);"
    "CREATE INDEX refusals_by_day ON refusals(school_id, local_day);"
    "CREATE TABLE refusals_unrecorded ("
    "  school_id INTEGER PRIMARY KEY REFERENCES schools(id),"
    "  through_day INTEGER NOT NULL);"
    "INSERT INTO refusals_unrecorded(school_id, through_day)"
    "  SELECT school_id, max(bucket) FROM usage_counts"
    "  WHERE kind IN (2, 3, 4) AND period = 0 GROUP BY school_id;",

    /* 9: the insights' counters (kinds 6-13) are written with each pass from here on; a
     * school that already has passes is listed in counters_unbuilt, and opening the store
     * builds its counters from its passes once and takes it off the list
     * (hp_store_counters_build). */
    "CREATE TABLE counters_unbuilt (school_id INTEGER PRIMARY KEY REFERENCES schools(id));"
    "INSERT INTO counters_unbuilt(school_id) SELECT DISTINCT school_id FROM passes;",

    /* 10: a third value per counter, c: of a staff member's now passes, those from a kiosk
     * they launched (store/counter.h). Every other kind keeps 0 there. The passes already
     * stored fill it, their days and their months, each from one pass over the passes; a
     * kiosk-mode now pass always has its creator's staff counters, so updating is enough. */
    "ALTER TABLE usage_counts ADD COLUMN c INTEGER NOT NULL DEFAULT 0;"
    "UPDATE usage_counts SET c = k.n FROM (SELECT school_id, creator_id, local_day,"
    "  count(*) AS n FROM passes WHERE source = 'kiosk_mode' AND type = 'now'"
    "  AND cancelled = 0 GROUP BY school_id, creator_id, local_day) AS k"
    "  WHERE usage_counts.kind = 1 AND usage_counts.period = 0"
    "  AND usage_counts.school_id = k.school_id AND usage_counts.id = k.creator_id"
    "  AND usage_counts.bucket = k.local_day;"
    /* A month's bucket is year * 12 + month - 1; local_day counts days from 1970-01-01. */
    "UPDATE usage_counts SET c = k.n FROM (SELECT school_id, creator_id,"
    "  CAST(strftime('%Y', local_day * 86400, 'unixepoch') AS INTEGER) * 12"
    "  + CAST(strftime('%m', local_day * 86400, 'unixepoch') AS INTEGER) - 1 AS month,"
    "  count(*) AS n FROM passes WHERE source = 'kiosk_mode' AND type = 'now'"
    "  AND cancelled = 0 GROUP BY school_id, creator_id, month) AS k"
    "  WHERE usage_counts.kind = 1 AND usage_counts.period = 1"
    "  AND usage_counts.school_id = k.school_id AND usage_counts.id = k.creator_id"
    "  AND usage_counts.bucket = k.month;",
    /* 11: the waiting line. An entry keeps who joined, from where to where, how (source and
     * creator, the asker of its offers' rules), when (and on which local day), its state,
     * its offer (the expiry fixed at the offer), its lapses, the pass it became and when it
     * left the line. The indexes: the school's entries by state and join time (the line, and
     * the school's offers), a student's, the offered ones by origin and by destination (the
     * rooms' offers), and the started ones by pass, for what waiting cost. */
    "CREATE TABLE line_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  student_id INTEGER NOT NULL REFERENCES users(id),"
    "  origin_id INTEGER NOT NULL REFERENCES rooms(id),"
    "  destination_id INTEGER NOT NULL REFERENCES rooms(id),"
    "  creator_id INTEGER NOT NULL REFERENCES users(id),"
    "  source TEXT NOT NULL CHECK (source = 'student' OR source = 'teacher'"
    "    OR source = 'kiosk_mode' OR source = 'kiosk_login'),"
    "  joined INTEGER NOT NULL,"
    "  local_day INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state = 'waiting' OR state = 'offered' OR state = 'started'"
    "    OR state = 'lapsed' OR state = 'left' OR state = 'removed'),"
    "  offered_at INTEGER,"
    "  offer_expires INTEGER,"
    "  lapses INTEGER NOT NULL DEFAULT 0 CHECK (lapses = 0 OR lapses = 1),"
    "  pass_id INTEGER REFERENCES passes(id),"
    "  ended_at INTEGER);"
    "CREATE INDEX line_by_state ON line_entries(school_id, state, joined);"
    "CREATE INDEX line_by_student ON line_entries(school_id, student_id, state);"
    "CREATE INDEX line_offers_from ON line_entries(school_id, origin_id)"
    "  WHERE state = 'offered';"
    "CREATE INDEX line_offers_to ON line_entries(school_id, destination_id)"
    "  WHERE state = 'offered';"
    "CREATE INDEX line_by_pass ON line_entries(school_id, pass_id) WHERE pass_id IS NOT NULL;",

    /* 12: a pass that passed the encounter rule by a staff override, with the group whose
     * rule it passed (the pass keeps only which rules), so that the encounters insight's
     * overridden counts are recounted. */
    "CREATE TABLE encounter_overridden ("
    "  pass_id INTEGER PRIMARY KEY REFERENCES passes(id),"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  group_id INTEGER NOT NULL,"
    "  local_day INTEGER NOT NULL);",

    /* 13: a pass keeps whether its destination counted toward students' limits when it
     * started, as it keeps its time limit, so that marking a room counted or not changes
     * only the passes after it; passes before this step take their room's flag as it stands.
     * A student's counted passes are then read through the index by student and day alone. */
    "ALTER TABLE passes ADD COLUMN limit_exempt INTEGER NOT NULL DEFAULT 0;"
    "UPDATE passes SET limit_exempt = 1 WHERE destination_id IN"
    "  (SELECT id FROM rooms WHERE counts_toward_limit = 0);",

    /* 14: a user may be deactivated (by an admin or the roster): no sign-in, history kept. */
    "ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;",

    /* 15: the audit log, append-only: no record changes, and none is removed until it is
     * older than the school's purge point, which may not come within 30 days of now (the
     * shortest retention; store.h's HP_AUDIT_KEEP_MIN_DAYS) nor move back. */
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER,"
    "  who TEXT NOT NULL,"
    "  address TEXT,"
    "  action TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  detail TEXT);"
    "CREATE INDEX audit_by_time ON audit_log(school_id, at);"
    "CREATE TABLE audit_purged ("
    "  school_id INTEGER PRIMARY KEY REFERENCES schools(id),"
    "  before INTEGER NOT NULL);"
    "CREATE TRIGGER audit_log_unchanged BEFORE UPDATE ON audit_log"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_kept BEFORE DELETE ON audit_log"
    "  WHEN old.at >= coalesce((SELECT before FROM audit_purged"
    "    WHERE school_id = old.school_id), 0)"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: only records older than the"
    " school''s retention are removed'); END;"
    "CREATE TRIGGER audit_purged_new BEFORE INSERT ON audit_purged"
    "  WHEN new.before > CAST(strftime('%s', 'now') AS INTEGER) - 30 * 86400"
    "  BEGIN SELECT RAISE(ABORT, 'audit records are kept 30 days at least'); END;"
    "CREATE TRIGGER audit_purged_moved BEFORE UPDATE ON audit_purged"
    "  WHEN new.before > CAST(strftime('%s', 'now') AS INTEGER) - 30 * 86400"
    "    OR new.before < old.before"
    "  BEGIN SELECT RAISE(ABORT, 'audit records are kept 30 days at least'); END;",

    /* 16: retention. purged keeps, per school that was purged, the first local day whose
     * records are all kept (the check recounts only from there). counts_removed keeps what
     * the records removed with a student counted in the counters that stay, per kind, local
     * day and subject, so that the check still adds up. */
    "CREATE TABLE purged ("
    "  school_id INTEGER PRIMARY KEY REFERENCES schools(id),"
    "  before_day INTEGER NOT NULL);"
    "CREATE TABLE counts_removed ("
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  kind INTEGER NOT NULL,"
    "  bucket INTEGER NOT NULL,"
    "  id INTEGER NOT NULL,"
    "  a INTEGER NOT NULL,"
    "  b INTEGER NOT NULL,"
    "  c INTEGER NOT NULL,"
    "  PRIMARY KEY (school_id, kind, bucket, id)) WITHOUT ROWID;",
    /* 17: share links: a read-only link to one report over one range of local dates, kept by
     * the SHA-256 of its token (the token itself is never stored), with who made it, when,
     * when it expires and when an admin revoked it. A link is found by its hash; a school's
     * links still open are read through the index by expiry. */
    "CREATE TABLE shares ("
    "  id INTEGER PRIMARY KEY,"
    "  school_id INTEGER NOT NULL REFERENCES schools(id),"
    "  report TEXT NOT NULL CHECK (report = 'rooms' OR report = 'staff'),"
    "  from_date TEXT NOT NULL,"
    "  to_date TEXT NOT NULL CHECK (to_date >= from_date),"
    "  created_by INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL CHECK (expires_at > created_at),"
    "  revoked_at INTEGER,"
    "  token_hash BLOB NOT NULL UNIQUE);"
    "CREATE INDEX shares_by_expiry ON shares(school_id, expires_at);",
    /* 18: a user's id in the school's roster (a OneRoster sourcedId), by which a roster
     * import finds them again after a change of email; unique in the school when set. */
    "ALTER TABLE users ADD COLUMN source_id TEXT;"
    "CREATE UNIQUE INDEX users_by_source_id ON users(school_id, source_id)"
    "  WHERE source_id IS NOT NULL;",

    /* 19: the week counters (period 2, bucket the Monday's day number), which a range's
     * whole weeks outside its whole months read instead of seven days each; built here as
     * the sums of the day counters there are (a school still on counters_unbuilt gets its
     * weeks with the rest when it is built). Day 0 was a Thursday, three days after a Monday. */
    "INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c)"
    "  SELECT school_id, kind, 2, bucket - ((bucket + 3) % 7 + 7) % 7, id, sum(a), sum(b), sum(c)"
    "  FROM usage_counts WHERE period = 0"
    "  GROUP BY school_id, kind, bucket - ((bucket + 3) % 7 + 7) % 7, id;",

    /* 20: a fourth value, and a student's time out (kind 13: minutes, overtime) moved into
     * the student counter (kind 12: now, scheduled) as its third and fourth, so that the
     * students insight reads one row per student and bucket instead of two; what a removed student
     * counted keeps a fourth value too. */
    "ALTER TABLE usage_counts ADD COLUMN d INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE counts_removed ADD COLUMN d INTEGER NOT NULL DEFAULT 0;"
    "INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c, d)"
    "  SELECT school_id, 12, period, bucket, id, 0, 0, a, b FROM usage_counts WHERE kind = 13"
    "  ON CONFLICT (school_id, kind, period, bucket, id)"
    "  DO UPDATE SET c = c + excluded.c, d = d + excluded.d;"
    "DELETE FROM usage_counts WHERE kind = 13;",

    /* 21: the quarter counters (period 3, bucket a month's / 3), which a range's whole
     * quarters read instead of three months each; built here from the month counters. */
    "INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c, d)"
    "  SELECT school_id, kind, 3, bucket / 3, id, sum(a), sum(b), sum(c), sum(d)"
    "  FROM usage_counts WHERE period = 1 GROUP BY school_id, kind, bucket / 3, id;",
};

#define MIGRATION_COUNT ((int)HP_ARRAY_SIZE(migrations))

enum {
    ST_USER_ACTIVE_PUT,
    ST_AUDIT_APPEND,
    ST_AUDIT_LIST,
    ST_AUDIT_PURGE_POINT,
    ST_AUDIT_PURGE,
    ST_SCHOOL_INSERT,
    ST_SCHOOLS_LIST,
    ST_ROOM_FIND,
    ST_ROOM_INSERT,
    ST_ROOM_UPDATE,
    ST_ROOMS_LIST,
    ST_USER_FIND,
    ST_USER_FIND_STUDENT_ID,
    ST_USERS_SEARCH,
    ST_USER_INSERT,
    ST_USER_UPDATE,
    ST_USERS_LIST,
    ST_STAFF_LIST,
    ST_PASS_IMPORT,
    ST_COUNTS_ADD,
    ST_COUNTS_READ,
    ST_PASS_COUNT,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_TOUCH,
    ST_SESSION_KIOSK,
    ST_SESSION_DELETE,
    ST_SESSIONS_EXPIRE,
    ST_SESSIONS_DELETE_USER,
    ST_LOGINS_FIND,
    ST_USER_GET,
    ST_ROOM_GET,
    ST_ACTIVE_FROM,
    ST_ACTIVE_TO,
    ST_ACTIVE_STUDENT,
    ST_PASS_GET,
    ST_PASS_END,
    ST_PASS_CANCEL,
    ST_PASSES_REFIX_UPCOMING,
    ST_PASSES_ACTIVE,
    ST_PASSES_PAGE,
    /* The pass rules: settings, and the rule fields of rooms and users. */
    ST_SETTINGS_READ,
    ST_SETTING_PUT,
    ST_SETTING_DELETE,
    ST_ROOM_RULES_PUT,
    ST_USER_RULES_PUT,
    /* The pass rules' reads in a pass's transaction, and the clock's. */
    ST_ACTIVE_SCHOOL,
    ST_STUDENT_COUNTED,
    ST_STUDENT_LAST_END,
    ST_PASSES_DUE,
    ST_PASS_REOPEN,
    /* No-pass times. */
    ST_SCHEDULE_WHOLE,
    ST_SCHEDULE_DAY,
    ST_SCHEDULE_CLEAR,
    ST_SCHEDULE_INSERT,
    ST_BLACKOUTS_LIST,
    ST_BLACKOUT_AT,
    ST_BLACKOUT_INSERT,
    ST_BLACKOUT_DELETE,
    ST_REFUSAL_ADD,
    ST_REFUSAL_SUMS,
    ST_REFUSALS_UNRECORDED,
    ST_COUNTERS_UNBUILT_NEXT,
    ST_COUNTERS_UNBUILT_TAKE,
    /* The waiting line. */
    ST_LINE_INSERT,
    ST_LINE_GET,
    ST_LINE_UPDATE,
    ST_LINE_OFFERS_FROM,
    ST_LINE_OFFERS_TO,
    ST_LINE_OFFERS_STUDENT,
    ST_LINE_OFFERS_SCHOOL,
    ST_LINE_REMOVE_STUDENT,
    /* Retention. */
    ST_PURGED_BEFORE,
    ST_COUNTS_REMOVED_ADD,
    ST_COUNTS_REMOVED_READ,
    ST_STUDENT_REFUSALS,
    /* Share links. */
    ST_SHARE_INSERT,
    ST_SHARE_FIND,
    ST_SHARE_GET,
    ST_SHARES_ACTIVE,
    ST_SHARE_REVOKE,
    /* Roster ids of users. */
    ST_USER_SOURCES_LIST,
    ST_USER_SOURCE_PUT,
    ST_COUNT
};

#define PASS_COLUMNS                                                                               \
    "id, ext_id, student_id, origin_id, destination_id, creator_id, source, type, start_at,"       \
    " end_at, cancelled, local_day, time_limit_minutes, auto_end_at, overrides, limit_exempt"
#define PASS_COLUMN_COUNT 16 /* The columns of PASS_COLUMNS: what a row has after them. */

/* A pass is active at ?2 when not cancelled, started, not ended, and before its auto-end
 * deadline: the definition of hp_pass_active() in core/rules.h. An end is written when it
 * happens, never ahead, so for the instants the store is asked about (now) "no end yet" is
 * "not ended by then"; a deadline holds whether or not the clock has written its end. The
 * open-passes index holds exactly those not cancelled nor ended. */
#define ACTIVE_AT_2                                                                                \
    " school_id = ?1 AND end_at IS NULL AND cancelled = 0 AND start_at <= ?2 AND auto_end_at > ?2"

/* The same, of passes named p in a join. */
#define ACTIVE_AT_PREFIXED                                                                         \
    " p.school_id = ?1 AND p.end_at IS NULL AND p.cancelled = 0 AND p.start_at <= ?2"              \
    " AND p.auto_end_at > ?2"

/* An audit record's columns as read_audit() takes them. */
#define AUDIT_COLUMNS "id, at, user_id, who, address, action, target, detail"

/* A user's columns as read_user() takes them; a password hash or a school may follow. */
#define USER_COLUMNS "id, name, email, role, room_id, student_id, max_passes_per_day, active"

/* A line entry's columns with its names, as read_line_entry() takes them, and the joins
 * that give the names. */
#define LINE_COLUMNS                                                                               \
    "l.id, l.student_id, l.origin_id, l.destination_id, l.creator_id, l.source, l.joined,"         \
    " l.local_day, l.state, l.offered_at, l.offer_expires, l.lapses, l.pass_id, l.ended_at,"       \
    " u.name, u.email, u.student_id, o.name, d.name"
#define LINE_JOINS                                                                                 \
    "line_entries l JOIN users u ON u.id = l.student_id JOIN rooms o ON o.id = l.origin_id"        \
    " JOIN rooms d ON d.id = l.destination_id"

/* An offer outstanding at ?2, of the entries of school ?1, other than entry ?4. */
#define OFFERED_AT_2 " school_id = ?1 AND state = 'offered' AND offer_expires > ?2 AND id IS NOT ?4"

/* A bell schedule's row and a blackout as read_bell_row() and read_blackout() take them. */
#define SCHEDULE_COLUMNS "weekday, day, period, start_minute, end_minute"
#define BLACKOUT_COLUMNS "b.id, b.start_at, b.end_at, b.reason, b.created_by, b.created_at, u.name"

/* A share link's columns with its creator's name, as read_share() takes them. */
#define SHARE_SELECT                                                                               \
    "SELECT s.id, s.school_id, s.report, s.from_date, s.to_date, s.created_by, s.created_at,"      \
    " s.expires_at, s.revoked_at, u.name FROM shares s LEFT JOIN users u ON u.id = s.created_by"

static const char *const statement_sql[ST_COUNT] = {
    [ST_SCHOOL_INSERT] = "INSERT INTO schools(name, timezone) VALUES (?1, ?2)",
    [ST_SCHOOLS_LIST] = "SELECT id, name, timezone FROM schools ORDER BY id",
    [ST_ROOM_FIND] = "SELECT id, name, folder, max_from, max_to, time_limit_minutes,"
                     " counts_toward_limit FROM rooms"
                     " WHERE school_id = ?1 AND name = ?2 COLLATE NOCASE",
    [ST_ROOM_INSERT] = "INSERT INTO rooms(school_id, name, folder, max_from, max_to)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_ROOM_UPDATE] = "UPDATE rooms SET name = ?2, folder = ?3, max_from = ?4, max_to = ?5"
                       " WHERE school_id = ?1 AND id = ?6 AND (name IS NOT ?2"
                       " OR folder IS NOT ?3 OR max_from IS NOT ?4 OR max_to IS NOT ?5)",
    [ST_ROOMS_LIST] = "SELECT id, name, folder, max_from, max_to, time_limit_minutes,"
                      " counts_toward_limit FROM rooms"
                      " WHERE school_id = ?1 ORDER BY id",
    [ST_USER_FIND] = "SELECT " USER_COLUMNS ", password_hash FROM users"
                     " WHERE school_id = ?1 AND email = ?2 COLLATE NOCASE",
    [ST_USER_FIND_STUDENT_ID] = "SELECT " USER_COLUMNS " FROM users"
                                " WHERE school_id = ?1 AND student_id = ?2 COLLATE NOCASE",
    /* LIKE folds ASCII letters only, as every name comparison here does. */
    [ST_USERS_SEARCH] = "SELECT " USER_COLUMNS " FROM users WHERE school_id = ?1"
                        " AND (?4 IS NULL OR role = ?4) AND (?5 IS NULL OR active = ?5)"
                        " AND (name LIKE ?2 ESCAPE '\\'"
                        " OR email LIKE ?2 ESCAPE '\\' OR student_id LIKE ?2 ESCAPE '\\')"
                        " ORDER BY name COLLATE NOCASE, id LIMIT ?3",
    [ST_USER_INSERT] = "INSERT INTO users(school_id, name, email, role, room_id, password_hash,"
                       " student_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8)",
    [ST_USER_UPDATE] = "UPDATE users SET name = ?2, email = ?3, role = ?4, room_id = ?5,"
                       " password_hash = coalesce(?6, password_hash), student_id = ?8"
                       " WHERE school_id = ?1 AND id = ?7 AND (name IS NOT ?2 OR email IS NOT ?3"
                       " OR role IS NOT ?4 OR room_id IS NOT ?5 OR student_id IS NOT ?8"
                       " OR (?6 IS NOT NULL AND password_hash IS NOT ?6))",
    [ST_USERS_LIST] = "SELECT " USER_COLUMNS " FROM users WHERE school_id = ?1 ORDER BY id",
    [ST_STAFF_LIST] = "SELECT " USER_COLUMNS " FROM users"
                      " WHERE school_id = ?1 AND (role = 'admin' OR role = 'teacher') ORDER BY id",
    [ST_PASS_IMPORT] =
        "INSERT INTO passes(school_id, ext_id, student_id, origin_id, destination_id,"
        " creator_id, source, type, start_at, end_at, cancelled, local_day,"
        " time_limit_minutes, auto_end_at, overrides, limit_exempt)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        " ON CONFLICT (school_id, ext_id) DO NOTHING",
    [ST_COUNTS_ADD] = "INSERT INTO usage_counts(school_id, kind, period, bucket, id, a, b, c, d)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                      " ON CONFLICT (school_id, kind, period, bucket, id)"
                      " DO UPDATE SET a = a + excluded.a, b = b + excluded.b, c = c + excluded.c,"
                      " d = d + excluded.d",
    /* One range of buckets in key order: a report reads a few thousand rows at most. */
    [ST_COUNTS_READ] =
        "SELECT id, bucket, a, b, c, d FROM usage_counts WHERE school_id = ?1 AND kind = ?2"
        " AND period = ?3 AND bucket BETWEEN ?4 AND ?5 AND id BETWEEN ?6 AND ?7",
    [ST_PASS_COUNT] = "SELECT count(*) FROM passes WHERE school_id = ?1",
    [ST_SESSION_INSERT] = "INSERT INTO sessions(token_hash, school_id, user_id, kiosk_room_id,"
                          " created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SESSION_GET] = "SELECT school_id, user_id, kiosk_room_id, created_at, last_seen"
                       " FROM sessions WHERE token_hash = ?1",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
    [ST_SESSION_KIOSK] = "UPDATE sessions SET kiosk_room_id = ?2 WHERE token_hash = ?1",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
    [ST_SESSIONS_EXPIRE] = "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2",
    [ST_SESSIONS_DELETE_USER] = "DELETE FROM sessions WHERE school_id = ?1 AND user_id = ?2",
    [ST_LOGINS_FIND] = "SELECT " USER_COLUMNS ", password_hash, school_id"
                       " FROM users WHERE email = ?1 COLLATE NOCASE ORDER BY school_id",
    [ST_USER_GET] = "SELECT " USER_COLUMNS " FROM users WHERE school_id = ?1 AND id = ?2",
    [ST_ROOM_GET] = "SELECT id, name, folder, max_from, max_to, time_limit_minutes,"
                    " counts_toward_limit FROM rooms"
                    " WHERE school_id = ?1 AND id = ?2",
    [ST_ACTIVE_FROM] = "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2 " AND origin_id = ?3",
    [ST_ACTIVE_TO] = "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2 " AND destination_id = ?3",
    [ST_ACTIVE_STUDENT] = "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2 " AND student_id = ?3",
    [ST_PASS_GET] = "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = ?1 AND id = ?2",
    [ST_PASS_END] = "UPDATE passes SET end_at = ?3 WHERE school_id = ?1 AND id = ?2",
    [ST_PASS_CANCEL] = "UPDATE passes SET cancelled = 1 WHERE school_id = ?1 AND id = ?2",
    /* Through the index of passes not ended: the scheduled ones still to start are among them. */
    [ST_PASSES_REFIX_UPCOMING] =
        "UPDATE passes SET auto_end_at = start_at + 60 * ?4,"
        " time_limit_minutes = coalesce((SELECT time_limit_minutes FROM rooms"
        "  WHERE rooms.id = passes.destination_id), ?3),"
        " limit_exempt = (SELECT 1 - counts_toward_limit FROM rooms"
        "  WHERE rooms.id = passes.destination_id)"
        " WHERE school_id = ?1 AND end_at IS NULL AND start_at > ?2 AND cancelled = 0"
        " AND type = 'scheduled'",
    [ST_PASSES_PAGE] = "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = ?1 AND id > ?2"
                       " ORDER BY id LIMIT ?3",
    [ST_PASSES_ACTIVE] = "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = ?1"
                         " AND end_at IS NULL AND cancelled = 0 AND auto_end_at > ?2"
                         " AND (start_at <= ?2 OR ?4)"
                         " AND (?3 = 0 OR student_id = ?3) ORDER BY start_at, id",
    /* The pass rules. */
    [ST_SETTINGS_READ] = "SELECT key, value FROM settings WHERE school_id = ?1 ORDER BY key",
    [ST_SETTING_PUT] = "INSERT INTO settings(school_id, key, value) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT (school_id, key) DO UPDATE SET value = excluded.value"
                       " WHERE value IS NOT excluded.value",
    [ST_SETTING_DELETE] = "DELETE FROM settings WHERE school_id = ?1 AND key = ?2",
    [ST_ROOM_RULES_PUT] = "UPDATE rooms SET time_limit_minutes = ?3, counts_toward_limit = ?4"
                          " WHERE school_id = ?1 AND id = ?2 AND (time_limit_minutes IS NOT ?3"
                          " OR counts_toward_limit IS NOT ?4)",
    [ST_USER_RULES_PUT] = "UPDATE users SET max_passes_per_day = ?3"
                          " WHERE school_id = ?1 AND id = ?2 AND max_passes_per_day IS NOT ?3",
    /* The pass rules' reads: open passes through passes_open, a student's through
     * passes_by_student_day. */
    [ST_ACTIVE_SCHOOL] = "SELECT count(*) FROM passes WHERE" ACTIVE_AT_2,
    [ST_STUDENT_COUNTED] = "SELECT count(*) FROM passes WHERE school_id = ?1 AND student_id = ?2"
                           " AND local_day BETWEEN ?3 AND ?4 AND type = 'now' AND cancelled = 0"
                           " AND limit_exempt = 0",
    /* A written end after the deadline reads as the deadline (core/rules.h). */
    [ST_STUDENT_LAST_END] =
        "SELECT max(CASE WHEN end_at IS NOT NULL THEN min(end_at, auto_end_at)"
        " WHEN auto_end_at <= ?4 THEN auto_end_at END) FROM passes"
        " WHERE school_id = ?1 AND student_id = ?2 AND local_day >= ?3 AND cancelled = 0"
        " AND start_at <= ?4",
    [ST_PASSES_DUE] = "SELECT " PASS_COLUMNS " FROM passes WHERE school_id = ?1"
                      " AND end_at IS NULL AND cancelled = 0 AND auto_end_at <= ?2"
                      " ORDER BY auto_end_at, id LIMIT ?3",
    [ST_PASS_REOPEN] = "UPDATE passes SET end_at = NULL WHERE school_id = ?1 AND id = ?2",
    /* No-pass times: one day's rows through bell_schedule_by_day, the blackouts in force
     * through blackouts_by_end. */
    [ST_SCHEDULE_WHOLE] = "SELECT " SCHEDULE_COLUMNS " FROM bell_schedule WHERE school_id = ?1"
                          " ORDER BY position",
    [ST_SCHEDULE_DAY] = "SELECT " SCHEDULE_COLUMNS " FROM bell_schedule WHERE school_id = ?1"
                        " AND ((weekday = ?2 AND day = 0) OR (weekday = 0 AND day = ?3))"
                        " ORDER BY position",
    [ST_SCHEDULE_CLEAR] = "DELETE FROM bell_schedule WHERE school_id = ?1",
    [ST_SCHEDULE_INSERT] = "INSERT INTO bell_schedule(school_id, position, weekday, day, period,"
                           " start_minute, end_minute) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_BLACKOUTS_LIST] = "SELECT " BLACKOUT_COLUMNS " FROM blackouts b"
                          " LEFT JOIN users u ON u.id = b.created_by WHERE b.school_id = ?1"
                          " ORDER BY b.start_at, b.id",
    [ST_BLACKOUT_AT] = "SELECT " BLACKOUT_COLUMNS " FROM blackouts b"
                       " LEFT JOIN users u ON u.id = b.created_by WHERE b.school_id = ?1"
                       " AND coalesce(b.end_at, " HP_SQL_NO_END ") > ?2 AND b.start_at <= ?2"
                       " ORDER BY b.end_at IS NOT NULL, b.end_at DESC, b.id LIMIT 1",
    [ST_BLACKOUT_INSERT] = "INSERT INTO blackouts(school_id, start_at, end_at, reason, created_by,"
                           " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_BLACKOUT_DELETE] = "DELETE FROM blackouts WHERE school_id = ?1 AND id = ?2",
    /* Refusals: one written per refused request, so prepared once. */
    [ST_REFUSAL_ADD] = "INSERT INTO refusals(school_id, rule, student_id, origin_id,"
                       " destination_id, source, at, local_day)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_REFUSAL_SUMS] = "SELECT rule, student_id, origin_id, destination_id, local_day, count(*)"
                        " FROM refusals WHERE school_id = ?1"
                        " GROUP BY rule, student_id, origin_id, destination_id, local_day",
    [ST_COUNTERS_UNBUILT_NEXT] = "SELECT min(school_id) FROM counters_unbuilt",
    [ST_COUNTERS_UNBUILT_TAKE] = "DELETE FROM counters_unbuilt WHERE school_id = ?1",
    [ST_USER_SOURCES_LIST] = "SELECT id, source_id FROM users"
                             " WHERE school_id = ?1 AND source_id IS NOT NULL ORDER BY id",
    [ST_USER_SOURCE_PUT] = "UPDATE users SET source_id = ?3"
                           " WHERE school_id = ?1 AND id = ?2 AND source_id IS NOT ?3",
    [ST_REFUSALS_UNRECORDED] =
        "SELECT max(through_day) FROM refusals_unrecorded WHERE school_id = ?1",
    /* The waiting line: an outstanding offer is one offered whose expiry is after ?2
     * (core/line.h), read through the indexes of offered entries. */
    [ST_LINE_INSERT] = "INSERT INTO line_entries(school_id, student_id, origin_id,"
                       " destination_id, creator_id, source, joined, local_day, state)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'waiting')",
    [ST_LINE_GET] = "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = ?1"
                    " AND l.id = ?2",
    [ST_LINE_UPDATE] = "UPDATE line_entries SET state = ?3, offered_at = ?4, offer_expires = ?5,"
                       " lapses = ?6, pass_id = ?7, ended_at = ?8"
                       " WHERE school_id = ?1 AND id = ?2",
    [ST_LINE_OFFERS_FROM] =
        "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2 " AND origin_id = ?3",
    [ST_LINE_OFFERS_TO] =
        "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2 " AND destination_id = ?3",
    [ST_LINE_OFFERS_STUDENT] =
        "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2 " AND student_id = ?3",
    [ST_LINE_OFFERS_SCHOOL] = "SELECT count(*) FROM line_entries WHERE" OFFERED_AT_2,
    [ST_LINE_REMOVE_STUDENT] = "UPDATE line_entries SET state = 'removed', ended_at = ?3"
                               " WHERE school_id = ?1 AND student_id = ?2"
                               " AND (state = 'waiting' OR state = 'offered')",
    [ST_USER_ACTIVE_PUT] = "UPDATE users SET active = ?3"
                           " WHERE school_id = ?1 AND id = ?2 AND active IS NOT ?3",
    [ST_AUDIT_APPEND] = "INSERT INTO audit_log(school_id, at, user_id, who, address, action,"
                        " target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    /* Newest first by id, which grows with time; the filters of hp_audit_query, each off
     * when its parameter is 0 or NULL. */
    [ST_AUDIT_LIST] = "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE school_id = ?1"
                      " AND (?2 = 0 OR at >= ?2) AND (?3 = 0 OR at < ?3)"
                      " AND (?4 = 0 OR user_id = ?4)"
                      " AND (?5 IS NULL OR instr(lower(who), lower(?5)) > 0)"
                      " AND (?6 IS NULL OR action = ?6) AND (?7 = 0 OR id < ?7)"
                      " ORDER BY id DESC LIMIT ?8",
    [ST_AUDIT_PURGE_POINT] = "INSERT INTO audit_purged(school_id, before) VALUES (?1, ?2)"
                             " ON CONFLICT (school_id) DO UPDATE SET before = excluded.before"
                             " WHERE excluded.before > before",
    [ST_AUDIT_PURGE] = "DELETE FROM audit_log WHERE school_id = ?1 AND at < ?2",
    [ST_PURGED_BEFORE] = "SELECT before_day FROM purged WHERE school_id = ?1",
    [ST_COUNTS_REMOVED_ADD] = "INSERT INTO counts_removed(school_id, kind, bucket, id, a, b, c, d)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                              " ON CONFLICT (school_id, kind, bucket, id)"
                              " DO UPDATE SET a = a + excluded.a, b = b + excluded.b,"
                              " c = c + excluded.c, d = d + excluded.d",
    [ST_COUNTS_REMOVED_READ] = "SELECT kind, bucket, id, a, b, c, d FROM counts_removed"
                               " WHERE school_id = ?1",
    [ST_STUDENT_REFUSALS] = "SELECT rule, student_id, origin_id, destination_id, source, at,"
                            " local_day FROM refusals WHERE school_id = ?1 AND student_id = ?2"
                            " ORDER BY at, id",
    /* Share links: found by the hash of their token; a school's open ones by expiry. */
    [ST_SHARE_INSERT] = "INSERT INTO shares(school_id, report, from_date, to_date, created_by,"
                        " created_at, expires_at, token_hash)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_SHARE_FIND] = SHARE_SELECT " WHERE s.token_hash = ?1",
    [ST_SHARE_GET] = SHARE_SELECT " WHERE s.school_id = ?1 AND s.id = ?2",
    [ST_SHARES_ACTIVE] =
        SHARE_SELECT " WHERE s.school_id = ?1 AND s.expires_at > ?2"
                     " AND s.revoked_at IS NULL ORDER BY s.created_at DESC, s.id DESC",
    [ST_SHARE_REVOKE] = "UPDATE shares SET revoked_at = ?3"
                        " WHERE school_id = ?1 AND id = ?2 AND revoked_at IS NULL",
};

/* The conditions of hp_pass_filter, as bits: each set of them has its own statement. */
enum {
    LIST_ACTIVE = 1,
    LIST_ON_DAY = 2,
    LIST_OF_STUDENT = 4,
    LIST_ONE_PASS = 8,
    LIST_VARIANTS = 16
};

typedef struct {
    hp_store base;
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST_COUNT];
    sqlite3_stmt *list_stmt[LIST_VARIANTS]; /* Prepared when first used. */
    bool foreign_keys_off;                  /* During an import: turned back on when it ends. */
} sqlite_store;

static sqlite_store *from_base(hp_store *store)
{
    return (sqlite_store *)store;
}

static int db_error(sqlite_store *s, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return HP_EEXISTS; /* store.c names what exists. */
    return hp_error_set(HP_ESTORE, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static char *dup_column(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    return g_strdup(text ? (const char *)text : "");
}

/* A text column that may be NULL. */
static char *dup_column_or_null(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    return text ? g_strdup((const char *)text) : NULL;
}

/* Reads one row of st into the element at row. */
typedef void (*read_row_fn)(sqlite3_stmt *st, void *row);

/*
 * The one list-growing loop: steps st to its end, reading each row into a new element of
 * `size` bytes. On success *out is a g_new()-style array of *count_out elements for the
 * caller; on failure every element read so far is released with `release` (when not NULL).
 */
static int collect_rows(sqlite_store *s, sqlite3_stmt *st, size_t size, read_row_fn read,
                        GDestroyNotify release, const char *what, void **out, size_t *count_out)
{
    GArray *rows = g_array_new(FALSE, TRUE, (guint)size);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        g_array_set_size(rows, rows->len + 1);
        read(st, rows->data + (size_t)(rows->len - 1) * size);
    }
    if (step != SQLITE_DONE) {
        int rc = db_error(s, what);
        sqlite3_reset(st);
        guint n = rows->len;
        hp_list_free(g_array_free(rows, FALSE), n, size, release);
        return rc;
    }
    sqlite3_reset(st);
    *count_out = rows->len;
    *out = g_array_free(rows, FALSE);
    return HP_OK;
}

/* Readies a cached statement: reset, bindings cleared. Each is prepared when first used, not
 * at open: a command uses a few of them, and preparing all of them was a large part of a
 * command's start. A statement that fails to prepare (only a damaged schema does) stays NULL,
 * which binding and sqlite3_step() answer with SQLITE_MISUSE, and the caller reports the store
 * error with the database's words (its last error is the prepare's). */
static sqlite3_stmt *stmt_get(sqlite_store *s, int which)
{
    if (s->stmt[which] == NULL)
        sqlite3_prepare_v3(s->db, statement_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                           &s->stmt[which], NULL);
    sqlite3_stmt *st = s->stmt[which];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

static void bind_text_or_null(sqlite3_stmt *st, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, idx);
}

static void bind_limit(sqlite3_stmt *st, int idx, int limit)
{
    if (limit > 0)
        sqlite3_bind_int(st, idx, limit);
    else
        sqlite3_bind_null(st, idx);
}

static void bind_id_or_null(sqlite3_stmt *st, int idx, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, idx, id);
    else
        sqlite3_bind_null(st, idx);
}

static int exec(sqlite_store *s, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = hp_error_set(HP_ESTORE, "%s: %s: %s", s->path, what, msg ? msg : "failed");
        sqlite3_free(msg);
        return rc;
    }
    return HP_OK;
}

static int user_version(sqlite_store *s)
{
    sqlite3_stmt *st;
    int version = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

/* Brings the schema to the newest version, each step in its own transaction. */
static int migrate(sqlite_store *s)
{
    int version = user_version(s);
    if (version < 0)
        return db_error(s, "reading the schema version");
    if (version > MIGRATION_COUNT)
        return hp_store_schema_too_new(s->path, version, MIGRATION_COUNT);
    for (int v = version; v < MIGRATION_COUNT; v++) {
        char pragma[sizeof("PRAGMA user_version = ") + 12];
        int rc = exec(s, "BEGIN IMMEDIATE", "starting a migration");
        if (rc < 0)
            return rc;
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if ((rc = exec(s, migrations[v], "migrating the schema")) < 0 ||
            (rc = exec(s, pragma, "migrating the schema")) < 0) {
            exec(s, "ROLLBACK", "rolling back a migration");
            return rc;
        }
        if ((rc = exec(s, "COMMIT", "committing a migration")) < 0)
            return rc;
    }
    return HP_OK;
}

static void sqlite_free(hp_store *store)
{
    sqlite_store *s = from_base(store);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    for (size_t i = 0; i < HP_ARRAY_SIZE(s->list_stmt); i++)
        sqlite3_finalize(s->list_stmt[i]);
    sqlite3_close(s->db);
    g_free(s->path);
    g_free(s);
}

/*
 * A store file deleted or moved while the server runs keeps working through the open
 * descriptor, and every write after that goes to a file no one will open again: passes
 * answered as created would be lost at the next start. So each write transaction first asks
 * SQLite whether the file it has open is still the one at its path, and fails when not; so
 * does each write made outside a transaction (step_done). An in-memory store has no file and
 * is never moved.
 */
static int check_not_moved(sqlite_store *s)
{
    int moved = 0;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved)
        return hp_error_set(HP_ESTORE,
                            "%s: the store file was moved or deleted while in use; nothing can "
                            "be saved until hallpass is restarted with the store in its place",
                            s->path);
    return HP_OK;
}

/* Runs a write statement to its end, or tells the store's error with `what`. A write outside a
 * transaction first checks that the file is still in its place, as hp_store_begin() does for
 * one inside a transaction (where the check has been made already). */
static int step_done(sqlite_store *s, sqlite3_stmt *st, const char *what)
{
    int rc;
    if (sqlite3_get_autocommit(s->db) && (rc = check_not_moved(s)) < 0)
        return rc;
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_error(s, what);
    return HP_OK;
}

/* Begins a write transaction, once the file is known to be in its place. */
static int begin_write(sqlite_store *s)
{
    int rc = exec(s, "BEGIN IMMEDIATE", "starting a transaction");
    if (rc < 0)
        return rc;
    if ((rc = check_not_moved(s)) < 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int sqlite_begin(hp_store *store)
{
    return begin_write(from_base(store));
}

/* The importer has looked up every room and user a row names, in the same transaction, so
 * checking each foreign key again would only double the cost of a row. SQLite changes the
 * setting only outside a transaction. */
static int sqlite_begin_import(hp_store *store)
{
    sqlite_store *s = from_base(store);
    int rc = exec(s, "PRAGMA foreign_keys = OFF", "starting an import");
    if (rc < 0)
        return rc;
    s->foreign_keys_off = true;
    if ((rc = begin_write(s)) < 0) {
        exec(s, "PRAGMA foreign_keys = ON", "ending an import");
        s->foreign_keys_off = false;
    }
    return rc;
}

static void restore_foreign_keys(sqlite_store *s)
{
    if (s->foreign_keys_off && sqlite3_get_autocommit(s->db)) {
        exec(s, "PRAGMA foreign_keys = ON", "ending an import");
        s->foreign_keys_off = false;
    }
}

static int sqlite_commit(hp_store *store)
{
    sqlite_store *s = from_base(store);
    int rc = exec(s, "COMMIT", "committing");
    restore_foreign_keys(s);
    return rc;
}

static void sqlite_rollback(hp_store *store)
{
    sqlite_store *s = from_base(store);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    restore_foreign_keys(s);
}

static int sqlite_schema_version(hp_store *store)
{
    return user_version(from_base(store));
}

/* The open file still at its path (the descriptor would answer after a move), and a read of
 * the schema's first page that a file made unreadable fails. */
static int sqlite_ping(hp_store *store)
{
    sqlite_store *s = from_base(store);
    int rc = check_not_moved(s);
    if (rc == HP_OK)
        rc = exec(s, "SELECT count(*) FROM sqlite_schema", "a health check");
    return rc;
}

static int sqlite_school_create(hp_store *store, const char *name, const char *zone,
                                int64_t *id_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SCHOOL_INSERT);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, zone, -1, SQLITE_TRANSIENT);
    int rc = step_done(s, st, "creating the school");
    if (rc < 0)
        return rc;
    *id_out = sqlite3_last_insert_rowid(s->db);
    return HP_OK;
}

static void read_school(sqlite3_stmt *st, void *row)
{
    hp_school *school = row;
    school->id = sqlite3_column_int64(st, 0);
    school->name = dup_column(st, 1);
    school->timezone = dup_column(st, 2);
}

static int sqlite_schools_list(hp_store *store, hp_school **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    return collect_rows(s, stmt_get(s, ST_SCHOOLS_LIST), sizeof(hp_school), read_school,
                        (GDestroyNotify)hp_school_release, "listing schools", (void **)out,
                        count_out);
}

/* Ends a statement that finds at most one row: reads the row into out with read, or tells
 * HP_ENOTFOUND when there is none, or the store's error. step is sqlite3_step()'s answer. */
static int found_one(sqlite_store *s, sqlite3_stmt *st, int step,
                     void (*read)(sqlite3_stmt *st, void *row), void *out, const char *what)
{
    if (step == SQLITE_ROW) {
        read(st, out);
        sqlite3_reset(st);
        return HP_OK;
    }
    if (step != SQLITE_DONE)
        return db_error(s, what);
    return HP_ENOTFOUND;
}

/* Runs a statement that finds at most one row. */
static int find_one(sqlite_store *s, sqlite3_stmt *st, void (*read)(sqlite3_stmt *st, void *row),
                    void *out, const char *what)
{
    return found_one(s, st, sqlite3_step(st), read, out, what);
}

static void read_room(sqlite3_stmt *st, void *row)
{
    hp_room *room = row;
    room->id = sqlite3_column_int64(st, 0);
    room->name = dup_column(st, 1);
    room->folder = dup_column(st, 2);
    room->max_from = sqlite3_column_int(st, 3);
    room->max_to = sqlite3_column_int(st, 4);
    room->time_limit_minutes = sqlite3_column_int(st, 5);
    room->counts_toward_limit = sqlite3_column_int(st, 6) != 0;
}

static int sqlite_room_find(hp_store *store, int64_t school_id, const char *name, hp_room *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_ROOM_FIND);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    return find_one(s, st, read_room, out, "finding a room");
}

static int sqlite_room_put(hp_store *store, int64_t school_id, hp_room *room, bool *changed)
{
    sqlite_store *s = from_base(store);
    bool insert = room->id == 0;
    sqlite3_stmt *st = stmt_get(s, insert ? ST_ROOM_INSERT : ST_ROOM_UPDATE);

    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, room->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, room->folder ? room->folder : "", -1, SQLITE_TRANSIENT);
    bind_limit(st, 4, room->max_from);
    bind_limit(st, 5, room->max_to);
    if (!insert)
        sqlite3_bind_int64(st, 6, room->id);
    int rc = step_done(s, st, "saving a room");
    if (rc < 0)
        return rc;
    if (insert)
        room->id = sqlite3_last_insert_rowid(s->db);
    *changed = sqlite3_changes(s->db) > 0;
    return HP_OK;
}

static int sqlite_rooms_list(hp_store *store, int64_t school_id, hp_room **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_ROOMS_LIST);
    sqlite3_bind_int64(st, 1, school_id);
    return collect_rows(s, st, sizeof(hp_room), read_room, (GDestroyNotify)hp_room_release,
                        "listing rooms", (void **)out, count_out);
}

/* Reads the USER_COLUMNS at the start of a row. */
static void read_user(sqlite3_stmt *st, void *row)
{
    hp_user *user = row;
    user->id = sqlite3_column_int64(st, 0);
    user->name = dup_column(st, 1);
    user->email = dup_column(st, 2);
    hp_role_parse((const char *)sqlite3_column_text(st, 3), &user->role);
    user->room_id = sqlite3_column_int64(st, 4);
    user->student_id = dup_column_or_null(st, 5);
    user->max_passes_per_day = sqlite3_column_int(st, 6);
    user->active = sqlite3_column_int(st, 7) != 0;
}

/* Runs a statement that finds at most one user. */
static int find_one_user(sqlite_store *s, sqlite3_stmt *st, hp_user *out, char **password_hash_out,
                         const char *what)
{
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW && password_hash_out)
        *password_hash_out = dup_column_or_null(st, 8);
    return found_one(s, st, step, read_user, out, what);
}

static int sqlite_user_find(hp_store *store, int64_t school_id, const char *email, hp_user *out,
                            char **password_hash_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USER_FIND);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, email, -1, SQLITE_TRANSIENT);
    return find_one_user(s, st, out, password_hash_out, "finding a user");
}

static int sqlite_user_find_student_id(hp_store *store, int64_t school_id, const char *student_id,
                                       hp_user *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USER_FIND_STUDENT_ID);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, student_id, -1, SQLITE_TRANSIENT);
    return find_one_user(s, st, out, NULL, "finding a student");
}

static int sqlite_user_put(hp_store *store, int64_t school_id, hp_user *user,
                           const char *password_hash, bool *changed)
{
    sqlite_store *s = from_base(store);
    bool insert = user->id == 0;
    sqlite3_stmt *st = stmt_get(s, insert ? ST_USER_INSERT : ST_USER_UPDATE);

    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, user->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, user->email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, hp_role_name(user->role), -1, SQLITE_STATIC);
    bind_id_or_null(st, 5, user->room_id);
    bind_text_or_null(st, 6, password_hash);
    if (!insert)
        sqlite3_bind_int64(st, 7, user->id);
    bind_text_or_null(st, 8, user->student_id);
    int rc = step_done(s, st, "saving a user");
    if (rc < 0)
        return rc;
    if (insert)
        user->id = sqlite3_last_insert_rowid(s->db);
    *changed = sqlite3_changes(s->db) > 0;
    return HP_OK;
}

static int sqlite_users_list(hp_store *store, int64_t school_id, bool staff_only, hp_user **out,
                             size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, staff_only ? ST_STAFF_LIST : ST_USERS_LIST);
    sqlite3_bind_int64(st, 1, school_id);
    return collect_rows(s, st, sizeof(hp_user), read_user, (GDestroyNotify)hp_user_release,
                        "listing users", (void **)out, count_out);
}

static int sqlite_users_search(hp_store *store, int64_t school_id, const char *pattern,
                               const char *role, int active, size_t limit, hp_user **out,
                               size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USERS_SEARCH);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, pattern, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    bind_text_or_null(st, 4, role);
    if (active < 0)
        sqlite3_bind_null(st, 5);
    else
        sqlite3_bind_int(st, 5, active);
    return collect_rows(s, st, sizeof(hp_user), read_user, (GDestroyNotify)hp_user_release,
                        "searching users", (void **)out, count_out);
}

/* Writes a pass with the given ext_id (NULL for one made here), unless one with that ext_id
 * is stored already. */
static int write_pass(hp_store *store, int64_t school_id, hp_pass *pass, const char *ext_id,
                      bool *inserted)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_PASS_IMPORT);

    sqlite3_bind_int64(st, 1, school_id);
    bind_text_or_null(st, 2, ext_id);
    sqlite3_bind_int64(st, 3, pass->student_id);
    sqlite3_bind_int64(st, 4, pass->origin_id);
    sqlite3_bind_int64(st, 5, pass->destination_id);
    sqlite3_bind_int64(st, 6, pass->creator_id);
    sqlite3_bind_text(st, 7, hp_source_name(pass->source), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, hp_pass_type_name(pass->type), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, pass->start);
    if (pass->has_end)
        sqlite3_bind_int64(st, 10, pass->end);
    else
        sqlite3_bind_null(st, 10);
    sqlite3_bind_int(st, 11, pass->cancelled);
    sqlite3_bind_int(st, 12, pass->local_day);
    bind_limit(st, 13, pass->time_limit_minutes);
    sqlite3_bind_int64(st, 14, pass->auto_end_at);
    sqlite3_bind_int64(st, 15, pass->overrides);
    sqlite3_bind_int(st, 16, pass->limit_exempt);
    int rc = step_done(s, st, "saving a pass");
    if (rc < 0)
        return rc;
    *inserted = sqlite3_changes(s->db) > 0;
    if (*inserted)
        pass->id = sqlite3_last_insert_rowid(s->db);
    return HP_OK;
}

/* SQLite runs in the process: a row at a time costs no round trip. */
static int sqlite_passes_import(hp_store *store, int64_t school_id, hp_pass *passes, size_t count,
                                bool *inserted)
{
    for (size_t i = 0; i < count; i++) {
        int rc = write_pass(store, school_id, &passes[i], passes[i].ext_id, &inserted[i]);
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

/* The statements name the value columns a, b, c and d. */
_Static_assert(HP_COUNTER_VALUES == 4, "usage_counts holds four values per counter");

static int sqlite_counts_write(hp_store *store, int64_t school_id, const hp_counter *counters,
                               size_t count)
{
    sqlite_store *s = from_base(store);
    for (size_t i = 0; i < count; i++) {
        const hp_counter *c = &counters[i];
        sqlite3_stmt *st = stmt_get(s, ST_COUNTS_ADD);
        sqlite3_bind_int64(st, 1, school_id);
        sqlite3_bind_int(st, 2, c->key.kind);
        sqlite3_bind_int(st, 3, c->key.period);
        sqlite3_bind_int(st, 4, c->key.bucket);
        sqlite3_bind_int64(st, 5, c->key.subject);
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            sqlite3_bind_int64(st, 6 + v, c->values[v]);
        int rc = step_done(s, st, "updating report counters");
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

static int sqlite_counts_each(hp_store *store, int64_t school_id, hp_counter_kind kind,
                              hp_counter_period period, int32_t from, int32_t to,
                              const hp_subject_range *subjects, hp_counter_visit visit, void *data)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_COUNTS_READ);
    int step;

    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int(st, 3, period);
    sqlite3_bind_int(st, 4, from);
    sqlite3_bind_int(st, 5, to);
    sqlite3_bind_int64(st, 6, subjects->from);
    sqlite3_bind_int64(st, 7, subjects->to);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        hp_counter c = {
            .key = {kind, period, sqlite3_column_int(st, 1), sqlite3_column_int64(st, 0)}};
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            c.values[v] = sqlite3_column_int64(st, 2 + v);
        visit(&c, data);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return db_error(s, "reading report counters");
    return HP_OK;
}

static int sqlite_pass_count(hp_store *store, int64_t school_id, int64_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_PASS_COUNT);
    sqlite3_bind_int64(st, 1, school_id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return db_error(s, "counting passes");
    *count_out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return HP_OK;
}

static int sqlite_session_create(hp_store *store, const unsigned char *token_hash,
                                 const hp_session *session)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SESSION_INSERT);
    sqlite3_bind_blob(st, 1, token_hash, HP_TOKEN_HASH_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, session->school_id);
    sqlite3_bind_int64(st, 3, session->user_id);
    bind_id_or_null(st, 4, session->kiosk_room_id);
    sqlite3_bind_int64(st, 5, session->created_at);
    sqlite3_bind_int64(st, 6, session->last_seen);
    return step_done(s, st, "creating a session");
}

static void read_session(sqlite3_stmt *st, void *row)
{
    hp_session *session = row;
    session->school_id = sqlite3_column_int64(st, 0);
    session->user_id = sqlite3_column_int64(st, 1);
    session->kiosk_room_id = sqlite3_column_int64(st, 2);
    session->created_at = sqlite3_column_int64(st, 3);
    session->last_seen = sqlite3_column_int64(st, 4);
}

static int sqlite_session_get(hp_store *store, const unsigned char *token_hash, hp_session *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SESSION_GET);
    sqlite3_bind_blob(st, 1, token_hash, HP_TOKEN_HASH_BYTES, SQLITE_TRANSIENT);
    return find_one(s, st, read_session, out, "reading a session");
}

/* Runs a cached statement that binds a token hash and at most one integer. */
static int token_statement(sqlite_store *s, int which, const unsigned char *token_hash,
                           const int64_t *value, const char *what)
{
    sqlite3_stmt *st = stmt_get(s, which);
    sqlite3_bind_blob(st, 1, token_hash, HP_TOKEN_HASH_BYTES, SQLITE_TRANSIENT);
    if (value)
        bind_id_or_null(st, 2, *value);
    return step_done(s, st, what);
}

static int sqlite_session_touch(hp_store *store, const unsigned char *token_hash, int64_t now)
{
    return token_statement(from_base(store), ST_SESSION_TOUCH, token_hash, &now,
                           "updating a session");
}

static int sqlite_session_set_kiosk(hp_store *store, const unsigned char *token_hash,
                                    int64_t kiosk_room_id)
{
    return token_statement(from_base(store), ST_SESSION_KIOSK, token_hash, &kiosk_room_id,
                           "updating a session");
}

static int sqlite_session_delete(hp_store *store, const unsigned char *token_hash)
{
    return token_statement(from_base(store), ST_SESSION_DELETE, token_hash, NULL,
                           "ending a session");
}

static int sqlite_sessions_expire(hp_store *store, int64_t seen_before, int64_t created_before)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SESSIONS_EXPIRE);
    sqlite3_bind_int64(st, 1, seen_before);
    sqlite3_bind_int64(st, 2, created_before);
    return step_done(s, st, "expiring sessions");
}

static int sqlite_sessions_delete_user(hp_store *store, int64_t school_id, int64_t user_id)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SESSIONS_DELETE_USER);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, user_id);
    return step_done(s, st, "ending a user's sessions");
}

static void read_user_source(sqlite3_stmt *st, void *row)
{
    hp_user_source *source = row;
    source->user_id = sqlite3_column_int64(st, 0);
    source->source_id = dup_column(st, 1);
}

static int sqlite_user_sources_list(hp_store *store, int64_t school_id, hp_user_source **out,
                                    size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USER_SOURCES_LIST);
    sqlite3_bind_int64(st, 1, school_id);
    return collect_rows(s, st, sizeof(hp_user_source), read_user_source,
                        (GDestroyNotify)hp_user_source_release, "listing users' roster ids",
                        (void **)out, count_out);
}

static int sqlite_user_source_put(hp_store *store, int64_t school_id, int64_t user_id,
                                  const char *source_id, bool *changed)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USER_SOURCE_PUT);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, user_id);
    bind_text_or_null(st, 3, source_id);
    int rc = step_done(s, st, "saving a user's roster id");
    if (rc < 0)
        return rc;
    *changed = sqlite3_changes(s->db) > 0;
    return HP_OK;
}

static void read_login(sqlite3_stmt *st, void *row)
{
    hp_login *login = row;
    read_user(st, &login->user);
    login->password_hash = dup_column_or_null(st, 8);
    login->school_id = sqlite3_column_int64(st, 9);
}

static int sqlite_logins_find(hp_store *store, const char *email, hp_login **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_LOGINS_FIND);
    sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT);
    return collect_rows(s, st, sizeof(hp_login), read_login, (GDestroyNotify)hp_login_release,
                        "finding a user", (void **)out, count_out);
}

static int sqlite_user_get(hp_store *store, int64_t school_id, int64_t user_id, hp_user *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USER_GET);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, user_id);
    return find_one_user(s, st, out, NULL, "reading a user");
}

static int sqlite_room_get(hp_store *store, int64_t school_id, int64_t room_id, hp_room *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_ROOM_GET);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, room_id);
    return find_one(s, st, read_room, out, "reading a room");
}

/* SQLite has one writer at a time and hp_store_begin() takes the write lock at once, so the
 * transaction is already serialized: there is nothing more to lock. */
static int sqlite_passes_lock(hp_store *store, int64_t school_id, int64_t student_id,
                              int64_t origin_id, int64_t destination_id)
{
    return HP_OK;
}

static int sqlite_active_count(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                               int64_t now, int64_t *count_out)
{
    sqlite_store *s = from_base(store);
    int which = kind == HP_ACTIVE_FROM_ROOM   ? ST_ACTIVE_FROM
                : kind == HP_ACTIVE_TO_ROOM   ? ST_ACTIVE_TO
                : kind == HP_ACTIVE_IN_SCHOOL ? ST_ACTIVE_SCHOOL
                                              : ST_ACTIVE_STUDENT;
    sqlite3_stmt *st = stmt_get(s, which);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, now);
    if (kind != HP_ACTIVE_IN_SCHOOL)
        sqlite3_bind_int64(st, 3, id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return db_error(s, "counting active passes");
    *count_out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return HP_OK;
}

/* A pass created here has no ext_id, so the import's statement never skips it. */
static int sqlite_pass_insert(hp_store *store, int64_t school_id, hp_pass *pass)
{
    bool inserted;
    return write_pass(store, school_id, pass, NULL, &inserted);
}

/* Reads the PASS_COLUMNS at the start of a row. */
static void read_pass(sqlite3_stmt *st, void *row)
{
    hp_pass *pass = row;
    pass->id = sqlite3_column_int64(st, 0);
    pass->ext_id = dup_column_or_null(st, 1);
    pass->student_id = sqlite3_column_int64(st, 2);
    pass->origin_id = sqlite3_column_int64(st, 3);
    pass->destination_id = sqlite3_column_int64(st, 4);
    pass->creator_id = sqlite3_column_int64(st, 5);
    hp_source_parse((const char *)sqlite3_column_text(st, 6), &pass->source);
    hp_pass_type_parse((const char *)sqlite3_column_text(st, 7), &pass->type);
    pass->start = sqlite3_column_int64(st, 8);
    pass->has_end = sqlite3_column_type(st, 9) != SQLITE_NULL;
    pass->end = sqlite3_column_int64(st, 9);
    pass->cancelled = sqlite3_column_int(st, 10) != 0;
    pass->local_day = sqlite3_column_int(st, 11);
    pass->time_limit_minutes = sqlite3_column_int(st, 12);
    pass->auto_end_at = sqlite3_column_int64(st, 13);
    pass->overrides = (unsigned)sqlite3_column_int64(st, 14);
    pass->limit_exempt = sqlite3_column_int(st, 15) != 0;
}

static int sqlite_pass_get(hp_store *store, int64_t school_id, int64_t pass_id, hp_pass *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_PASS_GET);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, pass_id);
    return find_one(s, st, read_pass, out, "reading a pass");
}

static int pass_update(sqlite_store *s, int which, int64_t school_id, int64_t pass_id,
                       const int64_t *value)
{
    sqlite3_stmt *st = stmt_get(s, which);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, pass_id);
    if (value)
        sqlite3_bind_int64(st, 3, *value);
    int rc = step_done(s, st, "updating a pass");
    if (rc < 0)
        return rc;
    return sqlite3_changes(s->db) > 0 ? HP_OK : HP_ENOTFOUND;
}

static int sqlite_pass_set_end(hp_store *store, int64_t school_id, int64_t pass_id, int64_t end)
{
    return pass_update(from_base(store), ST_PASS_END, school_id, pass_id, &end);
}

static int sqlite_pass_set_cancelled(hp_store *store, int64_t school_id, int64_t pass_id)
{
    return pass_update(from_base(store), ST_PASS_CANCEL, school_id, pass_id, NULL);
}

static int sqlite_passes_refix_upcoming(hp_store *store, int64_t school_id, int64_t now,
                                        int default_time_limit_minutes, int auto_end_minutes)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_PASSES_REFIX_UPCOMING);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, now);
    bind_limit(st, 3, default_time_limit_minutes);
    sqlite3_bind_int(st, 4, auto_end_minutes);
    return step_done(s, st, "updating the limits of scheduled passes");
}

/* Reads every row of a pass query into a new array. */
static int read_passes(sqlite_store *s, sqlite3_stmt *st, hp_pass **out, size_t *count_out)
{
    return collect_rows(s, st, sizeof(hp_pass), read_pass, (GDestroyNotify)hp_pass_release,
                        "listing passes", (void **)out, count_out);
}

static int sqlite_passes_active(hp_store *store, int64_t school_id, int64_t now, int64_t student_id,
                                bool with_scheduled, hp_pass **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_PASSES_ACTIVE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, student_id);
    sqlite3_bind_int(st, 4, with_scheduled);
    return read_passes(s, st, out, count_out);
}

/* A pass statement of ?1 the school, ?2 a number and ?3 a LIMIT, read into a new array. */
static int passes_limited(hp_store *store, int which, int64_t school_id, int64_t value,
                          size_t limit, hp_pass **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, which);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, value);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    return read_passes(s, st, out, count_out);
}

static int sqlite_passes_page(hp_store *store, int64_t school_id, int64_t after_id, size_t limit,
                              hp_pass **out, size_t *count_out)
{
    return passes_limited(store, ST_PASSES_PAGE, school_id, after_id, limit, out, count_out);
}

/* A pass with the names of its people and rooms: the pass's columns, then the names. */
static void read_view(sqlite3_stmt *st, void *row)
{
    hp_pass_view *view = row;
    read_pass(st, &view->pass);
    view->student_name = dup_column(st, PASS_COLUMN_COUNT);
    view->student_email = dup_column(st, PASS_COLUMN_COUNT + 1);
    view->student_id = dup_column_or_null(st, PASS_COLUMN_COUNT + 2);
    view->origin_name = dup_column(st, PASS_COLUMN_COUNT + 3);
    view->destination_name = dup_column(st, PASS_COLUMN_COUNT + 4);
    view->creator_name = dup_column(st, PASS_COLUMN_COUNT + 5);
    view->creator_email = dup_column(st, PASS_COLUMN_COUNT + 6);
}

/* The list's statement for one set of conditions, each a fixed text, so that each set keeps
 * its own plan (the active list reads the open-passes index, a day's list the day index). */
static char *list_sql(unsigned variant)
{
    GString *sql = g_string_new(
        "SELECT p.id, p.ext_id, p.student_id, p.origin_id, p.destination_id, p.creator_id,"
        " p.source, p.type, p.start_at, p.end_at, p.cancelled, p.local_day,"
        " p.time_limit_minutes, p.auto_end_at, p.overrides, p.limit_exempt,"
        " s.name, s.email, s.student_id, o.name, d.name, c.name, c.email FROM passes p"
        " JOIN users s ON s.id = p.student_id JOIN users c ON c.id = p.creator_id"
        " JOIN rooms o ON o.id = p.origin_id JOIN rooms d ON d.id = p.destination_id"
        " WHERE p.school_id = ?1");
    if (variant & LIST_ACTIVE)
        g_string_append(sql, " AND p.end_at IS NULL AND p.cancelled = 0 AND (p.start_at <= ?2"
                             " OR ?3) AND p.auto_end_at > ?2");
    if (variant & LIST_ON_DAY)
        g_string_append(sql, " AND p.local_day = ?4");
    if (variant & LIST_OF_STUDENT)
        g_string_append(sql, " AND p.student_id = ?5");
    if (variant & LIST_ONE_PASS)
        g_string_append(sql, " AND p.id = ?6");
    g_string_append(sql, " ORDER BY p.start_at, p.id");
    return g_string_free(sql, FALSE);
}

static int sqlite_passes_list(hp_store *store, int64_t school_id, const hp_pass_filter *filter,
                              hp_pass_view **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    unsigned variant = (filter->active ? LIST_ACTIVE : 0) | (filter->on_day ? LIST_ON_DAY : 0) |
                       (filter->student_id ? LIST_OF_STUDENT : 0) |
                       (filter->pass_id ? LIST_ONE_PASS : 0);
    if (s->list_stmt[variant] == NULL) {
        char *sql = list_sql(variant);
        int prepared = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                          &s->list_stmt[variant], NULL);
        g_free(sql);
        if (prepared != SQLITE_OK)
            return db_error(s, "preparing the list of passes");
    }
    sqlite3_stmt *st = s->list_stmt[variant];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, school_id);
    if (variant & LIST_ACTIVE) {
        sqlite3_bind_int64(st, 2, filter->at);
        sqlite3_bind_int(st, 3, filter->with_scheduled);
    }
    if (variant & LIST_ON_DAY)
        sqlite3_bind_int(st, 4, filter->day);
    if (variant & LIST_OF_STUDENT)
        sqlite3_bind_int64(st, 5, filter->student_id);
    if (variant & LIST_ONE_PASS)
        sqlite3_bind_int64(st, 6, filter->pass_id);
    return collect_rows(s, st, sizeof(hp_pass_view), read_view,
                        (GDestroyNotify)hp_pass_view_release, "listing passes", (void **)out,
                        count_out);
}

/* The pass rules: a school's settings as key/value rows, and the rule fields of rooms and
 * users, written apart from the rest of them (see hp_store_room_rules_put()). */
static int sqlite_settings_read(hp_store *store, int64_t school_id, hp_setting_row **out,
                                size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SETTINGS_READ);
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(hp_setting_row));
    int step;
    sqlite3_bind_int64(st, 1, school_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        hp_setting_row row = {
            .key = g_strdup((const char *)sqlite3_column_text(st, 0)),
            .value = g_strdup((const char *)sqlite3_column_text(st, 1)),
        };
        g_array_append_val(rows, row);
    }
    sqlite3_reset(st);
    size_t n = rows->len;
    hp_setting_row *list = (hp_setting_row *)g_array_free(rows, FALSE);
    if (step != SQLITE_DONE) {
        hp_setting_rows_free(list, n);
        return db_error(s, "reading the settings");
    }
    *out = list;
    *count_out = n;
    return HP_OK;
}

static int sqlite_setting_write(hp_store *store, int64_t school_id, const char *key,
                                const char *value)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, value ? ST_SETTING_PUT : ST_SETTING_DELETE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    if (value)
        sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
    return step_done(s, st, "saving a setting");
}

/* Runs a rule-field UPDATE of one row: ?1 the school, ?2 the row, ?3 a limit (0: NULL) and,
 * when flag is not NULL, ?4 a boolean. */
static int rules_update(sqlite_store *s, int which, int64_t school_id, int64_t id, int limit,
                        const bool *flag, bool *changed)
{
    sqlite3_stmt *st = stmt_get(s, which);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, id);
    bind_limit(st, 3, limit);
    if (flag)
        sqlite3_bind_int(st, 4, *flag ? 1 : 0);
    int rc = step_done(s, st, "saving the pass rules of a room or user");
    if (rc < 0)
        return rc;
    *changed = sqlite3_changes(s->db) > 0;
    return HP_OK;
}

static int sqlite_room_rules_put(hp_store *store, int64_t school_id, const hp_room *room,
                                 bool *changed)
{
    return rules_update(from_base(store), ST_ROOM_RULES_PUT, school_id, room->id,
                        room->time_limit_minutes, &room->counts_toward_limit, changed);
}

static int sqlite_user_active_put(hp_store *store, int64_t school_id, int64_t user_id, bool active,
                                  bool *changed)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_USER_ACTIVE_PUT);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int(st, 3, active ? 1 : 0);
    int rc = step_done(s, st, "saving whether a user is active");
    if (rc < 0)
        return rc;
    *changed = sqlite3_changes(s->db) > 0;
    return HP_OK;
}

static int sqlite_audit_append(hp_store *store, int64_t school_id, const hp_audit_record *rec)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_AUDIT_APPEND);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, rec->at);
    bind_id_or_null(st, 3, rec->user_id);
    sqlite3_bind_text(st, 4, rec->who, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 5, rec->address);
    sqlite3_bind_text(st, 6, rec->action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, rec->target, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 8, rec->detail);
    return step_done(s, st, "writing the audit log");
}

static void read_audit(sqlite3_stmt *st, void *row)
{
    hp_audit_record *rec = row;
    rec->id = sqlite3_column_int64(st, 0);
    rec->at = sqlite3_column_int64(st, 1);
    rec->user_id = sqlite3_column_int64(st, 2);
    rec->who = dup_column(st, 3);
    rec->address = dup_column_or_null(st, 4);
    rec->action = dup_column(st, 5);
    rec->target = dup_column(st, 6);
    rec->detail = dup_column_or_null(st, 7);
}

static int sqlite_audit_list(hp_store *store, int64_t school_id, const hp_audit_query *q,
                             hp_audit_record **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_AUDIT_LIST);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, q->from);
    sqlite3_bind_int64(st, 3, q->to);
    sqlite3_bind_int64(st, 4, q->user_id);
    bind_text_or_null(st, 5, q->who);
    bind_text_or_null(st, 6, q->action);
    sqlite3_bind_int64(st, 7, q->before_id);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)q->limit);
    return collect_rows(s, st, sizeof(hp_audit_record), read_audit,
                        (GDestroyNotify)hp_audit_record_release, "reading the audit log",
                        (void **)out, count_out);
}

static int sqlite_audit_purge(hp_store *store, int64_t school_id, int64_t before, int64_t *removed)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_AUDIT_PURGE_POINT);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, before);
    int rc = step_done(s, st, "moving the audit log's purge point");
    if (rc < 0)
        return rc;
    st = stmt_get(s, ST_AUDIT_PURGE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, before);
    if ((rc = step_done(s, st, "removing old audit records")) < 0)
        return rc;
    *removed = sqlite3_changes(s->db);
    return HP_OK;
}

static int sqlite_user_rules_put(hp_store *store, int64_t school_id, const hp_user *user,
                                 bool *changed)
{
    return rules_update(from_base(store), ST_USER_RULES_PUT, school_id, user->id,
                        user->max_passes_per_day, NULL, changed);
}

/* The pass rules' reads in a pass's transaction, and the clock's. SQLite's transactions are
 * BEGIN IMMEDIATE, one writer at a time, so no row locks are needed: the school's lock does
 * nothing, and the due passes are the clock's alone until it commits. */
static int sqlite_school_lock(hp_store *store, int64_t school_id)
{
    (void)store;
    (void)school_id;
    return HP_OK;
}

/* Steps a bound statement that gives one number (NULL: *has_out false, when has_out is
 * given). */
static int one_number(sqlite_store *s, sqlite3_stmt *st, const char *what, bool *has_out,
                      int64_t *out)
{
    if (sqlite3_step(st) != SQLITE_ROW)
        return db_error(s, what);
    if (has_out)
        *has_out = sqlite3_column_type(st, 0) != SQLITE_NULL;
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return HP_OK;
}

static int sqlite_student_counted(hp_store *store, int64_t school_id, int64_t student_id,
                                  int32_t from_day, int32_t to_day, int64_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_STUDENT_COUNTED);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, student_id);
    sqlite3_bind_int(st, 3, from_day);
    sqlite3_bind_int(st, 4, to_day);
    return one_number(s, st, "counting a student's passes", NULL, count_out);
}

static int sqlite_student_last_end(hp_store *store, int64_t school_id, int64_t student_id,
                                   int32_t from_day, int64_t now, bool *has_out, int64_t *end_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_STUDENT_LAST_END);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, student_id);
    sqlite3_bind_int(st, 3, from_day);
    sqlite3_bind_int64(st, 4, now);
    return one_number(s, st, "reading a student's last pass", has_out, end_out);
}

static int sqlite_passes_due(hp_store *store, int64_t school_id, int64_t now, size_t limit,
                             hp_pass **out, size_t *count_out)
{
    return passes_limited(store, ST_PASSES_DUE, school_id, now, limit, out, count_out);
}

static int sqlite_pass_reopen(hp_store *store, int64_t school_id, int64_t pass_id)
{
    return pass_update(from_base(store), ST_PASS_REOPEN, school_id, pass_id, NULL);
}

/* ---- Encounter groups ----
 * Statements prepared per call: groups change rarely, and the one read in a pass's
 * transaction costs a prepare beside the rest of it. */

static int prepare(sqlite_store *s, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
        return db_error(s, "preparing a statement");
    return HP_OK;
}

/* Prepares a statement whose ?1 is the school, and binds it. */
static int prepare_for_school(sqlite_store *s, const char *sql, int64_t school_id,
                              sqlite3_stmt **out)
{
    int rc = prepare(s, sql, out);
    if (rc == HP_OK)
        sqlite3_bind_int64(*out, 1, school_id);
    return rc;
}

/* Steps a statement that returns no rows, then finalizes it. */
static int run_once(sqlite_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? HP_OK : db_error(s, what);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_groups_list(hp_store *store, int64_t school_id, hp_group **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc, step;
    if ((rc =
             prepare_for_school(s,
                                "SELECT id, name, active FROM encounter_groups WHERE school_id = ?1"
                                " ORDER BY id",
                                school_id, &st)) < 0)
        return rc;
    GArray *groups = g_array_new(FALSE, TRUE, sizeof(hp_group));
    GHashTable *index = g_hash_table_new(g_int64_hash, g_int64_equal);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        hp_group g = {.id = sqlite3_column_int64(st, 0),
                      .name = dup_column(st, 1),
                      .active = sqlite3_column_int(st, 2) != 0};
        g_array_append_val(groups, g);
    }
    rc = step == SQLITE_DONE ? HP_OK : db_error(s, "listing encounter groups");
    sqlite3_finalize(st);
    for (guint i = 0; i < groups->len; i++)
        g_hash_table_insert(index, &g_array_index(groups, hp_group, i).id,
                            &g_array_index(groups, hp_group, i));
    if (rc == HP_OK &&
        (rc = prepare_for_school(s,
                                 "SELECT group_id, student_id FROM encounter_members"
                                 " WHERE school_id = ?1 ORDER BY group_id, student_id",
                                 school_id, &st)) == HP_OK) {
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t gid = sqlite3_column_int64(st, 0);
            hp_group *g = g_hash_table_lookup(index, &gid);
            if (g == NULL)
                continue;
            g->members = g_renew(int64_t, g->members, g->member_count + 1);
            g->members[g->member_count++] = sqlite3_column_int64(st, 1);
        }
        rc = step == SQLITE_DONE ? HP_OK : db_error(s, "listing encounter groups' students");
        sqlite3_finalize(st);
    }
    g_hash_table_destroy(index);
    size_t n = groups->len;
    hp_group *list = (hp_group *)g_array_free(groups, FALSE);
    if (rc < 0) {
        hp_groups_free(list, n);
        return rc;
    }
    *out = list;
    *count_out = n;
    return HP_OK;
}

static int sqlite_group_put(hp_store *store, int64_t school_id, hp_group *group)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc;
    bool insert = group->id == 0;
    if ((rc = prepare_for_school(s,
                                 insert ? "INSERT INTO encounter_groups(school_id, name, active)"
                                          " VALUES (?1, ?2, ?3)"
                                        : "UPDATE encounter_groups SET name = ?2, active = ?3"
                                          " WHERE school_id = ?1 AND id = ?4",
                                 school_id, &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 2, group->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, group->active ? 1 : 0);
    if (!insert)
        sqlite3_bind_int64(st, 4, group->id);
    if ((rc = run_once(s, st, "saving an encounter group")) < 0)
        return rc;
    if (insert)
        group->id = sqlite3_last_insert_rowid(s->db);
    else if (sqlite3_changes(s->db) == 0)
        return HP_ENOTFOUND;
    if ((rc = prepare_for_school(
             s, "DELETE FROM encounter_members WHERE school_id = ?1 AND group_id = ?2", school_id,
             &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 2, group->id);
    if ((rc = run_once(s, st, "saving an encounter group's students")) < 0)
        return rc;
    for (size_t i = 0; i < group->member_count; i++) {
        if ((rc =
                 prepare_for_school(s,
                                    "INSERT INTO encounter_members(school_id, group_id, student_id)"
                                    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                                    school_id, &st)) < 0)
            return rc;
        sqlite3_bind_int64(st, 2, group->id);
        sqlite3_bind_int64(st, 3, group->members[i]);
        if ((rc = run_once(s, st, "saving an encounter group's students")) < 0)
            return rc;
    }
    return HP_OK;
}

static int sqlite_group_delete(hp_store *store, int64_t school_id, int64_t group_id)
{
    sqlite_store *s = from_base(store);
    static const char *const sql[] = {
        "DELETE FROM encounter_members WHERE school_id = ?1 AND group_id = ?2",
        "DELETE FROM encounter_groups WHERE school_id = ?1 AND id = ?2",
    };
    for (size_t i = 0; i < HP_ARRAY_SIZE(sql); i++) {
        sqlite3_stmt *st;
        int rc = prepare_for_school(s, sql[i], school_id, &st);
        if (rc < 0)
            return rc;
        sqlite3_bind_int64(st, 2, group_id);
        if ((rc = run_once(s, st, "removing an encounter group")) < 0)
            return rc;
    }
    return sqlite3_changes(s->db) == 0 ? HP_ENOTFOUND : HP_OK;
}

/* One writer at a time (BEGIN IMMEDIATE): the transaction already holds every group. */
static int sqlite_groups_lock(hp_store *store, int64_t school_id, int64_t student_id)
{
    (void)store;
    (void)school_id;
    (void)student_id;
    return HP_OK;
}

/* The other students' active passes, through the index of open passes, and their
 * outstanding offers from the line, through the index of entries by student. */
static int sqlite_group_encounter(hp_store *store, int64_t school_id, int64_t student_id,
                                  int64_t now, int64_t *group_id_out, char **name_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc = prepare_for_school(s,
                                "SELECT g.id, g.name FROM encounter_members m"
                                " JOIN encounter_groups g ON g.id = m.group_id"
                                " WHERE m.school_id = ?1 AND m.student_id = ?3 AND g.active = 1"
                                " AND (EXISTS (SELECT 1 FROM encounter_members o JOIN passes p"
                                "  ON p.student_id = o.student_id AND" ACTIVE_AT_PREFIXED
                                "  WHERE o.group_id = g.id AND o.student_id <> ?3)"
                                " OR EXISTS (SELECT 1 FROM encounter_members o"
                                "  JOIN line_entries l ON l.school_id = o.school_id"
                                "  AND l.student_id = o.student_id AND l.state = 'offered'"
                                "  AND l.offer_expires > ?2"
                                "  WHERE o.group_id = g.id AND o.student_id <> ?3))"
                                " ORDER BY g.id LIMIT 1",
                                school_id, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, student_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *group_id_out = sqlite3_column_int64(st, 0);
        *name_out = dup_column(st, 1);
    } else if (step != SQLITE_DONE) {
        rc = db_error(s, "reading the student's encounter groups");
    }
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_group_prevented_add(hp_store *store, int64_t school_id,
                                      const hp_group_prevented *prevented)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc = prepare_for_school(
        s,
        "INSERT INTO encounter_prevented(school_id, group_id, group_name, student_id,"
        " at, source, local_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        school_id, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 2, prevented->group_id);
    sqlite3_bind_text(st, 3, prevented->group_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, prevented->student_id);
    sqlite3_bind_int64(st, 5, prevented->at);
    sqlite3_bind_text(st, 6, hp_source_name(prevented->source), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, prevented->local_day);
    return run_once(s, st, "recording a prevented pass");
}

static int sqlite_group_prevented_count(hp_store *store, int64_t school_id, int64_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc = prepare_for_school(s, "SELECT count(*) FROM encounter_prevented WHERE school_id = ?1",
                                school_id, &st);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *count_out = sqlite3_column_int64(st, 0);
    else
        rc = db_error(s, "counting prevented passes");
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_group_override_add(hp_store *store, int64_t school_id, int64_t pass_id,
                                     int64_t group_id, int32_t local_day)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc = prepare_for_school(s,
                                "INSERT INTO encounter_overridden(school_id, pass_id, group_id,"
                                " local_day) VALUES (?1, ?2, ?3, ?4)",
                                school_id, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 2, pass_id);
    sqlite3_bind_int64(st, 3, group_id);
    sqlite3_bind_int(st, 4, local_day);
    return run_once(s, st, "recording an overridden encounter");
}

/* Day counters of one kind summed from a school's recorded rows: the statement gives, per row,
 * the subject, the local day and the kind's values in order (what `hallpass check` recounts the
 * kinds that records keep from). */
static int record_days(hp_store *store, int64_t school_id, const char *sql, hp_counter_kind kind,
                       const char *what, hp_counter **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    int rc = prepare_for_school(s, sql, school_id, &st);
    if (rc < 0)
        return rc;
    size_t values = hp_counter_kind_describe(kind)->value_count;
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(hp_counter));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        hp_counter c = {.key = {.kind = kind,
                                .period = HP_PERIOD_DAY,
                                .bucket = sqlite3_column_int(st, 1),
                                .subject = sqlite3_column_int64(st, 0)}};
        for (size_t v = 0; v < values; v++)
            c.values[v] = sqlite3_column_int64(st, 2 + (int)v);
        g_array_append_val(rows, c);
    }
    rc = step == SQLITE_DONE ? HP_OK : db_error(s, what);
    sqlite3_finalize(st);
    *count_out = rows->len;
    *out = (hp_counter *)g_array_free(rows, FALSE);
    if (rc < 0) {
        hp_counters_free(*out);
        *out = NULL;
    }
    return rc;
}

static int sqlite_group_override_days(hp_store *store, int64_t school_id, hp_counter **out,
                                      size_t *count_out)
{
    return record_days(store, school_id,
                       "SELECT group_id, local_day, count(*) FROM encounter_overridden"
                       " WHERE school_id = ?1 GROUP BY group_id, local_day",
                       HP_COUNTER_GROUP_OVERRIDES, "summing overridden encounters", out, count_out);
}

static int sqlite_line_wait_days(hp_store *store, int64_t school_id, hp_counter **out,
                                 size_t *count_out)
{
    return record_days(store, school_id,
                       "SELECT p.destination_id, p.local_day, count(*),"
                       " sum(p.start_at - l.joined) FROM line_entries l"
                       " JOIN passes p ON p.id = l.pass_id"
                       " WHERE l.school_id = ?1 AND l.state = 'started'"
                       " GROUP BY p.destination_id, p.local_day",
                       HP_COUNTER_ROOM_WAITS, "summing the line's waits", out, count_out);
}

static int sqlite_group_prevented_days(hp_store *store, int64_t school_id, hp_counter **out,
                                       size_t *count_out)
{
    return record_days(store, school_id,
                       "SELECT group_id, local_day, count(*) FROM encounter_prevented"
                       " WHERE school_id = ?1 GROUP BY group_id, local_day",
                       HP_COUNTER_GROUP_REFUSALS, "summing prevented passes", out, count_out);
}

/* No-pass times: the bell schedule and blackouts. Writers run one at a time, so no lock is
 * needed for a creator to see them settled. */
static int sqlite_school_lock_shared(hp_store *store, int64_t school_id)
{
    (void)store;
    (void)school_id;
    return HP_OK;
}

static void read_bell_row(sqlite3_stmt *st, void *row)
{
    hp_bell_row *r = row;
    r->weekday = sqlite3_column_int(st, 0);
    r->date = sqlite3_column_int(st, 1);
    r->period = dup_column(st, 2);
    r->start = sqlite3_column_int(st, 3);
    r->end = sqlite3_column_int(st, 4);
}

static void release_bell_row(void *row)
{
    g_free(((hp_bell_row *)row)->period);
}

static int sqlite_schedule_read(hp_store *store, int64_t school_id, int32_t day, hp_bell_row **out,
                                size_t *count_out)
{
    sqlite_store *s = from_base(store);
    bool whole = day == HP_SCHEDULE_WHOLE;
    sqlite3_stmt *st = stmt_get(s, whole ? ST_SCHEDULE_WHOLE : ST_SCHEDULE_DAY);
    sqlite3_bind_int64(st, 1, school_id);
    if (!whole) {
        sqlite3_bind_int(st, 2, hp_date_weekday(day));
        sqlite3_bind_int(st, 3, day);
    }
    return collect_rows(s, st, sizeof(hp_bell_row), read_bell_row, release_bell_row,
                        "reading the bell schedule", (void **)out, count_out);
}

static int sqlite_schedule_write(hp_store *store, int64_t school_id, const hp_bell_row *rows,
                                 size_t count)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SCHEDULE_CLEAR);
    sqlite3_bind_int64(st, 1, school_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_error(s, "replacing the bell schedule");
    for (size_t i = 0; i < count; i++) {
        st = stmt_get(s, ST_SCHEDULE_INSERT);
        sqlite3_bind_int64(st, 1, school_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int(st, 3, rows[i].weekday);
        sqlite3_bind_int(st, 4, rows[i].weekday == 0 ? rows[i].date : 0);
        sqlite3_bind_text(st, 5, rows[i].period, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, rows[i].start);
        sqlite3_bind_int(st, 7, rows[i].end);
        if (sqlite3_step(st) != SQLITE_DONE)
            return db_error(s, "writing the bell schedule");
    }
    return HP_OK;
}

static void read_blackout(sqlite3_stmt *st, void *row)
{
    hp_blackout *b = row;
    b->id = sqlite3_column_int64(st, 0);
    b->start = sqlite3_column_int64(st, 1);
    b->has_end = sqlite3_column_type(st, 2) != SQLITE_NULL;
    b->end = b->has_end ? sqlite3_column_int64(st, 2) : 0;
    b->reason = dup_column_or_null(st, 3);
    b->created_by = sqlite3_column_int64(st, 4);
    b->created_at = sqlite3_column_int64(st, 5);
    b->creator_name = dup_column_or_null(st, 6);
}

static int sqlite_blackouts_read(hp_store *store, int64_t school_id, bool at_only, int64_t at,
                                 hp_blackout **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, at_only ? ST_BLACKOUT_AT : ST_BLACKOUTS_LIST);
    sqlite3_bind_int64(st, 1, school_id);
    if (at_only)
        sqlite3_bind_int64(st, 2, at);
    return collect_rows(s, st, sizeof(hp_blackout), read_blackout,
                        (GDestroyNotify)hp_blackout_release, "reading the blackouts", (void **)out,
                        count_out);
}

static int sqlite_blackout_insert(hp_store *store, int64_t school_id, hp_blackout *blackout)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_BLACKOUT_INSERT);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, blackout->start);
    if (blackout->has_end)
        sqlite3_bind_int64(st, 3, blackout->end);
    else
        sqlite3_bind_null(st, 3);
    bind_text_or_null(st, 4, blackout->reason);
    sqlite3_bind_int64(st, 5, blackout->created_by);
    sqlite3_bind_int64(st, 6, blackout->created_at);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_error(s, "saving a blackout");
    blackout->id = sqlite3_last_insert_rowid(s->db);
    return HP_OK;
}

static int sqlite_blackout_delete(hp_store *store, int64_t school_id, int64_t blackout_id)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_BLACKOUT_DELETE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, blackout_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_error(s, "deleting a blackout");
    return sqlite3_changes(s->db) > 0 ? HP_OK : HP_ENOTFOUND;
}

/* ---- Refusals ---- */

static int sqlite_refusal_add(hp_store *store, int64_t school_id, const hp_refusal *refusal)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_REFUSAL_ADD);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int(st, 2, refusal->rule);
    sqlite3_bind_int64(st, 3, refusal->student_id);
    sqlite3_bind_int64(st, 4, refusal->origin_id);
    sqlite3_bind_int64(st, 5, refusal->destination_id);
    sqlite3_bind_text(st, 6, hp_source_name(refusal->source), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, refusal->at);
    sqlite3_bind_int(st, 8, refusal->local_day);
    return sqlite3_step(st) == SQLITE_DONE ? HP_OK : db_error(s, "recording a refusal");
}

static void read_refusal_sum(sqlite3_stmt *st, void *out)
{
    *(hp_refusal_sum *)out =
        (hp_refusal_sum){.refusal = {.rule = sqlite3_column_int(st, 0),
                                     .student_id = sqlite3_column_int64(st, 1),
                                     .origin_id = sqlite3_column_int64(st, 2),
                                     .destination_id = sqlite3_column_int64(st, 3),
                                     .local_day = sqlite3_column_int(st, 4)},
                         .count = sqlite3_column_int64(st, 5)};
}

static int sqlite_refusal_sums(hp_store *store, int64_t school_id, hp_refusal_sum **out,
                               size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_REFUSAL_SUMS);
    sqlite3_bind_int64(st, 1, school_id);
    return collect_rows(s, st, sizeof(hp_refusal_sum), read_refusal_sum, NULL, "summing refusals",
                        (void **)out, count_out);
}

static int sqlite_refusals_unrecorded(hp_store *store, int64_t school_id, bool *any_out,
                                      int32_t *day_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_REFUSALS_UNRECORDED);
    int64_t day = 0;
    sqlite3_bind_int64(st, 1, school_id);
    int rc = one_number(s, st, "reading the days of refusals not recorded", any_out, &day);
    *day_out = (int32_t)day;
    return rc;
}

static int sqlite_counters_unbuilt_next(hp_store *store, bool *found, int64_t *school_id)
{
    sqlite_store *s = from_base(store);
    return one_number(s, stmt_get(s, ST_COUNTERS_UNBUILT_NEXT),
                      "reading the schools whose counters are to be built", found, school_id);
}

static int sqlite_counters_unbuilt_take(hp_store *store, int64_t school_id, bool *taken)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_COUNTERS_UNBUILT_TAKE);
    sqlite3_bind_int64(st, 1, school_id);
    int rc = step_done(s, st, "marking a school's counters built");
    *taken = rc == HP_OK && sqlite3_changes(s->db) > 0;
    return rc;
}

/* ---- The waiting line ----
 * SQLite's writers run one at a time (BEGIN IMMEDIATE), so a walk of the line needs no lock
 * beyond its transaction. */

static void read_line_entry(sqlite3_stmt *st, void *row)
{
    hp_line_entry *e = row;
    e->id = sqlite3_column_int64(st, 0);
    e->student_id = sqlite3_column_int64(st, 1);
    e->origin_id = sqlite3_column_int64(st, 2);
    e->destination_id = sqlite3_column_int64(st, 3);
    e->creator_id = sqlite3_column_int64(st, 4);
    hp_source_parse((const char *)sqlite3_column_text(st, 5), &e->source);
    e->joined = sqlite3_column_int64(st, 6);
    e->local_day = sqlite3_column_int(st, 7);
    hp_line_state_parse((const char *)sqlite3_column_text(st, 8), &e->state);
    e->offered_at = sqlite3_column_int64(st, 9);
    e->offer_expires = sqlite3_column_int64(st, 10);
    e->lapses = sqlite3_column_int(st, 11);
    e->pass_id = sqlite3_column_int64(st, 12);
    e->ended_at = sqlite3_column_int64(st, 13);
    e->student_name = dup_column(st, 14);
    e->student_email = dup_column(st, 15);
    e->student_code = dup_column_or_null(st, 16);
    e->origin_name = dup_column(st, 17);
    e->destination_name = dup_column(st, 18);
}

static int sqlite_line_insert(hp_store *store, int64_t school_id, hp_line_entry *entry)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_LINE_INSERT);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, entry->student_id);
    sqlite3_bind_int64(st, 3, entry->origin_id);
    sqlite3_bind_int64(st, 4, entry->destination_id);
    sqlite3_bind_int64(st, 5, entry->creator_id);
    sqlite3_bind_text(st, 6, hp_source_name(entry->source), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, entry->joined);
    sqlite3_bind_int(st, 8, entry->local_day);
    int rc = step_done(s, st, "joining the line");
    if (rc == HP_OK) {
        entry->id = sqlite3_last_insert_rowid(s->db);
        entry->state = HP_LINE_WAITING;
    }
    return rc;
}

static int sqlite_line_get(hp_store *store, int64_t school_id, int64_t entry_id, hp_line_entry *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_LINE_GET);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, entry_id);
    return find_one(s, st, read_line_entry, out, "reading an entry in line");
}

/* The line's list: in line at ?2 (core/line.h: waiting today, or an offer still standing, or
 * one that lapsed the first time today), or written open; one student's when ?4 is not 0. */
static int sqlite_line_list(hp_store *store, int64_t school_id, const hp_line_filter *filter,
                            hp_line_entry **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st;
    const char *sql =
        filter->kind == HP_LINE_LIST_IN_LINE
            ? "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = ?1"
              " AND ((l.state = 'waiting' AND l.local_day = ?3) OR (l.state = 'offered'"
              " AND (l.offer_expires > ?2 OR (l.lapses = 0 AND l.local_day = ?3))))"
              " AND (?4 = 0 OR l.student_id = ?4) ORDER BY l.joined, l.id LIMIT ?5"
        : filter->kind == HP_LINE_LIST_OPEN
            ? "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = ?1"
              " AND (l.state = 'waiting' OR l.state = 'offered') AND ?2 = ?2 AND ?3 = ?3"
              " AND (?4 = 0 OR l.student_id = ?4) ORDER BY l.joined, l.id LIMIT ?5"
            : "SELECT " LINE_COLUMNS " FROM " LINE_JOINS " WHERE l.school_id = ?1"
              " AND ?2 = ?2 AND ?3 = ?3 AND (?4 = 0 OR l.student_id = ?4)"
              " ORDER BY l.joined, l.id LIMIT ?5";
    int rc = prepare_for_school(s, sql, school_id, &st);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 2, filter->now);
    sqlite3_bind_int(st, 3, filter->today);
    sqlite3_bind_int64(st, 4, filter->student_id);
    sqlite3_bind_int64(st, 5, filter->limit > 0 ? (sqlite3_int64)filter->limit : -1);
    rc = collect_rows(s, st, sizeof(hp_line_entry), read_line_entry,
                      (GDestroyNotify)hp_line_entry_release, "listing the line", (void **)out,
                      count_out);
    sqlite3_finalize(st);
    return rc;
}

static void bind_or_null(sqlite3_stmt *st, int idx, int64_t value)
{
    if (value != 0)
        sqlite3_bind_int64(st, idx, value);
    else
        sqlite3_bind_null(st, idx);
}

static int sqlite_line_update(hp_store *store, int64_t school_id, const hp_line_entry *entry)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_LINE_UPDATE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, entry->id);
    sqlite3_bind_text(st, 3, hp_line_state_name(entry->state), -1, SQLITE_STATIC);
    bind_or_null(st, 4, entry->offered_at);
    bind_or_null(st, 5, entry->offer_expires);
    sqlite3_bind_int(st, 6, entry->lapses);
    bind_or_null(st, 7, entry->pass_id);
    bind_or_null(st, 8, entry->ended_at);
    int rc = step_done(s, st, "changing an entry in line");
    if (rc == HP_OK && sqlite3_changes(s->db) == 0)
        return HP_ENOTFOUND;
    return rc;
}

static int sqlite_line_offers(hp_store *store, int64_t school_id, hp_active_kind kind, int64_t id,
                              int64_t now, int64_t exclude_id, int64_t *count_out)
{
    sqlite_store *s = from_base(store);
    int which = kind == HP_ACTIVE_FROM_ROOM   ? ST_LINE_OFFERS_FROM
                : kind == HP_ACTIVE_TO_ROOM   ? ST_LINE_OFFERS_TO
                : kind == HP_ACTIVE_IN_SCHOOL ? ST_LINE_OFFERS_SCHOOL
                                              : ST_LINE_OFFERS_STUDENT;
    sqlite3_stmt *st = stmt_get(s, which);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, now);
    if (kind != HP_ACTIVE_IN_SCHOOL)
        sqlite3_bind_int64(st, 3, id);
    bind_or_null(st, 4, exclude_id);
    return one_number(s, st, "counting offers from the line", NULL, count_out);
}

static int sqlite_line_remove_student(hp_store *store, int64_t school_id, int64_t student_id,
                                      int64_t now)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_LINE_REMOVE_STUDENT);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, student_id);
    sqlite3_bind_int64(st, 3, now);
    return step_done(s, st, "removing a student from the line");
}

static int sqlite_line_walk_lock(hp_store *store, int64_t school_id, const int64_t *room_ids,
                                 size_t room_count, const int64_t *student_ids,
                                 size_t student_count, bool *got)
{
    (void)store;
    (void)school_id;
    (void)room_ids;
    (void)room_count;
    (void)student_ids;
    (void)student_count;
    *got = true;
    return HP_OK;
}

/* ---- Retention ---- */

/* Runs removal steps with their parameters ($1 ... bound by name), counting what each
 * removed. They run once a day or once per student removed, so each is prepared when run,
 * not kept. */
static int sqlite_run_removal(hp_store *store, const hp_removal_step *steps, size_t count,
                              const int64_t *params, hp_removed_counts *out, const char *what)
{
    sqlite_store *s = from_base(store);
    *out = (hp_removed_counts){0};
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, steps[i].sql, -1, &st, NULL) != SQLITE_OK)
            return db_error(s, what);
        for (int p = 0; p < steps[i].params; p++) {
            char name[HP_REMOVAL_PARAM_LEN];
            snprintf(name, sizeof(name), "$%d", p + 1);
            sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), params[p]);
        }
        int rc = step_done(s, st, what);
        sqlite3_finalize(st);
        if (rc < 0)
            return rc;
        hp_removal_count(out, &steps[i], sqlite3_changes(s->db));
    }
    return HP_OK;
}

static int sqlite_purged_before(hp_store *store, int64_t school_id, int32_t *day_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_PURGED_BEFORE);
    sqlite3_bind_int64(st, 1, school_id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_error(s, "reading the days purged");
    *day_out = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return HP_OK;
}

static int sqlite_counts_removed_add(hp_store *store, int64_t school_id, const hp_counter *days,
                                     size_t count)
{
    sqlite_store *s = from_base(store);
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *st = stmt_get(s, ST_COUNTS_REMOVED_ADD);
        sqlite3_bind_int64(st, 1, school_id);
        sqlite3_bind_int(st, 2, days[i].key.kind);
        sqlite3_bind_int(st, 3, days[i].key.bucket);
        sqlite3_bind_int64(st, 4, days[i].key.subject);
        for (int v = 0; v < HP_COUNTER_VALUES; v++)
            sqlite3_bind_int64(st, 5 + v, days[i].values[v]);
        int rc = step_done(s, st, "keeping what removed records counted");
        if (rc < 0)
            return rc;
    }
    return HP_OK;
}

static void read_removed_count(sqlite3_stmt *st, void *row)
{
    hp_counter *c = row;
    *c = (hp_counter){.key = {(hp_counter_kind)sqlite3_column_int(st, 0), HP_PERIOD_DAY,
                              sqlite3_column_int(st, 1), sqlite3_column_int64(st, 2)}};
    for (int v = 0; v < HP_COUNTER_VALUES; v++)
        c->values[v] = sqlite3_column_int64(st, 3 + v);
}

static int sqlite_counts_removed_read(hp_store *store, int64_t school_id, hp_counter **out,
                                      size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_COUNTS_REMOVED_READ);
    sqlite3_bind_int64(st, 1, school_id);
    return collect_rows(s, st, sizeof(hp_counter), read_removed_count, NULL,
                        "reading what removed records counted", (void **)out, count_out);
}

static void read_refusal(sqlite3_stmt *st, void *row)
{
    hp_refusal *r = row;
    *r = (hp_refusal){.rule = sqlite3_column_int(st, 0),
                      .student_id = sqlite3_column_int64(st, 1),
                      .origin_id = sqlite3_column_int64(st, 2),
                      .destination_id = sqlite3_column_int64(st, 3),
                      .at = sqlite3_column_int64(st, 5),
                      .local_day = sqlite3_column_int(st, 6)};
    hp_source_parse((const char *)sqlite3_column_text(st, 4), &r->source);
}

static int sqlite_student_refusals(hp_store *store, int64_t school_id, int64_t student_id,
                                   hp_refusal **out, size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_STUDENT_REFUSALS);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, student_id);
    return collect_rows(s, st, sizeof(hp_refusal), read_refusal, NULL,
                        "reading a student's refusals", (void **)out, count_out);
}

/* ---- Share links ---- */

static int sqlite_share_insert(hp_store *store, hp_share *share, const unsigned char *token_hash)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SHARE_INSERT);
    sqlite3_bind_int64(st, 1, share->school_id);
    sqlite3_bind_text(st, 2, share->report, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, share->from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, share->to, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, share->created_by);
    sqlite3_bind_int64(st, 6, share->created_at);
    sqlite3_bind_int64(st, 7, share->expires_at);
    sqlite3_bind_blob(st, 8, token_hash, HP_TOKEN_HASH_BYTES, SQLITE_TRANSIENT);
    int rc = step_done(s, st, "saving a share link");
    if (rc < 0)
        return rc;
    share->id = sqlite3_last_insert_rowid(s->db);
    return HP_OK;
}

static void read_share(sqlite3_stmt *st, void *row)
{
    hp_share *share = row;
    share->id = sqlite3_column_int64(st, 0);
    share->school_id = sqlite3_column_int64(st, 1);
    share->report = dup_column(st, 2);
    share->from = dup_column(st, 3);
    share->to = dup_column(st, 4);
    share->created_by = sqlite3_column_int64(st, 5);
    share->created_at = sqlite3_column_int64(st, 6);
    share->expires_at = sqlite3_column_int64(st, 7);
    share->revoked_at = sqlite3_column_int64(st, 8);
    share->creator_name = dup_column_or_null(st, 9);
}

static int sqlite_share_find(hp_store *store, const unsigned char *token_hash, hp_share *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SHARE_FIND);
    sqlite3_bind_blob(st, 1, token_hash, HP_TOKEN_HASH_BYTES, SQLITE_TRANSIENT);
    return find_one(s, st, read_share, out, "finding a share link");
}

static int sqlite_share_get(hp_store *store, int64_t school_id, int64_t share_id, hp_share *out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SHARE_GET);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, share_id);
    return find_one(s, st, read_share, out, "reading a share link");
}

static int sqlite_shares_active(hp_store *store, int64_t school_id, int64_t now, hp_share **out,
                                size_t *count_out)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SHARES_ACTIVE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, now);
    return collect_rows(s, st, sizeof(hp_share), read_share, (GDestroyNotify)hp_share_release,
                        "listing share links", (void **)out, count_out);
}

static int sqlite_share_revoke(hp_store *store, int64_t school_id, int64_t share_id, int64_t now)
{
    sqlite_store *s = from_base(store);
    sqlite3_stmt *st = stmt_get(s, ST_SHARE_REVOKE);
    sqlite3_bind_int64(st, 1, school_id);
    sqlite3_bind_int64(st, 2, share_id);
    sqlite3_bind_int64(st, 3, now);
    int rc = step_done(s, st, "revoking a share link");
    if (rc < 0)
        return rc;
    return sqlite3_changes(s->db) > 0 ? HP_OK : HP_ENOTFOUND;
}

static const hp_store_ops sqlite_ops = {
    .version = HP_STORE_OPS_VERSION,
    .name = "sqlite",
    .ping = sqlite_ping,
    .free = sqlite_free,
    .begin = sqlite_begin,
    .begin_import = sqlite_begin_import,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .schema_version = sqlite_schema_version,
    .school_create = sqlite_school_create,
    .schools_list = sqlite_schools_list,
    .room_find = sqlite_room_find,
    .room_put = sqlite_room_put,
    .rooms_list = sqlite_rooms_list,
    .user_find = sqlite_user_find,
    .user_find_student_id = sqlite_user_find_student_id,
    .users_search = sqlite_users_search,
    .user_put = sqlite_user_put,
    .users_list = sqlite_users_list,
    .passes_import = sqlite_passes_import,
    .counts_write = sqlite_counts_write,
    .counts_each = sqlite_counts_each,
    .pass_count = sqlite_pass_count,
    .session_create = sqlite_session_create,
    .session_get = sqlite_session_get,
    .session_touch = sqlite_session_touch,
    .session_set_kiosk = sqlite_session_set_kiosk,
    .session_delete = sqlite_session_delete,
    .sessions_expire = sqlite_sessions_expire,
    .sessions_delete_user = sqlite_sessions_delete_user,
    .logins_find = sqlite_logins_find,
    .user_get = sqlite_user_get,
    .room_get = sqlite_room_get,
    .passes_lock = sqlite_passes_lock,
    .active_count = sqlite_active_count,
    .pass_insert = sqlite_pass_insert,
    .pass_get = sqlite_pass_get,
    .pass_set_end = sqlite_pass_set_end,
    .pass_set_cancelled = sqlite_pass_set_cancelled,
    .passes_refix_upcoming = sqlite_passes_refix_upcoming,
    .passes_active = sqlite_passes_active,
    .passes_page = sqlite_passes_page,
    .passes_list = sqlite_passes_list,
    .settings_read = sqlite_settings_read,
    .setting_write = sqlite_setting_write,
    .room_rules_put = sqlite_room_rules_put,
    .user_rules_put = sqlite_user_rules_put,
    .user_active_put = sqlite_user_active_put,
    .audit_append = sqlite_audit_append,
    .audit_list = sqlite_audit_list,
    .audit_purge = sqlite_audit_purge,
    .school_lock = sqlite_school_lock,
    .student_counted = sqlite_student_counted,
    .student_last_end = sqlite_student_last_end,
    .passes_due = sqlite_passes_due,
    .pass_reopen = sqlite_pass_reopen,
    .groups_list = sqlite_groups_list,
    .group_put = sqlite_group_put,
    .group_delete = sqlite_group_delete,
    .groups_lock = sqlite_groups_lock,
    .group_encounter = sqlite_group_encounter,
    .group_prevented_add = sqlite_group_prevented_add,
    .group_prevented_count = sqlite_group_prevented_count,
    .group_prevented_days = sqlite_group_prevented_days,
    .line_wait_days = sqlite_line_wait_days,
    .group_override_add = sqlite_group_override_add,
    .group_override_days = sqlite_group_override_days,
    .school_lock_shared = sqlite_school_lock_shared,
    .schedule_read = sqlite_schedule_read,
    .schedule_write = sqlite_schedule_write,
    .blackouts_read = sqlite_blackouts_read,
    .blackout_insert = sqlite_blackout_insert,
    .blackout_delete = sqlite_blackout_delete,
    .refusal_add = sqlite_refusal_add,
    .refusal_sums = sqlite_refusal_sums,
    .refusals_unrecorded = sqlite_refusals_unrecorded,
    .counters_unbuilt_next = sqlite_counters_unbuilt_next,
    .counters_unbuilt_take = sqlite_counters_unbuilt_take,
    .line_insert = sqlite_line_insert,
    .line_get = sqlite_line_get,
    .line_list = sqlite_line_list,
    .line_update = sqlite_line_update,
    .line_offers = sqlite_line_offers,
    .line_remove_student = sqlite_line_remove_student,
    .line_walk_lock = sqlite_line_walk_lock,
    .run_removal = sqlite_run_removal,
    .purged_before = sqlite_purged_before,
    .counts_removed_add = sqlite_counts_removed_add,
    .counts_removed_read = sqlite_counts_removed_read,
    .student_refusals = sqlite_student_refusals,
    .share_insert = sqlite_share_insert,
    .share_find = sqlite_share_find,
    .share_get = sqlite_share_get,
    .shares_active = sqlite_shares_active,
    .share_revoke = sqlite_share_revoke,
    .user_sources_list = sqlite_user_sources_list,
    .user_source_put = sqlite_user_source_put,
};

int hp_sqlite_store_open(hp_store **out, const char *path, bool create)
{
    *out = NULL;
    if (!create && access(path, F_OK) != 0)
        return hp_error_set(HP_ENOTFOUND, "%s: no such store; create it with hallpass init", path);

    sqlite_store *s = g_new0(sqlite_store, 1);
    s->base.ops = &sqlite_ops;
    s->path = g_strdup(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc;

    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = hp_error_set(HP_ESTORE, "%s: cannot open: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    if ((rc = exec(s, "PRAGMA journal_mode = WAL", "setting the journal")) < 0 ||
        (rc = exec(s, "PRAGMA synchronous = NORMAL", "setting synchronous")) < 0 ||
        (rc = exec(s, "PRAGMA foreign_keys = ON", "turning on foreign keys")) < 0)
        goto fail;
    if ((rc = migrate(s)) < 0)
        goto fail;
    *out = &s->base;
    return HP_OK;
fail:
    sqlite_free(&s->base);
    return rc;
}

/* The online backup (hp_store_backup): a few pages a step with a pause between, so that the
 * server's writers get the file between steps. */
#define BACKUP_PAGES_PER_STEP 64
#define BACKUP_PAUSE_MS 1
/* How long to wait on a step the source's or target's lock holds up, and for how many. */
#define BACKUP_BUSY_PAUSE_MS 20
#define BACKUP_BUSY_TRIES 1500 /* 30 s. */
/* A write by another connection starts the stepped copy over; after this many restarts the
 * rest is copied in one step, which in WAL mode reads one snapshot without blocking writers. */
#define BACKUP_RESTARTS_MAX 4

/* Copies the open store into the new file tmp with SQLite's backup API. */
static int backup_copy(sqlite_store *s, const char *tmp)
{
    sqlite3 *dest = NULL;
    if (sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = hp_error_set(HP_EIO, "%s: cannot write the backup: %s", tmp,
                              dest ? sqlite3_errmsg(dest) : "out of memory");
        sqlite3_close(dest);
        return rc;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
    if (b == NULL) {
        int rc = hp_error_set(HP_EIO, "%s: cannot start the backup: %s", tmp, sqlite3_errmsg(dest));
        sqlite3_close(dest);
        return rc;
    }
    int step = SQLITE_OK, busy = 0, restarts = 0, remaining = -1;
    while (step != SQLITE_DONE) {
        int pages = restarts >= BACKUP_RESTARTS_MAX ? -1 : BACKUP_PAGES_PER_STEP;
        step = sqlite3_backup_step(b, pages);
        if (step == SQLITE_OK || step == SQLITE_DONE) {
            busy = 0;
            int left = sqlite3_backup_remaining(b);
            if (remaining >= 0 && left > remaining)
                restarts++;
            remaining = left;
            if (step == SQLITE_OK)
                g_usleep(BACKUP_PAUSE_MS * G_TIME_SPAN_MILLISECOND);
        } else if ((step == SQLITE_BUSY || step == SQLITE_LOCKED) && ++busy < BACKUP_BUSY_TRIES) {
            g_usleep(BACKUP_BUSY_PAUSE_MS * G_TIME_SPAN_MILLISECOND);
        } else {
            break;
        }
    }
    sqlite3_backup_finish(b);
    int rc = HP_OK;
    if (step != SQLITE_DONE)
        rc = hp_error_set(HP_EIO, "%s: the backup into %s failed: %s", s->path, tmp,
                          sqlite3_errstr(step));
    else if (sqlite3_errcode(dest) != SQLITE_OK)
        rc = hp_error_set(HP_EIO, "%s: the backup failed: %s", tmp, sqlite3_errmsg(dest));
    if (sqlite3_close(dest) != SQLITE_OK && rc == HP_OK)
        rc = hp_error_set(HP_EIO, "%s: cannot close the backup", tmp);
    return rc;
}

int hp_sqlite_store_backup(hp_store *store, const char *to)
{
    sqlite_store *s = from_base(store);
    char *tmp = g_strconcat(to, ".tmp", NULL);
    /* A leftover of a backup that was stopped midway is ours to replace. */
    unlink(tmp);
    int rc = backup_copy(s, tmp);
    if (rc == HP_OK && rename(tmp, to) != 0)
        rc = hp_error_set(HP_EIO, "%s: cannot move the backup into place: %s", to,
                          g_strerror(errno));
    if (rc == HP_OK) {
        /* The rename is kept through a crash only once the folder is written. */
        char *dir = g_path_get_dirname(to);
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
        g_free(dir);
    } else {
        unlink(tmp);
    }
    g_free(tmp);
    return rc;
}
