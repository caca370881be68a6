# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by scripts/test and scripts/demo: the Debian packages the project needs, installed
# only when missing (non-interactive; sudo when not root).
MSH_PKGS=(cmake make gcc clang pkg-config libssh-dev libssl-dev libncurses-dev
          libprotobuf-c-dev protobuf-c-compiler zlib1g-dev openssh-server openssh-client
          mosh tmux locales libclang-rt-14-dev procps libnss-wrapper
          libc-ares-dev ncurses-term foot-terminfo strace krb5-kdc krb5-admin-server krb5-user)

msh_install_deps() {
    local missing=() p sudo=""
    for p in "${MSH_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing ${missing[*]}"
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}
