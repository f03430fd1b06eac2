//! District labels: a point well inside each district (pole of inaccessibility of its
//! largest part), white-haloed text, and collision avoidance.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use geo::{Area as _, BooleanOps, BoundingRect, Centroid, InteriorPoint, LineString, MultiPolygon, Polygon};
use std::borrow::Cow;
use tiny_skia::Pixmap;

use crate::draw::{draw_text, TextStyle, INK};
use crate::layout::{Geo, IRect};
use crate::text::Font;
use crate::Area;

/// Even–odd crossing test over every ring of every part.
pub(crate) fn contains(mp: &MultiPolygon<f64>, x: f64, y: f64) -> bool {
    let mut inside = false;
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            inside ^= ring_crossings(ring, x, y);
        }
    }
    inside
}

fn ring_crossings(ring: &LineString<f64>, x: f64, y: f64) -> bool {
    let c = &ring.0;
    let mut inside = false;
    if c.len() < 3 {
        return false;
    }
    let mut j = c.len() - 1;
    for i in 0..c.len() {
        let (a, b) = (c[i], c[j]);
        if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Signed distance from `(x, y)` to the polygon's boundary: positive inside.
fn signed_distance(poly: &Polygon<f64>, x: f64, y: f64) -> f64 {
    let mut inside = false;
    let mut best = f64::INFINITY;
    for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
        inside ^= ring_crossings(ring, x, y);
        for seg in ring.0.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 { (((x - a.x) * dx + (y - a.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
            let (px, py) = (a.x + t * dx - x, a.y + t * dy - y);
            best = best.min(px * px + py * py);
        }
    }
    let d = best.sqrt();
    if inside {
        d
    } else {
        -d
    }
}

#[derive(Clone, Copy)]
struct Cell {
    x: f64,
    y: f64,
    h: f64,
    d: f64,
    max: f64,
}

impl Cell {
    fn new(x: f64, y: f64, h: f64, poly: &Polygon<f64>) -> Cell {
        let d = signed_distance(poly, x, y);
        Cell { x, y, h, d, max: d + h * std::f64::consts::SQRT_2 }
    }
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Cell {}
impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        self.max.total_cmp(&other.max).then_with(|| other.x.total_cmp(&self.x)).then_with(|| other.y.total_cmp(&self.y))
    }
}

/// The pole of inaccessibility (the interior point farthest from the boundary), to within
/// `precision`, by the quadtree search of Mapbox's polylabel. Deterministic.
pub(crate) fn pole_of_inaccessibility(poly: &Polygon<f64>, precision: f64) -> Option<(f64, f64)> {
    let bb = poly.exterior().bounding_rect()?;
    let (w, h) = (bb.width(), bb.height());
    let size = w.min(h);
    if !(size > 0.0 && size.is_finite()) {
        return None;
    }
    let precision = precision.max(size * 1e-4);
    let half = size / 2.0;
    let mut heap = BinaryHeap::new();
    let mut x = bb.min().x;
    while x < bb.max().x {
        let mut y = bb.min().y;
        while y < bb.max().y {
            heap.push(Cell::new(x + half, y + half, half, poly));
            y += size;
        }
        x += size;
    }
    let mut best = match poly.centroid() {
        Some(c) => Cell::new(c.x(), c.y(), 0.0, poly),
        None => Cell::new(bb.center().x, bb.center().y, 0.0, poly),
    };
    let bbox_cell = Cell::new(bb.center().x, bb.center().y, 0.0, poly);
    if bbox_cell.d > best.d {
        best = bbox_cell;
    }
    let mut budget = 4000;
    while let Some(cell) = heap.pop() {
        if cell.d > best.d {
            best = cell;
        }
        if cell.max - best.d <= precision || budget == 0 {
            continue;
        }
        budget -= 1;
        let h = cell.h / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            heap.push(Cell::new(cell.x + dx, cell.y + dy, h, poly));
        }
    }
    (best.d > 0.0).then_some((best.x, best.y))
}

/// A copy of `poly` without vertices closer than `tol` (in x and y) to the previous one kept:
/// at map scale the pole search then costs O(perimeter in pixels), whatever the detail.
fn decimate(poly: &Polygon<f64>, tol: f64) -> Polygon<f64> {
    let thin = |ring: &LineString<f64>| {
        let mut out: Vec<geo::Coord<f64>> = Vec::with_capacity(ring.0.len().min(4096));
        for c in &ring.0 {
            if out.last().is_none_or(|l| (c.x - l.x).abs() >= tol || (c.y - l.y).abs() >= tol) {
                out.push(*c);
            }
        }
        if let (Some(first), Some(last)) = (ring.0.first(), out.last()) {
            if first != last {
                out.push(*first);
            }
        }
        LineString(out)
    };
    Polygon::new(thin(poly.exterior()), poly.interiors().iter().map(thin).collect())
}

type Box4 = [f32; 4];

fn overlaps(a: &Box4, b: &Box4) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Markers spanning more cells than this in x or y are kept in a plain list instead.
const MAX_MARKER_CELLS: usize = 16;
/// Most grid cells along one axis.
const MAX_GRID_SIDE: usize = 1024;

/// The pixel boxes of the markers (soft obstacles for the labels), bucketed in a uniform grid
/// over the map frame: counting the markers under a label box looks only at the few cells
/// the box touches, so thousands of markers stay cheap. Deterministic (no hashing).
pub(crate) struct MarkerGrid {
    x0: f32,
    y0: f32,
    cell: f32,
    nx: usize,
    ny: usize,
    /// Per cell (row-major), indices into `boxes` of the markers touching it.
    cells: Vec<Vec<u32>>,
    boxes: Vec<Box4>,
    /// Markers too large for the grid, tested one by one.
    big: Vec<u32>,
}

impl MarkerGrid {
    /// The grid of `markers` as drawn (`size_pt × s` px wide, centred on their position),
    /// keeping those that reach into `frame`; cells are `cell` px (enlarged if needed so that
    /// no side has more than [`MAX_GRID_SIDE`] cells).
    pub(crate) fn new(geo: &Geo, markers: &[crate::Marker], frame: IRect, s: f32, cell: f32) -> MarkerGrid {
        let (fw, fh) = (frame.w().max(1) as f32, frame.h().max(1) as f32);
        let cell = cell.max(1.0).max(fw.max(fh) / MAX_GRID_SIDE as f32);
        let nx = ((fw / cell).ceil() as usize).clamp(1, MAX_GRID_SIDE);
        let ny = ((fh / cell).ceil() as usize).clamp(1, MAX_GRID_SIDE);
        let mut grid = MarkerGrid {
            x0: frame.x0 as f32,
            y0: frame.y0 as f32,
            cell,
            nx,
            ny,
            cells: vec![Vec::new(); nx * ny],
            boxes: Vec::new(),
            big: Vec::new(),
        };
        let fr = [frame.x0 as f32, frame.y0 as f32, frame.x1 as f32, frame.y1 as f32];
        for m in markers {
            let (px, py) = geo.px(m.x, m.y);
            let (px, py, h) = (px as f32, py as f32, m.size_pt * s / 2.0);
            if !(px.is_finite() && py.is_finite() && h.is_finite() && h > 0.0) {
                continue;
            }
            let b = [px - h, py - h, px + h, py + h];
            if !overlaps(&b, &fr) {
                continue;
            }
            let i = grid.boxes.len() as u32;
            grid.boxes.push(b);
            let ((ix0, ix1), (iy0, iy1)) = grid.span(&b);
            if ix1 - ix0 >= MAX_MARKER_CELLS || iy1 - iy0 >= MAX_MARKER_CELLS {
                grid.big.push(i);
                continue;
            }
            for iy in iy0..=iy1 {
                for ix in ix0..=ix1 {
                    grid.cells[iy * nx + ix].push(i);
                }
            }
        }
        grid
    }

    fn col(&self, x: f32) -> usize {
        (((x - self.x0) / self.cell).floor().max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f32) -> usize {
        (((y - self.y0) / self.cell).floor().max(0.0) as usize).min(self.ny - 1)
    }

    /// The cells (columns, rows, inclusive) that box `b` touches.
    fn span(&self, b: &Box4) -> ((usize, usize), (usize, usize)) {
        ((self.col(b[0]), self.col(b[2])), (self.row(b[1]), self.row(b[3])))
    }

    /// How many markers box `b` overlaps. A marker in several cells is counted once: in the
    /// cell holding the top-left corner of its overlap with `b`.
    pub(crate) fn count(&self, b: &Box4) -> usize {
        if self.boxes.is_empty() {
            return 0;
        }
        let mut n = self.big.iter().filter(|&&i| overlaps(&self.boxes[i as usize], b)).count();
        let ((ix0, ix1), (iy0, iy1)) = self.span(b);
        for iy in iy0..=iy1 {
            for ix in ix0..=ix1 {
                for &i in &self.cells[iy * self.nx + ix] {
                    let m = &self.boxes[i as usize];
                    if overlaps(m, b) && self.col(m[0].max(b[0])) == ix && self.row(m[1].max(b[1])) == iy {
                        n += 1;
                    }
                }
            }
        }
        n
    }
}

/// Places and draws the district labels, larger districts first. A label goes to the pole
/// of inaccessibility of the district's largest part, or to a nearby position when that
/// collides with a label already placed or with `reserved` boxes (legend, scale bar, north
/// arrow). Markers are soft obstacles: among the positions that fit, the one whose box
/// covers the fewest `markers` wins, then one whose whole box lies inside the district, then
/// the first in the order tried. A label that fits nowhere inside its district (a small
/// district among large ones, such as a city's central district) goes outside it, at the
/// nearest free position around its anchor, joined to the anchor by a thin leader line: every
/// district with a name gets its label unless the page is full. With more than
/// [`MAX_LEADER_DISTRICTS`] districts (a province's counties, the nation's) there are no
/// leader lines and a label must lie wholly inside its district, or it is left out, as a
/// reference map does (districts smaller than their label are not even tried). Returns (id, centre x, centre y) of every placed label.
/// The most districts a map labels outside their boundaries, with leader lines: a city's
/// districts, a prefecture's counties. Beyond, leader lines would cover the map.
pub const MAX_LEADER_DISTRICTS: usize = 40;

#[allow(clippy::too_many_arguments, reason = "label placement needs the text, box, font, page and obstacles together")]
pub(crate) fn place_and_draw(
    pm: &mut Pixmap,
    font: &Font,
    geo: &Geo,
    districts: &[Area],
    frame: IRect,
    reserved: &[Box4],
    markers: &MarkerGrid,
    size: f32,
    halo: f32,
) -> Vec<(String, f32, f32)> {
    let mut order: Vec<(f64, usize)> =
        districts.iter().enumerate().map(|(i, a)| (a.geometry.unsigned_area(), i)).collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut taken: Vec<Box4> = reserved.to_vec();
    let mut placed = Vec::new();
    let gap = 0.25 * size;
    let (fx0, fy0, fx1, fy1) =
        (frame.x0 as f32 + 2.0, frame.y0 as f32 + 2.0, frame.x1 as f32 - 2.0, frame.y1 as f32 - 2.0);
    let ts = TextStyle { size, color: INK, bold: 0.0, halo };
    let view = geo.view(frame);
    for (_, i) in order {
        let area = &districts[i];
        let name = area.name.trim();
        if name.is_empty() {
            continue;
        }
        let Some(bounds) = font.path(name, size, 0.0, 0.0).map(|p| p.bounds()) else { continue };
        let (bw, bh) = (bounds.width() + halo, bounds.height() + halo);
        // A district the map frame cuts (a neighbour on a zoomed map) is labelled on the part
        // the map shows, and its leader line starts there; one the map does not show at all
        // gets no label.
        let visible = visible_part(&area.geometry, &view);
        let Some(largest) = visible.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) else {
            continue;
        };
        let many = districts.len() > MAX_LEADER_DISTRICTS;
        if many
            && largest
                .bounding_rect()
                .is_none_or(|r| r.width() * geo.k < f64::from(bw) || r.height() * geo.k < f64::from(bh))
        {
            continue;
        }
        let precision = 1.0 / geo.k;
        let mut anchors: Vec<(f64, f64)> = Vec::new();
        if let Some(p) = pole_of_inaccessibility(&decimate(largest, precision), precision) {
            anchors.push(p);
        }
        if let Some(p) = visible.interior_point() {
            anchors.push((p.x(), p.y()));
        }
        let mut candidates: Vec<(f32, f32)> = Vec::new();
        let (dx, dy) = (0.5 * bw, 1.0 * bh);
        for &(wx, wy) in &anchors {
            let (cx, cy) = geo.px(wx, wy);
            let (cx, cy) = (cx as f32, cy as f32);
            for (ox, oy) in [
                (0.0, 0.0),
                (0.0, -dy),
                (0.0, dy),
                (-dx, 0.0),
                (dx, 0.0),
                (-dx, -dy),
                (dx, -dy),
                (-dx, dy),
                (dx, dy),
                (0.0, -2.0 * dy),
                (0.0, 2.0 * dy),
                (-2.0 * dx, 0.0),
                (2.0 * dx, 0.0),
            ] {
                candidates.push((cx + ox, cy + oy));
            }
        }
        let inside = |x: f32, y: f32| {
            let (wx, wy) = geo.world(x as f64, y as f64);
            contains(&visible, wx, wy)
        };
        let fits = |&(cx, cy): &(f32, f32), strict: bool| -> Option<Box4> {
            let b = [cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0];
            if b[0] < fx0 || b[1] < fy0 || b[2] > fx1 || b[3] > fy1 {
                return None;
            }
            let padded = [b[0] - gap, b[1] - gap, b[2] + gap, b[3] + gap];
            if taken.iter().any(|t| overlaps(t, &padded)) || !inside(cx, cy) {
                return None;
            }
            if strict {
                let (xs, ys) = ([b[0], cx, b[2]], [b[1], cy, b[3]]);
                if !xs.iter().all(|&x| ys.iter().all(|&y| inside(x, y))) {
                    return None;
                }
            }
            Some(b)
        };
        // The best fitting candidate by (markers covered, not wholly inside, order tried);
        // one covering no marker ends the search, so without markers this is the first
        // candidate that fits strictly, else the first that fits at all.
        let mut hit: Option<(usize, bool, (f32, f32), Box4)> = None;
        let modes: &[bool] = if many { &[true] } else { &[true, false] };
        'search: for &strict in modes {
            for c in &candidates {
                let Some(b) = fits(c, strict) else { continue };
                let n = markers.count(&b);
                if hit.is_none_or(|(bn, bl, ..)| (n, !strict) < (bn, bl)) {
                    hit = Some((n, !strict, *c, b));
                }
                if n == 0 {
                    break 'search;
                }
            }
        }
        let mut leader: Option<(f32, f32)> = None;
        if hit.is_none() && !many {
            // Outside the district: rings around the anchor, nearest first, then fewest markers.
            let Some(&(ax, ay)) = anchors.first() else { continue };
            let (ax, ay) = geo.px(ax, ay);
            let (ax, ay) = (ax as f32, ay as f32);
            let free = |&(cx, cy): &(f32, f32)| -> Option<Box4> {
                let b = [cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0];
                let padded = [b[0] - gap, b[1] - gap, b[2] + gap, b[3] + gap];
                let on_page = b[0] >= fx0 && b[1] >= fy0 && b[2] <= fx1 && b[3] <= fy1;
                (on_page && !taken.iter().any(|t| overlaps(t, &padded))).then_some(b)
            };
            'rings: for r in [1.5f32, 2.5, 4.0, 6.0, 9.0] {
                let mut best: Option<(usize, (f32, f32), Box4)> = None;
                for k in 0..16 {
                    let a = k as f32 * std::f32::consts::PI / 8.0;
                    let c = (ax + (r * bh + 0.5 * bw) * a.cos(), ay - r * bh * a.sin());
                    let Some(b) = free(&c) else { continue };
                    let n = markers.count(&b);
                    if best.is_none_or(|(bn, ..)| n < bn) {
                        best = Some((n, c, b));
                    }
                }
                if let Some((n, c, b)) = best {
                    hit = Some((n, true, c, b));
                    leader = Some((ax, ay));
                    break 'rings;
                }
            }
        }
        if let Some((_, _, (cx, cy), b)) = hit {
            if let Some((ax, ay)) = leader {
                // From the anchor to the nearest point of the label's box.
                let (ex, ey) = (ax.clamp(b[0], b[2]), ay.clamp(b[1], b[3]));
                draw_leader(pm, (ax, ay), (ex, ey), 0.08 * size);
            }
            let x = cx - (bounds.left() + bounds.right()) / 2.0;
            let y = cy - (bounds.top() + bounds.bottom()) / 2.0;
            draw_text(pm, font, name, x, y, ts);
            taken.push(b);
            placed.push((area.id.clone(), cx, cy));
        }
    }
    placed
}

