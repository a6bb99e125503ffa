-- The HTTP ceiling of this machine: GET /health (one database ping).
wrk.method = "GET"
wrk.path = "/health"
function done(summary, latency, requests)
  io.write(string.format("FAILURES %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
