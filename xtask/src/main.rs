//! Repository tasks: `cargo xtask <task>` (the alias is in `.cargo/config.toml`).
//!
//! - `install-c --prefix DIR [--libdir DIR] [--destdir DIR] [--profile NAME]`:
//!   builds the C library (`paraph-ffi`) and installs the header, the shared
//!   and the static library, and pkg-config files:
//!
//!   ```text
//!   PREFIX/include/paraph.h
//!   LIBDIR/libparaph.so.0.1.0, libparaph.so.0.1 -> ..., libparaph.so -> ...   (Linux)
//!   LIBDIR/libparaph.dylib                                                     (macOS)
//!   LIBDIR/libparaph.a
//!   LIBDIR/pkgconfig/paraph.pc          shared: pkg-config --cflags --libs paraph
//!   LIBDIR/pkgconfig/paraph-static.pc   static: pkg-config --cflags --libs paraph-static
//!   ```
//!
//! Written by hand rather than with cargo-c: cargo-c builds cargo itself (a
//! long build for one copy step), and would generate its own header where
//! ours is committed and checked.

#![forbid(unsafe_code)]

use std::env;
use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "\
usage: cargo xtask install-c --prefix DIR [--libdir DIR] [--destdir DIR] [--profile release|dev]

Builds paraph-ffi and installs include/paraph.h, the shared and static
libraries and the pkg-config files paraph.pc and paraph-static.pc.
  --prefix DIR    installation prefix, written into the .pc files (required)
  --libdir DIR    library directory (default PREFIX/lib)
  --destdir DIR   stage the files under DIR (packaging), as DESTDIR does
  --profile NAME  cargo profile to build (default release)";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("install-c") => InstallOptions::parse(&args[1..]).and_then(|o| install_c(&o)),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task {other:?}\n\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug)]
struct InstallOptions {
    prefix: PathBuf,
    libdir: Option<PathBuf>,
    destdir: Option<PathBuf>,
    profile: String,
}

impl InstallOptions {
    fn parse(args: &[String]) -> Result<Self, String> {
        let (mut prefix, mut libdir, mut destdir) = (None, None, None);
        let mut profile = "release".to_owned();
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let mut value = || {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
            };
            match flag.as_str() {
                "--prefix" => prefix = Some(PathBuf::from(value()?)),
                "--libdir" => libdir = Some(PathBuf::from(value()?)),
                "--destdir" => destdir = Some(PathBuf::from(value()?)),
                "--profile" => profile = value()?,
                other => return Err(format!("unknown option {other:?}\n\n{USAGE}")),
            }
        }
        let prefix = prefix.ok_or_else(|| format!("--prefix is required\n\n{USAGE}"))?;
        let prefix = absolute(&prefix)?;
        let libdir = libdir.map(|dir| absolute(&dir)).transpose()?;
        Ok(Self {
            prefix,
            libdir,
            destdir,
            profile,
        })
    }
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The version parts of paraph-ffi (the workspace version).
struct Version {
    major: u32,
    minor: u32,
    full: &'static str,
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn version() -> Result<Version, String> {
    let mut parts = VERSION.split(['.', '-']).map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => Ok(Version {
            major,
            minor,
            full: VERSION,
        }),
        _ => Err(format!("cannot read the package version {VERSION:?}")),
    }
}

impl Version {
    /// The ABI version in the shared library's name: before 1.0 every minor
    /// release may break the ABI (`0.1`), after it only major ones (`1`).
    fn abi(&self) -> String {
        if self.major == 0 {
            format!("0.{}", self.minor)
        } else {
            self.major.to_string()
        }
    }
}

