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

/// The run-time library of a header package, for the common ones whose
/// names are the same on Debian bookworm and Ubuntu 22.04.
pub fn runtime_library(dev: &str) -> Option<&'static str> {
    Some(match dev.split(['=', ':']).next().unwrap_or(dev) {
        "libpq-dev" => "libpq5",
        "libgl1-mesa-dev" | "libgl-dev" => "libgl1",
        "libglib2.0-dev" => "libglib2.0-0",
        "libsm-dev" => "libsm6",
        "libxext-dev" => "libxext6",
        "libxrender-dev" => "libxrender1",
        "libsndfile1-dev" => "libsndfile1",
        "libxml2-dev" => "libxml2",
        "libxslt1-dev" => "libxslt1.1",
        "libyaml-dev" => "libyaml-0-2",
        "libmagic-dev" => "libmagic1",
        "libsqlite3-dev" => "libsqlite3-0",
        "zlib1g-dev" => "zlib1g",
        "libjpeg-dev" | "libjpeg62-turbo-dev" | "libjpeg-turbo8-dev" => "libjpeg62-turbo",
        "libpng-dev" => "libpng16-16",
        "libopenblas-dev" => "libopenblas0",
        "libgomp1-dev" => "libgomp1",
        "libcurl4-openssl-dev" => "libcurl4",
        "libffi-dev" => "libffi8",
        "libssl-dev" => "libssl3",
        "liblzma-dev" => "liblzma5",
        "libbz2-dev" => "libbz2-1.0",
        "libgeos-dev" => "libgeos-c1v5",
        "libzmq3-dev" => "libzmq5",
        "default-libmysqlclient-dev" | "libmariadb-dev" => "libmariadb3",
        _ => return None,
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
        assert_eq!(runtime_library("libpq-dev"), Some("libpq5"));
        assert_eq!(runtime_library("libfoo-dev"), None);
    }
}
