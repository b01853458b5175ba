//! Fixes as data, and the one applier that every fix goes through: apply
//! non-overlapping edits, re-parse, re-lint, repeat until nothing changes.
//! A result that does not parse is rejected and the text is kept. The
//! applier knows fixes only as data (edits, safety, structural or not); it
//! never names a rule.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diagnostic::Text;
pub use crate::diagnostic::{apply, Applicability, Edit, Fix};
use crate::syntax::Dockerfile;
use crate::{lint, Diagnostic, FileError, Settings};

/// Whether two edits conflict: the rule [`Taken`] answers for many edits
/// at once, kept here as the plain statement its tests compare it with.
#[cfg(test)]
fn overlaps(a: &Edit, b: &Edit) -> bool {
    if a == b {
        return false;
    }
    let (a, b) = (a.span, b.span);
    // Two insertions at one point conflict; an insertion at the edge of a
    // replacement does not.
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    a.start < b.end && b.start < a.end
}

/// The edits taken in one pass, indexed so that whether a new edit
/// [`overlaps`] one of them is a few searches, not a comparison with each.
#[derive(Default)]
struct Taken<'a> {
    /// Insertions: offset -> the distinct texts inserted there.
    insertions: BTreeMap<usize, Vec<&'a str>>,
    /// Replacements, merged where they overlap (sharing more than an end
    /// point): start -> (end, the one edit they all are, if they are one).
    replaced: BTreeMap<usize, (usize, Option<&'a Edit>)>,
}

impl<'a> Taken<'a> {
    /// The merged replacements whose inside meets the inside of `(start,
    /// end)`; with `start == end`, those that hold the point strictly.
    fn meeting(
        &self,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, usize, Option<&'a Edit>)> + '_ {
        // Merged ranges do not overlap, so those meeting a range are the
        // last few that start before its end.
        self.replaced
            .range(..end)
            .rev()
            .map(|(&s, &(e, one))| (s, e, one))
            .take_while(move |&(_, e, _)| e > start)
    }

    /// Whether `edit` overlaps an edit taken before.
    fn overlaps(&self, edit: &Edit) -> bool {
        let (start, end) = (edit.span.start, edit.span.end);
        if start == end {
            let same_point = self
                .insertions
                .get(&start)
                .is_some_and(|texts| texts.iter().any(|t| *t != edit.replacement.as_str()));
            return same_point || self.meeting(start, end).next().is_some();
        }
        if self.insertions.range(start + 1..end).next().is_some() {
            return true;
        }
        let mut met = self.meeting(start, end);
        match (met.next(), met.next()) {
            (None, _) => false,
            // One merged range that is this very edit, taken alone, is no conflict.
            (Some((_, _, Some(one))), None) => one != edit,
            _ => true,
        }
    }

    fn add(&mut self, edit: &'a Edit) {
        let (start, end) = (edit.span.start, edit.span.end);
        if start == end {
            let texts = self.insertions.entry(start).or_default();
            if !texts.contains(&edit.replacement.as_str()) {
                texts.push(&edit.replacement);
            }
            return;
        }
        let met: Vec<(usize, usize, Option<&Edit>)> = self.meeting(start, end).collect();
        let mut merged = (start, end, Some(edit));
        for (s, e, one) in met {
            self.replaced.remove(&s);
            merged.0 = merged.0.min(s);
            merged.1 = merged.1.max(e);
            if one != Some(edit) {
                merged.2 = None;
            }
        }
        self.replaced.insert(merged.0, (merged.1, merged.2));
    }
}

/// Why `fix` gave up. The text is never changed when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// The input is not a valid Dockerfile: every error found.
    Invalid(Vec<FileError>),
    /// The fixes kept producing new changes.
    NotConverged { passes: usize },
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixError::Invalid(errors) => match errors.first() {
                Some(e) => write!(f, "{e}"),
                None => write!(f, "not a valid Dockerfile"),
            },
            FixError::NotConverged { passes } => write!(
                f,
                "1:1: fixes did not settle after {passes} passes; the file was left unchanged (please report this)"
            ),
        }
    }
}

