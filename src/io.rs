//! Reading Dockerfiles and replacing them on disk without surprises.
//!
//! Reads are bounded: only regular files are opened (a FIFO would block, a
//! device may never end), and no more than a limit plus one byte is read,
//! so a huge or endless input fails fast instead of exhausting memory.
//! Decoding tells a binary file or a UTF-16 one from text, and keeps text
//! that is not valid UTF-8 readable (BuildKit builds it: Go strings are
//! bytes) while saying where it stops being UTF-8.
//!
//! Writes replace a file atomically: a temporary file with a random name,
//! created with `O_EXCL` beside the target (so a symlink planted at that
//! name is never followed), given the target's owner, group and mode,
//! flushed, then renamed over the target, and the directory flushed. A
//! reader sees the old text or the new one, never a mix, even when the
//! process is killed half way.

use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The largest file read when nothing else is asked: far above any real
/// Dockerfile, far below what would hurt a CI runner's memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Why a file's bytes could not be read or are not a Dockerfile's text.
#[derive(Debug)]
pub enum ReadError {
    /// The path names something other than a regular file: `kind` is what
    /// it is, with its article ("a FIFO", "a directory").
    NotRegular { kind: &'static str },
    /// More than `limit` bytes: the rest was not read.
    TooLarge { limit: u64 },
    /// The operating system refused to open or read it.
    Io(io::Error),
    /// A NUL byte at `line:column` (1-based): a binary file, or UTF-16
    /// without a byte order mark when `utf16` says the bytes look like it.
    Nul {
        line: usize,
        column: usize,
        utf16: bool,
    },
    /// A UTF-16 or UTF-32 byte order mark: `encoding` names which.
    WideEncoding { encoding: &'static str },
}

impl ReadError {
    /// The 1-based line and column the error points at (the start when it
    /// has no better place).
    pub fn position(&self) -> (usize, usize) {
        match self {
            ReadError::Nul { line, column, .. } => (*line, *column),
            _ => (1, 1),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular { kind } => write!(f, "is {kind}, not a regular file"),
            ReadError::TooLarge { limit } => {
                write!(f, "file is larger than {} (the limit)", format_size(*limit))
            }
            ReadError::Io(e) => write!(f, "cannot read file: {e}"),
            ReadError::Nul { utf16: false, .. } => {
                f.write_str("file contains NUL bytes: not a Dockerfile")
            }
            ReadError::Nul { utf16: true, .. } => f.write_str(
                "file contains NUL bytes: not a Dockerfile (it looks like UTF-16 \
                 without a byte order mark; save it as UTF-8)",
            ),
            ReadError::WideEncoding { encoding } => write!(
                f,
                "file is {encoding} (it starts with a byte order mark); \
                 save it as UTF-8, which is what BuildKit reads"
            ),
        }
    }
}

// The underlying error is part of the message, so it is not also a
// `source` (which would print it twice in a chain).
impl std::error::Error for ReadError {}

/// A size for people: whole KiB, MiB or GiB when it is one, else bytes.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// What identifies a file's content on disk when it was read: if any of it
/// differs when the file is about to be replaced, someone else wrote it in
/// between, and replacing it would lose their change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    pub fn of(meta: &Metadata) -> Stamp {
        let (dev, ino) = unix::dev_ino(meta);
        Stamp {
            dev,
            ino,
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A file's bytes and its [`Stamp`] as they were read.
#[derive(Debug)]
pub struct FileBytes {
    pub bytes: Vec<u8>,
    pub stamp: Stamp,
}

/// What a path is when it is not a regular file, with its article.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else {
        Some(unix::special_kind(&t))
    }
}

/// Read a regular file, at most `limit` bytes. The type is checked before
/// opening, for the common case, and again on the open file: the path may
/// have been swapped for a FIFO in between, so the open itself never waits
/// (see [`open_regular`]).
pub fn read_file(path: &Path, limit: u64) -> Result<FileBytes, ReadError> {
    let meta = fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(kind) = not_regular(&meta) {
        return Err(ReadError::NotRegular { kind });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let (file, meta) = open_regular(path)?;
    // Sized from the open file: one allocation, not a doubling buffer that
    // holds up to twice the file while it grows. The file may still grow
    // before it is read; `read_limited` takes care of that.
    let expected = meta.len().min(limit).saturating_add(1);
    let bytes = read_limited_into(file, limit, usize::try_from(expected).unwrap_or(0))?;
    Ok(FileBytes {
        bytes,
        stamp: Stamp::of(&meta),
    })
}

/// Open a path for reading only if it is a regular file, never waiting.
///
/// Opening a FIFO for reading waits for a writer, and a check of the path
/// before the open cannot rule one out (the path can change in between).
/// So the open is non-blocking, which returns at once for a FIFO, and the
/// type is then checked on the open file itself (`fstat`). A regular file
/// ignores the non-blocking flag: its reads are the ordinary ones.
fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = not_regular(&meta) {
        return Err(ReadError::NotRegular { kind });
    }
    Ok((file, meta))
}

/// Read a stream to its end, but never more than `limit + 1` bytes: one
/// byte past the limit is enough to know it is too large.
pub fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_limited_into(reader, limit, 0)
}

