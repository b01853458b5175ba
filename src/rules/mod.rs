//! The rule registry: one list of every rule. Each rule lives in its own
//! file, which declares its metadata (a [`Rule`]) and its check; its user
//! documentation is `rules/<CODE>.md` at the crate root, embedded here.
//! The engine (selection, suppressions, severities, fixes) reads only the
//! metadata; a check only reads the [`Context`] and reports.

mod bk_consistent_instruction_casing;
mod bk_copy_ignored_file;
mod bk_duplicate_stage_name;
mod bk_expose_invalid_format;
mod bk_expose_proto_casing;
mod bk_from_as_casing;
mod bk_from_platform_flag_const_disallowed;
mod bk_invalid_base_image_platform;
mod bk_invalid_default_arg_in_from;
mod bk_invalid_definition_description;
mod bk_json_args_recommended;
mod bk_legacy_key_value_format;
mod bk_maintainer_deprecated;
mod bk_multiple_instructions_disallowed;
mod bk_no_empty_continuation;
mod bk_redundant_target_platform;
mod bk_reserved_stage_name;
mod bk_secrets_used_in_arg_or_env;
mod bk_stage_name_casing;
mod bk_undefined_arg_in_from;
mod bk_undefined_var;
mod bk_workdir_relative_path;
pub mod buildkit;
mod df001_devel_base;
mod df002_pip_cache;
mod df003_apt_lists;
mod df004_opencv_gui;
mod df005_model_weights;
mod df006_root_user;
mod df007_build_tools;
mod df008_copy_before_deps;
mod df009_full_python_base;
mod df010_torch_cuda_wheels;
mod df011_dev_tools_in_inference;
mod df012_secret_in_build_arg;
mod df013_context_not_ignored;
mod df014_shell_form_in_distroless;
mod df015_conda_cache;
mod df016_unpinned_base;
mod df017_cuda_mismatch;
mod df018_gpu_at_build;
mod df019_redundant_cuda;
mod df020_visible_devices;
mod df021_package_cache;
mod df100_unknown_suppression;
mod dl1001_inline_ignore;
mod dl3000_relative_workdir;
mod dl3001_pointless_command;
mod dl3003_cd_in_run;
mod dl3004_sudo;
mod dl3006_untagged_image;
mod dl3007_latest_tag;
mod dl3008_apt_pin;
mod dl3010_copy_then_extract;
mod dl3011_expose_port_range;
mod dl3012_multiple_healthchecks;
mod dl3013_pip_pin;
mod dl3014_apt_yes;
mod dl3015_apt_recommends;
mod dl3016_npm_pin;
mod dl3018_apk_pin;
mod dl3019_apk_cache;
mod dl3020_add_local;
mod dl3021_copy_dest_slash;
mod dl3022_copy_from_unknown_stage;
mod dl3023_copy_from_self;
mod dl3024_duplicate_stage_name;
mod dl3025_json_cmd;
mod dl3026_trusted_registry;
mod dl3027_apt;
mod dl3028_gem_pin;
mod dl3029_from_platform;
mod dl3030_yum_without_yes;
mod dl3032_yum_cache_not_cleaned;
mod dl3033_yum_version_not_pinned;
mod dl3034_zypper_without_non_interactive;
mod dl3035_zypper_dist_upgrade;
mod dl3036_zypper_cache_not_cleaned;
mod dl3037_zypper_version_not_pinned;
mod dl3038_dnf_without_yes;
mod dl3040_dnf_cache_not_cleaned;
mod dl3041_dnf_version_not_pinned;
mod dl3044_env_self_reference;
mod dl3045_copy_relative_no_workdir;
mod dl3046_useradd_lastlog;
mod dl3047_wget_progress;
mod dl3048_label_key;
mod dl3049_label_missing;
mod dl3050_label_not_in_schema;
mod dl3051_label_empty;
mod dl3052_label_url;
mod dl3053_label_rfc3339;
mod dl3054_label_spdx;
mod dl3055_label_git_hash;
mod dl3056_label_semver;
mod dl3057_healthcheck_missing;
mod dl3058_label_email;
mod dl3059_consecutive_runs;
mod dl3060_yarn_cache;
mod dl3062_go_version;
mod dl3063_reserved_stage_name;
mod dl3064_sensitive_arg_env;
mod dl3065_target_platform;
mod dl3066_user_not_numeric;
mod dl3067_copy_whole_stage;
mod dl4000_maintainer;
mod dl4001_wget_and_curl;
mod dl4003_multiple_cmd;
mod dl4004_multiple_entrypoint;
mod dl4005_ln_bin_sh;
mod dl4006_pipefail;

