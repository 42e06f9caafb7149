#!/usr/bin/env bash
# Make `jekyll` (with the jekyll-feed plugin) available, from Debian's packages.
#
# Used by tests/original/test_jekyll_build.py to build an exported site the
# way the original finews was built. Does nothing when jekyll is already
# installed; otherwise needs root and apt-get. Exits non-zero when the install
# is impossible, so the caller can skip with the reason printed here.
set -euo pipefail

have_feed() {
    # jekyll-feed is a Ruby gem; Debian installs it as ruby-jekyll-feed.
    ruby -e 'require "jekyll-feed"' >/dev/null 2>&1
}

if command -v jekyll >/dev/null 2>&1 && have_feed; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-jekyll: apt-get is not available; install jekyll and jekyll-feed by hand" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "ensure-jekyll: root is needed to install jekyll with apt-get" >&2
        exit 1
    fi
else
    SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends jekyll ruby-jekyll-feed >/dev/null

if ! command -v jekyll >/dev/null 2>&1; then
    echo "ensure-jekyll: apt-get finished but jekyll is still missing" >&2
    exit 1
fi
