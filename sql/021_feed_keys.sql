-- 021: private feed keys (issues 11 and 12).
--
-- A feed reader or a calendar app has no session cookie. A member may make
-- one private key that reads, with ?key=KEY, their groups' Atom feeds and
-- calendars (fcgi/page_group.c), and nothing else: it is never a session.
-- The key is 32 random bytes (auth_new_token, like a session token); only
-- its SHA-256 is kept, so the database cannot show it again: it is shown
-- once, and a new one replaces it. last_used is touched at most every few
-- minutes (a feed reader asks often; a read should not be a write each time).
create table feed_keys (
    user_id     bigint primary key references users (id) on delete cascade,
    key_hash    bytea not null unique,            -- sha256 of the key
    created_at  timestamptz not null default now(),
    last_used   timestamptz
);
