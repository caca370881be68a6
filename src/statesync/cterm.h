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

/* Server side (§5.10): user state n reached the pty at now_ms. */
void cterm_register_input(struct cterm *c, uint64_t n, uint64_t now_ms);
/* Advances the echo ack to the newest record at least 50 ms old; true if it changed. */
bool cterm_set_echo_ack(struct cterm *c, uint64_t now_ms);
/* Milliseconds until the echo ack may next change (UINT64_MAX when nothing pending). */
uint64_t cterm_wait_ms(const struct cterm *c, uint64_t now_ms);

extern const struct state_ops cterm_ops;

#endif
