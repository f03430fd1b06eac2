#!/usr/bin/env bash
# Same-run peer comparison of the coverage job (benches/coverage.rs) with
# GeoPandas/shapely 2 + numpy (+ numba).
#
#   benches/peer/run_coverage_peers.sh
#
# 1. builds and runs `cargo run --release --example coverage_scene -- --out DIR`,
#    which writes the bench's scene (seed 42: 1M cells, 10k shelters) as CSV into a
#    fresh temp dir under /tmp and prints sisetu's totals;
# 2. times sisetu's job (FacilityIndex::new + reach_all + allocate) REPEAT times with
#    all cores, then with RAYON_NUM_THREADS=1;
# 3. times coverage_peer.py REPEAT times on the CSVs (python and numba loops);
# 4. prints the JSON lines, then a table with ratios to sisetu and whether the
#    totals (pairs, covered cells, covered population, served) agree exactly.
#
# The peer virtualenv is the one of run_peers.sh (created the same way if absent;
# numba is added to it when missing, and left out if it cannot be installed).
# Nothing is written inside the repo except cargo's target/ directory.
#
# Environment:
#   PEER_VENV   virtualenv path            (default /tmp/sisetu-peer-venv)
#   REPEAT      timed runs per engine      (default 5)
#   SEED        scene seed                 (default 42, as the bench)
#   KEEP_OUT=1  keep the scene dir (its path is printed on stderr)
#   PEER_UNPINNED=1  install the newest releases instead of the pinned ones
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${PEER_VENV:-/tmp/sisetu-peer-venv}"
repeat="${REPEAT:-5}"
seed="${SEED:-42}"

# As run_peers.sh, plus numba for the compiled variant of the assignment loop.
pinned=(geopandas==1.2.0 pandas==3.1.1 pyogrio==0.13.0 pyproj==3.7.2
        shapely==2.2.0 pyarrow==26.0.1 "sedonadb[geopandas]==0.5.0")
unpinned=(geopandas pandas pyogrio pyproj shapely pyarrow "sedonadb[geopandas]")
numba_pin=numba==0.68.1

export PYTHONDONTWRITEBYTECODE=1

py="$venv/bin/python"
if ! "$py" -c 'import geopandas, pyogrio, pyproj, shapely, pyarrow' >/dev/null 2>&1; then
    echo "setting up $venv ..." >&2
    [ -x "$py" ] || python3 -m venv "$venv"
    "$py" -m pip install -q --upgrade pip >&2
    if [ "${PEER_UNPINNED:-0}" = 1 ]; then
        "$py" -m pip install -q "${unpinned[@]}" >&2
    else
        "$py" -m pip install -q "${pinned[@]}" >&2
    fi
fi
if ! "$py" -c 'import numba' >/dev/null 2>&1; then
    numpy_now="$("$py" -c 'import numpy; print(numpy.__version__)')"
    [ "${PEER_UNPINNED:-0}" = 1 ] && numba_pin=numba
    echo "adding numba to $venv (keeping numpy $numpy_now) ..." >&2
    "$py" -m pip install -q "$numba_pin" "numpy==$numpy_now" >&2 \
        || echo "numba could not be installed: python loop only" >&2
fi

scene="$(mktemp -d /tmp/sisetu-coverage-scene.XXXXXX)"
results="$(mktemp /tmp/sisetu-coverage-results.XXXXXX)"
cleanup() {
    rm -f -- "$results"
    if [ "${KEEP_OUT:-0}" != 1 ]; then rm -rf -- "$scene"; else echo "scene kept in $scene" >&2; fi
}
trap cleanup EXIT

(cd "$repo" && cargo build --release --example coverage_scene >&2)
example="$repo/target/release/examples/coverage_scene"

cd /tmp   # nothing below may write into the repo
echo "== scene (seed $seed) -> $scene" >&2
"$example" --seed "$seed" --out "$scene" >/dev/null

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== sisetu ($(nproc) cores)" >&2
"$example" --seed "$seed" --time --repeat "$repeat" | tee -a "$results"
echo "== sisetu (RAYON_NUM_THREADS=1)" >&2
RAYON_NUM_THREADS=1 "$example" --seed "$seed" --time --repeat "$repeat" | tee -a "$results"
echo "== coverage_peer.py" >&2
"$py" "$here/coverage_peer.py" "$scene" --repeat "$repeat" | tee -a "$results"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$py" - "$results" <<'EOF'
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ref = rows[0]
keys = ("pairs", "covered_cells", "covered_population", "served")
print()
print(f"| engine | threads | best s | median s | best ÷ sisetu | median ÷ sisetu | totals = sisetu |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    name = r["engine"]
    threads = r.get("threads", 1)
    same = all(r[k] == ref[k] for k in keys)
    print(f"| {name} | {threads} | {r['best_s']:.3f} | {r['median_s']:.3f} "
          f"| {r['best_s'] / ref['best_s']:.1f} | {r['median_s'] / ref['median_s']:.1f} "
          f"| {'yes' if same else 'NO'} |")
print()
print("totals (sisetu): " + ", ".join(f"{k} {ref[k]:.0f}" for k in keys))
bad = [r["engine"] for r in rows if any(r[k] != ref[k] for k in keys)]
if bad:
    print("MISMATCH: " + ", ".join(bad))
    sys.exit(1)
EOF