fn install_c(options: &InstallOptions) -> Result<(), String> {
    let version = version()?;
    let root = workspace_root();
    let os = env::consts::OS;
    if !cfg!(unix) {
        return Err(format!(
            "install-c installs for Unix-like systems, not {os}; \
             use the libraries under target/ directly"
        ));
    }

    let soname = format!("libparaph.so.{}", version.abi());
    let mut rustc_args = vec!["--print".to_owned(), "native-static-libs".to_owned()];
    // The library is built as libparaph_ffi (see ffi/Cargo.toml) and
    // installed as libparaph: its recorded name must be the installed one.
    // Only the shared library links with these; the static one ignores them.
    if os == "linux" {
        rustc_args.push("-C".to_owned());
        rustc_args.push(format!("link-arg=-Wl,-soname,{soname}"));
    } else if os == "macos" {
        rustc_args.push("-C".to_owned());
        rustc_args.push("link-arg=-Wl,-install_name,@rpath/libparaph.dylib".to_owned());
    }
    let native_libs = build(&root, &options.profile, &rustc_args)?;
    let built = target_dir(&root)?.join(profile_dir(&options.profile));

    let stage = |dir: &Path| -> PathBuf {
        match &options.destdir {
            Some(destdir) => destdir.join(dir.strip_prefix("/").unwrap_or(dir)),
            None => dir.to_owned(),
        }
    };
    let prefix = &options.prefix;
    let libdir = options.libdir.clone().unwrap_or_else(|| prefix.join("lib"));
    let includedir = prefix.join("include");
    let (staged_lib, staged_include) = (stage(&libdir), stage(&includedir));
    let staged_pkgconfig = staged_lib.join("pkgconfig");
    for dir in [&staged_lib, &staged_include, &staged_pkgconfig] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }

    copy(
        &root.join("ffi/include/paraph.h"),
        &staged_include.join("paraph.h"),
    )?;
    copy(
        &built.join("libparaph_ffi.a"),
        &staged_lib.join("libparaph.a"),
    )?;
    match os {
        "linux" => {
            let real = format!("libparaph.so.{}", version.full);
            copy(&built.join("libparaph_ffi.so"), &staged_lib.join(&real))?;
            symlink(&real, &staged_lib.join(&soname))?;
            symlink(&soname, &staged_lib.join("libparaph.so"))?;
        }
        "macos" => copy(
            &built.join("libparaph_ffi.dylib"),
            &staged_lib.join("libparaph.dylib"),
        )?,
        _ => copy(
            &built.join("libparaph_ffi.so"),
            &staged_lib.join("libparaph.so"),
        )?,
    }

    let (shared_pc, static_pc) = pkg_config_files(prefix, &libdir, &version, &native_libs);
    write(&staged_pkgconfig.join("paraph.pc"), &shared_pc)?;
    write(&staged_pkgconfig.join("paraph-static.pc"), &static_pc)?;

    println!(
        "installed paraph {} ({} profile) under {}",
        version.full,
        options.profile,
        stage(prefix).display()
    );
    println!("  header   {}", staged_include.join("paraph.h").display());
    println!("  libs     {}", staged_lib.display());
    println!(
        "  pkg-config: PKG_CONFIG_PATH={}",
        staged_pkgconfig.display()
    );
    Ok(())
}

/// `paraph.pc` (shared, with the static link line in `Libs.private` for
/// `pkg-config --static` where only the archive is installed) and
/// `paraph-static.pc` (links the archive by path, whatever else is there).
fn pkg_config_files(
    prefix: &Path,
    libdir: &Path,
    version: &Version,
    native_libs: &str,
) -> (String, String) {
    let libdir_value = match libdir.strip_prefix(prefix) {
        Ok(relative) => format!("${{exec_prefix}}/{}", relative.display()),
        Err(_) => libdir.display().to_string(),
    };
    let head = format!(
        "prefix={}\nexec_prefix=${{prefix}}\nlibdir={libdir_value}\nincludedir=${{prefix}}/include\n\n",
        prefix.display()
    );
    let url = "https://github.com/paraph-sign/paraph";
    let shared = format!(
        "{head}Name: paraph\n\
         Description: Embeddable e-signature engine: envelopes, PAdES signing, audit trail, webhooks (C API)\n\
         URL: {url}\n\
         Version: {}\n\
         Cflags: -I${{includedir}}\n\
         Libs: -L${{libdir}} -lparaph\n\
         Libs.private: {native_libs}\n",
        version.full
    );
    let static_ = format!(
        "{head}Name: paraph-static\n\
         Description: paraph's C API, linked statically (libparaph.a)\n\
         URL: {url}\n\
         Version: {}\n\
         Cflags: -I${{includedir}}\n\
         Libs: ${{libdir}}/libparaph.a {native_libs}\n",
        version.full
    );
    (shared, static_)
}

