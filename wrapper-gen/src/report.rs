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
    /// Skipped items by category, by count (descending).
    pub skip_categories: Vec<(Category, usize)>,
    /// Skip reasons with backticked names blanked, by count (descending).
    pub skip_reasons: Vec<(String, usize)>,
    /// Every public item.
    pub items: Vec<Item>,
    /// The items skipped in each round of building the guest because
    /// their generated glue did not compile (category `glue-error`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glue_rounds: Vec<Vec<String>>,
}

/// Mapped / total counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Coverage {
    /// Public functions, methods and associated functions.
    pub functions: usize,
    /// … of which mapped.
    pub functions_mapped: usize,
    /// … of which skipped because another export covers them (category
    /// `covered`: an iterator type's methods, collected into lists; an AWS
    /// SDK's fluent builders, which the operation functions take whole).
    #[serde(default)]
    pub functions_covered: usize,
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

    /// Mapped or covered functions as a percentage: how much of the API a
    /// caller reaches.
    pub fn reached_percent(&self) -> f64 {
        if self.functions == 0 {
            100.0
        } else {
            100.0 * (self.functions_mapped + self.functions_covered) as f64 / self.functions as f64
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
    /// The reason's category when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

/// Why an item was skipped, in a few words: the documented set every
/// detailed reason falls into.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The glue compwrap generated for it did not compile: the item is
    /// left out and the guest rebuilt (rustc's message is the reason).
    GlueError,
    /// A generic parameter without one obvious instantiation (a serde
    /// bound, a closure, a type only the caller of the result picks).
    Generic,
    /// The value borrows data that cannot be copied out or passed in
    /// (lifetime-bound types without accessors, `&mut` arguments,
    /// `'static` borrows, types that only exist behind a reference).
    Borrowed,
    /// Ownership the boundary cannot give: `self` by value or borrowed
    /// results of types that are not `Clone`.
    Ownership,
    /// A type with no WIT form: trait objects, function and raw pointers,
    /// associated types, types of other crates without a defined mapping.
    UnsupportedType,
    /// The signature uses a type of this crate that is itself skipped.
    SkippedType,
    /// `unsafe fn` or a non-Rust ABI.
    Unsafe,
    /// Exists only at compile time: macros, traits, type aliases,
    /// constants and statics.
    CompileTime,
    /// An error type: results carry it as `compwrap:types/types.error`.
    ErrorType,
    /// Defined in another crate and re-exported.
    ReExport,
    /// No data to carry: unit structs, enums without variants.
    NoData,
    /// Covered another way (methods of iterator types, which are
    /// collected into lists; methods of traits that only bound generic
    /// parameters).
    Covered,
    /// Not asked for with `--only`.
    NotSelected,
}

impl Category {
    /// The category of a detailed skip reason.
    pub fn of(reason: &str) -> Category {
        let r = reason;
        let has = |s: &str| r.contains(s);
        if has(GLUE_ERROR) {
            Category::GlueError
        } else if has("--only") {
            Category::NotSelected
        } else if has("is not mapped (") {
            Category::SkippedType
        } else if has("error type") {
            Category::ErrorType
        } else if has("re-export") {
            Category::ReExport
        } else if has("unsafe") || has("ABI") {
            Category::Unsafe
        } else if has("macro")
            || has("trait") && has("not exported") && !has("bounds generic")
            || has("type alias")
            || has("constant")
            || has("static") && !has("'static")
        {
            Category::CompileTime
        } else if has("iterator type")
            || has("bounds generic parameters")
            || has("operation function")
            || has("built from its WIT value")
        {
            Category::Covered
        } else if has("unit struct") || has("without variants") {
            Category::NoData
        } else if has("not Clone") {
            Category::Ownership
        } else if has("generic")
            || has("closure")
            || has("bound")
            || has("caller's choice")
            || has("where clause")
        {
            Category::Generic
        } else if has("borrow")
            || has("lifetime")
            || has("mutation")
            || has("`&mut")
            || has("'static")
            || has("mutable")
            || has("unsized")
            || has("reference to a reference")
        {
            Category::Borrowed
        } else {
            Category::UnsupportedType
        }
    }
}

/// How the reason of an item skipped for its glue starts.
const GLUE_ERROR: &str = "its generated glue does not compile";

impl Report {
    /// Builds the report from the mapper's items.
    pub fn new(name: &str, version: &str, items: &[ReportItem]) -> Report {
        let mut report = Report {
            name: name.into(),
            version: version.into(),
            coverage: Coverage::default(),
            skip_categories: Vec::new(),
            skip_reasons: Vec::new(),
            items: items
                .iter()
                .map(|i| Item {
                    path: i.path.clone(),
                    kind: i.kind.clone(),
                    wit: i.wit.clone(),
                    skipped: i.skipped.clone(),
                    category: i.skipped.as_deref().map(Category::of),
                })
                .collect(),
            glue_rounds: Vec::new(),
        };
        report.count();
        report
    }

    /// Marks the mapped items exported as `skipped` (`interface.name` →
    /// rustc's message) as skipped for their glue, as one more round.
    pub fn skip_glue(&mut self, skipped: &BTreeMap<String, String>) {
        let mut round = Vec::new();
        for item in &mut self.items {
            let Some(message) = item.wit.as_ref().and_then(|wit| skipped.get(wit)) else {
                continue;
            };
            let reason = format!("{GLUE_ERROR}: {message}");
            item.category = Some(Category::of(&reason));
            item.skipped = Some(reason);
            item.wit = None;
            round.push(item.path.clone());
        }
        self.glue_rounds.push(round);
        self.count();
    }

    /// Counts coverage, categories and reasons from the items.
    fn count(&mut self) {
        let mut coverage = Coverage::default();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut categories: BTreeMap<Category, usize> = BTreeMap::new();
        for item in &self.items {
            let mapped = item.wit.is_some();
            if is_function(&item.kind) {
                coverage.functions += 1;
                coverage.functions_mapped += usize::from(mapped);
                coverage.functions_covered += usize::from(item.category == Some(Category::Covered));
            } else if item.kind == "struct" || item.kind == "enum" {
                coverage.types += 1;
                coverage.types_mapped += usize::from(mapped);
            }
            if let Some(reason) = &item.skipped {
                *reasons.entry(blank_names(reason)).or_default() += 1;
                *categories.entry(Category::of(reason)).or_default() += 1;
            }
        }
        let mut skip_reasons: Vec<(String, usize)> = reasons.into_iter().collect();
        skip_reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut skip_categories: Vec<(Category, usize)> = categories.into_iter().collect();
        skip_categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.coverage = coverage;
        self.skip_categories = skip_categories;
        self.skip_reasons = skip_reasons;
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
                functions_covered: 0,
                types: 1,
                types_mapped: 1
            }
        );
        assert_eq!(r.skip_reasons, vec![("generic parameter …".to_string(), 2)]);
        assert_eq!(r.skip_categories, vec![(Category::Generic, 2)]);
        assert!((r.coverage.percent() - 33.33).abs() < 0.1);
    }

    #[test]
    fn reasons_fall_into_their_categories() {
        for (reason, category) in [
            ("generic type (parameter `S`)", Category::Generic),
            ("parameter `f`: closure parameter", Category::Generic),
            ("borrows data (lifetime parameter `'a`)", Category::Borrowed),
            (
                "parameter `b`: `&mut [T]`: mutation would not reach the caller",
                Category::Borrowed,
            ),
            (
                "parameter `s` must be borrowed for `'static`, which no call argument is",
                Category::Borrowed,
            ),
            (
                "takes `self` by value and the type is not Clone",
                Category::Ownership,
            ),
            (
                "result: type `std::fs::File` is not mappable",
                Category::UnsupportedType,
            ),
            (
                "result: `a::B` is not mapped (generic type (parameter `T`))",
                Category::SkippedType,
            ),
            ("unsafe fn", Category::Unsafe),
            ("macros exist only at compile time", Category::CompileTime),
            ("statics are not mapped", Category::CompileTime),
            (
                "error type: results carry it as the `compwrap:types/types.error` record",
                Category::ErrorType,
            ),
            ("re-exported from another crate", Category::ReExport),
            ("unit struct: no data to carry", Category::NoData),
            (
                "method of an iterator type: the iterator is collected into a list",
                Category::Covered,
            ),
            ("not selected with --only", Category::NotSelected),
        ] {
            assert_eq!(Category::of(reason), category, "{reason}");
        }
    }
}
