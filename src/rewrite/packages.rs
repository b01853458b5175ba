//! Which apt packages a runtime stage needs: build tools and headers stay in
//! the builder; a `-dev` package whose shared library a compiled wheel links
//! against is replaced by that library.

/// Packages needed only to build, by exact name: compilers, build systems,
/// VCS, and the Python packaging tools the builder's virtual environment
/// replaces.
const BUILD_ONLY: &[&str] = &[
    "build-essential",
    "gcc",
    "g++",
    "cpp",
    "clang",
    "make",
    "cmake",
    "ninja-build",
    "git",
    "git-lfs",
    "pkg-config",
    "pkgconf",
    "autoconf",
    "automake",
    "libtool",
    "gfortran",
    "python3-pip",
    "python3-venv",
    "python3-dev",
    "python-dev",
    "python3-setuptools",
    "python3-wheel",
    "cython3",
    "swig",
    "nvidia-cuda-toolkit",
    "software-properties-common",
];

/// Packages needed only to build: [`BUILD_ONLY`], headers, versioned
/// compilers and CUDA toolkits.
pub fn build_only(package: &str) -> bool {
    let name = package.split(['=', ':']).next().unwrap_or(package);
    BUILD_ONLY.contains(&name)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
        || (name.starts_with("gcc-") || name.starts_with("g++-") || name.starts_with("clang-"))
            && name[name.find('-').map_or(0, |i| i + 1)..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
        || (name.starts_with("python3.") && (name.ends_with("-venv") || name.ends_with("-dev")))
        || (name.starts_with("cuda-") && (name.contains("toolkit") || name.contains("nvcc")))
}

/// Header packages and the run-time library a compiled wheel links
/// against, per distribution release. The first entry whose release
/// matches wins; `*` matches any. A release the table does not know gets
/// only `*` entries, so no guess about a name that differs between
/// releases is written.
const RUNTIME_LIBRARIES: &[(&str, &[(&str, &str)])] = &[
    ("libpq-dev", &[("*", "libpq5")]),
    ("libgl1-mesa-dev", &[("*", "libgl1")]),
    ("libgl-dev", &[("*", "libgl1")]),
    (
        "libglib2.0-dev",
        &[("ubuntu:24.04", "libglib2.0-0t64"), ("*", "libglib2.0-0")],
    ),
    ("libsm-dev", &[("*", "libsm6")]),
    ("libxext-dev", &[("*", "libxext6")]),
    ("libxrender-dev", &[("*", "libxrender1")]),
    ("libsndfile1-dev", &[("*", "libsndfile1")]),
    ("libxml2-dev", &[("*", "libxml2")]),
    ("libxslt1-dev", &[("*", "libxslt1.1")]),
    ("libyaml-dev", &[("*", "libyaml-0-2")]),
    (
        "libmagic-dev",
        &[("ubuntu:24.04", "libmagic1t64"), ("*", "libmagic1")],
    ),
    ("libsqlite3-dev", &[("*", "libsqlite3-0")]),
    ("zlib1g-dev", &[("*", "zlib1g")]),
    (
        "libjpeg-dev",
        &[
            ("debian:*", "libjpeg62-turbo"),
            ("ubuntu:*", "libjpeg-turbo8"),
        ],
    ),
    ("libjpeg62-turbo-dev", &[("debian:*", "libjpeg62-turbo")]),
    ("libjpeg-turbo8-dev", &[("ubuntu:*", "libjpeg-turbo8")]),
    (
        "libpng-dev",
        &[("ubuntu:24.04", "libpng16-16t64"), ("*", "libpng16-16")],
    ),
    ("libopenblas-dev", &[("*", "libopenblas0")]),
    (
        "libcurl4-openssl-dev",
        &[("ubuntu:24.04", "libcurl4t64"), ("*", "libcurl4")],
    ),
    (
        "libffi-dev",
        &[
            ("debian:bullseye", "libffi7"),
            ("ubuntu:20.04", "libffi7"),
            ("debian:bookworm", "libffi8"),
            ("ubuntu:22.04", "libffi8"),
            ("ubuntu:24.04", "libffi8"),
        ],
    ),
    (
        "libssl-dev",
        &[
            ("debian:bullseye", "libssl1.1"),
            ("ubuntu:20.04", "libssl1.1"),
            ("debian:bookworm", "libssl3"),
            ("ubuntu:22.04", "libssl3"),
            ("ubuntu:24.04", "libssl3t64"),
        ],
    ),
    ("liblzma-dev", &[("*", "liblzma5")]),
    ("libbz2-dev", &[("*", "libbz2-1.0")]),
    (
        "libgeos-dev",
        &[("ubuntu:24.04", "libgeos-c1t64"), ("*", "libgeos-c1v5")],
    ),
    ("libzmq3-dev", &[("*", "libzmq5")]),
    (
        "default-libmysqlclient-dev",
        &[
            ("debian:*", "libmariadb3"),
            ("ubuntu:20.04", "libmysqlclient21"),
            ("ubuntu:22.04", "libmysqlclient21"),
            ("ubuntu:24.04", "libmysqlclient21"),
        ],
    ),
    ("libmariadb-dev", &[("*", "libmariadb3")]),
    (
        "libasound2-dev",
        &[("ubuntu:24.04", "libasound2t64"), ("*", "libasound2")],
    ),
    (
        "libasound-dev",
        &[("ubuntu:24.04", "libasound2t64"), ("*", "libasound2")],
    ),
    ("portaudio19-dev", &[("*", "libportaudio2")]),
    ("libsox-dev", &[("*", "libsox3")]),
    ("ocl-icd-opencl-dev", &[("*", "ocl-icd-libopencl1")]),
    ("libclblast-dev", &[("*", "libclblast1")]),
    ("libsndfile-dev", &[("*", "libsndfile1")]),
];

/// What the runtime stage installs in place of a package the builder
/// installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimePackage {
    /// The same package: it is needed at run time.
    Keep,
    /// Nothing: only building needs it.
    Drop,
    /// The shared library a header package is for.
    Library(&'static str),
}

/// The runtime stage's counterpart of an apt package. A header package
/// whose library the table does not know for this release is kept whole:
/// it depends on its library, and a missing library breaks the app, while
/// a few headers only cost space.
pub fn runtime_package(package: &str, os: Option<(&str, &str)>) -> RuntimePackage {
    if !build_only(package) {
        return RuntimePackage::Keep;
    }
    if let Some(lib) = runtime_library(package, os) {
        return RuntimePackage::Library(lib);
    }
    let name = package.split(['=', ':']).next().unwrap_or(package);
    let header = (name.ends_with("-dev") || name.ends_with("-devel"))
        && !BUILD_ONLY.contains(&name)
        && !name.starts_with("python")
        && !name.starts_with("cuda-")
        && !name.starts_with("libcuda")
        && !name.starts_with("libnv");
    if header {
        RuntimePackage::Keep
    } else {
        RuntimePackage::Drop
    }
}

/// The run-time library of a header package on a distribution release
/// (`("ubuntu", "22.04")`, `("debian", "bookworm")`), when it is known.
pub fn runtime_library(dev: &str, os: Option<(&str, &str)>) -> Option<&'static str> {
    let name = dev.split(['=', ':']).next().unwrap_or(dev);
    let (_, entries) = RUNTIME_LIBRARIES.iter().find(|(d, _)| *d == name)?;
    entries.iter().find_map(|(release, lib)| {
        let hit = match (release.split_once(':'), os) {
            (None, _) => *release == "*",
            (Some((family, version)), Some((f, v))) => {
                family == f && (version == "*" || version == v)
            }
            (Some(_), None) => false,
        };
        hit.then_some(*lib)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_build_packages() {
        for p in [
            "build-essential",
            "gcc-12",
            "libpq-dev",
            "python3.10-venv",
            "cuda-toolkit-12-1",
            "git",
        ] {
            assert!(build_only(p), "{p}");
        }
        for p in [
            "python3",
            "ffmpeg",
            "libgl1",
            "curl",
            "gcc-doc",
            "libpq5",
            "python3.10",
        ] {
            assert!(!build_only(p), "{p}");
        }
        let bookworm = Some(("debian", "bookworm"));
        let jammy = Some(("ubuntu", "22.04"));
        let noble = Some(("ubuntu", "24.04"));
        assert_eq!(runtime_library("libpq-dev", bookworm), Some("libpq5"));
        assert_eq!(runtime_library("libpq-dev", None), Some("libpq5"));
        assert_eq!(runtime_library("libfoo-dev", bookworm), None);
        assert_eq!(
            runtime_library("libjpeg-dev", bookworm),
            Some("libjpeg62-turbo")
        );
        assert_eq!(
            runtime_library("libjpeg-dev", jammy),
            Some("libjpeg-turbo8")
        );
        assert_eq!(
            runtime_library("libjpeg-turbo8-dev", jammy),
            Some("libjpeg-turbo8")
        );
        assert_eq!(runtime_library("libjpeg-turbo8-dev", bookworm), None);
        assert_eq!(runtime_library("libssl-dev", noble), Some("libssl3t64"));
        assert_eq!(
            runtime_library("libssl-dev", Some(("debian", "bullseye"))),
            Some("libssl1.1")
        );
        assert_eq!(
            runtime_package("libpq-dev", bookworm),
            RuntimePackage::Library("libpq5")
        );
        assert_eq!(runtime_package("gcc", bookworm), RuntimePackage::Drop);
        assert_eq!(
            runtime_package("python3-dev", bookworm),
            RuntimePackage::Drop
        );
        assert_eq!(runtime_package("ffmpeg", bookworm), RuntimePackage::Keep);
        // An unknown header package stays: its library is needed.
        assert_eq!(
            runtime_package("libfoo-dev", bookworm),
            RuntimePackage::Keep
        );
        assert_eq!(
            runtime_package("cuda-nvcc-12-1", jammy),
            RuntimePackage::Drop
        );
        assert_eq!(
            runtime_package("libasound2-dev", noble),
            RuntimePackage::Library("libasound2t64")
        );
        // A release the table does not know gets no guess.
        assert_eq!(runtime_library("libssl-dev", None), None);
        assert_eq!(runtime_library("libgomp1-dev", jammy), None);
    }
}
