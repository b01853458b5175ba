//! Config files: `.dflint.toml`, `[tool.dflint]` in `pyproject.toml`, and
//! `.hadolint.yaml` as a fallback.
//!
//! Reading a file only says what it sets; how that layers over the command
//! line and the defaults is for [`crate::settings`] to decide.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_yaml_ng::Value as Yaml;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::semantics::Profile;

/// Which format a config file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// `.dflint.toml`.
    Dflint,
    /// The `[tool.dflint]` table of `pyproject.toml`.
    Pyproject,
    /// `.hadolint.yaml` or `.hadolint.yml`, read when no dflint config exists.
    Hadolint,
}

/// What one file sets. `None` or empty means the file says nothing, so the
/// command line and the defaults still decide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigOptions {
    /// Rule selectors as written: codes, names, prefixes or `ALL`.
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    /// (glob as written, selectors), in file order.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// (rule selector as written, severity), in file order.
    pub severity: Vec<(String, Severity)>,
    pub fail_level: Option<Severity>,
    pub unsafe_fixes: Option<bool>,
    pub target: Option<String>,
    pub profile: Option<Profile>,
    /// Globs of paths never checked when a directory is walked.
    pub exclude: Vec<String>,
    /// hadolint's `trustedRegistries` (its DL3026).
    pub trusted_registries: Vec<String>,
    /// hadolint's `label-schema`: label -> type, in file order.
    pub label_schema: Vec<(String, String)>,
    /// hadolint's `strict-labels`.
    pub strict_labels: Option<bool>,
    /// The file is a `.hadolint.yaml`: hadolint's rules run by default, as
    /// they did under hadolint, on top of dflint's defaults.
    pub hadolint_defaults: bool,
}

/// A config file found and read.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub kind: ConfigKind,
    pub options: ConfigOptions,
}

/// An error naming the file, the key (when there is one) and what is wrong,
/// with a 1-based line and column when they are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl ConfigError {
    fn new(path: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> ConfigError {
        // A span may point past a char boundary only in a broken document;
        // counting over the whole text then still gives a usable line.
        let before = text.get(..offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        ConfigError {
            line: Some(before.matches('\n').count() + 1),
            column: Some(before[line_start..].chars().count() + 1),
            ..ConfigError::new(path, message)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

const DFLINT_KEYS: [&str; 13] = [
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "severity",
    "fail-level",
    "unsafe-fixes",
    "target",
    "profile",
    "exclude",
    "trusted-registries",
    "label-schema",
    "strict-labels",
];

const HADOLINT_KEYS: [&str; 11] = [
    "ignored",
    "override",
    "failure-threshold",
    "trustedRegistries",
    "label-schema",
    "strict-labels",
    "no-fail",
    "no-color",
    "format",
    "verbose",
    "disable-ignore-pragma",
];

fn unknown_key(prefix: &str, key: &str, known: &[&str]) -> String {
    let nearest = known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, _)| *d <= 2)
        .min();
    match nearest {
        Some((_, k)) => format!("unknown key `{prefix}{key}`; did you mean `{k}`?"),
        None => format!(
            "unknown key `{prefix}{key}` (expected one of: {})",
            known.join(", ")
        ),
    }
}

/// Read a config file, its format chosen by its name: `*.yaml` and `*.yml`
/// are hadolint's, `pyproject.toml` must have `[tool.dflint]`, anything else
/// is dflint TOML.
pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (kind, options) = if name.ends_with(".yaml") || name.ends_with(".yml") {
        let options = ConfigOptions {
            hadolint_defaults: true,
            ..parse_hadolint(path, &text)?
        };
        (ConfigKind::Hadolint, options)
    } else if name == "pyproject.toml" {
        let options = parse_pyproject(path, &text)?
            .ok_or_else(|| ConfigError::new(path, "no [tool.dflint] table"))?;
        (ConfigKind::Pyproject, options)
    } else {
        (ConfigKind::Dflint, parse_dflint_toml(path, &text)?)
    };
    Ok(ConfigFile {
        path: path.to_path_buf(),
        kind,
        options,
    })
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ConfigError::new(path, "file not found"),
        _ => ConfigError::new(path, format!("cannot read: {e}")),
    })
}

