-- W1: one post by a random id, with its author.
package.path = "bench/?.lua;" .. package.path
require("common")
local posts = tonumber(os.getenv("BENCH_POSTS") or "10000")
math.randomseed(os.time())
request = function()
  return graphql("query($id: Int!) { post(id: $id) { id title author { id name email } } }",
    '{"id":' .. math.random(1, posts) .. '}')
end
