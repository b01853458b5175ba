//! `dflint fix` replaces files safely: atomically (a kill leaves the old
//! text or the new, never a mix), through symlinks, keeping owner, group and
//! mode, never following a planted link, refusing hard-linked and read-only
//! files unless forced, and leaving nothing that discovery would lint.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use dflint::io::{TEMP_PREFIX, TEMP_SUFFIX};

const DIRTY: &str =
    "FROM python:3.11-slim\nRUN useradd app\nUSER app\nRUN pip install flask\nCMD [\"python\"]\n";

fn dflint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dflint"));
    c.env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

fn run(args: &[&str]) -> Output {
    dflint().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What `dflint fix -` makes of a text: the fully fixed file.
fn fixed_text(input: &str) -> String {
    use std::io::Write;
    let mut child = dflint()
        .args(["fix", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(2));
    String::from_utf8(out.stdout).unwrap()
}

/// The names in a directory.
fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

/// Whether this process may write and read whatever the modes say (root).
fn privileged(dir: &Path) -> bool {
    let probe = dir.join("probe");
    fs::write(&probe, "x").unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    let yes = File::open(&probe).is_ok();
    fs::remove_file(&probe).unwrap();
    yes
}

#[test]
fn a_fix_keeps_mode_owner_and_group_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    fs::write(&path, DIRTY).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    // Only root may give a file away; then the owner must survive the fix.
    let owned = std::os::unix::fs::chown(&path, Some(12345), Some(23456)).is_ok();
    let before = fs::metadata(&path).unwrap();
    let out = run(&["fix", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = fs::metadata(&path).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed_text(DIRTY));
    assert_ne!(after.ino(), before.ino(), "not replaced by a rename");
    assert_eq!(after.mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    if owned {
        assert_eq!((after.uid(), after.gid()), (12345, 23456));
    }
    assert_eq!(
        names(dir.path()),
        BTreeSet::from(["Dockerfile".to_string()])
    );
}

#[test]
fn a_planted_symlink_at_a_temporary_name_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim");
    fs::write(&victim, "precious\n").unwrap();
    let path = dir.path().join("Dockerfile");
    fs::write(&path, DIRTY).unwrap();
    // Names of the temporary file's shape, pointing at a file to protect
    // and at nothing at all (a dangling link would be created through).
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut planted = Vec::new();
    for n in 0..2000 {
        let name: String = (0..6)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        let link = dir.path().join(format!("{TEMP_PREFIX}{name}{TEMP_SUFFIX}"));
        let to = if n % 2 == 0 {
            victim.clone()
        } else {
            elsewhere.path().join(format!("dangling{n}"))
        };
        if std::os::unix::fs::symlink(&to, &link).is_ok() {
            planted.push((link, to));
        }
    }
    let out = run(&["fix", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed_text(DIRTY));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(
        names(elsewhere.path()),
        BTreeSet::from(["victim".to_string()])
    );
    for (link, to) in &planted {
        assert!(fs::symlink_metadata(link).unwrap().file_type().is_symlink());
        assert_eq!(&fs::read_link(link).unwrap(), to);
    }
    assert_eq!(names(dir.path()).len(), planted.len() + 1);
}

#[test]
fn a_symlinked_dockerfile_is_fixed_through_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("real");
    let link_dir = dir.path().join("links");
    fs::create_dir_all(&real_dir).unwrap();
    fs::create_dir_all(&link_dir).unwrap();
    let real = real_dir.join("app.Dockerfile");
    fs::write(&real, DIRTY).unwrap();
    let link = link_dir.join("Dockerfile");
    std::os::unix::fs::symlink("../real/app.Dockerfile", &link).unwrap();
    let out = run(&["fix", s(&link)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_link(&link).unwrap(),
        PathBuf::from("../real/app.Dockerfile")
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), fixed_text(DIRTY));
    // The diff names the path that was given.
    assert!(text(&out.stdout).contains(&format!("+++ {}", s(&link))));
    assert_eq!(names(&real_dir), BTreeSet::from(["app.Dockerfile".into()]));
    assert_eq!(names(&link_dir), BTreeSet::from(["Dockerfile".into()]));
}

#[test]
fn a_hard_linked_file_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    let other = dir.path().join("Dockerfile.copy");
    fs::write(&path, DIRTY).unwrap();
    fs::hard_link(&path, &other).unwrap();
    let out = run(&["fix", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "{}: error: the file has 2 hard links: replacing it would give this name the \
             fixed text and leave the other links the old one; not written (use --force \
             to replace it anyway)\n",
            s(&path)
        )
    );
    // The diff is printed only for what was written.
    assert!(!text(&out.stdout).contains("@@"), "{}", text(&out.stdout));
    assert_eq!(fs::read_to_string(&path).unwrap(), DIRTY);
    // `--diff` writes nothing, so it has nothing to refuse.
    let out = run(&["fix", "--diff", s(&path)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    let out = run(&["fix", "--force", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed_text(DIRTY));
    assert_eq!(fs::read_to_string(&other).unwrap(), DIRTY);
    assert_eq!(fs::metadata(&path).unwrap().nlink(), 1);
}

#[test]
fn a_read_only_file_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    fs::write(&path, DIRTY).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(&["fix", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "{}: error: the file is read-only (mode 0444); not written (use --force to \
             replace it anyway)\n",
            s(&path)
        )
    );
    assert!(!text(&out.stdout).contains("@@"));
    assert_eq!(fs::read_to_string(&path).unwrap(), DIRTY);
    let out = run(&["fix", "--force", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed_text(DIRTY));
    assert_eq!(fs::metadata(&path).unwrap().mode() & 0o7777, 0o444);
}

#[test]
fn a_read_only_directory_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    fs::create_dir(&sub).unwrap();
    let path = sub.join("Dockerfile");
    fs::write(&path, DIRTY).unwrap();
    let root = privileged(dir.path());
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o555)).unwrap();
    let out = run(&["fix", s(&path)]);
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    if root {
        // Directory modes do not bind root: the fix goes through.
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(fs::read_to_string(&path).unwrap(), fixed_text(DIRTY));
    } else {
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            text(&out.stderr),
            format!(
                "{}: error: cannot create a temporary file in {} to replace the file \
                 safely: Permission denied (os error 13)\n",
                s(&path),
                fs::canonicalize(&sub).unwrap().display()
            )
        );
        assert!(!text(&out.stdout).contains("@@"));
        assert_eq!(fs::read_to_string(&path).unwrap(), DIRTY);
    }
    assert_eq!(names(&sub), BTreeSet::from(["Dockerfile".to_string()]));
}

