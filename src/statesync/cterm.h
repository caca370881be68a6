/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The complete terminal, the server's state (protocol.md §5.9-5.10; upstream
 * src/statesync/completeterminal.cc): the emulator's framebuffer plus the echo-ack number.
 * Its diff is a serialized HostBuffers.HostMessage: echoack, resize, hostbytes, in that
 * order, the hostbytes made by display_new_frame with every capability, then cmosh's
 * extension fields (statesync/ext.h) in a HostExt Instruction of their own, only when
 * they differ from the base; they stay at their zero values (and so never reach the
 * wire) unless the server answered a client's announcement. */
#ifndef MSH_STATESYNC_CTERM_H
#define MSH_STATESYNC_CTERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network/state_ops.h"
#include "terminal/emu.h"
#include "util/macros.h"

#define CTERM_ECHO_TIMEOUT_MS 50u /* upstream ECHO_TIMEOUT */
#define CTERM_INPUT_HISTORY 256   /* pending (state, time) records kept for the echo ack */

struct cterm;

/* A blank terminal of cols x rows (clamped). Caller frees with cterm_free. */
struct cterm *cterm_new(int cols, int rows);
void cterm_free(struct cterm *c); /* NULL ok */

/* Borrowed: the emulator inside (the server feeds pty output into it). */
struct emu *cterm_emu(struct cterm *c);
const struct emu *cterm_emu_const(const struct cterm *c);
uint64_t cterm_echo_ack(const struct cterm *c);

/* The capability answer (EXT_* bits; 0 = none: an upstream server, or not yet). The
 * server sets it once, from ext_answer() of the client's announcement. */
void cterm_set_features(struct cterm *c, uint64_t bits);
uint64_t cterm_features(const struct cterm *c);

/* EXT_ECHO_STATE: the pty's ECHO and ICANON local modes as the server last read them
 * (termios of the pty, read each time before the server sends). Unknown until a server
 * that answered the bit has set them; an upstream server leaves them unknown forever.
 * A password prompt (sudo, read -s, getpass) is ECHO off with ICANON on; full-screen
 * programs and line editors run with both off. */
enum cterm_mode { CTERM_MODE_UNKNOWN = 0, CTERM_MODE_ON, CTERM_MODE_OFF };
enum cterm_mode cterm_echo_state(const struct cterm *c);
enum cterm_mode cterm_icanon_state(const struct cterm *c);
/* Server side: records the modes, only when the answer has EXT_ECHO_STATE (so a client
 * that did not announce it never gets the field). True if they changed. */
bool cterm_set_tty_modes(struct cterm *c, bool echo, bool icanon);

/* EXT_EXIT_STATUS: the command's exit status (0..255, 128 + signal for a signal), -1
 * while unknown. The server sets it (only when answered) just before its shutdown. */
void cterm_set_exit_status(struct cterm *c, int status);
int cterm_exit_status(const struct cterm *c);

/* EXT_PIPE: the command's output as a byte stream (statesync/ostream.h). Server: appends
 * pty output (MSH_ERR_PROTO unless the answer has EXT_PIPE; MSH_ERR_TOO_LARGE past
 * LIMITS_OSTREAM_HELD); cterm_output_held is then the output the client has not yet
 * acknowledged. Client: the bytes from `from` to the end, borrowed until the next
 * received state; cterm_output_consumed says they were written (memory is released). */
int cterm_output_append(struct cterm *c, const uint8_t *p, size_t n) WARN_UNUSED_RESULT;
uint64_t cterm_output_end(const struct cterm *c);
uint64_t cterm_output_held(const struct cterm *c);
const uint8_t *cterm_output_bytes(const struct cterm *c, uint64_t from, size_t *len);
void cterm_output_consumed(const struct cterm *c, uint64_t upto);
/* EXT_PIPE: stdin bytes the server wrote to the command (the client's input credit). */
void cterm_set_input_written(struct cterm *c, uint64_t n);
uint64_t cterm_input_written(const struct cterm *c);

/* Server side (§5.10): user state n reached the pty at now_ms. */
void cterm_register_input(struct cterm *c, uint64_t n, uint64_t now_ms);
/* Advances the echo ack to the newest record at least 50 ms old; true if it changed. */
bool cterm_set_echo_ack(struct cterm *c, uint64_t now_ms);
/* Milliseconds until the echo ack may next change (UINT64_MAX when nothing pending). */
uint64_t cterm_wait_ms(const struct cterm *c, uint64_t now_ms);

extern const struct state_ops cterm_ops;

#endif