/// The config that applies to files in `dir`: the nearest `.dflint.toml` or
/// `pyproject.toml` with `[tool.dflint]` from `dir` up to the root (in one
/// directory `.dflint.toml` wins). A `.hadolint.yaml` (or `.yml`) is used,
/// the nearest one, only when there is no dflint config at all, so a project
/// that adopted dflint is never half-configured by a leftover hadolint file.
pub fn discover(dir: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut hadolint = None;
    for d in start.ancestors() {
        let dflint = d.join(".dflint.toml");
        if dflint.is_file() {
            return load(&dflint).map(Some);
        }
        let pyproject = d.join("pyproject.toml");
        if pyproject.is_file() {
            if let Some(options) = parse_pyproject(&pyproject, &read(&pyproject)?)? {
                return Ok(Some(ConfigFile {
                    path: pyproject,
                    kind: ConfigKind::Pyproject,
                    options,
                }));
            }
        }
        if hadolint.is_none() {
            hadolint = [".hadolint.yaml", ".hadolint.yml"]
                .iter()
                .map(|n| d.join(n))
                .find(|p| p.is_file());
        }
    }
    hadolint.map(|p| load(&p)).transpose()
}

fn parse_toml<'t>(path: &Path, text: &'t str) -> Result<DeTable<'t>, ConfigError> {
    DeTable::parse(text).map(Spanned::into_inner).map_err(|e| {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => ConfigError::at(path, text, span.start, message),
            None => ConfigError::new(path, message),
        }
    })
}

/// Read a `.dflint.toml`.
pub fn parse_dflint_toml(path: &Path, text: &str) -> Result<ConfigOptions, ConfigError> {
    let table = parse_toml(path, text)?;
    let cx = TomlCx {
        path,
        text,
        prefix: "",
    };
    cx.options(&table)
}

/// Read the `[tool.dflint]` table of a `pyproject.toml`; `None` when it has none.
pub fn parse_pyproject(path: &Path, text: &str) -> Result<Option<ConfigOptions>, ConfigError> {
    let doc = parse_toml(path, text)?;
    let Some(DeValue::Table(tool)) = doc.get("tool").map(Spanned::get_ref) else {
        return Ok(None);
    };
    let Some(dflint) = tool.get("dflint") else {
        return Ok(None);
    };
    let cx = TomlCx {
        path,
        text,
        prefix: "tool.dflint.",
    };
    match dflint.get_ref() {
        DeValue::Table(table) => cx.options(table).map(Some),
        other => Err(ConfigError::at(
            path,
            text,
            dflint.span().start,
            format!("tool.dflint: expected a table, found {}", other.type_str()),
        )),
    }
}

type Entry<'a, 't> = (
    &'a Spanned<std::borrow::Cow<'t, str>>,
    &'a Spanned<DeValue<'t>>,
);

/// Where values come from, so every error can name the file, the key and the place.
struct TomlCx<'a> {
    path: &'a Path,
    text: &'a str,
    /// Prepended to key names in messages (`tool.dflint.` in a pyproject).
    prefix: &'a str,
}

