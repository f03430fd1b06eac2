#!/usr/bin/env python3
"""Peer benchmark for sisetu's coverage job: GeoPandas/shapely 2 + numpy (+ numba).

Usage:
    python coverage_peer.py SCENE_DIR [--repeat N] [--tree-on {shelters,cells}] [--no-numba]

SCENE_DIR holds cells.csv (x,y,population) and shelters.csv (x,y,radius_m,capacity),
written by `cargo run --release --example coverage_scene -- --out SCENE_DIR` (the
scene of benches/coverage.rs). The job is the one sisetu's bench times
(sisetu_core::coverage: FacilityIndex::new + reach_all + allocate):

  reach     every (cell, shelter) pair with dx^2 + dy^2 <= r^2 (closed reach).
            One shapely STRtree per radius class, queried with
            predicate="dwithin", distance=r (by default the tree holds that
            class's shelters and all 1M cell points are queried; --tree-on cells
            builds the tree over the cells and queries the shelters). GEOS tests
            sqrt(dx^2+dy^2) <= r, which can admit a pair whose squared distance is
            a hair above r^2, so the candidates are filtered with sisetu's exact
            predicate dx^2 + dy^2 <= r^2 in numpy (`dwithin_extra` counts what
            that dropped).
  sort      distance = sqrt(dx^2 + dy^2) (numpy, the same IEEE operations as
            sisetu), np.lexsort by (distance, cell index, shelter index).
  allocate  the sequential nearest-first loop over the sorted pairs: each pair
            moves min(population left, room left). Two variants, both timed:
              python  a plain Python loop over lists (numpy cannot vectorise it)
              numba   the same loop as an @njit function (compiled before timing)

Timed: from the numpy coordinate arrays (shapely.points included) to the
allocation; CSV reading, imports and numba compilation are not. Every repeat
runs reach and sort once and then both allocation loops on the same pairs; a
variant's run time is reach + sort + its own loop. Single-threaded (shapely,
numpy's sort and the loops all run on one core).

Prints one JSON line per variant on stdout (per-run lines on stderr):
{"engine", "best_s", "median_s", "runs_s", "phases_best_s", "cells", "shelters",
 "pairs", "covered_cells", "covered_population", "served", "load", ...}
with the same totals as `coverage_scene` prints for sisetu.
"""

import argparse
import json
import os
import statistics
import sys
import time


def read_scene(scene_dir):
    import pyarrow.csv as pacsv

    # The CSVs hold shortest round-trip decimals; Arrow's CSV reader parses them with
    # correct rounding, i.e. back to sisetu's f64s bit for bit. Reading is not timed.
    def read(name, cols):
        t = pacsv.read_csv(os.path.join(scene_dir, name),
                           convert_options=pacsv.ConvertOptions(
                               column_types={c: "float64" for c in cols}))
        return [t[c].to_numpy() for c in cols]

    return (*read("cells.csv", ["x", "y", "population"]),
            *read("shelters.csv", ["x", "y", "radius_m", "capacity"]))


def reach(cx, cy, sx, sy, sr, tree_on="shelters"):
    """All (cell, shelter) pairs within reach, as two int64 arrays, plus the distances."""
    import numpy as np
    import shapely

    cells = shapely.points(cx, cy)
    shelters = shapely.points(sx, sy)
    ci, si = [], []
    if tree_on == "shelters":
        for r in np.unique(sr):
            idx = np.flatnonzero(sr == r)
            tree = shapely.STRtree(shelters[idx])
            c, s = tree.query(cells, predicate="dwithin", distance=float(r))
            ci.append(c)
            si.append(idx[s])
    else:
        tree = shapely.STRtree(cells)
        for r in np.unique(sr):
            idx = np.flatnonzero(sr == r)
            s, c = tree.query(shelters[idx], predicate="dwithin", distance=float(r))
            ci.append(c)
            si.append(idx[s])
    ci = np.concatenate(ci).astype(np.int64, copy=False)
    si = np.concatenate(si).astype(np.int64, copy=False)
    # sisetu's exact predicate: dx^2 + dy^2 <= r^2 (GEOS tests sqrt(d2) <= r).
    dx = cx[ci] - sx[si]
    dy = cy[ci] - sy[si]
    d2 = dx * dx + dy * dy
    r = sr[si]
    keep = d2 <= r * r
    extra = int(len(keep) - np.count_nonzero(keep))
    if extra:
        ci, si, d2 = ci[keep], si[keep], d2[keep]
    return ci, si, d2, extra


