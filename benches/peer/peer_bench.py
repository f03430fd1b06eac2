#!/usr/bin/env python3
"""Peer benchmark for sisetu: the same census job in GeoPandas and in SedonaDB.

Usage:
    python peer_bench.py {geopandas|sedonadb} SITES.csv DISTRICTS.geojson OUTDIR [--repeat N]

The job (identical for both engines; every repeat runs it end to end, from
reading the inputs to closing the last output file; imports, the creation of
OUTDIR and the start-up of the Python interpreter are not timed):

  read     SITES.csv (id,name,lon,lat,grade,category; lon/lat EPSG:4490) and
           DISTRICTS.geojson (8 multipolygons; property `adcode`, or `gb` =
           "156"+adcode; `name`). The districts file is always *treated as*
           EPSG:4490, whatever CRS GDAL reports for it (a GeoJSON without a
           "crs" member reads as EPSG:4326).
  project  points and districts EPSG:4490 -> EPSG:4538 (CGCS2000 3-degree
           Gauss-Kruger CM 87E) with PROJ (both engines use pyproj's PROJ).
  join     point-in-polygon, points -> districts, predicate "point within
           district" (LEFT join: points outside every district keep a null
           adcode). If a point falls in more than one district (overlapping
           polygons) it keeps the smallest adcode; `multi_match` reports how
           many points that affected.
  grid     col = floor(x / 500), row = floor(y / 500) in EPSG:4538;
           cell id = "500m_<col>_<row>" (as sisetu's RegularGrid::label).
  count    per district per grade and per non-empty cell per grade:
           n_red, n_orange, n_yellow, n_blue, total. Every district is kept
           (zero counts where empty); cells are only the non-empty ones, built
           as 500 m squares in EPSG:4538.
  write    three GeoJSON files (GDAL GeoJSON driver through pyogrio, both
           engines; COORDINATE_PRECISION=7, all in EPSG:4326 lon/lat, i.e. the
           EPSG:4538 district/cell polygons and the EPSG:4490 points are
           transformed to EPSG:4326 with PROJ first -- 4490->4326 is PROJ's
           "ballpark" (identity) step, 4538->4326 an inverse Gauss-Kruger):
             OUTDIR/districts.geojson  adcode, name, n_red..n_blue, total
             OUTDIR/cells.geojson      cell, col, row, n_red..n_blue, total
             OUTDIR/sites.geojson      id, name, grade, category, adcode, cell
                                       (one feature per input row)

How each engine does it:

  geopandas: pandas.read_csv (C parser) + geopandas.read_file (pyogrio);
    GeoSeries.to_crs; geopandas.sjoin(how="left", predicate="within") (shapely
    STRtree); numpy floor for the grid; pandas groupby/unstack for the counts;
    shapely.box for the cells; GeoDataFrame.to_file(engine="pyogrio",
    use_arrow=True) for the output. Single-threaded (as GeoPandas is).

  sedonadb: everything through SedonaDB's SQL API on one SedonaContext
    created inside the timed region: sd.read.csv (DataFusion CSV reader,
    schema inferred) and sd.read_pyogrio for the districts;
    ST_Point(lon, lat, 4490) / ST_SetSRID(geom, 4490) and
    ST_Transform(geom, 'EPSG:4538'); the join is
    `sites LEFT JOIN districts ON ST_Within(sites.geom, districts.geom)`,
    which SedonaDB plans as its own spatial join operator (see EXPLAIN with
    --explain); the grid with floor() in SQL; counts with GROUP BY and
    SUM(CASE ...); the cells with ST_MakeEnvelope + ST_SetSRID. SedonaDB has
    no GeoJSON writer of its own: output goes through
    DataFrame.to_pyogrio(path) (a thin wrapper around
    pyogrio.raw.write_arrow, i.e. the same GDAL GeoJSON driver GeoPandas
    uses), streaming Arrow batches from the query (ST_Transform to EPSG:4326
    is part of that query). SedonaDB evaluates lazily; so that each phase can
    be timed, every phase's result is materialised with
    DataFrame.to_memtable() (in memory) before the next phase starts. The
    joined table is used three times (district counts, cell counts, site
    output) so it would have to be materialised anyway. DataFusion uses all
    cores (2 on the reference machine); --partitions 1 sets DataFusion's
    target_partitions to 1 for a (mostly) single-threaded figure.

Output (stdout, one JSON line):
  {"engine", "best_s", "median_s", "rows", "districts", "cells",
   "phases_best_s": {...}, "phases_median_s": {...}, "runs_s": [...],
   "sites_in_districts", "multi_match", "district_totals": {adcode: total},
   "grade_totals", "versions": {...}}
phases: read, project, join, grid, count, write (= write_districts +
write_cells + write_sites). best_s/median_s are of the whole job per repeat;
phases_*_s are the best/median of each phase separately across repeats.
"""

