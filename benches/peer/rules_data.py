"""The scene of the separation-rules benchmark (issue #14), written for sisetu and for
rules_peer.py (shapely), all in EPSG:4538 metres (CGCS2000 3-degree Gauss-Krueger, 87E):

    python rules_data.py OUTDIR [--sites 100000] [--points 10000] [--pipeline-km 2000] [--seed 7]

OUTDIR gets districts.geojson (a 4 x 4 grid of 50 km squares), sites.csv (id,name,category,
x,y,grade) and the same sites as sites.geojson (for the oracle), protected.geojson (points:
schools, hospitals ...), pipelines.geojson (LineStrings of 40 km, a vertex every 200 m),
rules.toml (the sisetu project: two 1 km rules without maps, no register, no per-site or
cell layer) and spec.json (the same rules for rules_peer.py). Deterministic for a seed.
"""

import argparse
import json
import math
from pathlib import Path

import numpy as np

X0, Y0, SIDE = 400_000.0, 4_700_000.0, 200_000.0


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--sites", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--pipeline-km", type=float, default=2000.0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(a.seed)

    step = SIDE / 4
    districts = []
    for i in range(4):
        for j in range(4):
            x, y = X0 + i * step, Y0 + j * step
            ring = [[x, y], [x + step, y], [x + step, y + step], [x, y + step], [x, y]]
            districts.append({"type": "Feature", "properties": {"id": f"D{i}{j}", "name": f"区{i}{j}"},
                              "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (out / "districts.geojson").write_text(json.dumps(fc(districts)), encoding="utf-8")

    sx = X0 + rng.random(a.sites) * SIDE
    sy = Y0 + rng.random(a.sites) * SIDE
    with open(out / "sites.csv", "w", encoding="utf-8") as f:
        f.write("id,name,category,x,y,grade\n")
        for k in range(a.sites):
            f.write(f"S{k:07d},企业{k},工贸,{sx[k]:.3f},{sy[k]:.3f},一般风险\n")
    sites = [{"type": "Feature", "properties": {"id": f"S{k:07d}"},
              "geometry": {"type": "Point", "coordinates": [round(sx[k], 3), round(sy[k], 3)]}}
             for k in range(a.sites)]
    (out / "sites.geojson").write_text(json.dumps(fc(sites)), encoding="utf-8")

    px = X0 + rng.random(a.points) * SIDE
    py = Y0 + rng.random(a.points) * SIDE
    protected = [{"type": "Feature", "properties": {"id": f"P{k:05d}", "name": f"学校{k}"},
                  "geometry": {"type": "Point", "coordinates": [round(px[k], 3), round(py[k], 3)]}}
                 for k in range(a.points)]
    (out / "protected.geojson").write_text(json.dumps(fc(protected)), encoding="utf-8")

    lines = []
    n_lines = max(1, int(round(a.pipeline_km / 40.0)))
    for k in range(n_lines):
        x, y = X0 + 20_000 + rng.random() * (SIDE - 40_000), Y0 + 20_000 + rng.random() * (SIDE - 40_000)
        heading = rng.random() * 2 * math.pi
        coords = [[round(x, 3), round(y, 3)]]
        for _ in range(200):
            heading += rng.normal(0, 0.08)
            x = min(max(x + 200 * math.cos(heading), X0), X0 + SIDE)
            y = min(max(y + 200 * math.sin(heading), Y0), Y0 + SIDE)
            coords.append([round(x, 3), round(y, 3)])
        lines.append({"type": "Feature", "properties": {"id": f"L{k:03d}", "name": f"管道{k}"},
                      "geometry": {"type": "LineString", "coordinates": coords}})
    (out / "pipelines.geojson").write_text(json.dumps(fc(lines)), encoding="utf-8")

    rules = [("场所1公里", "sites", "protected", 1000.0), ("管道1公里", "pipelines", "sites", 1000.0)]
    toml = ['maps = []', '[project]', 'title = "rules bench"', 'working_crs = "EPSG:4538"',
            '[districts]', 'path = "districts.geojson"', 'crs = "EPSG:4538"',
            '[[sites]]', 'path = "sites.csv"', 'crs = "EPSG:4538"', 'x = "x"', 'y = "y"',
            'category = "category"', 'grade = "grade"',
            '[register]', 'enabled = false', '[outputs]', 'sites = "none"', 'cells = "none"']
    for name in ("protected", "pipelines"):
        toml += ['[[layers]]', f'name = "{name}"', f'path = "{name}.geojson"', 'crs = "EPSG:4538"']
    for name, ra, rb, d in rules:
        toml += ['[[rules]]', f'name = "{name}"', f'a = "{ra}"', f'b = "{rb}"', f'min_m = {d:g}', 'map = false']
    (out / "rules.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    spec = {"layers": {"sites": "sites.geojson", "protected": "protected.geojson",
                       "pipelines": "pipelines.geojson"},
            "id": "id",
            "rules": [{"name": n, "a": ra, "b": rb, "kind": "min", "distance": d} for n, ra, rb, d in rules]}
    (out / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({"sites": a.sites, "points": a.points, "pipelines": n_lines,
                      "pipeline_km": n_lines * 40.0}))


if __name__ == "__main__":
    main()
