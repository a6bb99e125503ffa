-- W7: register 50 users with new e-mail addresses in one createUsers request.
package.path = "bench/?.lua;" .. package.path
require("common")
local counter = 0
request = function()
  counter = counter + 1
  local users = {}
  for i = 1, 50 do
    users[i] = '{"name":"Bench User","email":"bulk-' .. tag .. '-' .. counter .. '-' .. i ..
      '@example.com","age":30}'
  end
  return graphql("mutation($i: [CreateUserInput!]!) { createUsers(inputs: $i) { id } }",
    '{"i":[' .. table.concat(users, ",") .. ']}')
end
