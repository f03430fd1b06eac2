//! The kill harness: the real binary is killed at random instants of a build and at every
//! kind of step of its commit (the `SISETU_TEST_PAUSE_COMMIT` test hook, see
//! `sisetu_io::write`), interrupted with SIGINT and SIGTERM, run twice at once, and `check`
//! is killed. After each kill the next run (a build that fails at once, after recovering
//! the folder, or a `sisetu diff` reading it) must find exactly the old or exactly the new
//! set of outputs, byte for byte, with a report.json that lists them, and no staging folder
//! or journal.
//!
//! The demo project at 72 dpi (54 outputs) is the old set; the new set differs in every map
//! (96 dpi) and in two names (`map_sites.*` becomes `map_points.*`, so the commit also
//! retires files). `SISETU_KILL_SEED` changes the seed of the random instants.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::print_stderr, reason = "test code: a failed unwrap is a failed test")]

mod common;

use common::copy_demo_inputs;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// File name → SHA-256 of the output folder's entries (folders and hidden entries included).
type Set = BTreeMap<String, String>;

struct Project {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Project {
    /// The demo inputs, the old project (`a.toml`), the new one (`b.toml`) and one that
    /// fails right after claiming the output folder (`recover.toml`: a broken district file).
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("project");
        std::fs::create_dir_all(&dir).unwrap();
        copy_demo_inputs(&dir);
        let demo = std::fs::read_to_string(dir.join("sisetu.toml")).unwrap();
        assert!(demo.contains("\ndpi = 200") && demo.contains("file = \"map_sites.png\""), "the demo project changed");
        let a = demo.replace("\ndpi = 200", "\ndpi = 72");
        let b =
            demo.replace("\ndpi = 200", "\ndpi = 96").replace("file = \"map_sites.png\"", "file = \"map_points.png\"");
        let r = a.replace("path = \"districts.geojson\"", "path = \"broken.geojson\"");
        std::fs::write(dir.join("a.toml"), a).unwrap();
        std::fs::write(dir.join("b.toml"), b).unwrap();
        std::fs::write(dir.join("recover.toml"), r).unwrap();
        std::fs::write(dir.join("broken.geojson"), "{").unwrap();
        Project { _tmp: tmp, dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sisetu"));
        cmd.args(args).current_dir(&self.dir).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        cmd
    }

    /// A build of `toml` that must succeed.
    fn build(&self, toml: &str) -> Duration {
        let start = Instant::now();
        let out = self.command(&["build", toml, "--quiet"]).stderr(Stdio::piped()).output().unwrap();
        assert!(out.status.success(), "{toml}: {}", String::from_utf8_lossy(&out.stderr));
        start.elapsed()
    }

    /// The run after a kill: a build that recovers the folder, then fails on its input.
    fn recover(&self) {
        let out = self.command(&["build", "recover.toml", "--quiet"]).stderr(Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("broken.geojson"), "the recovering build failed for another reason: {stderr}");
    }

    /// The run after a kill, as a reader: `sisetu diff` reads the folder (and recovers it).
    fn recover_by_reading(&self) {
        let diff = self.dir.join("diff");
        let _ = std::fs::remove_dir_all(&diff);
        let out =
            self.command(&["diff", "out", "out", "--out", "diff", "--quiet"]).stderr(Stdio::piped()).output().unwrap();
        assert!(out.status.success(), "diff: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn set(&self) -> Set {
        output_set(&self.out())
    }
}

fn output_set(out: &Path) -> Set {
    let mut set = Set::new();
    for e in std::fs::read_dir(out).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            set.insert(format!("{name}/"), String::new());
        } else {
            set.insert(name, format!("{:x}", Sha256::digest(std::fs::read(e.path()).unwrap())));
        }
    }
    set
}

/// report.json lists exactly the files of the folder.
fn assert_report_lists_the_files(out: &Path, set: &Set) {
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let mut listed: Vec<&str> = report["outputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    listed.sort_unstable();
    let files: Vec<&str> = set.keys().map(String::as_str).collect();
    assert_eq!(listed, files, "report.json's outputs are not the folder's files");
}

/// Which set the folder holds after recovery: exactly the old or exactly the new one.
fn which(p: &Project, old: &Set, new: &Set, what: &str) -> &'static str {
    let got = p.set();
    let stray: Vec<&String> = got.keys().filter(|k| k.starts_with('.')).collect();
    assert!(stray.is_empty(), "{what}: left behind: {stray:?}");
    assert_report_lists_the_files(&p.out(), &got);
    if &got == old {
        "old"
    } else if &got == new {
        "new"
    } else {
        let missing: Vec<&String> = old.keys().chain(new.keys()).filter(|k| !got.contains_key(*k)).collect();
        let odd: Vec<&String> =
            got.iter().filter(|(k, v)| old.get(*k) != Some(v) && new.get(*k) != Some(v)).map(|(k, _)| k).collect();
        panic!(
            "{what}: the folder holds neither set; {} files, not in it: {missing:?}, in neither set: {odd:?}",
            got.len()
        );
    }
}

