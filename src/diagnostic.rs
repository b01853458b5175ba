//! The bottom of the library: what a rule reports ([`Diagnostic`]), how bad
//! it is ([`Severity`]), and how to fix it ([`Fix`], [`Edit`],
//! [`Applicability`]). This module imports nothing from the layers above it
//! (rules, fixes, the rewrite), so every layer can speak these types.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex};

use serde::Serialize;
use smallvec::SmallVec;

use crate::syntax::Span;

/// How bad a finding is. The order is the order of gravity, so a failure
/// threshold is a comparison: `style < info < warning < error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    /// `error`, `warning`, `info` or `style`, any case.
    fn from_str(s: &str) -> Result<Severity, String> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected one of: error, warning, info, style)")
            })
    }
}

/// A finding's or an edit's text: a fixed sentence borrowed, or a composed
/// one shared with the findings before it that said the same. A generated
/// file can have a finding a line, most with the same help and the same
/// edit text: one copy each, not one per finding. Reads as a `str`.
///
/// 16 bytes: a fixed sentence is held through a handle of one pointer (see
/// [`Text::fixed`]), which leaves room for the tag beside a shared text's
/// pointer and length. A finding holds three texts (message, help, its
/// edit's text), and a file can have a finding on every line.
#[derive(Clone)]
pub enum Text {
    Static(&'static &'static str),
    Shared(Arc<str>),
}

/// How many recent composed texts each thread remembers for sharing: enough
/// for the message, help and edit of the rule being run, which repeat
/// finding after finding.
const RECENT: usize = 8;

thread_local! {
    static RECENT_TEXTS: RefCell<Vec<Arc<str>>> = const { RefCell::new(Vec::new()) };
    /// Where [`Text::format`] composes a text before it knows whether a
    /// recent one already says it.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
    /// The handles of [`ALL_FIXED`] this thread has used, asked without a
    /// lock (the rules of a file run on several threads).
    static FIXED: RefCell<FixedHandles> = RefCell::new(FixedHandles::default());
}

/// A fixed sentence's handle, by the sentence's address and length.
type FixedHandles = foldhash::HashMap<(usize, usize), &'static &'static str>;

/// The handle of each fixed sentence a text has been made of: one made, and
/// kept for the run, per sentence of the program (a bounded number, as each
/// is a literal or an entry of a data table). Held here for the life of the
/// process, not by a thread, so that every handle stays reachable.
static ALL_FIXED: LazyLock<Mutex<FixedHandles>> = LazyLock::new(Mutex::default);

/// `format!` for a [`Text`]: `text!("`{what}` keeps its cache")`.
macro_rules! text {
    ($($arg:tt)*) => {
        $crate::diagnostic::Text::format(format_args!($($arg)*))
    };
}
pub(crate) use text;

impl Text {
    /// A composed text, shared with a recent equal one when there is one.
    pub fn share(text: String) -> Text {
        Text::shared(&text, || Arc::from(text.as_str()))
    }

    /// A text composed from `args` (what `format!` takes; see [`text!`]),
    /// shared like [`Text::share`]. Written into a buffer each thread
    /// keeps: when a recent text says the same, as it does finding after
    /// finding, nothing is allocated.
    pub fn format(args: fmt::Arguments<'_>) -> Text {
        if let Some(fixed) = args.as_str() {
            return Text::fixed(fixed);
        }
        SCRATCH
            .with(|scratch| {
                // Busy only if a value being written composes a text of
                // its own: that one takes the plain way.
                let mut buf = scratch.try_borrow_mut().ok()?;
                buf.clear();
                // One long text does not hold its size for the thread's life.
                if buf.capacity() > 4096 {
                    *buf = String::new();
                }
                fmt::write(&mut *buf, args).ok()?;
                Some(Text::shared(&buf, || Arc::from(buf.as_str())))
            })
            .unwrap_or_else(|| Text::share(fmt::format(args)))
    }

    /// `text`, as the recent text equal to it or as a new one `make` builds.
    fn shared(text: &str, make: impl FnOnce() -> Arc<str>) -> Text {
        RECENT_TEXTS.with(|recent| {
            let mut recent = recent.borrow_mut();
            // The newest first: a rule's message, help and edit come round
            // in turn, each three texts back.
            if let Some(at) = recent.iter().rposition(|t| **t == *text) {
                // Most recent last: a text that keeps coming stays.
                let hit = recent.remove(at);
                recent.push(Arc::clone(&hit));
                return Text::Shared(hit);
            }
            let made = make();
            if recent.len() == RECENT {
                recent.remove(0);
            }
            recent.push(Arc::clone(&made));
            Text::Shared(made)
        })
    }

