-- 004: the moderation filter's flags, member reports, the review queue,
-- moderator notes and the append-only audit log.

-- One row per match of the filter, or per member report.
create table flags (
    id              bigint generated always as identity primary key,
    post_id         bigint not null references posts (id) on delete cascade,
    source          text not null check (source in ('filter', 'report')),
    field           text not null default 'body' check (field in ('body', 'title')),
    rule_id         text,
    ruleset_version text,
    category        text not null,             -- e.g. crisis.plan, crisis.third_party, stigma.label
    top_category    text not null,             -- crisis, stigma, review, report, ...
    severity        int not null check (severity between 0 and 4),
    action          text not null check (action in ('flag', 'hold', 'nudge', 'report')),
    span_start      int,                       -- byte offsets in the field's text
    span_end        int,
    context         text[] not null default '{}',   -- context modifiers that fired
    transforms      text[] not null default '{}',   -- de-obfuscation the match needed
    reporter_id     bigint references users (id) on delete set null,
    reason          text,                      -- a report's reason
    created_at      timestamptz not null default now()
);
create index flags_post on flags (post_id);

-- The queue: one item per post waiting for a person. Crisis first, then
-- severity, then age.
create table review_items (
    post_id       bigint primary key references posts (id) on delete cascade,
    lane          text not null check (lane in ('crisis', 'other')),
    max_severity  int not null,
    status        text not null default 'open' check (status in ('open', 'escalated', 'resolved')),
    created_at    timestamptz not null default now(),
    resolved_at   timestamptz,
    resolved_by   bigint references users (id) on delete set null
);
create index review_items_queue on review_items (status, lane, max_severity desc, created_at);

create table mod_notes (
    id           bigint generated always as identity primary key,
    post_id      bigint not null references posts (id) on delete cascade,
    moderator_id bigint references users (id) on delete set null,
    note         text not null check (length(note) between 1 and 2000),
    created_at   timestamptz not null default now()
);

-- What a moderator redacted: the original stays here for moderators only.
create table redactions (
    id            bigint generated always as identity primary key,
    post_id       bigint not null references posts (id) on delete cascade,
    original_md   text not null,
    original_html text not null,
    reason        text not null,
    moderator_id  bigint references users (id) on delete set null,
    created_at    timestamptz not null default now()
);

create table audit_log (
    id               bigint generated always as identity primary key,
    at               timestamptz not null default now(),
    moderator_id     bigint,
    moderator_handle text not null,
    action           text not null,
    post_id          bigint,
    target_user_id   bigint,
    target_handle    text,
    reason           text not null check (length(reason) between 1 and 1000),
    detail           text not null default ''
);

-- Append-only: no update, no delete, whoever asks.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_change before update or delete on audit_log
    for each row execute function audit_log_append_only();
