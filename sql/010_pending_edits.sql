-- 010: an edit that a hold rule matches waits here for a moderator; readers
-- keep seeing the post's last visible text until a moderator approves it
-- (issue 9, finding 2). One pending edit per post: a newer edit replaces it.
create table post_pending_edits (
	post_id bigint primary key references posts (id) on delete cascade,
	body_md text not null,
	body_html text not null,
	title text,
	created_at timestamptz not null default now()
);
