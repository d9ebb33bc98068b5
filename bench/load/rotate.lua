-- wrk script of the load benchmark: each request is the next line of a targets file, so requests
-- rotate over many users (their own JWT) and couples instead of hammering one row.
--
--   wrk -t1 -c8 -d20s -s rotate.lua http://127.0.0.1:8000 -- targets.tsv
--
-- A targets line is: METHOD <TAB> PATH <TAB> ACCESS_TOKEN (or empty) <TAB> JSON_BODY (or empty).
-- At the end it prints one `BENCH_RESULT {json}` line that the runner parses.

local targets = {}
local index = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local headers = {
        -- TLS ends at the load balancer in production, which sets this header (SECURE_SSL_REDIRECT).
        ["X-Forwarded-Proto"] = "https",
        ["Accept"] = "application/json",
      }
      if token ~= "" then headers["Authorization"] = "Bearer " .. token end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      targets[#targets + 1] = wrk.format(method, path, headers, body)
    end
  end
end

function request()
  index = index % #targets + 1
  return targets[index]
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"mean_us": %.1f, "non_2xx_3xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
