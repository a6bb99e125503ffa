-- W4: search users by part of a name (about 30 rows on the bench data set).
package.path = "bench/?.lua;" .. package.path
require("common")
wrk.body = '{"query":"{ searchUsers(name: \\"ada lovelace\\") { id name city } }"}'
