//! Writing the register: `register.csv` and the printable `register.html`.

use crate::error::{Error, Result, ResultExt};
use crate::project::Config;
use base64::Engine as _;
use geo::{BoundingRect, Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use sisetu_core::format::thousands;
use sisetu_core::RiskLevel;
use sisetu_io::crs::Crs;
use sisetu_io::write::Staging;
use sisetu_render::{
    Area, Fill, Font, LegendItem, MapContent, MapText, MarkerShape, Orientation, Page, PageSize, Rgba, SitePoint,
    Style, Swatch,
};
use std::fmt;
use std::io::Write;

/// Width of a section map in millimetres (as printed in the HTML).
pub const MAP_WIDTH_MM: f32 = 130.0;
/// Height of a section map in millimetres.
pub const MAP_HEIGHT_MM: f32 = 80.0;
/// Resolution of the section maps.
pub const MAP_DPI: f32 = 120.0;
/// The smallest extent (metres, width and height) of a section map, so that a tiny grid or
/// a single site is still shown with its surroundings.
pub const MIN_EXTENT_M: f64 = 1000.0;
/// Sections whose maps are rendered (in parallel) before they are written.
pub const MAP_BATCH: usize = 32;

/// Without `[register] html`, `register.html` is written only for censuses of at most this
/// many sites: beyond it the page is hundreds of megabytes that nobody prints, and its
/// section maps cost seconds.
pub const HTML_AUTO_MAX_SITES: usize = 50_000;

/// What the register's sections are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// One section per management grid (网格).
    Grid,
    /// One section per district (区县), when there is no grid layer.
    District,
}

impl UnitKind {
    /// "网格" or "区县".
    fn word(self) -> &'static str {
        match self {
            UnitKind::Grid => "网格",
            UnitKind::District => "区县",
        }
    }

    /// The heading of the last section, the sites in no unit.
    pub fn outside_name(self) -> &'static str {
        match self {
            UnitKind::Grid => "未划入网格",
            UnitKind::District => "未归属区县",
        }
    }
}

/// One accepted site, as the register lists it.
#[derive(Debug, Clone)]
pub struct RegisterSite {
    /// Site id (统一社会信用代码), may be empty.
    pub id: String,
    /// Name (企业名称).
    pub name: String,
    /// Category (行业类别).
    pub category: String,
    /// The grade as written in the census.
    pub grade: String,
    /// The level the grade maps to.
    pub level: RiskLevel,
    /// District id, when the site is in a district.
    pub district_id: Option<String>,
    /// District name, when the site is in a district.
    pub district_name: Option<String>,
    /// Management-grid id, when the site is in a grid.
    pub grid_id: Option<String>,
    /// Easting in the working CRS (metres), for the section map.
    pub x: f64,
    /// Northing in the working CRS (metres).
    pub y: f64,
    /// WGS84 longitude, written to `register.csv`.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// Input file, for tracing.
    pub source: String,
    /// Line (or row) in the input file.
    pub line: u64,
}

/// One unit (management grid or district) of the register.
#[derive(Debug, Clone)]
pub struct RegisterUnit {
    /// Unit id; sections are sorted by it (byte order).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Responsible person (负责人); `None` or blank = none named.
    pub person: Option<String>,
    /// District name(s) the unit lies in, for the heading (may be empty).
    pub district: String,
    /// The unit in the working CRS.
    pub geometry: MultiPolygon<f64>,
    /// The unit's aggregated level (就高 or score, as the build computed it).
    pub level: Option<RiskLevel>,
    /// Sites per level, red first (the register recounts them from `sites`).
    pub counts: [u64; 4],
    /// Indices into [`RegisterInput::sites`], any order.
    pub sites: Vec<u32>,
}

/// Everything the register needs.
pub struct RegisterInput<'a> {
    /// What the units are.
    pub kind: UnitKind,
    /// The units, any order (the register sorts them by id).
    pub units: &'a [RegisterUnit],
    /// Indices of the sites in no unit (the last section).
    pub outside: Vec<u32>,
    /// All accepted sites.
    pub sites: &'a [RegisterSite],
    /// District boundaries in the working CRS, as context on the section maps.
    pub districts: &'a [Area],
    /// Whether to write `register.html` (with the maps); `false` = `register.csv` only.
    pub html: bool,
}

/// One section: a unit (or the outside list) and its sites in register order.
struct Section<'a> {
    unit: Option<&'a RegisterUnit>,
    rows: Vec<u32>,
    counts: [u64; 4],
}

impl Section<'_> {
    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Writes `register.csv` and, when `input.html`, `register.html` into `stage`; returns the
