#!/usr/bin/env bash
# The separation-rules job (issue #14): sisetu against shapely 2 (STRtree dwithin), same run,
# same inputs.
#
#   benches/rules.sh
#
# benches/peer/rules_data.py writes the scene (100,000 sites, 10,000 protected points,
# 2,000 km of pipelines, two 1 km rules, everything in EPSG:4538) into a temp dir; then
# `sisetu build rules.toml` (no maps, register, per-site or cell layer) and
# benches/peer/rules_peer.py run REPEAT times each, alternating. sisetu is timed as a whole
# process (/usr/bin/time); the peer times its whole job inside the process (reading the
# GeoJSON layers, the rules, writing the violations; interpreter start-up and imports not
# timed). The violations per rule must be equal.
#
# Environment: REPEAT=3, SITES=100000, POINTS=10000, PIPELINE_KM=2000, SISETU_BIN (default:
# cargo build --release), PEER_VENV=/tmp/sisetu-peer-venv (made when missing), KEEP_OUT=1.
set -euo pipefail
repeat="${REPEAT:-3}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PEER_VENV:-/tmp/sisetu-peer-venv}"
py="$venv/bin/python"
work="$(mktemp -d /tmp/sisetu-rules.XXXXXX)"
cleanup() { if [ "${KEEP_OUT:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf -- "$work"; fi; }
trap cleanup EXIT
if [ -n "${SISETU_BIN:-}" ]; then
    bin="$(readlink -f "$SISETU_BIN")"
else
    (cd "$repo" && cargo build --release --quiet --bin sisetu)
    bin="$repo/target/release/sisetu"
fi
if ! "$py" -c 'import shapely, numpy' >/dev/null 2>&1; then
    [ -x "$py" ] || python3 -m venv "$venv"
    "$py" -m pip install -q shapely==2.2.0 numpy >&2
fi
"$py" "$repo/benches/peer/rules_data.py" "$work" --sites "${SITES:-100000}" --points "${POINTS:-10000}" \
    --pipeline-km "${PIPELINE_KM:-2000}" >&2
cd "$work"
for i in $(seq "$repeat"); do
    rm -rf out
    /usr/bin/time -f "%e %M" -o "sisetu.$i.time" "$bin" build rules.toml --quiet --lang en
    "$py" "$repo/benches/peer/rules_peer.py" spec.json oracle.csv --repeat 1 > "peer.$i.json"
    echo "round $i: sisetu $(cut -d' ' -f1 "sisetu.$i.time") s, shapely $("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["best_s"])' "peer.$i.json") s" >&2
done
"$py" - "$repeat" <<'PY'
import json, statistics, sys
repeat = int(sys.argv[1])
s = [float(open(f"sisetu.{i}.time").read().split()[0]) for i in range(1, repeat + 1)]
rss = max(int(open(f"sisetu.{i}.time").read().split()[1]) for i in range(1, repeat + 1)) / 1024
p = [json.load(open(f"peer.{i}.json")) for i in range(1, repeat + 1)]
ps = [x["best_s"] for x in p]
report = json.load(open("out/report.json", encoding="utf-8"))
got = {r["name"]: r["violations"] for r in report["rules"]["rules"]}
want = {k: v["violations"] for k, v in p[-1]["rules"].items()}
print(f"| engine | best s | median s | ratio (best) |")
print(f"|---|---|---|---|")
print(f"| sisetu (whole process, peak {rss:.0f} MB) | {min(s):.2f} | {statistics.median(s):.2f} | 1 |")
print(f"| shapely 2 STRtree dwithin (in-process job) | {min(ps):.2f} | {statistics.median(ps):.2f} | {min(ps) / min(s):.1f}x |")
print(f"shapely phases (best): {p[-1]['phases_best_s']}")
print(f"violations: sisetu {got}, shapely {want}: {'EQUAL' if got == want else 'DIFFERENT'}")
sys.exit(0 if got == want else 1)
PY
