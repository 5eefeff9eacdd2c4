//! Dynamic calls: find an exported function by name, call it with
//! [`Val`]s or with WAVE text, and recover from traps.
//!
//! A trap leaves a component instance unusable (its state may be half
//! updated), so [`Instance`] drops it and instantiates again, in a fresh
//! store, on the next call. Resource handles from the discarded instance are
//! gone with it; using one is an error that says so.

use std::fmt;

use anyhow::{Context, Result, bail};
use wasmtime::component::types::{self, ComponentItem};
use wasmtime::component::{Component, ComponentExportIndex, ResourceAny, ResourceType, Type, Val};
use wasmtime::{Trap, WasmBacktrace};

use crate::runtime::{HostState, LoadedComponent, wasmtime_error};

mod encoded;

pub use encoded::ENCODED_INTERFACE;

/// An exported function: where it is, its parameters and its result.
#[derive(Clone, Debug)]
pub struct ExportedFunc {
    /// The exported interface it belongs to, e.g.
    /// `compwrap:semver/semver@1.0.26`; `None` for a top-level function.
    pub interface: Option<String>,
    /// Its name within the interface, e.g. `parse`, `[constructor]regex`,
    /// `[method]regex.is-match` or `[static]regex.new`.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<Param>,
    /// Its result type; `None` when it returns nothing.
    pub result: Option<WitType>,
    index: ComponentExportIndex,
}

/// A function parameter.
#[derive(Clone, Debug)]
pub struct Param {
    /// The parameter's name in the WIT.
    pub name: String,
    /// The parameter's type.
    pub ty: WitType,
}

/// A component-model type and how it is written in WIT.
#[derive(Clone, Debug)]
pub struct WitType {
    /// The wasmtime type, e.g. for [`Val::from_wave`].
    pub ty: Type,
    /// The WIT spelling: the name of a record, variant, enum, flags or
    /// resource the component exports, else the type written out, e.g.
    /// `result<version, error>` or `list<u8>`.
    pub wit: String,
}

impl fmt::Display for WitType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wit)
    }
}

impl ExportedFunc {
    /// `interface#name`, or just `name` for a top-level function; accepted by
    /// [`Instance::call`].
    pub fn qualified_name(&self) -> String {
        match &self.interface {
            Some(interface) => format!("{interface}#{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether a parameter or the result holds a resource handle.
    pub fn holds_resource(&self) -> bool {
        self.params.iter().any(|p| holds_resource(&p.ty.ty))
            || self.result.as_ref().is_some_and(|r| holds_resource(&r.ty))
    }

    /// The WIT function type, e.g. `func(text: string) -> result<version, error>`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        let mut signature = format!("func({})", params.join(", "));
        if let Some(result) = &self.result {
            signature.push_str(&format!(" -> {result}"));
        }
        signature
    }
}

impl fmt::Display for ExportedFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.qualified_name(), self.signature())
    }
}

/// Every function `component` exports, top-level and one level down in
/// exported interfaces (the only nesting WIT produces), in export order.
pub(crate) fn list_exports(component: &Component) -> Vec<ExportedFunc> {
    let engine = component.engine();
    let ty = component.component_type();
    let names = TypeNames::of(&ty, engine);
    let mut funcs = Vec::new();
    for (name, export) in ty.exports(engine) {
        let Some(index) = component.get_export_index(None, name) else {
            continue;
        };
        match export.ty {
            ComponentItem::ComponentFunc(func) => {
                funcs.push(names.exported_func(None, name, &func, index));
            }
            ComponentItem::ComponentInstance(instance) => {
                for (func_name, item) in instance.exports(engine) {
                    let ComponentItem::ComponentFunc(func) = item.ty else {
                        continue;
                    };
                    if let Some(func_index) = component.get_export_index(Some(&index), func_name) {
                        funcs.push(names.exported_func(Some(name), func_name, &func, func_index));
                    }
                }
            }
            _ => {}
        }
    }
    funcs
}

/// The names the component gives its records, variants, enums, flags and
/// resources, so types print as `version` rather than written out.
struct TypeNames {
    types: Vec<(Type, String)>,
    resources: Vec<(ResourceType, String)>,
}