/// names written.
pub fn write_register(cfg: &Config, input: &RegisterInput, work: Crs, stage: &mut Staging) -> Result<Vec<String>> {
    let sections = sections(input)?;
    let mut written = Vec::new();
    let with_xlsx = write_csv(&stage.path("register.csv"), &stage.path("register.xlsx"), input, &sections, cfg.lang)?;
    written.push("register.csv".to_string());
    if with_xlsx {
        written.push("register.xlsx".to_string());
    }
    if input.html {
        let path = stage.path("register.html");
        let f = std::fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        write_html(&mut w, cfg, input, &sections, work).with_context(|| format!("writing {}", path.display()))?;
        w.flush().with_context(|| format!("writing {}", path.display()))?;
        written.push("register.html".to_string());
    } else {
        // An earlier run's register.html would no longer match register.csv.
        stage.retire("register.html");
    }
    Ok(written)
}

fn describe(s: &RegisterSite) -> String {
    format!("site \"{}\" (id \"{}\", {}:{})", s.name, s.id, s.source, s.line)
}

/// Checks that every site is in exactly one list, sorts the units by id and each section's
/// sites into register order.
fn sections<'a>(input: &'a RegisterInput) -> Result<Vec<Section<'a>>> {
    let sites = input.sites;
    if sites.len() > u32::MAX as usize {
        return Err(Error::input(format!(
            "register: {} sites are more than the register can index ({})",
            sites.len(),
            u32::MAX
        )));
    }
    const NONE: u32 = u32::MAX;
    let owner_name = |o: u32| -> String {
        match input.units.get(o as usize) {
            Some(u) => format!("unit \"{}\"", u.id),
            None => "the outside list".to_string(),
        }
    };
    let mut owner = vec![NONE; sites.len()];
    let lists = input.units.iter().map(|u| &u.sites).chain(std::iter::once(&input.outside));
    for (tag, list) in lists.enumerate() {
        let tag = tag as u32;
        for &i in list {
            let slot = owner.get_mut(i as usize).ok_or_else(|| {
                Error::input(format!(
                    "register: {} lists site index {i}, but there are only {} sites (a programming error)",
                    owner_name(tag),
                    sites.len()
                ))
            })?;
            if *slot != NONE {
                return Err(Error::input(format!(
                    "register: {} is listed by both {} and {} (a programming error: every site belongs to one unit)",
                    describe(&sites[i as usize]),
                    owner_name(*slot),
                    owner_name(tag)
                )));
            }
            *slot = tag;
        }
    }
    if let Some(i) = owner.iter().position(|&o| o == NONE) {
        return Err(Error::input(format!(
            "register: {} is in no unit and not in the outside list (a programming error: every site must be listed once)",
            describe(&sites[i])
        )));
    }
    drop(owner);

    let mut order: Vec<usize> = (0..input.units.len()).collect();
    order.sort_by(|&a, &b| input.units[a].id.as_bytes().cmp(input.units[b].id.as_bytes()).then(a.cmp(&b)));
    let mut sections: Vec<Section> = order
        .into_iter()
        .map(|i| Section { unit: Some(&input.units[i]), rows: input.units[i].sites.clone(), counts: [0; 4] })
        .collect();
    if !input.outside.is_empty() {
        sections.push(Section { unit: None, rows: input.outside.clone(), counts: [0; 4] });
    }
    sections.par_iter_mut().for_each(|s| {
        s.rows.par_sort_unstable_by(|&a, &b| {
            let (x, y) = (&sites[a as usize], &sites[b as usize]);
            x.level
                .cmp(&y.level)
                .then_with(|| x.name.as_bytes().cmp(y.name.as_bytes()))
                .then_with(|| x.id.as_bytes().cmp(y.id.as_bytes()))
                .then_with(|| x.source.as_bytes().cmp(y.source.as_bytes()))
                .then(x.line.cmp(&y.line))
                .then(a.cmp(&b))
        });
        for &i in &s.rows {
            s.counts[sites[i as usize].level.index()] += 1;
        }
    });
    Ok(sections)
}

// ---------------------------------------------------------------------------------------
// register.csv

/// The columns of `register.csv`.
pub const CSV_HEADER: [&str; 16] = [
    "unit_id",
    "unit_name",
    "person",
    "no",
    "id",
    "name",
    "category",
    "grade",
    "level",
    "level_zh",
    "district_id",
    "district_name",
    "lon",
    "lat",
    "source",
    "line",
];

fn person_of(u: &RegisterUnit) -> Option<&str> {
    u.person.as_deref().and_then(crate::analysis::grid_checks::named_person)
}

/// What each column of [`CSV_HEADER`] holds, for `register.xlsx`.
const CSV_KINDS: [sisetu_io::write::tables::CellKind; 16] = {
    use sisetu_io::write::tables::CellKind::{Level as L, Number as N, Text as T};
    [T, T, T, N, T, T, T, T, L, L, T, T, N, N, T, N]
};

