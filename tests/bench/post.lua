-- wrk script of tests/bench/run: replies from many members at once.
--   wrk ... -s post.lua URL -- CREDS_FILE IDS_FILE
-- CREDS_FILE: "TOKEN<TAB>CSRF" per line (a member's session cookie and its
-- CSRF token, URL-safe); IDS_FILE: one post id per line (posts to reply to).
-- Each request: POST /p/ID/reply, form-urlencoded body, action=post. At the
-- end prints "post_status NNN: COUNT" lines (303 is a stored reply).

local creds, ids = {}, {}
local threads, next_id = {}, 0
status = {}
sent = 0

local words = { "thank", "you", "for", "sharing", "this", "walking", "helped", "me", "too",
	"today", "small", "steps", "tea", "and", "music", "a", "routine", "sleep", "better", "kind" }

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
	threads[#threads + 1] = thread
end

function init(args)
	for _, line in ipairs(read_lines(args[1])) do
		local token, csrf = line:match("^(%S+)\t(%S+)$")
		if token then
			creds[#creds + 1] = { token = token, csrf = csrf }
		end
	end
	ids = read_lines(args[2])
	math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

local function body_text()
	-- A short Markdown reply (about 150 characters), different every time.
	local out = {}
	for i = 1, 18 do
		local w = words[math.random(#words)]
		if i == 4 then
			w = "*" .. w .. "*"
		end
		out[#out + 1] = w
	end
	return "Reply " .. (thread_id or 0) .. "-" .. sent .. ": " .. table.concat(out, " ") ..
		".\n\n- one thing\n- **another** thing"
end

local function urlencode(s)
	return (s:gsub("[^%w%-%._~ ]", function(c)
		return string.format("%%%02X", string.byte(c))
	end):gsub(" ", "+"))
end

function request()
	sent = sent + 1
	local c = creds[math.random(#creds)]
	local id = ids[math.random(#ids)]
	local body = "body=" .. urlencode(body_text()) .. "&action=post&csrf=" .. c.csrf
	return wrk.format("POST", "/p/" .. id .. "/reply", {
		["Cookie"] = "hs=" .. c.token,
		["Content-Type"] = "application/x-www-form-urlencoded",
	}, body)
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
		io.write(string.format("post_status %d: %d\n", code, n))
	end
end
