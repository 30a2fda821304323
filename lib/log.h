/*
 * log.h: one line per event on stderr, prefixed with the program and pid.
 * Never logs post text, handles of readers or client addresses: people in
 * distress read here, and logs outlive intentions.
 */
#ifndef HEARTH_LOG_H
#define HEARTH_LOG_H

void log_init(const char *program);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
