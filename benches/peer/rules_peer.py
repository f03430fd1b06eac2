"""Independent oracle (shapely 2 / GEOS) for sisetu's separation rules.

    python rules_peer.py SPEC.json OUT.csv [--repeat N]
    python rules_peer.py --self-test

SPEC.json names the layers (GeoJSON FeatureCollections, paths relative to the folder of
SPEC.json, coordinates already in one metric CRS), the id property and the rules:

    {"layers": {"schools": "schools.geojson", "hazchem": "hazchem.geojson"},
     "id": "id",
     "rules": [{"name": "r1", "a": "hazchem", "b": "schools", "kind": "min", "distance": 150.0},
               {"name": "r2", "a": "hazchem", "b": "schools", "kind": "min",
                "distance": "column", "column": "safety_m"},
               {"name": "r3", "a": "schools", "b": "stations", "kind": "within",
                "distance": 500.0}]}

Semantics:
* distance(a, b) = shapely.distance(a, b), Euclidean distance between the closed geometries
  (0 when they touch, intersect or one contains the other).
* Features with null (or empty) geometry are skipped when reading. Ids are the `id`
  property as str (numbers -> str(value)); a missing property gives "".
* D is the rule's constant, or with "distance": "column" the A feature's numeric property
  `column`; A features whose value is missing, not a JSON number (bool included), not finite
  or negative are not checked and are counted as "skipped".
* "min": every pair (a, b) with distance(a, b) < D (strict) is a violation row.
* "within": an A feature violates when no B feature has distance(a, b) <= D; one row with
  empty b_id and distance_m = distance to the nearest B (empty when B has no features).
* When a and b are the same layer, a feature is never paired with itself.
Candidates come from STRtree.query(predicate="dwithin") with D slightly enlarged, then the
exact shapely.distance decides. OUT.csv: rule,a_id,b_id,distance_m,required_m (f"{x:.6f}"),
rows sorted by (rule order, A index, B index) in file order. stdout gets one JSON line:
{"rules": {name: {"checked", "violations", "skipped"}}, "best_s", "phases_best_s"}.
"""

import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape


def load_layer(path, id_key):
    """Read a GeoJSON FeatureCollection -> (ids, geometry array, properties list)."""
    with open(path, encoding="utf-8") as f:
        fc = json.load(f)
    ids, geoms, props = [], [], []
    for feat in fc.get("features", []):
        if not feat.get("geometry"):
            continue
        g = shape(feat["geometry"])
        if g.is_empty:
            continue
        p = feat.get("properties") or {}
        v = p.get(id_key)
        ids.append("" if v is None else str(v))
        geoms.append(g)
        props.append(p)
    return ids, np.array(geoms, dtype=object), props


def read_spec(spec_path):
    """Load SPEC.json and every layer it names."""
    spec_path = Path(spec_path)
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    id_key = spec.get("id", "id")
    layers = {name: load_layer(spec_path.parent / rel, id_key)
              for name, rel in spec["layers"].items()}
    return spec, layers


def required_distances(rule, props):
    """Per-A-feature D (np.nan where the feature is skipped)."""
    if rule["distance"] != "column":
        return np.full(len(props), float(rule["distance"]))
    out = np.full(len(props), np.nan)
    for i, p in enumerate(props):
        v = p.get(rule["column"])
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = float(v)
            if math.isfinite(v) and v >= 0:
                out[i] = v
    return out


def candidates(tree, b_geoms, a_geoms, a_idx, dists):
    """Pairs (A index, B index, exact distance, D) with distance <= enlarged D, by D group."""
    ai, bi, req = [], [], []
    for d in np.unique(dists[a_idx]):
        sel = a_idx[dists[a_idx] == d]
        pad = d * (1 + 1e-9) + 1e-9  # superset of dwithin; the exact test is done below
        q, t = tree.query(a_geoms[sel], predicate="dwithin", distance=pad)
        ai.append(sel[q])
        bi.append(t)
        req.append(np.full(len(q), d))
    if not ai:
        return (np.empty(0, int), np.empty(0, int), np.empty(0), np.empty(0))
    ai, bi, req = np.concatenate(ai), np.concatenate(bi), np.concatenate(req)
    dist = shapely.distance(a_geoms[ai], b_geoms[bi]) if len(ai) else np.empty(0)
    return ai, bi, dist, req


def run_rule(rule, layers):
    """Evaluate one rule -> (rows, stats); rows are (a_idx, b_idx|None, distance|None, D)."""
    _, a_geoms, a_props = layers[rule["a"]]
    b_geoms = layers[rule["b"]][1]
    same = rule["a"] == rule["b"]
    dists = required_distances(rule, a_props)
    a_idx = np.flatnonzero(~np.isnan(dists))
    stats = {"checked": int(len(a_idx)), "skipped": int(len(a_props) - len(a_idx))}
    rows = []
    tree = shapely.STRtree(b_geoms) if len(b_geoms) else None
    if tree is not None:
        ai, bi, dist, req = candidates(tree, b_geoms, a_geoms, a_idx, dists)
        if same:
            keep = ai != bi
            ai, bi, dist, req = ai[keep], bi[keep], dist[keep], req[keep]
    if rule["kind"] == "min":
        if tree is not None:
            keep = dist < req
            order = np.lexsort((bi[keep], ai[keep]))
            rows = [(int(a), int(b), float(d), float(r)) for a, b, d, r in
                    zip(ai[keep][order], bi[keep][order], dist[keep][order], req[keep][order])]
    elif rule["kind"] == "within":
        ok = set(ai[dist <= req].tolist()) if tree is not None else set()
        bad = np.array([i for i in a_idx.tolist() if i not in ok], dtype=int)
        near = np.full(len(bad), np.nan)
        if tree is not None and len(bad) and not same:
            q, t = tree.query_nearest(a_geoms[bad], all_matches=False)
            near[q] = shapely.distance(a_geoms[bad[q]], b_geoms[t])
        elif tree is not None and same and len(b_geoms) > 1:
            for k, i in enumerate(bad):
                d = shapely.distance(a_geoms[i], b_geoms)
                d[i] = np.inf
                near[k] = d.min()
        rows = [(int(i), None, None if np.isnan(d) else float(d), float(dists[i]))
                for i, d in zip(bad, near)]
    else:
        raise ValueError(f"unknown rule kind {rule['kind']!r}")
    stats["violations"] = len(rows)
    return rows, stats