impl TomlCx<'_> {
    fn err(&self, span: Range<usize>, key: &str, message: impl fmt::Display) -> ConfigError {
        let message = format!("{}{key}: {message}", self.prefix);
        ConfigError::at(self.path, self.text, span.start, message)
    }

    fn options(&self, table: &DeTable<'_>) -> Result<ConfigOptions, ConfigError> {
        let mut o = ConfigOptions::default();
        for (key, value) in self.entries_of(table) {
            let k: &str = key.get_ref();
            match k {
                "select" => o.select = Some(self.strings(k, value, any)?),
                "ignore" => o.ignore = Some(self.strings(k, value, any)?),
                "extend-select" => o.extend_select = Some(self.strings(k, value, any)?),
                "per-file-ignores" => {
                    for (glob, codes) in self.table(k, value)? {
                        let sub = format!("{k}.{:?}", glob.get_ref());
                        valid_glob(glob.get_ref()).map_err(|e| self.err(glob.span(), &sub, e))?;
                        let codes = self.strings(&sub, codes, any)?;
                        o.per_file_ignores.push((glob.get_ref().to_string(), codes));
                    }
                }
                "severity" => {
                    for (rule, level) in self.table(k, value)? {
                        let sub = format!("{k}.{}", rule.get_ref());
                        o.severity
                            .push((rule.get_ref().to_string(), self.parse(&sub, level)?));
                    }
                }
                "fail-level" => o.fail_level = Some(self.parse(k, value)?),
                "unsafe-fixes" => match value.get_ref() {
                    DeValue::Boolean(b) => o.unsafe_fixes = Some(*b),
                    v => return Err(self.err(value.span(), k, expected("a boolean", v))),
                },
                "target" => o.target = Some(self.string(k, value)?),
                "profile" => o.profile = Some(self.parse(k, value)?),
                "exclude" => o.exclude = self.strings(k, value, valid_glob)?,
                "trusted-registries" => o.trusted_registries = self.strings(k, value, any)?,
                "label-schema" => {
                    for (label, kind) in self.table(k, value)? {
                        let sub = format!("{k}.{}", label.get_ref());
                        o.label_schema
                            .push((label.get_ref().to_string(), self.string(&sub, kind)?));
                    }
                }
                "strict-labels" => match value.get_ref() {
                    DeValue::Boolean(b) => o.strict_labels = Some(*b),
                    v => return Err(self.err(value.span(), k, expected("a boolean", v))),
                },
                _ => {
                    let message = unknown_key(self.prefix, k, &DFLINT_KEYS);
                    return Err(ConfigError::at(
                        self.path,
                        self.text,
                        key.span().start,
                        message,
                    ));
                }
            }
        }
        Ok(o)
    }

    /// A table's entries in file order, which the map does not keep.
    fn entries_of<'a, 't>(&self, table: &'a DeTable<'t>) -> Vec<Entry<'a, 't>> {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        entries
    }

    fn table<'a, 't>(
        &self,
        key: &str,
        value: &'a Spanned<DeValue<'t>>,
    ) -> Result<Vec<Entry<'a, 't>>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(self.entries_of(t)),
            v => Err(self.err(value.span(), key, expected("a table", v))),
        }
    }

    fn string(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<String, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            v => Err(self.err(value.span(), key, expected("a string", v))),
        }
    }

    fn parse<T: FromStr<Err = String>>(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<T, ConfigError> {
        let s = self.string(key, value)?;
        s.parse().map_err(|e| self.err(value.span(), key, e))
    }

    /// An array of strings, each passed through `check`.
    fn strings(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        check: fn(&str) -> Result<(), String>,
    ) -> Result<Vec<String>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            let found = expected("an array of strings", value.get_ref());
            return Err(self.err(value.span(), key, found));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            let s = self.string(key, item)?;
            check(&s).map_err(|e| self.err(item.span(), key, e))?;
            out.push(s);
        }
        Ok(out)
    }
}

fn expected(what: &str, found: &DeValue<'_>) -> String {
    format!("expected {what}, found {}", found.type_str())
}

fn any(_: &str) -> Result<(), String> {
    Ok(())
}

