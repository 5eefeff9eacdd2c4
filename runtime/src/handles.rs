//! The per-instance table behind the `u32` resource handles the ABI hands
//! out. A handle names a slot; it stays valid until it is dropped, passed
//! to an `own` parameter, or its instance is discarded after a trap (the
//! slot remembers the instance's generation).

use compwrap_client::codec::DecodeError;
use compwrap_host::wasmtime::component::ResourceAny;

use crate::values::HandleTable;

/// Resources an instance handed out, by handle (`index + 1`; `0` is never
/// a handle).
#[derive(Default)]
pub(crate) struct Handles {
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// The instance's generation ([`compwrap_host::call::Instance::generation`]).
    generation: u64,
    /// Slots passed to `own` parameters of the call being made.
    moved: Vec<u32>,
    /// Whether the last argument decoding met an unknown or stale handle.
    pub(crate) bad_handle: bool,
}

enum Slot {
    Free,
    Live {
        resource: ResourceAny,
        generation: u64,
    },
}

/// What [`Handles::take`] found.
pub(crate) enum Taken {
    /// A live resource: drop it in the guest.
    Live(ResourceAny),
    /// The resource's instance was discarded; nothing to drop.
    Gone,
}

impl Handles {
    /// Sets the generation of the instance the next values belong to.
    pub(crate) fn set_generation(&mut self, generation: u64) {
        self.generation = generation;
    }

    /// Frees the slots passed to `own` parameters: the guest owns those
    /// resources now.
    pub(crate) fn release_moved(&mut self) {
        for handle in std::mem::take(&mut self.moved) {
            self.free_slot(handle);
        }
    }

    /// Forgets what the last, failed, argument decoding marked as moved.
    pub(crate) fn forget_moved(&mut self) {
        self.moved.clear();
    }

    /// Removes `handle` from the table.
    pub(crate) fn take(&mut self, handle: u32) -> Result<Taken, String> {
        let slot = handle
            .checked_sub(1)
            .and_then(|i| self.slots.get(i as usize));
        match slot {
            Some(Slot::Live {
                resource,
                generation,
            }) => {
                let taken = if *generation == self.generation {
                    Taken::Live(*resource)
                } else {
                    Taken::Gone
                };
                self.free_slot(handle);
                Ok(taken)
            }
            _ => Err(format!("no resource handle {handle} in this instance")),
        }
    }

    fn free_slot(&mut self, handle: u32) {
        if let Some(slot) = self.slots.get_mut(handle as usize - 1) {
            *slot = Slot::Free;
            self.free.push(handle);
        }
    }
}

impl HandleTable for Handles {
    fn resource(&mut self, handle: u32, own: bool) -> Result<ResourceAny, DecodeError> {
        self.bad_handle = true;
        let error = |message: String| DecodeError { offset: 0, message };
        let slot = handle
            .checked_sub(1)
            .and_then(|i| self.slots.get(i as usize));
        match slot {
            Some(Slot::Live {
                resource,
                generation,
            }) if *generation == self.generation => {
                if own {
                    if self.moved.contains(&handle) {
                        return Err(error(format!(
                            "resource handle {handle} is passed to two owning parameters"
                        )));
                    }
                    self.moved.push(handle);
                }
                self.bad_handle = false;
                Ok(*resource)
            }
            Some(Slot::Live { .. }) => Err(error(format!(
                "resource handle {handle} came from an earlier instance of this component, \
                 which trapped and was discarded; its resources are gone, so create them again"
            ))),
            _ => Err(error(format!(
                "no resource handle {handle} in this instance (dropped, or moved into an \
                 earlier call that took ownership of it)"
            ))),
        }
    }

    fn insert(&mut self, resource: ResourceAny) -> u32 {
        let slot = Slot::Live {
            resource,
            generation: self.generation,
        };
        match self.free.pop() {
            Some(handle) => {
                self.slots[handle as usize - 1] = slot;
                handle
            }
            None => {
                self.slots.push(slot);
                u32::try_from(self.slots.len()).expect("fewer than 2^32 live resources")
            }
        }
    }
}
