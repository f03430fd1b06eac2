use super::*;

#[test]
fn order_is_highest_first() {
    assert!(RiskLevel::Red < RiskLevel::Orange);
    assert!(RiskLevel::Yellow < RiskLevel::Blue);
    assert_eq!(RiskLevel::max_risk(RiskLevel::Blue, RiskLevel::Yellow), RiskLevel::Yellow);
    assert_eq!(RiskLevel::max_risk(RiskLevel::Red, RiskLevel::Blue), RiskLevel::Red);
}

#[test]
fn names_round_trip() {
    for l in RiskLevel::ALL {
        assert_eq!(l.as_str().parse::<RiskLevel>().unwrap(), l);
        assert_eq!(RiskLevel::from_index(l.index()), Some(l));
    }
    assert_eq!(" RED ".parse::<RiskLevel>().unwrap(), RiskLevel::Red);
    assert!("purple".parse::<RiskLevel>().is_err());
    assert_eq!(RiskLevel::from_index(4), None);
}

#[test]
fn chinese_names() {
    let zh: Vec<_> = RiskLevel::ALL.iter().map(|l| l.zh()).collect();
    assert_eq!(zh, ["重大风险", "较大风险", "一般风险", "低风险"]);
}
