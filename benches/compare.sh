#!/usr/bin/env bash
# sisetu against GeoPandas and SedonaDB, measured in the same run on the same inputs.
#
#   benches/compare.sh [ROWS]        (default 1000000)
#
# 1. builds sisetu (release) and generates ROWS synthetic sites (EPSG:4490, seed 7) with
#    examples/gen_demo.rs, plus the 乌鲁木齐市 districts converted to CGCS2000 by sisetu;
# 2. runs `sisetu build` REPEAT times (default 5) and reports best and median wall time
#    and peak memory;
# 3. runs benches/peer/run_peers.sh (throwaway virtualenv in /tmp) on the same files;
# 4. prints the ratios. Everything it writes goes to a temp folder outside the repo.
#
# SITES_FORMAT=geoparquet: the per-site output is GeoParquet for every engine (sisetu's
# `[outputs] sites = "geoparquet"`; the peers run benches/peer/national_peer.py with 500 m
# cells in EPSG:4538, the join in lon/lat and sites.parquet), as issue #12's targets are set.
set -euo pipefail
rows="${1:-1000000}"
repeat="${REPEAT:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/sisetu-compare.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$repo"
# shellcheck source=benches/bench_project.sh
. "$repo/benches/bench_project.sh"
make_bench_project "$repo" "$work" "$rows"
sites_format="${SITES_FORMAT:-geojson}"
if [ "$sites_format" != geojson ]; then
    printf '[outputs]\nsites = "%s"\n' "$sites_format" >> "$work/bench.toml"
fi
bin="$repo/target/release/sisetu"
# The districts in CGCS2000 for the peers: sisetu's own districts.geojson (WGS84 = 4490).
"$bin" build "$work/bench.toml" --quiet
sed 's/"properties":{"id":/"properties":{"adcode":/g' "$work/out/districts.geojson" > "$work/districts_4490.geojson"

times=()
for i in $(seq "$repeat"); do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" build "$work/bench.toml" --quiet
    times+=("$(cat "$work/time.txt")")
done
sisetu_json=$(printf '%s\n' "${times[@]}" | python3 -c '
import sys, json, statistics
runs = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
secs = sorted(r[0] for r in runs)
print(json.dumps({"engine": "sisetu", "best_s": secs[0], "median_s": statistics.median(secs),
                  "peak_rss_mb": max(r[1] for r in runs) / 1024}))')
echo "$sisetu_json"
if [ "$sites_format" = geojson ]; then
    peers=$(bash "$repo/benches/peer/run_peers.sh" "$work/sites.csv" "$work/districts_4490.geojson")
else
    py="${PEER_VENV:-/tmp/sisetu-peer-venv}/bin/python"
    [ -x "$py" ] || { echo "no peer virtualenv: run benches/peer/run_peers.sh once" >&2; exit 2; }
    peers=""
    for engine in geopandas sedonadb; do
        line=$(cd "$repo/benches/peer" && "$py" national_peer.py "$engine" "$work/sites.csv" \
            "$work/districts_4490.geojson" "$work/out_$engine" --repeat "$repeat" --cell 500 --crs EPSG:4538 | tail -1)
        peers+="$line"$'\n'
    done
fi
echo "$peers"
python3 - "$sisetu_json" "$peers" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
for line in sys.argv[2].splitlines():
    if not line.strip().startswith("{"):
        continue
    p = json.loads(line)
    print(f"sisetu is {p['best_s'] / s['best_s']:.1f}x faster than {p['engine']} (best of runs: "
          f"{s['best_s']:.2f} s vs {p['best_s']:.2f} s; medians {s['median_s']:.2f} s vs {p['median_s']:.2f} s)")
PY
