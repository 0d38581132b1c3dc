#!/usr/bin/env bash
# Starts a throwaway PostgreSQL + PostGIS for the postgis tests and prints its OGR connection
# string; `pg_server.sh stop DIR` stops it and removes DIR.
# start: pg_server.sh start  -> prints "DIR<TAB>PG:host=DIR port=PORT user=hs dbname=postgres"
# Exit 77 (CTest's SKIP_RETURN_CODE) when the Debian packages postgresql / postgis are missing,
# so the tests report skipped, never passed.
# The server runs as an unprivileged user (PostgreSQL refuses root): when run as root (CI),
# as `nobody` through runuser; its data directory and socket live in a fresh temp folder.
set -euo pipefail
cmd=${1:?start|stop}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ "$cmd" = stop ]; then
  dir=${2:?DIR}
  as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "skipped: PostgreSQL server not installed (apt-get install postgresql postgis)" >&2; exit 77
fi
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  echo "skipped: PostGIS extension not installed (apt-get install postgresql-15-postgis-3)" >&2; exit 77
fi
dir=$(mktemp -d /tmp/hotspot-pg.XXXXXX)
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then
  chown nobody:nogroup "$dir"
  as_owner() { runuser -u nobody -- "$@"; }
else
  as_owner() { "$@"; }
fi
# A port from the folder's name: two tests at once (ctest -j) use different sockets anyway,
# since the socket lives in the folder; the port only names the socket file.
port=$(( 20000 + RANDOM % 20000 ))
as_owner "$bindir/initdb" -D "$dir/data" -U hs --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c full_page_writes=off" start >/dev/null \
  || { cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1; }
"$bindir/psql" -h "$dir" -p "$port" -U hs -d postgres -qAtc "CREATE EXTENSION postgis" >/dev/null \
  || { as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null; rm -rf "$dir"; exit 1; }
printf '%s\tPG:host=%s port=%s user=hs dbname=postgres\n' "$dir" "$dir" "$port"
