#!/usr/bin/env bash
# Start `grassroots serve` and `grassroots projections run` at the same moment on a fresh
# PostgreSQL schema, N times; both must still be running 10 s later.
# Usage: benchmarks/probes/start_race.sh [N]   (needs PostgreSQL at 127.0.0.1:5432, database test)
set -u
BIN=${BIN:-.venv/bin}; N=${1:-5}; alive=0; work=$(mktemp -d)
for i in $(seq 1 "$N"); do
  schema=race_${RANDOM}_$i
  psql -q -h 127.0.0.1 -U postgres test -c "CREATE SCHEMA $schema" >/dev/null
  export GRASSROOTS_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test
  export GRASSROOTS_DATABASE_SCHEMA=$schema GRASSROOTS_EMBEDDED_PROJECTIONS=no
  export GRASSROOTS_DATA_DIR=$work/var GRASSROOTS_PORT=$((18000 + i))
  "$BIN/grassroots" serve >"$work/serve$i.log" 2>&1 & server=$!
  "$BIN/grassroots" projections run >"$work/worker$i.log" 2>&1 & worker=$!
  sleep 10
  if kill -0 "$server" 2>/dev/null && kill -0 "$worker" 2>/dev/null; then
    alive=$((alive + 1))
  else
    echo "run $i: one died"; grep -h -m1 "Error" "$work/serve$i.log" "$work/worker$i.log"
  fi
  kill "$server" "$worker" 2>/dev/null; wait "$server" "$worker" 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
done
rm -rf "$work"
echo "both alive in $alive of $N"
