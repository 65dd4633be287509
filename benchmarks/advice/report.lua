-- wrk script: pick a request id at random for the request page (ids from IDS_FILE),
-- and print the percentiles and errors on one line that bench.py reads.
local ids = {}
local ids_file = os.getenv("IDS_FILE")
if ids_file then
  for line in io.lines(ids_file) do
    ids[#ids + 1] = line
  end
end

request = function()
  if #ids > 0 then
    local path = string.gsub(wrk.path, "{id}", ids[math.random(#ids)])
    return wrk.format("GET", path)
  end
  return wrk.format("GET", wrk.path)
end

done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_s=%.1f p50_ms=%.1f p90_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f "
      .. "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
