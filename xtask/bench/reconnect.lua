-- wrk: POST /connect/sessions/reconnect for the mock's seeded connection.
-- WRK_TOKEN is the bearer token. Prints status counts (so a run that measured errors shows)
-- and latency percentiles in a line `cargo xtask bench mock` parses.
local token = os.getenv("WRK_TOKEN") or ""
wrk.method = "POST"
wrk.path = "/connect/sessions/reconnect"
wrk.body = '{"connection_id":"conn-session-1","integration_id":"github"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  io.write("statuses:")
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format(" %d=%d", code, n)) end
  io.write("\n")
  io.write(string.format("latency_ms p50=%.3f p99=%.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
