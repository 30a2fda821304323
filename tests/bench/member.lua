-- wrk script of tests/bench/run: members' own pages, each request a random
-- line of a file naming a path and the session that may read it.
--   wrk ... -s member.lua URL -- PAIRS_FILE
-- PAIRS_FILE: "PATH<TAB>TOKEN" per line (a page and the session cookie of a
-- member who may read it: "/m/12<TAB>abc..."). At the end prints
-- "page_status NNN: COUNT" lines: the run counts every answer but 200 as a
-- failure (a redirect to the log-in page is a 303, which wrk alone would
-- count as a success).

local pairs_, threads, next_id = {}, {}, 0
status = {}

function setup(thread)
	next_id = next_id + 1
	thread:set("thread_id", next_id)
	threads[#threads + 1] = thread
end

function init(args)
	for line in io.lines(args[1]) do
		local path, token = line:match("^(%S+)\t(%S+)$")
		if path then
			pairs_[#pairs_ + 1] = { path = path, cookie = "hs=" .. token }
		end
	end
	math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
	local p = pairs_[math.random(#pairs_)]
	return wrk.format("GET", p.path, { ["Cookie"] = p.cookie })
end

function response(code, headers, body)
	status[code] = (status[code] or 0) + 1
end

function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		local s = t:get("status")
		for code, n in pairs(s) do
			total[code] = (total[code] or 0) + n
		end
	end
	for code, n in pairs(total) do
		io.write(string.format("page_status %d: %d\n", code, n))
	end
end
