use super::*;

#[test]
fn escapes_and_reordering_marks_are_shown_not_obeyed() {
    assert_eq!(safe("乙\u{1b}[2J厂"), "乙\\u{1b}[2J厂");
    assert_eq!(safe("S4\u{1b}]0;pwned\u{7}"), "S4\\u{1b}]0;pwned\\u{7}");
    assert_eq!(safe("abc\u{202e}fed"), "abc\\u{202e}fed");
    assert_eq!(safe("a\u{0}b\u{9f}"), "a\\u{0}b\\u{9f}");
    // Line breaks and tabs stay; Chinese text is untouched; twice is once.
    assert_eq!(safe("西区\n\t东区"), "西区\n\t东区");
    let once = safe("x\u{1b}[31m");
    assert_eq!(safe(&once), once);
}