impl TypeNames {
    fn of(component: &types::Component, engine: &wasmtime::Engine) -> TypeNames {
        let mut names = TypeNames {
            types: Vec::new(),
            resources: Vec::new(),
        };
        for (name, export) in component.exports(engine) {
            match export.ty {
                ComponentItem::ComponentInstance(instance) => {
                    for (name, item) in instance.exports(engine) {
                        names.add(name, item.ty);
                    }
                }
                item => names.add(name, item),
            }
        }
        names
    }

    fn add(&mut self, name: &str, item: ComponentItem) {
        match item {
            ComponentItem::Type(ty) if is_nominal(&ty) => self.types.push((ty, name.to_owned())),
            ComponentItem::Resource(ty) => self.resources.push((ty, name.to_owned())),
            _ => {}
        }
    }

    fn exported_func(
        &self,
        interface: Option<&str>,
        name: &str,
        func: &types::ComponentFunc,
        index: ComponentExportIndex,
    ) -> ExportedFunc {
        ExportedFunc {
            interface: interface.map(str::to_owned),
            name: name.to_owned(),
            params: func
                .params()
                .map(|(name, ty)| Param {
                    name: name.to_owned(),
                    ty: self.wit_type(ty),
                })
                .collect(),
            result: func.results().next().map(|ty| self.wit_type(ty)),
            index,
        }
    }

    fn wit_type(&self, ty: Type) -> WitType {
        WitType {
            wit: self.wit(&ty),
            ty,
        }
    }

    fn wit(&self, ty: &Type) -> String {
        // wasmtime 48 panics comparing uninstantiated types that hold
        // resources (it has no resource table to look them up in): such
        // types print structurally.
        if is_nominal(ty)
            && !holds_resource(ty)
            && let Some((_, name)) = self
                .types
                .iter()
                .find(|(named, _)| !holds_resource(named) && named == ty)
        {
            return name.clone();
        }
        match ty {
            Type::List(list) => format!("list<{}>", self.wit(&list.ty())),
            Type::FixedLengthList(list) => {
                format!("list<{}, {}>", self.wit(&list.ty()), list.len())
            }
            Type::Map(map) => format!("map<{}, {}>", self.wit(&map.key()), self.wit(&map.value())),
            Type::Tuple(tuple) => format!("tuple<{}>", self.join(tuple.types())),
            Type::Option(option) => format!("option<{}>", self.wit(&option.ty())),
            Type::Result(result) => self.result_wit(result.ok(), result.err()),
            Type::Own(resource) => self.resource_name(resource),
            Type::Borrow(resource) => format!("borrow<{}>", self.resource_name(resource)),
            Type::Future(future) => self.maybe_generic("future", future.ty()),
            Type::Stream(stream) => self.maybe_generic("stream", stream.ty()),
            Type::Record(record) => {
                let fields: Vec<String> = record
                    .fields()
                    .map(|field| format!("{}: {}", field.name, self.wit(&field.ty)))
                    .collect();
                format!("record {{ {} }}", fields.join(", "))
            }
            Type::Variant(variant) => {
                let cases: Vec<String> = variant
                    .cases()
                    .map(|case| match &case.ty {
                        Some(ty) => format!("{}({})", case.name, self.wit(ty)),
                        None => case.name.to_owned(),
                    })
                    .collect();
                format!("variant {{ {} }}", cases.join(", "))
            }
            Type::Enum(names) => format!(
                "enum {{ {} }}",
                names.names().collect::<Vec<_>>().join(", ")
            ),
            Type::Flags(names) => format!(
                "flags {{ {} }}",
                names.names().collect::<Vec<_>>().join(", ")
            ),
            primitive => primitive_wit(primitive).to_owned(),
        }
    }

    fn join(&self, types: impl Iterator<Item = Type>) -> String {
        types.map(|ty| self.wit(&ty)).collect::<Vec<_>>().join(", ")
    }

    fn result_wit(&self, ok: Option<Type>, err: Option<Type>) -> String {
        match (ok, err) {
            (None, None) => "result".to_owned(),
            (Some(ok), None) => format!("result<{}>", self.wit(&ok)),
            (None, Some(err)) => format!("result<_, {}>", self.wit(&err)),
            (Some(ok), Some(err)) => format!("result<{}, {}>", self.wit(&ok), self.wit(&err)),
        }
    }

    fn maybe_generic(&self, name: &str, ty: Option<Type>) -> String {
        match ty {
            Some(ty) => format!("{name}<{}>", self.wit(&ty)),
            None => name.to_owned(),
        }
    }

