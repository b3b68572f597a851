-- POST a different visitor's checkout on every request; the body comes from the benchmark.
local counter = 0
local thread_id = 0
local threads = {}

setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

init = function(args)
  thread_id = id
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"items": [{"product": "%s", "intent": "want"}, {"product": "%s", "intent": "have"}],'
      .. ' "visitor": {"name": "Last %d-%d", "organisation": "%s", "share_contact": true}}',
    PRODUCTS[(counter % #PRODUCTS) + 1], PRODUCTS[((counter + 3) % #PRODUCTS) + 1],
    thread_id, counter, ORGANISATIONS[(counter % #ORGANISATIONS) + 1])
  return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
