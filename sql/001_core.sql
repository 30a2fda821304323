-- 001: members, sessions, categories, threads and posts.
-- Each migration runs once, in its own transaction (hearthctl migrate).

create table users (
    id            bigint generated always as identity primary key,
    handle        text not null check (handle ~ '^[A-Za-z0-9_-]{3,30}$'),
    password_hash text not null,
    role          text not null default 'member' check (role in ('member', 'moderator', 'admin')),
    status        text not null default 'active'
                  check (status in ('active', 'silenced', 'banned', 'deleted')),
    created_at    timestamptz not null default now()
);
create unique index users_handle_lower on users (lower(handle));

create table sessions (
    token_hash  bytea primary key,              -- sha256 of the cookie's token
    user_id     bigint not null references users (id) on delete cascade,
    csrf_token  text not null,
    created_at  timestamptz not null default now(),
    last_seen   timestamptz not null default now(),
    expires_at  timestamptz not null,
    client_hint text not null default ''        -- browser family only, for "my sessions"
);
create index sessions_user on sessions (user_id);

create table categories (
    id            int generated always as identity primary key,
    slug          text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,47}$'),
    name          text not null check (length(name) between 1 and 80),
    description   text not null default '' check (length(description) <= 500),
    position      int not null default 0,
    thread_count  int not null default 0,
    post_count    int not null default 0,
    last_post_at  timestamptz
);

create table threads (
    id            bigint generated always as identity primary key,
    category_id   int not null references categories (id),
    user_id       bigint references users (id) on delete set null,
    title         text not null check (length(title) between 1 and 200),
    state         text not null default 'visible' check (state in ('visible', 'held', 'hidden', 'deleted')),
    locked        boolean not null default false,
    post_count    int not null default 1,
    created_at    timestamptz not null default now(),
    last_post_at  timestamptz not null default now()
);
create index threads_category_activity on threads (category_id, last_post_at desc, id desc);

-- A thread is a tree. path holds the ids from the opening post down to this
-- one, so "order by path" is depth-first order and a subtree is a path prefix.
create table posts (
    id            bigint generated always as identity primary key,
    thread_id     bigint not null references threads (id),
    parent_id     bigint references posts (id),
    path          bigint[] not null,
    user_id       bigint references users (id) on delete set null,
    body_md       text not null,
    body_html     text not null,
    state         text not null default 'visible' check (state in ('visible', 'held', 'hidden', 'deleted')),
    hide_reason   text,
    revision      int not null default 1,
    support_count int not null default 0,
    created_at    timestamptz not null default now(),
    edited_at     timestamptz
);
create index posts_thread_path on posts (thread_id, path);
create index posts_user_created on posts (user_id, created_at desc);
create index posts_parent on posts (parent_id);
