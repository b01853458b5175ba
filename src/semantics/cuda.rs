//! What dflint knows about CUDA: the CUDA release a base image ships and
//! whether it carries the toolkit (nvcc, headers) and cuDNN, read from the
//! image's name; the CUDA release a Python wheel, package index or package
//! name is built for; the packages that install CUDA or cuDNN; and the
//! calls that ask for a GPU, which does not exist while an image builds.

use super::images::ImageRef;

/// A CUDA release, major and minor (`12.1`). `minor` is `None` when only
/// the major release is known (`nvidia-cublas-cu12`, `cupy-cuda12x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CudaVersion {
    pub major: u32,
    pub minor: Option<u32>,
}

impl CudaVersion {
    /// Whether two releases can be told apart: the majors differ, or both
    /// minors are known and differ.
    pub fn differs(self, other: CudaVersion) -> bool {
        self.major != other.major
            || matches!((self.minor, other.minor), (Some(a), Some(b)) if a != b)
    }

    /// The PyTorch wheel tag for this release (`cu121`), when the minor is known.
    pub fn wheel_tag(self) -> Option<String> {
        Some(format!("cu{}{}", self.major, self.minor?))
    }

    /// `X.Y` (`12.1`), or `X` when the minor is not known.
    pub fn display(self) -> String {
        match self.minor {
            Some(m) => format!("{}.{m}", self.major),
            None => self.major.to_string(),
        }
    }

    /// `12.1.0`, `12.1`, `11` read as a release.
    pub fn parse(text: &str) -> Option<CudaVersion> {
        let mut parts = text.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = match parts.next() {
            Some(m) => Some(m.parse().ok()?),
            None => None,
        };
        Some(CudaVersion { major, minor })
    }
}

/// What a base image brings of CUDA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CudaBase {
    /// The CUDA release, when the name says it.
    pub version: Option<CudaVersion>,
    /// The CUDA runtime libraries (cudart, cuBLAS, cuFFT, ...).
    pub runtime: bool,
    /// The toolkit: nvcc, headers, static libraries (devel images).
    pub toolkit: bool,
    /// cuDNN.
    pub cudnn: bool,
    /// cuDNN's major release, when the tag names it (`cudnn8`).
    pub cudnn_major: Option<u32>,
}

/// The CUDA release of each NGC framework container release (`YY.MM`),
/// from NVIDIA's framework support matrix. The PyTorch, TensorFlow and
/// Triton containers of one month share it.
const NGC_RELEASES: &[(&str, u32, u32)] = &[
    ("22.01", 11, 6),
    ("22.02", 11, 6),
    ("22.03", 11, 6),
    ("22.04", 11, 6),
    ("22.05", 11, 7),
    ("22.06", 11, 7),
    ("22.07", 11, 7),
    ("22.08", 11, 7),
    ("22.09", 11, 8),
    ("22.10", 11, 8),
    ("22.11", 11, 8),
    ("22.12", 11, 8),
    ("23.01", 12, 0),
    ("23.02", 12, 0),
    ("23.03", 12, 1),
    ("23.04", 12, 1),
    ("23.05", 12, 1),
    ("23.06", 12, 1),
    ("23.07", 12, 1),
    ("23.08", 12, 2),
    ("23.09", 12, 2),
    ("23.10", 12, 2),
    ("23.11", 12, 3),
    ("23.12", 12, 3),
    ("24.01", 12, 3),
    ("24.02", 12, 3),
    ("24.03", 12, 4),
    ("24.04", 12, 4),
    ("24.05", 12, 4),
    ("24.06", 12, 5),
    ("24.07", 12, 5),
    ("24.08", 12, 6),
    ("24.09", 12, 6),
    ("24.10", 12, 6),
    ("24.11", 12, 6),
    ("24.12", 12, 6),
    ("25.01", 12, 8),
    ("25.02", 12, 8),
    ("25.03", 12, 8),
];

/// NGC framework repositories: each ships CUDA with the toolkit and cuDNN.
const NGC_FRAMEWORKS: &[&str] = &[
    "nvcr.io/nvidia/pytorch",
    "nvcr.io/nvidia/tensorflow",
    "nvcr.io/nvidia/tritonserver",
    "nvcr.io/nvidia/nemo",
    "nvcr.io/nvidia/jax",
    "nvcr.io/nvidia/paddlepaddle",
];

