-- checks/loadtest.lua - wrk script for checks/loadtest.sh: counts the answers
-- by status, checks each one is a JSON body of the documented form
-- (200: the totals object; otherwise {"error":"..."}) with Content-Type
-- application/json, counts stale answers ("stale":true) and prints
-- "LOAD <name> <value>" lines at the end.
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	statuses = {}
	bad_body = 0
	bad_type = 0
	stale = 0
	sample = ""
end

function response(status, headers, body)
	local k = tostring(status)
	statuses[k] = (statuses[k] or 0) + 1
	if headers["Content-Type"] ~= "application/json" then
		bad_type = bad_type + 1
	end
	if body:find('"stale":true', 1, true) then
		stale = stale + 1
	end
	local good
	if status == 200 then
		good = body:match('^{"active":%d+,"waiting":%d+,') and
		    body:match('}\n$')
	else
		good = body:match('^{"error":"[^"]') and body:match('}\n$')
	end
	if not good then
		bad_body = bad_body + 1
		if sample == "" then
			sample = k .. " " .. body:sub(1, 200):gsub("\n", " ")
		end
	end
end

function done(summary, latency, requests)
	local total = {}
	local bad_b, bad_t, st, smp = 0, 0, 0, ""
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do
			total[k] = (total[k] or 0) + v
		end
		bad_b = bad_b + t:get("bad_body")
		bad_t = bad_t + t:get("bad_type")
		st = st + t:get("stale")
		if smp == "" then smp = t:get("sample") end
	end
	local e = summary.errors
	io.write(string.format("LOAD requests %d\n", summary.requests))
	io.write(string.format("LOAD seconds %.1f\n", summary.duration / 1e6))
	io.write(string.format("LOAD socket_errors %d\n",
	    e.connect + e.read + e.write + e.timeout))
	io.write(string.format("LOAD socket_detail connect=%d read=%d write=%d timeout=%d\n",
	    e.connect, e.read, e.write, e.timeout))
	io.write(string.format("LOAD non2xx %d\n", e.status))
	io.write(string.format("LOAD latency_max_ms %d\n",
	    math.floor(latency.max / 1000 + 0.5)))
	io.write(string.format("LOAD latency_p99_ms %d\n",
	    math.floor(latency:percentile(99) / 1000 + 0.5)))
	io.write(string.format("LOAD bad_body %d\n", bad_b))
	io.write(string.format("LOAD bad_type %d\n", bad_t))
	io.write(string.format("LOAD stale %d\n", st))
	local keys = {}
	for k in pairs(total) do table.insert(keys, k) end
	table.sort(keys)
	local parts = {}
	for _, k in ipairs(keys) do
		table.insert(parts, k .. "=" .. total[k])
	end
	io.write("LOAD statuses " .. table.concat(parts, " ") .. "\n")
	io.write("LOAD sample " .. smp .. "\n")
end
