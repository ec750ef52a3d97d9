//! Getting the packages injected code imports into a compile or a link:
//! what the archives of an importcfg carry for the link (`link.deps`
//! members), and the archives of packages the go command did not provide:
//! the support library's built by rtool, any other's by a nested go list.

use crate::archive;
use crate::build::Build;
use crate::error::Result;
use crate::importcfg::{ImportCfg, PackageFile};
use crate::linkdeps::{self, LinkDeps};
use crate::resolve;
use crate::supportlib::{self, Target};
use std::path::Path;

/// The link-time needs recorded in the archives of an importcfg.
pub fn carried_link_deps(cfg: &ImportCfg) -> Result<LinkDeps> {
    let mut deps = LinkDeps::default();
    for p in &cfg.packagefiles {
        if let Some(bytes) = archive::read_member(Path::new(&p.file), linkdeps::MEMBER)? {
            deps.merge(&LinkDeps::decode(&bytes, &p.path)?);
        }
    }
    Ok(deps)
}

/// Archives for `paths` and everything they import. `known` is the
/// importcfg at hand: where it has every standard package the support
/// library imports (a link's does), no go list is needed for them. `why`
/// says who needs the packages, for errors.
pub fn resolve_archives(build: &Build, target: &Target, paths: &[String], known: &ImportCfg, why: &str) -> Result<Vec<PackageFile>> {
    let coord = build.coord_for(why)?;
    let (support, other): (Vec<String>, Vec<String>) = paths.iter().cloned().partition(|p| supportlib::is_support(p));
    let mut found = Vec::new();
    if !support.is_empty() {
        let std = support_std(build, known, why)?;
        for p in &support {
            found.extend(supportlib::archives(build.ctx, coord, target, p, &std).map_err(|e| e.context(why))?);
        }
    }
    if !other.is_empty() {
        let flags = build.record.nested_flags(build.ctx, coord).map_err(|e| e.context(why))?;
        found.extend(resolve::export_files(build.ctx, coord, &flags, &other, why)?);
    }
    Ok(found)
}

/// The export files of the standard packages the support library imports:
/// from `known` if it has them all, else from one nested go list per build.
fn support_std(build: &Build, known: &ImportCfg, why: &str) -> Result<Vec<PackageFile>> {
    let std = supportlib::std_imports();
    let from_known: Option<Vec<PackageFile>> = std.iter().map(|p| known.file_of(p).map(|f| PackageFile::new(p, f))).collect();
    if let Some(files) = from_known {
        return Ok(files);
    }
    let coord = build.coord_for(why)?;
    let flags = build.record.nested_flags(build.ctx, coord).map_err(|e| e.context(why))?;
    resolve::export_files(build.ctx, coord, &flags, &std, "compiling rtool's support library").map_err(|e| e.context(why))
}