/// The `X.Y` after `prefix` in a tag (`cuda12.1` in a PyTorch tag).
fn version_after(tag: &str, prefix: &str) -> Option<CudaVersion> {
    let at = tag.find(prefix)? + prefix.len();
    let rest = &tag[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    CudaVersion::parse(rest[..end].trim_end_matches('.'))
}

/// The cuDNN major release a tag or package names (`cudnn8`, `libcudnn9-cuda-12`).
pub fn cudnn_major(text: &str) -> Option<u32> {
    let at = text.find("cudnn")? + "cudnn".len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What a base image brings of CUDA, read from its name; `None` for an
/// image dflint does not know to carry CUDA.
///
/// `nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04`: CUDA 12.1, runtime and
/// cuDNN. `pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel`: 12.1, toolkit and
/// cuDNN. `nvcr.io/nvidia/pytorch:24.01-py3`: 12.3, everything.
pub fn cuda_base(reference: &str) -> Option<CudaBase> {
    let image = ImageRef::parse(reference);
    let repo = image.short_repo().to_ascii_lowercase();
    let tag = image.tag.unwrap_or("").to_ascii_lowercase();
    match repo.as_str() {
        "nvidia/cuda" | "nvcr.io/nvidia/cuda" | "nvidia/cudagl" | "nvcr.io/nvidia/cudagl" => {
            // `12.1.0-base-...` has only cudart; `runtime` the libraries;
            // `devel` the toolkit too.
            let devel = tag.contains("devel");
            Some(CudaBase {
                version: CudaVersion::parse(tag.split('-').next().unwrap_or("")),
                runtime: devel || tag.contains("runtime"),
                toolkit: devel,
                cudnn: tag.contains("cudnn"),
                cudnn_major: cudnn_major(&tag),
            })
        }
        "pytorch/pytorch" => {
            let version = version_after(&tag, "cuda");
            version.map(|v| CudaBase {
                version: Some(v),
                runtime: true,
                toolkit: tag.contains("devel"),
                cudnn: tag.contains("cudnn"),
                cudnn_major: cudnn_major(&tag),
            })
        }
        "tensorflow/tensorflow" if tag.contains("gpu") => Some(CudaBase {
            version: None,
            runtime: true,
            toolkit: tag.contains("devel"),
            cudnn: true,
            cudnn_major: None,
        }),
        r if NGC_FRAMEWORKS.contains(&r) => {
            let release = tag.get(..5).unwrap_or("");
            let version =
                NGC_RELEASES
                    .iter()
                    .find(|(r, _, _)| *r == release)
                    .map(|&(_, major, minor)| CudaVersion {
                        major,
                        minor: Some(minor),
                    });
            Some(CudaBase {
                version,
                runtime: true,
                toolkit: true,
                cudnn: true,
                cudnn_major: None,
            })
        }
        _ => None,
    }
}

/// The CUDA release in a wheel or index tag: `cu121` -> 12.1, `cu118` ->
/// 11.8, `cu92` -> 9.2 (the last digit is the minor), `cu12` -> 12 (two
/// digits from 10 on name a major release alone: CUDA 1.x had no wheels).
pub fn from_cu_tag(tag: &str) -> Option<CudaVersion> {
    let digits = tag.strip_prefix("cu")?;
    if !(2..=4).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if digits.len() == 2 && !digits.starts_with(['0', '1']) {
        let (major, minor) = digits.split_at(1);
        return Some(CudaVersion {
            major: major.parse().ok()?,
            minor: Some(minor.parse().ok()?),
        });
    }
    if digits.len() == 2 {
        return Some(CudaVersion {
            major: digits.parse().ok()?,
            minor: None,
        });
    }
    let (major, minor) = digits.split_at(digits.len() - 1);
    Some(CudaVersion {
        major: major.parse().ok()?,
        minor: Some(minor.parse().ok()?),
    })
}

/// What a package index or a requirement is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Cuda(CudaVersion),
    /// CPU-only wheels.
    Cpu,
}

/// Package name patterns that carry the CUDA major release they are built
/// for: `(prefix, suffix)` around the digits.
const MAJOR_IN_NAME: &[(&str, &str)] = &[
    // nvidia-cublas-cu12, nvidia-cudnn-cu11: the digits follow the last `-cu`.
    ("nvidia-", ""),
    ("cupy-cuda", "x"),
];

/// What a package index URL serves: `.../whl/cu118` is CUDA 11.8,
/// `.../whl/cpu` CPU-only (PyTorch's indexes and find-links pages,
/// nightly ones included).
pub fn index_build(url: &str) -> Option<Build> {
    // `.../whl/cu118`, `.../whl/nightly/cpu`, `.../whl/cu111/torch_stable.html`.
    let (_, path) = url.split_once("/whl/")?;
    path.split('/').find_map(|part| match part {
        "cpu" => Some(Build::Cpu),
        p => from_cu_tag(p).map(Build::Cuda),
    })
}

/// What a requirement is built for: a local version (`torch==2.2.0+cu121`,
/// `+cpu`), an NVIDIA library wheel (`nvidia-cudnn-cu12`), a CuPy build
/// (`cupy-cuda12x`), a JAX extra (`jax[cuda12]`).
pub fn requirement_build(spec: &str) -> Option<Build> {
    let spec = spec.trim_matches(['"', '\'']).to_ascii_lowercase();
    if let Some((_, local)) = spec.split_once('+') {
        let local = local
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        if local == "cpu" {
            return Some(Build::Cpu);
        }
        // `cu121`, or a tag that goes on (`cu12torch2`, flash-attn's wheels).
        let digits = local.strip_prefix("cu").map_or(0, |rest| {
            rest.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())
        });
        if let Some(v) = local.get(..2 + digits).and_then(from_cu_tag) {
            return Some(Build::Cuda(v));
        }
    }
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    for (prefix, suffix) in MAJOR_IN_NAME {
        if !name.starts_with(prefix) {
            continue;
        }
        let Some(at) = name.rfind("cu") else {
            continue;
        };
        let digits = name[at..]
            .trim_start_matches("cuda")
            .trim_start_matches("cu")
            .strip_suffix(suffix)
            .unwrap_or("");
        if let Ok(major) = digits.parse() {
            if (9..=20).contains(&major) {
                return Some(Build::Cuda(CudaVersion { major, minor: None }));
            }
        }
    }
    // `jax[cuda12]`, `jax[cuda12_pip]`, `jax[cuda12-local]`.
    if name == "jax" || name == "jaxlib" {
        let extras = spec[name_end..].strip_prefix('[')?;
        let digits: String = extras
            .strip_prefix("cuda")?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let major = digits.parse().ok()?;
        return Some(Build::Cuda(CudaVersion { major, minor: None }));
    }
    None
}

