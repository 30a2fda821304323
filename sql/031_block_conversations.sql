-- 031: a block is never revealed in a conversation (round 10).
--
-- Before, a member Y whom X blocked was refused when writing in any
-- conversation X was in ("Someone in this conversation is not taking
-- messages from you just now"): in an existing conversation only a block
-- could cause that, so it proved the block. Now:
--
-- * In a group conversation (started with three or more members,
--   conversations.is_group) Y writes as anyone does, and the message reaches
--   every member but those who blocked Y. For X, while the block lasts, Y's
--   messages (old and new) are not there at all: not on the page, the
--   export or the report form (MESSAGE_VISIBLE in
--   lib/db_sql_conversation.def), not unread (new_at below), not in the
--   notifications, and they do not move the conversation in X's list
--   (SEEN_AT in lib/db_sql_conversation.def). Unblocking brings them back.
-- * In a one-to-one conversation a block still stops Y, with the words a
--   member's "who may message me: nobody" gets, and "nobody" now stops new
--   messages in existing one-to-one conversations too (CONV_STOPPED), so
--   the refusal proves nothing. A moderators' check-in is never stopped by
--   the setting.
--
-- is_group is set once, when a third member joins (members are added only
-- when a conversation starts), and never unset: when members leave, or a
-- member's account is deleted with its rows, a group stays a group, so
-- messages hidden from a member are never shown to them because the
-- conversation got smaller.
alter table conversations add column is_group boolean not null default false;
update conversations c set is_group = true
where (select count(*) from conversation_members cm where cm.conversation_id = c.id) >= 3;

create function hearth_conversation_grouped() returns trigger language plpgsql as $$
begin
    update conversations c set is_group = true
    where c.id = new.conversation_id and not c.is_group
      and (select count(*) from conversation_members cm where cm.conversation_id = c.id) >= 3;
    if found then
        perform hearth_conversation_refresh(new.conversation_id);
    end if;
    return null;
end $$;

create trigger conversation_members_grouped after insert on conversation_members
    for each row execute function hearth_conversation_grouped();

-- What new_at (sql/028) is for member row (conversation c, user u): as
-- before, leaving out in a group the messages of members u blocked.
create or replace function hearth_conversation_new_at(c bigint, u bigint) returns timestamptz
language sql stable as $$
    select case when z.mx is null then null else least(cv.last_message_at, z.mx) end
    from conversations cv,
         (select max(m.visible_at) as mx from messages m
          where m.conversation_id = c and m.state = 'visible' and m.author_id is distinct from u
            and not exists (select 1 from member_blocks b join conversations g on g.id = c and g.is_group
                            where b.user_id = u and b.blocked_id = m.author_id)) z
    where cv.id = c
$$;

-- A block made or lifted: the blocker's rows in the groups the two share
-- (by membership, or by the blocked member's messages: an account deleted
-- leaves its messages, under "a former member", and takes its member rows
-- and blocks in one statement), in the block's own transaction. hearth_conversation_refresh locks each
-- conversation first (ordered by id, as two blocks may share some), so a
-- message sent at the same moment is counted with the block or after it,
-- never with a stale view of it.
create function hearth_block_unread() returns trigger language plpgsql as $$
declare
    b member_blocks;
    c bigint;
begin
    b := case when tg_op = 'DELETE' then old else new end;
    for c in
        select cm.conversation_id from conversation_members cm
        join conversations g on g.id = cm.conversation_id and g.is_group
        where cm.user_id = b.user_id
          and (exists (select 1 from conversation_members o
                       where o.conversation_id = cm.conversation_id and o.user_id = b.blocked_id)
               or exists (select 1 from messages m
                          where m.conversation_id = cm.conversation_id and m.author_id = b.blocked_id))
        order by cm.conversation_id
    loop
        perform hearth_conversation_refresh(c);
    end loop;
    return null;
end $$;

create trigger member_blocks_unread after insert or delete on member_blocks
    for each row execute function hearth_block_unread();

update conversation_members cm set new_at = hearth_conversation_new_at(cm.conversation_id, cm.user_id)
where cm.new_at is distinct from hearth_conversation_new_at(cm.conversation_id, cm.user_id);
