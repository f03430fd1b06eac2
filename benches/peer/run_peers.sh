#!/usr/bin/env bash
# Run the peer benchmark (GeoPandas and SedonaDB) on the same inputs.
#
#   benches/peer/run_peers.sh SITES.csv DISTRICTS.geojson
#
# Creates (if absent) a throwaway virtualenv OUTSIDE the repo, runs both engines
# with --repeat 3 (override with REPEAT=N) into fresh temp dirs under /tmp, and
# prints one JSON line per engine on stdout (per-run progress goes to stderr).
# Writes nothing inside the repo.
#
# Environment:
#   PEER_VENV   virtualenv path            (default /tmp/sisetu-peer-venv)
#   REPEAT      repeats per engine         (default 3)
#   ENGINES     engines to run, in order   (default "geopandas sedonadb");
#               "sedonadb:1" runs SedonaDB with --partitions 1 (one core)
#   KEEP_OUT=1  keep the output dirs (their paths are printed on stderr)
#   PEER_UNPINNED=1  install the newest releases instead of the pinned ones
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SITES.csv DISTRICTS.geojson" >&2
    exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sites="$(readlink -f "$1")"
districts="$(readlink -f "$2")"
venv="${PEER_VENV:-/tmp/sisetu-peer-venv}"
repeat="${REPEAT:-3}"
engines="${ENGINES:-geopandas sedonadb}"

# Versions the README's figures were taken with. sedonadb[geopandas] brings
# geoarrow-pyarrow, which SedonaDB needs to hand results to pyarrow/GeoPandas.
pinned=(geopandas==1.2.0 pandas==3.1.1 pyogrio==0.13.0 pyproj==3.7.2
        shapely==2.2.0 pyarrow==26.0.1 "sedonadb[geopandas]==0.5.0")
unpinned=(geopandas pandas pyogrio pyproj shapely pyarrow "sedonadb[geopandas]")

export PYTHONDONTWRITEBYTECODE=1
cd /tmp   # nothing below may write into the repo

py="$venv/bin/python"
if ! "$py" -c 'import geopandas, pyogrio, pyproj, shapely, pyarrow, sedonadb, geoarrow.pyarrow' \
        >/dev/null 2>&1; then
    echo "setting up $venv ..." >&2
    [ -x "$py" ] || python3 -m venv "$venv"
    "$py" -m pip install -q --upgrade pip >&2
    if [ "${PEER_UNPINNED:-0}" = 1 ]; then
        "$py" -m pip install -q "${unpinned[@]}" >&2
    else
        "$py" -m pip install -q "${pinned[@]}" >&2
    fi
fi

outs=()
cleanup() {
    if [ "${KEEP_OUT:-0}" != 1 ]; then
        for d in "${outs[@]:-}"; do [ -n "$d" ] && rm -rf -- "$d"; done
    fi
}
trap cleanup EXIT

for spec in $engines; do
    engine="${spec%%:*}"
    extra=()
    if [ "$spec" != "$engine" ]; then extra=(--partitions "${spec#*:}"); fi
    out="$(mktemp -d "/tmp/sisetu-peer-$engine.XXXXXX")"
    outs+=("$out")
    echo "== $spec -> $out" >&2
    "$py" "$here/peer_bench.py" "$engine" "$sites" "$districts" "$out" \
        --repeat "$repeat" "${extra[@]}"
done
