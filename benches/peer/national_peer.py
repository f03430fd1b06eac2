#!/usr/bin/env python3
"""Peer benchmark for sisetu at national scale: the census job in GeoPandas and SedonaDB.

Usage:
    python national_peer.py {geopandas|sedonadb} SITES.csv DISTRICTS.geojson OUTDIR
        [--repeat N] [--partitions N] [--compression C] [--explain]

The city job of peer_bench.py at the scale of the whole country (the inputs of
national_data.py: 2,875 county polygons, ~4.2 million vertices, and 1M-100M sites), with
three differences: the join is in lon/lat as given, the grid is a 5 km grid in an Albers
equal-area CRS, and the per-site output is GeoParquet.

  read     SITES.csv (id,name,lon,lat,grade,category; lon/lat EPSG:4490) and
           DISTRICTS.geojson (`adcode`, `name`), always *treated as* EPSG:4490.
  project  the points EPSG:4490 -> ALBERS (below), for the grid only. The districts are
           not projected.
  join     point within district, in lon/lat as given: both layers EPSG:4490, no
           projection (the exact answer GEOS gives for the straight edges of the file).
           LEFT join; a point in several districts keeps the smallest adcode
           (`multi_match` counts them).
  grid     col = floor(x / 5000), row = floor(y / 5000) in ALBERS; cell id
           "5000m_<col>_<row>" (sisetu's RegularGrid::label for a 5000 m grid).
  count    per district per grade and per non-empty cell per grade: n_red, n_orange,
           n_yellow, n_blue, total; every district kept (zeros where empty); cells built
           as 5 km squares in ALBERS.
  write    OUTDIR/districts.geojson (adcode, name, counts; the input geometry, labelled
           EPSG:4326: PROJ's EPSG:4490 -> 4326 is the identity), OUTDIR/cells.geojson
           (cell, col, row, counts; squares transformed ALBERS -> EPSG:4326), both with
           the GDAL GeoJSON driver through pyogrio, COORDINATE_PRECISION=7; and
           OUTDIR/sites.parquet, GeoParquet (id, name, grade, category, adcode, cell, the
           input point labelled EPSG:4326; one row per input row), compression
           --compression (default snappy, GeoPandas' default; SedonaDB's own is zstd(3)).

ALBERS = +proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=GRS80
         +units=m +no_defs (handed to SedonaDB as PROJJSON, which it needs for a CRS
         without an EPSG code).

  geopandas: pandas.read_csv, geopandas.read_file (pyogrio); GeoSeries.to_crs(ALBERS);
    geopandas.sjoin(how="left", predicate="within") (shapely STRtree + GEOS) in lon/lat;
    numpy floor; pandas groupby/unstack; shapely.box; to_file(engine="pyogrio",
    use_arrow=True) for the GeoJSON; GeoDataFrame.to_parquet for the sites. One thread.
  sedonadb: SQL on one SedonaContext (created inside the timed region): sd.read.csv,
    sd.read_pyogrio; ST_Point(lon, lat, 4490), ST_SetSRID(geom, 4490),
    ST_Transform(point, '<ALBERS PROJJSON>'); `p LEFT JOIN d ON ST_Within(p.geom,
    d.geom)` (SedonaDB's SpatialJoinExec); floor() in SQL; GROUP BY + SUM(CASE ...);
    ST_MakeEnvelope + ST_Transform(geom, '<ALBERS>', 'EPSG:4326') for the cells;
    DataFrame.to_pyogrio for the GeoJSON (SedonaDB has no GeoJSON writer of its own);
    DataFrame.to_parquet (its native GeoParquet 1.0 writer) for the sites. Every phase
    materialised with to_memtable() so that it can be timed on its own. --partitions N
    sets DataFusion's target_partitions (default: all cores).

Output: one JSON line on stdout, as peer_bench.py's ("engine", "best_s", "median_s",
"rows", "districts", "cells", "phases_best_s", "phases_median_s", "runs_s",
"sites_in_districts", "multi_match", "district_totals", "grade_totals", "versions").
"""

import argparse
import json
import os
import statistics
import sys

from peer_bench import GRADES, Phases, versions

CELL = 5000.0
CELL_PREFIX = "5000m_"  # sisetu's RegularGrid::label: "{size}m_{col}_{row}"
SRC_EPSG = 4490
OUT_EPSG = 4326
ALBERS = ("+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=GRS80 "
          "+units=m +no_defs")
LAYER_OPTS = {"COORDINATE_PRECISION": 7}
OUTPUTS = ("districts.geojson", "cells.geojson", "sites.parquet")


