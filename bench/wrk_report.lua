-- wrk script for bench/bench_http.py: cycles through the paths in a file (one a line; the first argument after
-- `--`), sends the header of the second argument if any ("Name: value"), and prints one JSON line at the end.

local paths, header_name, header_value = {}, nil, nil
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if args[2] and #args[2] > 0 then
    header_name, header_value = args[2]:match("^([^:]+):%s*(.*)$")
  end
end

function request()
  counter = counter + 1
  local headers = {}
  if header_name then headers[header_name] = header_value end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
