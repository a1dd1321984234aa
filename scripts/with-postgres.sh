#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on loopback, for the test suite:
# initialises a cluster in a temporary directory, starts it on a free port bound to
# 127.0.0.1 only, exports MINNOW_TEST_POSTGRES_URL, runs "$@", and removes it all after.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_bin" ] || { echo "PostgreSQL is not installed; run scripts/install-deps.sh test" >&2; exit 1; }

dir=$(mktemp -d /tmp/minnow-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# PostgreSQL refuses to run as root: use the postgres system user then.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
fi

stop() {
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$pg_bin/initdb" -D "$dir/data" -U minnow -A trust --no-sync -E UTF8 >/dev/null
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null

export MINNOW_TEST_POSTGRES_URL="postgres://minnow:minnow@127.0.0.1:$port/postgres"
echo "PostgreSQL for tests on 127.0.0.1:$port"
"$@"
