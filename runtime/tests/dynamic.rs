//! The behaviour tests of `common::behaviour` against an echo guest
//! without value-encoded calls, which the runtime calls dynamically (with
//! `Val`s): components from other tools, or from an older compwrap.

mod common;

/// The echo guest without value-encoded calls.
const ECHO: common::Echo = common::Echo::Dynamic;

use compwrap_client::{Runtime, RuntimeBuilder};

fn embedded(store: &std::path::Path) -> RuntimeBuilder {
    Runtime::builder()
        .embedded(compwrap_runtime::functions())
        .store(store)
}

behaviour_tests!(echo embedded);
