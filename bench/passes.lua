-- wrk script for the pass benchmark (bench/run.sh): each connection creates a now pass for a
-- random student from a random classroom to a restroom with a limit (POST /api/passes), and
-- ends every pass it created (POST /api/passes/ID/end, the id parsed from the 201 answer) with
-- its next request, so that students and rooms become free again. The session cookie comes
-- from wrk's -H. Arguments after --: STUDENTS FIRST_ORIGIN LAST_ORIGIN FIRST_DEST LAST_DEST.
--
-- done() prints one line that run.sh reads:
--   passes created=N ended=N refused_limit=N refused_student=N other=N statuses=201:N,...

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   students = tonumber(args[1]) or 2000
   first_origin = tonumber(args[2]) or 9
   last_origin = tonumber(args[3]) or 150
   first_dest = tonumber(args[4]) or 1
   last_dest = tonumber(args[5]) or 8
   math.randomseed(os.time() * 1000 + thread_id)
   to_end = {}
   created, ended, refused_limit, refused_student, other = 0, 0, 0, 0, 0
   statuses = {}
end

function request()
   local id = table.remove(to_end)
   if id then
      return wrk.format("POST", "/api/passes/" .. id .. "/end", nil, "")
   end
   local origin = math.random(first_origin, last_origin)
   local dest = math.random(first_dest, last_dest)
   local body = string.format(
      '{"student": "student%d@bench.example", "origin": "Room %d", "destination": "Room %d",'
         .. ' "type": "now"}',
      math.random(1, students), origin, dest)
   return wrk.format("POST", "/api/passes", nil, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 201 then
      created = created + 1
      local id = body:match('"id":%s*(%d+)')
      if id then
         table.insert(to_end, id)
      end
   elseif status == 200 then
      ended = ended + 1
   elseif status == 409 and body:find("already has an active pass", 1, true) then
      refused_student = refused_student + 1
   elseif status == 409 then
      refused_limit = refused_limit + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local totals = {created = 0, ended = 0, refused_limit = 0, refused_student = 0, other = 0}
   local all = {}
   for _, t in ipairs(threads) do
      for k in pairs(totals) do
         totals[k] = totals[k] + (t:get(k) or 0)
      end
      for status, n in pairs(t:get("statuses") or {}) do
         all[status] = (all[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(all) do
      table.insert(parts, status .. ":" .. n)
   end
   table.sort(parts)
   io.write(string.format(
      "passes created=%d ended=%d refused_limit=%d refused_student=%d other=%d statuses=%s\n",
      totals.created, totals.ended, totals.refused_limit, totals.refused_student, totals.other,
      table.concat(parts, ",")))
end