/// [`read_limited`] into a buffer of `capacity` bytes to start with.
fn read_limited_into(reader: impl Read, limit: u64, capacity: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Where a file stops being UTF-8: the first invalid byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8 {
    /// 1-based line and column (in characters) of the first invalid byte.
    pub line: usize,
    pub column: usize,
    pub byte: u8,
    /// How many invalid sequences there are, each now one U+FFFD.
    pub count: usize,
}

impl fmt::Display for InvalidUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid byte 0x{:02X}", self.byte)?;
        if self.count > 1 {
            write!(f, ", {} invalid sequences in all", self.count)?;
        }
        Ok(())
    }
}

/// A file's text: exact when the bytes are UTF-8, else with each invalid
/// sequence replaced by U+FFFD and `invalid_utf8` saying where the first was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    pub invalid_utf8: Option<InvalidUtf8>,
}

/// Decode a file's bytes as BuildKit would read them, or say why they are
/// not a Dockerfile: a UTF-16 or UTF-32 byte order mark, or a NUL byte.
pub fn decode(bytes: Vec<u8>) -> Result<Text, ReadError> {
    // UTF-32 first: its little-endian mark starts with UTF-16's.
    const MARKS: [(&[u8], &str); 4] = [
        (&[0xFF, 0xFE, 0, 0], "little-endian UTF-32"),
        (&[0, 0, 0xFE, 0xFF], "big-endian UTF-32"),
        (&[0xFF, 0xFE], "little-endian UTF-16"),
        (&[0xFE, 0xFF], "big-endian UTF-16"),
    ];
    if let Some((_, encoding)) = MARKS.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(ReadError::WideEncoding { encoding });
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_col(&bytes, at);
        return Err(ReadError::Nul {
            line,
            column,
            utf16: looks_like_utf16(&bytes),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Text {
            text,
            invalid_utf8: None,
        }),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut first = None;
            let mut count = 0;
            let mut at = 0;
            for chunk in bytes.utf8_chunks() {
                at += chunk.valid().len();
                if !chunk.invalid().is_empty() {
                    first.get_or_insert(at);
                    count += 1;
                }
                at += chunk.invalid().len();
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let invalid_utf8 = first.map(|at| {
                let (line, column) = line_col(&bytes, at);
                InvalidUtf8 {
                    line,
                    column,
                    byte: bytes[at],
                    count,
                }
            });
            Ok(Text { text, invalid_utf8 })
        }
    }
}

