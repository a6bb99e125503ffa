-- W2: a page of 50 posts with their authors.
package.path = "bench/?.lua;" .. package.path
require("common")
wrk.body = '{"query":"{ posts(limit: 50) { id title author { name } } }"}'
