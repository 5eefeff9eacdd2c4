//! Values between the ABI's bytes and wasmtime's [`Val`]s, read and written
//! against the exported function's types, in the encoding of
//! [`compwrap_client::codec`]. Resources cross as `u32` handles into the
//! instance's [`Handles`](crate::handles::Handles).

use compwrap_client::codec::{self, DecodeError, Reader};
use compwrap_host::call::holds_resource;
use compwrap_host::wasmtime::component::{ResourceAny, ResourceType, Type, Val};

/// Where resource handles come from and go to while values cross.
pub(crate) trait HandleTable {
    /// The resource behind `handle` for a parameter (`own` when the call
    /// takes it over).
    fn resource(&mut self, handle: u32, own: bool) -> Result<ResourceAny, DecodeError>;
    /// A handle for a resource a call returned.
    fn insert(&mut self, resource: ResourceAny) -> u32;
}

/// Reads one value of type `ty`.
pub(crate) fn decode(
    r: &mut Reader<'_>,
    ty: &Type,
    handles: &mut dyn HandleTable,
) -> Result<Val, DecodeError> {
    Ok(match ty {
        Type::Bool => Val::Bool(r.tag()?),
        Type::U8 => Val::U8(r.byte()?),
        Type::S8 => Val::S8(r.byte()? as i8),
        Type::U16 => Val::U16(r.uleb(16)? as u16),
        Type::S16 => Val::S16(r.sleb(16)? as i16),
        Type::U32 => Val::U32(r.uleb(32)? as u32),
        Type::S32 => Val::S32(r.sleb(32)? as i32),
        Type::U64 => Val::U64(r.uleb(64)?),
        Type::S64 => Val::S64(r.sleb(64)?),
        Type::Float32 => Val::Float32(r.f32()?),
        Type::Float64 => Val::Float64(r.f64()?),
        Type::Char => Val::Char(r.char()?),
        Type::String => Val::String(r.string()?.to_owned()),
        Type::List(list) => {
            let elem = list.ty();
            if matches!(elem, Type::U8) {
                let n = r.length()?;
                Val::List(r.bytes(n)?.iter().map(|b| Val::U8(*b)).collect())
            } else {
                let n = r.length()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(decode(r, &elem, handles)?);
                }
                Val::List(items)
            }
        }
        Type::FixedLengthList(list) => {
            let elem = list.ty();
            let n = list.len() as usize;
            let mut items = Vec::with_capacity(n.min(r.remaining()));
            for _ in 0..n {
                items.push(decode(r, &elem, handles)?);
            }
            Val::FixedLengthList(items)
        }
        Type::Map(map) => {
            let (key, value) = (map.key(), map.value());
            let n = r.length()?;
            let mut entries = Vec::with_capacity(n);
            for _ in 0..n {
                let k = decode(r, &key, handles)?;
                entries.push((k, decode(r, &value, handles)?));
            }
            Val::Map(entries)
        }
        Type::Record(record) => {
            let mut fields = Vec::new();
            for field in record.fields() {
                fields.push((field.name.to_owned(), decode(r, &field.ty, handles)?));
            }
            Val::Record(fields)
        }
        Type::Tuple(tuple) => {
            let mut items = Vec::new();
            for ty in tuple.types() {
                items.push(decode(r, &ty, handles)?);
            }
            Val::Tuple(items)
        }
        Type::Variant(variant) => {
            let count = variant.cases().len() as u32;
            let index = r.case(count)?;
            let case = variant
                .cases()
                .nth(index as usize)
                .expect("checked against the count");
            let payload = match &case.ty {
                Some(ty) => Some(Box::new(decode(r, ty, handles)?)),
                None => None,
            };
            Val::Variant(case.name.to_owned(), payload)
        }
        Type::Enum(names) => {
            let count = names.names().len() as u32;
            let index = r.case(count)?;
            let name = names.names().nth(index as usize).expect("checked");
            Val::Enum(name.to_owned())
        }
        Type::Flags(names) => {
            let labels = names.names().len() as u32;
            if labels > 64 {
                return Err(r.error("flags of more than 64 labels are not supported"));
            }
            let bits = r.flags(labels)?;
            let set = names
                .names()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, name)| name.to_owned())
                .collect();
            Val::Flags(set)
        }
        Type::Option(option) => match r.tag()? {
            false => Val::Option(None),
            true => Val::Option(Some(Box::new(decode(r, &option.ty(), handles)?))),
        },
        Type::Result(result) => {
            let ok = !r.tag()?;
            let payload = if ok { result.ok() } else { result.err() };
            let payload = match payload {
                Some(ty) => Some(Box::new(decode(r, &ty, handles)?)),
                None => None,
            };
            Val::Result(if ok { Ok(payload) } else { Err(payload) })
        }
        Type::Own(_) | Type::Borrow(_) => {
            let start = r.offset();
            let handle = r.uleb(32)? as u32;
            let own = matches!(ty, Type::Own(_));
            let resource = handles.resource(handle, own).map_err(|mut e| {
                e.offset = start;
                e
            })?;
            Val::Resource(resource)
        }
        Type::Future(_) | Type::Stream(_) | Type::ErrorContext => {
            return Err(r.error("futures, streams and error contexts cannot cross the ABI"));
        }
    })
}

