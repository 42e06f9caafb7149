#!/usr/bin/env bash
# A throw-away PostgreSQL server from Debian's packages, for tests and benchmarks.
#
#   ensure-postgres.sh start DIR   install postgresql if missing, make a cluster
#                                  in DIR and start it; prints its URL
#   ensure-postgres.sh stop DIR    stop that server (DIR can then be deleted)
#
# The server listens on a unix socket in DIR only (no TCP port to collide
# with), with fsync off: a test cluster is never worth a disk flush.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` system user (made by the Debian package; made here if missing)
# and the server runs as that user. Exits non-zero with the reason on stderr
# when the server cannot be made or started.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
    echo "usage: ensure-postgres.sh start|stop DIR" >&2
    exit 2
fi

find_bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ] && [ -x "$found/initdb" ]; then
        echo "$found"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return 0
    fi
    return 1
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [ "$action" = stop ]; then
    bindir=$(find_bindir) || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    exit 0
fi

if ! bindir=$(find_bindir); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "ensure-postgres: PostgreSQL is not installed and apt-get is not available" >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO="sudo -n"
        else
            echo "ensure-postgres: root is needed to install postgresql with apt-get" >&2
            exit 1
        fi
    else
        SUDO=""
    fi
    export DEBIAN_FRONTEND=noninteractive
    APT="apt-get -o DPkg::Lock::Timeout=600"
    $SUDO $APT update -qq >/dev/null
    # The server only: no cluster is created for it (the tests make their own).
    $SUDO $APT install -y -qq --no-install-recommends postgresql >/dev/null
    bindir=$(find_bindir) || {
        echo "ensure-postgres: apt-get finished but initdb is still missing" >&2
        exit 1
    }
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
fi

mkdir -p "$dir"
chmod 755 "$dir"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
fi
log="$dir/server.log"
if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
        echo "ensure-postgres: initdb failed: $(tail -n 3 "$dir/initdb.log")" >&2
        exit 1
    }
fi
opts="-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off"
opts="$opts -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$log" -o "$opts" -w -t 60 start \
        >/dev/null 2>&1; then
    echo "ensure-postgres: the server did not start: $(tail -n 3 "$log" 2>/dev/null)" >&2
    exit 1
fi
echo "postgresql://postgres@/postgres?host=$dir"
