#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use super::*;

/// Hashes 0..n, with every k-th one pushed again later.
fn pushed(n: u128, k: u128) -> (Vec<u128>, Vec<u128>) {
    let mut all: Vec<u128> = (0..n).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)).collect();
    let again: Vec<u128> = all.iter().step_by(k as usize).copied().collect();
    all.extend(&again);
    let mut expected = again;
    expected.sort_unstable();
    (all, expected)
}

#[test]
fn repeated_hashes_are_found_in_memory_and_across_spilled_runs() {
    let (all, expected) = pushed(10_000, 7);
    for run in [1, 333, 5_000, 1_000_000] {
        let mut ids = IdRuns::new(run);
        ids.push(all.iter().copied()).unwrap();
        let spilled = !ids.runs.is_empty();
        assert_eq!(spilled, run < all.len(), "run {run}");
        assert_eq!(ids.repeated().unwrap(), expected, "run {run}");
    }
}

#[test]
fn a_restarted_layer_forgets_what_it_pushed() {
    let (mut first, _) = pushed(2_000, 1);
    first.truncate(2_000);
    for run in [100, 1_000_000] {
        let mut ids = IdRuns::new(run);
        ids.push(first.iter().copied()).unwrap();
        // The second layer pushes the first one's hashes, restarts, and pushes one of them.
        let mark = (ids.mark().unwrap(), ids.buf.len());
        ids.push(first.iter().copied()).unwrap();
        ids.back_to(mark.0, mark.1);
        ids.push([first[5]]).unwrap();
        assert_eq!(ids.repeated().unwrap(), vec![first[5]], "run {run}");
    }
}

#[test]
fn repeats_list_the_first_ids_in_id_order_whatever_order_they_come_in() {
    let ids: Vec<String> = (0..(REPORTED_IDS + 50)).rev().map(|i| format!("X{i:05}")).collect();
    let mut hashes: Vec<u128> = ids.iter().map(|i| id_hash(i)).collect();
    hashes.sort_unstable();
    let mut r = Repeats { seen: vec![false; hashes.len()], hashes, occurrences: BTreeMap::new() };
    for line in [2, 3] {
        for id in &ids {
            let again = r.met(id_hash(id), id, "a.csv", line);
            assert_eq!(again, line == 3);
        }
    }
    let listed: Vec<&String> = r.occurrences.keys().collect();
    assert_eq!(listed.len(), REPORTED_IDS);
    assert_eq!(listed[0], "X00000");
    assert_eq!(listed[REPORTED_IDS - 1], &format!("X{:05}", REPORTED_IDS - 1));
    assert_eq!(r.occurrences["X00007"], vec!["a.csv:2", "a.csv:3"]);
}
