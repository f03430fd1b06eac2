use super::*;
use crate::coverage::tests::Rng;

/// Plain greedy over all pairs: each round evaluate every candidate, take the largest gain,
/// ties to the lower index, stop at k or gain 0.
fn brute(demand: &[Demand], cands: &[[f64; 2]], r: f64, k: usize) -> Vec<Pick> {
    let mut covered = vec![false; demand.len()];
    let mut picks = Vec::new();
    let mut cumulative = 0.0;
    while picks.len() < k {
        let mut best: Option<(usize, f64)> = None;
        for (c, p) in cands.iter().enumerate() {
            if picks.iter().any(|q: &Pick| q.candidate == c) {
                continue;
            }
            let gain: f64 = demand
                .iter()
                .enumerate()
                .filter(|(i, d)| {
                    !covered[*i] && d.population > 0.0 && (d.x - p[0]).powi(2) + (d.y - p[1]).powi(2) <= r * r
                })
                .map(|(_, d)| d.population)
                .sum();
            if gain > 0.0 && best.is_none_or(|(_, g)| gain > g) {
                best = Some((c, gain));
            }
        }
        let Some((c, gain)) = best else { break };
        for (i, d) in demand.iter().enumerate() {
            if (d.x - cands[c][0]).powi(2) + (d.y - cands[c][1]).powi(2) <= r * r {
                covered[i] = true;
            }
        }
        cumulative += gain;
        picks.push(Pick { candidate: c, gain, cumulative });
    }
    picks
}

fn scene(seed: u64, nd: usize, nc: usize) -> (Vec<Demand>, Vec<[f64; 2]>) {
    let mut r = Rng::new(seed);
    let demand = (0..nd)
        .map(|_| Demand::new((r.below(60) * 100) as f64, (r.below(60) * 100) as f64, r.below(50) as f64))
        .collect();
    let cands = (0..nc)
        .map(|_| {
            if r.below(2) == 0 {
                [(r.below(60) * 100) as f64, (r.below(60) * 100) as f64]
            } else {
                [r.range(0.0, 6000.0), r.range(0.0, 6000.0)]
            }
        })
        .collect();
    (demand, cands)
}

#[test]
fn lazy_greedy_equals_plain_greedy() {
    for seed in 0..25 {
        let (demand, cands) = scene(seed, 400, 120);
        for k in [1, 5, 30, 500] {
            let got = greedy_cover(&demand, &cands, 700.0, k);
            let want = brute(&demand, &cands, 700.0, k);
            assert_eq!(got, want, "seed {seed} k {k}");
        }
    }
}

#[test]
fn gains_fall_and_add_up() {
    let (demand, cands) = scene(3, 2000, 300);
    let picks = greedy_cover(&demand, &cands, 900.0, 40);
    assert!(!picks.is_empty());
    let total: f64 = demand.iter().map(|d| d.population).sum();
    let mut sum = 0.0;
    for w in picks.windows(2) {
        assert!(w[1].gain <= w[0].gain, "greedy gains never rise");
    }
    for p in &picks {
        sum += p.gain;
        assert_eq!(p.cumulative, sum);
        assert!(p.gain > 0.0);
    }
    assert!(sum <= total);
}

#[test]
fn degenerate_inputs() {
    let d = [Demand::new(0.0, 0.0, 5.0)];
    assert!(greedy_cover(&d, &[[0.0, 0.0]], 10.0, 0).is_empty());
    assert!(greedy_cover(&d, &[[0.0, 0.0]], f64::NAN, 3).is_empty());
    assert!(greedy_cover(&d, &[[f64::NAN, 0.0]], 10.0, 3).is_empty());
    assert!(greedy_cover(&d, &[[100.0, 0.0]], 10.0, 3).is_empty(), "no gain, no pick");
    assert!(greedy_cover(&[], &[[0.0, 0.0]], 10.0, 3).is_empty());
    let picks = greedy_cover(&d, &[[0.0, 0.0], [1.0, 0.0]], 10.0, 3);
    assert_eq!(picks.len(), 1, "the second candidate would gain nothing");
}