/// conda package specs that name a CUDA release: `pytorch-cuda=11.8`,
/// `cudatoolkit=11.3`, `cuda-version=12.1`.
const CONDA_CUDA_PACKAGES: &[&str] = &["pytorch-cuda", "cudatoolkit", "cuda-version"];

/// The CUDA release a conda spec pins (`pytorch-cuda=12.1`, `"cudatoolkit==11.3.1"`).
pub fn conda_spec_build(spec: &str) -> Option<(&'static str, CudaVersion)> {
    let spec = spec.trim_matches(['"', '\'']);
    let (name, version) = spec.split_once('=')?;
    let package = CONDA_CUDA_PACKAGES.iter().find(|p| **p == name)?;
    let version = version.trim_start_matches('=');
    let version = version.split(['=', '*', ',']).next()?;
    CudaVersion::parse(version.trim_end_matches('.')).map(|v| (*package, v))
}

/// What an installed package duplicates in a CUDA base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The CUDA runtime libraries.
    Runtime,
    /// The CUDA toolkit (nvcc, headers).
    Toolkit,
    /// cuDNN's libraries.
    Cudnn,
    /// cuDNN's headers (the `-dev` package, in cuDNN devel images).
    CudnnDev,
}

impl Part {
    pub fn describe(self) -> &'static str {
        match self {
            Part::Runtime => "the CUDA runtime libraries",
            Part::Toolkit => "the CUDA toolkit",
            Part::Cudnn => "cuDNN",
            Part::CudnnDev => "cuDNN's headers",
        }
    }

    /// Whether a base already has this part.
    pub fn in_base(self, base: &CudaBase) -> bool {
        match self {
            Part::Runtime => base.runtime,
            Part::Toolkit => base.toolkit,
            Part::Cudnn => base.cudnn,
            Part::CudnnDev => base.cudnn && base.toolkit,
        }
    }
}

/// Which installer a package name is for. pip's NVIDIA wheels are left
/// out: frameworks load those, not the base's copy, and pin their versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The distribution's package manager: apt, or dnf/yum on RHEL bases
    /// (NVIDIA names its packages the same in both).
    System,
    Conda,
}

/// Packages that install a part of CUDA: `(installer, name prefix, part)`.
/// A prefix matches the name or the name followed by `-` and a version
/// (`cuda-toolkit-12-1`, `libcudnn8`, `libcudnn9-cuda-12`).
const CUDA_PACKAGES: &[(Source, &str, Part)] = &[
    (Source::System, "cuda-toolkit", Part::Toolkit),
    (Source::System, "cuda-libraries-dev", Part::Toolkit),
    (Source::System, "cuda-nvcc", Part::Toolkit),
    (Source::System, "cuda-libraries", Part::Runtime),
    (Source::System, "cuda-runtime", Part::Runtime),
    (Source::System, "cuda-cudart", Part::Runtime),
    (Source::System, "libcudnn", Part::Cudnn),
    (Source::Conda, "cudatoolkit", Part::Runtime),
    (Source::Conda, "cuda-toolkit", Part::Toolkit),
    (Source::Conda, "cuda-nvcc", Part::Toolkit),
    (Source::Conda, "cudnn", Part::Cudnn),
];

