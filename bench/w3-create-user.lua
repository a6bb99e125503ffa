-- W3: register a user with a new e-mail address on every request.
package.path = "bench/?.lua;" .. package.path
require("common")
local counter = 0
request = function()
  counter = counter + 1
  return graphql("mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
    '{"i":{"name":"Bench User","email":"bench-' .. tag .. '-' .. counter .. '@example.com","age":30}}')
end
