#!/usr/bin/env bash
# Two sisetu binaries on the same 1,000,000-site job, alternated in the same run, plus
# `sisetu check` of the second: did a change make the build slower?
#
#   benches/ab.sh OLD_BINARY [NEW_BINARY]      (NEW defaults to target/release/sisetu)
#
# The job is benches/compare.sh's: 1M sites (EPSG:4490, seed 7) into the 8 乌鲁木齐 districts
# plus a 500 m grid, every output written. Prints best and median wall time of REPEAT runs.
set -euo pipefail
old="$1"
repeat="${REPEAT:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
new="${2:-$repo/target/release/sisetu}"
work="$(mktemp -d /tmp/sisetu-ab.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=benches/bench_project.sh
. "$repo/benches/bench_project.sh"
make_bench_project "$repo" "$work" 1000000
cd "$work"
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
declare -A t
for _ in $(seq "$repeat"); do
    rm -rf out; t[old_build]+="$(secs "$old" build bench.toml -q) "
    rm -rf out; t[new_build]+="$(secs "$new" build bench.toml -q) "
    t[new_check]+="$(secs "$new" check bench.toml -q) "
done
for k in old_build new_build new_check; do
    sorted=$(echo "${t[$k]}" | tr ' ' '\n' | grep . | sort -n)
    best=$(echo "$sorted" | head -1); median=$(echo "$sorted" | sed -n "$(( (repeat + 1) / 2 ))p")
    printf '%-10s best %.2f s  median %.2f s\n' "$k" "$best" "$median"
done
