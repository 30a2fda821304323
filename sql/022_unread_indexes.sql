-- 022: the header's unread count (issue 11, speed).
--
-- Every member page counts, in the session look-up, watched threads with a
-- visible post by someone else since the member read them, and
-- conversations with messages since they read them (NOTIFY_UNREAD_COUNT in
-- lib/db_sql.def). Both looked for "since read_at" in indexes ordered by
-- something else (posts by path, messages by id), reading every post of a
-- long watched thread or every message of a long conversation; the thread
-- page's "first unread post" did the same through the BRIN on created_at
-- (177,830 candidate rows for one thread of 151 posts at 100,000 posts).
-- With these, each is a probe of the first row since read_at.
create index posts_thread_created on posts (thread_id, created_at);
create index messages_conversation_visible on messages (conversation_id, visible_at);