/// 1-based line and column of a byte offset; the column counts characters
/// as an editor shows them (an invalid sequence counts as one).
fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// ASCII text in UTF-16 has a NUL in every other byte: a hint worth giving
/// when a file has no byte order mark to say so.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64) & !1];
    if head.len() < 4 {
        return false;
    }
    let pairs = || head.chunks_exact(2);
    let le = pairs().all(|p| p[0] != 0 && p[1] == 0);
    let be = pairs().all(|p| p[0] == 0 && p[1] != 0);
    le || be
}

/// Why a file was not replaced. Nothing was changed on disk in any case.
#[derive(Debug)]
pub enum WriteError {
    /// The path could not be followed to a file.
    Resolve(io::Error),
    NotRegular {
        kind: &'static str,
    },
    /// Other names share the file: a rename gives this name a new file and
    /// leaves them the old text. Refused unless forced.
    HardLinks {
        links: u64,
    },
    /// The file's mode lets no one write it. Refused unless forced.
    ReadOnly {
        mode: u32,
    },
    /// This user may not write the file. Refused unless forced.
    NoWritePermission,
    /// The file changed on disk after it was read.
    Changed,
    /// No temporary file can be made beside the target (a read-only
    /// directory, a full disk).
    TempFile {
        dir: PathBuf,
        source: io::Error,
    },
    /// Writing, flushing or giving the temporary file its owner and mode failed.
    Write {
        what: &'static str,
        source: io::Error,
    },
    /// The rename over the target failed.
    Rename(io::Error),
}

impl WriteError {
    /// Whether `force` would have let the write go ahead.
    pub fn needs_force(&self) -> bool {
        matches!(
            self,
            WriteError::HardLinks { .. }
                | WriteError::ReadOnly { .. }
                | WriteError::NoWritePermission
        )
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Resolve(e) => write!(f, "cannot resolve the path: {e}"),
            WriteError::NotRegular { kind } => write!(f, "is {kind}, not a regular file"),
            WriteError::HardLinks { links } => write!(
                f,
                "the file has {links} hard links: replacing it would give this name \
                 the fixed text and leave the other links the old one"
            ),
            WriteError::ReadOnly { mode } => write!(f, "the file is read-only (mode {mode:04o})"),
            WriteError::NoWritePermission => f.write_str("no permission to write the file"),
            WriteError::Changed => f.write_str(
                "the file changed on disk while it was being fixed; it was left as it is now",
            ),
            WriteError::TempFile { dir, source } => write!(
                f,
                "cannot create a temporary file in {} to replace the file safely: {source}",
                dir.display()
            ),
            WriteError::Write { what, source } => write!(f, "cannot {what}: {source}"),
            WriteError::Rename(e) => write!(f, "cannot rename the temporary file over it: {e}"),
        }
    }
}

impl std::error::Error for WriteError {}

