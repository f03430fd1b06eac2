use super::*;
use RiskLevel::*;

#[test]
fn builtin_labels() {
    let s = GradeScheme::builtin();
    let cases = [
        ("红", Red),
        ("红色", Red),
        ("RED", Red),
        ("重大", Red),
        ("重大风险", Red),
        ("1", Red),
        ("１", Red),
        ("橙", Orange),
        ("橙色", Orange),
        ("较大风险", Orange),
        ("2", Orange),
        ("Orange", Orange),
        ("黄", Yellow),
        ("一般", Yellow),
        ("一般风险", Yellow),
        ("3", Yellow),
        ("蓝", Blue),
        ("蓝色", Blue),
        ("低", Blue),
        ("低风险", Blue),
        ("4", Blue),
        (" 低 风 险 ", Blue),
    ];
    for (label, want) in cases {
        assert_eq!(s.parse(label), Ok(want), "label {label:?}");
    }
}

#[test]
fn letters_and_ordinals_need_mapping() {
    let s = GradeScheme::builtin();
    for label in ["A", "b", "A+", "AA", "Ｃ", "一级", "四级", "1级", "Ⅰ", "II", "iv", "Ⅳ级", "D类"] {
        assert_eq!(s.parse(label), Err(GradeError::NeedsMapping(label.trim().to_string())), "label {label:?}");
    }
}

#[test]
fn unknown_and_empty() {
    let s = GradeScheme::builtin();
    assert_eq!(s.parse(""), Err(GradeError::Empty));
    assert_eq!(s.parse("  "), Err(GradeError::Empty));
    assert_eq!(s.parse("未评定"), Err(GradeError::Unknown("未评定".into())));
    assert_eq!(s.parse("5"), Err(GradeError::Unknown("5".into())));
    assert_eq!(s.parse("purple"), Err(GradeError::Unknown("purple".into())));
    // Words are not letter grades: a reject, not a run-stopping ambiguity.
    assert_eq!(s.parse("none"), Err(GradeError::Unknown("none".into())));
    assert_eq!(s.parse("low"), Err(GradeError::Unknown("low".into())));
    assert!(matches!(s.parse("AAA"), Err(GradeError::NeedsMapping(_))));
}

#[test]
fn explicit_mapping_wins_and_is_normalised() {
    let mut s = GradeScheme::builtin();
    s.map("A", Red).unwrap();
    s.map("D", Blue).unwrap();
    s.map("一级", Red).unwrap();
    s.map("1", Blue).unwrap(); // a scheme where 1 is the lowest
    assert_eq!(s.parse("a"), Ok(Red));
    assert_eq!(s.parse("Ｄ"), Ok(Blue));
    assert_eq!(s.parse("一级"), Ok(Red));
    assert_eq!(s.parse("1"), Ok(Blue));
    assert_eq!(s.parse("A级"), Ok(Red));
    assert_eq!(s.parse("d类"), Ok(Blue));
    assert!(s.map("a", Orange).is_err());
    assert!(s.map("A", Red).is_ok());
    assert!(s.map(" ", Red).is_err());
}

#[test]
fn every_builtin_label_takes_trailing_grade_words_and_blanks() {
    let s = GradeScheme::builtin();
    let bases: [(&str, RiskLevel); 16] = [
        ("红", Red),
        ("红色", Red),
        ("重大", Red),
        ("重大风险", Red),
        ("橙", Orange),
        ("橙色", Orange),
        ("较大", Orange),
        ("较大风险", Orange),
        ("黄", Yellow),
        ("黄色", Yellow),
        ("一般", Yellow),
        ("一般风险", Yellow),
        ("蓝", Blue),
        ("蓝色", Blue),
        ("低", Blue),
        ("低风险", Blue),
    ];
    for (base, level) in bases {
        for suffix in ["", "等级", "级", "级别", "风险等级"] {
            for (before, after) in [("", ""), (" ", " "), ("\u{3000}", "\u{3000}"), ("\t", "")] {
                let label = format!("{before}{base}{suffix}{after}");
                assert_eq!(s.parse(&label), Ok(level), "{label:?}");
            }
        }
    }
    assert_eq!(s.parse("重大风险等级"), Ok(Red));
    assert_eq!(s.parse("重大 风险 等级"), Ok(Red));
    // Ordinals keep needing a mapping even though `1` is built in.
    assert!(matches!(s.parse("1级"), Err(GradeError::NeedsMapping(_))));
    assert!(matches!(s.parse("一级"), Err(GradeError::NeedsMapping(_))));
    assert!(matches!(s.parse("等级"), Err(GradeError::Unknown(_))));
}

#[test]
fn bracketed_notes_suffixes_and_mapped_labels_with_suffixes() {
    let g = GradeScheme::builtin();
    for (label, level) in [
        ("较大风险(橙)", Orange),
        ("较大风险（橙）", Orange),
        ("红色（重大风险）", Red),
        ("较大风险等级（橙色）", Orange),
        ("橙色(较大)", Orange),
        ("红色风险点", Red),
        ("一般风险(备注)", Yellow),
        // The note settles an ambiguous grade.
        ("Ⅰ级(重大)", Red),
    ] {
        assert_eq!(g.parse(label), Ok(level), "{label}");
    }
    // Parts that disagree are no grade; an ambiguous grade with a note that is no level
    // still needs its mapping, named as written.
    assert_eq!(g.parse("红色(较大)"), Err(GradeError::Unknown("红色(较大)".into())));
    assert_eq!(g.parse("A级(说明)"), Err(GradeError::NeedsMapping("A级(说明)".into())));
    // `一级风险` and `A级风险` are ambiguous like `一级` and `A级`, and a mapping of `一级` or
    // `A` covers them.
    assert_eq!(g.parse("一级风险"), Err(GradeError::NeedsMapping("一级风险".into())));
    assert_eq!(g.parse("A级风险"), Err(GradeError::NeedsMapping("A级风险".into())));
    let mut m = GradeScheme::builtin();
    m.map("一级", Red).unwrap();
    m.map("A", Blue).unwrap();
    assert_eq!(m.parse("一级风险"), Ok(Red));
    assert_eq!(m.parse("A级风险"), Ok(Blue));
    assert_eq!(m.parse("A类"), Ok(Blue));
    assert_eq!(m.parse("红色"), Ok(Red));
}
