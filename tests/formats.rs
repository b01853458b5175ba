//! The report formats of `dflint check --format ...` and `--output-file`,
//! through the binary on scratch files: SARIF validated against the
//! official SARIF 2.1.0 schema, the XML formats parsed as XML, the JSON
//! formats parsed, the line formats matched exactly.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// Findings with fixes (DF002's is safe, DF006's unsafe), in a subdirectory
/// so that paths have a separator.
const DIRTY: &str = "FROM python:3.11-slim\nRUN pip install flask\nCMD [\"python\"]\n";
const CLEAN: &str = "FROM python:3.11-slim\nRUN useradd app\nUSER app\nCMD [\"python\"]\n";
/// Not a Dockerfile BuildKit accepts, with characters XML must escape.
const INVALID: &str = "FR&M<x> y\n";
/// A finding whose message quotes `&`, `<`, `>`, `%`, `,` and `"` from the file.
const ODD: &str = "FROM python:3.11-slim\nRUN useradd app\nUSER app\n\
                   COPY [\"w&<1>%,\\\"q\\\".safetensors\", \"/app/\"]\n";

const FILES: [&str; 3] = ["docker/Dockerfile", "clean.Dockerfile", "bad.Dockerfile"];

/// A scratch directory with the three files of [`FILES`] and `odd.Dockerfile`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docker")).unwrap();
    for (name, text) in [
        ("docker/Dockerfile", DIRTY),
        ("clean.Dockerfile", CLEAN),
        ("bad.Dockerfile", INVALID),
        ("odd.Dockerfile", ODD),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `dflint check` in `dir`, without colour, standard input closed.
fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dflint"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// `dflint check --format FORMAT` of `files`, which must exit 2 when one
/// is invalid and 1 otherwise (there are always findings here).
fn report(dir: &Path, format: &str, files: &[&str]) -> String {
    let mut args = vec!["--format", format];
    args.extend_from_slice(files);
    let out = check(dir, &args);
    let want = if files.contains(&"bad.Dockerfile") {
        2
    } else {
        1
    };
    assert_eq!(
        out.status.code(),
        Some(want),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

/// Python 3 with `jsonschema`: installed from PyPI when missing. A machine
/// where it cannot be had fails the test that needs it, never skips it.
fn python() -> &'static str {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let has = || {
            Command::new("python3")
                .args(["-c", "import jsonschema"])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if has() {
            return Ok(());
        }
        let mut tried = Vec::new();
        for extra in [
            &[][..],
            &["--user"][..],
            &["--user", "--break-system-packages"][..],
        ] {
            let out = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "jsonschema"])
                .args(extra)
                .output();
            match out {
                Ok(o) if o.status.success() && has() => return Ok(()),
                Ok(o) => tried.push(String::from_utf8_lossy(&o.stderr).into_owned()),
                Err(e) => tried.push(e.to_string()),
            }
        }
        Err(tried.join("\n"))
    });
    if let Err(why) = ready {
        panic!(
            "the SARIF and XML tests need python3 with the `jsonschema` package from PyPI, \
             and `python3 -m pip install jsonschema` failed:\n{why}"
        );
    }
    "python3"
}

/// Run a Python script with arguments; its standard output, or a failure
/// with its standard error.
fn run_python(script: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
failed = False
for path in sys.argv[2:]:
    log = json.load(open(path, encoding="utf-8"))
    for e in sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path)):
        failed = True
        print(path, "/".join(map(str, e.absolute_path)), e.message)
sys.exit(1 if failed else 0)
"#;

