//! What dflint knows about base images by name: devel images and their
//! runtime counterparts, images that default to a non-root user, and the
//! distribution family (for generated user-creation commands).

/// An image reference split into repository, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub repo: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Split a reference into its parts, borrowed from it: rules ask about
    /// the base of every stage, and copies added up.
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (reference, None),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repo, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
            None => (rest, None),
        };
        ImageRef { repo, tag, digest }
    }

    /// The repository without a `docker.io/` or `docker.io/library/` prefix.
    pub fn short_repo(&self) -> &'a str {
        let r = self.repo.strip_prefix("docker.io/").unwrap_or(self.repo);
        r.strip_prefix("library/").unwrap_or(r)
    }

    pub fn with_tag(&self, tag: &str) -> String {
        format!("{}:{}", self.repo, tag)
    }
}

/// For a devel image that has a runtime counterpart, that counterpart.
///
/// `nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04` gives
/// `nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04`;
/// `pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel` gives `...-runtime`;
/// `tensorflow/tensorflow:2.15.0-devel-gpu` gives `2.15.0-gpu`.
pub fn runtime_counterpart(reference: &str) -> Option<String> {
    let image = ImageRef::parse(reference);
    let tag = image.tag?;
    let repo = image.short_repo();
    let cuda_like = matches!(
        repo,
        "nvidia/cuda" | "nvcr.io/nvidia/cuda" | "nvidia/cudagl" | "nvcr.io/nvidia/cudagl"
    );
    if cuda_like && tag.contains("devel") {
        return Some(image.with_tag(&tag.replacen("devel", "runtime", 1)));
    }
    if repo == "pytorch/pytorch" && tag.ends_with("-devel") {
        let base = &tag[..tag.len() - "devel".len()];
        return Some(image.with_tag(&format!("{base}runtime")));
    }
    if repo == "tensorflow/tensorflow" && tag.contains("devel") {
        let runtime = tag.replace("-devel", "").replace("devel-", "");
        let runtime = if runtime == "devel" {
            "latest".to_string()
        } else {
            runtime
        };
        return Some(image.with_tag(&runtime));
    }
    None
}

/// Framework images that carry the whole CUDA toolkit (compilers, headers,
/// static libraries) without saying `devel` in the tag, and have no runtime
/// tag of their own: NVIDIA's NGC containers are built for development and
/// training. Each with what to ship on instead.
const TOOLKIT_SIZED: &[(&str, &str)] = &[
    (
        "nvcr.io/nvidia/pytorch",
        "an `nvidia/cuda:<its CUDA version>-runtime-*` image with the `torch` wheels",
    ),
    (
        "nvcr.io/nvidia/tensorflow",
        "an `nvidia/cuda:<its CUDA version>-runtime-*` image with the `tensorflow[and-cuda]` wheels, or `tensorflow/tensorflow:<version>-gpu`",
    ),
    (
        "nvcr.io/nvidia/jax",
        "an `nvidia/cuda:<its CUDA version>-runtime-*` image with the `jax[cuda]` wheels",
    ),
];

/// Tag suffixes of NGC images that are development kits beside a serving
/// tag: `tritonserver:24.01-py3-sdk` holds the client SDK, examples and
/// perf tools; the server itself is `tritonserver:24.01-py3`.
const KIT_SUFFIXES: &[(&str, &str, &str)] = &[("nvcr.io/nvidia/tritonserver", "-sdk", "")];

/// A base image built for compiling rather than serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevelImage {
    /// The tag of the same image made for serving, when there is one.
    pub runtime: Option<String>,
    /// What to ship on, in words, when there is no such tag.
    pub advice: Option<&'static str>,
}

/// Whether a base image is a devel (toolkit-sized) image, and what serves instead.
pub fn devel_image(reference: &str) -> Option<DevelImage> {
    if let Some(runtime) = runtime_counterpart(reference) {
        return Some(DevelImage {
            runtime: Some(runtime),
            advice: None,
        });
    }
    let image = ImageRef::parse(reference);
    let repo = image.short_repo();
    if let Some((_, advice)) = TOOLKIT_SIZED.iter().find(|(r, _)| *r == repo) {
        return Some(DevelImage {
            runtime: None,
            advice: Some(advice),
        });
    }
    let tag = image.tag?;
    KIT_SUFFIXES
        .iter()
        .find(|(r, suffix, _)| *r == repo && tag.ends_with(suffix))
        .map(|(_, suffix, serving)| DevelImage {
            runtime: Some(
                image.with_tag(&format!("{}{serving}", &tag[..tag.len() - suffix.len()])),
            ),
            advice: None,
        })
}

