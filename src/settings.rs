//! Settings: what the CLI flags and config files resolve to (CLI > nearest
//! config file > defaults), and the rule selection they make.

use std::fmt;

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};

use crate::config::ConfigOptions;
use crate::diagnostic::{Applicability, Severity};
use crate::rules::{Rule, RULES};
use crate::semantics::normalize_path;
pub use crate::semantics::Profile;
use crate::semantics::RuleOptions;

/// Where a layer of settings came from, for error messages: `--select`, or
/// a config file's path.
#[derive(Debug, Clone)]
pub struct Layer<'a> {
    pub source: String,
    pub options: &'a ConfigOptions,
    /// The directory `per-file-ignores` and `exclude` globs are relative to.
    pub base: Option<PathBuf>,
}

/// A setting that names something that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// `--select`, or `PATH: select`.
    pub source: String,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for SettingsError {}

/// Everything that decides what `check` reports and what `fix` writes.
#[derive(Debug, Clone)]
pub struct Settings {
    /// For every rule of [`RULES`], whether it runs.
    enabled: Vec<bool>,
    /// For every rule, a severity that replaces its default.
    severity: Vec<Option<Severity>>,
    per_file_ignores: Vec<(Vec<GlobMatcher>, Vec<usize>)>,
    exclude: Vec<GlobMatcher>,
    /// Findings at or above this severity fail the run.
    pub fail_level: Severity,
    /// Whether `fix` writes unsafe fixes too.
    pub unsafe_fixes: bool,
    /// The stage that is built (`docker build --target`); the last one when `None`.
    pub target: Option<String>,
    pub profile: Profile,
    /// Registries DL3026 trusts (kept for that rule).
    pub trusted_registries: Vec<String>,
    /// hadolint's `label-schema`: label -> type (DL3049-DL3058).
    pub label_schema: Vec<(String, String)>,
    /// hadolint's `strict-labels` (DL3050).
    pub strict_labels: bool,
    /// The file's name, for rules that read intent from it.
    pub file_name: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            enabled: RULES.iter().map(|r| r.default_enabled).collect(),
            severity: vec![None; RULES.len()],
            per_file_ignores: Vec::new(),
            exclude: Vec::new(),
            fail_level: Severity::Style,
            unsafe_fixes: false,
            target: None,
            profile: Profile::Auto,
            trusted_registries: Vec::new(),
            label_schema: Vec::new(),
            strict_labels: false,
            file_name: None,
        }
    }
}

/// hadolint's rules that it leaves off until a severity override names
/// them (their default severity there is `ignore`).
const HADOLINT_OFF_BY_DEFAULT: &[&str] = &["DL1001", "DL3057"];

/// Whether a rule runs by default under a `.hadolint.yaml`: every `DL`
/// rule hadolint runs by default, and the ones it keeps off once its
/// `override` gives them a severity.
fn is_hadolint_default(rule: &Rule, overrides: &[(String, Severity)]) -> bool {
    if !rule.code.starts_with("DL") {
        return false;
    }
    !HADOLINT_OFF_BY_DEFAULT.contains(&rule.code) || overrides.iter().any(|(k, _)| rule.is_named(k))
}

/// The rules a selector names: `ALL`, a code, an alias, a name, or a code
/// prefix (`DF`, `DF00`).
pub fn resolve_selector(key: &str) -> Result<Vec<usize>, String> {
    let key = key.trim();
    if key.eq_ignore_ascii_case("ALL") {
        return Ok((0..RULES.len()).collect());
    }
    if let Some(group) = crate::rules::group(key) {
        return Ok(group);
    }
    let exact: Vec<usize> = (0..RULES.len())
        .filter(|&i| RULES[i].is_named(key))
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    let upper = key.to_ascii_uppercase();
    let prefixed: Vec<usize> = (0..RULES.len())
        .filter(|&i| !upper.is_empty() && RULES[i].code.starts_with(&upper))
        .collect();
    if !prefixed.is_empty() {
        return Ok(prefixed);
    }
    let mut message = format!("unknown rule or prefix `{key}`");
    if let Some(near) = nearest(key) {
        message.push_str(&format!("; did you mean `{near}`?"));
    }
    message.push_str(" (see `dflint rules`)");
    Err(message)
}

