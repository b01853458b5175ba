//! Unified diffs of what `fix` changed, in time linear in the file.
//!
//! Myers' algorithm (what `diff` and git use by default) finds the
//! shortest diff, but costs the length of the file times the number of
//! lines that changed: a fix that touches every RUN of a 10 MB file made
//! `fix --diff` take minutes. A fix changes a file in place, though: a
//! line edited, a few lines added or removed, everything else in its
//! order. So the two sides are walked in step, and where they part, the
//! nearest pair of equal lines within a window ahead is where they meet
//! again. For changes shorter than the window that is the shortest diff;
//! a longer one shows as lines removed and added, still a correct diff.
//! The `similar` crate groups the changes into hunks with their context.

use std::hash::BuildHasher;
use std::io::{self, Write};

use similar::{group_diff_ops, DiffOp};

/// How far ahead, in lines on each side, a change is looked past.
const WINDOW: usize = 64;

/// The lines of a text, each with its line ending.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The changes that turn `old` into `new`, as equal, deleted and inserted
/// runs of lines, in order. Between two equal runs, the lines removed come
/// first and then those added, as git shows a block that changed.
pub fn line_ops(old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    // Lines compared by hash first: the search ahead compares many pairs.
    let state = std::hash::RandomState::new();
    let old_hash: Vec<u64> = old.iter().map(|l| state.hash_one(l)).collect();
    let new_hash: Vec<u64> = new.iter().map(|l| state.hash_one(l)).collect();
    let same = |i: usize, j: usize| old_hash[i] == new_hash[j] && old[i] == new[j];
    // Where each line of the new side is, to find the next copy of an old
    // line without comparing it with every line of the window: the lines
    // by hash, then position, in one array (a map of a list per distinct
    // line held four times the size of a file of short lines).
    let mut at: Vec<(u64, usize)> = new_hash.iter().enumerate().map(|(j, &h)| (h, j)).collect();
    at.sort_unstable();
    // The new side's positions of lines with hash `h`, in order.
    let positions = |h: u64| -> &[(u64, usize)] {
        let from = at.partition_point(|&(k, _)| k < h);
        let len = at[from..].partition_point(|&(k, _)| k == h);
        &at[from..from + len]
    };
    let (n, m) = (old.len(), new.len());
    // The nearest pair of equal lines at or after `(i, j)` within the window:
    // the fewest lines skipped on both sides together.
    let meet = |i: usize, j: usize| -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for a in 0..=WINDOW.min(n - 1 - i) {
            if best.is_some_and(|(ba, bb)| a >= ba + bb) {
                break;
            }
            let list = positions(old_hash[i + a]);
            let k = list.partition_point(|&(_, p)| p < j);
            let Some(b) = list[k..]
                .iter()
                .map(|&(_, p)| p - j)
                .take_while(|&b| b <= WINDOW)
                .find(|&b| same(i + a, j + b))
            else {
                continue;
            };
            if best.is_none_or(|(ba, bb)| a + b < ba + bb) {
                best = Some((a, b));
            }
        }
        best
    };
    let mut ops = Vec::new();
    // The changed block since the last equal run: where it starts on each side.
    let mut changed = (0, 0);
    let flush = |ops: &mut Vec<DiffOp>, from: (usize, usize), to: (usize, usize)| {
        if to.0 > from.0 {
            ops.push(DiffOp::Delete {
                old_index: from.0,
                old_len: to.0 - from.0,
                new_index: from.1,
            });
        }
        if to.1 > from.1 {
            ops.push(DiffOp::Insert {
                old_index: to.0,
                new_index: from.1,
                new_len: to.1 - from.1,
            });
        }
    };
    let (mut i, mut j) = (0, 0);
    loop {
        let (i0, j0) = (i, j);
        while i < n && j < m && same(i, j) {
            i += 1;
            j += 1;
        }
        if i > i0 {
            flush(&mut ops, changed, (i0, j0));
            ops.push(DiffOp::Equal {
                old_index: i0,
                new_index: j0,
                len: i - i0,
            });
            changed = (i, j);
        }
        if i == n || j == m {
            break;
        }
        // Where the two meet again; when they do not within the window,
        // a line of each is changed and the search goes on from the next.
        let (a, b) = meet(i, j).unwrap_or((1, 1));
        i += a;
        j += b;
    }
    flush(&mut ops, changed, (n, m));
    ops
}

