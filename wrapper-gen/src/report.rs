//! The mapping report: every public item, mapped or skipped with a reason.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ReportItem;

/// File name of the report written beside a component.
pub const FILE_NAME: &str = "compwrap-report.json";

/// What was mapped and skipped for one crate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Crate name.
    #[serde(rename = "crate")]
    pub name: String,
    /// Crate version.
    pub version: String,
    /// Totals.
    pub coverage: Coverage,
    /// Skip reasons with backticked names blanked, by count (descending).
    pub skip_reasons: Vec<(String, usize)>,
    /// Every public item.
    pub items: Vec<Item>,
}

/// Mapped / total counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Coverage {
    /// Public functions, methods and associated functions.
    pub functions: usize,
    /// … of which mapped.
    pub functions_mapped: usize,
    /// Public structs and enums.
    pub types: usize,
    /// … of which mapped.
    pub types_mapped: usize,
}

impl Coverage {
    /// Mapped functions as a percentage (100 when there are none).
    pub fn percent(&self) -> f64 {
        if self.functions == 0 {
            100.0
        } else {
            100.0 * self.functions_mapped as f64 / self.functions as f64
        }
    }
}

/// One item (owned copy of [`ReportItem`] that also deserializes).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    /// Rust path.
    pub path: String,
    /// Item kind.
    pub kind: String,
    /// WIT name when mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wit: Option<String>,
    /// Reason when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl Report {
    /// Builds the report from the mapper's items.
    pub fn new(name: &str, version: &str, items: &[ReportItem]) -> Report {
        let mut coverage = Coverage::default();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for item in items {
            let mapped = item.wit.is_some();
            if is_function(&item.kind) {
                coverage.functions += 1;
                coverage.functions_mapped += usize::from(mapped);
            } else if item.kind == "struct" || item.kind == "enum" {
                coverage.types += 1;
                coverage.types_mapped += usize::from(mapped);
            }
            if let Some(reason) = &item.skipped {
                *reasons.entry(blank_names(reason)).or_default() += 1;
            }
        }
        let mut skip_reasons: Vec<(String, usize)> = reasons.into_iter().collect();
        skip_reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Report {
            name: name.into(),
            version: version.into(),
            coverage,
            skip_reasons,
            items: items
                .iter()
                .map(|i| Item {
                    path: i.path.clone(),
                    kind: i.kind.clone(),
                    wit: i.wit.clone(),
                    skipped: i.skipped.clone(),
                })
                .collect(),
        }
    }
}

fn is_function(kind: &str) -> bool {
    matches!(kind, "function" | "method" | "associated function")
}

/// `parameter \`x\`: type \`a::B\` is not mappable` → `parameter …: type … is not mappable`.
fn blank_names(reason: &str) -> String {
    let mut out = String::new();
    for (i, part) in reason.split('`').enumerate() {
        out.push_str(if i % 2 == 1 { "…" } else { part });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_groups_reasons() {
        let items = vec![
            ReportItem {
                path: "a::f".into(),
                kind: "function".into(),
                wit: Some("a.f".into()),
                skipped: None,
            },
            ReportItem {
                path: "a::g".into(),
                kind: "function".into(),
                wit: None,
                skipped: Some("generic parameter `T`".into()),
            },
            ReportItem {
                path: "a::h".into(),
                kind: "method".into(),
                wit: None,
                skipped: Some("generic parameter `U`".into()),
            },
            ReportItem {
                path: "a::S".into(),
                kind: "struct".into(),
                wit: Some("a.s".into()),
                skipped: None,
            },
        ];
        let r = Report::new("a", "1.0.0", &items);
        assert_eq!(
            r.coverage,
            Coverage {
                functions: 3,
                functions_mapped: 1,
                types: 1,
                types_mapped: 1
            }
        );
        assert_eq!(r.skip_reasons, vec![("generic parameter …".to_string(), 2)]);
        assert!((r.coverage.percent() - 33.33).abs() < 0.1);
    }
}