/// The code, alias or name closest to a misspelt one, when one is close.
pub fn nearest(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    RULES
        .iter()
        .flat_map(|r| {
            std::iter::once(r.code)
                .chain(r.aliases.iter().copied())
                .chain([r.name])
        })
        .map(|c| (strsim::levenshtein(&key, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn glob(pattern: &str, source: &str) -> Result<GlobMatcher, SettingsError> {
    Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|e| SettingsError {
            source: source.to_string(),
            message: format!("invalid glob `{pattern}`: {e}"),
        })
}

/// The matchers of a `per-file-ignores` or `exclude` glob: as written
/// against the path, relative to the config's directory, and, for a glob
/// without a `/`, against the file name (as ruff and git do).
fn globs(
    pattern: &str,
    base: Option<&Path>,
    source: &str,
) -> Result<Vec<GlobMatcher>, SettingsError> {
    let mut out = vec![glob(pattern, source)?];
    if let Some(base) = base {
        out.push(glob(&base.join(pattern).to_string_lossy(), source)?);
    }
    if !pattern.contains('/') {
        out.push(glob(&format!("**/{pattern}"), source)?);
    }
    Ok(out)
}

/// A path as globs may see it: as given, without a leading `./`, and
/// absolute (globs relative to a config file are made absolute too).
fn path_forms(path: &str) -> Vec<String> {
    let mut forms = vec![path.to_string()];
    if let Some(rest) = path.strip_prefix("./") {
        forms.push(rest.to_string());
    }
    if let Ok(abs) = std::path::absolute(path) {
        let abs = normalize_path(&abs.to_string_lossy());
        forms.push(abs);
    }
    forms
}

impl Settings {
    /// Every rule on (`--select ALL`) and nothing else set, for a file
    /// named `Dockerfile`: what the benchmarks measure.
    pub fn every_rule() -> Settings {
        Settings {
            enabled: vec![true; RULES.len()],
            file_name: Some("Dockerfile".to_string()),
            ..Settings::default()
        }
    }

    /// Resolve layers of settings, lowest precedence first (config file,
    /// then command line). Scalars and `select` are taken from the highest
    /// layer that sets them; `extend-select`, `ignore`, `per-file-ignores`
    /// and `exclude` add up; a later `severity` for a rule wins.
    pub fn resolve(layers: &[Layer]) -> Result<Settings, SettingsError> {
        let mut s = Settings::default();
        let rules_of = |keys: &[String], source: &str| -> Result<Vec<usize>, SettingsError> {
            let mut out = Vec::new();
            for k in keys.iter().filter(|k| !k.trim().is_empty()) {
                out.extend(resolve_selector(k).map_err(|message| SettingsError {
                    source: source.to_string(),
                    message,
                })?);
            }
            Ok(out)
        };
        let at = |l: &Layer, key: &str| {
            if l.source.starts_with("--") {
                l.source.clone()
            } else {
                format!("{}: {key}", l.source)
            }
        };
        let mut ignored = Vec::new();
        for l in layers {
            let o = l.options;
            if o.hadolint_defaults {
                for (i, rule) in RULES.iter().enumerate() {
                    if is_hadolint_default(rule, &o.severity) {
                        s.enabled[i] = true;
                    }
                }
            }
            if let Some(select) = &o.select {
                let chosen = rules_of(select, &at(l, "select"))?;
                s.enabled = (0..RULES.len()).map(|i| chosen.contains(&i)).collect();
            }
            for i in rules_of(
                o.extend_select.as_deref().unwrap_or(&[]),
                &at(l, "extend-select"),
            )? {
                s.enabled[i] = true;
            }
            if let Some(ignore) = &o.ignore {
                ignored.extend(rules_of(ignore, &at(l, "ignore"))?);
            }
            for (pattern, keys) in &o.per_file_ignores {
                let source = at(l, "per-file-ignores");
                let matchers = globs(pattern, l.base.as_deref(), &source)?;
                s.per_file_ignores
                    .push((matchers, rules_of(keys, &source)?));
            }
            for pattern in &o.exclude {
                s.exclude
                    .extend(globs(pattern, l.base.as_deref(), &at(l, "exclude"))?);
            }
            for (key, level) in &o.severity {
                for i in rules_of(std::slice::from_ref(key), &at(l, "severity"))? {
                    s.severity[i] = Some(*level);
                }
            }
            if let Some(v) = o.fail_level {
                s.fail_level = v;
            }
            if let Some(v) = o.unsafe_fixes {
                s.unsafe_fixes = v;
            }
            if let Some(v) = &o.target {
                s.target = Some(v.clone());
            }
            if let Some(v) = o.profile {
                s.profile = v;
            }
            s.trusted_registries
                .extend(o.trusted_registries.iter().cloned());
            // Lists add up across layers (as hadolint's do); a later layer
            // may retype a label.
            for (label, kind) in &o.label_schema {
                s.label_schema.retain(|(l, _)| l != label);
                s.label_schema.push((label.clone(), kind.clone()));
            }
            if let Some(v) = o.strict_labels {
                s.strict_labels = v;
            }
        }
        for i in ignored {
            s.enabled[i] = false;
        }
        Ok(s)
    }

    /// The rules that run on a file at `path` (per-file ignores applied).
    pub fn rules_for(&self, path: Option<&str>) -> Vec<&'static Rule> {
        let mut enabled = self.enabled.clone();
        if let Some(path) = path {
            let forms = path_forms(path);
            for (matchers, rules) in &self.per_file_ignores {
                if matchers.iter().any(|m| forms.iter().any(|f| m.is_match(f))) {
                    for &i in rules {
                        enabled[i] = false;
                    }
                }
            }
        }
        RULES
            .iter()
            .zip(enabled)
            .filter(|(_, on)| *on)
            .map(|(r, _)| *r)
            .collect()
    }

    /// The severity a rule's findings are reported at.
    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        crate::rules::index_of(code).and_then(|i| self.severity[i])
    }

    /// Whether a path found by walking a directory is excluded.
    pub fn is_excluded(&self, path: &str) -> bool {
        let forms = path_forms(path);
        self.exclude
            .iter()
            .any(|m| forms.iter().any(|f| m.is_match(f)))
    }

    /// The least trusted fix that `fix` writes.
    pub fn fix_level(&self) -> Applicability {
        if self.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        }
    }

    /// What the rules read from these settings.
    pub fn rule_options(&self) -> RuleOptions {
        RuleOptions {
            trusted_registries: self.trusted_registries.clone(),
            label_schema: self.label_schema.clone(),
            strict_labels: self.strict_labels,
        }
    }

    /// These settings for one file.
    pub fn for_file(&self, name: &str) -> Settings {
        Settings {
            file_name: Some(name.to_string()),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(options: &ConfigOptions) -> Layer<'_> {
        Layer {
            source: "--select".into(),
            options,
            base: None,
        }
    }

    fn codes(s: &Settings) -> Vec<&'static str> {
        s.rules_for(None).iter().map(|r| r.code).collect()
    }

    #[test]
    fn selectors_take_codes_names_aliases_prefixes_and_all() {
        assert_eq!(resolve_selector("df002").unwrap().len(), 1);
        assert_eq!(
            resolve_selector("pip-cache-in-layer").unwrap(),
            resolve_selector("DF002").unwrap()
        );
        assert_eq!(
            resolve_selector("DL3042").unwrap(),
            resolve_selector("DF002").unwrap()
        );
        let df00 = RULES.iter().filter(|r| r.code.starts_with("DF00")).count();
        assert!(df00 > 1);
        assert_eq!(resolve_selector(" DF00").unwrap().len(), df00);
        assert_eq!(resolve_selector("ALL").unwrap().len(), RULES.len());
        let err = resolve_selector("DF99").unwrap_err();
        assert!(err.contains("unknown"), "{err}");
        let err = resolve_selector("pip-cache-in-layr").unwrap_err();
        assert!(err.contains("did you mean `pip-cache-in-layer`"), "{err}");
    }

    #[test]
    fn select_replaces_extend_select_adds_ignore_removes() {
        let config = ConfigOptions {
            select: Some(vec!["DF002".into(), "DF003".into()]),
            ignore: Some(vec!["DF003".into()]),
            fail_level: Some(Severity::Error),
            ..ConfigOptions::default()
        };
        let cli = ConfigOptions {
            extend_select: Some(vec!["DF006".into()]),
            fail_level: Some(Severity::Warning),
            ..ConfigOptions::default()
        };
        let s = Settings::resolve(&[layer(&config), layer(&cli)]).unwrap();
        assert_eq!(codes(&s), ["DF002", "DF006"]);
        assert_eq!(s.fail_level, Severity::Warning);
        let cli = ConfigOptions {
            select: Some(vec!["DF005".into()]),
            ..ConfigOptions::default()
        };
        let s = Settings::resolve(&[layer(&config), layer(&cli)]).unwrap();
        assert_eq!(codes(&s), ["DF005"]);
    }

    #[test]
    fn per_file_ignores_and_severities() {
        let config = ConfigOptions {
            per_file_ignores: vec![("*.train".into(), vec!["DF001".into()])],
            severity: vec![("DF006".into(), Severity::Error)],
            ..ConfigOptions::default()
        };
        let s = Settings::resolve(&[layer(&config)]).unwrap();
        let on = |p: &str| s.rules_for(Some(p)).iter().any(|r| r.code == "DF001");
        assert!(!on("docker/Dockerfile.train"));
        assert!(on("docker/Dockerfile"));
        assert_eq!(s.severity_of("DF006"), Some(Severity::Error));
        assert_eq!(s.severity_of("DF002"), None);
    }

    #[test]
    fn a_hadolint_config_turns_the_dl_rules_on() {
        let plain = Settings::resolve(&[layer(&ConfigOptions::default())]).unwrap();
        assert!(!codes(&plain).iter().any(|c| c.starts_with("DL")));
        let hadolint = ConfigOptions {
            hadolint_defaults: true,
            ignore: Some(vec!["DL3008".into()]),
            ..ConfigOptions::default()
        };
        let s = Settings::resolve(&[layer(&hadolint)]).unwrap();
        let on = codes(&s);
        // dflint's own rules stay on, every DL rule joins them...
        assert!(on.contains(&"DF002") && on.contains(&"DL3014") && on.contains(&"DL3025"));
        // ...but those hadolint keeps off, and those the file ignores.
        assert!(!on.contains(&"DL1001") && !on.contains(&"DL3008"));
        // hadolint turns its off-by-default rules on by giving them a severity.
        let with_override = ConfigOptions {
            severity: vec![("DL1001".into(), Severity::Info)],
            ..hadolint.clone()
        };
        let s = Settings::resolve(&[layer(&with_override)]).unwrap();
        assert!(codes(&s).contains(&"DL1001"));
        // A `--select` on the command line still decides alone.
        let cli = ConfigOptions {
            select: Some(vec!["DF002".into()]),
            ..ConfigOptions::default()
        };
        let s = Settings::resolve(&[layer(&hadolint), layer(&cli)]).unwrap();
        assert_eq!(codes(&s), ["DF002"]);
    }

    #[test]
    fn rule_options_come_from_every_layer() {
        let file = ConfigOptions {
            trusted_registries: vec!["registry.example.com".into()],
            label_schema: vec![("maintainer".into(), "text".into())],
            ..ConfigOptions::default()
        };
        let cli = ConfigOptions {
            trusted_registries: vec!["*.corp".into()],
            label_schema: vec![("maintainer".into(), "email".into())],
            strict_labels: Some(true),
            ..ConfigOptions::default()
        };
        let o = Settings::resolve(&[layer(&file), layer(&cli)])
            .unwrap()
            .rule_options();
        assert_eq!(o.trusted_registries, ["registry.example.com", "*.corp"]);
        assert_eq!(
            o.label_schema,
            [("maintainer".to_string(), "email".to_string())]
        );
        assert!(o.strict_labels);
    }

    #[test]
    fn unknown_rules_name_their_source() {
        let config = ConfigOptions {
            ignore: Some(vec!["DF999".into()]),
            ..ConfigOptions::default()
        };
        let l = Layer {
            source: ".dflint.toml".into(),
            options: &config,
            base: None,
        };
        let err = Settings::resolve(&[l]).unwrap_err();
        assert_eq!(err.source, ".dflint.toml: ignore");
    }
}
