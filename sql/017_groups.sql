-- 017: peer groups and their meetings (issue 11).
--
-- A group is a private space with its own threads: each group owns one
-- category row (categories.group_id), and every thread of that category
-- carries the group too (threads.group_id, set by a trigger, never
-- changed), so the one visibility rule (lib/db_read.h, GROUP_SPACE_OK in
-- lib/db_sql.def) needs no join to decide. Only active members (and site
-- moderators) see a group's threads and posts; a listed group shows its
-- name and description to everyone, an unlisted one shows nothing to
-- non-members.
create table groups (
    id           bigint generated always as identity primary key,
    slug         text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    name         text not null check (length(name) between 1 and 80),
    description  text not null default '' check (length(description) <= 500),
    listed       boolean not null default true,
    -- open: anyone joins at once; request: a facilitator accepts;
    -- invite: only by a facilitator's invitation.
    join_policy  text not null default 'request' check (join_policy in ('open', 'request', 'invite')),
    category_id  int not null unique references categories (id),
    created_at   timestamptz not null default now()
);

alter table categories add column group_id bigint references groups (id);
alter table threads add column group_id bigint references groups (id);
create index threads_group on threads (group_id) where group_id is not null;

create function hearth_thread_group() returns trigger language plpgsql as $$
begin
    new.group_id := (select c.group_id from categories c where c.id = new.category_id);
    return new;
end $$;
create trigger threads_group before insert or update of category_id on threads
    for each row execute function hearth_thread_group();

-- status: active (a member: sees and writes), pending (asked to join),
-- invited (a facilitator invited them). Only active counts for visibility.
create table group_members (
    group_id    bigint not null references groups (id) on delete cascade,
    user_id     bigint not null references users (id) on delete cascade,
    role        text not null default 'member' check (role in ('member', 'facilitator')),
    status      text not null default 'active' check (status in ('active', 'pending', 'invited')),
    created_at  timestamptz not null default now(),
    primary key (group_id, user_id)
);
create index group_members_user on group_members (user_id);

-- A meeting has its own thread in the group's category, open for replies
-- from starts_at on (the thread reads as locked before).
create table meetings (
    id          bigint generated always as identity primary key,
    group_id    bigint not null references groups (id) on delete cascade,
    title       text not null check (length(title) between 1 and 120),
    starts_at   timestamptz not null,
    minutes     int not null check (minutes between 5 and 1440),
    tz          text not null check (length(tz) between 1 and 64),
    thread_id   bigint not null unique references threads (id),
    created_by  bigint references users (id) on delete set null,
    created_at  timestamptz not null default now()
);
create index meetings_group on meetings (group_id, starts_at);

create table meeting_rsvps (
    meeting_id  bigint not null references meetings (id) on delete cascade,
    user_id     bigint not null references users (id) on delete cascade,
    going       boolean not null,
    at          timestamptz not null default now(),
    primary key (meeting_id, user_id)
);

-- Meeting reminders are notifications of kind 'meeting' on the opening
-- post of the meeting's thread, written when a member says they are going,
-- with a due time (a day and an hour before): a row is listed and counted
-- only once due_at has passed (NOTIFY_VISIBLE).
alter table notifications add column due_at timestamptz;
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
    check (kind in ('reply', 'mention', 'approved', 'hidden', 'here', 'meeting'));
create unique index notifications_meeting_once on notifications (user_id, post_id, due_at)
    where kind = 'meeting';

-- Threads a facilitator pinned to the top of the group's page.
create table group_pins (
    group_id   bigint not null references groups (id) on delete cascade,
    thread_id  bigint not null references threads (id) on delete cascade,
    pinned_by  bigint references users (id) on delete set null,
    at         timestamptz not null default now(),
    primary key (group_id, thread_id)
);