/// The name every temporary file starts with. With [`TEMP_SUFFIX`] it can
/// never be a name directory discovery lints (those contain "dockerfile"
/// or "containerfile"), so one left behind by a killed run is never linted.
pub const TEMP_PREFIX: &str = ".dflint-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Replace the file at `path` with `content`, atomically.
///
/// A symlink is followed: its target is replaced and the link stays a link.
/// The new file keeps the old one's owner, group (where this user may set
/// them) and mode. `read` is the stamp of the file when it was read: when
/// the file has changed since, nothing is written. Unless `force`, a file
/// with other hard links or one that cannot be written is refused.
pub fn replace_file(
    path: &Path,
    content: &[u8],
    read: Option<Stamp>,
    force: bool,
) -> Result<(), WriteError> {
    let target = fs::canonicalize(path).map_err(WriteError::Resolve)?;
    let meta = fs::metadata(&target).map_err(WriteError::Resolve)?;
    if let Some(kind) = not_regular(&meta) {
        return Err(WriteError::NotRegular { kind });
    }
    let unchanged = |meta: &Metadata| read.is_none_or(|s| s == Stamp::of(meta));
    if !unchanged(&meta) {
        return Err(WriteError::Changed);
    }
    if !force {
        let links = unix::nlink(&meta);
        if links > 1 {
            return Err(WriteError::HardLinks { links });
        }
        if meta.permissions().readonly() {
            return Err(WriteError::ReadOnly {
                mode: unix::mode(&meta),
            });
        }
        // Ask the system rather than reading mode bits: groups, ACLs and
        // root all count. Opening for writing changes nothing by itself.
        if let Err(e) = fs::OpenOptions::new().write(true).open(&target) {
            if e.kind() == io::ErrorKind::PermissionDenied {
                return Err(WriteError::NoWritePermission);
            }
        }
    }
    let dir = target.parent().unwrap_or(Path::new("/"));
    let mut tmp = temp_file_in(dir, 6).map_err(|e| WriteError::TempFile {
        dir: dir.to_path_buf(),
        source: without_temp_path(e),
    })?;
    let failed = |what| move |source| WriteError::Write { what, source };
    tmp.write_all(content)
        .map_err(failed("write the temporary file"))?;
    // Owner before mode: changing the owner clears set-user-ID bits.
    unix::copy_owner(tmp.as_file(), &meta).map_err(failed("copy the file's owner"))?;
    tmp.as_file()
        .set_permissions(meta.permissions())
        .map_err(failed("copy the file's permissions"))?;
    tmp.as_file()
        .sync_all()
        .map_err(failed("flush the temporary file"))?;
    // Last look before the rename: an edit made while fixing is kept.
    match fs::metadata(&target) {
        Ok(now) if unchanged(&now) => {}
        _ => return Err(WriteError::Changed),
    }
    tmp.persist(&target)
        .map_err(|e| WriteError::Rename(e.error))?;
    // The rename is durable only once the directory is flushed. The file
    // is already replaced, so a failure here (some file systems refuse to
    // flush a directory) is not worth reporting as a failed write.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// tempfile names the temporary file in its errors (`... at path
/// "/dir/.dflint-x1Y2z3.tmp"`); the message names the directory already,
/// and a random name that never existed only confuses.
fn without_temp_path(e: io::Error) -> io::Error {
    let message = e.to_string();
    match message.split_once(" at path ") {
        Some((plain, _)) => io::Error::new(e.kind(), plain.to_string()),
        None => e,
    }
}

/// A new file in `dir` named [`TEMP_PREFIX`], `random` random characters,
/// [`TEMP_SUFFIX`]: created with `O_CREAT | O_EXCL`, which fails on any
/// existing name, a symlink included, instead of following it.
fn temp_file_in(dir: &Path, random: usize) -> io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(random)
        .tempfile_in(dir)
}

#[cfg(unix)]
mod unix {
    use std::fs::{File, FileType, Metadata};
    use std::io;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    pub fn special_kind(t: &FileType) -> &'static str {
        if t.is_fifo() {
            "a FIFO"
        } else if t.is_char_device() {
            "a character device"
        } else if t.is_block_device() {
            "a block device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "not a file"
        }
    }

    pub fn dev_ino(meta: &Metadata) -> (u64, u64) {
        (meta.dev(), meta.ino())
    }

    pub fn nlink(meta: &Metadata) -> u64 {
        meta.nlink()
    }

    pub fn mode(meta: &Metadata) -> u32 {
        meta.mode() & 0o7777
    }

    /// Give `file` the owner and group of `like`. Only root may give a file
    /// away; anyone may set a group they belong to. What this user may not
    /// do is skipped: the file is then theirs, with the original mode.
    pub fn copy_owner(file: &File, like: &Metadata) -> io::Result<()> {
        let denied = |r: io::Result<()>| match r {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
            r => r,
        };
        let now = file.metadata()?;
        if (now.uid(), now.gid()) == (like.uid(), like.gid()) {
            return Ok(());
        }
        match std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid())) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                denied(std::os::unix::fs::fchown(file, None, Some(like.gid())))
            }
            r => r,
        }
    }
}