/// Writes `register.csv` and `register.xlsx` (ids as text); returns whether the workbook was
/// written (not above a worksheet's rows).
fn write_csv(
    path: &std::path::Path,
    xlsx: &std::path::Path,
    input: &RegisterInput,
    sections: &[Section],
    lang: sisetu_i18n::Lang,
) -> Result<bool> {
    let sites = input.sites;
    let outside_name = input.kind.outside_name();
    let rows = sections.iter().flat_map(|sec| {
        let (unit_id, unit_name, person) = match sec.unit {
            Some(u) => (u.id.as_str(), u.name.as_str(), person_of(u).unwrap_or("")),
            None => ("", outside_name, ""),
        };
        sec.rows.iter().enumerate().map(move |(k, &i)| {
            let s = &sites[i as usize];
            [
                Field::Text(unit_id),
                Field::Text(unit_name),
                Field::Text(person),
                Field::int(k as u64 + 1),
                Field::Text(&s.id),
                Field::Text(&s.name),
                Field::Text(&s.category),
                Field::Text(&s.grade),
                Field::Text(s.level.as_str()),
                Field::Text(s.level.zh()),
                Field::Text(s.district_id.as_deref().unwrap_or("")),
                Field::Text(s.district_name.as_deref().unwrap_or("")),
                Field::fixed7(s.lon),
                Field::fixed7(s.lat),
                Field::Text(&s.source),
                Field::int(s.line),
            ]
        })
    });
    let header = CSV_HEADER.map(|k| sisetu_i18n::column(lang, &format!("register.{k}")));
    let header = header.each_ref().map(String::as_str);
    let sheet = sisetu_i18n::tr!(lang, "sheet.register");
    let written = sisetu_io::write::tables::write_csv_and_xlsx(path, xlsx, &sheet, &header, &CSV_KINDS, rows)?;
    Ok(written.xlsx)
}

/// A CSV field: borrowed text, or a number formatted on the stack (no allocation per row).
enum Field<'a> {
    Text(&'a str),
    Num { buf: [u8; 28], len: u8 },
    Owned(String),
}

impl Field<'_> {
    /// Writes the digits of `v` right-aligned in `buf` ending at `end`; returns the start.
    fn digits(buf: &mut [u8; 28], end: usize, mut v: u64, min_digits: usize) -> usize {
        let mut i = end;
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 && end - i >= min_digits {
                return i;
            }
        }
    }

    fn from_tail(buf: [u8; 28], start: usize) -> Self {
        let mut out = [0u8; 28];
        let len = buf.len() - start;
        out[..len].copy_from_slice(&buf[start..]);
        Field::Num { buf: out, len: len as u8 }
    }

    fn int(v: u64) -> Self {
        let mut buf = [0u8; 28];
        let start = Self::digits(&mut buf, 28, v, 1);
        Self::from_tail(buf, start)
    }

    /// `v` with exactly 7 decimals, rounded as the GeoJSON writer rounds (`(v × 1e7).round()`);
    /// empty when not finite.
    fn fixed7(v: f64) -> Self {
        let scaled = (v * 1e7).round();
        if !scaled.is_finite() {
            return Field::Text("");
        }
        if scaled.abs() >= 9e18 {
            return Field::Owned(format!("{v:.7}"));
        }
        let n = scaled as i64;
        let m = n.unsigned_abs();
        let mut buf = [0u8; 28];
        let frac_start = Self::digits(&mut buf, 28, m % 10_000_000, 7);
        buf[frac_start - 1] = b'.';
        let mut start = Self::digits(&mut buf, frac_start - 1, m / 10_000_000, 1);
        if n < 0 {
            start -= 1;
            buf[start] = b'-';
        }
        Self::from_tail(buf, start)
    }
}

impl AsRef<[u8]> for Field<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Field::Text(s) => s.as_bytes(),
            Field::Num { buf, len } => &buf[..*len as usize],
            Field::Owned(s) => s.as_bytes(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// register.html

/// Text escaped for HTML element content and attribute values.
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut last = 0;
        for (i, c) in s.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&s[last..i])?;
            f.write_str(rep)?;
            last = i + c.len_utf8();
        }
        f.write_str(&s[last..])
    }
}

/// `c` at its own alpha and then `opacity`, over white, as an opaque CSS colour.
fn over_white(c: Rgba, opacity: f32) -> (u8, u8, u8) {
    let a = (c.3 as f32 / 255.0) * opacity.clamp(0.0, 1.0);
    let mix = |v: u8| (v as f32 * a + 255.0 * (1.0 - a)).round().clamp(0.0, 255.0) as u8;
    (mix(c.0), mix(c.1), mix(c.2))
}