/// Write a unified diff of `old` to `new` with `context` lines around each
/// change, styled as git shows one (bold file names, cyan hunk headers,
/// red removals, green additions); nothing when the texts are equal.
pub fn write_unified(
    w: &mut impl Write,
    old_name: &str,
    new_name: &str,
    old: &str,
    new: &str,
    context: usize,
) -> io::Result<()> {
    use anstyle::{AnsiColor, Style};
    let (old_lines, new_lines) = (lines(old), lines(new));
    let ops = line_ops(&old_lines, &new_lines);
    let color = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    let bold = Style::new().bold();
    let (cyan, red, green) = (
        color(AnsiColor::Cyan),
        color(AnsiColor::Red),
        color(AnsiColor::Green),
    );
    let line = |w: &mut dyn Write, style: Style, tag: char, text: &str| -> io::Result<()> {
        // A CRLF line keeps its CR, as `diff` shows it.
        let body = text.strip_suffix('\n').unwrap_or(text);
        writeln!(w, "{style}{tag}{body}{style:#}")?;
        if !text.ends_with('\n') {
            writeln!(w, "\\ No newline at end of file")?;
        }
        Ok(())
    };
    for (n, group) in group_diff_ops(ops, context).iter().enumerate() {
        if n == 0 {
            writeln!(w, "{bold}--- {old_name}{bold:#}")?;
            writeln!(w, "{bold}+++ {new_name}{bold:#}")?;
        }
        writeln!(
            w,
            "{cyan}{}{cyan:#}",
            similar::udiff::UnifiedHunkHeader::new(group)
        )?;
        for op in group {
            match *op {
                DiffOp::Equal { old_index, len, .. } => {
                    for l in &old_lines[old_index..old_index + len] {
                        line(w, Style::new(), ' ', l)?;
                    }
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    for l in &old_lines[old_index..old_index + old_len] {
                        line(w, red, '-', l)?;
                    }
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    for l in &new_lines[new_index..new_index + new_len] {
                        line(w, green, '+', l)?;
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    for l in &old_lines[old_index..old_index + old_len] {
                        line(w, red, '-', l)?;
                    }
                    for l in &new_lines[new_index..new_index + new_len] {
                        line(w, green, '+', l)?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &str, new: &str) -> String {
        let mut out = Vec::new();
        write_unified(&mut out, "a/Dockerfile", "b/Dockerfile", old, new, 3).unwrap();
        anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string()
    }

    /// What `similar`'s Myers diff writes, for the cases where the two agree.
    fn myers(old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header("a/Dockerfile", "b/Dockerfile")
            .to_string()
    }

    #[test]
    fn local_changes_diff_as_myers_does() {
        let old = "FROM python:3.12\nRUN pip install flask\nCOPY . /app\nRUN make\nCMD [\"app\"]\n";
        let cases = [
            // A line edited.
            old.replace("pip install", "pip install --no-cache-dir"),
            // A line added, and one at the end.
            old.replace("COPY", "USER app\nCOPY") + "USER app\n",
            // A line removed.
            old.replace("RUN make\n", ""),
            // The last newline lost.
            old.trim_end().to_string(),
            // Nothing changed.
            old.to_string(),
        ];
        for new in &cases {
            assert_eq!(diff(old, new), myers(old, new), "{new:?}");
        }
    }

    #[test]
    fn changes_far_apart_make_separate_hunks() {
        let old: String = (0..40).map(|i| format!("RUN echo {i}\n")).collect();
        let new = old
            .replace("echo 3\n", "echo 3 && true\n")
            .replace("echo 30\n", "echo 30 && true\n");
        assert_eq!(diff(&old, &new), myers(&old, &new));
        assert_eq!(diff(&old, &new).matches("@@ -").count(), 2);
    }

    /// The new text, from the old one and the diff.
    fn rebuilt(old: &str, new: &str) -> String {
        let (o, n) = (lines(old), lines(new));
        let mut rebuilt = String::new();
        for op in line_ops(&o, &n) {
            match op {
                DiffOp::Equal { old_index, len, .. } => {
                    rebuilt.extend(o[old_index..old_index + len].iter().copied())
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => rebuilt.extend(n[new_index..new_index + new_len].iter().copied()),
                DiffOp::Delete { .. } => {}
                DiffOp::Replace { .. } => unreachable!("line_ops makes no Replace"),
            }
        }
        rebuilt
    }

    /// A change longer than the window still gives a diff that turns the
    /// old text into the new one.
    #[test]
    fn long_changes_stay_correct() {
        let old: String = (0..500).map(|i| format!("RUN echo {i}\n")).collect();
        let new: String = (0..500)
            .map(|i| {
                if (100..300).contains(&i) {
                    format!("RUN true {i}\n")
                } else {
                    format!("RUN echo {i}\n")
                }
            })
            .collect();
        assert_eq!(rebuilt(&old, &new), new);
    }

    /// Lines dropped, added and changed at random, repeated lines among
    /// them: the diff always rebuilds the new text.
    #[test]
    fn random_edits_rebuild() {
        let mut seed: u64 = 7;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        for _ in 0..200 {
            let old: Vec<String> = (0..next(300)).map(|_| format!("L{}\n", next(20))).collect();
            let mut new = Vec::new();
            for line in &old {
                match next(10) {
                    0 => {}
                    1 => new.push(format!("N{}\n", next(5))),
                    2 => {
                        new.push(line.clone());
                        new.push(format!("L{}\n", next(20)));
                    }
                    _ => new.push(line.clone()),
                }
            }
            let (old, mut new) = (old.concat(), new.concat());
            if next(4) == 0 {
                new.pop();
            }
            assert_eq!(rebuilt(&old, &new), new);
        }
    }
}
