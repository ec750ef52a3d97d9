//! Profile-guided optimization in nested builds. The go command compiles
//! a main package and all its dependencies with a profile: the file
//! `-pgo` names, or with `-pgo=auto` (the default) the `default.pgo` in
//! the main package's directory. A nested go command names no main
//! package, so it must be told the file, or the packages it builds for
//! injected code (the standard library among them) would not match the
//! outer build's at link (fingerprint mismatch).

use crate::ctx::Ctx;
use std::path::PathBuf;

/// `kept` (the outer go command's package-affecting flags, see
/// `outer_go::kept_flags`) with its `-pgo` replaced by what a nested go
/// command needs: `-pgo=off`, or `-pgo=FILE` with FILE absolute.
/// `packages` are the outer command's package arguments, whose main
/// packages `-pgo=auto` looks at.
pub fn nested_flags(ctx: &Ctx, kept: &[String], packages: &[String]) -> Result<Vec<String>, String> {
    let value = kept.iter().rev().find_map(|f| f.strip_prefix("-pgo=")).unwrap_or("auto");
    let flags: Vec<String> = kept.iter().filter(|f| !f.starts_with("-pgo=")).cloned().collect();
    let profile = match value {
        "off" => None,
        "auto" | "" => auto_profile(ctx, &flags, packages)?,
        file => Some(ctx.cwd.join(file)),
    };
    Ok(with_profile(flags, profile))
}

/// `flags` (without `-pgo`) with `-pgo=off` or `-pgo=FILE` where
/// `outer_go::kept_flags` puts it: single flags sorted by name, then the
/// repeated `-gcflags` and `-asmflags`.
fn with_profile(mut flags: Vec<String>, profile: Option<PathBuf>) -> Vec<String> {
    let pgo = match profile {
        Some(p) => format!("-pgo={}", p.display()),
        None => "-pgo=off".to_string(),
    };
    let name = |f: &String| f.trim_start_matches('-').split('=').next().unwrap_or("").to_string();
    let at =
        flags.iter().position(|f| matches!(name(f).as_str(), "gcflags" | "asmflags") || name(f).as_str() > "pgo").unwrap_or(flags.len());
    flags.insert(at, pgo);
    flags
}

/// The profile `-pgo=auto` gives the outer build: the `default.pgo` of its
/// main packages. Several main packages with profiles of their own would
/// need one nested build each, which rtool does not do: said so.
fn auto_profile(ctx: &Ctx, flags: &[String], packages: &[String]) -> Result<Option<PathBuf>, String> {
    let patterns: Vec<String> = if packages.is_empty() { vec![".".to_string()] } else { packages.to_vec() };
    let list = ["-find", "-e", "-f", "{{if eq .Name \"main\"}}{{.Dir}}{{end}}"].map(String::from);
    let out = crate::resolve::go_list(ctx, &list, flags, &patterns)
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| format!("looking for default.pgo: running go list: {e}"))?;
    if !out.status.success() {
        return Err(format!("looking for default.pgo: go list failed:\n{}", String::from_utf8_lossy(&out.stderr).trim_end()));
    }
    let mut found: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("default.pgo"))
        .filter(|f| f.is_file())
        .collect();
    found.sort();
    found.dedup();
    match found.len() {
        0 | 1 => Ok(found.pop()),
        _ => Err(format!(
            "main packages with profiles of their own ({}) in one go command: build them one at a time, or name one profile with -pgo=FILE",
            found.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn the_profile_goes_where_kept_flags_puts_it() {
        let prof = || Some(PathBuf::from("/m/default.pgo"));
        assert_eq!(
            with_profile(v("-mod=vendor -race -tags=x -gcflags=all=-N"), prof()),
            v("-mod=vendor -pgo=/m/default.pgo -race -tags=x -gcflags=all=-N")
        );
        assert_eq!(with_profile(v(""), None), v("-pgo=off"));
        assert_eq!(with_profile(v("-asmflags=a=-x"), None), v("-pgo=off -asmflags=a=-x"));
        assert_eq!(with_profile(v("-cover -coverpkg=."), prof()), v("-cover -coverpkg=. -pgo=/m/default.pgo"));
        // Read again, the result is what kept_flags makes of it.
        let flags = with_profile(v("-mod=mod -trimpath -gcflags=all=-N"), prof());
        let argv: Vec<String> =
            ["go", "build"].iter().map(|s| s.to_string()).chain(flags.iter().cloned()).chain(["./x".to_string()]).collect();
        let inv = crate::goflags::parse(&argv).unwrap();
        assert_eq!(crate::outer_go::kept_flags(&inv.flags, &inv.packages), flags);
    }
}