fn valid_glob(pattern: &str) -> Result<(), String> {
    globset::Glob::new(pattern)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Read a `.hadolint.yaml`.
///
/// `ignored` becomes `ignore`, `override` becomes `severity` entries, and
/// `failure-threshold` becomes `fail_level`. hadolint's `none` and `ignore`
/// thresholds and `no-fail: true` mean "never fail", which no severity
/// expresses: they leave `fail_level` at `None`, so the file sets no
/// threshold and the command line or the default decides (`no-fail` wins
/// over a threshold, as in hadolint). `no-color`, `format`, `verbose` and
/// `disable-ignore-pragma` are accepted and ignored: they are hadolint's
/// output and pragma switches, with no dflint config counterpart.
pub fn parse_hadolint(path: &Path, text: &str) -> Result<ConfigOptions, ConfigError> {
    let doc: Yaml = serde_yaml_ng::from_str(text).map_err(|e| {
        let message = strip_yaml_location(&e.to_string());
        match e.location() {
            Some(at) => ConfigError {
                line: Some(at.line()),
                column: Some(at.column()),
                ..ConfigError::new(path, message)
            },
            None => ConfigError::new(path, message),
        }
    })?;
    let map = match doc {
        Yaml::Null => return Ok(ConfigOptions::default()),
        Yaml::Mapping(map) => map,
        other => {
            let message = format!("expected a mapping of keys, found {}", yaml_type(&other));
            return Err(ConfigError::new(path, message));
        }
    };
    let mut o = ConfigOptions::default();
    let mut no_fail = false;
    for (key, value) in &map {
        let Some(k) = key.as_str() else {
            let message = format!("keys must be strings, found {}", yaml_type(key));
            return Err(ConfigError::new(path, message));
        };
        let line = yaml_key_line(text, k);
        let err = |message: String| ConfigError {
            line,
            column: line.map(|_| 1),
            ..ConfigError::new(path, message)
        };
        let in_key = |e: String| err(format!("{k}: {e}"));
        match k {
            "ignored" => o.ignore = Some(yaml_strings(value).map_err(in_key)?),
            "override" => o.severity = yaml_override(value).map_err(in_key)?,
            "failure-threshold" => {
                match yaml_string(value).map_err(in_key)?.to_lowercase().as_str() {
                    "none" | "ignore" => o.fail_level = None,
                    s => o.fail_level = Some(s.parse().map_err(in_key)?),
                }
            }
            "trustedRegistries" => {
                o.trusted_registries = match value {
                    Yaml::String(s) => vec![s.clone()],
                    v => yaml_strings(v).map_err(in_key)?,
                }
            }
            "label-schema" => {
                for (label, kind) in yaml_mapping(value).map_err(in_key)? {
                    let pair = (yaml_string(label), yaml_string(kind));
                    let (Ok(label), Ok(kind)) = pair else {
                        return Err(in_key("expected a mapping of strings to strings".into()));
                    };
                    o.label_schema.push((label, kind));
                }
            }
            "strict-labels" => o.strict_labels = Some(yaml_bool(value).map_err(in_key)?),
            "no-fail" => no_fail = yaml_bool(value).map_err(in_key)?,
            "no-color" | "format" | "verbose" | "disable-ignore-pragma" => {}
            _ => return Err(err(unknown_key("", k, &HADOLINT_KEYS))),
        }
    }
    if no_fail {
        o.fail_level = None;
    }
    Ok(o)
}

/// hadolint's `override`: `{error: [codes], warning: [...], ...}`.
fn yaml_override(value: &Yaml) -> Result<Vec<(String, Severity)>, String> {
    let mut out = Vec::new();
    for (level, codes) in yaml_mapping(value)? {
        let level: Severity = yaml_string(level)?.parse()?;
        for code in yaml_strings(codes)? {
            out.push((code, level));
        }
    }
    Ok(out)
}

fn yaml_mapping(value: &Yaml) -> Result<Vec<(&Yaml, &Yaml)>, String> {
    match value {
        Yaml::Null => Ok(Vec::new()),
        Yaml::Mapping(m) => Ok(m.iter().collect()),
        v => Err(format!("expected a mapping, found {}", yaml_type(v))),
    }
}

fn yaml_strings(value: &Yaml) -> Result<Vec<String>, String> {
    match value {
        // `ignored:` with nothing after it is how hadolint configs often say "none".
        Yaml::Null => Ok(Vec::new()),
        Yaml::Sequence(items) => items.iter().map(yaml_string).collect(),
        v => Err(format!(
            "expected a list of strings, found {}",
            yaml_type(v)
        )),
    }
}

fn yaml_string(value: &Yaml) -> Result<String, String> {
    match value {
        Yaml::String(s) => Ok(s.clone()),
        v => Err(format!("expected a string, found {}", yaml_type(v))),
    }
}

fn yaml_bool(value: &Yaml) -> Result<bool, String> {
    match value {
        Yaml::Bool(b) => Ok(*b),
        v => Err(format!("expected a boolean, found {}", yaml_type(v))),
    }
}

fn yaml_type(value: &Yaml) -> &'static str {
    match value {
        Yaml::Null => "null",
        Yaml::Bool(_) => "boolean",
        Yaml::Number(_) => "number",
        Yaml::String(_) => "string",
        Yaml::Sequence(_) => "list",
        Yaml::Mapping(_) => "mapping",
        Yaml::Tagged(_) => "tagged value",
    }
}