/// Validate SARIF logs against the schema, in one Python run (importing
/// jsonschema is most of its time).
fn validate_sarif(dir: &Path, logs: &[String]) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-2.1.0.json");
    let mut args = vec![schema.to_str().unwrap().to_string()];
    for (i, log) in logs.iter().enumerate() {
        let file = dir.join(format!("report-{i}.sarif"));
        std::fs::write(&file, log).unwrap();
        args.push(file.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_python(VALIDATE, &args);
}

#[test]
fn sarif_is_valid_and_complete() {
    let dir = project();
    let sarif = report(dir.path(), "sarif", &FILES);
    // Each kind of file alone is valid too: a run with no result at all,
    // and one with only an error.
    let mut logs = vec![sarif.clone()];
    for file in ["clean.Dockerfile", "bad.Dockerfile", "odd.Dockerfile"] {
        let out = check(dir.path(), &["--format", "sarif", file]);
        logs.push(stdout(&out));
    }
    validate_sarif(dir.path(), &logs);

    let log: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "dflint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    // The rules that fired, in the registry's order, then the error's.
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["DF002", "DF006", "invalid-dockerfile"]);
    let df002 = &rules[0];
    assert_eq!(df002["name"], "pip-cache-in-layer");
    assert_eq!(df002["defaultConfiguration"]["level"], "warning");
    let summary = df002["shortDescription"]["text"].as_str().unwrap();
    assert_eq!(df002["help"]["text"], summary);
    assert!(df002["help"]["markdown"]
        .as_str()
        .unwrap()
        .starts_with("# DF002 pip-cache-in-layer"));
    assert!(df002["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Flags each `pip install`"));
    assert!(df002["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("dockerfile")));

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{sarif}");
    for r in results {
        // Each result points at its rule's descriptor.
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let by_rule = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();

    let pip = by_rule("DF002");
    assert_eq!(pip["level"], "warning");
    assert_eq!(pip["properties"]["severity"], "warning");
    let text = pip["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("`pip install` keeps its download cache in the layer. Add "),
        "{text}"
    );
    let location = &pip["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "docker/Dockerfile");
    // `pip install flask` on line 2: columns 5 to 22, the end exclusive,
    // not reaching into line 3 though the span takes in the line break.
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 22})
    );
    // The safe fix inserts a cache mount after `RUN`: an empty region.
    let fix = &pip["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "safe");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "docker/Dockerfile");
    let replacement = &change["replacements"][0];
    assert_eq!(
        replacement["deletedRegion"],
        serde_json::json!({"startLine": 2, "startColumn": 4, "endLine": 2, "endColumn": 4})
    );
    assert_eq!(
        replacement["insertedContent"]["text"],
        " --mount=type=cache,target=/root/.cache/pip"
    );
    let root = by_rule("DF006");
    assert_eq!(root["fixes"][0]["properties"]["applicability"], "unsafe");

    // The invalid file: a result, and a notification of the run.
    let bad = by_rule("invalid-dockerfile");
    assert_eq!(bad["level"], "error");
    assert_eq!(bad["message"]["text"], "unknown instruction: FR&M<x>");
    assert_eq!(
        bad["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.Dockerfile"
    );
    assert!(bad.get("fixes").is_none());
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "invalid-dockerfile");
}

#[test]
fn sarif_uris_are_encoded() {
    let dir = project();
    std::fs::create_dir(dir.path().join("my dir")).unwrap();
    std::fs::write(dir.path().join("my dir/a#1.Dockerfile"), DIRTY).unwrap();
    let out = check(
        dir.path(),
        &["--format", "sarif", "./my dir/a#1.Dockerfile"],
    );
    let sarif = stdout(&out);
    validate_sarif(dir.path(), std::slice::from_ref(&sarif));
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "my%20dir/a%231.Dockerfile");
}

/// What the parsed XML holds, as JSON: each element's tag, attributes,
/// text and children.
const XML_TO_JSON: &str = r#"
import json, sys, xml.etree.ElementTree as E
def walk(e):
    return {"tag": e.tag, "attrib": e.attrib, "text": (e.text or "").strip(), "children": [walk(c) for c in e]}
print(json.dumps(walk(E.parse(sys.argv[1]).getroot())))
"#;

fn parse_xml(dir: &Path, xml: &str) -> Value {
    let file = dir.join("report.xml");
    std::fs::write(&file, xml).unwrap();
    serde_json::from_str(&run_python(XML_TO_JSON, &[file.to_str().unwrap()])).unwrap()
}

fn children<'a>(e: &'a Value, tag: &str) -> Vec<&'a Value> {
    e["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["tag"] == tag)
        .collect()
}