# --------------------------------------------------------------------------
# GeoPandas
# --------------------------------------------------------------------------


def run_geopandas(sites_path, districts_path, outdir, compression):
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
    dist = gpd.GeoDataFrame(
        {"adcode": dist["adcode"].astype(str), "name": dist["name"]},
        geometry=dist.geometry.values,
    ).set_crs(SRC_EPSG, allow_override=True)
    ph.mark("read")

    # project: the points to Albers, for the grid
    pts_ll = gpd.GeoSeries(gpd.points_from_xy(df["lon"].values, df["lat"].values),
                           crs=SRC_EPSG)
    pts_aea = pts_ll.to_crs(ALBERS)
    ph.mark("project")

    # join: point within district, lon/lat as given
    pts = gpd.GeoDataFrame(df[["id", "name", "grade", "category"]], geometry=pts_ll)
    j = gpd.sjoin(pts, dist[["adcode", "geometry"]], how="left", predicate="within")
    multi = 0
    if j.index.has_duplicates:
        dup = j.index.duplicated(keep=False)
        multi = int(pd.Index(j.index[dup]).nunique())
        j = j.sort_values("adcode", na_position="last", kind="stable")
        j = j[~j.index.duplicated(keep="first")].sort_index()
    ph.mark("join")

    # grid (5 km in Albers)
    sel = pts_aea.values[j.index.values]
    col = np.floor(shapely.get_x(sel) / CELL).astype("int64")
    row = np.floor(shapely.get_y(sel) / CELL).astype("int64")
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
    dist_out = dist.merge(dc, left_on="adcode", right_index=True, how="left")
    for c in [*("n_" + g for g in GRADES), "total"]:
        dist_out[c] = dist_out[c].fillna(0).astype("int64")

    cc = pivot({"col": col, "row": row}).reset_index()
    cc.insert(0, "cell", CELL_PREFIX + cc["col"].astype(str) + "_" + cc["row"].astype(str))
    cx = cc["col"].values * CELL
    cy = cc["row"].values * CELL
    cells = gpd.GeoDataFrame(cc, geometry=shapely.box(cx, cy, cx + CELL, cy + CELL),
                             crs=ALBERS)
    ph.mark("count")

    # write
    def write(gdf, name):
        gdf.to_file(os.path.join(outdir, name), driver="GeoJSON", engine="pyogrio",
                    use_arrow=True, index=False, layer_options=LAYER_OPTS)

    write(dist_out.set_crs(OUT_EPSG, allow_override=True), "districts.geojson")
    ph.mark("write_districts")
    write(cells.to_crs(OUT_EPSG), "cells.geojson")
    ph.mark("write_cells")
    sites_out = gpd.GeoDataFrame(
        {"id": j["id"].values, "name": j["name"].values, "grade": j["grade"].values,
         "category": j["category"].values, "adcode": j["adcode"].values, "cell": cell},
        geometry=pts_ll.values[j.index.values],
    ).set_crs(OUT_EPSG, allow_override=True)
    sites_out.to_parquet(os.path.join(outdir, "sites.parquet"), index=False,
                         compression=compression)
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


