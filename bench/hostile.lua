-- Hostile documents, round robin: exponential fragment spreads, deep nesting, an alias bomb.
-- Every one must be refused; the probe beside this load measures how the server holds up.
wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"

local fragments = "query { ...F0 }"
for i = 0, 11 do
  fragments = fragments .. string.format(" fragment F%d on Query { ...F%d ...F%d ...F%d ...F%d }", i, i + 1, i + 1, i + 1, i + 1)
end
fragments = fragments .. " fragment F12 on Query { __typename }"
local aliases = {}
for i = 1, 200 do aliases[i] = "a" .. i .. ": __typename" end

local documents = {
  fragments,
  string.rep("{a", 2000) .. string.rep("}", 2000),
  "{ users(where: " .. string.rep("{not:", 1500) .. "{}" .. string.rep("}", 1500) .. ") { id } }",
  "{ " .. table.concat(aliases, " ") .. " }",
}
local bodies = {}
for i, document in ipairs(documents) do
  bodies[i] = '{"query":"' .. document .. '"}'
end
local next_body = 0
request = function()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end
