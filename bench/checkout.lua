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

-- done() (the JSON report) is appended from wrk_report.lua by checkout_load.py.
