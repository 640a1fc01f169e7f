-- wrk script: POST purchases as the SPA sends them (a JSON body), each request with a new
-- X-User-Id (or, with a pool size given, user ids cycling over that pool: shoppers who retry again
-- and again). Pointed at POST /api/v1/ping, the same requests measure what HTTP alone costs.
-- With BENCH_TOKENS naming a file of access tokens (one shopper each, tools' BenchTokens), each
-- shopper is a bearer token instead; BENCH_THREADS must then be wrk's -t, so threads share none.
--   wrk ... -s purchase.lua URL -- <label> [pool]
local threads = {}
local BODY = '{"qty":1}'

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  label = args[1] or "u"
  pool = tonumber(args[2] or "0")
  counter = 0
  statuses = {}
  tokens = nil
  local file = os.getenv("BENCH_TOKENS")
  if file and file ~= "" then
    tokens = {}
    for line in io.lines(file) do tokens[#tokens + 1] = line end
    stride = tonumber(os.getenv("BENCH_THREADS") or "1")
  end
end

function request()
  counter = counter + 1
  local n = counter
  if tokens then
    -- shopper i of this thread: tokens tid, tid + stride, ... (wrapping reuses shoppers: too few tokens)
    if pool > 0 then n = (counter * 7919 + tid) % pool else n = ((counter - 1) * stride + tid - 1) % #tokens end
    return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. tokens[n + 1], ["Content-Type"] = "application/json"}, BODY)
  end
  if pool > 0 then n = (counter * 7919 + tid) % pool else n = tid .. "-" .. counter end
  return wrk.format("POST", nil, {["X-User-Id"] = label .. "-" .. n, ["Content-Type"] = "application/json"}, BODY)
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, "s" .. status .. "=" .. n) end
  table.sort(parts)
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d %s\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, " ")))
end
