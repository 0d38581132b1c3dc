#!/usr/bin/env bash
# CTest entry `postgis`: starts a throwaway PostgreSQL + PostGIS (pg_server.sh), runs the
# [postgis] tests of hotspot_tests against it, and stops it whatever happens.
# Exit 77 (SKIP_RETURN_CODE): the Debian packages postgresql / postgis are not installed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(bash "$here/pg_server.sh" start)
rc=$?
if [ $rc = 77 ]; then exit 77; fi
if [ $rc != 0 ]; then echo "postgis: the test server did not start" >&2; exit 1; fi
dir=${out%%$'\t'*}
trap 'bash "$here/pg_server.sh" stop "$dir"' EXIT
HOTSPOT_PG="${out#*$'\t'}" "$1" "[postgis]" --warn NoAssertions
