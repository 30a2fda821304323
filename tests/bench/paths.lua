-- wrk script of tests/bench/run: each request GETs a random path from a file,
-- optionally with a random Cookie header from a second file.
--   wrk ... -s paths.lua URL -- PATHS_FILE [COOKIES_FILE]
-- PATHS_FILE: one request path per line ("/t/123"); COOKIES_FILE: one Cookie
-- header value per line ("hs=TOKEN").

local paths, cookies = {}, {}
local next_id = 0

local function read_lines(name)
	local t = {}
	for line in io.lines(name) do
		if line ~= "" then
			t[#t + 1] = line
		end
	end
	return t
end

function setup(thread)
	next_id = next_id + 1
	thread:set("thread_id", next_id)
end

function init(args)
	paths = read_lines(args[1])
	if args[2] and args[2] ~= "" then
		cookies = read_lines(args[2])
	end
	math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
	local path = paths[math.random(#paths)]
	if #cookies > 0 then
		return wrk.format("GET", path, { ["Cookie"] = cookies[math.random(#cookies)] })
	end
	return wrk.format("GET", path)
end
