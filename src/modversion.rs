//! Module versions: which version of its module a package being compiled
//! comes from (read off its files' paths in the module cache, or from
//! `vendor/modules.txt`), and semantic-version order, for the
//! `module-version(min=…, below=…)` join point that keeps an aspect to the
//! library versions it was written and tested for.

use std::cmp::Ordering;
use std::path::Path;

/// The version of the module holding `pkg_path`, whose source files are
/// `files`; None when it has none (the main module, a local `replace`,
/// GOPATH) or it cannot be told.
pub fn of_package(pkg_path: &str, files: &[String]) -> Option<String> {
    let file = files.iter().find(|f| !f.contains("/_cgo_"))?;
    let dir = Path::new(file).parent()?.to_str()?;
    if let Some(v) = from_modcache_dir(dir) {
        return Some(v);
    }
    // Vendored: <root>/vendor/<import path>/file.go.
    let root = dir.strip_suffix(pkg_path)?.strip_suffix('/')?.strip_suffix("vendor")?;
    let list = std::fs::read_to_string(format!("{root}vendor/modules.txt")).ok()?;
    from_modules_txt(&list, pkg_path)
}

/// `…/mod/github.com/go-chi/chi/v5@v5.2.3/middleware` → `v5.2.3`: the
/// module cache names each module's directory `path@version`, with
/// upper-case letters escaped as `!` + lower case.
fn from_modcache_dir(dir: &str) -> Option<String> {
    let seg = dir.split('/').rev().find(|s| s.contains("@v"))?;
    let escaped = &seg[seg.rfind("@v")? + 1..];
    let mut v = String::with_capacity(escaped.len());
    let mut up = false;
    for c in escaped.chars() {
        match c {
            '!' => up = true,
            c if up => {
                v.push(c.to_ascii_uppercase());
                up = false;
            }
            c => v.push(c),
        }
    }
    valid(&v).then_some(v)
}

/// The version `# module version` lines of vendor/modules.txt give the
/// module that is the longest prefix of `pkg_path`.
fn from_modules_txt(list: &str, pkg_path: &str) -> Option<String> {
    list.lines()
        .filter_map(|l| {
            let mut w = l.strip_prefix("# ")?.split_whitespace();
            let (module, version) = (w.next()?, w.next()?);
            let inside = pkg_path == module || pkg_path.strip_prefix(module).is_some_and(|r| r.starts_with('/'));
            // `# m v => ./dir` is a local replacement: no version to go by.
            (inside && w.next().is_none() && valid(version)).then_some((module.len(), version))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, v)| v.to_string())
}

/// A semantic version as Go modules write it: `vMAJOR.MINOR.PATCH`, an
/// optional `-prerelease` and `+build`.
pub fn valid(v: &str) -> bool {
    parse(v).is_some()
}

struct Version<'a> {
    core: [u64; 3],
    pre: Option<&'a str>,
}

fn parse(v: &str) -> Option<Version<'_>> {
    let rest = v.strip_prefix('v')?;
    let rest = rest.split_once('+').map_or(rest, |(r, _)| r);
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) if !p.is_empty() && p.split('.').all(|id| !id.is_empty()) => (c, Some(p)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut nums = [0u64; 3];
    let mut parts = core.split('.');
    for n in &mut nums {
        let p = parts.next()?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        *n = p.parse().ok()?;
    }
    parts.next().is_none().then_some(Version { core: nums, pre })
}

/// Semantic-version order (build metadata ignored); invalid versions sort
/// before valid ones.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.core.cmp(&y.core).then_with(|| match (x.pre, y.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(p), Some(q)) => compare_pre(p, q),
        }),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// Pre-release identifiers compared one by one: numbers numerically and
/// before words, words in ASCII order, a shorter list first.
fn compare_pre(p: &str, q: &str) -> Ordering {
    let num = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u64>().unwrap_or(u64::MAX));
    let mut a = p.split('.');
    let mut b = q.split('.');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (num(x), num(y)) {
                    (Some(m), Some(n)) => m.cmp(&n),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Whether `v` is in [min, below); a missing bound does not bound.
pub fn in_range(v: &str, min: Option<&str>, below: Option<&str>) -> bool {
    min.is_none_or(|m| compare(v, m) != Ordering::Less) && below.is_none_or(|b| compare(v, b) == Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order() {
        let sorted = [
            "v0.0.0-20230101000000-abcdefabcdef",
            "v0.1.0",
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-alpha.beta",
            "v1.0.0-beta.2",
            "v1.0.0-beta.11",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.2.0",
            "v1.10.0",
            "v1.64.0-dev",
            "v1.64.0",
            "v2.0.0+incompatible",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(compare("v1.2.3+meta", "v1.2.3"), Ordering::Equal);
        for bad in ["1.2.3", "v1.2", "v1.2.3.4", "v01.2.3", "v1.2.3-", "v1.2.3-a..b", "v1.x.3", ""] {
            assert!(!valid(bad), "{bad}");
        }
    }

    #[test]
    fn ranges() {
        assert!(in_range("v1.64.0", Some("v1.64.0"), Some("v2.0.0")));
        assert!(!in_range("v1.63.9", Some("v1.64.0"), None));
        assert!(!in_range("v1.64.0-pre", Some("v1.64.0"), None));
        assert!(!in_range("v2.0.0", None, Some("v2.0.0")));
        assert!(in_range("v9.9.9", None, None));
    }

    #[test]
    fn versions_from_paths() {
        let f = |p: &str| of_package("x", &[p.to_string()]);
        assert_eq!(f("/root/go/pkg/mod/google.golang.org/grpc@v1.64.0/internal/x/a.go").as_deref(), Some("v1.64.0"));
        assert_eq!(f("/m/github.com/!burnt!sushi/toml@v1.0.0-!r!c1/a.go").as_deref(), Some("v1.0.0-RC1"));
        assert_eq!(f("/home/me/src/app/a.go"), None);
        assert_eq!(f("/home/me@v/app/a.go"), None);
    }

    #[test]
    fn versions_from_vendor() {
        let dir = std::env::temp_dir().join(format!("rtool-modversion-{}", std::process::id()));
        let pkg = dir.join("vendor/github.com/a/b/v2/sub");
        std::fs::create_dir_all(&pkg).unwrap();
        let list = "# github.com/a/b v1.0.0\n## explicit\ngithub.com/a/b\n# github.com/a/b/v2 v2.3.4\ngithub.com/a/b/v2/sub\n\
                    # github.com/c/d v1.0.0 => ../d\n";
        std::fs::write(dir.join("vendor/modules.txt"), list).unwrap();
        let file = pkg.join("a.go").to_string_lossy().into_owned();
        assert_eq!(of_package("github.com/a/b/v2/sub", &[file]).as_deref(), Some("v2.3.4"));
        assert_eq!(from_modules_txt(list, "github.com/a/bc"), None);
        assert_eq!(from_modules_txt(list, "github.com/c/d"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
