//! The coverage benchmark's scene (`sisetu_demo::bench_scene::coverage_bench_scene`): writes it as
//! CSV, prints sisetu's totals for it and, with `--time`, times the job.
//!
//! ```text
//! cargo run --release --example coverage_scene -- [--out DIR] [--seed 42] [--time [--repeat 5]]
//! ```
//!
//! * `--out DIR`: writes `DIR/cells.csv` (`x,y,population`) and `DIR/shelters.csv`
//!   (`x,y,radius_m,capacity`), see `sisetu_demo::bench_scene::write_coverage_scene_csv`.
//! * `--time`: runs the bench's job (`FacilityIndex::new` + `reach_all` + `allocate`, as
//!   `coverage/1m_cells_10k_shelters` in `benches/coverage.rs`) `--repeat` times (default 5).
//!
//! Prints one JSON line on stdout: the scene's totals (`cells`, `shelters`, `pairs` within
//! reach, `covered_cells`, `covered_population`, `served`) and, with `--time`, `best_s`,
//! `median_s`, `runs_s` and the best of each half (`reach_best_s`, `allocate_best_s`).
//! `benches/peer/run_coverage_peers.sh` compares it with `benches/peer/coverage_peer.py`.
#![allow(clippy::print_stdout, reason = "a command-line tool: the usage and the JSON report go to stdout")]
#![allow(clippy::print_stderr, reason = "a command-line tool: progress goes to stderr")]

use anyhow::{bail, Context, Result};
use serde_json::json;
use sisetu_core::coverage::{allocate, Allocation, Demand, Facility, FacilityIndex, Reach};
use sisetu_demo::bench_scene::{coverage_bench_scene, write_coverage_scene_csv};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<()> {
    let mut out: Option<PathBuf> = None;
    let mut seed = 42u64;
    let mut time = false;
    let mut repeat = 5usize;

    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().context("--seed")?,
            "--time" => time = true,
            "--repeat" => repeat = value()?.parse().context("--repeat")?,
            "-h" | "--help" => {
                println!("usage: coverage_scene [--out DIR] [--seed N] [--time [--repeat N]]");
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }

    let (demand, shelters) = coverage_bench_scene(seed);
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        write_coverage_scene_csv(&demand, &shelters, dir).with_context(|| format!("writing {}", dir.display()))?;
        eprintln!("wrote {}/cells.csv and shelters.csv", dir.display());
    }

    let (reach, alloc) = job(&demand, &shelters);
    let covered: Vec<usize> = (0..demand.len()).filter(|&i| reach.is_covered(i)).collect();
    let mut report = json!({
        "engine": "sisetu",
        "threads": rayon::current_num_threads(),
        "seed": seed,
        "cells": demand.len(),
        "shelters": shelters.len(),
        "pairs": reach.pairs(),
        "covered_cells": covered.len(),
        "covered_population": covered.iter().map(|&i| demand[i].population).sum::<f64>(),
        "served": alloc.served.iter().sum::<f64>(),
        "load": alloc.load.iter().sum::<f64>(),
    });

    if time {
        let (mut runs, mut reach_runs, mut alloc_runs) = (Vec::new(), Vec::new(), Vec::new());
        for run in 1..=repeat.max(1) {
            let started = Instant::now();
            let index = FacilityIndex::new(&shelters)?;
            let reach = index.reach_all(&demand);
            let reached = started.elapsed().as_secs_f64();
            let alloc = allocate(&reach, &demand, &shelters);
            let total = started.elapsed().as_secs_f64();
            std::hint::black_box(alloc);
            eprintln!("[sisetu] run {run}: {total:.4} s (index+reach {reached:.4}, allocate {:.4})", total - reached);
            runs.push(total);
            reach_runs.push(reached);
            alloc_runs.push(total - reached);
        }
        report["best_s"] = json!(best(&runs));
        report["median_s"] = json!(median(&runs));
        report["reach_best_s"] = json!(best(&reach_runs));
        report["allocate_best_s"] = json!(best(&alloc_runs));
        report["runs_s"] = json!(runs);
    }
    println!("{report}");
    Ok(())
}

/// The timed job, untimed: coverage and assignment for the totals.
fn job(demand: &[Demand], shelters: &[Facility]) -> (Reach, Allocation) {
    let index = FacilityIndex::new(shelters).expect("the bench scene indexes");
    let reach = index.reach_all(demand);
    let alloc = allocate(&reach, demand, shelters);
    (reach, alloc)
}

fn best(runs: &[f64]) -> f64 {
    runs.iter().copied().fold(f64::INFINITY, f64::min)
}

fn median(runs: &[f64]) -> f64 {
    let mut v = runs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
