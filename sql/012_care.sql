-- 012: care and privacy (issue 13).
--
-- A member's own choices: their post list hidden from everyone else on
-- their profile, content warnings always opened, and a break (paused until
-- a moment; signed out everywhere meanwhile).
alter table users add column posts_hidden boolean not null default false;
alter table users add column cw_always_open boolean not null default false;
alter table users add column away_until timestamptz;

-- A short content warning on a post: shown to readers, who open the post
-- with <details>. Written by the author, or by a moderator (audit-logged).
alter table posts add column content_warning text
    check (content_warning is null or length(content_warning) between 1 and 100);

-- Recovery codes instead of e-mail: ten one-time codes, only their SHA-256
-- is kept. A used code is deleted.
create table recovery_codes (
    user_id    bigint not null references users (id) on delete cascade,
    code_hash  text not null,
    created_at timestamptz not null default now(),
    primary key (user_id, code_hash)
);

-- Profiles leave out posts with a crisis flag: found by post.
create index flags_crisis_post on flags (post_id) where top_category = 'crisis';