#[test]
fn checkstyle_is_xml_with_every_file() {
    let dir = project();
    let files = [FILES[0], FILES[1], FILES[2], "odd.Dockerfile"];
    let xml = report(dir.path(), "checkstyle", &files);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let root = parse_xml(dir.path(), &xml);
    assert_eq!(root["tag"], "checkstyle");
    assert_eq!(root["attrib"]["version"], "4.3");
    let file_elements = children(&root, "file");
    let names: Vec<&str> = file_elements
        .iter()
        .map(|f| f["attrib"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, files);
    let errors = |i: usize| children(file_elements[i], "error");
    assert_eq!(errors(0).len(), 2);
    assert_eq!(errors(1).len(), 0);
    let pip = errors(0)
        .into_iter()
        .find(|e| e["attrib"]["source"] == "dflint.DF002")
        .unwrap();
    assert_eq!(pip["attrib"]["line"], "2");
    assert_eq!(pip["attrib"]["column"], "5");
    assert_eq!(pip["attrib"]["severity"], "warning");
    assert_eq!(
        pip["attrib"]["message"],
        "`pip install` keeps its download cache in the layer"
    );
    let bad = &errors(2)[0]["attrib"];
    assert_eq!(bad["severity"], "error");
    assert_eq!(bad["source"], "dflint.invalid-dockerfile");
    assert_eq!(bad["message"], "unknown instruction: FR&M<x>");
    let odd = &errors(3)[0]["attrib"];
    assert_eq!(
        odd["message"],
        "`COPY w&<1>%,\"q\".safetensors` bakes model weights into the image"
    );
}

#[test]
fn junit_is_xml_with_a_suite_a_file() {
    let dir = project();
    let xml = report(dir.path(), "junit", &FILES);
    let root = parse_xml(dir.path(), &xml);
    assert_eq!(root["tag"], "testsuites");
    assert_eq!(root["attrib"]["tests"], "4");
    assert_eq!(root["attrib"]["failures"], "2");
    assert_eq!(root["attrib"]["errors"], "1");
    let suites = children(&root, "testsuite");
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s["attrib"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, FILES);

    let dirty = children(suites[0], "testcase");
    assert_eq!(suites[0]["attrib"]["tests"], "2");
    assert_eq!(suites[0]["attrib"]["failures"], "2");
    assert_eq!(dirty.len(), 2);
    let pip = dirty
        .iter()
        .find(|t| t["attrib"]["name"] == "DF002 pip-cache-in-layer at line 2, column 5")
        .unwrap();
    assert_eq!(pip["attrib"]["classname"], "docker/Dockerfile");
    let failure = children(pip, "failure");
    assert_eq!(failure.len(), 1);
    assert_eq!(failure[0]["attrib"]["type"], "DF002");
    assert_eq!(
        failure[0]["attrib"]["message"],
        "`pip install` keeps its download cache in the layer"
    );
    assert!(failure[0]["text"]
        .as_str()
        .unwrap()
        .contains("\nhelp: Add `--mount=type=cache"));

    // A clean file passes one test case; an invalid one errs.
    let clean = children(suites[1], "testcase");
    assert_eq!(clean.len(), 1);
    assert!(clean[0]["children"].as_array().unwrap().is_empty());
    assert_eq!(suites[2]["attrib"]["errors"], "1");
    let bad = children(suites[2], "testcase");
    let error = children(bad[0], "error");
    assert_eq!(
        error[0]["attrib"]["message"],
        "unknown instruction: FR&M<x>"
    );
    assert_eq!(error[0]["attrib"]["type"], "invalid-dockerfile");
}

#[test]
fn json_lines_match_the_json_items() {
    let dir = project();
    let lines = report(dir.path(), "json-lines", &FILES);
    let json: Value = serde_json::from_str(&report(dir.path(), "json", &FILES)).unwrap();
    let parsed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), 3);
    assert_eq!(&parsed, json.as_array().unwrap());
    assert_eq!(parsed[0]["file"], "docker/Dockerfile");
    assert_eq!(parsed[0]["code"], "DF006");
    assert_eq!(parsed[1]["code"], "DF002");
    assert_eq!(parsed[1]["line"], 2);
    assert_eq!(parsed[1]["fix"]["applicability"], "safe");
    assert_eq!(parsed[2]["code"], Value::Null);
    assert_eq!(parsed[2]["name"], "invalid-dockerfile");
}

#[test]
fn gitlab_code_quality() {
    let dir = project();
    let text = report(dir.path(), "gitlab", &FILES);
    let issues: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(issues.len(), 3);
    let pip = issues.iter().find(|i| i["check_name"] == "DF002").unwrap();
    assert_eq!(
        pip["description"],
        "DF002: `pip install` keeps its download cache in the layer"
    );
    assert_eq!(pip["severity"], "major");
    assert_eq!(pip["location"]["path"], "docker/Dockerfile");
    assert_eq!(pip["location"]["lines"]["begin"], 2);
    let bad = issues
        .iter()
        .find(|i| i["check_name"] == "invalid-dockerfile")
        .unwrap();
    assert_eq!(bad["severity"], "blocker");
    assert_eq!(bad["location"]["path"], "bad.Dockerfile");
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    for p in &prints {
        assert_eq!(p.len(), 32);
        assert!(p.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), 3, "fingerprints must differ");
    // Stable from run to run, and the same for `./x` as for `x`.
    let again = report(
        dir.path(),
        "gitlab",
        &["./docker/Dockerfile", "clean.Dockerfile", "bad.Dockerfile"],
    );
    assert_eq!(text, again);
}

