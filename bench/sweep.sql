-- Checks the passes created over HTTP during the benchmark (those with no import id) against the
-- room limits and the one-active-pass rule, by a sweep over their start/end intervals: a pass is
-- active at t when start <= t < end (or it has no end), so at equal times the ends come first.
-- Prints one line per room or student whose most passes active at once exceeded its limit,
-- then a summary line: checked PASSES passes, VIOLATIONS over a limit.
WITH created AS (
    SELECT * FROM passes WHERE ext_id IS NULL AND cancelled = 0 AND type = 'now'
), events AS (
    SELECT 'from' AS what, origin_id AS id, start_at AS t, 1 AS d FROM created
    UNION ALL SELECT 'from', origin_id, end_at, -1 FROM created WHERE end_at IS NOT NULL
    UNION ALL SELECT 'to', destination_id, start_at, 1 FROM created
    UNION ALL SELECT 'to', destination_id, end_at, -1 FROM created WHERE end_at IS NOT NULL
    UNION ALL SELECT 'student', student_id, start_at, 1 FROM created
    UNION ALL SELECT 'student', student_id, end_at, -1 FROM created WHERE end_at IS NOT NULL
), running AS (
    SELECT what, id, t,
           sum(d) OVER (PARTITION BY what, id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS active
    FROM events
), peaks AS (
    SELECT what, id, max(active) AS peak FROM running GROUP BY what, id
), limits AS (
    SELECT p.what, p.id, p.peak,
           CASE p.what WHEN 'from' THEN r.max_from WHEN 'to' THEN r.max_to ELSE 1 END AS lim,
           coalesce(r.name, u.email) AS name
    FROM peaks p
    LEFT JOIN rooms r ON p.what <> 'student' AND r.id = p.id
    LEFT JOIN users u ON p.what = 'student' AND u.id = p.id
), violations AS (
    SELECT * FROM limits WHERE lim IS NOT NULL AND peak > lim
)
SELECT 'exceeded ' || what || ' ' || name || ': ' || peak || ' active, limit ' || lim
FROM violations
UNION ALL
SELECT 'checked ' || (SELECT count(*) FROM created) || ' passes, '
       || (SELECT count(*) FROM violations) || ' over a limit';
