//! Readers and writers: generic parameters bound by `std::io` traits.
//!
//! `fn load<R: BufRead + Seek>(r: R)` takes a `list<u8>`: the guest passes
//! a `std::io::Cursor<Vec<u8>>` over the bytes. A writer (`W: Write`) is a
//! `Vec<u8>`, whose bytes come back. A generic type whose impls bound its
//! parameter so (`csv::Reader<R>` with `impl<R: io::Read> Reader<R>`) is
//! exported as that one instance, `csv::Reader<Cursor<Vec<u8>>>`, a
//! resource made from bytes (trailing parameters with defaults left at
//! them).

use rustdoc_types::{GenericBound, GenericParamDefKind, Id, ItemEnum, Type, WherePredicate};

use super::{Mapper, type_args};
use crate::model::*;

/// The Rust type of a reader over bytes.
pub const READER: &str = "std::io::Cursor<Vec<u8>>";

/// What an `std::io` bound asks for (a reader also serves as a writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Io {
    /// `Read`, `BufRead`, `Seek` (with or without `Write`): a cursor over
    /// bytes.
    Reader,
    /// `Write` alone: a `Vec<u8>`.
    Writer,
}

impl Io {
    /// The type the guest passes.
    pub fn ty(self) -> Ty {
        let kind = match self {
            Io::Reader => ListKind::Reader,
            Io::Writer => ListKind::Vec,
        };
        Ty::List(Box::new(Ty::Prim("u8".into())), kind)
    }

    /// Its Rust spelling.
    pub fn rust(self) -> &'static str {
        match self {
            Io::Reader => READER,
            Io::Writer => "Vec<u8>",
        }
    }
}

/// The `std::io` trait at `path`, if it is one.
pub fn io_trait(path: &str) -> Option<Io> {
    match path {
        "std::io::Read" | "std::io::BufRead" | "std::io::Seek" => Some(Io::Reader),
        "std::io::Write" => Some(Io::Writer),
        _ => None,
    }
}

impl Mapper<'_> {
    /// What `bounds` ask for, when they name an `std::io` trait and
    /// nothing else but markers.
    pub(super) fn io_bounds(&self, bounds: &[GenericBound]) -> Option<Io> {
        let mut io = None;
        for b in bounds {
            let GenericBound::TraitBound { trait_, .. } = b else {
                continue;
            };
            let path = self
                .std_path(&trait_.id)
                .unwrap_or_else(|| trait_.path.clone());
            match io_trait(&path) {
                // A cursor is a writer too.
                Some(found) => io = Some(io.map_or(found, |had: Io| had.min(found))),
                None if super::generics::satisfied_by_bytes(&path) => {}
                None => return None,
            }
        }
        io
    }

    /// For a generic type whose inherent impls bound each type parameter by
    /// `std::io` traits: the parameters' instantiations, in order.
    pub(super) fn io_instance(&self, id: &Id) -> Option<Vec<Io>> {
        let generics = self.generics_of(id)?;
        if generics.params.is_empty()
            || generics
                .params
                .iter()
                .any(|p| !matches!(p.kind, GenericParamDefKind::Type { .. }))
        {
            return None;
        }
        let impls = match &self.item(id)?.inner {
            ItemEnum::Struct(s) => &s.impls,
            ItemEnum::Enum(e) => &e.impls,
            _ => return None,
        };
        let mut found: Vec<Option<Io>> = vec![None; generics.params.len()];
        for imp in impls.iter().filter_map(|i| self.item(i)) {
            let ItemEnum::Impl(imp) = &imp.inner else {
                continue;
            };
            let Type::ResolvedPath(for_) = &imp.for_ else {
                continue;
            };
            if imp.trait_.is_some() || imp.blanket_impl.is_some() {
                continue;
            }
            for (slot, arg) in found.iter_mut().zip(type_args(for_)) {
                let Type::Generic(name) = arg else { continue };
                let mut bounds: Vec<GenericBound> = Vec::new();
                for p in imp.generics.params.iter().filter(|p| &p.name == name) {
                    if let GenericParamDefKind::Type { bounds: b, .. } = &p.kind {
                        bounds.extend(b.iter().cloned());
                    }
                }
                for w in &imp.generics.where_predicates {
                    if let WherePredicate::BoundPredicate {
                        type_: Type::Generic(n),
                        bounds: b,
                        ..
                    } = w
                        && n == name
                    {
                        bounds.extend(b.iter().cloned());
                    }
                }
                if let Some(io) = self.io_bounds(&bounds) {
                    *slot = Some(slot.map_or(io, |had| had.min(io)));
                }
            }
        }
        // Trailing parameters with defaults the impls do not bound by `std::io`
        // stay at them (`serde_json::Serializer<W, F = CompactFormatter>`
        // is `Serializer::<Vec<u8>>`).
        while found.last() == Some(&None)
            && matches!(
                generics.params.get(found.len() - 1).map(|p| &p.kind),
                Some(GenericParamDefKind::Type {
                    default: Some(_),
                    ..
                })
            )
        {
            found.pop();
        }
        if found.is_empty() {
            return None;
        }
        found.into_iter().collect()
    }
}
