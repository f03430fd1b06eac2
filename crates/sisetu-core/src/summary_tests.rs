use super::*;
use RiskLevel::*;

fn counts(n: [u64; 4]) -> LevelCounts {
    LevelCounts::new(n)
}

#[test]
fn highest_rule() {
    assert_eq!(Aggregation::Highest.level(&counts([0, 0, 0, 0])), None);
    assert_eq!(Aggregation::Highest.level(&counts([0, 0, 0, 7])), Some(Blue));
    assert_eq!(Aggregation::Highest.level(&counts([1, 0, 50, 7])), Some(Red));
    assert_eq!(Aggregation::Highest.level(&counts([0, 3, 50, 7])), Some(Orange));
}

#[test]
fn score_rule() {
    let rule = Aggregation::Score(ScoreRule::default());
    assert_eq!(rule.level(&counts([0, 0, 0, 0])), None);
    assert_eq!(rule.score(&counts([1, 1, 1, 1])), 18.0);
    assert_eq!(rule.level(&counts([1, 1, 1, 1])), Some(Yellow));
    assert_eq!(rule.level(&counts([0, 0, 0, 4])), Some(Blue));
    assert_eq!(rule.level(&counts([0, 4, 0, 0])), Some(Orange));
    assert_eq!(rule.level(&counts([5, 0, 0, 0])), Some(Red));
    // One red site alone is not enough under the score rule.
    assert_eq!(rule.level(&counts([1, 0, 0, 0])), Some(Yellow));
}

#[test]
fn score_rule_accepts_only_finite_non_negative_ordered_values() {
    let w = ScoreRule::DEFAULT_WEIGHTS;
    let t = ScoreRule::DEFAULT_THRESHOLDS;
    let rule = ScoreRule::new([20.0, 5.0, 2.0, 0.0], [50.0, 20.0, 3.0]).unwrap();
    assert_eq!((rule.weights(), rule.thresholds()), ([20.0, 5.0, 2.0, 0.0], [50.0, 20.0, 3.0]));
    assert_eq!(ScoreRule::new(w, t), Ok(ScoreRule::default()));
    // Equal thresholds are allowed (the lower level is never given); 0 is a threshold.
    assert!(ScoreRule::new(w, [20.0, 20.0, 0.0]).is_ok());
    for (i, bad) in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0].into_iter().enumerate() {
        let mut weights = w;
        weights[i] = bad;
        let e = ScoreRule::new(weights, t).unwrap_err();
        assert!(matches!(e, AggregationError::Weight { level, .. } if level == RiskLevel::ALL[i]), "{e}");
        assert!(e.to_string().starts_with(&format!("weights.{} = ", RiskLevel::ALL[i])), "{e}");
        let mut thresholds = t;
        thresholds[i % 3] = bad;
        let e = ScoreRule::new(w, thresholds).unwrap_err();
        assert!(matches!(e, AggregationError::Threshold { level, .. } if level == RiskLevel::ALL[i % 3]), "{e}");
    }
    assert_eq!(ScoreRule::new([0.0; 4], t), Err(AggregationError::ZeroWeights));
    assert_eq!(
        ScoreRule::new(w, [5.0, 20.0, 50.0]),
        Err(AggregationError::Unordered { thresholds: [5.0, 20.0, 50.0] })
    );
    let e = ScoreRule::new(w, [50.0, 60.0, 5.0]).unwrap_err().to_string();
    assert_eq!(e, "thresholds must satisfy red ≥ orange ≥ yellow, got [50.0, 60.0, 5.0]");
}

#[test]
fn a_valid_score_rule_ranks_two_red_sites() {
    // weights = { red = nan } once made a district with two red sites blue.
    let rule = Aggregation::Score(ScoreRule::new([30.0, 5.0, 2.0, 1.0], [50.0, 20.0, 5.0]).unwrap());
    assert_eq!(rule.level(&counts([2, 0, 0, 0])), Some(Red));
    assert_eq!(rule.score(&counts([2, 0, 0, 1])), 61.0);
}

#[test]
fn summary_counts_and_merges() {
    let mut a = Summary::default();
    a.add(Red, Some(2));
    a.add(Blue, None);
    let mut b = Summary::default();
    b.add(Blue, Some(0));
    a.merge(&b);
    assert_eq!(a.levels, counts([1, 0, 0, 2]));
    assert_eq!(a.category(2), 1);
    assert_eq!(a.category(0), 1);
    assert_eq!(a.category(9), 0);
    assert_eq!(a.levels.total(), 3);
}

#[test]
fn level_counts_are_indexed_by_level_in_red_to_blue_order() {
    let mut c = LevelCounts::default();
    c.add(Orange);
    c[Blue] += 3;
    c.extend([Red, Orange]);
    assert_eq!((c[Red], c[Orange], c[Yellow], c[Blue]), (1, 2, 0, 3));
    assert_eq!(c.get(Orange), c[Orange]);
    assert_eq!(c.as_array(), [1, 2, 0, 3]);
    assert_eq!(<[u64; 4]>::from(c), [1, 2, 0, 3]);
    assert_eq!(LevelCounts::from([1, 2, 0, 3]), c);
    assert_eq!(c.iter().collect::<Vec<_>>(), vec![(Red, 1), (Orange, 2), (Yellow, 0), (Blue, 3)]);
    assert_eq!([Blue, Blue, Blue, Orange, Red, Orange].into_iter().collect::<LevelCounts>(), c);
    let mut m = counts([10, 20, 30, 40]);
    m.merge(&c);
    assert_eq!(m.as_array(), [11, 22, 30, 43]);
    assert_eq!(m.total(), 106);
}