import argparse
import json
import os
import statistics
import sys
import time

GRADES = ("red", "orange", "yellow", "blue")
CELL = 500.0
CELL_PREFIX = "500m_"  # sisetu's RegularGrid::label: "{size}m_{col}_{row}"
SRC_EPSG = 4490
PROJ_EPSG = 4538
OUT_EPSG = 4326
LAYER_OPTS = {"COORDINATE_PRECISION": 7}


class Phases:
    def __init__(self):
        self.t = {}
        self._last = time.perf_counter()
        self.start = self._last

    def mark(self, name):
        now = time.perf_counter()
        self.t[name] = self.t.get(name, 0.0) + (now - self._last)
        self._last = now

    def total(self):
        return self._last - self.start


# --------------------------------------------------------------------------
# GeoPandas
# --------------------------------------------------------------------------


def run_geopandas(sites_path, districts_path, outdir):
    import numpy as np
    import pandas as pd
    import geopandas as gpd
    import shapely

    ph = Phases()

    # read
    df = pd.read_csv(
        sites_path,
        encoding="utf-8",
        dtype={"id": str, "name": str, "lon": "float64", "lat": "float64",
               "grade": str, "category": str},
    )
    dist = gpd.read_file(districts_path, engine="pyogrio")
    ph.mark("read")

    # district attributes: adcode from `adcode` or from `gb` ("156" + adcode)
    if "adcode" in dist.columns:
        adcode = dist["adcode"].astype(str)
    elif "gb" in dist.columns:
        adcode = dist["gb"].astype(str).str.replace(r"^156", "", regex=True)
    else:
        raise SystemExit("districts need an `adcode` or `gb` property")
    dist = gpd.GeoDataFrame(
        {"adcode": adcode, "name": dist["name"]}, geometry=dist.geometry.values
    ).set_crs(SRC_EPSG, allow_override=True)

    # project
    pts_ll = gpd.GeoSeries(gpd.points_from_xy(df["lon"].values, df["lat"].values),
                           crs=SRC_EPSG)
    pts = gpd.GeoDataFrame(df[["id", "name", "grade", "category"]],
                           geometry=pts_ll.to_crs(PROJ_EPSG))
    dist_p = dist.to_crs(PROJ_EPSG)
    ph.mark("project")

    # join: point within district
    j = gpd.sjoin(pts, dist_p[["adcode", "geometry"]], how="left", predicate="within")
    multi = 0
    if j.index.has_duplicates:
        dup = j.index.duplicated(keep=False)
        multi = int(pd.Index(j.index[dup]).nunique())
        j = j.sort_values("adcode", na_position="last", kind="stable")
        j = j[~j.index.duplicated(keep="first")].sort_index()
    ph.mark("join")

    # grid
    x = j.geometry.x.values
    y = j.geometry.y.values
    col = np.floor(x / CELL).astype("int64")
    row = np.floor(y / CELL).astype("int64")
    cell = (CELL_PREFIX + pd.Series(col).astype(str)).str.cat(
        pd.Series(row).astype(str), sep="_").values
    ph.mark("grid")

    # count
    grade = pd.Categorical(j["grade"].values, categories=list(GRADES))

    def pivot(keys):
        c = (pd.DataFrame(dict(keys, grade=grade))
             .groupby(list(keys) + ["grade"], observed=True, sort=False).size()
             .unstack("grade", fill_value=0)
             .reindex(columns=list(GRADES), fill_value=0))
        c.columns = ["n_" + g for g in GRADES]
        c["total"] = c.sum(axis=1)
        return c

    dc = pivot({"adcode": j["adcode"].values})
    dist_out = dist_p.merge(dc, left_on="adcode", right_index=True, how="left")
    for c in [*("n_" + g for g in GRADES), "total"]:
        dist_out[c] = dist_out[c].fillna(0).astype("int64")

    cc = pivot({"col": col, "row": row}).reset_index()
    cc.insert(0, "cell", CELL_PREFIX + cc["col"].astype(str) + "_" + cc["row"].astype(str))
    cx = cc["col"].values * CELL
    cy = cc["row"].values * CELL
    cells = gpd.GeoDataFrame(cc, geometry=shapely.box(cx, cy, cx + CELL, cy + CELL),
                             crs=PROJ_EPSG)
    ph.mark("count")

    # write
    def write(gdf, name):
        gdf.to_file(os.path.join(outdir, name), driver="GeoJSON", engine="pyogrio",
                    use_arrow=True, index=False, layer_options=LAYER_OPTS)

    write(dist_out.to_crs(OUT_EPSG), "districts.geojson")
    ph.mark("write_districts")
    write(cells.to_crs(OUT_EPSG), "cells.geojson")
    ph.mark("write_cells")
    sites_out = gpd.GeoDataFrame(
        {"id": j["id"].values, "name": j["name"].values, "grade": j["grade"].values,
         "category": j["category"].values, "adcode": j["adcode"].values, "cell": cell},
        geometry=pts_ll.iloc[j.index.values].to_crs(OUT_EPSG).values,
        crs=OUT_EPSG,
    )
    write(sites_out, "sites.geojson")
    ph.mark("write_sites")

    info = {
        "rows": int(len(df)),
        "districts": int(len(dist_out)),
        "cells": int(len(cells)),
        "sites_in_districts": int(j["adcode"].notna().sum()),
        "multi_match": multi,
        "district_totals": {str(a): int(t) for a, t in
                            sorted(zip(dist_out["adcode"], dist_out["total"]))},
        "grade_totals": {g: int(cc["n_" + g].sum()) for g in GRADES},
    }
    return ph, info