/// The package manager of a base image's distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Apt,
    Apk,
    Dnf,
    Microdnf,
    /// No package manager (distroless, scratch).
    None,
    Unknown,
}

impl PackageManager {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageManager::Apt => "apt",
            PackageManager::Apk => "apk",
            PackageManager::Dnf => "dnf",
            PackageManager::Microdnf => "microdnf",
            PackageManager::None => "none",
            PackageManager::Unknown => "unknown",
        }
    }
}

/// Where a base image's own Python lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonHome {
    /// The interpreter a virtual environment made from it links to.
    pub interpreter: &'static str,
    /// Whether the image's frameworks (torch, tensorflow) are installed in
    /// its site-packages, so a venv must see them
    /// (`--system-site-packages`).
    pub frameworks: bool,
}

/// Images that come with a Python of their own, by short repository (or,
/// ending in `/`, a prefix of it).
const PYTHON_HOMES: &[(&str, PythonHome)] = &[
    (
        "python",
        PythonHome {
            interpreter: "/usr/local/bin/python3",
            frameworks: false,
        },
    ),
    (
        "pytorch/pytorch",
        PythonHome {
            interpreter: "/opt/conda/bin/python3",
            frameworks: true,
        },
    ),
    (
        "tensorflow/tensorflow",
        PythonHome {
            interpreter: "/usr/bin/python3",
            frameworks: true,
        },
    ),
    (
        "nvcr.io/nvidia/pytorch",
        PythonHome {
            interpreter: "/usr/bin/python3",
            frameworks: true,
        },
    ),
    (
        "continuumio/miniconda3",
        PythonHome {
            interpreter: "/opt/conda/bin/python3",
            frameworks: false,
        },
    ),
];

/// What the rewrite needs to know about a base image: its distribution and
/// release, its package manager, its Python, whether it has a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseProfile {
    pub distro: Distro,
    /// `("ubuntu", "22.04")`, when known.
    pub release: Option<(&'static str, String)>,
    pub packages: PackageManager,
    pub python: Option<PythonHome>,
    pub shell: bool,
}

impl BaseProfile {
    pub fn of(reference: &str) -> BaseProfile {
        let distro = distro(reference);
        let packages = match distro {
            Distro::Debian => PackageManager::Apt,
            Distro::Alpine => PackageManager::Apk,
            Distro::Rhel => PackageManager::Dnf,
            Distro::RhelMinimal => PackageManager::Microdnf,
            Distro::Distroless => PackageManager::None,
            Distro::Windows | Distro::Unknown => PackageManager::Unknown,
        };
        let image = ImageRef::parse(reference);
        let repo = image.short_repo();
        let python = PYTHON_HOMES
            .iter()
            .find(|(r, _)| *r == repo || (r.ends_with('/') && repo.starts_with(r)))
            .map(|(_, home)| *home);
        BaseProfile {
            distro,
            release: os_release(reference),
            packages,
            python,
            shell: !matches!(distro, Distro::Distroless | Distro::Windows),
        }
    }

    /// One line for `dflint fix --explain`.
    pub fn describe(&self) -> String {
        let release = self
            .release
            .as_ref()
            .map_or("release unknown".to_string(), |(d, v)| format!("{d} {v}"));
        let python = self.python.map_or("no Python of its own".to_string(), |p| {
            format!(
                "Python at {}{}",
                p.interpreter,
                if p.frameworks {
                    " with its frameworks"
                } else {
                    ""
                }
            )
        });
        format!(
            "{release}, {} packages, {python}, {}",
            self.packages.as_str(),
            if self.shell { "a shell" } else { "no shell" }
        )
    }
}

