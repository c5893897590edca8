//! Opaque handles, checked on every use.
//!
//! rustls-ffi hands C a `Box`/`Arc` pointer and trusts it. That cannot keep
//! the promise that a freed, foreign or wrong-type handle gives
//! `PARAPH_E_INVALID_ARGUMENT` rather than a crash: reading through such a
//! pointer is already undefined behaviour. So a handle here is not a
//! pointer to anything: it is a key in one process-wide table that owns the
//! values, and C pointers are only compared, never dereferenced.
//!
//! - Keys come from a counter and are not reused while the counter lasts
//!   (2^61 handles on 64-bit targets), so a freed handle stays invalid.
//! - The table keeps each value in an `Arc`: a call holds its own reference
//!   while it works, so a handle freed by another thread meanwhile is
//!   dropped only when that call returns.
//! - The table is a `BTreeMap`, not a `HashMap`: hashbrown keeps a pointer
//!   into the middle of its allocation, which valgrind reports as "possibly
//!   lost" at exit; B-tree nodes are pointed to from their start.
//! - Since the table owns every value, a handle C never frees is not a
//!   leak valgrind reports: [`paraph_handle_count`] lets tests check it.
//! - Cost: one uncontended mutex lock and a tree lookup per handle
//!   argument, small next to the JSON and cryptography behind each call.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use paraph_core::{Error, ErrorCode};

use crate::boundary::invalid_argument;

/// Ties an opaque C type to the Rust value its handles stand for.
pub(crate) trait Opaque: 'static {
    /// The value a handle stands for.
    type Inner: Send + Sync + 'static;
    /// The C type's name, for messages (`"paraph_bytes"`).
    const C_NAME: &'static str;
}

/// Keys are multiples of this, so that they look like aligned pointers to
/// debuggers and sanitizers, and so that small integers are never keys.
const KEY_STEP: usize = 8;
/// The first key: far from NULL, so that `(T *)1` and friends are never
/// live handles.
const FIRST_KEY: usize = 0x10_0000;

struct Slot {
    c_name: &'static str,
    value: Arc<dyn Any + Send + Sync>,
}

struct Table {
    slots: BTreeMap<usize, Slot>,
    next_key: usize,
}

static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(|| {
    Mutex::new(Table {
        slots: BTreeMap::new(),
        next_key: FIRST_KEY,
    })
});

/// The table. Every change to it is one `BTreeMap` call, so a panic while
/// it is held (only an allocation failure could cause one, and that aborts)
/// cannot leave it half-changed: a poisoned lock is safe to take over.
fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Stores `value` and returns its new handle, never NULL.
pub(crate) fn register<O: Opaque>(value: O::Inner) -> *mut O {
    let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
    let mut table = table();
    let key = loop {
        let key = table.next_key;
        table.next_key = key.wrapping_add(KEY_STEP);
        // After a wrap (only reachable on 32-bit targets) skip NULL, the
        // small numbers and keys still in use.
        if key >= FIRST_KEY && !table.slots.contains_key(&key) {
            break key;
        }
    };
    table.slots.insert(
        key,
        Slot {
            c_name: O::C_NAME,
            value,
        },
    );
    std::ptr::without_provenance_mut(key)
}

/// The value behind `handle`, or `INVALID_ARGUMENT` naming the argument
/// when `handle` is NULL, not live, or a handle of another type.
pub(crate) fn get<O: Opaque>(handle: *const O, name: &str) -> Result<Arc<O::Inner>, Error> {
    if handle.is_null() {
        return Err(invalid_argument(format!("{name} is NULL")));
    }
    let value = {
        let table = table();
        match table.slots.get(&handle.addr()) {
            Some(slot) if slot.c_name == O::C_NAME => Arc::clone(&slot.value),
            Some(slot) => {
                return Err(invalid_argument(format!(
                    "{name} is a {}, not a {}",
                    slot.c_name,
                    O::C_NAME
                )));
            }
            None => {
                return Err(invalid_argument(format!(
                    "{name} is not a live {} (already freed, or not made by paraph)",
                    O::C_NAME
                )));
            }
        }
    };
    value.downcast::<O::Inner>().map_err(|_| {
        Error::new(
            ErrorCode::Internal,
            format!("handle table entry {} has the wrong type", O::C_NAME),
        )
    })
}

/// Frees `handle`'s value. NULL, freed, foreign and wrong-type handles are
/// left alone: a `_free` function cannot report an error, and must not
/// crash.
pub(crate) fn release<O: Opaque>(handle: *mut O) {
    if handle.is_null() {
        return;
    }
    let removed = {
        let mut table = table();
        match table.slots.get(&handle.addr()) {
            Some(slot) if slot.c_name == O::C_NAME => table.slots.remove(&handle.addr()),
            _ => None,
        }
    };
    // Dropped here, outside the lock: a large buffer takes a while to free.
    drop(removed);
}

/// The number of live handles, of every type and from every thread: made
/// and not yet freed. The library owns what handles stand for, so a handle
/// never freed is not a leak memory checkers see (valgrind counts it
/// "still reachable"); a test can assert this is back to its starting value
/// instead, as paraph's own C tests do.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_handle_count() -> usize {
    crate::boundary::run_or("paraph_handle_count", 0, || table().slots.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Number;
    impl Opaque for Number {
        type Inner = u32;
        const C_NAME: &'static str = "number";
    }
    struct Text;
    impl Opaque for Text {
        type Inner = String;
        const C_NAME: &'static str = "text";
    }

    #[test]
    fn a_handle_gives_back_its_value_until_freed() {
        let handle = register::<Number>(7);
        assert!(!handle.is_null());
        assert_eq!(*get(handle, "n").expect("live"), 7);
        release(handle);
        let err = get(handle, "n").expect_err("freed");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert_eq!(
            err.message(),
            "n is not a live number (already freed, or not made by paraph)"
        );
        release(handle); // a double free does nothing
    }

    #[test]
    fn a_handle_of_another_type_is_refused_and_not_freed() {
        let text = register::<Text>("x".to_owned());
        let as_number: *mut Number = text.cast();
        let err = get(as_number, "secret").expect_err("wrong type");
        assert_eq!(err.message(), "secret is a text, not a number");
        release(as_number);
        assert_eq!(*get(text, "t").expect("still live"), "x");
        release(text);
    }

    #[test]
    fn null_and_made_up_handles_are_refused() {
        let err = get::<Number>(std::ptr::null(), "n").expect_err("NULL");
        assert_eq!(err.message(), "n is NULL");
        for made_up in [1usize, 8, FIRST_KEY - KEY_STEP, usize::MAX] {
            let handle: *const Number = std::ptr::without_provenance(made_up);
            assert!(get(handle, "n").is_err(), "{made_up:#x}");
        }
    }

    #[test]
    fn handles_are_never_reused() {
        let first = register::<Number>(1);
        release(first);
        let second = register::<Number>(2);
        assert_ne!(first.addr(), second.addr());
        assert!(get(first, "n").is_err());
        release(second);
    }

    #[test]
    fn a_value_outlives_its_handle_while_a_call_holds_it() {
        let handle = register::<Text>("in use".to_owned());
        let held = get(handle, "t").expect("live");
        release(handle);
        assert_eq!(*held, "in use");
    }
}
