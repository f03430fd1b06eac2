//! The `[[layers]]` and `[[rules]]` sections of the project file: feature layers (points,
//! lines, areas) and the separation rules checked between them (see `docs/project-file.md`,
//! "Separation rules").

use super::error::{Parsed, ProjectErrorKind};
use super::facilities::{table, PointSource};
use super::values::{self, Base};
use serde::Deserialize;

/// The name a rule gives the census's sites (`a = "sites"`).
pub const SITES: &str = "sites";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLayer {
    name: String,
    title: Option<String>,
    path: String,
    crs: String,
    id: Option<String>,
    label: Option<String>,
    distance: Option<String>,
    x: Option<String>,
    y: Option<String>,
    encoding: Option<String>,
    sheet: Option<String>,
    header_row: Option<i64>,
}

/// A distance: metres, or the name of a column (only `"column"` is accepted).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawDistance {
    Metres(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    name: String,
    a: String,
    b: String,
    min_m: Option<RawDistance>,
    within_m: Option<RawDistance>,
    categories: Option<Vec<String>>,
    map: Option<bool>,
}

/// One `[[layers]]` entry: a feature layer rules can name.
#[derive(Debug, Clone)]
pub struct LayerConfig {
    /// What rules call it (unique, not `sites`).
    pub name: String,
    /// The display name (default: the name).
    pub title: String,
    /// The file: GeoJSON with any geometry, or a table of points (x/y columns).
    pub source: PointSource,
    /// The id column or property (default `id`, 编号, 统一社会信用代码 …).
    pub id: Option<String>,
    /// The name column or property (default `name`, 名称 …).
    pub label: Option<String>,
    /// A column of distances in metres (each feature's own, e.g. 外部安全防护距离), for rules
    /// with `min_m = "column"` or `within_m = "column"`.
    pub distance: Option<String>,
}

/// What a rule asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `min_m`: every feature of A at least the distance from every feature of B; a pair
    /// closer than that (`distance < required`) is a violation.
    Separation,
    /// `within_m`: every feature of A has a feature of B within the distance
    /// (`distance <= required`); a feature of A without one is a violation.
    Within,
}

/// The distance a rule requires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Required {
    /// The same for every feature of A (metres, ≥ 0).
    Metres(f64),
    /// Each feature of A's own, from its layer's `distance` column.
    Column,
}

/// A layer a rule names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleLayer {
    /// The census's sites, optionally only those of some categories.
    Sites {
        /// Categories kept (empty: every site).
        categories: Vec<String>,
    },
    /// A `[[layers]]` entry, by position.
    Layer(usize),
}

/// One `[[rules]]` entry, validated.
#[derive(Debug, Clone)]
pub struct RuleConfig {
    /// Its name (unique), as the outputs show it.
    pub name: String,
    /// What it asks.
    pub kind: RuleKind,
    /// The distance.
    pub required: Required,
    /// The layer whose features are checked.
    pub a: RuleLayer,
    /// The layer they are checked against.
    pub b: RuleLayer,
    /// Whether its map (`rule_<n>.png`) is drawn (`map = false`: not).
    pub map: bool,
}

/// `[[layers]]`, validated.
pub(crate) fn parse_layers(raw: &[RawLayer], base: Base) -> Parsed<Vec<LayerConfig>> {
    let mut out: Vec<LayerConfig> = Vec::with_capacity(raw.len());
    for (i, l) in raw.iter().enumerate() {
        let place = format!("[[layers]] #{} ({})", i + 1, l.name);
        let name = l.name.trim();
        if name.is_empty() || name == SITES {
            return Err(ProjectErrorKind::value(
                format!("{place} name"),
                format!("\"{}\"", l.name),
                format!("give the layer a name of its own that rules can use (not empty, not \"{SITES}\")"),
            ));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(ProjectErrorKind::invalid(
                &place,
                format!("a second layer named \"{name}\"; give each its own name"),
            ));
        }
        let source = PointSource {
            table: table(
                base,
                &l.path,
                l.encoding.as_deref(),
                (l.sheet.as_ref(), l.header_row),
                [&format!("{place} encoding"), &format!("{place} header_row")],
            )?,
            crs: values::crs(&l.crs, &format!("{place} crs"))?,
            x: l.x.clone(),
            y: l.y.clone(),
        };
        out.push(LayerConfig {
            name: name.to_string(),
            title: l.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or(name).to_string(),
            source,
            id: l.id.clone(),
            label: l.label.clone(),
            distance: l.distance.clone(),
        });
    }
    Ok(out)
}

