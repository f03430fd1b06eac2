#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use super::*;

#[test]
fn share_and_density_of_an_area() {
    let c = LevelCounts::new([1, 3, 10, 6]);
    assert_eq!(AreaClasses::Share.value(&c, 50.0, None), Some(20.0));
    assert_eq!(AreaClasses::Density.value(&c, 50.0, None), Some(0.4));
    assert_eq!(AreaClasses::Share.value(&LevelCounts::default(), 50.0, None), None, "no sites: no value");
    assert_eq!(AreaClasses::Highest.value(&c, 50.0, Some(1.0)), None);
    assert_eq!(AreaClasses::PerCapita.value(&c, 50.0, Some(40_000.0)), Some(5.0), "20 sites, 40,000 residents");
    assert_eq!(AreaClasses::PerCapita.value(&c, 50.0, None), None, "no residents: no value");
    assert_eq!(AreaClasses::PerCapita.value(&c, 50.0, Some(0.0)), None);
}

#[test]
fn quantile_breaks_make_up_to_five_classes_with_round_numbers() {
    let v = [3.0, 7.2, 8.0, 12.5, 19.9, 25.0, 31.0, 44.4];
    let b = quantile_breaks(&v);
    assert_eq!(b, vec![7.2, 13.0, 20.0, 31.0]);
    let classes: Vec<usize> = v.iter().map(|x| class_of(*x, &b)).collect();
    assert_eq!(classes, [0, 1, 1, 1, 2, 3, 4, 4]);
    // Few distinct values: as many classes; one value: one class.
    assert_eq!(quantile_breaks(&[5.0, 5.0, 9.0, 9.0]), vec![9.0]);
    assert!(quantile_breaks(&[5.0, 5.0]).is_empty());
    assert!(quantile_breaks(&[]).is_empty());
}

#[test]
fn legend_rows_name_each_class_and_count_its_areas() {
    let items = legend(AreaClasses::Share, &[10.0, 22.5], &[3, 4, 1], (Rgba(1, 2, 3, 255), 2));
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["< 10 %", "10 – 22.5 %", "≥ 22.5 %", "无企业"]);
    let counts: Vec<&str> = items.iter().map(|i| i.count.as_deref().unwrap()).collect();
    assert_eq!(counts, ["3", "4", "1", "2"]);
    assert!(matches!(items[0].swatch, Swatch::Fill(c) if c == colours(3)[0]));
}