    /// A fixed sentence: `&'static str` from the program's own text.
    pub fn fixed(sentence: &'static str) -> Text {
        let key = (sentence.as_ptr() as usize, sentence.len());
        FIXED
            .with(|handles| {
                let mut handles = handles.try_borrow_mut().ok()?;
                if let Some(&handle) = handles.get(&key) {
                    return Some(Text::Static(handle));
                }
                let mut all = ALL_FIXED.lock().ok()?;
                let handle: &'static &'static str = all
                    .entry(key)
                    .or_insert_with(|| Box::leak(Box::new(sentence)));
                handles.insert(key, handle);
                Some(Text::Static(handle))
            })
            // Only if this thread were already making one (it never is), or
            // another panicked while it held the lock.
            .unwrap_or_else(|| Text::Shared(Arc::from(sentence)))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Shared(s) => s,
        }
    }

    /// Append to the text (a new composed text, shared as any other).
    pub fn push_str(&mut self, more: &str) {
        let mut text = String::with_capacity(self.len() + more.len());
        text.push_str(self);
        text.push_str(more);
        *self = Text::share(text);
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::Static(&"")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Text {
        Text::fixed(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::share(s)
    }
}

/// Replace the text at `span` with `replacement` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: Text,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<Text>) -> Edit {
        Edit {
            span: Span::new(at, at),
            replacement: text.into(),
        }
    }
    pub fn replace(span: Span, text: impl Into<Text>) -> Edit {
        Edit {
            span,
            replacement: text.into(),
        }
    }
    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// Apply edits to a text. Identical edits count once; edits must not overlap
/// (two insertions at the same offset are applied in the given order).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    // A stable sort keeps insertions at one offset in the given order;
    // identical edits then sit in one run of equal spans, where each is
    // compared with the others of its run only, not with every edit.
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut run_start = 0;
    let mut kept = 0;
    for i in 0..sorted.len() {
        if sorted[i].span != sorted[run_start].span {
            run_start = kept;
        }
        if !sorted[run_start..kept].contains(&sorted[i]) {
            sorted[kept] = sorted[i];
            kept += 1;
        }
    }
    sorted.truncate(kept);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.span.start < at {
            continue;
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// How far a fix can be trusted, ordered `DisplayOnly < Unsafe < Safe` so
/// that "apply fixes at or above this level" is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown as a suggestion, never written.
    DisplayOnly,
    /// May change what the image does (its user, layout, base image or
    /// stages): written only with `--unsafe-fixes`; review the diff and test
    /// the image.
    Unsafe,
    /// The image does exactly what it did, and every comment is kept; only
    /// how it is built changes.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A fix's edits: held in the fix when there is one, as there is for
/// nearly every fix (a file can have a fixable finding on every line: its
/// one edit is then not a block of its own; see README, Speed).
pub type Edits = SmallVec<[Edit; 1]>;

/// Edits that together fix one finding, and how far they can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub edits: Edits,
    pub applicability: Applicability,
    /// A structural fix reshapes whole stages; the applier runs it alone in
    /// its pass, after every local fix has been applied.
    pub structural: bool,
}

impl Fix {
    pub fn safe(edits: impl IntoIterator<Item = Edit>) -> Fix {
        Fix {
            edits: edits.into_iter().collect(),
            applicability: Applicability::Safe,
            structural: false,
        }
    }
    pub fn unsafe_edits(edits: impl IntoIterator<Item = Edit>) -> Fix {
        Fix {
            edits: edits.into_iter().collect(),
            applicability: Applicability::Unsafe,
            structural: false,
        }
    }
    pub fn display_only(edits: impl IntoIterator<Item = Edit>) -> Fix {
        Fix {
            edits: edits.into_iter().collect(),
            applicability: Applicability::DisplayOnly,
            structural: false,
        }
    }
    /// Mark the fix as structural (see [`Fix::structural`]).
    pub fn structural(mut self) -> Fix {
        self.structural = true;
        self
    }
}

/// One finding: where, what is wrong, what to do, and optionally how to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub span: Span,
    /// What is wrong: sentence case, no trailing period (a [`Text`]: a
    /// generated file can have a finding a line).
    pub message: Text,
    /// What to do, in the imperative.
    pub help: Text,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Whether the finding carries a fix that is written at `level`.
    pub fn fixable_at(&self, level: Applicability) -> bool {
        self.fix.as_ref().is_some_and(|f| f.applicability >= level)
    }
}

