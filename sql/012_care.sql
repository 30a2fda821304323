-- 012: care and privacy (issue 13).
--
-- A member's own choices: their post list hidden from everyone else on
-- their profile, content warnings always opened, and a break (paused until
-- a moment; signed out everywhere meanwhile).
alter table users add column posts_hidden boolean not null default false;
alter table users add column cw_always_open boolean not null default false;
alter table users add column away_until timestamptz;
-- Set when a break ends at the member's next log-in, so the welcome-back
-- page is shown once.
alter table users add column back_from_break boolean not null default false;

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

-- Topics a member does not want in their lists: a category, or every
-- thread with a crisis flag (category_id null, crisis true).
create table muted_topics (
    user_id     bigint not null references users (id) on delete cascade,
    category_id int references categories (id) on delete cascade,
    crisis      boolean not null default false,
    check ((category_id is null) = crisis)
);
create unique index muted_topics_one on muted_topics (user_id, coalesce(category_id, 0), crisis);

-- Profiles leave out posts with a crisis flag: found by post.
create index flags_crisis_post on flags (post_id) where top_category = 'crisis';