    fn resource_name(&self, resource: &ResourceType) -> String {
        self.resources
            .iter()
            .find(|(named, _)| named == resource)
            .map_or_else(|| "resource".to_owned(), |(_, name)| name.clone())
    }
}

/// Types WIT always names; other exported type names are mere aliases
/// (`type size = u64`) that would mislabel every `u64`.
fn is_nominal(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Record(_) | Type::Variant(_) | Type::Enum(_) | Type::Flags(_)
    )
}

fn primitive_wit(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::S8 => "s8",
        Type::U8 => "u8",
        Type::S16 => "s16",
        Type::U16 => "u16",
        Type::S32 => "s32",
        Type::U32 => "u32",
        Type::S64 => "s64",
        Type::U64 => "u64",
        Type::Float32 => "f32",
        Type::Float64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        _ => "<compound>",
    }
}

/// Finds the export `query` names: `interface#function` (the interface
/// also without its `@version`, or by its last path segment) or a bare
/// function name that only one interface exports.
pub(crate) fn find_export<'a>(
    exports: &'a [ExportedFunc],
    query: &str,
) -> Result<&'a ExportedFunc> {
    let candidates = match query.split_once('#') {
        Some((interface, name)) => matching_interface(exports, interface, name),
        None => exports.iter().filter(|f| f.name == query).collect(),
    };
    match candidates.as_slice() {
        [func] => Ok(func),
        [] => Err(unknown_export(exports, query)),
        several => bail!(
            "`{query}` is ambiguous; it could be {}",
            several
                .iter()
                .map(|f| format!("`{}`", f.qualified_name()))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// Exports called `name` in the interface `wanted`, trying an exact match
/// first, then one without the version, then the last path segment.
fn matching_interface<'a>(
    exports: &'a [ExportedFunc],
    wanted: &str,
    name: &str,
) -> Vec<&'a ExportedFunc> {
    (0..3)
        .map(|spelling| {
            exports
                .iter()
                .filter(|f| f.name == name)
                .filter(|f| {
                    (f.interface.as_deref())
                        .is_some_and(|i| interface_spelling(i, spelling) == wanted)
                })
                .collect::<Vec<_>>()
        })
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

/// `interface` as written exactly (0), without `@version` (1), or as its
/// last path segment (2): `a:b/c@1.0`, `a:b/c`, `c`.
fn interface_spelling(interface: &str, spelling: usize) -> &str {
    let unversioned = interface.split_once('@').map_or(interface, |(i, _)| i);
    match spelling {
        0 => interface,
        1 => unversioned,
        _ => unversioned
            .rsplit_once('/')
            .map_or(unversioned, |(_, last)| last),
    }
}

/// Whether a value of `ty` can hold a resource handle.
pub fn holds_resource(ty: &Type) -> bool {
    match ty {
        Type::Own(_) | Type::Borrow(_) => true,
        Type::List(list) => holds_resource(&list.ty()),
        Type::FixedLengthList(list) => holds_resource(&list.ty()),
        Type::Map(map) => holds_resource(&map.key()) || holds_resource(&map.value()),
        Type::Tuple(tuple) => tuple.types().any(|t| holds_resource(&t)),
        Type::Option(option) => holds_resource(&option.ty()),
        Type::Result(result) => {
            result.ok().is_some_and(|t| holds_resource(&t))
                || result.err().is_some_and(|t| holds_resource(&t))
        }
        Type::Record(record) => record.fields().any(|f| holds_resource(&f.ty)),
        Type::Variant(variant) => variant
            .cases()
            .any(|c| c.ty.as_ref().is_some_and(holds_resource)),
        Type::Future(_) | Type::Stream(_) => true,
        _ => false,
    }
}

fn unknown_export(exports: &[ExportedFunc], query: &str) -> anyhow::Error {
    if exports.is_empty() {
        return anyhow::anyhow!(
            "no exported function `{query}`: the component exports no functions"
        );
    }
    let wanted = query.rsplit_once('#').map_or(query, |(_, name)| name);
    let mut close: Vec<(usize, String)> = exports
        .iter()
        .map(|f| (strsim::levenshtein(wanted, &f.name), f))
        .filter(|(distance, f)| {
            *distance <= wanted.len().div_ceil(3).max(2) || f.name.contains(wanted)
        })
        .map(|(distance, f)| (distance, f.qualified_name()))
        .collect();
    close.sort();
    let (intro, names): (_, Vec<String>) = if close.is_empty() {
        let all = exports.iter().map(ExportedFunc::qualified_name);
        ("the component exports", all.collect())
    } else {
        (
            "did you mean",
            close.into_iter().map(|(_, name)| name).collect(),
        )
    };
    anyhow::anyhow!(
        "no exported function `{query}`; {intro}: {}",
        names.join(", ")
    )
}

/// One instance of a component in its own store, for dynamic calls.
///
/// Made by [`LoadedComponent::instantiate`]. After a trap the instance is
/// dropped and the next call transparently instantiates the component again.
pub struct Instance {
    loaded: LoadedComponent,
    live: Option<Live>,
    /// Types of the resources handed out by discarded instances, to explain
    /// why such a handle no longer works.
    retired_resources: Vec<ResourceType>,
    /// Resources `Instance::call_wave` printed as `#N`, at index `N`.
    #[cfg(feature = "wave")]
    wave_handles: Vec<WaveHandle>,
    /// How many instances a trap discarded.
    generation: u64,
}

struct Live {
    store: wasmtime::Store<HostState>,
    instance: wasmtime::component::Instance,
    resources: Vec<ResourceType>,
    /// The value-encoded calls' functions, found on first use.
    encoded: Option<encoded::EncodedFuncs>,
}

#[cfg(feature = "wave")]
enum WaveHandle {
    Live(ResourceAny),
    /// Passed to an `own` parameter: the guest owns it now.
    Moved,
    /// Handed out by an instance that trapped and was discarded.
    Stale,
}

impl Instance {
    pub(crate) fn new(loaded: LoadedComponent) -> Result<Instance> {
        require_sync(&loaded)?;
        let live = Live::new(&loaded)?;
        Ok(Instance::with_live(loaded, live))
    }

    #[cfg(feature = "async")]
    pub(crate) async fn new_async(loaded: LoadedComponent) -> Result<Instance> {
        require_async(&loaded)?;
        let live = Live::new_async(&loaded).await?;
        Ok(Instance::with_live(loaded, live))
    }

    fn with_live(loaded: LoadedComponent, live: Live) -> Instance {
        Instance {
            loaded,
            live: Some(live),
            retired_resources: Vec::new(),
            #[cfg(feature = "wave")]
            wave_handles: Vec::new(),
            generation: 0,
        }
    }

    /// [`Instance::call`] for a runtime with
    /// [`RuntimeBuilder::async_calls`](crate::RuntimeBuilder::async_calls):
    /// the guest runs as a future, and WASI operations that would block
    /// yield to the executor instead.
    #[cfg(feature = "async")]
    pub async fn call_async(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>> {
        let loaded = self.loaded.clone();
        require_async(&loaded)?;
        let func = loaded.export(name)?;
        check_arity(func, args.len())?;
        self.check_not_retired(func, args)?;
        if self.live.is_none() {
            self.live = Some(Live::new_async(&loaded).await?);
        }
        let live = self.live.as_mut().expect("made above");
        let callee = live.prepare_call(&loaded, func)?;
        let mut results = vec![Val::Bool(false); usize::from(func.result.is_some())];
        match callee.call_async(&mut live.store, args, &mut results).await {
            Ok(()) => {
                live.remember_resources(&results);
                Ok(results)
            }
            Err(error) => Err(self.call_failed(func, error)),
        }
    }

    /// The component this is an instance of.
    pub fn component(&self) -> &LoadedComponent {
        &self.loaded
    }

    /// The exported function `name` (see [`Instance::call`]), with its
    /// parameter and result types.
    pub fn func_type(&self, name: &str) -> Result<&ExportedFunc> {
        self.loaded.export(name)
    }

    /// Calls the exported function `name`, `interface#function` or just
    /// `function` when no other interface exports one by that name.
    ///
    /// Resources in the results ([`Val::Resource`]) can be passed to later
    /// calls on this instance; drop them with [`Instance::drop_resource`]
    /// when done, or let them go with the instance. On a trap the error
    /// holds the trap, the guest's stderr (its panic message) and the wasm
    /// backtrace, and the instance is replaced on the next call.
    pub fn call(&mut self, name: &str, args: &[Val]) -> Result<Vec<Val>> {
        let loaded = self.loaded.clone();
        let func = loaded.export(name)?;
        check_arity(func, args.len())?;
        self.check_not_retired(func, args)?;
        self.call_func(func, args)
    }

    /// [`Instance::call`] with the function already looked up
    /// ([`LoadedComponent::export`]); `func` must be an export of this
    /// instance's component.
    pub fn call_export(&mut self, func: &ExportedFunc, args: &[Val]) -> Result<Vec<Val>> {
        check_arity(func, args.len())?;
        self.check_not_retired(func, args)?;
        self.call_func(func, args)
    }

    /// The URLs of the outgoing HTTP requests the allowlist denied during
    /// the last call (see [`crate::Typed::denied_http_requests`]); a failed
    /// call's error has them too.
    pub fn denied_http_requests(&self) -> &[String] {
        match &self.live {
            Some(live) => live.store.data().denied_http_requests(),
            None => &[],
        }
    }

    /// How many times a trap discarded the component instance behind this
    /// `Instance`: resources it handed out are usable only while this
    /// number stays the same.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Drops a resource handle a call returned, running its destructor in
    /// the guest.
    pub fn drop_resource(&mut self, resource: ResourceAny) -> Result<()> {
        if self.retired_resources.contains(&resource.ty()) {
            bail!("{}", retired_handle_message("the resource handle"));
        }
        let loaded = self.loaded.clone();
        require_sync(&loaded)?;
        let live = self.live()?;
        live.store.data_mut().clear_captured_stderr();
        loaded.arm_limits(&mut live.store)?;
        match resource.resource_drop(&mut live.store) {
            Ok(()) => Ok(()),
            Err(error) => Err(self.failed("dropping a resource", error)),
        }
    }

    fn call_func(&mut self, func: &ExportedFunc, args: &[Val]) -> Result<Vec<Val>> {
        let loaded = self.loaded.clone();
        require_sync(&loaded)?;
        let live = self.live()?;
        let callee = live.prepare_call(&loaded, func)?;
        let mut results = vec![Val::Bool(false); usize::from(func.result.is_some())];
        // wasmtime 48 runs the function's `post-return` within `call`.
        match callee.call(&mut live.store, args, &mut results) {
            Ok(()) => {
                live.remember_resources(&results);
                Ok(results)
            }
            Err(error) => Err(self.call_failed(func, error)),
        }
    }

    /// The error of a failed call, with a hint for the usual mistakes.
    fn call_failed(&mut self, func: &ExportedFunc, error: wasmtime::Error) -> anyhow::Error {
        let what = format!("call to `{}`", func.qualified_name());
        let cause = error.root_cause().to_string();
        let hint = if cause.contains("unknown handle") {
            Some("a resource argument was already dropped, or moved into an earlier call that took ownership of it".to_string())
        } else if !error.is::<Trap>()
            && (cause.contains("type mismatch") || cause.contains("expected"))
        {
            Some(format!("the arguments must match {}", func.signature()))
        } else {
            None
        };
        let failed = self.failed(&what, error);
        match hint {
            Some(hint) => failed.context(format!("{what} failed: {hint}")),
            None => failed,
        }
    }

    /// The current instance, instantiating the component again if a trap
    /// discarded the previous one.
    fn live(&mut self) -> Result<&mut Live> {
        let live = match self.live.take() {
            Some(live) => live,
            None => Live::new(&self.loaded)?,
        };
        Ok(self.live.insert(live))
    }

    /// The error for a failed call; discards the instance if wasm code ran
    /// and failed (a trap, or a host function failing under wasm frames).
    fn failed(&mut self, what: &str, error: wasmtime::Error) -> anyhow::Error {
        let state = self.live.as_mut().map(|live| live.store.data_mut());
        let failure = Failure::describe(&self.loaded, what, error, state);
        if failure.entered_wasm {
            self.discard_live();
        }
        failure.error
    }

    fn discard_live(&mut self) {
        self.generation += 1;
        if let Some(live) = self.live.take() {
            self.retired_resources.extend(live.resources);
        }
        #[cfg(feature = "wave")]
        for handle in &mut self.wave_handles {
            if let WaveHandle::Live(_) = handle {
                *handle = WaveHandle::Stale;
            }
        }
    }

    fn check_not_retired(&self, func: &ExportedFunc, args: &[Val]) -> Result<()> {
        for (param, arg) in func.params.iter().zip(args) {
            let mut retired = false;
            for_each_resource(arg, &mut |r| {
                retired |= self.retired_resources.contains(&r.ty())
            });
            if retired {
                bail!(
                    "argument `{}` of `{}`: {}",
                    param.name,
                    func.qualified_name(),
                    retired_handle_message("it holds a resource handle that")
                );
            }
        }
        Ok(())
    }
}

/// Calls in WAVE text (the `wave` feature).
#[cfg(feature = "wave")]
impl Instance {
    /// Like [`Instance::call`], with arguments and result in WAVE, the WebAssembly
    /// Value Encoding (`"text"`, `42`, `[1, 2]`, `{major: 1, minor: 2}`,
    /// `some(x)`, `ok(x)`); `None` when the function returns nothing.
    ///
    /// WAVE has no syntax for resource handles, so a returned resource is
    /// printed as `#N`, and `#N` is accepted for a parameter of resource
    /// type: `call_wave("[constructor]regex", &[r#""a+""#])` gives `#0`,
    /// then `call_wave("[method]regex.is-match", &["#0", r#""aa""#])`.
    pub fn call_wave(&mut self, name: &str, args: &[&str]) -> Result<Option<String>> {
        let loaded = self.loaded.clone();
        let func = loaded.export(name)?;
        check_arity(func, args.len())?;
        let vals = func
            .params
            .iter()
            .zip(args)
            .map(|(param, arg)| self.parse_wave_arg(func, param, arg))
            .collect::<Result<Vec<_>>>()?;
        self.mark_moved(func, args);
        let results = self.call_func(func, &vals)?;
        results
            .into_iter()
            .next()
            .map(|val| self.format_wave(val))
            .transpose()
    }

    fn parse_wave_arg(&self, func: &ExportedFunc, param: &Param, arg: &str) -> Result<Val> {
        let context = || {
            format!(
                "invalid argument `{}` of `{}`: expected WIT type `{}`",
                param.name,
                func.qualified_name(),
                param.ty
            )
        };
        match &param.ty.ty {
            Type::Own(_) | Type::Borrow(_) => self.wave_handle(arg).with_context(context),
            ty => Val::from_wave(ty, arg)
                .map_err(wasmtime_error)
                .with_context(context),
        }
    }

    fn wave_handle(&self, arg: &str) -> Result<Val> {
        let index: usize = arg
            .trim()
            .strip_prefix('#')
            .and_then(|n| n.parse().ok())
            .with_context(|| {
                format!("`{arg}` is not a resource handle; pass `#N` as printed by an earlier call")
            })?;
        match self.wave_handles.get(index) {
            Some(WaveHandle::Live(resource)) => Ok(Val::Resource(*resource)),
            Some(WaveHandle::Moved) => bail!(
                "handle #{index} was passed to an `own` parameter earlier and belongs to the guest now"
            ),
            Some(WaveHandle::Stale) => bail!("handle #{index}: {}", retired_handle_message("it")),
            None => bail!(
                "no handle #{index}: this instance has handed out {} handles",
                self.wave_handles.len()
            ),
        }
    }

    /// Forgets the handles passed to `own` parameters: the call consumes them.
    fn mark_moved(&mut self, func: &ExportedFunc, args: &[&str]) {
        for (param, arg) in func.params.iter().zip(args) {
            let index = arg
                .trim()
                .strip_prefix('#')
                .and_then(|n| n.parse::<usize>().ok());
            if let (Type::Own(_), Some(handle)) = (
                &param.ty.ty,
                index.and_then(|i| self.wave_handles.get_mut(i)),
            ) {
                *handle = WaveHandle::Moved;
            }
        }
    }

    fn format_wave(&mut self, val: Val) -> Result<String> {
        self.replace_resources(val)
            .to_wave()
            .map_err(wasmtime_error)
            .context("failed to write the result as WAVE")
    }

    /// Swaps each resource for its `#N` handle. The handle is printed as an
    /// enum case because WAVE writes those verbatim.
    fn replace_resources(&mut self, val: Val) -> Val {
        match val {
            Val::Resource(resource) => {
                self.wave_handles.push(WaveHandle::Live(resource));
                Val::Enum(format!("#{}", self.wave_handles.len() - 1))
            }
            Val::List(vals) => Val::List(self.replace_all(vals)),
            Val::Tuple(vals) => Val::Tuple(self.replace_all(vals)),
            Val::FixedLengthList(vals) => Val::FixedLengthList(self.replace_all(vals)),
            Val::Record(fields) => Val::Record(
                fields
                    .into_iter()
                    .map(|(name, v)| (name, self.replace_resources(v)))
                    .collect(),
            ),
            Val::Map(entries) => Val::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (self.replace_resources(k), self.replace_resources(v)))
                    .collect(),
            ),
            Val::Variant(case, payload) => Val::Variant(case, self.replace_boxed(payload)),
            Val::Option(payload) => Val::Option(self.replace_boxed(payload)),
            Val::Result(Ok(payload)) => Val::Result(Ok(self.replace_boxed(payload))),
            Val::Result(Err(payload)) => Val::Result(Err(self.replace_boxed(payload))),
            other => other,
        }
    }

    fn replace_all(&mut self, vals: Vec<Val>) -> Vec<Val> {
        vals.into_iter()
            .map(|v| self.replace_resources(v))
            .collect()
    }

    fn replace_boxed(&mut self, val: Option<Box<Val>>) -> Option<Box<Val>> {
        val.map(|v| Box::new(self.replace_resources(*v)))
    }
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("component", &self.loaded)
            .field("live", &self.live.is_some())
            .finish_non_exhaustive()
    }
}

