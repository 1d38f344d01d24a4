-- wrk script for benchmarks/intake_bench.py: POST an event report to INTAKE_PATH with a bearer token.
--   INTAKE_PATH   /api/events or /bench/bare
--   INTAKE_TOKEN  bearer token (a citizen's)
--   INTAKE_POINTS a file of "lon lat" lines (WGS-84 grid centroids inside the governed townships)
--   INTAKE_RATE   offered requests/s over all connections (0 = as fast as possible)
--   INTAKE_CONNS  the number of connections (to spread INTAKE_RATE over them)
-- Each thread counts responses by class; done() prints one JSON line for the harness.

local path = os.getenv("INTAKE_PATH") or "/api/events"
local token = os.getenv("INTAKE_TOKEN") or ""
local rate = tonumber(os.getenv("INTAKE_RATE") or "0")
local conns = tonumber(os.getenv("INTAKE_CONNS") or "1")
local categories = {"E0101", "E0401", "E0403", "E1101", "C0201", "C0104", "E1104", "E0404", "E1102"}
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  ok, created, other, non2xx = 0, 0, 0, 0
  points = {}
  for line in io.lines(os.getenv("INTAKE_POINTS")) do
    local lon, lat = line:match("([%d%.]+)%s+([%d%.]+)")
    if lon then table.insert(points, {tonumber(lon), tonumber(lat)}) end
  end
  math.randomseed(510116 + id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function delay()
  if rate > 0 then return 1000.0 * conns / rate end
  return 0
end

function request()
  local p = points[math.random(#points)]
  local lon = p[1] + (math.random() - 0.5) * 0.0006
  local lat = p[2] + (math.random() - 0.5) * 0.0006
  local body = string.format(
    '{"channel":"citizen","category_code":"%s","lon":%.6f,"lat":%.6f,"crs":"wgs84",' ..
    '"address":"双流区某路%d号","description":"压力测试上报：路边问题需要处理 #%d",' ..
    '"reporter_name":"测试","reporter_phone":"13800000000"}',
    categories[math.random(#categories)], lon, lat, math.random(1, 999), math.random(1, 1000000))
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status >= 200 and status < 300 then ok = ok + 1
  else non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local c, o, n = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); o = o + t:get("ok"); n = n + t:get("non2xx")
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"created":%d,"ok":%d,"non2xx":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, c, o, n,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
