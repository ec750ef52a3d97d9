//! Golden rewrite cases: testdata/rewrite/*.txtar. Each archive is a small
//! module: `go.mod`, aspect files (`//go:build rtool` at the module root),
//! Go sources, and for each source that rtool must change a `NAME.want`
//! section with the rewritten text as `rtool diff` shows it (without
//! position directives). A source without `.want` must stay unchanged. The
//! text before the first section is a run-txtar script: scripts/test also
//! builds and runs each case under rtool. `RTOOL_UPDATE=1 cargo test`
//! rewrites the `.want` sections.

use super::{Mode, SourceFile, aspects_for, rewrite_package};
use crate::aspect::{self, joinpoint::PackageInfo};
use crate::config::{AspectFile, Config};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// (script, [(name, content)]).
pub fn parse_txtar(text: &str) -> (String, Vec<(String, String)>) {
    let mut script = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches('\n');
        if let Some(name) = l.strip_prefix("-- ").and_then(|r| r.strip_suffix(" --")) {
            files.push((name.to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        } else {
            script.push_str(line);
        }
    }
    (script, files)
}

pub fn format_txtar(script: &str, files: &[(String, String)]) -> String {
    let mut out = script.to_string();
    for (name, body) in files {
        out.push_str(&format!("-- {name} --\n{body}"));
    }
    out
}

/// Runs one case; returns the rewritten text per source (None: unchanged),
/// or the error rtool reported.
pub fn run_case(files: &[(String, String)]) -> Result<BTreeMap<String, Option<String>>, String> {
    let get = |n: &str| files.iter().find(|(name, _)| name == n).map(|(_, b)| b.as_str());
    let module = get("go.mod")
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("module ")))
        .ok_or("case has no go.mod with a module line")?
        .trim()
        .to_string();
    let is_aspect = |name: &str, body: &str| {
        !name.contains('/')
            && body.lines().any(|l| l.trim().strip_prefix("//go:build ").is_some_and(|e| crate::config::is_aspect_constraint(e.as_bytes())))
    };
    let mut aspect_files = Vec::new();
    let mut packages: BTreeMap<(String, bool), Vec<SourceFile>> = BTreeMap::new();
    for (name, body) in files {
        if !name.ends_with(".go") {
            continue;
        }
        if is_aspect(name, body) {
            aspect_files.push(AspectFile { path: PathBuf::from("/case").join(name), source: body.clone().into_bytes() });
            continue;
        }
        let dir = Path::new(name).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
        // External test files (package x_test) are a package of their own.
        let external = super::package_name(body.as_bytes()).ends_with("_test");
        packages.entry((dir, external)).or_default().push(SourceFile { path: format!("/case/{name}"), src: body.clone().into_bytes() });
    }
    let config = Config { aspect_files, strict: false, disabled: vec![], stderr_log: 0, module_path: Some(module.clone()), vendored: None };
    let aspects = aspect::load(&config).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for ((dir, external), sources) in packages {
        let path = if dir.is_empty() { module.clone() } else { format!("{module}/{dir}") };
        let path = if external { format!("{path}_test") } else { path };
        let name = super::package_name(&sources[0].src);
        let pkg = PackageInfo { path, name, std: false, main_module: true, test_main: false, module_version: None };
        let imported: Vec<String> = sources.iter().flat_map(|s| imports_of(&s.src)).collect();
        let applicable = aspects_for(&aspects, &pkg, &|p| imported.iter().any(|i| i == p));
        let result = rewrite_package(&pkg, &sources, &applicable, Mode::Display, false).map_err(|e| e.to_string())?;
        for (i, s) in sources.iter().enumerate() {
            let changed = result.changed.iter().find(|c| c.index == i).map(|c| String::from_utf8_lossy(&c.text).into_owned());
            out.insert(s.path.trim_start_matches("/case/").to_string(), changed);
        }
        for f in &result.added {
            let key = if dir.is_empty() { f.name.clone() } else { format!("{dir}/{}", f.name) };
            out.insert(key, Some(String::from_utf8_lossy(&f.text).into_owned()));
        }
    }
    Ok(out)
}

fn imports_of(src: &[u8]) -> Vec<String> {
    let Some(tree) = crate::gosyntax::parse(src) else { return vec![] };
    crate::gosyntax::import_specs(tree.root_node())
        .into_iter()
        .filter_map(|s| crate::gosyntax::string_value(s.child_by_field_name("path"), src))
        .collect()
}

/// Only `RTOOL_UPDATE=1` rewrites the goldens: a stray `RTOOL_UPDATE=0` or
/// empty value left in a shell must not turn every check into a rewrite.
fn update_requested(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| v == "1")
}

#[test]
fn only_rtool_update_1_updates() {
    for (value, want) in [(None, false), (Some(""), false), (Some("0"), false), (Some("yes"), false), (Some("1"), true)] {
        assert_eq!(update_requested(value.map(std::ffi::OsStr::new)), want, "{value:?}");
    }
}

#[test]
fn golden_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rewrite");
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "txtar")).collect();
    paths.sort();
    assert!(!paths.is_empty(), "no golden cases in {}", dir.display());
    let update = update_requested(std::env::var_os("RTOOL_UPDATE").as_deref());
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let (script, mut files) = parse_txtar(&text);
        let got = match run_case(&files) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        for (name, out) in &got {
            let want_name = format!("{name}.want");
            let want = files.iter().position(|(n, _)| *n == want_name);
            match (out, want) {
                (None, None) => {}
                (Some(o), Some(w)) if files[w].1 == *o => {}
                (None, Some(_)) if !update => failures.push(format!("{}: {name} should change but did not", path.display())),
                (Some(o), w) if !update => failures.push(format!(
                    "{}: {name}:\n--- want\n{}\n--- got\n{o}",
                    path.display(),
                    w.map_or("(unchanged)", |w| files[w].1.as_str())
                )),
                (Some(o), Some(w)) => files[w].1 = o.clone(),
                (Some(o), None) => files.push((want_name, o.clone())),
                (None, Some(w)) => {
                    files.remove(w);
                }
            }
        }
        for (n, _) in &files {
            if let Some(src) = n.strip_suffix(".want")
                && !got.contains_key(src)
            {
                failures.push(format!("{}: {n} names no source", path.display()));
            }
        }
        if update {
            std::fs::write(path, format_txtar(&script, &files)).unwrap();
        }
    }
    assert!(failures.is_empty(), "{} golden failures:\n\n{}", failures.len(), failures.join("\n\n"));
}