impl Live {
    fn new(loaded: &LoadedComponent) -> Result<Live> {
        let mut store = loaded.new_store()?;
        let instance = loaded.instance_pre().instantiate(&mut store);
        Live::made(loaded, store, instance)
    }

    #[cfg(feature = "async")]
    async fn new_async(loaded: &LoadedComponent) -> Result<Live> {
        let mut store = loaded.new_store()?;
        let instance = loaded.instance_pre().instantiate_async(&mut store).await;
        Live::made(loaded, store, instance)
    }

    fn made(
        loaded: &LoadedComponent,
        mut store: wasmtime::Store<HostState>,
        instance: wasmtime::Result<wasmtime::component::Instance>,
    ) -> Result<Live> {
        match instance {
            Ok(instance) => Ok(Live {
                store,
                instance,
                resources: Vec::new(),
                encoded: None,
            }),
            Err(error) => {
                let stderr = store.data_mut().captured_stderr();
                let message = format!("failed to instantiate component {}", loaded.digest());
                Err(wasmtime_error(error).context(message + &stderr_note(&stderr)))
            }
        }
    }

    /// Clears the captured stderr, gives the store a fresh budget, and
    /// finds the function to call.
    fn prepare_call(
        &mut self,
        loaded: &LoadedComponent,
        func: &ExportedFunc,
    ) -> Result<wasmtime::component::Func> {
        self.store.data_mut().clear_captured_stderr();
        loaded.arm_limits(&mut self.store)?;
        self.instance
            .get_func(&mut self.store, func.index)
            .with_context(|| format!("the instance has no function `{}`", func.qualified_name()))
    }

