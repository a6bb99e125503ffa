-- Shared by every workload: POST JSON to /graphql and count failures (a non-200 status or a
-- GraphQL error in the body), summed over wrk's threads in done().
wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
failures = 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("failures")
  end
  io.write(string.format("FAILURES %d\n", total))
end

-- A tag of this wrk thread's own (each thread runs init), so the e-mail addresses the write
-- workloads make never meet those of another thread or run.
tag = "0"
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  tag = tostring(math.random(1, 1e9))
end

-- A request whose body is a GraphQL query with variables (JSON text).
function graphql(query, variables)
  local body = '{"query":"' .. query .. '","variables":' .. (variables or "{}") .. '}'
  return wrk.format(nil, nil, nil, body)
end