use std::sync::OnceLock;

use foldhash::HashMap;

use crate::diagnostic::{Diagnostic, Severity, Text};
pub use crate::semantics::Context;
use crate::syntax::Span;

/// Whether a rule's findings come with a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    /// Some findings have a fix (when it can be placed safely).
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

/// A rule: its identity and documentation, which the engine acts on, and
/// the check itself.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Other codes for the same check (hadolint's twin), accepted wherever
    /// a code is: `--ignore`, config files and suppression comments.
    pub aliases: &'static [&'static str],
    /// One line for `dflint rules` and the README table.
    pub summary: &'static str,
    /// The severity of its findings unless a setting overrides it.
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Whether it runs when no `select` names it.
    pub default_enabled: bool,
    /// The Markdown doc, `rules/<CODE>.md`.
    pub doc: &'static str,
    pub check: fn(&Context) -> Vec<Diagnostic>,
}

impl Rule {
    /// A finding of this rule, at its default severity.
    pub fn diagnostic(
        &self,
        span: Span,
        message: impl Into<Text>,
        help: impl Into<Text>,
    ) -> Diagnostic {
        Diagnostic {
            code: self.code,
            severity: self.severity,
            span,
            message: message.into(),
            help: help.into(),
            fix: None,
        }
    }

    /// Whether a key names this rule exactly: its code, an alias or its name, any case.
    pub fn is_named(&self, key: &str) -> bool {
        let key = key.trim();
        self.code.eq_ignore_ascii_case(key)
            || self.name.eq_ignore_ascii_case(key)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
    }
}

pub static RULES: &[&Rule] = &[
    &df001_devel_base::RULE,
    &df002_pip_cache::RULE,
    &df003_apt_lists::RULE,
    &df004_opencv_gui::RULE,
    &df005_model_weights::RULE,
    &df006_root_user::RULE,
    &df007_build_tools::RULE,
    &df008_copy_before_deps::RULE,
    &df009_full_python_base::RULE,
    &df010_torch_cuda_wheels::RULE,
    &df011_dev_tools_in_inference::RULE,
    &df012_secret_in_build_arg::RULE,
    &df013_context_not_ignored::RULE,
    &df014_shell_form_in_distroless::RULE,
    &df015_conda_cache::RULE,
    &df016_unpinned_base::RULE,
    &df017_cuda_mismatch::RULE,
    &df018_gpu_at_build::RULE,
    &df019_redundant_cuda::RULE,
    &df020_visible_devices::RULE,
    &df021_package_cache::RULE,
    &df100_unknown_suppression::RULE,
    &dl1001_inline_ignore::RULE,
    &dl3000_relative_workdir::RULE,
    &dl3001_pointless_command::RULE,
    &dl3003_cd_in_run::RULE,
    &dl3004_sudo::RULE,
    &dl3006_untagged_image::RULE,
    &dl3007_latest_tag::RULE,
    &dl3008_apt_pin::RULE,
    &dl3010_copy_then_extract::RULE,
    &dl3011_expose_port_range::RULE,
    &dl3012_multiple_healthchecks::RULE,
    &dl3013_pip_pin::RULE,
    &dl3014_apt_yes::RULE,
    &dl3015_apt_recommends::RULE,
    &dl3016_npm_pin::RULE,
    &dl3018_apk_pin::RULE,
    &dl3019_apk_cache::RULE,
    &dl3020_add_local::RULE,
    &dl3021_copy_dest_slash::RULE,
    &dl3022_copy_from_unknown_stage::RULE,
    &dl3023_copy_from_self::RULE,
    &dl3024_duplicate_stage_name::RULE,
    &dl3025_json_cmd::RULE,
    &dl3026_trusted_registry::RULE,
    &dl3027_apt::RULE,
    &dl3028_gem_pin::RULE,
    &dl3029_from_platform::RULE,
    &bk_stage_name_casing::RULE,
    &bk_from_as_casing::RULE,
    &bk_no_empty_continuation::RULE,
    &bk_consistent_instruction_casing::RULE,
    &bk_duplicate_stage_name::RULE,
    &bk_reserved_stage_name::RULE,
    &bk_json_args_recommended::RULE,
    &bk_maintainer_deprecated::RULE,
    &bk_undefined_arg_in_from::RULE,
    &bk_workdir_relative_path::RULE,
    &bk_undefined_var::RULE,
    &bk_multiple_instructions_disallowed::RULE,
    &bk_legacy_key_value_format::RULE,
    &bk_invalid_base_image_platform::RULE,
    &bk_redundant_target_platform::RULE,
    &bk_secrets_used_in_arg_or_env::RULE,
    &bk_invalid_default_arg_in_from::RULE,
    &bk_from_platform_flag_const_disallowed::RULE,
    &bk_copy_ignored_file::RULE,
    &bk_invalid_definition_description::RULE,
    &bk_expose_proto_casing::RULE,
    &bk_expose_invalid_format::RULE,
    &dl3030_yum_without_yes::RULE,
    &dl3032_yum_cache_not_cleaned::RULE,
    &dl3033_yum_version_not_pinned::RULE,
    &dl3034_zypper_without_non_interactive::RULE,
    &dl3035_zypper_dist_upgrade::RULE,
    &dl3036_zypper_cache_not_cleaned::RULE,
    &dl3037_zypper_version_not_pinned::RULE,
    &dl3038_dnf_without_yes::RULE,
    &dl3040_dnf_cache_not_cleaned::RULE,
    &dl3041_dnf_version_not_pinned::RULE,
    &dl3047_wget_progress::RULE,
    &dl3059_consecutive_runs::RULE,
    &dl4006_pipefail::RULE,
    &dl3048_label_key::RULE,
    &dl3045_copy_relative_no_workdir::RULE,
    &dl3060_yarn_cache::RULE,
    &dl3062_go_version::RULE,
    &dl4000_maintainer::RULE,
    &dl4001_wget_and_curl::RULE,
    &dl4003_multiple_cmd::RULE,
    &dl4004_multiple_entrypoint::RULE,
    &dl4005_ln_bin_sh::RULE,
    &dl3063_reserved_stage_name::RULE,
    &dl3065_target_platform::RULE,
    &dl3066_user_not_numeric::RULE,
    &dl3067_copy_whole_stage::RULE,
    &dl3044_env_self_reference::RULE,
    &dl3046_useradd_lastlog::RULE,
    &dl3064_sensitive_arg_env::RULE,
    &dl3057_healthcheck_missing::RULE,
    &dl3052_label_url::RULE,
    &dl3053_label_rfc3339::RULE,
    &dl3054_label_spdx::RULE,
    &dl3055_label_git_hash::RULE,
    &dl3056_label_semver::RULE,
    &dl3058_label_email::RULE,
    &dl3049_label_missing::RULE,
    &dl3050_label_not_in_schema::RULE,
    &dl3051_label_empty::RULE,
];