#[cfg(not(unix))]
mod unix {
    use std::fs::{File, FileType, Metadata};
    use std::io;

    pub fn special_kind(_: &FileType) -> &'static str {
        "not a file"
    }
    pub fn dev_ino(_: &Metadata) -> (u64, u64) {
        (0, 0)
    }
    pub fn nlink(_: &Metadata) -> u64 {
        1
    }
    pub fn mode(meta: &Metadata) -> u32 {
        if meta.permissions().readonly() {
            0o444
        } else {
            0o644
        }
    }
    pub fn copy_owner(_: &File, _: &Metadata) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(format_size(DEFAULT_MAX_FILE_SIZE), "64 MiB");
        assert_eq!(format_size(3 << 30), "3 GiB");
        assert_eq!(format_size(1536), "1536 bytes");
        assert_eq!(format_size(2048), "2 KiB");
        assert_eq!(format_size(0), "0 bytes");
    }

    /// A FIFO that takes the file's place after the type check is opened
    /// without waiting for a writer, and refused.
    #[cfg(unix)]
    #[test]
    fn a_fifo_swapped_in_after_the_check_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Dockerfile");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // The open on its own, as after a check that saw a regular file; on
        // a thread, so a blocking open fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(open_regular(&fifo).map(|_| ()));
        });
        let result = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("opening a FIFO waited for a writer");
        assert!(
            matches!(result, Err(ReadError::NotRegular { kind: "a FIFO" })),
            "{result:?}"
        );
    }

    #[test]
    fn a_regular_file_opened_without_waiting_reads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        let text = "FROM scratch\n".repeat(10_000);
        fs::write(&path, &text).unwrap();
        let file = read_file(&path, DEFAULT_MAX_FILE_SIZE).unwrap();
        assert_eq!(file.bytes, text.as_bytes());
        assert!(matches!(
            read_file(&path, 100),
            Err(ReadError::TooLarge { limit: 100 })
        ));
    }

    #[test]
    fn reads_stop_one_byte_past_the_limit() {
        let endless = io::repeat(b'x');
        match read_limited(endless, 10) {
            Err(ReadError::TooLarge { limit: 10 }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(read_limited(&b"0123456789"[..], 10).unwrap().len(), 10);
    }

    #[test]
    fn decoding_tells_binary_and_wide_text_from_latin1() {
        let e = decode(b"FROM a\nRUN x\0y\n".to_vec()).unwrap_err();
        assert_eq!(e.position(), (2, 6));
        assert_eq!(e.to_string(), "file contains NUL bytes: not a Dockerfile");
        let utf16: Vec<u8> = "FROM a\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(decode(utf16).unwrap_err().to_string().contains("UTF-16"));
        let mut marked = vec![0xFE, 0xFF];
        marked.extend("FROM a\n".encode_utf16().flat_map(u16::to_be_bytes));
        let e = decode(marked).unwrap_err().to_string();
        assert!(
            e.contains("big-endian UTF-16") && e.contains("save it as UTF-8"),
            "{e}"
        );

        let t = decode(b"FROM a\n# caf\xe9 \xff\nRUN \xe9\n".to_vec()).unwrap();
        assert_eq!(t.text, "FROM a\n# caf\u{fffd} \u{fffd}\nRUN \u{fffd}\n");
        let bad = t.invalid_utf8.unwrap();
        assert_eq!((bad.line, bad.column, bad.byte, bad.count), (2, 6, 0xE9, 3));
        assert!(decode("FROM é\n".into()).unwrap().invalid_utf8.is_none());
    }

    #[test]
    fn an_existing_name_is_never_followed() {
        // With no random part the name is known in advance: plant a symlink
        // there, as an attacker sharing the directory could.
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let planted = dir.path().join(format!("{TEMP_PREFIX}{TEMP_SUFFIX}"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        #[cfg(not(unix))]
        fs::write(&planted, "").unwrap();
        let e = temp_file_in(dir.path(), 0).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
    }
}