def run_rules(spec, layers):
    """Evaluate every rule in spec order -> (csv rows, stats per rule name)."""
    out, stats = [], {}
    for rule in spec["rules"]:
        rows, st = run_rule(rule, layers)
        a_ids, b_ids = layers[rule["a"]][0], layers[rule["b"]][0]
        for a, b, d, r in rows:
            out.append((rule["name"], a_ids[a], "" if b is None else b_ids[b],
                        "" if d is None else f"{d:.6f}", f"{r:.6f}"))
        stats[rule["name"]] = {k: st[k] for k in ("checked", "violations", "skipped")}
    return out, stats


def write_csv(path, rows):
    """Write OUT.csv (UTF-8, header)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["rule", "a_id", "b_id", "distance_m", "required_m"])
        w.writerows(rows)


def self_test():
    """Tiny in-memory scene with known answers."""
    def layer(items):
        return ([i for i, _, _ in items],
                np.array([shapely.from_wkt(w) for _, w, _ in items], dtype=object),
                [p for _, _, p in items])
    layers = {
        "a": layer([("p", "POINT (0 0)", {"s": 150}),
                    ("q", "POINT (250 50)", {"s": "x"}),
                    ("m", "MULTIPOINT ((1000 0), (1000 10))", {"s": -1}),
                    ("r", "POINT (100 200)", {"s": 100.0})]),
        "b": layer([("line", "LINESTRING (100 -50, 100 50)", {}),
                    ("sq", "POLYGON ((200 0, 300 0, 300 100, 200 100, 200 0))", {})]),
        "e": layer([]),
    }
    rules = [{"name": "m150", "a": "a", "b": "b", "kind": "min", "distance": 150.0},
             {"name": "m100", "a": "a", "b": "b", "kind": "min", "distance": 100.0},
             {"name": "col", "a": "a", "b": "b", "kind": "min", "distance": "column",
              "column": "s"},
             {"name": "w100", "a": "a", "b": "b", "kind": "within", "distance": 100.0},
             {"name": "wself", "a": "a", "b": "a", "kind": "within", "distance": 100.0},
             {"name": "wempty", "a": "a", "b": "e", "kind": "within", "distance": 5.0}]
    rows, stats = run_rules({"rules": rules}, layers)
    got = {}
    for r in rows:
        got.setdefault(r[0], []).append(r[1:])
    # q-line is exactly 150: complies (strict <); q lies inside the square: 0
    assert got["m150"] == [("p", "line", "100.000000", "150.000000"),
                           ("q", "sq", "0.000000", "150.000000"),
                           ("r", "sq", f"{math.hypot(100, 100):.6f}", "150.000000")], got["m150"]
    assert got["m100"] == [("q", "sq", "0.000000", "100.000000")], got["m100"]
    assert got["col"] == [("p", "line", "100.000000", "150.000000")], got["col"]
    assert stats["col"] == {"checked": 2, "violations": 1, "skipped": 2}, stats["col"]
    # p-line is exactly 100: complies (<=); r's nearest is the square corner at 141.42
    assert got["w100"] == [("m", "", "700.000000", "100.000000"),
                           ("r", "", f"{math.hypot(100, 100):.6f}", "100.000000")], got["w100"]
    wself = {a: d for a, _, d, _ in got["wself"]}
    assert set(wself) == {"p", "q", "m", "r"}, wself  # self excluded; m's points 10 apart
    assert wself["p"] == f"{math.hypot(100, 200):.6f}", wself
    assert got["wempty"] == [(a, "", "", "5.000000") for a in "pqmr"], got["wempty"]
    assert stats["m150"] == {"checked": 4, "violations": 3, "skipped": 0}, stats["m150"]
    print("self-test ok")


def main(argv):
    """Command line entry point."""
    if "--self-test" in argv:
        self_test()
        return
    repeat = 1
    if "--repeat" in argv:
        k = argv.index("--repeat")
        repeat = int(argv[k + 1])
        argv = argv[:k] + argv[k + 2:]
    if len(argv) != 2:
        sys.exit(__doc__)
    spec_path, out_path = argv
    best = math.inf
    phases = {"read": math.inf, "rules": math.inf, "write": math.inf}
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        spec, layers = read_spec(spec_path)
        t1 = time.perf_counter()
        rows, stats = run_rules(spec, layers)
        t2 = time.perf_counter()
        write_csv(out_path, rows)
        t3 = time.perf_counter()
        best = min(best, t3 - t0)
        for k, s in zip(phases, (t1 - t0, t2 - t1, t3 - t2)):
            phases[k] = min(phases[k], s)
    print(json.dumps({"rules": stats, "best_s": best, "phases_best_s": phases}))


if __name__ == "__main__":
    main(sys.argv[1:])
