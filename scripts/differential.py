#!/usr/bin/env python3
"""Differential test of dflint's parser against BuildKit's.

Runs `dflint parse FILE` and the BuildKit oracle (../shared/tools/
buildkit_parse.py, BuildKit v0.12.5's parser through the PyPI package
`dockerfile`) on every input, and compares what each makes of it: whether
the file is accepted, and if so the instruction list (keyword, start and end
line, flags, argument words, heredocs).

With `--mutate N` each input also gets N mutated variants (reproducible from
`--seed`): small edits that stress the parser (escape characters, heredoc
openers, quotes, comments, blank lines, CRLF, parser directives, JSON
brackets, duplicated or dropped lines).

Counts printed at the end:
  agree         both accept, same instructions
  both-reject   both reject
  dflint-only   dflint accepts, the oracle rejects
  oracle-only   the oracle accepts, dflint rejects
  differ        both accept, different instructions
  known         a disagreement explained by a documented difference between
                the oracle's BuildKit (v0.12.5) and current BuildKit, which
                dflint follows (../shared/design/dockerfile-syntax.md,
                "Oracle caveats"), counted by reason:
                  check-directive     `# check=` ends v0.12.5's header
                  heredoc-space       `<< EOF` is a heredoc since 1.16
                  lexer-modifiers     `${a#p}`, `${a%p}`, `${a/p/r}` on a
                                      heredoc line fail v0.12.5's lexer
                  json-trailing-text  `CMD ["a"] x` is shell form since 1.9
                  nul                 the oracle cuts values at NUL
  oracle-error  the oracle could not report (it crashed or timed out, e.g. on
                a value that is not valid UTF-8 after BuildKit cut it)

Disagreeing inputs are written to `--out DIR` (one folder per category) with
a `.txt` beside each showing both views. The exit status is 1 when any input
is dflint-only, oracle-only or differ.

The oracle needs the `dockerfile` package (pip install dockerfile==3.4.0);
run this script with a Python that has it, or point `--oracle-python` at one.

Examples:
  python3 scripts/differential.py
  python3 scripts/differential.py --mutate 20 --seed 1 --out /tmp/diff
  python3 scripts/differential.py some/Dockerfile other/dir --dflint target/debug/dflint
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import select
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_INPUTS = [
    REPO / '../shared/corpus/buildkit-parser',
    REPO / '../shared/corpus/realworld',
    REPO / 'fixtures',
]
ORACLE = REPO / '../shared/tools/buildkit_parse.py'
KNOWN_KEYWORDS = {
    'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from',
    'healthcheck', 'label', 'maintainer', 'onbuild', 'run', 'shell',
    'stopsignal', 'user', 'volume', 'workdir',
}
CATEGORIES = [
    'agree', 'both-reject', 'dflint-only', 'oracle-only', 'differ', 'known',
    'oracle-error',
]
# One process call never takes longer than this.
CALL_TIMEOUT = 20.0


# ---------------------------------------------------------------- inputs --

def input_files(paths: list[Path]) -> list[Path]:
    """Dockerfiles under the given paths (files as given, folders walked).

    BuildKit's parser fixtures keep `result` and `cases.tsv` files beside
    each `Dockerfile`; only things that look like Dockerfiles are taken.
    """
    out: list[Path] = []
    for p in paths:
        if p.is_file():
            out.append(p)
            continue
        if not p.is_dir():
            print(f'differential: skipping {p}: not found', file=sys.stderr)
            continue
        for f in sorted(p.rglob('*')):
            if not f.is_file():
                continue
            name = f.name
            if name in ('result', 'cases.tsv', 'expect.txt') or f.suffix in (
                '.md', '.tsv', '.json', '.txt', '.snap',
            ):
                continue
            out.append(f)
    return out


# ------------------------------------------------------------- mutations --

INSERTS = [
    '\\', '\\', '`', '<<EOF', '<<-EOF', '<<"EOF"', "<<'EOF'", '<< EOF',
    '<<- EOF', '"', "'", '#', '\n', '\r\n', '[', ']', '["', '"]', '", "',
    '$', '${', '}', ' ', '\t', '--', '=', '\\\n', '\n\n', '<<""',
    '\u00a0', '\x0b', '\x0c', '\u00e9', '${a#b}', '${a:-x y}', '<<<', '2<<EOF',
    '\\\\', '\\u0041', '\\ud800',
]
HEADER_LINES = [
    '# escape=`', '# escape=\\', '# escape=', '# syntax=docker/dockerfile:1',
    '# check=skip=all', '#!/bin/sh', '# escape=`\u00a0', '  # escape=`',
]
EXTRA_LINES = [
    '', '\\', '`', 'EOF', '\tEOF', '# comment', 'RUN <<EOF', 'COPY <<EOF /x',
    'ONBUILD RUN <<EOF', 'CMD ["a", "b"]', 'CMD ["\\ud800"]', 'RUN x \\',
    'ENV a=b c', 'HEALTHCHECK CMD ["a"]', 'ONBUILD ONBUILD RUN <<EOF',
]


def mutate_once(rng: random.Random, text: str) -> str:
    """One random edit, by characters or by lines."""
    op = rng.randrange(13)
    # Lines as BuildKit splits them: on `\n` only.
    lines = re.findall(r'[^\n]*\n|[^\n]+$', text)
    if op <= 3 or not lines:
        # Insert a string at a random character position.
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice(INSERTS) + text[at:]
    if op == 4 and text:
        # Delete a character, preferring the interesting ones.
        special = [i for i, c in enumerate(text) if c in '\\`"\'#[]<$\n']
        at = rng.choice(special) if special and rng.random() < 0.7 else rng.randrange(len(text))
        return text[:at] + text[at + 1:]
    i = rng.randrange(len(lines))
    if op == 5:
        lines.insert(i, lines[i])  # duplicate a line
    elif op == 6 and len(lines) > 1:
        del lines[i]  # drop a line
    elif op == 7:
        lines.insert(0, rng.choice(HEADER_LINES) + '\n')
    elif op == 8:
        lines.insert(i, rng.choice(EXTRA_LINES) + '\n')
    elif op == 9:
        # CRLF, for one line or the whole file.
        if rng.random() < 0.5:
            return text.replace('\r\n', '\n').replace('\n', '\r\n')
        lines[i] = lines[i].rstrip('\r\n') + '\r\n'
    elif op == 10:
        # End a line with a continuation character.
        lines[i] = lines[i].rstrip('\r\n') + rng.choice([' \\', '\\', ' `', '\\  ']) + '\n'
    elif op == 11:
        # Wrap a line's arguments in JSON brackets, or prefix ONBUILD.
        body = lines[i].rstrip('\r\n')
        word, _, rest = body.partition(' ')
        if rng.random() < 0.5 and rest:
            lines[i] = f'{word} ["{rest}"]\n'
        else:
            lines[i] = 'ONBUILD ' + lines[i]
    else:
        # Swap two neighbouring lines.
        if i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return ''.join(lines)


def mutants(text: str, n: int, seed: int, key: str) -> list[str]:
    rng = random.Random(seed * 1_000_003 + zlib.crc32(key.encode()))
    out = []
    for _ in range(n):
        t = text
        for _ in range(rng.randint(1, 3)):
            t = mutate_once(rng, t)
        out.append(t)
    return out


# ---------------------------------------------------------------- runners --

def run_dflint(dflint: str, path: Path):
    """`('ok', instructions)` or `('error', message)`."""
    try:
        p = subprocess.run(
            [dflint, 'parse', str(path)], capture_output=True, timeout=CALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return ('error', 'dflint timed out')
    if p.returncode == 0:
        try:
            return ('ok', json.loads(p.stdout))
        except ValueError:
            return ('error', 'dflint printed no JSON')
    if p.returncode == 2:
        return ('error', p.stderr.decode('utf-8', 'replace').strip())
    # Anything else (a panic is 101) is a bug of its own.
    return ('crash', p.stderr.decode('utf-8', 'replace').strip()[-500:])


WORKER = r'''
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("buildkit_parse", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
import dockerfile
for line in sys.stdin:
    path = line.rstrip("\n")
    try:
        with open(path, "rb") as f:
            data = f.read()
        out = {"ok": mod.parse_bytes(data)}
    except dockerfile.GoParseError as e:
        out = {"error": str(e)}
    except Exception as e:  # the wrapper failing, e.g. on invalid UTF-8
        out = {"crash": repr(e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
'''


class Oracle:
    """A long-lived Python process running the oracle on one file per line.

    One process per file would spend most of the run importing; a worker
    that dies or hangs (the Go parser runs in-process there) is replaced.
    """

    def __init__(self, python: str):
        self.python = python
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.python, '-c', WORKER, str(ORACLE)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1,
        )

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def check(self):
        """Fail early, with a hint, when the oracle cannot run."""
        with tempfile.NamedTemporaryFile('w', suffix='.Dockerfile', delete=False) as f:
            f.write('FROM scratch\n')
        try:
            got = self.parse(Path(f.name))
        finally:
            os.unlink(f.name)
        if got[0] != 'ok':
            err = ''
            if self.proc is not None and self.proc.poll() is not None:
                err = self.proc.stderr.read()
            sys.exit(
                f'differential: the oracle does not run with {self.python}: {got[1]}\n{err}\n'
                'install it with: pip install dockerfile==3.4.0 '
                '(or pass --oracle-python PATH)',
            )

    def parse(self, path: Path):
        """`('ok', instructions)`, `('error', message)` or `('crash', why)`."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(str(path) + '\n')
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.stop()
            return ('crash', 'oracle worker died')
        ready, _, _ = select.select([self.proc.stdout], [], [], CALL_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ''
        if not line:
            self.stop()
            return ('crash', 'oracle worker died or timed out')
        out = json.loads(line)
        if 'ok' in out:
            return ('ok', out['ok'])
        if 'error' in out:
            return ('error', out['error'])
        return ('crash', out['crash'])


# ----------------------------------------------------------- comparison --

def go_lower(word: str | None) -> str:
    """Go's strings.ToLower as far as keywords go: two non-ASCII letters fold
    into ASCII (Python and Rust turn U+0130 into two characters instead)."""
    word = word or ''
    return word.replace('\u0130', 'i').replace('\u212a', 'k').lower().replace('i\u0307', 'i')


def dflint_values(ins: dict) -> list[str] | None:
    """The argument words as BuildKit's AST (v0.12.5) holds them."""
    kw = go_lower(ins.get('keyword'))
    if kw not in KNOWN_KEYWORDS:
        return None  # parseIgnore: nothing to compare
    form, args = ins.get('form'), ins.get('args')
    if form == 'onbuild':
        # A nested ONBUILD holds its own trigger as a child node: one empty
        # value in BuildKit's list.
        return [''] if ins.get('trigger') else []
    if form == 'none':
        vals: list[str] = []
    elif form in ('exec', 'words'):
        vals = list(args)
    elif form in ('shell', 'text'):
        vals = [args]
    elif form == 'pairs':
        # v0.12.5 has no separator node for ENV/LABEL pairs.
        vals = [x for p in args for x in (p['key'], p['value'])]
    else:
        vals = [repr(args)]
    if 'kind' in ins:
        vals = [ins['kind']] + vals
    return vals


def dflint_view(ins: dict, text_lines: list[str]) -> dict:
    inner = ins.get('trigger') if ins.get('form') == 'onbuild' else None
    src = inner or ins
    values = dflint_values(src) if inner or go_lower(ins.get('keyword')) != 'onbuild' else []
    flags = [
        f['name'] + ('' if f['value'] is None else '=' + f['value'])
        for f in src.get('flags', [])
    ]
    return {
        'cmd': go_lower(ins.get('keyword')),
        'sub_cmd': go_lower(inner.get('keyword')) if inner else None,
        'line': ins['line'],
        'end_line': ins['end_line'],
        'flags': flags,
        'value': values,
        'heredocs': [
            [h['name'], h['content'], h['file_descriptor']] for h in ins.get('heredocs', [])
        ],
    }


def oracle_view(c: dict) -> dict:
    cmd = go_lower(c['cmd'])
    sub = go_lower(c['sub_cmd']) if c['sub_cmd'] else None
    target = sub or cmd
    return {
        'cmd': cmd,
        'sub_cmd': sub,
        'line': c['start_line'],
        'end_line': c['end_line'],
        'flags': [f.lstrip('-') for f in c['flags']],
        'value': list(c['value']) if target in KNOWN_KEYWORDS else None,
        'heredocs': [
            [h['name'], h['content'], h['file_descriptor']] for h in c['heredocs']
        ],
    }


def skippable(line: str) -> bool:
    """A line that can open an instruction without holding its keyword: only
    a continuation character, blank, or a comment inside the continuation."""
    s = line.strip()
    return s in ('', '\\', '`') or s.startswith('#')


def same(d: dict, o: dict, text_lines: list[str]) -> bool:
    """dflint reports the keyword's line, BuildKit the first line of the
    instruction; they differ only when the first lines hold just `\\`."""
    if d['line'] != o['line']:
        if not (o['line'] < d['line'] <= o['end_line']):
            return False
        if not all(skippable(l) for l in text_lines[o['line'] - 1:d['line'] - 1]):
            return False
    keys = ['cmd', 'sub_cmd', 'end_line', 'flags', 'heredocs']
    if (o['sub_cmd'] or '').startswith('#'):
        # The oracle's wrapper finds an ONBUILD trigger's flags and heredocs
        # by parsing the trigger alone, and `# ...` alone is a comment.
        keys = ['cmd', 'sub_cmd', 'end_line']
    if any(d[k] != o[k] for k in keys):
        return False
    if d['value'] is None or o['value'] is None:
        return True
    return d['value'] == o['value']


HEREDOC_SPACE = re.compile(r'<<[ \t\r]+[^ \t\r\n]')
NEW_MODIFIER = re.compile(r'\$\{[^}\n]*?[#%/]')
DIRECTIVE = re.compile(r'^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$')


def logical_lines(text: str) -> list[str]:
    """Physical lines joined where one ends in `\\` or a backtick, skipping
    blank and comment lines inside the continuation as BuildKit does: close
    enough to BuildKit's instructions to tell what one holds."""
    out: list[str] = []
    cur: str | None = None
    # BuildKit splits on `\n` only: a lone `\r` stays inside the line.
    for line in text.split('\n'):
        if cur is not None and (not line.strip() or line.lstrip().startswith('#')):
            continue
        body = line.rstrip(' \t\r')
        if body.endswith(('\\', '`')):
            cur = (cur or '') + body[:-1]
            continue
        out.append((cur or '') + line)
        cur = None
    if cur is not None:
        out.append(cur)
    return out


def cut_nul(value):
    """What the oracle's wrapper reports for a value: C strings end at NUL."""
    if isinstance(value, str):
        return value.split('\x00', 1)[0]
    if isinstance(value, list):
        return [cut_nul(v) for v in value]
    return value


def as_oracle_sees_nul(view: dict) -> dict:
    return {k: cut_nul(v) if k in ('value', 'flags', 'heredocs') else v for k, v in view.items()}


JSON_DECODER = json.JSONDecoder()


def json_then_text(value: list[str] | None) -> list[str] | None:
    """The strings of a shell-form argument that starts with a JSON array of
    strings followed by more text (`["a"] b`), else None."""
    if not value or len(value) != 1 or not value[0].startswith('['):
        return None
    try:
        words, end = JSON_DECODER.raw_decode(value[0])
    except ValueError:
        return None
    if not value[0][end:].strip() or not isinstance(words, list):
        return None
    if not all(isinstance(w, str) for w in words):
        return None
    return words


def as_oracle_sees_trailing_json(view: dict) -> dict:
    """v0.12.5 decodes the first JSON value of `CMD ["a"] trailing` and drops
    the rest; current BuildKit (Dockerfile 1.9+) reads the whole as shell
    form."""
    words = json_then_text(view['value'])
    if words is None:
        return view
    return dict(view, value=words)


def known_text_reasons(text: str) -> list[str]:
    """Documented differences between the oracle's BuildKit (v0.12.5) and
    current BuildKit that the input exercises and that change the file as a
    whole."""
    reasons = []
    # Header directives: v0.12.5 does not know `# check=`, which therefore
    # ends its header: a later directive is a comment there (so a later
    # `# escape=` is ignored, and a repeated directive is no error).
    in_check = False
    for line in text.lstrip('\ufeff').split('\n'):
        m = DIRECTIVE.match(line.lstrip().rstrip('\r'))
        if not m or m.group(1).lower() not in ('syntax', 'escape', 'check'):
            break
        if in_check:
            reasons.append('check-directive')
            break
        in_check = m.group(1).lower() == 'check'
    heredoc_lines = [l for l in logical_lines(text) if '<<' in l]
    # Whitespace between `<<` and the delimiter: a heredoc since Dockerfile
    # 1.16 (BuildKit v0.22).
    if any(HEREDOC_SPACE.search(l) for l in heredoc_lines):
        reasons.append('heredoc-space')
    # `${a#p}`, `${a%p}`, `${a/p/r}`... on a heredoc line: the lexer of
    # v0.12.5 rejects these modifiers (so it finds no heredoc on the line),
    # current BuildKit accepts them (and rejects `${a:#p}`).
    if any('${' in l and NEW_MODIFIER.search(l) for l in heredoc_lines):
        reasons.append('lexer-modifiers')
    # `["a", ["b"]] x`: v0.12.5 decodes the JSON and rejects it for holding a
    # non-string; current BuildKit reads the whole as shell form. COPY, ADD
    # and VOLUME split such a line into words, which no view can undo.
    for line in logical_lines(text) + text.split('\n'):
        i = line.find('[')
        if i < 0:
            continue
        try:
            _, end = JSON_DECODER.raw_decode(line[i:])
        except ValueError:
            continue
        if line[i + end:].strip():
            reasons.append('json-trailing-text')
            break
    return reasons


def compare(text: str, dres, ores):
    """The category of one input, and a note on what differs."""
    if ores[0] == 'crash':
        return 'oracle-error', ores[1]
    if dres[0] == 'crash':
        return 'differ', 'dflint crashed: ' + dres[1]
    d_ok, o_ok = dres[0] == 'ok', ores[0] == 'ok'
    if not d_ok and not o_ok:
        return 'both-reject', ''
    text_lines = text.split('\n')
    note = ''
    if d_ok and o_ok:
        dv = [dflint_view(i, text_lines) for i in dres[1]]
        ov = [oracle_view(c) for c in ores[1]]
        if len(dv) == len(ov) and all(same(a, b, text_lines) for a, b in zip(dv, ov)):
            return 'agree', ''
        # Differences the oracle's version explains instruction by
        # instruction: apply them to dflint's view and look again.
        if len(dv) == len(ov):
            why = set()
            for a, b in zip(dv, ov):
                if same(a, b, text_lines):
                    continue
                for name, adjust in (
                    ('nul', as_oracle_sees_nul),
                    ('json-trailing-text', as_oracle_sees_trailing_json),
                ):
                    a = adjust(a)
                    if same(a, b, text_lines):
                        why.add(name)
                        break
                else:
                    break
            else:
                return 'known', ','.join(sorted(why)) + ' (differ)'
        cat = 'differ'
        for k, (a, b) in enumerate(zip(dv, ov)):
            if not same(a, b, text_lines):
                note = f'instruction {k + 1}:\n  dflint: {a}\n  oracle: {b}'
                break
        else:
            note = f'{len(dv)} instructions in dflint, {len(ov)} in the oracle'
    elif d_ok:
        cat, note = 'dflint-only', 'oracle: ' + ores[1]
    else:
        cat, note = 'oracle-only', 'dflint: ' + dres[1]
    reasons = known_text_reasons(text)
    if reasons:
        return 'known', ','.join(reasons) + ' (' + cat + ')\n' + note
    return cat, note


# ------------------------------------------------------------------ main --

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n\n'.join(__doc__.split('\n\n')[1:]),
    )
    ap.add_argument('paths', nargs='*', type=Path, help='files or folders (default: the corpus and fixtures/)')
    ap.add_argument('--mutate', type=int, default=0, metavar='N', help='mutated variants per input (default 0)')
    ap.add_argument('--seed', type=int, default=0, metavar='S', help='seed for the mutations (default 0)')
    ap.add_argument('--dflint', default=str(REPO / 'target/debug/dflint'), help='dflint binary (default target/debug/dflint)')
    ap.add_argument('--oracle-python', default=sys.executable, help='Python with the `dockerfile` package (default: this one)')
    ap.add_argument('--out', type=Path, default=REPO / 'target/differential', help='where disagreeing inputs go (default target/differential)')
    ap.add_argument('--max-inputs', type=int, default=0, metavar='M', help='stop after M inputs, variants included (0: no limit)')
    ap.add_argument('--time-limit', type=float, default=900, metavar='SEC', help='stop starting new inputs after SEC seconds (default 900)')
    ap.add_argument('-v', '--verbose', action='store_true', help='print each disagreement as it is found')
    args = ap.parse_args(argv)

    if not Path(args.dflint).is_file():
        sys.exit(f'differential: no dflint binary at {args.dflint} (cargo build first, or --dflint PATH)')
    files = input_files(args.paths or DEFAULT_INPUTS)
    if not files:
        sys.exit('differential: no inputs')
    oracle = Oracle(args.oracle_python)
    oracle.check()

    counts = {c: 0 for c in CATEGORIES}
    known_why: dict[str, int] = {}
    started = time.monotonic()
    done = 0
    stopped = ''
    for c in CATEGORIES:
        if c != 'agree' and c != 'both-reject':
            (args.out / c).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='dflint-diff-') as tmp:
        scratch = Path(tmp) / 'Dockerfile'
        for f in files:
            try:
                original = f.read_bytes().decode('utf-8')
            except (OSError, UnicodeDecodeError):
                continue  # dflint reads UTF-8 only
            key = f'{f.parent.name}/{f.name}'
            variants = [original] + mutants(original, args.mutate, args.seed, key)
            for k, text in enumerate(variants):
                if args.max_inputs and done >= args.max_inputs:
                    stopped = f'stopped after {done} inputs (--max-inputs)'
                    break
                if time.monotonic() - started > args.time_limit:
                    stopped = f'stopped after {args.time_limit:.0f}s (--time-limit)'
                    break
                # newline='' keeps CR and CRLF as they are.
                with open(scratch, 'w', encoding='utf-8', newline='') as out:
                    out.write(text)
                dres = run_dflint(args.dflint, scratch)
                ores = oracle.parse(scratch)
                cat, note = compare(text, dres, ores)
                counts[cat] += 1
                done += 1
                if cat == 'known':
                    why = note.split(' ', 1)[0]
                    known_why[why] = known_why.get(why, 0) + 1
                if cat in ('agree', 'both-reject'):
                    continue
                stem = f'{f.parent.name}__{f.name}.{k}'
                (args.out / cat / (stem + '.Dockerfile')).write_bytes(text.encode('utf-8'))
                (args.out / cat / (stem + '.txt')).write_text(
                    f'input: {f} variant {k} (seed {args.seed})\n{note}\n\n'
                    f'dflint: {json.dumps(dres, ensure_ascii=False)[:4000]}\n\n'
                    f'oracle: {json.dumps(ores, ensure_ascii=False)[:4000]}\n',
                    encoding='utf-8',
                )
                if args.verbose and cat != 'known':
                    print(f'{cat}: {f} variant {k}\n{note}\n', file=sys.stderr)
            if stopped:
                break
    oracle.stop()

    elapsed = time.monotonic() - started
    print(f'{done} inputs from {len(files)} files, {args.mutate} variants each, seed {args.seed}, {elapsed:.0f}s')
    if stopped:
        print(stopped)
    for c in CATEGORIES:
        print(f'  {c:<13}{counts[c]:>7}')
    for why, n in sorted(known_why.items()):
        print(f'    known: {why} {n}')
    print(f'disagreements written to {args.out}')
    real = counts['dflint-only'] + counts['oracle-only'] + counts['differ']
    return 1 if real else 0


if __name__ == '__main__':
    raise SystemExit(main())
