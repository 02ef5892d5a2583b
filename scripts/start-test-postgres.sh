#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for Lockstep's tests and prints, on stdout, the line
#   export LOCKSTEP_TEST_DATABASE_URL=postgres://lockstep:PASSWORD@127.0.0.1:PORT/lockstep
# so that `eval "$(scripts/start-test-postgres.sh)"` sets up a shell for `npm test`.
#
# Works when PostgreSQL is installed but no server is running (Debian packages: the binaries are
# in /usr/lib/postgresql/15/bin; override with PG_BIN). Run as root, the cluster belongs to the
# `postgres` user, because postgres refuses to run as root; run as anyone else, it is yours.
# The cluster lives in a fresh temp dir (data, unix socket and log), listens on a free loopback
# port only, and the stop command is printed on stderr.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" ]]; then
  echo "start-test-postgres: no initdb/pg_ctl in $PG_BIN (install postgresql or set PG_BIN)" >&2
  exit 1
fi

# as_owner runs a command as the cluster's owner.
if [[ "$(id -u)" == 0 ]]; then
  owner=postgres
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner="$(id -un)"
  as_owner() { "$@"; }
fi

base="$(mktemp -d "${TMPDIR:-/tmp}/lockstep-pg.XXXXXX")"
mkdir -p "$base/socket"
chown -R "$owner" "$base"
chmod 700 "$base"

started=""
cleanup_on_error() {
  if [[ -n "$started" ]]; then
    as_owner "$PG_BIN/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$base"
}
trap cleanup_on_error ERR

password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# Local (socket) connections are trusted so this script can set up the role; TCP connections,
# which the tests use, need the password. --no-sync: a throwaway cluster needs no durability.
as_owner "$PG_BIN/initdb" -D "$base/data" -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
  --auth-local=trust --auth-host=scram-sha-256 >"$base/initdb.log" 2>&1

# A port can be taken between our check and postgres binding it, so try a few.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=""
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  port_in_use "$candidate" && continue
  if as_owner "$PG_BIN/pg_ctl" -D "$base/data" -l "$base/postgres.log" -w -t 30 \
    -o "-p $candidate -k $base/socket -c listen_addresses=127.0.0.1 -c fsync=off" \
    start >/dev/null; then
    port="$candidate"
    started=yes
    break
  fi
done
if [[ -z "$port" ]]; then
  echo "start-test-postgres: could not start postgres; see $base/postgres.log" >&2
  tail -n 20 "$base/postgres.log" >&2 || true
  false
fi

# CREATEDB (not SUPERUSER): the tests create and drop one database per test, nothing more.
as_owner "$PG_BIN/psql" -h "$base/socket" -p "$port" -U postgres -d postgres -q \
  -v ON_ERROR_STOP=1 -v pw="$password" >/dev/null <<'SQL'
CREATE ROLE lockstep LOGIN CREATEDB PASSWORD :'pw';
CREATE DATABASE lockstep OWNER lockstep;
SQL

trap - ERR
stop_cmd="$PG_BIN/pg_ctl -D $base/data -m fast stop && rm -rf $base"
if [[ "$owner" == postgres && "$(id -u)" == 0 ]]; then
  stop_cmd="runuser -u postgres -- $stop_cmd"
fi
echo "start-test-postgres: postgres on 127.0.0.1:$port (data in $base)" >&2
echo "start-test-postgres: stop with: $stop_cmd" >&2
echo "export LOCKSTEP_TEST_DATABASE_URL=postgres://lockstep:$password@127.0.0.1:$port/lockstep"