/// Black or white text, whichever reads better on `(r, g, b)` (WCAG relative luminance).
fn text_on(rgb: (u8, u8, u8)) -> &'static str {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(rgb.0) + 0.7152 * lin(rgb.1) + 0.0722 * lin(rgb.2);
    // Contrast with black is (l + 0.05) / 0.05, with white 1.05 / (l + 0.05).
    if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
        "#000"
    } else {
        "#fff"
    }
}

fn css(style: &Style) -> String {
    let mut level_css = String::new();
    for l in RiskLevel::ALL {
        let (r, g, b) = over_white(style.color(l), style.fill_opacity);
        let fg = text_on((r, g, b));
        level_css.push_str(&format!(".l{i}{{background:#{r:02x}{g:02x}{b:02x};color:{fg}}}\n", i = l.index()));
    }
    let (r, g, b) = over_white(style.no_data, 1.0);
    level_css.push_str(&format!(".ln{{background:#{r:02x}{g:02x}{b:02x};color:#000}}\n"));
    format!(
        "@page {{ size: A4; margin: 15mm; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", \"PingFang SC\", \"SimSun\", sans-serif;
  font-size: 10pt; line-height: 1.45; color: #1a1a1a; background: #fff; max-width: 190mm; margin: 0 auto; padding: 6mm 4mm; }}
@media screen {{ body {{ background: #f4f4f4; }} header.cover, section {{ background: #fff; padding: 8mm 10mm; margin: 0 0 8mm;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); }} }}
@media print {{ body {{ max-width: none; padding: 0; margin: 0; }} }}
h1 {{ font-size: 20pt; text-align: center; margin: 4mm 0 1mm; }}
.subtitle {{ font-size: 16pt; text-align: center; letter-spacing: .25em; margin: 0 0 6mm; }}
h2 {{ font-size: 14pt; margin: 0 0 3mm; border-bottom: 1.5pt solid #1a1a1a; padding-bottom: 1mm; }}
h3 {{ font-size: 12pt; margin: 5mm 0 2mm; }}
section {{ break-before: page; page-break-before: always; }}
table {{ border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }}
th, td {{ border: .5pt solid #8c8c8c; padding: .8mm 1.5mm; text-align: left; vertical-align: top; }}
thead {{ display: table-header-group; }}
thead th {{ background: #e8e8e8; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
.facts th {{ width: 24mm; background: #f2f2f2; font-weight: normal; }}
.meta th {{ width: 24mm; background: #f2f2f2; font-weight: normal; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
td.lv {{ white-space: nowrap; }}
td.code {{ font-family: monospace; white-space: nowrap; }}
tr.total td {{ font-weight: bold; background: #f2f2f2; }}
.warn {{ color: #c00000; font-weight: bold; }}
.muted {{ color: #666; }}
.sw {{ display: inline-block; width: .85em; height: .85em; border: .5pt solid #555; vertical-align: -.08em; margin: 0 .25em 0 0; }}
.counts span.c {{ margin-right: 1.2em; white-space: nowrap; }}
figure.map {{ margin: 2mm 0 3mm; text-align: center; break-inside: avoid; page-break-inside: avoid; }}
figure.map img {{ width: {MAP_WIDTH_MM}mm; max-width: 100%; height: auto; border: .5pt solid #ccc; }}
.gen {{ color: #666; font-size: 9pt; text-align: center; margin: 6mm 0; }}
a {{ color: inherit; text-decoration: none; }}
{level_css}"
    )
}

/// A `<span class="sw lN">` swatch.
fn swatch(level: RiskLevel) -> String {
    format!("<span class=\"sw l{}\"></span>", level.index())
}

fn level_cell(level: Option<RiskLevel>) -> String {
    match level {
        Some(l) => format!("<td class=\"lv l{}\">{}</td>", l.index(), l.zh()),
        None => "<td class=\"lv muted\">无风险点位</td>".to_string(),
    }
}

fn heading(u: &RegisterUnit) -> String {
    match (u.name.trim().is_empty(), u.id.trim().is_empty()) {
        (false, false) => format!("{}（{}）", u.name, u.id),
        (false, true) => u.name.clone(),
        (true, _) => u.id.clone(),
    }
}

fn section_title(kind: UnitKind, sec: &Section) -> String {
    match sec.unit {
        Some(u) => heading(u),
        None => kind.outside_name().to_string(),
    }
}

fn write_html(w: &mut impl Write, cfg: &Config, input: &RegisterInput, sections: &[Section], work: Crs) -> Result<()> {
    let kind = input.kind;
    let word = kind.word();
    let sites = input.sites;
    let mut totals = [0u64; 4];
    for s in sections {
        for (t, c) in totals.iter_mut().zip(s.counts) {
            *t += c;
        }
    }
    let total: u64 = totals.iter().sum();
    let n_units = sections.iter().filter(|s| s.unit.is_some()).count();
    let version = env!("CARGO_PKG_VERSION");
    let title = cfg.title.trim();

    // Head and cover.
    write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"sisetu {version}\">\n\
         <title>{} 风险点位登记册</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        Esc(title),
        css(&cfg.style)
    )?;
    writeln!(w, "<header class=\"cover\">\n<h1>{}</h1>\n<p class=\"subtitle\">风险点位登记册</p>", Esc(title))?;
    writeln!(w, "<table class=\"meta\">")?;
    if let Some(d) = cfg.census_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        writeln!(w, "<tr><th>普查日期</th><td>{}</td></tr>", Esc(d))?;
    }
    if let Some(s) = cfg.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        writeln!(w, "<tr><th>数据来源</th><td>{}</td></tr>", Esc(s))?;
    }
    writeln!(
        w,
        "<tr><th>坐标系</th><td>{} ({})；经纬度为 WGS84</td></tr>",
        Esc(&work.description()),
        Esc(&work.to_string())
    )?;
    let outside_n = sections.iter().find(|s| s.unit.is_none()).map_or(0, Section::total);
    write!(w, "<tr><th>登记单元</th><td>{word} {} 个", thousands(n_units as u64))?;
    if outside_n > 0 {
        write!(w, "；另有{} {} 家", kind.outside_name(), thousands(outside_n))?;
    }
    writeln!(w, "</td></tr>")?;
    write!(w, "<tr><th>风险点位</th><td>合计 {} 家：", thousands(total))?;
    for l in RiskLevel::ALL {
        write!(w, "<span class=\"c\">{}{} {} 家</span> ", swatch(l), l.zh(), thousands(totals[l.index()]))?;
    }
    writeln!(w, "</td></tr>")?;
    let missing = sections.iter().filter_map(|s| s.unit).filter(|u| person_of(u).is_none()).count();
    if missing > 0 {
        writeln!(
            w,
            "<tr><th>负责人</th><td class=\"warn\">{} 个{word}未明确负责人</td></tr>",
            thousands(missing as u64)
        )?;
    }
    writeln!(w, "</table>")?;

    // Summary of all sections.
    writeln!(w, "<h3>各{word}汇总</h3>\n<table class=\"summary\">")?;
    write!(w, "<thead><tr><th class=\"n\">序号</th><th>{word}</th>")?;
    if kind == UnitKind::Grid {
        write!(w, "<th>所属区县</th>")?;
    }
    write!(w, "<th>负责人</th>")?;
    for l in RiskLevel::ALL {
        write!(w, "<th class=\"n\">{}</th>", l.zh())?;
    }
    writeln!(w, "<th class=\"n\">合计</th><th>风险等级</th></tr></thead>\n<tbody>")?;
    for (k, sec) in sections.iter().enumerate() {
        write!(
            w,
            "<tr><td class=\"n\">{}</td><td><a href=\"#{}\">{}</a></td>",
            k + 1,
            anchor(k, sec),
            Esc(&section_title(kind, sec))
        )?;
        if kind == UnitKind::Grid {
            write!(w, "<td>{}</td>", Esc(sec.unit.map_or("", |u| u.district.as_str())))?;
        }
        match sec.unit {
            Some(u) => match person_of(u) {
                Some(p) => write!(w, "<td>{}</td>", Esc(p))?,
                None => write!(w, "<td class=\"warn\">未明确</td>")?,
            },
            None => write!(w, "<td class=\"muted\">—</td>")?,
        }
        for c in sec.counts {
            write!(w, "<td class=\"n\">{}</td>", thousands(c))?;
        }
        write!(w, "<td class=\"n\">{}</td>", thousands(sec.total()))?;
        match sec.unit {
            Some(u) => writeln!(w, "{}</tr>", level_cell(u.level))?,
            None => writeln!(w, "<td class=\"muted\">—</td></tr>")?,
        }
    }
    write!(w, "<tr class=\"total\"><td></td><td>合计</td>")?;
    if kind == UnitKind::Grid {
        write!(w, "<td></td>")?;
    }
    write!(w, "<td></td>")?;
    for c in totals {
        write!(w, "<td class=\"n\">{}</td>", thousands(c))?;
    }
    writeln!(w, "<td class=\"n\">{}</td><td></td></tr>\n</tbody>\n</table>", thousands(total))?;
    writeln!(
        w,
        "<p class=\"gen\">本册由 sisetu {version} 生成。每{word}一节，打印时每节另起一页；点位按风险等级（重大风险在前）、企业名称排序。</p>\n</header>"
    )?;

    // Sections, their maps rendered in parallel per batch.
    let maps = SectionMaps::new(cfg, input)?;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut k0 = 0;
    for batch in sections.chunks(MAP_BATCH) {
        let pngs: Vec<Option<Vec<u8>>> =
            batch.par_iter().map(|sec| maps.render(sec, &section_title(kind, sec))).collect::<Result<Vec<_>>>()?;
        for (j, (sec, png)) in batch.iter().zip(pngs).enumerate() {
            let k = k0 + j;
            write_section(w, kind, sites, k, sec, png.map(|p| engine.encode(p)).as_deref())?;
        }
        k0 += batch.len();
    }
    writeln!(w, "</body>\n</html>")?;
    Ok(())
}

fn anchor(k: usize, sec: &Section) -> String {
    match sec.unit {
        Some(_) => format!("u{}", k + 1),
        None => "outside".to_string(),
    }
}

fn write_section(
    w: &mut impl Write,
    kind: UnitKind,
    sites: &[RegisterSite],
    k: usize,
    sec: &Section,
    png_base64: Option<&str>,
) -> Result<()> {
    let word = kind.word();
    let title = section_title(kind, sec);
    writeln!(w, "<section id=\"{}\">\n<h2>{}</h2>\n<table class=\"facts\">", anchor(k, sec), Esc(&title))?;
    match sec.unit {
        Some(u) => {
            if kind == UnitKind::Grid {
                let d = u.district.trim();
                if d.is_empty() {
                    writeln!(w, "<tr><th>所属区县</th><td class=\"muted\">—</td></tr>")?;
                } else {
                    writeln!(w, "<tr><th>所属区县</th><td>{}</td></tr>", Esc(d))?;
                }
            }
            match person_of(u) {
                Some(p) => writeln!(w, "<tr><th>{word}负责人</th><td>{}</td></tr>", Esc(p))?,
                None => {
                    let high = sec.counts[0] + sec.counts[1];
                    let why = if high > 0 {
                        format!("（本{word}有重大、较大风险点位 {} 家，须明确责任人）", thousands(high))
                    } else {
                        String::new()
                    };
                    writeln!(w, "<tr><th>{word}负责人</th><td class=\"warn\">未明确{word}负责人{why}</td></tr>")?;
                }
            }
            writeln!(w, "<tr><th>风险等级</th>{}</tr>", level_cell(u.level))?;
        }
        None => {
            let what = match kind {
                UnitKind::Grid => "以下点位不在任何管理网格内，请核实坐标或补划网格。",
                UnitKind::District => "以下点位不在任何区县内，请核实坐标。",
            };
            writeln!(w, "<tr><th>说明</th><td class=\"warn\">{what}</td></tr>")?;
        }
    }
    write!(w, "<tr><th>风险点位</th><td class=\"counts\">")?;
    for l in RiskLevel::ALL {
        write!(w, "<span class=\"c\">{}{} {} 家</span>", swatch(l), l.zh(), thousands(sec.counts[l.index()]))?;
    }
    writeln!(w, "<span class=\"c\">合计 {} 家</span></td></tr>\n</table>", thousands(sec.total()))?;
    if let Some(b64) = png_base64 {
        writeln!(
            w,
            "<figure class=\"map\"><img src=\"data:image/png;base64,{b64}\" alt=\"{} 风险点位图\"></figure>",
            Esc(&title)
        )?;
    }
    if sec.rows.is_empty() {
        writeln!(w, "<p class=\"muted\">本{word}无风险点位。</p>\n</section>")?;
        return Ok(());
    }
    writeln!(
        w,
        "<table class=\"sites\">\n<thead><tr><th class=\"n\">序号</th><th>企业名称</th><th>统一社会信用代码</th>\
         <th>行业类别</th><th>风险等级</th><th>所属区县</th></tr></thead>\n<tbody>"
    )?;
    for (n, &i) in sec.rows.iter().enumerate() {
        let s = &sites[i as usize];
        writeln!(
            w,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"code\">{}</td><td>{}</td><td class=\"lv l{}\">{}</td><td>{}</td></tr>",
            n + 1,
            Esc(&s.name),
            Esc(&s.id),
            Esc(&s.category),
            s.level.index(),
            s.level.zh(),
            Esc(s.district_name.as_deref().unwrap_or("—")),
        )?;
    }
    writeln!(w, "</tbody>\n</table>\n</section>")?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Section maps

/// What every section map shares: the font, the small style and page, the other units
/// (outlines) and the district boundaries (context).
struct SectionMaps<'a> {
    input: &'a RegisterInput<'a>,
    font: Font,
    style: Style,
    page: Page,
    /// Every unit as an outline (no name, no level, no colour).
    outlines: Vec<Area>,
    /// The bounding box of each outline, to draw only the neighbours on a unit's map.
    outline_boxes: Vec<Option<Rect<f64>>>,
    /// The districts as transparent, unlabelled context, with their bounding boxes.
    context: Vec<(Area, Option<Rect<f64>>)>,
    /// The bounding box of all units.
    units_box: Option<Rect<f64>>,
    /// Width / height of the map frame (about: the title's height is estimated).
    aspect: f64,
}

/// Opacity of the unit's fill on its section map (at most; the project's if lower).
const UNIT_FILL_OPACITY: f32 = 0.3;
/// Site symbols on the section maps are this much larger than on the project's maps.
const SITE_SCALE: f32 = 1.4;
/// Outline of the site symbols (as the renderer draws them).
const SITE_LINE: Rgba = Rgba(0x33, 0x33, 0x33, 255);

/// A fully transparent colour: an area drawn with it shows only its boundary.
const CLEAR: Rgba = Rgba(0, 0, 0, 0);

impl<'a> SectionMaps<'a> {
    fn new(cfg: &Config, input: &'a RegisterInput<'a>) -> Result<Self> {
        let font = crate::maps::load_font(cfg)?;
        let mut style = cfg.style.clone();
        style.title_pt = 10.5;
        style.legend_pt = 7.0;
        style.label_pt = 7.0;
        style.footer_pt = 6.0;
        // A light tint of the unit's level, so that sites of the same colour stand out on it,
        // and larger site symbols (a section map shows tens of sites, not thousands).
        style.fill_opacity = style.fill_opacity.min(UNIT_FILL_OPACITY);
        // The neighbouring units' outlines stay visible under the veil around the unit.
        style.cell_outline_pt = style.cell_outline_pt.max(0.6);
        for v in &mut style.site_size_pt {
            *v *= SITE_SCALE;
        }
        let px = |mm: f32| (mm as f64 / 25.4 * MAP_DPI as f64).round() as u32;
        let page = Page {
            size: PageSize::Pixels(px(MAP_WIDTH_MM), px(MAP_HEIGHT_MM)),
            orientation: Orientation::Landscape,
            dpi: MAP_DPI,
            margin_mm: 2.5,
        };
        // In id order, so that the drawing order does not depend on the input order.
        let mut by_id: Vec<&RegisterUnit> = input.units.iter().collect();
        by_id.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        let outlines: Vec<Area> = by_id
            .into_iter()
            .map(|u| Area {
                id: u.id.clone(),
                name: String::new(),
                geometry: u.geometry.clone(),
                level: None,
                counts: sisetu_core::LevelCounts::default(),
                color: None,
            })
            .collect();
        let context = input
            .districts
            .iter()
            .map(|d| {
                let a = Area { name: String::new(), color: Some(CLEAR), level: None, ..d.clone() };
                let bb = a.geometry.bounding_rect();
                (a, bb)
            })
            .collect();
        let units_box = input.units.iter().filter_map(|u| u.geometry.bounding_rect()).reduce(|a, b| union(&a, &b));
        let title_mm = 1.65 * style.title_pt as f64 * 25.4 / 72.0;
        let margin = page.margin_mm as f64;
        let aspect = (MAP_WIDTH_MM as f64 - 2.0 * margin) / (MAP_HEIGHT_MM as f64 - 2.0 * margin - title_mm);
        let outline_boxes = outlines.iter().map(|a: &Area| a.geometry.bounding_rect()).collect();
        Ok(SectionMaps { input, font, style, page, outlines, outline_boxes, context, units_box, aspect })
    }

    /// The legend: one row per level (the site symbol and the count), and for a unit a row
    /// with its fill and level.
    fn legend(&self, sec: &Section, word: &str) -> Vec<LegendItem> {
        let mut items: Vec<LegendItem> = RiskLevel::ALL
            .iter()
            .map(|&l| LegendItem {
                swatch: Swatch::Marker {
                    shape: MarkerShape::Circle,
                    size_pt: self.style.site_size_pt[l.index()],
                    fill: self.style.color(l),
                    stroke: SITE_LINE,
                },
                label: l.zh().to_string(),
                count: Some(thousands(sec.counts[l.index()])),
            })
            .collect();
        if let Some(u) = sec.unit {
            let (swatch, label) = match u.level {
                Some(l) => (Swatch::Fill(self.style.color(l)), format!("本{word}")),
                None => (Swatch::Fill(self.style.no_data), format!("本{word}（无点位）")),
            };
            items.push(LegendItem { swatch, label, count: None });
        }
        items
    }

    /// The PNG of one section's map, or `None` when there is nothing to show.
    fn render(&self, sec: &Section, title: &str) -> Result<Option<Vec<u8>>> {
        let legend = self.legend(sec, self.input.kind.word());
        let sites: Vec<SitePoint> = sec
            .rows
            .iter()
            .map(|&i| {
                let s = &self.input.sites[i as usize];
                SitePoint { x: s.x, y: s.y, level: s.level }
            })
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .collect();
        let site_box = bbox_of_points(&sites);
        let text = MapText { title, subtitle: None, footer: &[] };
        let rendered = match sec.unit {
            Some(u) => {
                let Some(bb) = u.geometry.bounding_rect().or(site_box) else { return Ok(None) };
                let extent = unit_extent(bb, self.aspect);
                let mut districts = vec![Area {
                    id: u.id.clone(),
                    name: String::new(),
                    geometry: u.geometry.clone(),
                    level: u.level,
                    counts: sec.counts.into(),
                    color: None,
                }];
                districts.extend(
                    self.context
                        .iter()
                        .filter(|(_, b)| b.is_some_and(|b| intersects(&b, &extent)))
                        .map(|(a, _)| a.clone()),
                );
                // Only the units in view: drawing every unit's outline on every map would cost
                // as much as all the maps together.
                let neighbours: Vec<Area> = self
                    .outlines
                    .iter()
                    .zip(&self.outline_boxes)
                    .filter(|(_, b)| b.is_some_and(|b| intersects(&b, &extent)))
                    .map(|(a, _)| a.clone())
                    .collect();
                let content = MapContent {
                    areas: &neighbours,
                    sites: &sites,
                    fill: Fill::Districts,
                    label_districts: false,
                    extent: Some(extent),
                    legend_title: "风险点位（家）",
                    legend_items: &legend,
                    focus: Some(0),
                    ..MapContent::new(&districts)
                };
                sisetu_render::render(&self.page, &self.style, &self.font, &text, &content)
            }
            None => {
                let Some(bb) = site_box else { return Ok(None) };
                // The sites and the units, so that the map shows where the grids are.
                let bb = self.units_box.map_or(bb, |u| union(&bb, &u));
                let content = MapContent {
                    areas: &self.outlines,
                    sites: &sites,
                    fill: Fill::None,
                    label_districts: true,
                    extent: Some(pad_extent(bb)),
                    legend_title: "风险点位（家）",
                    legend_items: &legend,
                    ..MapContent::new(self.input.districts)
                };
                sisetu_render::render(&self.page, &self.style, &self.font, &text, &content)
            }
        };
        rendered.map(|r| Some(r.png)).map_err(|e| Error::input(format!("register map of {title}: {e}")))
    }
}

fn union(a: &Rect<f64>, b: &Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

fn intersects(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x && a.max().x >= b.min().x && a.min().y <= b.max().y && a.max().y >= b.min().y
}

fn bbox_of_points(points: &[SitePoint]) -> Option<Rect<f64>> {
    let first = points.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x, first.y);
    for p in points {
        (x0, y0, x1, y1) = (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y));
    }
    Some(Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }))
}

/// The extent of a unit's map, for a frame `aspect` times wider than high: the unit in the
/// middle 45 % of the width (the legend, north arrow and scale bar go in the frame corners,
/// beside it) and at most 75 % of the height, and at least [`MIN_EXTENT_M`] high.
pub(crate) fn unit_extent(r: Rect<f64>, aspect: f64) -> Rect<f64> {
    let aspect = if aspect.is_finite() && aspect > 0.1 { aspect } else { 1.0 };
    let w = (r.width() / 0.45).max(r.height() / 0.75 * aspect).max(MIN_EXTENT_M * aspect);
    let (hw, hh) = (w / 2.0, w / aspect / 2.0);
    let c = r.center();
    Rect::new(Coord { x: c.x - hw, y: c.y - hh }, Coord { x: c.x + hw, y: c.y + hh })
}

/// The map extent around `r`: padded so that the legend and the scale bar in the frame
/// corners hide little of it, and at least [`MIN_EXTENT_M`] wide and high.
pub(crate) fn pad_extent(r: Rect<f64>) -> Rect<f64> {
    let (w, h) = (r.width(), r.height());
    let pad = 0.18 * w.max(h);
    let hw = (w / 2.0 + pad).max(MIN_EXTENT_M / 2.0);
    let hh = (h / 2.0 + pad).max(MIN_EXTENT_M / 2.0);
    let c = r.center();
    Rect::new(Coord { x: c.x - hw, y: c.y - hh }, Coord { x: c.x + hw, y: c.y + hh })
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