#[test]
fn github_annotations() {
    let dir = project();
    let text = report(
        dir.path(),
        "github",
        &[FILES[0], FILES[1], FILES[2], "odd.Dockerfile"],
    );
    let expected = [
        "::warning file=docker/Dockerfile,line=1,col=6,endLine=1,endColumn=22,\
         title=DF006 root-final-stage::Final stage runs as root: no `USER` is set. \
         Create an unprivileged user and switch to it with `USER` before `CMD`",
        "::warning file=docker/Dockerfile,line=2,col=5,endLine=2,endColumn=22,\
         title=DF002 pip-cache-in-layer::`pip install` keeps its download cache in the layer. \
         Add `--mount=type=cache,target=/root/.cache/pip` to the RUN, or `--no-cache-dir` to the command",
        "::error file=bad.Dockerfile,line=1,col=1,endLine=1,endColumn=8,\
         title=invalid-dockerfile::unknown instruction: FR&M<x>",
        "::warning file=odd.Dockerfile,line=4,col=1,endLine=4,endColumn=43,\
         title=DF005 model-weights-in-image::`COPY w&<1>%25,\"q\".safetensors` bakes model \
         weights into the image. Mount the weights at run time (`docker run -v /models:/models`) \
         or download them when the container starts",
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);

    // Properties escape `:` and `,` (and `%`); a message keeps them.
    std::fs::write(
        dir.path().join("a,b:c%.Dockerfile"),
        "FROM x:1\nUSER app\nRUN pip install y\n",
    )
    .unwrap();
    let out = check(dir.path(), &["--format", "github", "a,b:c%.Dockerfile"]);
    assert_eq!(
        stdout(&out),
        "::warning file=a%2Cb%3Ac%25.Dockerfile,line=3,col=5,endLine=3,endColumn=18,\
         title=DF002 pip-cache-in-layer::`pip install` keeps its download cache in the layer. \
         Add `--no-cache-dir` to the command\n"
    );
}

#[test]
fn gnu_lines() {
    let dir = project();
    let text = report(dir.path(), "gnu", &FILES);
    assert_eq!(
        text,
        "dflint:docker/Dockerfile:1:6: DF006 warning: Final stage runs as root: no `USER` is set\n\
         dflint:docker/Dockerfile:2:5: DF002 warning: `pip install` keeps its download cache in the layer\n\
         dflint:bad.Dockerfile:1:1: error: unknown instruction: FR&M<x>\n"
    );
}

#[test]
fn concise_text() {
    let dir = project();
    let out = check(dir.path(), &["--concise", FILES[0], FILES[1], FILES[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "docker/Dockerfile:1:6: DF006 warning: Final stage runs as root: no `USER` is set\n\
         docker/Dockerfile:2:5: DF002 [*] warning: `pip install` keeps its download cache in the layer\n\
         Found 2 problems in 1 file (1 fixable with `dflint fix`, marked [*]; \
         1 more fix with `dflint fix --unsafe-fixes`)\n"
    );
    // Errors stay on stderr in the text format, concise or not.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.Dockerfile:1:1: error: unknown instruction: FR&M<x>"));

    let quiet = check(dir.path(), &["--concise", "--quiet", FILES[0]]);
    assert_eq!(stdout(&quiet).lines().count(), 2);
    let other = check(dir.path(), &["--concise", "--format", "json", FILES[0]]);
    assert_eq!(other.status.code(), Some(2));
}

#[test]
fn output_file_replaces_stdout() {
    let dir = project();
    for format in ["text", "sarif", "junit", "json"] {
        let expected = check(dir.path(), &["--format", format, FILES[0], FILES[1]]);
        let file = dir.path().join(format!("out/{format}.report"));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        // An old report is replaced whole.
        std::fs::write(&file, "stale ".repeat(10_000)).unwrap();
        let out = check(
            dir.path(),
            &[
                "--format",
                format,
                "--output-file",
                file.to_str().unwrap(),
                FILES[0],
                FILES[1],
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: the exit code is kept"
        );
        assert_eq!(stdout(&out), "", "{format}: nothing on stdout");
        assert_eq!(std::fs::read(&file).unwrap(), expected.stdout, "{format}");
        // No temporary file is left beside it.
        let left: Vec<_> = std::fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().contains("dflint-report"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
    // A report that cannot be written is an error.
    let out = check(
        dir.path(),
        &["--output-file", "no/such/dir/report.txt", FILES[0]],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write no/such/dir/report.txt"),
        "{stderr}"
    );
}

#[test]
fn errors_appear_in_every_format() {
    let dir = project();
    for format in [
        "json",
        "json-lines",
        "sarif",
        "github",
        "gitlab",
        "checkstyle",
        "junit",
        "gnu",
    ] {
        let text = report(dir.path(), format, &["bad.Dockerfile"]);
        assert!(
            text.contains("unknown instruction: FR") && text.contains("bad.Dockerfile"),
            "{format}:\n{text}"
        );
    }
}

#[test]
fn reports_are_deterministic() {
    let dir = project();
    for format in ["sarif", "gitlab", "junit", "checkstyle"] {
        let a = report(dir.path(), format, &FILES);
        let b = report(dir.path(), format, &FILES);
        assert_eq!(a, b, "{format}");
    }
}
