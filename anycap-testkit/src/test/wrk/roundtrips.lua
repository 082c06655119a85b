-- wrk load for a standalone simulator: generates with distinct prompts (so every image is
-- rendered), and downloads every artifact a generate returned. Counts completed round trips.
--
--   java -jar anycap-testkit/target/anycap-testkit-<version>-standalone.jar --port 8787 &
--   wrk -t2 -c32 -d10s -s anycap-testkit/src/test/wrk/roundtrips.lua http://127.0.0.1:8787
local threadid = 0
local threads = {}

function setup(thread)
  thread:set("id", threadid)
  threadid = threadid + 1
  table.insert(threads, thread)
end

function init(args)
  run = os.time()   -- prompts stay distinct across runs against one simulator
  counter = 0
  pending = {}    -- artifact paths waiting to be downloaded, shared by this thread's connections
  generated = 0
  downloaded = 0
  failed = 0
end

function request()
  if #pending > 0 then
    return wrk.format("GET", table.remove(pending), {})
  end
  counter = counter + 1
  local body = '{"model":"nano-banana-2","prompt":"wrk ' .. run .. '-' .. id .. ' image ' .. counter
      .. ': a lighthouse at dusk","aspect_ratio":"16:9"}'
  return wrk.format("POST", "/v1/image/generate", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer ak_test_wrk",
    ["X-Trace-Id"] = "trc_" .. string.format("%032x", counter),
  }, body)
end

function response(status, headers, body)
  local url = body:match('"url":"(http[^"]+)"')
  if url then
    generated = generated + 1
    table.insert(pending, (url:gsub("^http://[^/]+", "")))
  elseif status == 200 and body:sub(2, 4) == "PNG" then
    downloaded = downloaded + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local g, d, f = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("generated")
    d = d + t:get("downloaded")
    f = f + t:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("%d generates, %d PNG downloads, %d failures in %.1f s: %.0f round trips/s\n",
      g, d, f, seconds, d / seconds))
end