def run_sedonadb(sites_path, districts_path, outdir, compression, explain=False,
                 partitions=None):
    import pyproj
    import sedonadb

    albers = pyproj.CRS(ALBERS).to_json().replace("'", "''")

    ph = Phases()
    sd = sedonadb.connect()
    if partitions:
        sd.sql(f"SET datafusion.execution.target_partitions = {int(partitions)}").execute()

    # read (materialised so that reading is timed on its own)
    sd.read.csv(sites_path).to_memtable().to_view("sites_raw", overwrite=True)
    draw = sd.read_pyogrio(districts_path).to_memtable()
    draw.to_view("d_raw", overwrite=True)
    cols = draw.columns
    schema = draw.schema
    geom_col = next(
        (schema.field(i).name for i in range(len(cols))
         if str(schema.field(i).type).split("<")[0].strip().lower().endswith(
             ("geometry", "geography"))),
        "wkb_geometry" if "wkb_geometry" in cols else "geometry")
    sd.sql(f"""
        SELECT CAST(adcode AS VARCHAR) AS adcode, name,
               ST_SetSRID("{geom_col}", {SRC_EPSG}) AS geom
        FROM d_raw
    """).to_memtable().to_view("d", overwrite=True)
    ph.mark("read")

    # project: the points to Albers, for the grid
    sd.sql(f"""
        SELECT id, name, grade, category, lon, lat,
               ST_Point(lon, lat, {SRC_EPSG}) AS geom,
               ST_Transform(ST_Point(lon, lat, {SRC_EPSG}), '{albers}') AS ageom
        FROM sites_raw
    """).to_memtable().to_view("p", overwrite=True)
    ph.mark("project")

    # join: point within district, lon/lat as given
    join_sql = """
        SELECT p.id, p.name, p.grade, p.category, p.lon, p.lat, p.ageom, d.adcode
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
            SELECT DISTINCT ON (id) id, name, grade, category, lon, lat, ageom, adcode
            FROM j0 ORDER BY id, adcode NULLS LAST
        """).to_memtable().to_view("j0", overwrite=True)
    ph.mark("join")

    # grid (5 km in Albers)
    sd.sql(f"""
        SELECT *, concat('{CELL_PREFIX}', CAST(col AS VARCHAR), '_', CAST("row" AS VARCHAR))
                  AS cell
        FROM (SELECT id, name, grade, category, lon, lat, adcode,
                     CAST(floor(ST_X(ageom) / {CELL}) AS BIGINT) AS col,
                     CAST(floor(ST_Y(ageom) / {CELL}) AS BIGINT) AS "row"
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
               ST_MakeEnvelope(col * {CELL}, "row" * {CELL},
                               (col + 1) * {CELL}, ("row" + 1) * {CELL}) AS geom
        FROM (SELECT col, "row", {sums}, count(*) AS total FROM g GROUP BY col, "row")
    """).to_memtable().to_view("cc", overwrite=True)
    ph.mark("count")

    # write: GeoJSON through GDAL (DataFrame.to_pyogrio), sites with SedonaDB's own
    # GeoParquet writer
    def write(sql, name, gtype):
        sd.sql(sql).to_pyogrio(os.path.join(outdir, name), driver="GeoJSON",
                               geometry_type=gtype, layer_options=LAYER_OPTS)

    write(f"""SELECT adcode, name, {", ".join("n_" + g for g in GRADES)}, total,
                     ST_SetSRID(geom, {OUT_EPSG}) AS geometry FROM dc ORDER BY adcode""",
          "districts.geojson", "MultiPolygon")
    ph.mark("write_districts")
    write(f"""SELECT cell, col, "row", {", ".join("n_" + g for g in GRADES)}, total,
                     ST_Transform(geom, '{albers}', 'EPSG:{OUT_EPSG}') AS geometry FROM cc""",
          "cells.geojson", "Polygon")
    ph.mark("write_cells")
    sd.sql(f"""SELECT id, name, grade, category, adcode, cell,
                      ST_Point(lon, lat, {OUT_EPSG}) AS geometry FROM g""").to_parquet(
        os.path.join(outdir, "sites.parquet"), single_file_output=True,
        compression=compression)
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("engine", choices=["geopandas", "sedonadb"])
    ap.add_argument("sites")
    ap.add_argument("districts")
    ap.add_argument("outdir")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--compression", default="snappy",
                    help="Parquet compression of sites.parquet (default snappy)")
    ap.add_argument("--explain", action="store_true",
                    help="sedonadb: print the join plan to stderr")
    ap.add_argument("--cell", type=float, default=5000.0,
                    help="cell size in metres of the working CRS (default 5000; the city "
                         "job of benches/compare.sh with SITES_FORMAT=geoparquet uses 500)")
    ap.add_argument("--crs", default=None,
                    help="working CRS of the cells (default the Albers CRS above; the city "
                         "job uses EPSG:4538)")
    ap.add_argument("--partitions", type=int, default=None,
                    help="sedonadb: DataFusion target_partitions (default: number of "
                         "cores); 1 gives a single-threaded figure")
    a = ap.parse_args(argv)
    global CELL, CELL_PREFIX, ALBERS
    CELL = a.cell
    CELL_PREFIX = f"{a.cell:g}m_"
    if a.crs:
        ALBERS = a.crs

    os.makedirs(a.outdir, exist_ok=True)
    # import the engine before timing (imports are not part of the job)
    if a.engine == "geopandas":
        import geopandas, shapely, pyogrio, pyproj, pyarrow  # noqa: F401
        fn = lambda: run_geopandas(a.sites, a.districts, a.outdir, a.compression)  # noqa: E731
    else:
        import sedonadb, pyproj  # noqa: F401
        fn = lambda: run_sedonadb(a.sites, a.districts, a.outdir, a.compression,  # noqa: E731
                                  a.explain, a.partitions)

    runs, phase_runs, info = [], [], None
    for i in range(max(1, a.repeat)):
        for f in OUTPUTS:
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