/// Images whose default user is not root.
pub fn defaults_to_nonroot(reference: &str) -> bool {
    let image = ImageRef::parse(reference);
    let repo = image.short_repo();
    let tag = image.tag.unwrap_or("");
    (repo.starts_with("gcr.io/distroless/") && tag.contains("nonroot"))
        || repo.starts_with("cgr.dev/chainguard/")
        || repo.starts_with("bitnami/")
        || repo == "nginxinc/nginx-unprivileged"
}

/// The family of a base image's distribution, for commands that create users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    /// Debian and Ubuntu: `groupadd`/`useradd`.
    Debian,
    /// Alpine, and busybox images: `addgroup`/`adduser` (busybox's).
    Alpine,
    /// RHEL, UBI, Fedora, CentOS, Rocky, Alma, Amazon Linux: `useradd`.
    Rhel,
    /// UBI minimal and micro images: no `useradd`; a numeric user is used.
    RhelMinimal,
    /// No shell at all (distroless, scratch, Chainguard static).
    Distroless,
    Windows,
    Unknown,
}

/// Repositories by family: the short repository (`ubuntu`, `nvidia/cuda`)
/// or, ending in `/`, a prefix of it (`redhat/`). Checked in order.
const FAMILIES: &[(Distro, &[&str])] = &[
    (
        Distro::Distroless,
        &["gcr.io/distroless/", "cgr.dev/chainguard/static", "scratch"],
    ),
    (Distro::Windows, &["mcr.microsoft.com/windows/"]),
    (
        Distro::RhelMinimal,
        &[
            "redhat/ubi8-minimal",
            "redhat/ubi9-minimal",
            "registry.access.redhat.com/ubi8/ubi-minimal",
            "registry.access.redhat.com/ubi9/ubi-minimal",
            "registry.access.redhat.com/ubi8-minimal",
            "registry.access.redhat.com/ubi9-minimal",
            "registry.access.redhat.com/ubi9/ubi-micro",
            "registry.access.redhat.com/ubi8/ubi-micro",
            "redhat/ubi9-micro",
        ],
    ),
    (
        Distro::Rhel,
        &[
            "redhat/",
            "registry.access.redhat.com/",
            "fedora",
            "centos",
            "quay.io/centos/",
            "rockylinux",
            "rockylinux/",
            "almalinux",
            "almalinux/",
            "amazonlinux",
            "oraclelinux",
            "nvcr.io/nvidia/cuda-ubi",
        ],
    ),
    (Distro::Alpine, &["alpine", "busybox"]),
    (
        Distro::Debian,
        &[
            "ubuntu",
            "debian",
            "python",
            "nvidia/cuda",
            "nvcr.io/nvidia/cuda",
            "nvcr.io/nvidia/pytorch",
            "nvcr.io/nvidia/tensorflow",
            "nvcr.io/nvidia/tritonserver",
            "pytorch/pytorch",
            "tensorflow/tensorflow",
            "huggingface/transformers-pytorch-gpu",
            "continuumio/miniconda3",
            "continuumio/anaconda3",
            "mambaorg/micromamba",
            "node",
            "golang",
            "rust",
            "buildpack-deps",
            "openjdk",
            "eclipse-temurin",
            "ruby",
            "nginx",
        ],
    ),
];

pub fn distro(reference: &str) -> Distro {
    let image = ImageRef::parse(reference);
    let repo = image.short_repo().to_ascii_lowercase();
    let tag = image.tag.unwrap_or("").to_ascii_lowercase();
    // Variants named in the tag win over the repository's family.
    if tag.contains("servercore") || tag.contains("nanoserver") {
        return Distro::Windows;
    }
    if tag.contains("alpine") {
        return Distro::Alpine;
    }
    if repo.contains("distroless") {
        return Distro::Distroless;
    }
    for (family, repos) in FAMILIES {
        let hit = repos.iter().any(|r| match r.strip_suffix('/') {
            Some(prefix) => repo.starts_with(prefix) && repo.len() > prefix.len(),
            None => repo == *r,
        });
        if hit {
            return *family;
        }
    }
    if repo.contains("ubi") && (repo.contains("minimal") || repo.contains("micro")) {
        return Distro::RhelMinimal;
    }
    Distro::Unknown
}