/// The part of CUDA a package installs, if it installs one: `cuda-toolkit-12-1`
/// (apt, dnf) is the toolkit, `libcudnn8` cuDNN, `libcudnn8-dev` cuDNN's headers.
/// Configuration-only packages (`cuda-toolkit-12-config-common`) are not.
pub fn cuda_package(source: Source, name: &str) -> Option<Part> {
    let name = name.to_ascii_lowercase();
    // An apt `=version` pin or a conda/pip version spec is not the name.
    let name = name
        .split(['=', '<', '>', '~', '!', '[', ' '])
        .next()
        .unwrap_or("");
    if name.contains("config") || name.ends_with("-doc") {
        return None;
    }
    let (_, prefix, part) = CUDA_PACKAGES.iter().find(|(s, prefix, _)| {
        *s == source
            && name.strip_prefix(prefix).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c == '-' || c.is_ascii_digit())
            })
    })?;
    let rest = &name[prefix.len()..];
    // `cuda-cudart-dev-12-9`: the headers, which only devel images have.
    if *part == Part::Runtime && source == Source::System && rest.split('-').any(|p| p == "dev") {
        return Some(Part::Toolkit);
    }
    if *part == Part::Cudnn && source == Source::System {
        // `libcudnn8-dev`, `libcudnn9-dev-cuda-12`: the headers.
        if rest.split('-').any(|p| p == "dev") {
            return Some(Part::CudnnDev);
        }
        // `libcudnn-frontend` and the like are other projects.
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
    }
    Some(*part)
}

/// The CUDA major release an apt or pip CUDA package is built for, when its
/// name says so: `cuda-toolkit-12-1` -> 12.1, `libcudnn9-cuda-12` -> 12,
/// `nvidia-cudnn-cu11` -> 11.
pub fn package_cuda(name: &str) -> Option<CudaVersion> {
    let name = name.to_ascii_lowercase();
    if let Some(at) = name.rfind("-cu") {
        let digits = name[at + 3..].trim_start_matches("da-");
        if let Ok(major) = digits.parse() {
            return Some(CudaVersion { major, minor: None });
        }
    }
    for prefix in [
        "cuda-toolkit-",
        "cuda-libraries-",
        "cuda-runtime-",
        "cuda-nvcc-",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            let mut parts = rest.split('-');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next().and_then(|m| m.parse().ok());
            return Some(CudaVersion { major, minor });
        }
    }
    None
}

/// Text in a RUN (a command, or Python in `python -c` or a heredoc) that
/// asks for a GPU, and what it asks.
pub const GPU_QUERIES: &[(&str, &str)] = &[
    ("cuda.is_available(", "`torch.cuda.is_available()`"),
    ("cuda.device_count(", "`torch.cuda.device_count()`"),
    ("cuda.get_device_name(", "`torch.cuda.get_device_name()`"),
    (
        "cuda.get_device_capability(",
        "`torch.cuda.get_device_capability()`",
    ),
    (
        "cuda.get_device_properties(",
        "`torch.cuda.get_device_properties()`",
    ),
    (
        "list_physical_devices(",
        "`tf.config.list_physical_devices()`",
    ),
    ("is_gpu_available(", "`tf.test.is_gpu_available()`"),
    ("jax.devices(", "`jax.devices()`"),
    (
        "cupy.cuda.runtime.getDeviceCount(",
        "`cupy.cuda.runtime.getDeviceCount()`",
    ),
    ("GPUtil.getGPUs(", "`GPUtil.getGPUs()`"),
];

