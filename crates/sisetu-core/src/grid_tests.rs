use super::*;

#[test]
fn half_open_cells_anchored_at_origin() {
    let g = RegularGrid::new(500.0).unwrap();
    assert_eq!(g.cell_of(0.0, 0.0), CellId { col: 0, row: 0 });
    assert_eq!(g.cell_of(499.999, 499.999), CellId { col: 0, row: 0 });
    assert_eq!(g.cell_of(500.0, 500.0), CellId { col: 1, row: 1 });
    assert_eq!(g.cell_of(-0.001, -500.0), CellId { col: -1, row: -1 });
    // A typical Gauss-Krüger coordinate.
    let c = g.cell_of(548_123.4, 4_853_999.9);
    assert_eq!(c, CellId { col: 1096, row: 9707 });
    assert_eq!(g.label(c), "500m_1096_9707");
    let b = g.bounds(c);
    assert!(b.min().x <= 548_123.4 && 548_123.4 < b.max().x);
    assert_eq!(g.centre(c), (548_250.0, 4_853_750.0));
}

#[test]
fn invalid_sizes_and_fractional_labels() {
    assert!(RegularGrid::new(0.0).is_none());
    assert!(RegularGrid::new(-5.0).is_none());
    assert!(RegularGrid::new(f64::NAN).is_none());
    let g = RegularGrid::new(250.5).unwrap();
    assert_eq!(g.label(CellId { col: 3, row: 4 }), "250.5m_3_4");
}
