use super::*;

#[test]
fn formulas_get_an_apostrophe() {
    for cell in ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "@SUM(1)", "-2+3", "-abc", "=1", "\tx", "\r=1", "=", "@"] {
        assert!(is_formula_like(cell), "{cell:?}");
        assert_eq!(csv_cell(cell), format!("'{cell}"));
    }
}

#[test]
fn text_and_numbers_are_left_alone() {
    for cell in ["", "-", "+", "-12.5", "+3", "-1e3", "12", "华为技术服务部", "a=b", " =1", "'=1", "＝1"] {
        assert!(!is_formula_like(cell), "{cell:?}");
        assert!(matches!(csv_cell(cell), Cow::Borrowed(c) if c == cell));
    }
    // Not numbers in the sense of a spreadsheet: inf, nan.
    assert!(is_formula_like("-inf") && is_formula_like("+NaN"));
}