/// Waits until `child` ends or `limit` passes; kills it (SIGKILL) then. True if killed.
fn kill_after(child: &mut Child, at: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < at {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

/// Runs a build of `toml` with the commit paused after `step`; kills it there. Returns the
/// commit's number of steps, or `None` if the build ended without pausing.
fn kill_at_commit_step(p: &Project, toml: &str, step: u64) -> Option<u64> {
    let mut child = p
        .command(&["build", toml, "--quiet"])
        .env(sisetu_io::write::PAUSE_ENV, step.to_string())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut total = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix(&format!("sisetu test hook: paused after commit step {step} of ")) {
            total = Some(rest.trim().parse().unwrap());
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    total
}

#[test]
fn kills_at_random_instants_and_during_the_commit_leave_exactly_one_complete_set() {
    let started = Instant::now();
    let p = Project::new();
    p.build("b.toml");
    let new = p.set();
    assert_report_lists_the_files(&p.out(), &new);
    let t_build = p.build("a.toml");
    let old = p.set();
    assert_report_lists_the_files(&p.out(), &old);
    assert_eq!(old.len(), 96, "{:?}", old.keys());
    assert_ne!(old, new);
    assert!(new.contains_key("map_points.png") && !new.contains_key("map_sites.png"));
    let sets = [("a.toml", &old), ("b.toml", &new)];
    // Each run builds the set the folder does not hold, so every kill can change it.
    let mut holds = 0;

    // 1. A kill after each kind of commit step: the journal, the first renames (an old file
    //    aside, a new one in), the middle, the last rename (retiring), the journal deleted.
    let total = kill_at_commit_step(&p, sets[1 - holds].0, 1).expect("the commit did not pause at step 1");
    let mut steps = vec![1, 2, 3, total / 2, total - 1, total];
    steps.dedup();
    for (i, &step) in steps.iter().enumerate() {
        if i > 0 {
            let t = kill_at_commit_step(&p, sets[1 - holds].0, step);
            assert_eq!(t, Some(total), "the commit did not pause at step {step}");
        }
        let what = format!("killed after commit step {step} of {total}");
        // Two of the kills with a journal are recovered by a reader (which writes only to
        // finish a journal: the folder left after step `total` is the next writer's).
        if i == 1 || i == 3 {
            p.recover_by_reading();
        } else {
            p.recover();
        }
        let got = which(&p, &old, &new, &what);
        assert_eq!(got, ["old", "new"][1 - holds], "{what}: after the journal the new set must win");
        holds = 1 - holds;
    }

    // 2. Kills at random instants of the whole run, measured from the timed build.
    let seed = std::env::var("SISETU_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(11);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let (mut killed, mut finished, mut changed) = (0, 0, 0);
    for i in 0..20 {
        let at = t_build.mul_f64(rng.gen_range(0.02..1.1));
        let mut child = p.command(&["build", sets[1 - holds].0, "--quiet"]).spawn().unwrap();
        if kill_after(&mut child, at) {
            killed += 1;
        } else {
            finished += 1;
        }
        p.recover();
        let what = format!("random kill {i} at {at:?} (seed {seed})");
        let now = if which(&p, &old, &new, &what) == "old" { 0 } else { 1 };
        if now != holds {
            changed += 1;
        }
        holds = now;
    }
    assert!(killed >= 10, "only {killed} of 20 runs were killed before they ended");
    eprintln!(
        "kill harness: {} kills during the commit (of {total} steps), {killed} random kills, {finished} runs ended before \
         their kill, {changed} ended with the new set; {:?} in all",
        steps.len(),
        started.elapsed()
    );
}

/// Starts a build of `b.toml` and waits until its staging folder holds some outputs.
fn build_in_progress(p: &Project) -> Child {
    let mut child = p.command(&["build", "b.toml", "--quiet"]).stderr(Stdio::piped()).spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        let staged = std::fs::read_dir(p.out())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".sisetu-staging-"))
            .any(|e| e.path().join("sites.geojson").exists());
        if staged {
            return child;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the build wrote no staged output in a minute");
}

#[test]
fn sigint_and_sigterm_remove_the_staging_folder_and_exit_130_and_143() {
    let p = Project::new();
    p.build("a.toml");
    let old = p.set();
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let child = build_in_progress(&p);
        let status = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "SIG{signal}: {stderr}");
        assert!(stderr.contains(&format!("interrupted (SIG{signal})")), "{stderr}");
        assert_eq!(p.set(), old, "SIG{signal}: the output folder changed");
    }
}

#[test]
fn a_second_build_into_the_same_folder_is_refused_while_the_first_runs() {
    let p = Project::new();
    p.build("a.toml");
    let mut first = build_in_progress(&p);
    let out = p.command(&["build", "a.toml", "--quiet"]).stderr(Stdio::piped()).output();
    let first_ok = first.wait().unwrap().success();
    let out = out.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another sisetu build is writing"), "{stderr}");
    assert!(stderr.contains(&format!("pid {}", first.id())), "{stderr}");
    assert!(first_ok, "the first build failed");
    let new = p.set();
    assert!(new.contains_key("map_points.png") && !new.keys().any(|k| k.starts_with('.')), "{:?}", new.keys());
}

#[test]
fn a_killed_check_leaves_nothing_anywhere() {
    let p = Project::new();
    p.build("a.toml");
    let scratch = p.dir.join("../tmp");
    std::fs::create_dir_all(&scratch).unwrap();
    let before = common::snapshot(p.dir.parent().unwrap());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for _ in 0..4 {
        let mut child = p.command(&["check", "b.toml"]).env("TMPDIR", &scratch).spawn().unwrap();
        kill_after(&mut child, Duration::from_millis(rng.gen_range(20..2500)));
        common::assert_same_snapshot(&before, &common::snapshot(p.dir.parent().unwrap()), "a killed check");
    }
    // A [previous] round with an unfinished commit: check does not finish it (a write), it
    // says how to.
    std::fs::write(p.out().join(".sisetu-commit"), "{}").unwrap();
    let before = common::snapshot(p.dir.parent().unwrap());
    let out = p.command(&["check", "sisetu_2025.toml"]).stderr(Stdio::piped()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("writes nothing") && stderr.contains("run `sisetu build`"), "{stderr}");
    common::assert_same_snapshot(&before, &common::snapshot(p.dir.parent().unwrap()), "check with a journal");
}