/// Why a file could not be checked: it is not a Dockerfile BuildKit accepts,
/// or it could not be read. A value with a position, reported like a
/// finding in every output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The byte range the error points at (empty when it has no better place).
    pub span: Span,
    /// 1-based line and column of `span.start`.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for FileError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_holds_its_one_edit() {
        // Nearly every fix is one edit; a file can have one on every line.
        let fix = Fix::safe([Edit::insert(3, "x")]);
        assert!(!fix.edits.spilled());
        assert_eq!(std::mem::size_of::<Diagnostic>(), 120);
        let two = Fix::unsafe_edits([Edit::insert(3, "x"), Edit::delete(Span::new(5, 7))]);
        assert_eq!(apply("abcdefgh", &two.edits), "abcxdeh");
    }

    #[test]
    fn a_fixed_sentence_is_one_handle() {
        assert_eq!(std::mem::size_of::<Text>(), 16);
        static SENTENCE: &str = "Add `--no-cache-dir`";
        let (a, b) = (Text::from(SENTENCE), Text::fixed(SENTENCE));
        let (Text::Static(a_handle), Text::Static(b_handle)) = (&a, &b) else {
            panic!("a fixed sentence is not a composed text");
        };
        assert!(std::ptr::eq(*a_handle, *b_handle));
        assert_eq!((a.as_str(), Text::default().as_str()), (SENTENCE, ""));
    }

    fn shared(t: &Text) -> &Arc<str> {
        match t {
            Text::Shared(a) => a,
            Text::Static(s) => panic!("`{s}` is not a composed text"),
        }
    }

    #[test]
    fn equal_composed_texts_are_one_copy() {
        let a = Text::from(format!("Add `{}` to the command", "--no-cache-dir"));
        let b = Text::from(format!("Add `{}` to the command", "--no-cache-dir"));
        assert!(Arc::ptr_eq(shared(&a), shared(&b)));
        let c = Text::from(format!("Add `{}` to the command", "--no-cache"));
        assert!(!Arc::ptr_eq(shared(&a), shared(&c)));
        assert_eq!(a, "Add `--no-cache-dir` to the command");
        assert_eq!(a.to_string(), b.as_str());
        // A text that keeps coming back is still shared after others (`c`
        // and these fill the rest of the recent ones).
        for n in 0..RECENT - 2 {
            let _ = Text::from(format!("other {n}"));
        }
        let d = Text::from(String::from("Add `--no-cache-dir` to the command"));
        assert!(Arc::ptr_eq(shared(&a), shared(&d)));
    }

    /// A value whose text composes a text of its own while it is written.
    struct Nested;

    impl fmt::Display for Nested {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let inner = text!("inner {}", 7);
            write!(f, "[{inner}]")
        }
    }

    #[test]
    fn formatted_texts_are_shared_as_composed_ones() {
        let dir = "/root/.cache/pip";
        let a = text!(" --mount=type=cache,target={dir}");
        let b = Text::from(format!(" --mount=type=cache,target={dir}"));
        let c = text!(" --mount=type=cache,target={dir}");
        assert_eq!(a, " --mount=type=cache,target=/root/.cache/pip");
        assert!(Arc::ptr_eq(shared(&a), shared(&b)));
        assert!(Arc::ptr_eq(shared(&a), shared(&c)));
        // A sentence with nothing to fill in is borrowed, not composed.
        assert!(matches!(text!("Add `--no-cache-dir`"), Text::Static(_)));
        // Writing a value that composes a text while the buffer is in use
        // takes the plain way, and says the same.
        assert_eq!(text!("<{}>", Nested), "<[inner 7]>");
        // A long text leaves the buffer it grew, and is whole.
        let long = "x".repeat(10_000);
        assert_eq!(text!("{long}!").len(), 10_001);
        assert_eq!(text!("{}", 1), "1");
    }

    #[test]
    fn appending_makes_a_new_text() {
        let mut t = Text::from("fixed");
        t.push_str(" (and more)");
        assert_eq!(t, "fixed (and more)");
        assert_eq!(Text::from("x"), Text::from(String::from("x")));
        assert_eq!(
            serde_json::to_string(&t).ok().as_deref(),
            Some("\"fixed (and more)\"")
        );
    }
}
