-- 019: moderator tools (issue 13): timed silences and bans, pinned threads,
-- thread actions in the audit log.
--
-- A silence or a ban may end by itself: users.status_until is when (null:
-- until a moderator lifts it). Nothing has to run at that moment: every
-- check reads the status through user_status_now(), which says 'active'
-- once the time has passed. Lifting early sets the status back to 'active'
-- and the time to null.
alter table users add column status_until timestamptz;

create function user_status_now(status text, until timestamptz) returns text
    language sql stable parallel safe as $$
    select case when status in ('silenced', 'banned') and until is not null and until <= now()
                then 'active' else status end
$$;

-- Pinned threads come first on their category's page, newest pin first.
alter table threads add column pinned_at timestamptz;
create index threads_category_pinned on threads (category_id, pinned_at desc) where pinned_at is not null;

-- Thread actions (lock, move, pin) name their thread; the audit log shows
-- the link. The table stays append-only (sql/004_moderation.sql).
alter table audit_log add column thread_id bigint;
-- A member's moderation page lists the earlier actions on their account.
create index audit_log_target_user on audit_log (target_user_id, id desc) where target_user_id is not null;