/// `[[rules]]`, validated against the layers.
pub(crate) fn parse_rules(raw: &[RawRule], layers: &[LayerConfig], has_sites: bool) -> Parsed<Vec<RuleConfig>> {
    let mut out: Vec<RuleConfig> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let place = format!("[[rules]] #{} ({})", i + 1, r.name);
        let name = r.name.trim();
        if name.is_empty() {
            return Err(ProjectErrorKind::value(
                format!("{place} name"),
                "\"\"",
                "give the rule a name (it heads its rows)",
            ));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(ProjectErrorKind::invalid(
                &place,
                format!("a second rule named \"{name}\"; give each its own name"),
            ));
        }
        let layer = |which: &str, value: &str| -> Parsed<RuleLayer> {
            let value = value.trim();
            if value == SITES {
                if !has_sites {
                    return Err(ProjectErrorKind::invalid(
                        &place,
                        format!("{which} = \"{SITES}\" but the project has no [[sites]]"),
                    ));
                }
                return Ok(RuleLayer::Sites { categories: Vec::new() });
            }
            match layers.iter().position(|l| l.name == value) {
                Some(k) => Ok(RuleLayer::Layer(k)),
                None => {
                    let known: Vec<String> = std::iter::once(format!("\"{SITES}\""))
                        .filter(|_| has_sites)
                        .chain(layers.iter().map(|l| format!("\"{}\"", l.name)))
                        .collect();
                    Err(ProjectErrorKind::value(
                        format!("{place} {which}"),
                        format!("\"{value}\""),
                        if known.is_empty() {
                            "no layer has that name: add a [[layers]] entry with name = \"…\"".to_string()
                        } else {
                            format!("no layer has that name; use one of {} or add a [[layers]] entry", known.join(", "))
                        },
                    ))
                }
            }
        };
        let mut a = layer("a", &r.a)?;
        let b = layer("b", &r.b)?;
        let (kind, given, key) = match (&r.min_m, &r.within_m) {
            (Some(d), None) => (RuleKind::Separation, d, "min_m"),
            (None, Some(d)) => (RuleKind::Within, d, "within_m"),
            _ => {
                return Err(ProjectErrorKind::invalid(
                    &place,
                    "give exactly one of min_m (every feature of a at least this far from every feature of b) and \
                     within_m (every feature of a has one of b this close)",
                ))
            }
        };
        let required = match given {
            RawDistance::Metres(m) if m.is_finite() && *m >= 0.0 => Required::Metres(*m),
            RawDistance::Metres(m) => {
                return Err(ProjectErrorKind::value(format!("{place} {key}"), m, "a distance in metres, 0 or more"))
            }
            RawDistance::Text(t) if t.trim() == "column" => {
                match &a {
                    RuleLayer::Layer(k) if layers[*k].distance.is_some() => {}
                    RuleLayer::Layer(k) => {
                        return Err(ProjectErrorKind::invalid(
                            &place,
                            format!(
                                "{key} = \"column\" takes each feature's distance from layer \"{}\"'s distance \
                                 column: add distance = \"<column>\" to that [[layers]] entry",
                                layers[*k].name
                            ),
                        ))
                    }
                    RuleLayer::Sites { .. } => {
                        return Err(ProjectErrorKind::invalid(
                            &place,
                            format!(
                                "{key} = \"column\" needs a = a [[layers]] entry with a distance column (sites keep \
                                 no extra columns): list the enterprises with their distances as a [[layers]] layer"
                            ),
                        ))
                    }
                }
                Required::Column
            }
            RawDistance::Text(t) => {
                return Err(ProjectErrorKind::value(
                    format!("{place} {key}"),
                    format!("\"{t}\""),
                    "a distance in metres (a number, e.g. 150), or \"column\" for each feature's own distance",
                ))
            }
        };
        if let Some(cats) = &r.categories {
            match &mut a {
                RuleLayer::Sites { categories } => {
                    *categories = cats.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
                    if categories.is_empty() {
                        return Err(ProjectErrorKind::value(
                            format!("{place} categories"),
                            "[]",
                            "name the categories (行业) of the sites to check, or leave the key out for every site",
                        ));
                    }
                }
                RuleLayer::Layer(_) => {
                    return Err(ProjectErrorKind::invalid(
                        &place,
                        format!("categories choose among the sites: it needs a = \"{SITES}\""),
                    ))
                }
            }
        }
        out.push(RuleConfig { name: name.to_string(), kind, required, a, b, map: r.map.unwrap_or(true) });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