/// The part of `mp` inside `view`: `mp` itself when its bounding box lies inside.
fn visible_part<'a>(mp: &'a MultiPolygon<f64>, view: &geo::Rect<f64>) -> Cow<'a, MultiPolygon<f64>> {
    let Some(b) = mp.bounding_rect() else { return Cow::Owned(MultiPolygon(Vec::new())) };
    let (v0, v1) = (view.min(), view.max());
    if b.min().x >= v0.x && b.min().y >= v0.y && b.max().x <= v1.x && b.max().y <= v1.y {
        return Cow::Borrowed(mp);
    }
    if b.max().x < v0.x || b.max().y < v0.y || b.min().x > v1.x || b.min().y > v1.y {
        return Cow::Owned(MultiPolygon(Vec::new()));
    }
    Cow::Owned(mp.intersection(&MultiPolygon(vec![view.to_polygon()])))
}

/// A leader line from a district's anchor to its label, with a dot on the anchor.
fn draw_leader(pm: &mut Pixmap, (ax, ay): (f32, f32), (ex, ey): (f32, f32), width: f32) {
    let mut paint = tiny_skia::Paint::default();
    paint.set_color_rgba8(INK.0, INK.1, INK.2, 255);
    paint.anti_alias = true;
    let mut pb = tiny_skia::PathBuilder::new();
    pb.move_to(ax, ay);
    pb.line_to(ex, ey);
    if let Some(path) = pb.finish() {
        pm.stroke_path(&path, &paint, &crate::draw::stroke(width.max(1.0)), tiny_skia::Transform::identity(), None);
    }
    if let Some(dot) = tiny_skia::PathBuilder::from_circle(ax, ay, (1.5 * width).max(2.0)) {
        pm.fill_path(&dot, &paint, tiny_skia::FillRule::Winding, tiny_skia::Transform::identity(), None);
    }
}
