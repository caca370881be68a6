/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 16-byte session key and its 22-character printable form: standard base64 without
 * the "==" padding (protocol.md §2.1, upstream src/crypto/crypto.cc Base64Key). Decoding
 * is constant-time in the key's bytes. */
#ifndef MSH_CRYPTO_KEY_H
#define MSH_CRYPTO_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define KEY_LEN 16
#define KEY_TEXT_LEN 22

/* Parses text[0..len). On failure returns MSH_ERR_FORMAT, zeroes key, and sets *why to
 * upstream's exact message: "Key must be 22 letters long.", "Key must be well-formed
 * base64.", or "Base64 key was not encoded 128-bit key." (checked in that order). */
int key_parse(const char *text, size_t len, uint8_t key[static KEY_LEN], const char **why)
    WARN_UNUSED_RESULT;
/* Writes 22 characters and a NUL. */
void key_encode(const uint8_t key[static KEY_LEN], char out[static KEY_TEXT_LEN + 1]);
/* A fresh random key from the OS (getrandom). */
int key_generate(uint8_t key[static KEY_LEN]) WARN_UNUSED_RESULT;

#endif