# --------------------------------------------------------------------------
# SedonaDB
# --------------------------------------------------------------------------


def run_sedonadb(sites_path, districts_path, outdir, explain=False, partitions=None):
    import sedonadb

    ph = Phases()
    sd = sedonadb.connect()
    if partitions:
        sd.sql(f"SET datafusion.execution.target_partitions = {int(partitions)}").execute()

    # read (materialised so that reading is timed on its own)
    sd.read.csv(sites_path).to_memtable().to_view("sites_raw", overwrite=True)
    draw = sd.read_pyogrio(districts_path).to_memtable()
    draw.to_view("d_raw", overwrite=True)
    ph.mark("read")

    cols = draw.columns
    schema = draw.schema
    geom_col = next(
        (schema.field(i).name for i in range(len(cols))
         if str(schema.field(i).type).split("<")[0].strip().lower().endswith(
             ("geometry", "geography"))),
        "wkb_geometry" if "wkb_geometry" in cols else "geometry")
    if "adcode" in cols:
        adcode_sql = "CAST(adcode AS VARCHAR)"
    elif "gb" in cols:
        adcode_sql = "regexp_replace(CAST(gb AS VARCHAR), '^156', '')"
    else:
        raise SystemExit("districts need an `adcode` or `gb` property")

    # project
    sd.sql(f"""
        SELECT id, name, grade, category, lon, lat,
               ST_Transform(ST_Point(lon, lat, {SRC_EPSG}), 'EPSG:{PROJ_EPSG}') AS geom
        FROM sites_raw
    """).to_memtable().to_view("p", overwrite=True)
    sd.sql(f"""
        SELECT {adcode_sql} AS adcode, name,
               ST_Transform(ST_SetSRID("{geom_col}", {SRC_EPSG}), 'EPSG:{PROJ_EPSG}') AS geom
        FROM d_raw
    """).to_memtable().to_view("d", overwrite=True)
    ph.mark("project")

    # join: point within district
    join_sql = """
        SELECT p.id, p.name, p.grade, p.category, p.lon, p.lat, p.geom, d.adcode
        FROM p LEFT JOIN d ON ST_Within(p.geom, d.geom)
    """
    if explain:
        print(sd.sql("EXPLAIN " + join_sql).to_pandas().to_string(), file=sys.stderr)
    jm = sd.sql(join_sql).to_memtable()
    jm.to_view("j0", overwrite=True)
    n_rows = sd.sql("SELECT count(*) AS n FROM sites_raw").to_pandas()["n"][0]
    n_join = jm.count()
    multi = 0
    if n_join != n_rows:
        multi = int(sd.sql("SELECT count(*) AS n FROM (SELECT id FROM j0 GROUP BY id "
                           "HAVING count(*) > 1)").to_pandas()["n"][0])
        sd.sql("""
            SELECT DISTINCT ON (id) id, name, grade, category, lon, lat, geom, adcode
            FROM j0 ORDER BY id, adcode NULLS LAST
        """).to_memtable().to_view("j0", overwrite=True)
    ph.mark("join")

    # grid
    sd.sql(f"""
        SELECT *, concat('{CELL_PREFIX}', CAST(col AS VARCHAR), '_', CAST("row" AS VARCHAR))
                  AS cell
        FROM (SELECT id, name, grade, category, lon, lat, adcode,
                     CAST(floor(ST_X(geom) / {CELL}) AS BIGINT) AS col,
                     CAST(floor(ST_Y(geom) / {CELL}) AS BIGINT) AS "row"
              FROM j0)
    """).to_memtable().to_view("g", overwrite=True)
    ph.mark("grid")

    # count
    sums = ", ".join(f"SUM(CASE WHEN grade = '{g}' THEN 1 ELSE 0 END) AS n_{g}"
                     for g in GRADES)
    sd.sql(f"""
        SELECT d.adcode, d.name,
               {", ".join(f"COALESCE(c.n_{g}, 0) AS n_{g}" for g in GRADES)},
               COALESCE(c.total, 0) AS total, d.geom
        FROM d LEFT JOIN (SELECT adcode, {sums}, count(*) AS total
                          FROM g WHERE adcode IS NOT NULL GROUP BY adcode) c
          ON d.adcode = c.adcode
    """).to_memtable().to_view("dc", overwrite=True)
    sd.sql(f"""
        SELECT concat('{CELL_PREFIX}', CAST(col AS VARCHAR), '_', CAST("row" AS VARCHAR))
                 AS cell,
               col, "row", {", ".join("n_" + g for g in GRADES)}, total,
               ST_SetSRID(ST_MakeEnvelope(col * {CELL}, "row" * {CELL},
                                          (col + 1) * {CELL}, ("row" + 1) * {CELL}),
                          {PROJ_EPSG}) AS geom
        FROM (SELECT col, "row", {sums}, count(*) AS total FROM g GROUP BY col, "row")
    """).to_memtable().to_view("cc", overwrite=True)
    ph.mark("count")

    # write (GDAL GeoJSON driver via DataFrame.to_pyogrio -> pyogrio.raw.write_arrow)
    def write(sql, name, gtype):
        sd.sql(sql).to_pyogrio(os.path.join(outdir, name), driver="GeoJSON",
                               geometry_type=gtype, layer_options=LAYER_OPTS)

    write(f"""SELECT adcode, name, {", ".join("n_" + g for g in GRADES)}, total,
                     ST_Transform(geom, 'EPSG:{OUT_EPSG}') AS geometry FROM dc""",
          "districts.geojson", "MultiPolygon")
    ph.mark("write_districts")
    write(f"""SELECT cell, col, "row", {", ".join("n_" + g for g in GRADES)}, total,
                     ST_Transform(geom, 'EPSG:{OUT_EPSG}') AS geometry FROM cc""",
          "cells.geojson", "Polygon")
    ph.mark("write_cells")
    write(f"""SELECT id, name, grade, category, adcode, cell,
                     ST_Transform(ST_Point(lon, lat, {SRC_EPSG}), 'EPSG:{OUT_EPSG}')
                       AS geometry FROM g""",
          "sites.geojson", "Point")
    ph.mark("write_sites")

    dtot = sd.sql("SELECT adcode, total FROM dc ORDER BY adcode").to_pandas()
    gtot = sd.sql("SELECT " + ", ".join(f"SUM(n_{g}) AS n_{g}" for g in GRADES)
                  + ", count(*) AS cells FROM cc").to_pandas()
    info = {
        "rows": int(n_rows),
        "districts": int(len(dtot)),
        "cells": int(gtot["cells"][0]),
        "sites_in_districts": int(
            sd.sql("SELECT count(adcode) AS n FROM g").to_pandas()["n"][0]),
        "multi_match": multi,
        "district_totals": {str(a): int(t) for a, t in zip(dtot["adcode"], dtot["total"])},
        "grade_totals": {g: int(gtot["n_" + g][0]) for g in GRADES},
    }
    return ph, info


