-- W3: register a user with a new e-mail address on every request.
package.path = "bench/?.lua;" .. package.path
require("common")
local counter = 0
local tag = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  tag = tostring(math.random(1, 1e9))
end
request = function()
  counter = counter + 1
  return graphql("mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
    '{"i":{"name":"Bench User","email":"bench-' .. tag .. '-' .. counter .. '@example.com","age":30}}')
end