/// The family a package manager belongs to, for a base the table does not
/// know but whose Dockerfile shows how it installs packages.
pub fn distro_of_package_manager(program: &str) -> Option<Distro> {
    Some(match program {
        "apt-get" | "apt" | "dpkg" => Distro::Debian,
        "apk" => Distro::Alpine,
        "dnf" | "yum" | "rpm" => Distro::Rhel,
        "microdnf" => Distro::RhelMinimal,
        _ => return None,
    })
}

/// The distribution and release an image is built on, as
/// `("ubuntu", "22.04")` or `("debian", "bookworm")`, when its name says or
/// the image is known to use one.
pub fn os_release(reference: &str) -> Option<(&'static str, String)> {
    let image = ImageRef::parse(reference);
    let repo = image.short_repo().to_ascii_lowercase();
    let tag = image.tag.unwrap_or("latest").to_ascii_lowercase();
    const UBUNTU: &[(&str, &str)] = &[("focal", "20.04"), ("jammy", "22.04"), ("noble", "24.04")];
    const DEBIAN: &[(&str, &str)] = &[("11", "bullseye"), ("12", "bookworm"), ("13", "trixie")];
    if let Some(i) = tag.find("ubuntu") {
        let version: String = tag[i + "ubuntu".len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if !version.is_empty() {
            return Some(("ubuntu", version));
        }
    }
    if repo == "ubuntu" {
        if let Some((_, v)) = UBUNTU.iter().find(|(code, _)| tag.starts_with(code)) {
            return Some(("ubuntu", v.to_string()));
        }
        let version: String = tag
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        return (!version.is_empty()).then_some(("ubuntu", version));
    }
    for (number, code) in DEBIAN {
        if tag.contains(code) {
            return Some(("debian", code.to_string()));
        }
        if repo == "debian"
            && (tag == *number
                || tag.starts_with(&format!("{number}-"))
                || tag.starts_with(&format!("{number}.")))
        {
            return Some(("debian", code.to_string()));
        }
    }
    match repo.as_str() {
        // The official python images are built on Debian's current release.
        "python" if !tag.contains("alpine") && !tag.contains("windows") => {
            Some(("debian", "bookworm".to_string()))
        }
        "pytorch/pytorch" => Some(("ubuntu", "22.04".to_string())),
        _ => None,
    }
}

/// The working directory an image starts in when the Dockerfile sets none,
/// for the images that set one of their own; `/` for the well-known plain
/// images; `None` when it is not known.
pub fn default_workdir(reference: &str) -> Option<&'static str> {
    let image = ImageRef::parse(reference);
    let repo = image.short_repo().to_ascii_lowercase();
    if repo == "pytorch/pytorch"
        || repo.starts_with("nvcr.io/nvidia/") && repo != "nvcr.io/nvidia/cuda"
    {
        return Some("/workspace");
    }
    match distro(reference) {
        Distro::Unknown | Distro::Windows => None,
        _ => Some("/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_profiles() {
        let cuda = BaseProfile::of("nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04");
        assert_eq!(cuda.distro, Distro::Debian);
        assert_eq!(cuda.packages, PackageManager::Apt);
        assert_eq!(cuda.release, Some(("ubuntu", "22.04".to_string())));
        assert_eq!(cuda.python, None);
        assert!(cuda.shell);
        let torch = BaseProfile::of("pytorch/pytorch:2.2.0-cuda12.1-cudnn8-devel");
        assert_eq!(torch.python.map(|p| p.frameworks), Some(true));
        let py = BaseProfile::of("python:3.11-slim");
        assert_eq!(
            py.python.map(|p| p.interpreter),
            Some("/usr/local/bin/python3")
        );
        let distroless = BaseProfile::of("gcr.io/distroless/python3-debian12");
        assert!(!distroless.shell);
        assert_eq!(distroless.packages, PackageManager::None);
        assert!(cuda
            .describe()
            .contains("ubuntu 22.04, apt packages, no Python of its own, a shell"));
    }

    #[test]
    fn devel_images_as_data() {
        let cuda = devel_image("nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04").unwrap();
        assert_eq!(
            cuda.runtime.as_deref(),
            Some("nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04")
        );
        let ngc = devel_image("nvcr.io/nvidia/pytorch:24.02-py3").unwrap();
        assert_eq!(ngc.runtime, None);
        assert!(ngc.advice.unwrap().contains("torch"));
        let sdk = devel_image("nvcr.io/nvidia/tritonserver:24.01-py3-sdk").unwrap();
        assert_eq!(
            sdk.runtime.as_deref(),
            Some("nvcr.io/nvidia/tritonserver:24.01-py3")
        );
        assert_eq!(devel_image("nvcr.io/nvidia/tritonserver:24.01-py3"), None);
        assert_eq!(devel_image("nvidia/cuda:12.1.0-runtime-ubuntu22.04"), None);
        assert_eq!(devel_image("python:3.11-slim"), None);
    }

    #[test]
    fn devel_to_runtime() {
        assert_eq!(
            runtime_counterpart("nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04").as_deref(),
            Some("nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04")
        );
        assert_eq!(
            runtime_counterpart("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel").as_deref(),
            Some("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime")
        );
        assert_eq!(
            runtime_counterpart("nvcr.io/nvidia/cuda:11.8.0-devel-ubuntu22.04").as_deref(),
            Some("nvcr.io/nvidia/cuda:11.8.0-runtime-ubuntu22.04")
        );
        assert_eq!(
            runtime_counterpart("tensorflow/tensorflow:2.15.0-devel-gpu").as_deref(),
            Some("tensorflow/tensorflow:2.15.0-gpu")
        );
        assert_eq!(
            runtime_counterpart("nvidia/cuda:12.1.0-runtime-ubuntu22.04"),
            None
        );
        assert_eq!(runtime_counterpart("python:3.11-slim"), None);
        assert_eq!(runtime_counterpart("localhost:5000/nvidia/cuda"), None);
    }

    #[test]
    fn nonroot_images_and_distros() {
        assert!(defaults_to_nonroot(
            "gcr.io/distroless/python3-debian12:nonroot"
        ));
        assert!(!defaults_to_nonroot("gcr.io/distroless/python3-debian12"));
        assert!(defaults_to_nonroot("cgr.dev/chainguard/python:latest"));
        assert_eq!(distro("python:3.11-alpine"), Distro::Alpine);
        assert_eq!(
            distro("nvidia/cuda:12.1.0-runtime-ubuntu22.04"),
            Distro::Debian
        );
        assert_eq!(
            distro("mcr.microsoft.com/windows/servercore:ltsc2022"),
            Distro::Windows
        );
        assert_eq!(distro("busybox:1.36"), Distro::Alpine);
        assert_eq!(distro("redhat/ubi9:9.3"), Distro::Rhel);
        assert_eq!(distro("redhat/ubi9-minimal"), Distro::RhelMinimal);
        assert_eq!(
            distro("registry.access.redhat.com/ubi9/ubi-minimal:9.3"),
            Distro::RhelMinimal
        );
        assert_eq!(distro("rockylinux:9"), Distro::Rhel);
        assert_eq!(distro("gcr.io/distroless/cc-debian12"), Distro::Distroless);
        assert_eq!(distro("scratch"), Distro::Distroless);
        assert_eq!(distro("myorg/base:1"), Distro::Unknown);
        assert_eq!(
            os_release("nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04"),
            Some(("ubuntu", "22.04".to_string()))
        );
        assert_eq!(
            os_release("ubuntu:jammy"),
            Some(("ubuntu", "22.04".to_string()))
        );
        assert_eq!(
            os_release("python:3.11-slim"),
            Some(("debian", "bookworm".to_string()))
        );
        assert_eq!(
            os_release("python:3.10-bullseye"),
            Some(("debian", "bullseye".to_string()))
        );
        assert_eq!(
            os_release("debian:12-slim"),
            Some(("debian", "bookworm".to_string()))
        );
        assert_eq!(os_release("myorg/base:1"), None);
        assert_eq!(
            distro_of_package_manager("microdnf"),
            Some(Distro::RhelMinimal)
        );
    }
}
