#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Banned functions and constructs (style.md §9, curl CODE_STYLE.md). Fails listing each hit.
set -u
src=${1:?usage: banned.sh SRCDIR}
hits=$(grep -rnE '(^|[^_a-zA-Z0-9])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|alloca)[[:space:]]*\(' \
        --include='*.c' --include='*.h' "$src" || true)
if [ -n "$hits" ]; then
    echo "banned functions found (use the bounded alternatives of style.md §9):"
    echo "$hits"
    exit 1
fi
echo "banned-functions: 0 hits"