#[test]
fn a_file_changed_after_it_was_read_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    fs::write(&path, DIRTY).unwrap();
    let read = dflint::io::read_file(&path, 1 << 20).unwrap();
    // Someone saves the file while it is being fixed.
    fs::write(&path, "FROM alpine\n").unwrap();
    let e = dflint::io::replace_file(&path, b"FROM fixed\n", Some(read.stamp), false).unwrap_err();
    assert!(matches!(e, dflint::io::WriteError::Changed), "{e}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "FROM alpine\n");
    assert_eq!(
        names(dir.path()),
        BTreeSet::from(["Dockerfile".to_string()])
    );
}

#[test]
fn temporary_names_are_never_linted_by_directory_discovery() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), DIRTY).unwrap();
    // What a killed run may leave: full or partial text under a temporary name.
    for name in ["Ab12Cd", "dockrf", "zzzzzz"] {
        let tmp = dir.path().join(format!("{TEMP_PREFIX}{name}{TEMP_SUFFIX}"));
        fs::write(&tmp, "FROM a\nRUN pip install x\nRUN <<EOF\n").unwrap();
    }
    let out = run(&["check", "--format", "json", s(dir.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: BTreeSet<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    let expected = dir.path().join("Dockerfile");
    assert_eq!(files, BTreeSet::from([s(&expected)]));
}

/// A Dockerfile of about 1.5 MB with a fix on every line.
fn large_dockerfile() -> String {
    let mut s = String::from("FROM python:3.11-slim\nRUN useradd app\nUSER app\n");
    let mut i = 0;
    while s.len() < 1_500_000 {
        s.push_str(&format!(
            "RUN pip install package{i} && echo {}\n",
            "x".repeat(1500)
        ));
        i += 1;
    }
    s
}

#[test]
fn a_fix_killed_at_any_moment_leaves_the_old_text_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    let original = large_dockerfile();
    let fixed = fixed_text(&original);
    assert_ne!(fixed, original);

    // One run to the end: how long a whole fix takes here, now.
    fs::write(&path, &original).unwrap();
    let started = Instant::now();
    let out = dflint()
        .args(["fix", s(&path)])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let whole = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(fs::read_to_string(&path).unwrap() == fixed);

    let mut seed = std::process::id() as u64 ^ started.elapsed().as_nanos() as u64 | 1;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 10_000) as f64 / 10_000.0
    };
    let (mut kept, mut replaced) = (0, 0);
    // When the rename lands, from the start of a run: other work on the
    // machine moves it, so each run corrects the estimate (the whole run
    // also makes the diff after the rename).
    let mut rename_at = whole.mul_f64(0.6);
    // Fifty kills, unless the machine is so slow that they would take long.
    let budget = Instant::now();
    for n in 0..50 {
        if n >= 10 && budget.elapsed() > Duration::from_secs(15) {
            break;
        }
        fs::write(&path, &original).unwrap();
        let inode = fs::metadata(&path).unwrap().ino();
        // Half the kills anywhere in the run, half around the rename.
        let at = if n % 2 == 0 {
            random() * 1.3
        } else {
            0.85 + random() * 0.25
        };
        let deadline = rename_at.mul_f64(at);
        let started = Instant::now();
        let mut child = dflint()
            .args(["fix", s(&path)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut renamed = None;
        while started.elapsed() < deadline {
            if renamed.is_none() && fs::metadata(&path).is_ok_and(|m| m.ino() != inode) {
                renamed = Some(started.elapsed());
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        // SIGKILL on Unix: no chance to clean up. (An error: it had ended.)
        let _ = child.kill();
        child.wait().unwrap();
        let replaced_now = fs::metadata(&path).unwrap().ino() != inode;
        rename_at = match (renamed, replaced_now) {
            (Some(t), _) => t,
            // Between the last look and the deadline.
            (None, true) => deadline.mul_f64(0.95),
            // Not yet at the estimate: the run is slower than it was.
            (None, false) if deadline >= rename_at => deadline.mul_f64(1.05),
            (None, false) => rename_at,
        };
        let now = fs::read(&path).unwrap();
        if now == original.as_bytes() {
            kept += 1;
        } else if now == fixed.as_bytes() {
            replaced += 1;
        } else {
            panic!(
                "kill {n} at {at:.2} of the run left {} bytes that are neither text",
                now.len()
            );
        }
    }
    eprintln!("kills: {kept} left the original, {replaced} the fixed text");
    assert!(kept > 0, "no kill landed before the rename");
    assert!(replaced > 0, "no run finished");

    // Killed runs may leave temporary files, but none discovery would lint.
    for name in names(dir.path()) {
        assert!(
            name == "Dockerfile" || (name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)),
            "{name}"
        );
    }
    fs::write(&path, DIRTY).unwrap();
    let out = run(&["check", "--format", "json", s(dir.path())]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for f in findings.as_array().unwrap() {
        assert_eq!(f["file"].as_str(), Some(s(&path)));
    }
}
