"""Same-run peer of `benches/gridcheck.rs`: the grid-management area checks with shapely 2 (GEOS).

    SISETU_SCENE_OUT=/tmp/gridcheck_scenes cargo bench --bench gridcheck
    /tmp/sisetu-peer-venv/bin/python benches/peer/gridcheck_peer.py /tmp/gridcheck_scenes [REPEAT]

For each scene written by the bench (districts and grids in EPSG:4538 metres) it times the job
`grid_coverage` does: union of the districts, union of the grids, the covered area (share),
the gaps (districts minus grids) and the outside area (grids minus districts) split into
polygons, and the pairwise overlaps of grids (STRtree candidate pairs, intersection areas),
with pieces under 100 m2 counted as slivers. Prints the best and median time and the figures,
to compare with the bench's stderr line.
"""

import json
import statistics
import sys
import time
from pathlib import Path

import shapely
from shapely.geometry import shape

MIN = 100.0


def parts(g):
    return [p for p in getattr(g, "geoms", [g]) if not p.is_empty]


def job(districts, grids):
    d = shapely.union_all(districts)
    g = shapely.union_all(grids)
    covered = d.intersection(g).area
    gaps = [p for p in parts(d.difference(g)) if p.area >= MIN]
    outside = g.difference(d).area
    tree = shapely.STRtree(grids)
    left, right = tree.query(grids, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    areas = shapely.area(shapely.intersection(grids[left], grids[right]))
    overlaps = int((areas >= MIN).sum())
    return d.area, covered, gaps, overlaps, float(areas[areas >= MIN].sum()), outside


def main():
    root = Path(sys.argv[1])
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for path in sorted(root.glob("*.geojson")):
        fc = json.loads(path.read_text())
        import numpy as np

        geoms = {"district": [], "grid": []}
        for f in fc["features"]:
            geoms[f["properties"]["layer"]].append(shape(f["geometry"]))
        districts = np.array(geoms["district"], dtype=object)
        grids = np.array(geoms["grid"], dtype=object)
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            res = job(districts, grids)
            times.append(time.perf_counter() - t)
        total, covered, gaps, overlaps, overlap_area, outside = res
        print(
            json.dumps(
                {
                    "scene": path.stem,
                    "engine": f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})",
                    "grids": len(grids),
                    "best_s": round(min(times), 4),
                    "median_s": round(statistics.median(times), 4),
                    "share": round(covered / total, 6),
                    "gaps": len(gaps),
                    "gap_km2": round(sum(p.area for p in gaps) / 1e6, 3),
                    "overlaps": overlaps,
                    "overlap_km2": round(overlap_area / 1e6, 3),
                    "outside_km2": round(outside / 1e6, 3),
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