/// Appends the encoding of `val`, a value of type `ty` a call returned.
pub(crate) fn encode(
    val: &Val,
    ty: &Type,
    out: &mut Vec<u8>,
    handles: &mut dyn HandleTable,
) -> Result<(), String> {
    use codec::Encode;
    match (val, ty) {
        (Val::Bool(v), _) => v.encode(out),
        (Val::U8(v), _) => v.encode(out),
        (Val::S8(v), _) => v.encode(out),
        (Val::U16(v), _) => v.encode(out),
        (Val::S16(v), _) => v.encode(out),
        (Val::U32(v), _) => v.encode(out),
        (Val::S32(v), _) => v.encode(out),
        (Val::U64(v), _) => v.encode(out),
        (Val::S64(v), _) => v.encode(out),
        (Val::Float32(v), _) => v.encode(out),
        (Val::Float64(v), _) => v.encode(out),
        (Val::Char(v), _) => v.encode(out),
        (Val::String(v), _) => codec::write_str(v, out),
        (Val::List(items), Type::List(list)) => {
            codec::write_len(items.len(), out);
            let elem = list.ty();
            for item in items {
                encode(item, &elem, out, handles)?;
            }
        }
        (Val::FixedLengthList(items), Type::FixedLengthList(list)) => {
            let elem = list.ty();
            for item in items {
                encode(item, &elem, out, handles)?;
            }
        }
        (Val::Map(entries), Type::Map(map)) => {
            codec::write_len(entries.len(), out);
            let (key, value) = (map.key(), map.value());
            for (k, v) in entries {
                encode(k, &key, out, handles)?;
                encode(v, &value, out, handles)?;
            }
        }
        (Val::Record(fields), Type::Record(record)) => {
            for ((_, v), field) in fields.iter().zip(record.fields()) {
                encode(v, &field.ty, out, handles)?;
            }
        }
        (Val::Tuple(items), Type::Tuple(tuple)) => {
            for (item, ty) in items.iter().zip(tuple.types()) {
                encode(item, &ty, out, handles)?;
            }
        }
        (Val::Variant(name, payload), Type::Variant(variant)) => {
            let (index, case) = variant
                .cases()
                .enumerate()
                .find(|(_, case)| case.name == name)
                .ok_or_else(|| format!("no case `{name}` in the variant"))?;
            codec::write_case(index as u32, out);
            if let (Some(payload), Some(ty)) = (payload, &case.ty) {
                encode(payload, ty, out, handles)?;
            }
        }
        (Val::Enum(name), Type::Enum(names)) => {
            let index = names
                .names()
                .position(|n| n == name)
                .ok_or_else(|| format!("no case `{name}` in the enum"))?;
            codec::write_case(index as u32, out);
        }
        (Val::Flags(set), Type::Flags(names)) => {
            let mut bits = 0u64;
            let mut labels = 0u32;
            for (i, name) in names.names().enumerate() {
                labels += 1;
                if set.iter().any(|s| s == name) {
                    bits |= 1 << i;
                }
            }
            codec::write_flags(bits, labels, out);
        }
        (Val::Option(payload), Type::Option(option)) => match payload {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                encode(v, &option.ty(), out, handles)?;
            }
        },
        (Val::Result(result), Type::Result(ty)) => {
            let (tag, payload, payload_ty) = match result {
                Ok(v) => (0, v, ty.ok()),
                Err(v) => (1, v, ty.err()),
            };
            out.push(tag);
            if let (Some(v), Some(t)) = (payload, payload_ty) {
                encode(v, &t, out, handles)?;
            }
        }
        (Val::Resource(resource), _) => {
            let handle = handles.insert(*resource);
            codec::write_uleb(u64::from(handle), out);
        }
        (val, _) => return Err(format!("cannot encode {val:?} as a value of {ty:?}")),
    }
    Ok(())
}

/// Rewrites resource handles while a value crosses as bytes: the handle the
/// value holds, the resource type, whether the position owns it, and the
/// handle to write instead.
pub(crate) type MapHandle<'a> = dyn FnMut(u32, &ResourceType, bool) -> Result<u32, String> + 'a;

