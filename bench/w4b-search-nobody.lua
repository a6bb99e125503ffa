-- W4b: search users by a name nobody has (every row must be ruled out).
package.path = "bench/?.lua;" .. package.path
require("common")
wrk.body = '{"query":"{ searchUsers(name: \\"nobody at all\\") { id name city } }"}'
