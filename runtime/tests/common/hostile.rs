//! compwrap-host's hostile-guest tests, through compwrap-client: whole
//! `wasm32-wasip2` programs (built by `rustc` alone) whose
//! `wasi:cli/run#run` tries what the runtime must not allow. The same
//! errors as compwrap-host's, as kinds a program matches on.

use std::path::Path;
use std::time::Duration;

use compwrap_client::{Component, ErrorKind, Limit, Runtime};

use super::behaviour::Builder;
use super::temp_store;

const RUN: &str = "wasi:cli/run#run";

/// Builds `source` (a whole program) for `wasm32-wasip2`, once per source.
pub fn program(source: &str) -> Vec<u8> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut hasher);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("programs");
    let wasm = dir.join(format!("{:016x}.wasm", hasher.finish()));
    if let Ok(bytes) = std::fs::read(&wasm) {
        return bytes;
    }
    let bytes = super::host::guest_program(source).expect("the program builds");
    std::fs::create_dir_all(&dir).unwrap();
    // Renamed into place: parallel tests may build the same program.
    let part = tempfile::NamedTempFile::new_in(&dir).unwrap();
    std::fs::write(part.path(), &bytes).unwrap();
    let _ = part.persist(&wasm);
    bytes
}

/// `main_body` as the `main` of a program.
fn guest(main_body: &str) -> Vec<u8> {
    program(&format!("fn main() {{ {main_body} }}\n"))
}

fn load(runtime: &Runtime, bytes: &[u8]) -> Component {
    runtime.load_bytes(bytes, None).unwrap()
}

/// Runs the program; `Ok` when its `run` returned `ok`.
fn run(component: &Component) -> Result<Result<(), ()>, compwrap_client::Error> {
    component.instantiate().unwrap().call(RUN, &[])
}

/// Runs the hostile program twice on one instance: both calls fail the
/// same way (the trapped instance is replaced, not reused); returns the
/// first error.
fn run_fails(component: &Component) -> compwrap_client::Error {
    let instance = component.instantiate().unwrap();
    let first = instance.call::<Result<(), ()>>(RUN, &[]).unwrap_err();
    let again = instance.call::<Result<(), ()>>(RUN, &[]).unwrap_err();
    assert_eq!(first.kind(), again.kind(), "{again}");
    assert!(!again.to_string().contains("cannot enter"), "{again}");
    first
}

/// A normal program still runs on `runtime`.
fn still_serves(runtime: &Runtime) {
    let hello = load(runtime, &guest(r#"eprintln!("hello");"#));
    assert_eq!(run(&hello).unwrap(), Ok(()));
}

fn strict(builder: Builder, store: &Path) -> Runtime {
    builder(store)
        .max_memory_bytes(64 << 20)
        .call_timeout(Some(Duration::from_millis(500)))
        .build()
        .unwrap()
}

/// Denied capabilities are errors inside the guest, which panics if any
/// attempt succeeds.
pub fn hostile_files_environment_and_sockets_are_denied(builder: Builder) {
    let store = temp_store();
    let runtime = strict(builder, store.path());
    let escape = store.path().join("escape");
    let denied = load(
        &runtime,
        &guest(&format!(
            r#"
            assert!(std::fs::read("/etc/passwd").is_err(), "read /etc/passwd");
            assert!(std::fs::read_dir("/").is_err(), "listed /");
            assert!(std::fs::write({escape:?}, b"x").is_err(), "wrote a file");
            assert_eq!(std::env::vars().count(), 0, "environment");
            assert!(std::net::TcpStream::connect("127.0.0.1:22").is_err(), "opened a socket");
            assert!(std::net::TcpListener::bind("127.0.0.1:0").is_err(), "listened");
            assert!(std::net::UdpSocket::bind("127.0.0.1:0").is_err(), "bound udp");
            "#
        )),
    );
    assert_eq!(run(&denied).unwrap(), Ok(()));
    assert!(!escape.exists());
    still_serves(&runtime);
}

pub fn hostile_an_endless_loop_hits_the_time_limit(builder: Builder) {
    let store = temp_store();
    let runtime = strict(builder, store.path());
    let looping = load(&runtime, &guest("loop { std::hint::black_box(0u64); }"));
    let error = run_fails(&looping);
    assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Time), "{error}");
    assert!(
        error
            .message()
            .contains("ran longer than the time limit of 500ms"),
        "{error}"
    );
    still_serves(&runtime);
}

