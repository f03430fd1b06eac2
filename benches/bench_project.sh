# Sourced by benches/compare.sh and benches/ab.sh: the benchmark job's inputs.
#
#   make_bench_project REPO WORK ROWS
#
# builds sisetu and gen_demo (release), writes ROWS synthetic sites (EPSG:4490, seed 7) to
# WORK/sites.csv, the 乌鲁木齐 districts (GCJ-02) to WORK/districts_gcj02.geojson, and the
# project WORK/bench.toml: every output of a build, a 500 m grid, no register (the peers
# make none, so the jobs are the same).
make_bench_project() {
    local repo="$1" work="$2" rows="$3"
    (cd "$repo" && cargo build --release --quiet --bin sisetu --example gen_demo)
    "$repo/target/release/examples/gen_demo" --out "$work/demo" --bench-rows "$rows" --bench-out "$work/sites.csv" >/dev/null
    cp "$repo/geodata/urumqi/districts.geojson" "$work/districts_gcj02.geojson"
    cat > "$work/bench.toml" <<TOML
# The peers draw no maps: no standard maps either, so that the jobs are the same.
maps = []
[project]
title = "bench"
output = "out"
[districts]
path = "districts_gcj02.geojson"
crs = "GCJ-02"
id = "adcode"
name = "name"
[[sites]]
path = "sites.csv"
crs = "EPSG:4490"
[grid]
cell_size_m = 500
# The peers make no register: leave it out so that the jobs are the same.
[register]
enabled = false
TOML
}
