-- 003: edit history and support reactions.
create table post_revisions (
    post_id     bigint not null references posts (id) on delete cascade,
    revision    int not null,
    body_md     text not null,
    body_html   text not null,
    title       text,                        -- the thread title then, for an opening post
    created_at  timestamptz not null,        -- when this version was written
    primary key (post_id, revision)
);

-- "I hear you": one per member per post, shown as a quiet count.
create table post_support (
    post_id    bigint not null references posts (id) on delete cascade,
    user_id    bigint not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (post_id, user_id)
);
create index post_support_user on post_support (user_id);
