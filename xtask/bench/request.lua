-- wrk: one request described by the environment, for `cargo xtask bench mock --spec`.
-- WRK_METHOD, WRK_PATH, WRK_BODY, and WRK_HEADERS ("Name: value" lines). Prints status
-- counts and latency percentiles in the lines the bench parses.
wrk.method = os.getenv("WRK_METHOD") or "GET"
wrk.path = os.getenv("WRK_PATH") or "/"
local body = os.getenv("WRK_BODY") or ""
if body ~= "" then wrk.body = body end
for line in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

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