pub fn hostile_allocating_gigabytes_hits_the_memory_limit(builder: Builder) {
    let store = temp_store();
    let runtime = strict(builder, store.path());
    let greedy = load(
        &runtime,
        &guest(
            "let mut hoard: Vec<Vec<u8>> = Vec::new(); \
             for _ in 0..16 { hoard.push(vec![1u8; 256 << 20]); } \
             std::hint::black_box(&hoard);",
        ),
    );
    let error = run_fails(&greedy);
    assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Memory), "{error}");
    assert!(
        error.message().contains("past the limit of 67108864 bytes"),
        "{error}"
    );
    still_serves(&runtime);
}

pub fn hostile_unbounded_recursion_hits_the_stack_limit(builder: Builder) {
    let store = temp_store();
    let runtime = strict(builder, store.path());
    let deep = load(
        &runtime,
        &program(
            "fn down(n: u64) -> u64 { std::hint::black_box(n) + down(std::hint::black_box(n + 1)) }\n\
             fn main() { std::hint::black_box(down(0)); }\n",
        ),
    );
    let error = run_fails(&deep);
    assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Stack), "{error}");
    assert!(
        error
            .message()
            .contains("more than the wasm stack limit of 524288 bytes"),
        "{error}"
    );
    still_serves(&runtime);
}

pub fn hostile_fuel_bounds_the_work_of_a_call(builder: Builder) {
    let store = temp_store();
    let runtime = builder(store.path())
        .fuel(Some(5_000_000))
        .call_timeout(None)
        .build()
        .unwrap();
    let looping = load(&runtime, &guest("loop { std::hint::black_box(0u64); }"));
    let error = run_fails(&looping);
    assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Fuel), "{error}");
    assert!(
        error
            .message()
            .contains("used up its fuel limit of 5000000"),
        "{error}"
    );
    // Each call gets the whole budget again.
    still_serves(&runtime);
}

pub fn hostile_a_panic_is_an_error_with_its_message(builder: Builder) {
    let store = temp_store();
    let runtime = strict(builder, store.path());
    let panicking = load(&runtime, &guest(r#"panic!("hostile guest gives up");"#));
    let error = run_fails(&panicking);
    assert_eq!(*error.kind(), ErrorKind::Trap, "{error}");
    assert!(
        error.guest_stderr().contains("hostile guest gives up"),
        "{error:?}"
    );
    // The wasm backtrace is in the causes.
    assert!(format!("{error:?}").contains("wasm backtrace"), "{error:?}");
    still_serves(&runtime);
}

/// Granted capabilities: a preopened directory (read-only, then writable)
/// and chosen environment variables, nothing more.
pub fn hostile_granted_directories_and_variables_are_all_the_guest_sees(builder: Builder) {
    let store = temp_store();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("in.txt"), "from the host").unwrap();
    let read_only = builder(store.path())
        .preopen_dir(data.path(), "/data", false)
        .env("GREETING", "hi")
        .build()
        .unwrap();
    let reader = load(
        &read_only,
        &guest(
            r#"
            assert_eq!(std::fs::read_to_string("/data/in.txt").unwrap(), "from the host");
            assert_eq!(std::env::var("GREETING").unwrap(), "hi");
            assert_eq!(std::env::vars().count(), 1, "only the granted variable");
            assert!(std::fs::read("/etc/passwd").is_err(), "outside the preopen");
            assert!(std::fs::read("/data/../../etc/passwd").is_err(), "escaped the preopen");
            assert!(std::fs::write("/data/out.txt", "x").is_err(), "wrote to a read-only preopen");
            "#,
        ),
    );
    assert_eq!(run(&reader).unwrap(), Ok(()));
    assert!(!data.path().join("out.txt").exists());

    let writable = builder(store.path())
        .preopen_dir(data.path(), "/data", true)
        .build()
        .unwrap();
    let writer = load(
        &writable,
        &guest(r#"std::fs::write("/data/out.txt", "from the guest").unwrap();"#),
    );
    assert_eq!(run(&writer).unwrap(), Ok(()));
    assert_eq!(
        std::fs::read_to_string(data.path().join("out.txt")).unwrap(),
        "from the guest"
    );

    let missing = builder(store.path())
        .preopen_dir(data.path().join("missing"), "/data", false)
        .build()
        .err()
        .unwrap();
    assert_eq!(*missing.kind(), ErrorKind::InvalidArgument, "{missing}");
    assert!(format!("{missing:?}").contains("missing"), "{missing:?}");
}