    fn remember_resources(&mut self, results: &[Val]) {
        for val in results {
            for_each_resource(val, &mut |resource| {
                if !self.resources.contains(&resource.ty()) {
                    self.resources.push(resource.ty());
                }
            });
        }
    }
}

/// Synchronous calls need a runtime without `async_calls`.
fn require_sync(loaded: &LoadedComponent) -> Result<()> {
    if loaded.runtime().async_calls() {
        bail!(
            "this runtime calls guests asynchronously (`RuntimeBuilder::async_calls`): use \
             `LoadedComponent::instantiate_async` and `Instance::call_async`"
        );
    }
    Ok(())
}

/// Asynchronous calls need a runtime with `async_calls`.
#[cfg(feature = "async")]
fn require_async(loaded: &LoadedComponent) -> Result<()> {
    if !loaded.runtime().async_calls() {
        bail!(
            "this runtime calls guests synchronously: build it with \
             `RuntimeBuilder::async_calls(true)` to use `call_async`"
        );
    }
    Ok(())
}

fn check_arity(func: &ExportedFunc, given: usize) -> Result<()> {
    let expected = func.params.len();
    if given != expected {
        let params: Vec<String> = func
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        bail!(
            "`{}` takes {expected} argument{} ({}), got {given}",
            func.qualified_name(),
            if expected == 1 { "" } else { "s" },
            params.join(", ")
        );
    }
    Ok(())
}