def sort_pairs(ci, si, d2):
    import numpy as np

    dist = np.sqrt(d2)
    order = np.lexsort((si, ci, dist))  # last key is the primary one
    return ci[order], si[order]


def allocate_python(ci, si, pop, cap):
    left = [p if p > 0.0 else 0.0 for p in pop.tolist()]
    room = [c if c > 0.0 else 0.0 for c in cap.tolist()]
    served = [0.0] * len(left)
    load = [0.0] * len(room)
    for i, f in zip(ci.tolist(), si.tolist()):
        a = left[i]
        if a > 0.0:
            b = room[f]
            if b > 0.0:
                m = a if a < b else b
                left[i] = a - m
                room[f] = b - m
                load[f] += m
                served[i] += m
    return served, load


def make_allocate_numba():
    import numba
    import numpy as np

    @numba.njit(cache=False)
    def loop(ci, si, left, room, served, load):
        for k in range(ci.shape[0]):
            i = ci[k]
            f = si[k]
            a = left[i]
            if a > 0.0:
                b = room[f]
                if b > 0.0:
                    m = a if a < b else b
                    left[i] = a - m
                    room[f] = b - m
                    load[f] += m
                    served[i] += m

    def allocate_numba(ci, si, pop, cap):
        left = np.where(pop > 0.0, pop, 0.0)
        room = np.where(cap > 0.0, cap, 0.0)
        served = np.zeros_like(left)
        load = np.zeros_like(room)
        loop(ci, si, left, room, served, load)
        return served, load

    # compile before timing
    allocate_numba(np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1), np.ones(1))
    return allocate_numba


def versions(with_numba):
    import importlib.metadata as md
    import platform

    import shapely

    v = {"python": platform.python_version()}
    for p in ["shapely", "numpy", "pyarrow"] + (["numba"] if with_numba else []):
        try:
            v[p] = md.version(p)
        except md.PackageNotFoundError:
            pass
    v["GEOS"] = shapely.geos_version_string
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scene_dir")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--tree-on", choices=["shelters", "cells"], default="shelters")
    ap.add_argument("--no-numba", action="store_true")
    a = ap.parse_args(argv)

    import numpy as np
    import shapely  # noqa: F401

    cx, cy, pop, sx, sy, sr, cap = read_scene(a.scene_dir)

    variants = {"python": allocate_python}
    if not a.no_numba:
        try:
            variants["numba"] = make_allocate_numba()
        except ImportError:
            print("numba not installed: python loop only", file=sys.stderr)

    runs = {v: [] for v in variants}
    phases = {p: [] for p in ("reach", "sort", *("allocate_" + v for v in variants))}
    result = {}
    for run in range(1, max(1, a.repeat) + 1):
        t0 = time.perf_counter()
        ci, si, d2, extra = reach(cx, cy, sx, sy, sr, a.tree_on)
        t1 = time.perf_counter()
        oi, os_ = sort_pairs(ci, si, d2)
        t2 = time.perf_counter()
        phases["reach"].append(t1 - t0)
        phases["sort"].append(t2 - t1)
        line = f"[coverage_peer] run {run}: reach {t1 - t0:.3f} sort {t2 - t1:.3f}"
        for v, fn in variants.items():
            t3 = time.perf_counter()
            served, load = fn(oi, os_, pop, cap)
            t4 = time.perf_counter()
            phases["allocate_" + v].append(t4 - t3)
            runs[v].append(t2 - t0 + t4 - t3)
            result[v] = (served, load)
            line += f" allocate_{v} {t4 - t3:.3f} total_{v} {t2 - t0 + t4 - t3:.3f}"
        print(line, file=sys.stderr)

    covered = np.zeros(len(cx), dtype=bool)
    covered[ci] = True
    common = {
        "cells": int(len(cx)),
        "shelters": int(len(sx)),
        "pairs": int(len(ci)),
        "dwithin_extra": extra,
        "covered_cells": int(covered.sum()),
        "covered_population": float(pop[covered].sum()),
    }
    for v in variants:
        served, load = result[v]
        out = {
            "engine": f"shapely+{v}",
            "best_s": round(min(runs[v]), 4),
            "median_s": round(statistics.median(runs[v]), 4),
            "runs_s": [round(t, 4) for t in runs[v]],
            "phases_best_s": {p: round(min(phases[p]), 4)
                              for p in ("reach", "sort", "allocate_" + v)},
            "tree_on": a.tree_on,
            **common,
            "served": float(np.sum(served)),
            "load": float(np.sum(load)),
            "versions": versions(v == "numba"),
        }
        print(json.dumps(out))


if __name__ == "__main__":
    main()