# --------------------------------------------------------------------------


def versions(engine):
    import importlib.metadata as md
    import platform

    v = {"python": platform.python_version()}
    pkgs = ["geopandas", "pandas", "numpy", "shapely", "pyogrio", "pyproj", "pyarrow"]
    if engine == "sedonadb":
        pkgs = ["sedonadb", "pyogrio", "pyproj", "pyarrow", "geopandas"]
    for p in pkgs:
        try:
            v[p] = md.version(p)
        except md.PackageNotFoundError:
            pass
    try:
        import pyproj
        v["PROJ"] = pyproj.proj_version_str
    except Exception:
        pass
    try:
        import pyogrio
        v["GDAL"] = pyogrio.__gdal_version_string__
    except Exception:
        pass
    try:
        import shapely
        v["GEOS"] = shapely.geos_version_string
    except Exception:
        pass
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("engine", choices=["geopandas", "sedonadb"])
    ap.add_argument("sites")
    ap.add_argument("districts")
    ap.add_argument("outdir")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--explain", action="store_true",
                    help="sedonadb: print the join plan to stderr")
    ap.add_argument("--partitions", type=int, default=None,
                    help="sedonadb: DataFusion target_partitions (default: number of "
                         "cores); 1 gives a single-threaded figure")
    a = ap.parse_args(argv)

    os.makedirs(a.outdir, exist_ok=True)
    # import the engine before timing (imports are not part of the job)
    if a.engine == "geopandas":
        import geopandas, shapely, pyogrio, pyproj  # noqa: F401
        fn = lambda: run_geopandas(a.sites, a.districts, a.outdir)  # noqa: E731
    else:
        import sedonadb  # noqa: F401
        fn = lambda: run_sedonadb(a.sites, a.districts, a.outdir, a.explain, a.partitions)  # noqa: E731

    runs, phase_runs, info = [], [], None
    for i in range(max(1, a.repeat)):
        for f in ("districts.geojson", "cells.geojson", "sites.geojson"):
            p = os.path.join(a.outdir, f)
            if os.path.exists(p):
                os.remove(p)
        ph, info = fn()
        runs.append(ph.total())
        t = dict(ph.t)
        t["write"] = t["write_districts"] + t["write_cells"] + t["write_sites"]
        phase_runs.append(t)
        print(f"[{a.engine}] run {i + 1}: {ph.total():.3f} s "
              + " ".join(f"{k}={v:.3f}" for k, v in t.items()), file=sys.stderr)

    names = list(phase_runs[0])
    out = {
        "engine": a.engine + (f"[partitions={a.partitions}]"
                              if a.engine == "sedonadb" and a.partitions else ""),
        "best_s": round(min(runs), 4),
        "median_s": round(statistics.median(runs), 4),
        **{k: info[k] for k in ("rows", "districts", "cells")},
        "phases_best_s": {k: round(min(r[k] for r in phase_runs), 4) for k in names},
        "phases_median_s": {k: round(statistics.median(r[k] for r in phase_runs), 4)
                            for k in names},
        "runs_s": [round(r, 4) for r in runs],
        **{k: info[k] for k in ("sites_in_districts", "multi_match",
                                "district_totals", "grade_totals")},
        "versions": versions(a.engine),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
