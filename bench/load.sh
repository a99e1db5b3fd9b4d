#!/usr/bin/env bash
# A school day's load (bench/locustfile.py) against gunicorn on loopback, with the demo data and one
# signed-in person per simulated user, at 50 and then 200 users. People arrive one a second
# (SAFEKEEP_LOAD_SPAWN per second), each signing in with a password and a code, and the run goes on for
# 60 s (SAFEKEEP_LOAD_SECONDS) after the last has arrived: 110 s at 50 users, 260 s at 200.
#   bench/load.sh [USERS ...]        # default: 50 200
# Needs the local PostgreSQL on 127.0.0.1:5432; builds its own database (safekeep_load) and drops it at the
# end. Prints, per level, each kind of request with its count, errors, p50, p95 and p99 (ms).
set -euo pipefail
cd "$(dirname "$0")/.."
levels=("${@:-50}"); [ $# -gt 0 ] || levels=(50 200)
seconds=${SAFEKEEP_LOAD_SECONDS:-60}
spawn=${SAFEKEEP_LOAD_SPAWN:-1}
port=${SAFEKEEP_LOAD_PORT:-8765}
workers=${SAFEKEEP_LOAD_WORKERS:-5}
db=safekeep_load
work=$(mktemp -d)
export SAFEKEEP_ENV=development SAFEKEEP_DEBUG=0 SAFEKEEP_VAR_DIR="$work/var"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db SAFEKEEP_LOAD_PEOPLE="$work/people.csv"
export SMTP_PORT=1  # no mail server: emails stay queued, there is no worker in this run

gunicorn_pid=""
cleanup() {
  [ -z "$gunicorn_pid" ] || kill "$gunicorn_pid" 2>/dev/null || true
  [ -z "$gunicorn_pid" ] || wait "$gunicorn_pid" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" postgres || true
  rm -rf "$work"
}
trap cleanup EXIT

people=0; for users in "${levels[@]}"; do [ "$users" -gt "$people" ] && people=$users; done
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" postgres
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" postgres
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py createcachetable
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py demo_data
.venv/bin/python bench/load_people.py --people "$people" --out "$SAFEKEEP_LOAD_PEOPLE"

.venv/bin/gunicorn config.wsgi --workers "$workers" --bind "127.0.0.1:$port" --timeout 30 \
  --log-level warning >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.5; done

echo "gunicorn: $workers sync workers; PostgreSQL pool per worker (DATABASE_POOL_MAX_SIZE=${DATABASE_POOL_MAX_SIZE:-4})"
for users in "${levels[@]}"; do
  echo
  run=$(( users / spawn + seconds ))
  echo "== $users users arriving $spawn a second, ${run} s in all =="
  .venv/bin/locust -f bench/locustfile.py --headless --only-summary --loglevel WARNING \
    -u "$users" -r "$spawn" --run-time "${run}s" --stop-timeout 10 \
    --host "http://127.0.0.1:$port" --csv "$work/u$users" >/dev/null 2>"$work/locust-$users.log" || {
      cat "$work/locust-$users.log" >&2; exit 1; }
  .venv/bin/python - "$work/u${users}_stats.csv" <<'PY'
import csv, sys
print(f"{'request':<22}{'count':>8}{'errors':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>8}")
for row in csv.DictReader(open(sys.argv[1])):
    name = row["Name"] if row["Name"] != "Aggregated" else "all"
    print(f"{name:<22}{row['Request Count']:>8}{row['Failure Count']:>8}{row['50%']:>8}{row['95%']:>8}"
          f"{row['99%']:>8}{float(row['Requests/s']):>8.1f}")
PY
  if [ -s "$work/u${users}_failures.csv" ] && [ "$(wc -l < "$work/u${users}_failures.csv")" -gt 1 ]; then
    echo "errors:"; tail -n +2 "$work/u${users}_failures.csv" | cut -c1-200
  fi
done
