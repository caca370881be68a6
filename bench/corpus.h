/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one deterministic terminal-output corpus every benchmark feeds (bench/README.md):
 * per-kind generators for the emulator benchmark and their fixed-seed mix for the
 * whole-program ones. bench/CMakeLists.txt builds one file per benchmark, so a benchmark
 * that needs it includes corpus.c itself. */
#ifndef BENCH_CORPUS_H
#define BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The seed bench_emu has always used; the whole-program corpus starts from it too. */
#define CORPUS_SEED 0x243f6a8885a308d3u

/* A growable byte buffer; aborts on OOM (benchmarks only). */
struct corpus_buf {
    char *p;
    size_t len, cap;
};

/* Each generator appends whole lines or frames to b until b->len >= until_len, drawing
 * from the xorshift state *rng (never zero). */
typedef void corpus_gen_fn(struct corpus_buf *b, uint64_t *rng, size_t until_len);

corpus_gen_fn corpus_plain;  /* printable ASCII lines of 0..79 columns */
corpus_gen_fn corpus_long;   /* 300..2000-column lines that wrap */
corpus_gen_fn corpus_sgr;    /* short words, each with a 16/256/truecolour SGR or reset */
corpus_gen_fn corpus_cjk;    /* lines of CJK ideographs (wide) with ASCII between */
corpus_gen_fn corpus_redraw; /* top-like frames: CUP to every row, colours, EL */
corpus_gen_fn corpus_utf8;   /* combining marks, Latin/Greek/box drawing, Hangul, CJK */
corpus_gen_fn corpus_vim;    /* alternate screen, scroll regions, IL/DL, SU/SD, RI, ED */

/* Writes about total_len bytes of the mix (whole segments, so it may overshoot by less
 * than 200 KB) to f, ending with a reset of colours, margins and the alternate screen.
 * Returns the byte count written, or 0 on a write error. */
size_t
corpus_mix(FILE *f, size_t total_len, uint64_t seed);

#endif
