/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every cap on untrusted input, in one place, each with its reason (curl DYN_* style). */
#ifndef MSH_UTIL_LIMITS_H
#define MSH_UTIL_LIMITS_H

/* Network (protocol.md §2.7, §3). */
#define LIMITS_DATAGRAM_LEN 2048            /* upstream's receive buffer; longer is truncated */
#define LIMITS_INFLATE_LEN (2048 * 2048)    /* upstream's zlib output cap: the zlib-bomb bound */
#define LIMITS_ASSEMBLY_LEN (LIMITS_INFLATE_LEN + 65536) /* compressed form of the above */
#define LIMITS_FRAGMENTS 0x8000             /* 15-bit fragment numbers */
#define LIMITS_PROTOBUF_LEN LIMITS_INFLATE_LEN /* an Instruction is what inflated */
#define LIMITS_RECV_STATES 1024             /* receiver quench threshold (§5.5) */
#define LIMITS_RECV_BYTES (64u << 20)       /* bytes of the peer's states held (state_ops
                                               cost), each side: an honest window is a few
                                               states (a 200x60 screen costs ~200 KB),
                                               while 1024 maximal ones would be 12 GB of
                                               user streams or 32 GB+ of screens */
#define LIMITS_SENT_STATES 32               /* sender list length before pruning (§5.2) */
#define LIMITS_CLIENT_SOCKETS 10            /* old client sockets kept after hops (§6) */
#define LIMITS_USTREAM_EVENTS (1u << 20)    /* events in one user-stream state (a paste) */
/* Decoding a diff (UserMessage, HostMessage) may allocate RATIO x its length + SLACK
 * (network/pballoc): protobuf-c makes a struct per repeated Instruction, so 4 MB of empty
 * Instructions would decode to ~240 MB. */
#define LIMITS_DECODE_SLACK (64u * 1024)    /* bookkeeping of any small message */
#define LIMITS_HOST_DECODE_RATIO 2          /* honest: one copy of the hoststring */
#define LIMITS_USER_DECODE_RATIO 20         /* honest: up to 18 for keystrokes alternating
                                               with resizes, 14 for resizes alone */

/* Pipe mode (cmosh extension EXT_PIPE, proto/EXTENSIONS.md). */
#define LIMITS_PIPE_UNACKED (2048u * 1024) /* server: output not yet acknowledged by the
                                               client; past it the server stops reading
                                               the command's output (it blocks as on a
                                               full pipe). The most in flight, not the
                                               most one resend carries: the transport
                                               sends the stream in steps of at most
                                               PFLOW_STRIDE_MAX (server/pflow.h) and
                                               resends step by step. 100 MB on loopback:
                                               1.22 s with 1 MB, 1.08 s with 2 MB, no
                                               faster with 4 MB (bench/README.md) */
#define LIMITS_PIPE_UNWRITTEN (4u << 20)    /* server: output the client has received but
                                               not yet written to its stdout (a slow
                                               reader); past it the pty is not read either */
#define LIMITS_PIPE_INPUT (256u * 1024)     /* client: stdin bytes sent but not yet written
                                               to the command's stdin; past it stdin is not
                                               read (the server holds at most this) */
#define LIMITS_OSTREAM_HELD (8u << 20)      /* output bytes one side holds; a peer diff past
                                               it is refused (honest: the two caps above) */

/* Terminal (protocol.md §9, style.md §7). */
#define LIMITS_FB_COLS 2000                 /* widest screen accepted from a peer resize */
#define LIMITS_FB_ROWS 1000                 /* tallest screen accepted from a peer resize */
#define LIMITS_VT_PARAM_CHARS 100           /* CSI digits and ';' kept (upstream's params string);
                                               later ones are ignored, so SGR/DECSET lists
                                               act as in upstream */
#define LIMITS_VT_PARAMS (LIMITS_VT_PARAM_CHARS + 1) /* so at most this many parameters */
#define LIMITS_VT_PARAM_MAX 65535           /* digits saturate here, so a u32 never wraps */
#define LIMITS_VT_INTERMEDIATES 8           /* intermediate/private bytes kept (upstream: 8) */
#define LIMITS_OSC_LEN 16384                /* OSC code points kept; longer is truncated (upstream) */
#define LIMITS_TITLE_CHARS 256              /* code points of a title (upstream) */
#define LIMITS_CELL_BYTES 32                /* UTF-8 bytes of one grapheme (upstream) */

/* Bootstrap. */
#define LIMITS_CONNECT_LINE 4096            /* one line of remote output while looking for CONNECT */
#define LIMITS_REMOTE_OUTPUT (256 * 1024)   /* total remote output read before giving up */

/* Local system files the static executable reads itself instead of through NSS. */
#define LIMITS_PASSWD_LINE 4096             /* a longer /etc/passwd line is skipped (glibc
                                               sizes its getpw*_r buffer at 1024 by default) */
#define LIMITS_RESOLVE_ADDRS 16             /* addresses kept from one host-name lookup */
#define LIMITS_RESOLVE_MS 60000             /* a whole lookup, over every server and retry */
#define LIMITS_GLOB_PATHS 1024              /* paths one glob pattern may expand to (an
                                               ssh_config Include) */

/* Terminal descriptions (term(5), the compiled terminfo format). */
#define LIMITS_TERMINFO_FILE 32768          /* ncurses' own cap on a compiled entry */
#define LIMITS_TERMINFO_CAP 256             /* a capability string we copy (smcup, rmcup) */

#endif