pub use buildkit::is_buildkit;

/// Named groups of rules a selector may use besides codes and prefixes:
/// `buildkit`, BuildKit's build checks. Indexes into [`RULES`].
pub fn group(key: &str) -> Option<Vec<usize>> {
    if key.trim().eq_ignore_ascii_case("buildkit") {
        return Some(
            (0..RULES.len())
                .filter(|&i| is_buildkit(RULES[i].code))
                .collect(),
        );
    }
    None
}

/// Rules whose finding stands for another rule's on the same place:
/// `(rule, the rules it stands for)`, so that a problem two rule families
/// know is reported once when both run (`--select ALL`, or a
/// `.hadolint.yaml` turning the DL rules on). The ML rule wins over the
/// BuildKit check and the hadolint rule (DF012 names the service and the
/// secret mount to use), and BuildKit's check, on by default, over
/// hadolint's. A rule selected alone always reports.
pub static SUPERSEDES: &[(&str, &[&str])] = &[
    ("DF012", &["SecretsUsedInArgOrEnv", "DL3064"]),
    ("DF016", &["DL3006", "DL3007"]),
    ("DF021", &["DL3019", "DL3032", "DL3040"]),
    ("SecretsUsedInArgOrEnv", &["DL3064"]),
    ("DuplicateStageName", &["DL3024"]),
    ("ReservedStageName", &["DL3063"]),
    ("JSONArgsRecommended", &["DL3025"]),
    ("MaintainerDeprecated", &["DL4000"]),
    ("RedundantTargetPlatform", &["DL3065"]),
    (
        "MultipleInstructionsDisallowed",
        &["DL3012", "DL4003", "DL4004"],
    ),
    ("WorkdirRelativePath", &["DL3000"]),
    ("FromPlatformFlagConstDisallowed", &["DL3029"]),
];