/// Copies one value of type `ty` from `r` (reading `bytes`) to `out`,
/// checking that it is a valid encoding, with each resource handle
/// replaced by what `map` makes of it.
pub(crate) fn transcode(
    r: &mut Reader<'_>,
    bytes: &[u8],
    ty: &Type,
    out: &mut Vec<u8>,
    map: &mut MapHandle<'_>,
) -> Result<(), DecodeError> {
    if !holds_resource(ty) {
        let start = r.offset();
        skip(r, ty)?;
        out.extend_from_slice(&bytes[start..r.offset()]);
        return Ok(());
    }
    match ty {
        Type::Own(resource) | Type::Borrow(resource) => {
            let start = r.offset();
            let handle = r.uleb(32)? as u32;
            let own = matches!(ty, Type::Own(_));
            let mapped = map(handle, resource, own).map_err(|message| DecodeError {
                offset: start,
                message,
            })?;
            codec::write_uleb(u64::from(mapped), out);
        }
        Type::List(list) => {
            let elem = list.ty();
            let n = r.length()?;
            codec::write_len(n, out);
            for _ in 0..n {
                transcode(r, bytes, &elem, out, map)?;
            }
        }
        Type::FixedLengthList(list) => {
            let elem = list.ty();
            for _ in 0..list.len() {
                transcode(r, bytes, &elem, out, map)?;
            }
        }
        Type::Map(m) => {
            let (key, value) = (m.key(), m.value());
            let n = r.length()?;
            codec::write_len(n, out);
            for _ in 0..n {
                transcode(r, bytes, &key, out, map)?;
                transcode(r, bytes, &value, out, map)?;
            }
        }
        Type::Record(record) => {
            for field in record.fields() {
                transcode(r, bytes, &field.ty, out, map)?;
            }
        }
        Type::Tuple(tuple) => {
            for ty in tuple.types() {
                transcode(r, bytes, &ty, out, map)?;
            }
        }
        Type::Variant(variant) => {
            let index = r.case(variant.cases().len() as u32)?;
            codec::write_case(index, out);
            let case = variant.cases().nth(index as usize).expect("checked");
            if let Some(ty) = &case.ty {
                transcode(r, bytes, ty, out, map)?;
            }
        }
        Type::Option(option) => {
            let some = r.tag()?;
            out.push(u8::from(some));
            if some {
                transcode(r, bytes, &option.ty(), out, map)?;
            }
        }
        Type::Result(result) => {
            let err = r.tag()?;
            out.push(u8::from(err));
            if let Some(ty) = if err { result.err() } else { result.ok() } {
                transcode(r, bytes, &ty, out, map)?;
            }
        }
        _ => return Err(r.error("futures, streams and error contexts cannot cross the ABI")),
    }
    Ok(())
}

/// Reads past one value of type `ty`, checking that it is a valid encoding.
fn skip(r: &mut Reader<'_>, ty: &Type) -> Result<(), DecodeError> {
    match ty {
        Type::Bool => drop(r.tag()?),
        Type::U8 | Type::S8 => drop(r.byte()?),
        Type::U16 => drop(r.uleb(16)?),
        Type::S16 => drop(r.sleb(16)?),
        Type::U32 | Type::Own(_) | Type::Borrow(_) => drop(r.uleb(32)?),
        Type::S32 => drop(r.sleb(32)?),
        Type::U64 => drop(r.uleb(64)?),
        Type::S64 => drop(r.sleb(64)?),
        Type::Float32 => drop(r.f32()?),
        Type::Float64 => drop(r.f64()?),
        Type::Char => drop(r.char()?),
        Type::String => drop(r.string()?),
        Type::Enum(names) => drop(r.case(names.names().len() as u32)?),
        Type::Flags(names) => {
            let labels = names.names().len() as u32;
            if labels > 64 {
                return Err(r.error("flags of more than 64 labels are not supported"));
            }
            r.flags(labels)?;
        }
        Type::List(list) => {
            let elem = list.ty();
            let n = r.length()?;
            if matches!(elem, Type::U8 | Type::S8) {
                r.bytes(n)?;
            } else {
                for _ in 0..n {
                    skip(r, &elem)?;
                }
            }
        }
        Type::FixedLengthList(list) => {
            let elem = list.ty();
            for _ in 0..list.len() {
                skip(r, &elem)?;
            }
        }
        Type::Map(m) => {
            let (key, value) = (m.key(), m.value());
            for _ in 0..r.length()? {
                skip(r, &key)?;
                skip(r, &value)?;
            }
        }
        Type::Record(record) => {
            for field in record.fields() {
                skip(r, &field.ty)?;
            }
        }
        Type::Tuple(tuple) => {
            for ty in tuple.types() {
                skip(r, &ty)?;
            }
        }
        Type::Variant(variant) => {
            let index = r.case(variant.cases().len() as u32)?;
            if let Some(ty) = &variant.cases().nth(index as usize).expect("checked").ty {
                skip(r, ty)?;
            }
        }
        Type::Option(option) => {
            if r.tag()? {
                skip(r, &option.ty())?;
            }
        }
        Type::Result(result) => {
            let err = r.tag()?;
            if let Some(ty) = if err { result.err() } else { result.ok() } {
                skip(r, &ty)?;
            }
        }
        Type::Future(_) | Type::Stream(_) | Type::ErrorContext => {
            return Err(r.error("futures, streams and error contexts cannot cross the ABI"));
        }
    }
    Ok(())
}
