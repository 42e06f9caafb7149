#!/usr/bin/env bash
# Make a headless-capable Chromium available, from Debian's packages.
#
# Used by tests/browser/ to open the published site in a real browser. Does
# nothing when chromium is already installed; otherwise needs root (or
# password-less sudo) and apt-get. Browser test tools must not download
# browsers of their own: this Debian package is the one finews tests drive.
# Exits non-zero when the install is impossible, so the caller can skip with
# the reason printed here. Prints the browser's path on success.
set -euo pipefail

find_chromium() {
    for name in chromium chromium-browser; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if find_chromium; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: apt-get is not available; install chromium by hand" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure-chromium: root is needed to install chromium with apt-get" >&2
        exit 1
    fi
else
    SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt run (a parallel test, unattended upgrades) may hold the lock.
APT="apt-get -o DPkg::Lock::Timeout=600"
$SUDO $APT update -qq >/dev/null
# fonts-noto-cjk: without a CJK font the pages' Chinese text renders as boxes
# in screenshots (the layout checks do not depend on it, but readers' eyes do).
$SUDO $APT install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null

if ! find_chromium; then
    echo "ensure-chromium: apt-get finished but chromium is still missing" >&2
    exit 1
fi