fn retired_handle_message(subject: &str) -> String {
    format!(
        "{subject} came from an earlier instance of this component, which trapped and \
         was discarded; its resources are gone, so create them again"
    )
}

/// Why a call failed, for a program to match on: the context of the error
/// a failed call returns (`error.downcast_ref::<CallFailure>()`). It prints
/// as the whole description: what failed, the trap, the limit it passed,
/// the guest's stderr and the HTTP requests the allowlist denied.
#[derive(Clone, Debug)]
pub struct CallFailure {
    /// What went wrong.
    pub kind: FailureKind,
    /// The URLs of the outgoing HTTP requests the allowlist denied during
    /// the call.
    pub denied_http: Vec<String>,
    /// The guest's captured stderr (its panic message), if any.
    pub stderr: String,
    message: String,
}

/// The kind of a [`CallFailure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The guest trapped (a panic, `unreachable`, a bad memory access); the
    /// instance was discarded.
    Trap,
    /// The call passed one of the runtime's limits and trapped; the
    /// instance was discarded.
    Limit(crate::limits::Limit),
    /// The call failed without running wasm code into a trap (e.g. an
    /// argument of the wrong type); the instance is still usable.
    Host,
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A failed call, described for the application.
pub(crate) struct Failure {
    /// The error: its context is the [`CallFailure`].
    pub(crate) error: anyhow::Error,
    /// Whether wasm code ran and failed (a trap, or a host function failing
    /// under wasm frames): the instance must not be used again.
    pub(crate) entered_wasm: bool,
}

