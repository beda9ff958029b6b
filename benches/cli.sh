#!/usr/bin/env bash
# Times the release binary the way people run it, disk included:
#   flyx check on every example, and flyx check and flyx build on synthetic
#   stacks of 1,000 and 10,000 services (build both into an empty folder and
#   again when the output is up to date), with peak memory.
# Needs hyperfine (Debian: apt-get install hyperfine), GNU time
# (/usr/bin/time) and python3. The figures are in docs/performance.md.
# Deleting hundreds of thousands of files slows ext4's next file creations for
# a while: run it on a quiet machine, and not right after a previous run.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

command -v hyperfine >/dev/null || { echo "benches/cli.sh needs hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "benches/cli.sh needs GNU time at /usr/bin/time" >&2; exit 1; }

cargo build --release --quiet
FLYX="$PWD/target/release/flyx"
WORK="$(mktemp -d)"
# Old outputs are moved aside, not deleted: ext4 is slow to hand out inodes
# it has just freed, which would time the file system, not flyx.
ASIDE="$WORK/aside"
mkdir -p "$ASIDE"

echo "## flyx check, each example"
for example in examples/*.flyx; do
  hyperfine -N --warmup 3 --runs 30 --style basic "$FLYX check $example" | grep -E "Benchmark|Time|Range"
done

for n in 1000 10000; do
  dir="$WORK/s$n"
  mkdir -p "$dir"
  cargo run --release --quiet --example synth -- "$n" > "$dir/stack.flyx"
  cd "$dir"
  echo "## $n services"
  hyperfine -N --warmup 1 --runs 10 --style basic "$FLYX check stack.flyx" | grep -E "Benchmark|Time|Range"
  hyperfine --runs 10 --style basic \
    --prepare "if [ -d fly ]; then mv fly $ASIDE/fly-\$(date +%s%N); fi" \
    -n "build, empty output folder" "$FLYX build stack.flyx" | grep -E "Benchmark|Time|Range"
  hyperfine -N --warmup 1 --runs 10 --style basic \
    -n "build, output up to date" "$FLYX build stack.flyx" | grep -E "Benchmark|Time|Range"
  /usr/bin/time -f "peak memory of flyx build: %M KB" "$FLYX" build stack.flyx > /dev/null
  # The same files written by a few lines of Python: what the file system
  # alone costs, the floor under "build, empty output folder".
  echo "file system floor (benches/fs_floor.py), three runs:"
  for run in 1 2 3; do
    python3 "$REPO/benches/fs_floor.py" fly "$ASIDE/floor-$n-$run"
  done
  cd - > /dev/null
done
rm -rf "$WORK"
