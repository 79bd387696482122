#!/usr/bin/env bash
# Times `pb-bot admin roll import` of a generated 300,000-row roll (14 Seodaemun dongs) on a fresh
# SQLite file, again as a re-import, and on PostgreSQL when BENCH_POSTGRES_URL names a server
# where a database `pbbench` may be created. Run from the repository root.
set -euo pipefail
rows="${ROWS:-300000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
python3 - "$rows" > "$work/roll.csv" <<'PY'
import random, sys
random.seed(7)
dongs = ["충현동","천연동","북아현동","신촌동","연희동","홍제1동","홍제2동","홍제3동","홍은1동","홍은2동","남가좌1동","남가좌2동","북가좌1동","북가좌2동"]
print("dong,phone,birth_year,ref", end="\r\n")
for i in range(int(sys.argv[1])):
    print(f"{dongs[i % 14]},010-{1000 + i // 10000:04d}-{i % 10000:04d},{random.randint(1930, 2012)},R{i}", end="\r\n")
PY
export PB_SECRET=benchmark-secret-of-at-least-32-characters
run() { /usr/bin/time -f "  wall %es, peak RSS %M KB" ./target/release/pb-bot admin roll import "$work/roll.csv" 2>&1 | grep -v INFO; }
echo "SQLite, fresh:";  DATABASE_URL="sqlite://$work/pb.db" run
echo "SQLite, re-import:"; DATABASE_URL="sqlite://$work/pb.db" run
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
    psql "$BENCH_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS pbbench" -c "CREATE DATABASE pbbench"
    target="${BENCH_POSTGRES_URL%/*}/pbbench"
    echo "PostgreSQL, fresh:"; DATABASE_URL="$target" run
    echo "PostgreSQL, re-import:"; DATABASE_URL="$target" run
    psql "$BENCH_POSTGRES_URL" -qc "DROP DATABASE pbbench"
fi
