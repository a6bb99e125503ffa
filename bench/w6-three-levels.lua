-- W6: 20 users, their posts, and each post's author (three levels).
package.path = "bench/?.lua;" .. package.path
require("common")
wrk.body = '{"query":"{ users(limit: 20) { name posts { title author { name } } } }"}'
