-- 028: the header's count of unread conversations without reading messages
-- (issue 11: the member's thread page at most 0.2 ms of server CPU).
--
-- NOTIFY_UNREAD_COUNT (lib/db_sql.def) counted a conversation of member M
-- as unread when c.last_message_at > cm.read_at and a visible message by
-- someone else became visible after cm.read_at: for every conversation of
-- the member a probe of conversations and one of messages (18 of the thread
-- page's 44 buffers at 1M posts). conversation_members.new_at now holds,
-- for each member row, least(c.last_message_at, the latest visible_at of a
-- visible message in it whose author is distinct from the member), or null
-- when there is no such message. Since min(a, b) > r exactly when a > r and
-- b > r, "new_at > read_at" is the old rule, row for row. The database keeps
-- it, in the transaction of every write that can change it (the triggers
-- below: a message sent, held, approved, hidden, deleted, its author
-- deleted; last_message_at moved; a member added), so no count is stale.
-- Reading (read_at) and leaving (left_at) change the member's own row, which
-- the count reads directly. The partial index holds only the rows that count,
-- so a member with nothing unread costs one index descent.
alter table conversation_members add column new_at timestamptz;

-- What new_at is for member row (conversation c, user u).
create function hearth_conversation_new_at(c bigint, u bigint) returns timestamptz
language sql stable as $$
    select case when z.mx is null then null else least(cv.last_message_at, z.mx) end
    from conversations cv,
         (select max(m.visible_at) as mx from messages m
          where m.conversation_id = c and m.state = 'visible' and m.author_id is distinct from u) z
    where cv.id = c
$$;

-- Every member row of conversation c (the left ones too: a few rows). The
-- conversation's row is locked first, so two writers to one conversation
-- take turns, and the second computes with a snapshot taken after the
-- first committed (read committed: each statement here takes its own):
-- otherwise a hide racing a send could store a value that misses the new
-- message. A send (MSG_ADD) and an approval already hold this lock from
-- their own update of conversations, taken before any member row, as here.
create function hearth_conversation_refresh(c bigint) returns void language plpgsql as $$
begin
    perform 1 from conversations where id = c for no key update;
    update conversation_members cm set new_at = hearth_conversation_new_at(cm.conversation_id, cm.user_id)
    where cm.conversation_id = c
      and cm.new_at is distinct from hearth_conversation_new_at(cm.conversation_id, cm.user_id);
end $$;

create function hearth_message_unread() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform hearth_conversation_refresh(old.conversation_id);
    end if;
    if tg_op in ('INSERT', 'UPDATE') and (tg_op = 'INSERT' or new.conversation_id <> old.conversation_id) then
        perform hearth_conversation_refresh(new.conversation_id);
    end if;
    return null;
end $$;

create trigger messages_unread after insert or delete on messages
    for each row execute function hearth_message_unread();
-- Only the columns the rule reads (an edit of the text changes nothing).
create trigger messages_unread_update after update on messages
    for each row when (old.state is distinct from new.state
                       or old.visible_at is distinct from new.visible_at
                       or old.author_id is distinct from new.author_id
                       or old.conversation_id is distinct from new.conversation_id)
    execute function hearth_message_unread();

create function hearth_conversation_moved() returns trigger language plpgsql as $$
begin
    perform hearth_conversation_refresh(new.id);
    return null;
end $$;

create trigger conversations_unread after update on conversations
    for each row when (old.last_message_at is distinct from new.last_message_at)
    execute function hearth_conversation_moved();

create function hearth_conversation_member_new() returns trigger language plpgsql as $$
begin
    perform 1 from conversations where id = new.conversation_id for no key update;
    new.new_at := hearth_conversation_new_at(new.conversation_id, new.user_id);
    return new;
end $$;

create trigger conversation_members_unread before insert on conversation_members
    for each row execute function hearth_conversation_member_new();

update conversation_members cm set new_at = hearth_conversation_new_at(cm.conversation_id, cm.user_id);

create index conversation_members_unread on conversation_members (user_id)
    where left_at is null and new_at > read_at;
