-- 016: private conversations (issue 11).
--
-- One-to-one and small group conversations (up to 8 members). They live in
-- their own tables and never share a query with public pages: a missing
-- condition cannot put a private message on a public page.
--
-- Who reads what (the one rule, MESSAGE_VISIBLE in lib/db_sql_conversation.def):
--   a current member of the conversation reads its visible messages and
--   their own held or hidden ones (marked as such); nobody else reads any.
--   Moderators read a conversation only through the review item of one of
--   its messages that was reported or flagged (/mod/m/ID); every such read
--   is written to audit_log.
-- A held message (method or means detail) is seen by its writer and the
-- moderators only, until a moderator approves it. It does not move the
-- conversation's last_message_at, so the other members cannot even tell
-- that something was sent.
create table conversations (
    id               bigint generated always as identity primary key,
    created_by       bigint references users (id) on delete set null,
    -- A check-in started by a moderator from a review item: the
    -- moderators' messages in it are marked as coming from the moderators.
    from_moderators  boolean not null default false,
    about_post_id    bigint references posts (id) on delete set null,
    created_at       timestamptz not null default now(),
    last_message_at  timestamptz not null default now()
);
create index conversations_created_by on conversations (created_by, created_at);

create table conversation_members (
    conversation_id  bigint not null references conversations (id) on delete cascade,
    user_id          bigint not null references users (id) on delete cascade,
    joined_at        timestamptz not null default now(),
    left_at          timestamptz,                      -- set: left, reads nothing more
    read_at          timestamptz not null default now(),
    primary key (conversation_id, user_id)
);
create index conversation_members_user on conversation_members (user_id) where left_at is null;

create table messages (
    id               bigint generated always as identity primary key,
    conversation_id  bigint not null references conversations (id) on delete cascade,
    author_id        bigint references users (id) on delete set null,   -- null: a former member
    as_moderator     boolean not null default false,
    body_md          text not null,
    body_html        text not null,
    state            text not null default 'visible'
                     check (state in ('visible', 'held', 'hidden', 'deleted')),
    hide_reason      text,
    created_at       timestamptz not null default now(),
    -- When the other members could first read it (null while held): what
    -- "unread" is measured by, so an approved message counts as new.
    visible_at       timestamptz
);
create index messages_conversation on messages (conversation_id, id);
create index messages_author on messages (author_id, created_at);

-- The filter's matches and the members' reports, as flags are for posts.
create table message_flags (
    id               bigint generated always as identity primary key,
    message_id       bigint not null references messages (id) on delete cascade,
    source           text not null check (source in ('filter', 'report')),
    rule_id          text,
    category         text not null,
    top_category     text not null,
    severity         int not null check (severity between 0 and 4),
    action           text not null check (action in ('flag', 'hold', 'nudge', 'report')),
    span_start       int,
    span_end         int,
    reporter_id      bigint references users (id) on delete set null,
    reason           text,
    created_at       timestamptz not null default now()
);
create index message_flags_message on message_flags (message_id);

-- The moderators' queue of messages (listed on /mod under the posts).
create table message_reviews (
    message_id       bigint primary key references messages (id) on delete cascade,
    lane             text not null check (lane in ('crisis', 'other')),
    max_severity     int not null,
    status           text not null default 'open' check (status in ('open', 'resolved')),
    created_at       timestamptz not null default now(),
    resolved_at      timestamptz,
    resolved_by      bigint references users (id) on delete set null
);
create index message_reviews_queue on message_reviews (status, lane, max_severity desc, created_at);

-- A member blocks another: the blocked member cannot message them.
create table member_blocks (
    user_id          bigint not null references users (id) on delete cascade,
    blocked_id       bigint not null references users (id) on delete cascade,
    created_at       timestamptz not null default now(),
    primary key (user_id, blocked_id),
    check (user_id <> blocked_id)
);
create index member_blocks_blocked on member_blocks (blocked_id);

-- Who may start a conversation with me: everyone, members I have talked
-- with in threads (we both posted in one thread), or nobody.
alter table users add column messages_from text not null default 'everyone'
    check (messages_from in ('everyone', 'talked', 'nobody'));