impl Failure {
    pub(crate) fn describe(
        loaded: &LoadedComponent,
        what: &str,
        error: wasmtime::Error,
        state: Option<&mut HostState>,
    ) -> Failure {
        let entered_wasm = error.is::<Trap>() || error.is::<WasmBacktrace>();
        let mut message = if entered_wasm {
            format!("{what} trapped: {}", error.root_cause())
        } else {
            format!("{what} failed")
        };
        let mut kind = if entered_wasm {
            FailureKind::Trap
        } else {
            FailureKind::Host
        };
        if let Some((limit, explained)) = loaded.runtime().limits().explain(&error) {
            kind = FailureKind::Limit(limit);
            message.push_str(&format!("\n{explained}"));
        }
        let (mut stderr, mut denied_http) = (String::new(), Vec::new());
        if let Some(state) = state {
            stderr = state.captured_stderr();
            denied_http = state.denied_http_requests().to_vec();
            message.push_str(&stderr_note(&stderr));
            message.push_str(&crate::http::denied_note(&denied_http));
        }
        if entered_wasm {
            message.push_str("\nthe instance was discarded; the next call starts a new one");
        }
        let failure = CallFailure {
            kind,
            denied_http,
            stderr,
            message,
        };
        Failure {
            error: wasmtime_error(error).context(failure),
            entered_wasm,
        }
    }
}

/// The guest's stderr, indented under a heading; empty if there was none.
fn stderr_note(stderr: &str) -> String {
    let stderr = stderr.trim_end().trim_start_matches(['\r', '\n']);
    if stderr.is_empty() {
        return String::new();
    }
    let indented: Vec<String> = stderr.lines().map(|line| format!("    {line}")).collect();
    format!("\nguest stderr:\n{}", indented.join("\n"))
}

fn for_each_resource(val: &Val, f: &mut impl FnMut(&ResourceAny)) {
    match val {
        Val::Resource(resource) => f(resource),
        Val::List(vals) | Val::Tuple(vals) | Val::FixedLengthList(vals) => {
            vals.iter().for_each(|v| for_each_resource(v, f));
        }
        Val::Record(fields) => fields.iter().for_each(|(_, v)| for_each_resource(v, f)),
        Val::Map(entries) => entries.iter().for_each(|(k, v)| {
            for_each_resource(k, f);
            for_each_resource(v, f);
        }),
        Val::Variant(_, Some(v))
        | Val::Option(Some(v))
        | Val::Result(Ok(Some(v)) | Err(Some(v))) => {
            for_each_resource(v, f);
        }
        _ => {}
    }
}
