/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libFuzzer entry point every tests/fuzz/fuzz_<name>.c defines; replay_main.c runs it
 * over a committed corpus in ordinary builds. */
#ifndef MSH_TESTS_FUZZ_H
#define MSH_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Must not crash, leak or assert on any input; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
