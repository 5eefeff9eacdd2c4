//! The per-instance table behind the `u32` resource handles the ABI hands
//! out. A handle stays valid until it is dropped, passed to an `own`
//! parameter, or its instance is discarded after a trap (each entry
//! remembers the instance's generation).
//!
//! Handle numbers are not handed out again while the instance lives (they
//! count up from 1), so a handle the application kept by mistake after
//! dropping or moving it is an error, never another resource.
//!
//! A resource is held as wasmtime's [`ResourceAny`] when it came from a
//! dynamic call, or as the component's own handle when it came from a
//! value-encoded call (see [`compwrap_host::call::ENCODED_INTERFACE`]).

use std::collections::HashMap;

use compwrap_client::codec::DecodeError;
use compwrap_host::wasmtime::component::{ResourceAny, ResourceType};

use crate::values::HandleTable;

/// Resources an instance handed out, by handle.
#[derive(Default)]
pub(crate) struct Handles {
    live: HashMap<u32, Entry>,
    /// The last handle handed out.
    last: u32,
    /// The instance's generation ([`compwrap_host::call::Instance::generation`]).
    generation: u64,
    /// Handles passed to `own` parameters of the call being made.
    moved: Vec<u32>,
    /// Whether the last argument decoding met an unknown or stale handle.
    pub(crate) bad_handle: bool,
}

struct Entry {
    resource: Held,
    generation: u64,
}

/// How the runtime holds a resource.
#[derive(Clone, Copy)]
pub(crate) enum Held {
    /// From a dynamic call.
    Host(ResourceAny),
    /// From a value-encoded call: the component's handle, and its type.
    Guest(u32, ResourceType),
}

/// What [`Handles::take`] found.
pub(crate) enum Taken {
    /// A live resource: drop it in the guest.
    Live(Held),
    /// The resource's instance was discarded; nothing to drop.
    Gone,
}

impl Handles {
    /// Sets the generation of the instance the next values belong to.
    pub(crate) fn set_generation(&mut self, generation: u64) {
        self.generation = generation;
    }

    /// Forgets the handles passed to `own` parameters: the guest owns
    /// those resources now.
    pub(crate) fn release_moved(&mut self) {
        for handle in std::mem::take(&mut self.moved) {
            self.live.remove(&handle);
        }
    }

    /// Forgets what the last, failed, argument decoding marked as moved.
    pub(crate) fn forget_moved(&mut self) {
        self.moved.clear();
    }

    /// Removes `handle` from the table.
    pub(crate) fn take(&mut self, handle: u32) -> Result<Taken, String> {
        match self.live.remove(&handle) {
            Some(entry) if entry.generation == self.generation => Ok(Taken::Live(entry.resource)),
            Some(_) => Ok(Taken::Gone),
            None => Err(format!("no resource handle {handle} in this instance")),
        }
    }

    /// The resource behind `handle` for a parameter (`own` when the call
    /// takes it over), marking a bad handle.
    fn get(&mut self, handle: u32, own: bool) -> Result<Held, String> {
        self.bad_handle = true;
        match self.live.get(&handle) {
            Some(entry) if entry.generation == self.generation => {
                if own {
                    if self.moved.contains(&handle) {
                        return Err(format!(
                            "resource handle {handle} is passed to two owning parameters"
                        ));
                    }
                    self.moved.push(handle);
                }
                self.bad_handle = false;
                Ok(entry.resource)
            }
            Some(_) => Err(format!(
                "resource handle {handle} came from an earlier instance of this component, \
                 which trapped and was discarded; its resources are gone, so create them again"
            )),
            None => Err(format!(
                "no resource handle {handle} in this instance (dropped, or moved into an \
                 earlier call that took ownership of it)"
            )),
        }
    }

    /// A handle for `resource`.
    fn add(&mut self, resource: Held) -> u32 {
        // After 2^32 - 1 handles the count starts again at 1, skipping
        // handles still live.
        loop {
            self.last = self.last.checked_add(1).unwrap_or(1);
            if !self.live.contains_key(&self.last) {
                break;
            }
        }
        self.live.insert(
            self.last,
            Entry {
                resource,
                generation: self.generation,
            },
        );
        self.last
    }

    /// The component's own handle behind `handle`, for a parameter of
    /// resource type `ty` of a value-encoded call.
    pub(crate) fn guest(
        &mut self,
        handle: u32,
        ty: &ResourceType,
        own: bool,
    ) -> Result<u32, String> {
        match self.get(handle, own)? {
            Held::Guest(guest, held) if held == *ty => Ok(guest),
            _ => {
                self.bad_handle = true;
                if own {
                    self.moved.retain(|h| *h != handle);
                }
                Err(format!(
                    "resource handle {handle} is of another resource type"
                ))
            }
        }
    }

    /// A handle for the component's own handle `guest` of type `ty`, which
    /// a value-encoded call returned.
    pub(crate) fn insert_guest(&mut self, guest: u32, ty: ResourceType) -> u32 {
        self.add(Held::Guest(guest, ty))
    }
}

impl HandleTable for Handles {
    fn resource(&mut self, handle: u32, own: bool) -> Result<ResourceAny, DecodeError> {
        let error = |message: String| DecodeError { offset: 0, message };
        match self.get(handle, own).map_err(error)? {
            Held::Host(resource) => Ok(resource),
            Held::Guest(..) => {
                self.bad_handle = true;
                Err(error(format!(
                    "resource handle {handle} came from another kind of call"
                )))
            }
        }
    }

    fn insert(&mut self, resource: ResourceAny) -> u32 {
        self.add(Held::Host(resource))
    }
}
