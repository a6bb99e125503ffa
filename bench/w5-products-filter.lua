-- W5: a filtered page of 50 products with their categories.
package.path = "bench/?.lua;" .. package.path
require("common")
wrk.body = '{"query":"{ products(filter: { minPrice: 10, maxPrice: 300, inStock: true }, limit: 50) { name price category { name } } }"}'