/// Drop each finding of a rule in [`SUPERSEDES`] that sits on a line where
/// the rule that stands for it reported (the two may mark different parts
/// of the same instruction).
pub fn drop_superseded(found: &mut Vec<Diagnostic>, df: &crate::syntax::Dockerfile) {
    let line = |s: Span| df.line_col(s.start).0;
    for (rule, others) in SUPERSEDES {
        let lines: std::collections::HashSet<usize> = found
            .iter()
            .filter(|d| d.code == *rule)
            .map(|d| line(d.span))
            .collect();
        if lines.is_empty() {
            continue;
        }
        found.retain(|d| !(others.contains(&d.code) && lines.contains(&line(d.span))));
    }
}

/// Find a rule by code (`DF002`), alias (`DL3042`) or name (`pip-cache-in-layer`), any case.
/// Asked for every code of every suppression comment: an index, not a walk
/// of every rule's names.
pub fn find(key: &str) -> Option<&'static Rule> {
    static BY_KEY: OnceLock<HashMap<String, &'static Rule>> = OnceLock::new();
    let by_key = BY_KEY.get_or_init(|| {
        let mut by_key = HashMap::default();
        // In registry order: a key two rules answer to finds the first.
        for &rule in RULES {
            let keys = [rule.code, rule.name]
                .into_iter()
                .chain(rule.aliases.iter().copied());
            for key in keys {
                by_key.entry(key.to_ascii_lowercase()).or_insert(rule);
            }
        }
        by_key
    });
    by_key.get(&key.trim().to_ascii_lowercase()).copied()
}

/// The position in [`RULES`] of the rule whose code is `code` exactly: a
/// search of a sorted index, not a walk of every rule (reports ask it the
/// name of every finding's rule).
pub fn index_of(code: &str) -> Option<usize> {
    static BY_CODE: OnceLock<Vec<(&'static str, usize)>> = OnceLock::new();
    let by_code = BY_CODE.get_or_init(|| {
        let mut v: Vec<_> = RULES.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
        v.sort_unstable();
        v
    });
    by_code
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| by_code[i].1)
}

/// The rule whose code is `code` exactly (a finding's).
pub fn by_code(code: &str) -> Option<&'static Rule> {
    index_of(code).map(|i| RULES[i])
}

/// The name of the rule whose code is `code` exactly, or empty for a code
/// no rule has. A finding keeps only its code: a file can have one a line,
/// and reports that name the rule look it up here.
pub fn name_of(code: &str) -> &'static str {
    by_code(code).map_or("", |r| r.name)
}

/// Apt, pip and uv helpers shared by several rules.
pub use crate::semantics::commands::{
    apt_subcommand, package_install, removes_apt_lists, Installer,
};

/// The lines where a rule's check reports, on a file of default settings
/// with no build context: for the rules' own tests.
#[cfg(test)]
pub fn finding_lines(check: fn(&Context) -> Vec<Diagnostic>, text: &str) -> Vec<usize> {
    let df = crate::parse_valid(text).expect("a valid file");
    let cx = Context::new(&df, None, None, crate::semantics::Profile::default());
    check(&cx)
        .iter()
        .map(|d| df.line_col(d.span.start).0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_findings_code_names_its_rule() {
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(name_of(rule.code), rule.name, "{}", rule.code);
            assert_eq!(index_of(rule.code), Some(i), "{}", rule.code);
        }
        // Exactly the code: not an alias, a name or another case.
        assert_eq!(name_of("DL3042"), "");
        assert_eq!(name_of("df002"), "");
        assert_eq!(name_of("PipCache"), "");
        assert_eq!(name_of(""), "");
        assert!(by_code("DL3042").is_none() && find("DL3042").is_some());
    }

    #[test]
    fn the_index_finds_what_a_walk_of_the_rules_finds() {
        let walk = |key: &str| RULES.iter().copied().find(|r| r.is_named(key));
        let mut keys: Vec<String> = vec!["".into(), "DF999".into(), "all".into(), " df002 ".into()];
        for rule in RULES {
            for key in [rule.code, rule.name].iter().chain(rule.aliases) {
                keys.extend([key.to_string(), key.to_lowercase(), key.to_uppercase()]);
                keys.push(format!("{key}x"));
            }
        }
        for key in &keys {
            assert_eq!(
                find(key).map(|r| r.code),
                walk(key).map(|r| r.code),
                "{key:?}"
            );
        }
    }
}
