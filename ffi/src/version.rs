//! The library's version, at compile time (`PARAPH_VERSION_*`) and at run
//! time ([`paraph_version`]), so that a program can check it runs with the
//! library it was built against.

use std::ffi::{CStr, c_char};

/// The major version of the header.
pub const PARAPH_VERSION_MAJOR: u32 = 0;
/// The minor version of the header.
pub const PARAPH_VERSION_MINOR: u32 = 1;
/// The patch version of the header.
pub const PARAPH_VERSION_PATCH: u32 = 0;
/// The header's version as one number, 8 bits per part:
/// `MAJOR << 16 | MINOR << 8 | PATCH`, so that `#if PARAPH_VERSION_NUMBER
/// >= 0x000100` reads "at least 0.1.0".
pub const PARAPH_VERSION_NUMBER: u32 =
    (PARAPH_VERSION_MAJOR << 16) | (PARAPH_VERSION_MINOR << 8) | PARAPH_VERSION_PATCH;

// Each part has 8 bits in PARAPH_VERSION_NUMBER.
const _: () = assert!(PARAPH_VERSION_MINOR < 256 && PARAPH_VERSION_PATCH < 256);

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the package version contains NUL"),
    };

/// The library's version, `"MAJOR.MINOR.PATCH"`: a static NUL-terminated
/// string, never NULL, never to be freed. It can differ from the header's
/// `PARAPH_VERSION_*` when a program runs with another build of the shared
/// library than it was compiled against.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_version() -> *const c_char {
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constants_are_the_package_version() {
        let parts: Vec<u32> = env!("CARGO_PKG_VERSION")
            .split(['.', '-'])
            .take(3)
            .map(|part| part.parse().expect("numeric version part"))
            .collect();
        assert_eq!(
            parts,
            [
                PARAPH_VERSION_MAJOR,
                PARAPH_VERSION_MINOR,
                PARAPH_VERSION_PATCH
            ],
            "update the PARAPH_VERSION_* constants (and regenerate the header)"
        );
        assert_eq!(
            PARAPH_VERSION_NUMBER,
            PARAPH_VERSION_MAJOR * 65536 + PARAPH_VERSION_MINOR * 256 + PARAPH_VERSION_PATCH
        );
    }

    #[test]
    fn the_runtime_version_is_the_package_version() {
        // SAFETY: paraph_version returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(paraph_version()) };
        assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
