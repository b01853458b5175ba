//! Which apt packages a runtime stage needs: build tools and headers stay in
//! the builder; a `-dev` package whose shared library a compiled wheel links
//! against is replaced by that library.

/// Packages needed only to build: compilers, build systems, VCS, headers,
/// and the Python packaging tools the builder's virtual environment replaces.
pub fn build_only(package: &str) -> bool {
    let name = package.split(['=', ':']).next().unwrap_or(package);
    const EXACT: &[&str] = &[
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
    EXACT.contains(&name)
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
];

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
        // A release the table does not know gets no guess.
        assert_eq!(runtime_library("libssl-dev", None), None);
        assert_eq!(runtime_library("libgomp1-dev", jammy), None);
    }
}
