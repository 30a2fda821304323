/*
 * page_conversation.h: private conversations (issue 11; sql/016).
 *
 * Handlers (route.c):
 *   GET  /me/messages                my conversations, unread marked
 *   GET  /m/new?to=HANDLE            compose a new conversation
 *   POST /m/new                      start it (up to 8 members)
 *   GET  /m/:id                      a conversation with its reply box
 *   POST /m/:id                      send a message in it
 *   POST /m/:id/leave                leave it
 *   GET  /msg/:id/report, POST       report a message to the moderators
 *   POST /u/:handle/block, /unblock  block and unblock a member
 *   POST /me/settings/messages       who may start a conversation with me
 *   GET  /mod/m/:id, POST            a reported or flagged message with its
 *                                    conversation (each read is audited);
 *                                    approve or hide
 *   GET  /mod/p/:id/contact, POST    a moderators' check-in with a post's
 *                                    author
 * and the parts other pages show (the *_data hooks): each sets values in
 * the page's data map d and returns the database error (DB_OK otherwise).
 */
#ifndef HEARTH_PAGE_CONVERSATION_H
#define HEARTH_PAGE_CONVERSATION_H

#include "page.h"

void page_messages(struct hctx *ctx);
void page_conv_new_form(struct hctx *ctx);
void page_conv_new_post(struct hctx *ctx);
void page_conv(struct hctx *ctx);
void page_conv_post(struct hctx *ctx);
void page_conv_leave_post(struct hctx *ctx);
void page_msg_report_form(struct hctx *ctx);
void page_msg_report_post(struct hctx *ctx);
void page_block_post(struct hctx *ctx);
void page_unblock_post(struct hctx *ctx);
void page_messages_settings_post(struct hctx *ctx);
void page_msg_review(struct hctx *ctx);
void page_msg_review_action(struct hctx *ctx);
void page_checkin_form(struct hctx *ctx);
void page_checkin_post(struct hctx *ctx);

/* /me/settings: messages_from_* (checked), the blocked members. */
enum db_err conv_settings_data(struct hctx *ctx, tpl_value *d);
/* /u/:handle of member user_id: "conv" (message link, block state) for a
 * logged-in member who is not them. */
enum db_err conv_member_data(struct hctx *ctx, tpl_value *d, long long user_id, const char *handle);
/* /me/notifications: "conversations" with new messages. */
enum db_err conv_notify_data(struct hctx *ctx, tpl_value *d);
/* "Mark all as read" marks every conversation read too. */
enum db_err conv_mark_all_read(struct hctx *ctx);
/* /mod: "message_items", the open message reviews (no text). */
enum db_err conv_review_queue_data(struct hctx *ctx, tpl_value *d);

#endif