fn workspace_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_owned()
}

fn cargo() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Builds paraph-ffi with extra rustc arguments for the library only, and
/// returns the native libraries a static link needs (rustc's
/// `native-static-libs` note; cargo replays it when the build is fresh).
fn build(root: &Path, profile: &str, rustc_args: &[String]) -> Result<String, String> {
    let mut child = Command::new(cargo())
        .current_dir(root)
        .args([
            "rustc",
            "-p",
            "paraph-ffi",
            "--lib",
            "--locked",
            "--profile",
            profile,
        ])
        .arg("--")
        .args(rustc_args)
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running cargo: {e}"))?;
    // Show cargo's progress as it comes, and keep it to find the note.
    let mut stderr = String::new();
    if let Some(pipe) = child.stderr.take() {
        for line in BufReader::new(pipe).lines() {
            let line = line.map_err(|e| format!("reading cargo's output: {e}"))?;
            eprintln!("{line}");
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo: {e}"))?;
    if !status.success() {
        return Err("building paraph-ffi failed".to_owned());
    }
    let note = "native-static-libs:";
    stderr
        .lines()
        .find_map(|line| {
            line.split_once(note)
                .map(|(_, libs)| libs.trim().to_owned())
        })
        .ok_or_else(|| format!("rustc printed no {note} note"))
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR` and config).
fn target_dir(root: &Path) -> Result<PathBuf, String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata has no target_directory".to_owned())
}

fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "release" | "bench" => "release",
        other => other,
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    // Replace rather than overwrite in place: a running program may have
    // the old library mapped.
    let _ = fs::remove_file(to);
    fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> Result<(), String> {
    let _ = fs::remove_file(link);
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| format!("linking {} to {target}: {e}", link.display()))
}

#[cfg(not(unix))]
fn symlink(_target: &str, link: &Path) -> Result<(), String> {
    Err(format!("cannot make the symbolic link {}", link.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_version_is_the_minor_before_1_0_and_the_major_after() {
        let v = |major, minor| Version {
            major,
            minor,
            full: "",
        };
        assert_eq!(v(0, 1).abi(), "0.1");
        assert_eq!(v(2, 3).abi(), "2");
    }

    #[test]
    fn pkg_config_files_use_the_prefix_and_the_native_libs() {
        let version = Version {
            major: 0,
            minor: 1,
            full: "0.1.0",
        };
        let (shared, static_) = pkg_config_files(
            Path::new("/opt/p"),
            Path::new("/opt/p/lib64"),
            &version,
            "-lm -lc",
        );
        assert!(
            shared
                .starts_with("prefix=/opt/p\nexec_prefix=${prefix}\nlibdir=${exec_prefix}/lib64\n")
        );
        assert!(shared.contains("\nLibs: -L${libdir} -lparaph\nLibs.private: -lm -lc\n"));
        assert!(shared.contains("\nVersion: 0.1.0\n"));
        assert!(static_.contains("\nLibs: ${libdir}/libparaph.a -lm -lc\n"));
        let (elsewhere, _) =
            pkg_config_files(Path::new("/opt/p"), Path::new("/usr/lib"), &version, "");
        assert!(elsewhere.contains("\nlibdir=/usr/lib\n"));
    }

    #[test]
    fn options_need_a_prefix_and_know_their_flags() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(InstallOptions::parse(&args(&[])).is_err());
        assert!(InstallOptions::parse(&args(&["--prefix"])).is_err());
        assert!(InstallOptions::parse(&args(&["--prefix", "/x", "--what"])).is_err());
        let options =
            InstallOptions::parse(&args(&["--prefix", "/x", "--profile", "dev"])).expect("valid");
        assert_eq!(options.prefix, Path::new("/x"));
        assert_eq!(options.profile, "dev");
        assert_eq!(profile_dir(&options.profile), "debug");
    }
}