/// The line of a top-level key, found in the text because the YAML value
/// keeps no positions; `None` when the key is not written in block style.
fn yaml_key_line(text: &str, key: &str) -> Option<usize> {
    fn after<'l>(line: &'l str, key: &str, quote: &str) -> Option<&'l str> {
        line.strip_prefix(quote)?
            .strip_prefix(key)?
            .strip_prefix(quote)
    }
    let position = text.lines().position(|l| {
        ["", "\"", "'"]
            .into_iter()
            .filter_map(|q| after(l, key, q))
            .any(|rest| rest.trim_start().starts_with(':'))
    });
    position.map(|i| i + 1)
}

/// The YAML parser appends " at line L column C" to its messages; the
/// position is reported on its own.
fn strip_yaml_location(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let end = tail.find(',').unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_err(text: &str) -> String {
        match parse_dflint_toml(Path::new(".dflint.toml"), text) {
            Ok(o) => panic!("expected an error, got {o:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn hadolint(text: &str) -> Result<ConfigOptions, String> {
        parse_hadolint(Path::new(".hadolint.yaml"), text).map_err(|e| e.to_string())
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_key() {
        let text = r#"
select = ["DL", "ALL"]
ignore = ["DL3008"]
extend-select = ["DF001"]
fail-level = "Warning"
unsafe-fixes = true
target = "runtime"
profile = "training"
exclude = ["vendor/**"]
[per-file-ignores]
"ci/*" = []
"Dockerfile.dev" = ["DF006"]
[severity]
pin-apt = "style"
DL3008 = "error"
"#;
        let o = parse_dflint_toml(Path::new(".dflint.toml"), text).unwrap();
        let expected = ConfigOptions {
            select: Some(strings(&["DL", "ALL"])),
            ignore: Some(strings(&["DL3008"])),
            extend_select: Some(strings(&["DF001"])),
            per_file_ignores: vec![
                ("ci/*".into(), vec![]),
                ("Dockerfile.dev".into(), strings(&["DF006"])),
            ],
            severity: vec![
                ("pin-apt".into(), Severity::Style),
                ("DL3008".into(), Severity::Error),
            ],
            fail_level: Some(Severity::Warning),
            unsafe_fixes: Some(true),
            target: Some("runtime".into()),
            profile: Some(Profile::Training),
            exclude: strings(&["vendor/**"]),
            ..ConfigOptions::default()
        };
        assert_eq!(o, expected);
        let text = "trusted-registries = [\"registry.example.com\", \"*.corp\"]\n\
                    strict-labels = true\n[label-schema]\nmaintainer = \"email\"\n";
        let o = parse_dflint_toml(Path::new(".dflint.toml"), text).unwrap();
        assert_eq!(
            o.trusted_registries,
            strings(&["registry.example.com", "*.corp"])
        );
        assert_eq!(o.label_schema, vec![("maintainer".into(), "email".into())]);
        assert_eq!(o.strict_labels, Some(true));
        assert_eq!(
            parse_dflint_toml(Path::new("x"), "").unwrap(),
            ConfigOptions::default()
        );
    }

    #[test]
    fn errors_name_file_key_and_place() {
        let cases = [
            ("ignore = []\nselct = []", "2:1: unknown key `selct`; did you mean `select`?"),
            ("colour = 1", "1:1: unknown key `colour` (expected one of: select, ignore,"),
            (
                "fail-level = \"fatal\"",
                "1:14: fail-level: unknown severity `fatal` (expected one of: error, warning, info, style)",
            ),
            ("[severity]\nDL3008 = \"loud\"", "2:10: severity.DL3008: unknown severity `loud`"),
            ("profile = \"serving\"", "1:11: profile: unknown profile `serving`"),
            ("select = \"DL\"", "1:10: select: expected an array of strings, found string"),
            ("ignore = [\"DL3008\", 3]", "1:21: ignore: expected a string, found integer"),
            ("unsafe-fixes = \"yes\"", "1:16: unsafe-fixes: expected a boolean, found string"),
            ("per-file-ignores = 1", "1:20: per-file-ignores: expected a table, found integer"),
            ("[per-file-ignores]\n\"[ab\" = []", "2:1: per-file-ignores.\"[ab\": error parsing glob"),
            ("exclude = [\"a/{b\"]", "1:12: exclude: error parsing glob 'a/{b'"),
            ("select = [\n\"DL\"\nignore = 1", "3:1: "),
        ];
        for (text, want) in cases {
            let got = toml_err(text);
            assert!(got.starts_with(&format!(".dflint.toml:{want}")), "{got}");
        }
    }

    #[test]
    fn pyproject() {
        let path = Path::new("pyproject.toml");
        let text = "[project]\nname = \"x\"\n[tool.ruff]\nselect = [1]\n";
        assert_eq!(parse_pyproject(path, text).unwrap(), None);
        let text = "[tool.ruff]\nline-length = 80\n[tool.dflint]\nignore = [\"DL3008\"]\n";
        let o = parse_pyproject(path, text).unwrap().unwrap();
        assert_eq!(o.ignore, Some(strings(&["DL3008"])));
        let e = parse_pyproject(path, "[tool.dflint]\nignor = []\n").unwrap_err();
        let want = "pyproject.toml:2:1: unknown key `tool.dflint.ignor`; did you mean `ignore`?";
        assert_eq!(e.to_string(), want);
    }

    #[test]
    fn hadolint_keys() {
        let text = "
ignored: [DL3008, DL3013]
override:
  error: [DL3001]
  info:
    - DL3032
failure-threshold: warning
trustedRegistries:
  - docker.io
label-schema:
  maintainer: text
  org.opencontainers.image.url: url
strict-labels: true
no-color: true
format: tty
";
        let expected = ConfigOptions {
            ignore: Some(strings(&["DL3008", "DL3013"])),
            severity: vec![
                ("DL3001".into(), Severity::Error),
                ("DL3032".into(), Severity::Info),
            ],
            fail_level: Some(Severity::Warning),
            trusted_registries: strings(&["docker.io"]),
            label_schema: vec![
                ("maintainer".into(), "text".into()),
                ("org.opencontainers.image.url".into(), "url".into()),
            ],
            strict_labels: Some(true),
            ..ConfigOptions::default()
        };
        assert_eq!(hadolint(text).unwrap(), expected);
        assert_eq!(hadolint("").unwrap(), ConfigOptions::default());
        assert_eq!(hadolint("# nothing\n").unwrap(), ConfigOptions::default());
    }

    #[test]
    fn a_loaded_hadolint_file_asks_for_hadolint_defaults() {
        let dir = std::env::temp_dir().join(format!("dflint-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let yaml = dir.join(".hadolint.yaml");
        std::fs::write(&yaml, "ignored: [DL3008]\n").unwrap();
        let toml = dir.join(".dflint.toml");
        std::fs::write(&toml, "ignore = [\"DL3008\"]\n").unwrap();
        let from_yaml = load(&yaml).unwrap();
        let from_toml = load(&toml).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(from_yaml.options.hadolint_defaults);
        assert!(!from_toml.options.hadolint_defaults);
    }

    #[test]
    fn hadolint_never_fail_sets_no_threshold() {
        for text in ["failure-threshold: none", "failure-threshold: ignore"] {
            assert_eq!(hadolint(text).unwrap().fail_level, None);
        }
        let o = hadolint("failure-threshold: error\nno-fail: true\n").unwrap();
        assert_eq!(o.fail_level, None);
    }

    #[test]
    fn hadolint_errors() {
        let cases = [
            (
                "ignored: []\nignore: []",
                "2:1: unknown key `ignore`; did you mean `ignored`?",
            ),
            (
                "ignored: DL3008",
                "1:1: ignored: expected a list of strings, found string",
            ),
            (
                "override:\n  fatal: [DL3008]",
                "1:1: override: unknown severity `fatal`",
            ),
            (
                "failure-threshold: fatal",
                "1:1: failure-threshold: unknown severity `fatal`",
            ),
            (
                "ignored: [DL3008\n",
                "2:1: did not find expected ',' or ']'",
            ),
        ];
        for (text, want) in cases {
            let got = hadolint(text).unwrap_err();
            assert!(got.starts_with(&format!(".hadolint.yaml:{want}")), "{got}");
            assert!(!got.contains(" at line "), "{got}");
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn discovery() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let deep = root.join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        let found = || discover(&deep).unwrap().map(|c| (c.path, c.kind));
        assert_eq!(found(), None);

        write(&root.join("a/.hadolint.yaml"), "ignored: [DL3008]");
        write(&root.join("a/b/.hadolint.yml"), "ignored: [DL3009]");
        let c = discover(&deep).unwrap().unwrap();
        assert_eq!(
            (c.path, c.kind),
            (root.join("a/b/.hadolint.yml"), ConfigKind::Hadolint)
        );
        assert_eq!(c.options.ignore, Some(strings(&["DL3009"])));

        // Not a config: no [tool.dflint].
        write(&root.join("pyproject.toml"), "[project]\nname = \"x\"");
        assert_eq!(found().unwrap().1, ConfigKind::Hadolint);

        let steps = [
            (
                "pyproject.toml",
                "[tool.dflint]",
                "pyproject.toml",
                ConfigKind::Pyproject,
            ),
            (".dflint.toml", "", ".dflint.toml", ConfigKind::Dflint),
            (
                "a/pyproject.toml",
                "[tool.dflint]",
                "a/pyproject.toml",
                ConfigKind::Pyproject,
            ),
        ];
        for (file, text, winner, kind) in steps {
            write(&root.join(file), text);
            assert_eq!(found(), Some((root.join(winner), kind)), "after {file}");
        }

        write(&root.join("a/b/.dflint.toml"), "selct = []");
        assert_eq!(
            discover(&deep).unwrap_err().path,
            root.join("a/b/.dflint.toml")
        );

        // `..` is resolved first; a path that does not exist is walked as given.
        let via_dotdot = discover(&root.join("a/b/c/..")).unwrap_err();
        assert_eq!(via_dotdot.path, root.join("a/b/.dflint.toml"));
        let missing = discover(&root.join("missing/dir")).unwrap().unwrap();
        assert_eq!(missing.path, root.join(".dflint.toml"));
    }

    #[test]
    fn load_by_name() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope.toml");
        let want = format!("{}: file not found", missing.display());
        assert_eq!(load(&missing).unwrap_err().to_string(), want);
        for (name, text, kind) in [
            ("lint.toml", "target = \"final\"", ConfigKind::Dflint),
            ("ci.yaml", "ignored: []", ConfigKind::Hadolint),
            ("pyproject.toml", "[tool.dflint]", ConfigKind::Pyproject),
        ] {
            write(&tmp.path().join(name), text);
            assert_eq!(load(&tmp.path().join(name)).unwrap().kind, kind);
        }
        write(&tmp.path().join("pyproject.toml"), "[tool.black]");
        let e = load(&tmp.path().join("pyproject.toml")).unwrap_err();
        assert_eq!(e.message, "no [tool.dflint] table");
    }
}