impl std::error::Error for FixError {}

/// What `fix` did.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    pub output: String,
    /// `(code, message)` of each finding that a fix was applied for.
    pub fixed: Vec<(&'static str, Text)>,
    /// `(code, message)` of fixes that were dropped because their result did
    /// not parse, or because their finding survived them (they did not settle).
    pub rejected: Vec<(&'static str, Text)>,
    /// Findings left in the output.
    pub remaining: Vec<Diagnostic>,
    /// How many of the remaining findings have a fix below the level that
    /// was written (an unsafe fix, when only safe ones were applied).
    pub more_with_unsafe: usize,
}

const MAX_PASSES: usize = 10;

/// The parse of a text, when it is a Dockerfile BuildKit accepts.
fn valid(text: &str) -> Option<Dockerfile> {
    crate::parse_valid(text).ok()
}

/// Findings whose fixes were turned down. A finding is named by its rule,
/// its message, the text it points at, and which of the findings alike in
/// all three it is in file order: not by its offset, which moves as other
/// fixes apply. Two findings can share rule, message and text (two `LABEL`
/// lines with the same bad key): turning one down must leave the other's
/// fix (a fuzzing find: the other was fixed only on the next run).
#[derive(Default)]
struct Rejected(HashSet<(&'static str, Text, String, usize)>);

/// For each finding of a pass, which of the findings alike it is.
fn ordinals(found: &[Diagnostic], text: &str) -> Vec<usize> {
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    found
        .iter()
        .map(|d| {
            let at = text.get(d.span.start..d.span.end).unwrap_or("");
            let n = seen.entry((d.code, d.message.as_ref(), at)).or_default();
            *n += 1;
            *n - 1
        })
        .collect()
}

impl Rejected {
    fn key(d: &Diagnostic, text: &str, ordinal: usize) -> (&'static str, Text, String, usize) {
        let at = text.get(d.span.start..d.span.end).unwrap_or("");
        (d.code, d.message.clone(), at.to_string(), ordinal)
    }
    fn contains(&self, d: &Diagnostic, text: &str, ordinal: usize) -> bool {
        // Most runs turn nothing down: no key is built then.
        !self.0.is_empty() && self.0.contains(&Self::key(d, text, ordinal))
    }
    fn insert(&mut self, d: &Diagnostic, text: &str, ordinal: usize) {
        self.0.insert(Self::key(d, text, ordinal));
    }
}

/// Fix a file's text with the fixes `settings` allow (safe ones, and unsafe
/// ones with `unsafe_fixes`): local fixes first, then structural ones one at
/// a time, each pass re-parsed and re-linted, until no fix applies.
///
/// Fixes of different rules can undo each other's work in a cycle no single
/// finding shows. When the passes run out, the rules whose fixes were still
/// being applied are set aside and the file is fixed again from the start
/// without them (their findings stay, listed as rejected): fixing always
/// settles, with fewer fixes at worst.
pub fn fix(text: &str, settings: &Settings) -> Result<FixOutcome, FixError> {
    let mut set_aside: HashSet<&'static str> = HashSet::new();
    loop {
        match fix_without(text, settings, &set_aside) {
            Ok(mut outcome) => {
                let level = settings.fix_level();
                for d in &outcome.remaining {
                    if set_aside.contains(d.code) && d.fixable_at(level) {
                        outcome.rejected.push((d.code, d.message.clone()));
                    }
                }
                return Ok(outcome);
            }
            Err(Unsettled::Error(e)) => return Err(e),
            Err(Unsettled::Cycling(codes)) => {
                let before = set_aside.len();
                set_aside.extend(codes);
                if set_aside.len() == before {
                    return Err(FixError::NotConverged { passes: MAX_PASSES });
                }
            }
        }
    }
}

/// Why one attempt at fixing did not finish.
enum Unsettled {
    Error(FixError),
    /// The passes ran out; these rules' fixes were still being applied.
    Cycling(Vec<&'static str>),
}

impl From<FixError> for Unsettled {
    fn from(e: FixError) -> Unsettled {
        Unsettled::Error(e)
    }
}

/// One attempt at [`fix`], leaving out the fixes of the rules in `set_aside`.
fn fix_without(
    text: &str,
    settings: &Settings,
    set_aside: &HashSet<&'static str>,
) -> Result<FixOutcome, Unsettled> {
    // Each pass lints the parse that validated its text, so a text is
    // parsed once, not once to validate and again to lint.
    let mut df = crate::parse_valid(text).map_err(FixError::Invalid)?;
    let level = settings.fix_level();
    let mut current = text.to_string();
    let mut fixed = Vec::new();
    let mut rejected: Vec<(&'static str, Text)> = Vec::new();
    let mut rejected_set = Rejected::default();
    // A finding whose fix does not settle (its edit lands where it changes
    // nothing the rule checks) comes back after every pass. One that is
    // fixed twice and is still there the third time is dropped, and the
    // text goes back to before its first fix: fixes that make progress in
    // two steps (fold a RUN, then clean it) still apply.
    // Snapshots keep the text only: a parse is many times the text's size,
    // and going back is rare enough to parse again.
    let mut snapshots: Vec<(String, usize)> = Vec::new();
    // Keyed by the finding's message as it is (a shared `Text`), not a copy:
    // a large file has a key for every finding fixed.
    let mut history: HashMap<(&'static str, Text, usize), (usize, usize)> = HashMap::new();
    for _ in 0..MAX_PASSES {
        let found = lint(&df, settings);
        let ordinal = ordinals(&found, &current);
        // Which of the findings alike a finding of this pass is. The
        // findings the loop handles are elements of `found`: the index comes
        // from the address, in constant time (a search per finding made
        // every pass quadratic in the number of findings).
        let ordinal_of = |d: &Diagnostic| {
            let start = found.as_ptr() as usize;
            let i = (d as *const Diagnostic as usize).wrapping_sub(start)
                / std::mem::size_of::<Diagnostic>();
            ordinal.get(i).copied().unwrap_or(0)
        };
        let stuck = found.iter().find_map(|d| {
            let key = (d.code, d.message.clone(), d.span.start);
            history
                .get(&key)
                .filter(|(count, _)| *count >= 2 && d.fixable_at(level))
                .map(|&(_, first)| (d, first))
        });
        if let Some((d, first)) = stuck {
            rejected.push((d.code, d.message.clone()));
            rejected_set.insert(d, &current, ordinal_of(d));
            let (text_before, fixed_before) = snapshots.swap_remove(first);
            // It parsed before, when it was the current text.
            df = valid(&text_before).ok_or(Unsettled::Error(FixError::NotConverged {
                passes: MAX_PASSES,
            }))?;
            current = text_before;
            fixed.truncate(fixed_before);
            snapshots.clear();
            history.clear();
            continue;
        }
        let candidates: Vec<&Diagnostic> = found
            .iter()
            .filter(|d| d.fixable_at(level))
            .filter(|d| {
                !rejected_set.contains(d, &current, ordinal_of(d)) && !set_aside.contains(d.code)
            })
            .collect();
        // Local fixes first; a structural one alone, once none is left.
        let local: Vec<&Diagnostic> = candidates
            .iter()
            .copied()
            .filter(|d| !d.fix.as_ref().is_some_and(|f| f.structural))
            .collect();
        let batch = if local.is_empty() {
            candidates.into_iter().take(1).collect()
        } else {
            local
        };
        if batch.is_empty() {
            let more_with_unsafe = found
                .iter()
                .filter(|d| d.fixable_at(Applicability::Unsafe) && !d.fixable_at(level))
                .count();
            return Ok(FixOutcome {
                output: current,
                fixed,
                rejected,
                remaining: found,
                more_with_unsafe,
            });
        }
        // Greedily take fixes whose edits do not overlap those already taken.
        let mut taken: Vec<&Diagnostic> = Vec::new();
        let mut index = Taken::default();
        for d in &batch {
            let fix = d.fix.as_ref().map(|f| &f.edits[..]).unwrap_or(&[]);
            if fix.iter().any(|e| index.overlaps(e)) {
                continue;
            }
            fix.iter().for_each(|e| index.add(e));
            taken.push(d);
        }
        // What a large file's pass holds at once: free the index and the old
        // tree (its findings are out) before a new text is parsed. The
        // current text is parsed again if nothing applies.
        drop(index);
        drop(df);
        let base = std::mem::take(&mut current);
        // Some fixes applied together on this pass's text: the new text and
        // its parse, when it changed and parses.
        let attempt = |chunk: &[&Diagnostic]| {
            let edits: Vec<Edit> = chunk
                .iter()
                .flat_map(|d| d.fix.iter().flat_map(|f| f.edits.iter().cloned()))
                .collect();
            let next = apply(&base, &edits);
            drop(edits);
            if next == base {
                return None;
            }
            let parsed = valid(&next)?;
            Some((next, parsed))
        };
        let applied = match attempt(&taken) {
            Some((next, parsed)) => Some((taken, next, parsed)),
            None => {
                // Together they broke the file (or changed nothing). Halve
                // the batch until every part either works on this pass's
                // text or is one fix that does not: those are dropped for
                // good, found in a few parses each rather than a parse per
                // fix of the batch. What works is applied together when it
                // still works together; otherwise the first working part
                // is, and the rest wait for the next pass (their edits are
                // placed on this pass's text). One bad fix must not hold the
                // others to one a pass: that ran out the passes and set
                // aside rules that were making progress (a fuzzing find).
                let (parts, bad) = sift(&taken, &mut |chunk| attempt(chunk).is_some());
                for d in bad {
                    rejected.push((d.code, d.message.clone()));
                    rejected_set.insert(d, &base, ordinal_of(d));
                }
                let together: Vec<&Diagnostic> = parts.iter().flatten().copied().collect();
                let chosen = [&together[..], parts.first().map_or(&[][..], |p| &p[..])]
                    .into_iter()
                    .filter(|chunk| !chunk.is_empty())
                    .find_map(|chunk| attempt(chunk).map(|(n, p)| (chunk.to_vec(), n, p)));
                chosen
            }
        };
        match applied {
            Some((chunk, next, parsed)) => {
                let pass = snapshots.len();
                for d in &chunk {
                    history
                        .entry((d.code, d.message.clone(), d.span.start))
                        .or_insert((0, pass))
                        .0 += 1;
                }
                snapshots.push((base, fixed.len()));
                current = next;
                df = parsed;
                fixed.extend(chunk.iter().map(|d| (d.code, d.message.clone())));
            }
            None => {
                // It parsed before, when it became the current text.
                df = valid(&base).ok_or(Unsettled::Error(FixError::NotConverged {
                    passes: MAX_PASSES,
                }))?;
                current = base;
            }
        }
    }
    // The rules whose fixes the last passes applied: those still at work.
    let recent = snapshots
        .get(snapshots.len().saturating_sub(MAX_PASSES / 2))
        .map_or(0, |(_, fixed_before)| *fixed_before);
    let mut codes: Vec<&'static str> = fixed[recent.min(fixed.len())..]
        .iter()
        .map(|(code, _)| *code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    Err(Unsettled::Cycling(codes))
}

/// Split `items`, which fail when applied together, into parts that work
/// (`works(part)`) and the items that fail alone, by halving: `b` bad items
/// among `n` cost about `2 b log2 n` calls of `works`, not `n`.
fn sift<T: Copy>(items: &[T], works: &mut impl FnMut(&[T]) -> bool) -> (Vec<Vec<T>>, Vec<T>) {
    let (mut parts, mut bad) = (Vec::new(), Vec::new());
    sift_into(items, works, &mut parts, &mut bad);
    (parts, bad)
}

fn sift_into<T: Copy>(
    items: &[T],
    works: &mut impl FnMut(&[T]) -> bool,
    parts: &mut Vec<Vec<T>>,
    bad: &mut Vec<T>,
) {
    if items.len() <= 1 {
        bad.extend_from_slice(items);
        return;
    }
    let (left, right) = items.split_at(items.len() / 2);
    for half in [left, right] {
        if works(half) {
            parts.push(half.to_vec());
        } else {
            sift_into(half, works, parts, bad);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Span;

    #[test]
    fn applies_sorted_deduplicated_edits() {
        let text = "abcdef";
        let edits = vec![
            Edit::replace(Span::new(4, 6), "XY"),
            Edit::insert(1, "+"),
            Edit::insert(1, "+"),
            Edit::delete(Span::new(2, 3)),
        ];
        assert_eq!(apply(text, &edits), "a+bdXY");
    }

    #[test]
    fn overlap_rules() {
        let ins = Edit::insert(3, "x");
        assert!(overlaps(&ins, &Edit::insert(3, "y")));
        assert!(!overlaps(&ins, &Edit::insert(3, "x")));
        assert!(!overlaps(&ins, &Edit::replace(Span::new(3, 5), "z")));
        assert!(overlaps(
            &Edit::replace(Span::new(1, 4), "a"),
            &Edit::replace(Span::new(3, 5), "b")
        ));
    }

    #[test]
    fn sifting_finds_the_bad_items_in_few_tries() {
        // A part works when it holds none of the bad items.
        for (n, bad) in [
            (1, vec![0]),
            (2, vec![1]),
            (1000, vec![617]),
            (1000, vec![0, 999]),
            (1000, vec![3, 4, 5, 500]),
            (7, (0..7).collect()),
        ] {
            let items: Vec<usize> = (0..n).collect();
            let mut calls = 0;
            let (parts, found) = sift(&items, &mut |part: &[usize]| {
                calls += 1;
                !part.iter().any(|i| bad.contains(i))
            });
            assert_eq!(found, bad, "{n} items");
            // Every item is in a working part or found bad, once.
            let mut all: Vec<usize> = parts.iter().flatten().copied().chain(found).collect();
            all.sort_unstable();
            assert_eq!(all, items);
            assert!(parts.iter().all(|p| !p.iter().any(|i| bad.contains(i))));
            let log = (n as f64).log2().ceil() as usize;
            assert!(
                calls <= (2 * bad.len() * log).max(2 * n),
                "{calls} tries for {n} items, {} bad",
                bad.len()
            );
            if bad.len() == 1 && n > 2 {
                assert!(calls <= 2 * log, "{calls} tries for one bad among {n}");
            }
        }
    }

    #[test]
    fn taken_edits_answer_as_the_pairwise_rule() {
        // Small random edits, many of them equal or touching, taken greedily
        // as the applier does: the index must agree with every pair check.
        let mut next = crate::rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..300 {
            let fixes: Vec<Vec<Edit>> = (0..12)
                .map(|_| {
                    (0..1 + next(2))
                        .map(|_| {
                            let start = next(20);
                            let len = [0, 0, 1, 2, 5][next(5)];
                            let text = ["a", "b"][next(2)];
                            Edit::replace(Span::new(start, start + len), text)
                        })
                        .collect()
                })
                .collect();
            let mut index = Taken::default();
            let mut edits: Vec<Edit> = Vec::new();
            for fix in &fixes {
                let slow = fix.iter().any(|e| edits.iter().any(|t| overlaps(e, t)));
                let fast = fix.iter().any(|e| index.overlaps(e));
                assert_eq!(slow, fast, "{fix:?} against {edits:?}");
                if !slow {
                    fix.iter().for_each(|e| index.add(e));
                    edits.extend(fix.iter().cloned());
                }
            }
        }
    }
}