/// Programs that talk to a GPU driver, and so fail or report nothing
/// during a build.
pub const GPU_PROGRAMS: &[&str] = &["nvidia-smi", "nvidia-debugdump", "rocm-smi", "rocminfo"];

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u32, minor: u32) -> Option<CudaVersion> {
        Some(CudaVersion {
            major,
            minor: Some(minor),
        })
    }

    #[test]
    fn bases() {
        let b = cuda_base("nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04").unwrap();
        assert_eq!(b.version, v(12, 1));
        assert!(b.runtime && b.cudnn && !b.toolkit);
        let b = cuda_base("nvidia/cuda:11.8.0-devel-ubuntu22.04").unwrap();
        assert!(b.toolkit && !b.cudnn);
        let b = cuda_base("nvidia/cuda:12.4.1-base-ubuntu22.04").unwrap();
        assert!(!b.runtime);
        let b = cuda_base("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel").unwrap();
        assert_eq!(b.version, v(12, 1));
        assert!(b.toolkit && b.cudnn);
        let b = cuda_base("nvcr.io/nvidia/pytorch:24.01-py3").unwrap();
        assert_eq!(b.version, v(12, 3));
        assert!(b.toolkit && b.cudnn);
        assert!(cuda_base("pytorch/pytorch:latest").is_none());
        assert!(cuda_base("python:3.11-slim").is_none());
        assert!(cuda_base("tensorflow/tensorflow:2.15.0").is_none());
    }

    #[test]
    fn wheels_and_indexes() {
        assert_eq!(from_cu_tag("cu121"), v(12, 1));
        assert_eq!(from_cu_tag("cu118"), v(11, 8));
        assert_eq!(from_cu_tag("cu92"), v(9, 2));
        assert_eq!(from_cu_tag("cuda"), None);
        assert_eq!(
            from_cu_tag("cu12"),
            Some(CudaVersion {
                major: 12,
                minor: None
            })
        );
        assert_eq!(
            requirement_build("flash_attn-2.7.4+cu12torch2.6cxx11abiFALSE-cp311.whl"),
            Some(Build::Cuda(CudaVersion {
                major: 12,
                minor: None
            }))
        );
        assert_eq!(
            index_build("https://download.pytorch.org/whl/cu118"),
            v(11, 8).map(Build::Cuda)
        );
        assert_eq!(
            index_build("https://download.pytorch.org/whl/nightly/cpu/"),
            Some(Build::Cpu)
        );
        assert_eq!(index_build("https://pypi.org/simple"), None);
        assert_eq!(
            index_build("https://download.pytorch.org/whl/cu111/torch_stable.html"),
            v(11, 1).map(Build::Cuda)
        );
        assert_eq!(
            index_build("https://download.pytorch.org/whl/torch_stable.html"),
            None
        );
        assert_eq!(
            requirement_build("torch==2.2.0+cu121"),
            v(12, 1).map(Build::Cuda)
        );
        assert_eq!(requirement_build("torch==2.2.0+cpu"), Some(Build::Cpu));
        let major = |m| {
            Some(Build::Cuda(CudaVersion {
                major: m,
                minor: None,
            }))
        };
        assert_eq!(requirement_build("nvidia-cudnn-cu12==8.9.2.26"), major(12));
        assert_eq!(requirement_build("cupy-cuda11x"), major(11));
        assert_eq!(requirement_build("jax[cuda12_pip]"), major(12));
        assert_eq!(requirement_build("torch"), None);
        assert_eq!(requirement_build("nvidia-ml-py"), None);
        assert_eq!(
            conda_spec_build("pytorch-cuda=11.8"),
            Some(("pytorch-cuda", CudaVersion::parse("11.8").unwrap()))
        );
        assert_eq!(conda_spec_build("pytorch=2.1"), None);
    }

    #[test]
    fn cuda_packages() {
        assert_eq!(
            cuda_package(Source::System, "cuda-toolkit-12-1"),
            Some(Part::Toolkit)
        );
        assert_eq!(cuda_package(Source::System, "libcudnn8"), Some(Part::Cudnn));
        assert_eq!(
            cuda_package(Source::System, "libcudnn8=8.9.7.29-1+cuda12.2"),
            Some(Part::Cudnn)
        );
        assert_eq!(
            cuda_package(Source::System, "libcudnn9-dev-cuda-12"),
            Some(Part::CudnnDev)
        );
        assert_eq!(
            cuda_package(Source::System, "cuda-toolkit-12-config-common"),
            None
        );
        assert_eq!(cuda_package(Source::System, "cuda-compat-12-1"), None);
        assert_eq!(cuda_package(Source::Conda, "cudnn=8.9"), Some(Part::Cudnn));
        assert_eq!(
            cuda_package(Source::System, "cuda-cudart-dev-12-9"),
            Some(Part::Toolkit)
        );
        assert_eq!(
            cuda_package(Source::System, "cuda-cudart-12-9"),
            Some(Part::Runtime)
        );
        assert_eq!(package_cuda("cuda-toolkit-12-1"), v(12, 1));
        assert_eq!(
            package_cuda("libcudnn9-cuda-12"),
            Some(CudaVersion {
                major: 12,
                minor: None
            })
        );
    }
}
