use super::*;
use std::collections::BTreeMap;

/// Every entry of `dir` (recursively): relative path → content (folders end in `/`).
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            if e.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), String::new());
                walk(root, &e.path(), out);
            } else {
                out.insert(rel, fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

const OLD: &[(&str, &str)] = &[("a.txt", "old a"), ("b.txt", "old b"), ("gone.txt", "old gone")];
const NEW: &[(&str, &str)] = &[("a.txt", "new a"), ("b.txt", "new b"), ("c.txt", "new c")];

fn old_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    for (n, v) in OLD {
        fs::write(out.join(n), v).unwrap();
    }
    (dir, out)
}

/// A dead process's commit, stopped after `steps` steps of the protocol: a staging folder
/// (unlocked: its process is gone) with the new set, the journal, and `steps - 1` renames.
fn interrupted_commit(out: &Path, steps: usize) {
    let stage = out.join(format!("{STAGING_PREFIX}999999"));
    fs::create_dir_all(stage.join(PREVIOUS)).unwrap();
    fs::write(stage.join(LOCK), "").unwrap();
    for (n, v) in NEW {
        fs::write(stage.join(n), v).unwrap();
    }
    let j = Journal {
        sisetu_commit: 1,
        stage: stage.file_name().unwrap().to_string_lossy().into_owned(),
        files: NEW.iter().map(|(n, _)| (*n).to_string()).collect(),
        retire: vec!["gone.txt".into()],
    };
    if steps == 0 {
        return;
    }
    j.write(out, &stage).unwrap();
    // The renames of step 3, in order; stop after `steps - 1` of them.
    let mut renames: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (n, _) in NEW {
        if out.join(n).exists() {
            renames.push((out.join(n), stage.join(PREVIOUS).join(n)));
        }
        renames.push((stage.join(n), out.join(n)));
    }
    renames.push((out.join("gone.txt"), stage.join(PREVIOUS).join("gone.txt")));
    for (from, to) in renames.iter().take(steps - 1) {
        fs::rename(from, to).unwrap();
    }
    if steps > renames.len() + 1 {
        fs::remove_file(out.join(JOURNAL)).unwrap();
    }
}

#[test]
fn recovery_after_a_kill_at_every_step_leaves_exactly_one_complete_set() {
    // 0: killed before the journal; 1: journal written; 2..=7: after each rename (a, b moved
    // aside and in, c in, gone aside); 8: journal deleted, staging folder left.
    for steps in 0..=8 {
        for reader in [false, true] {
            let (_dir, out) = old_folder();
            interrupted_commit(&out, steps);
            let want = if steps == 0 { set(OLD) } else { set(NEW) };
            if reader {
                recover(&out).unwrap();
                // Without a journal a reader writes nothing: the stale staging folder stays
                // for the next writer.
                let mut got = tree(&out);
                got.retain(|k, _| !k.starts_with(STAGING_PREFIX));
                assert_eq!(got, want, "killed after step {steps}, recovered by a reader");
                assert_eq!(tree(&out).len() > want.len(), steps == 0 || steps == 8, "after step {steps}");
            }
            let s = Staging::new(&out).unwrap();
            drop(s);
            assert_eq!(tree(&out), want, "killed after step {steps}, recovered by a writer (reader first: {reader})");
        }
    }
}

#[test]
fn a_reader_of_a_clean_folder_writes_nothing() {
    let (_dir, out) = old_folder();
    recover(&out).unwrap();
    assert_eq!(tree(&out), set(OLD));
    recover(&out.join("missing")).unwrap();
    assert!(!out.join("missing").exists());
}

#[test]
fn a_live_staging_folder_is_left_alone_and_a_second_writer_is_refused() {
    let (_dir, out) = old_folder();
    let first = Staging::new(&out).unwrap();
    let err = Staging::new(&out).unwrap_err().to_string();
    assert!(err.contains("another sisetu build is writing"), "{err}");
    assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
    // A reader neither fails nor touches the live folder.
    recover(&out).unwrap();
    assert!(first.claim.stage.join(LOCK).exists());
    drop(first);
    assert_eq!(tree(&out), set(OLD));
}

#[test]
fn stale_staging_folders_are_removed_whatever_their_name() {
    let (_dir, out) = old_folder();
    // A dead process's folder, one of this pid (reused) and one of an older sisetu (no lock).
    for name in ["999999", &std::process::id().to_string(), "123-2"] {
        let stage = out.join(format!("{STAGING_PREFIX}{name}"));
        fs::create_dir_all(stage.join(PREVIOUS)).unwrap();
        fs::write(stage.join(PREVIOUS).join("a.txt"), "stranded").unwrap();
        if name != "123-2" {
            fs::write(stage.join(LOCK), "").unwrap();
        }
    }
    // A reader leaves them (it writes only to finish a commit); the next writer removes them.
    recover(&out).unwrap();
    assert_eq!(tree(&out).len(), set(OLD).len() + 11);
    let s = Staging::new(&out).unwrap();
    drop(s);
    assert_eq!(tree(&out), set(OLD));
}

#[test]
fn a_failed_rename_after_the_journal_rolls_back_to_the_old_set() {
    let (_dir, out) = old_folder();
    let mut s = Staging::new(&out).unwrap();
    for (n, v) in NEW {
        fs::write(s.path(n), v).unwrap();
    }
    s.retire("gone.txt");
    // After the journal, a folder appears where c.txt goes: its move fails after a.txt and
    // b.txt were moved in.
    let journal = s.prepare().unwrap();
    fs::create_dir_all(out.join("c.txt/x")).unwrap();
    journal.write(&out, &s.claim.stage).unwrap();
    let err = roll_forward(&out, &s.claim.stage, &journal, &mut Pause::off());
    assert!(err.is_err());
    roll_back(&out, &s.claim.stage, &journal).unwrap();
    fs::remove_file(out.join(JOURNAL)).unwrap();
    drop(s);
    let mut want = set(OLD);
    want.insert("c.txt/".into(), String::new());
    want.insert("c.txt/x/".into(), String::new());
    assert_eq!(tree(&out), want);
}

#[test]
fn a_folder_in_the_way_fails_before_anything_moves() {
    let (_dir, out) = old_folder();
    fs::create_dir_all(out.join("c.txt/keep")).unwrap();
    let before = tree(&out);
    let mut s = Staging::new(&out).unwrap();
    for (n, v) in NEW {
        fs::write(s.path(n), v).unwrap();
    }
    let err = s.commit().unwrap_err().to_string();
    assert!(err.contains("c.txt") && err.contains("folder is in the way"), "{err}");
    assert_eq!(tree(&out), before);
}

#[test]
fn commit_moves_in_retires_and_leaves_no_litter() {
    let (_dir, out) = old_folder();
    let mut s = Staging::new(&out).unwrap();
    for (n, v) in NEW {
        fs::write(s.path(n), v).unwrap();
    }
    s.retire("gone.txt");
    s.retire("never-there.txt");
    let files = s.commit().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(tree(&out), set(NEW));
}

#[test]
fn a_first_run_that_fails_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new-out");
    let mut s = Staging::new(&out).unwrap();
    fs::write(s.path("a.txt"), "x").unwrap();
    drop(s);
    assert!(!out.exists());
}

#[test]
fn a_broken_journal_is_reported_with_the_fix() {
    let (_dir, out) = old_folder();
    fs::write(out.join(JOURNAL), "{\"sisetu_commit\":1,\"stage\":\"../x\",\"files\":[],\"retire\":[]}").unwrap();
    let err = recover(&out).unwrap_err().to_string();
    assert!(err.contains(".sisetu-commit") && err.contains("remove it"), "{err}");
}
