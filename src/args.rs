//! The argument model of one toolexec call: which tool, its arguments as
//! given (kept for exec) and as text (for reading flags), `@file` response
//! files, the package it runs for, and the build's `$WORK` directory.

use crate::error::{Error, Result};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// `rtool TOOL ARGS…` as the go command runs it.
#[derive(Debug, Clone)]
pub struct ToolCall {
    /// `argv[1]` exactly as given: an absolute path, or a bare name for the
    /// C compiler probe (`gcc -### -x c -c -`).
    pub path: OsString,
    /// The tool's name: basename of `path` without `.exe`.
    pub name: String,
    /// `argv[2..]` exactly as given.
    pub args: Vec<OsString>,
}

impl ToolCall {
    pub fn new(path: OsString, args: Vec<OsString>) -> ToolCall {
        let base = Path::new(&path).file_name().unwrap_or(OsStr::new("")).to_string_lossy();
        let name = base.strip_suffix(".exe").unwrap_or(&base).to_string();
        ToolCall { path, name, args }
    }

    /// The GOROOT of the toolchain this tool belongs to: the go command
    /// runs `$GOROOT/pkg/tool/GOOS_GOARCH/TOOL`. More reliable than the
    /// `GOROOT` variable, which the go command sets empty for the linker
    /// under `-trimpath`.
    pub fn goroot(&self) -> Option<PathBuf> {
        let path = Path::new(&self.path);
        let dir = path.parent()?; // …/pkg/tool/GOOS_GOARCH
        let tool = dir.parent()?;
        let pkg = tool.parent()?;
        let shaped = path.is_absolute() && tool.file_name()? == "tool" && pkg.file_name()? == "pkg";
        shaped.then(|| pkg.parent().map(Path::to_path_buf)).flatten()
    }

    /// `TOOL -V=full`: the go command asking for the tool's identity.
    pub fn is_version_query(&self) -> bool {
        self.args.len() == 1 && self.args[0] == "-V=full"
    }

    /// The arguments as text, `@file` response files expanded. Arguments
    /// that are not UTF-8 are kept lossily: rtool reads flags from them but
    /// always passes the originals to the tool.
    pub fn text_args(&self) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(self.args.len());
        for a in &self.args {
            expand_arg(&a.to_string_lossy(), &mut out, 0)?;
        }
        Ok(out)
    }
}

const MAX_RESPONSE_DEPTH: usize = 8;

fn expand_arg(arg: &str, out: &mut Vec<String>, depth: usize) -> Result<()> {
    let Some(file) = arg.strip_prefix('@') else {
        out.push(arg.to_string());
        return Ok(());
    };
    if depth >= MAX_RESPONSE_DEPTH {
        return Err(Error::failed(format!("response file {file}: nested more than {MAX_RESPONSE_DEPTH} deep")));
    }
    let text = std::fs::read_to_string(file).map_err(|e| Error::io("reading response file", Path::new(file), e))?;
    for word in split_response_file(&text) {
        expand_arg(&word, out, depth + 1)?;
    }
    Ok(())
}

/// Splits a response file the way the Go tools read one (`objabi.ParseArgs`,
/// GCC style): whitespace separates words, `'…'` is literal, `"…"` honours
/// the escapes `\\ \" \$ \``, and a backslash-newline continues the line.
pub fn split_response_file(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n @ ('\\' | '"' | '$' | '`')) => {
                                word.push(n);
                                chars.next();
                            }
                            Some('\n') => {
                                chars.next();
                            }
                            _ => word.push('\\'),
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(n) => {
                    in_word = true;
                    word.push(n);
                }
                None => {
                    in_word = true;
                    word.push('\\');
                }
            },
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The value of flag `-name` in `args` (`-name v` or `-name=v`); the last
/// occurrence wins, as with Go's flag package.
pub fn flag_value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let mut found = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(rest) = a.strip_prefix('-') else { continue };
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        if rest == name {
            found = it.next().map(String::as_str);
        } else if let Some(v) = rest.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            found = Some(v);
        }
    }
    found
}

/// The go command's `$WORK` directory, found from a path inside it such as
/// `$WORK/b012/_pkg_.a` or `$WORK/b001/exe/a.out`: the parent of the
/// nearest action directory `bNNN`, preferring one whose parent is named
/// `go-build…` (`os.MkdirTemp(…, "go-build")`).
pub fn work_dir(path: &Path) -> Option<PathBuf> {
    let is_action_dir = |p: &Path| {
        p.file_name()
            .and_then(OsStr::to_str)
            .and_then(|n| n.strip_prefix('b'))
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut fallback = None;
    for dir in path.ancestors().skip(1) {
        if !is_action_dir(dir) {
            continue;
        }
        let parent = dir.parent()?;
        let named_go_build = parent.file_name().and_then(OsStr::to_str).is_some_and(|n| n.starts_with("go-build"));
        if named_go_build {
            return Some(parent.to_path_buf());
        }
        fallback.get_or_insert_with(|| parent.to_path_buf());
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn goroot_is_the_tools_own() {
        let root = |p: &str| ToolCall::new(p.into(), vec![]).goroot();
        assert_eq!(root("/usr/local/go/pkg/tool/linux_amd64/link"), Some(PathBuf::from("/usr/local/go")));
        assert_eq!(root("/opt/go1.22/pkg/tool/linux_arm64/compile.exe"), Some(PathBuf::from("/opt/go1.22")));
        for other in ["gcc", "pkg/tool/linux_amd64/link", "/usr/bin/link", "/x/pkg/bin/linux_amd64/link", "/x/lib/tool/y/link"] {
            assert_eq!(root(other), None, "{other}");
        }
    }

    #[test]
    fn tool_name_is_the_basename() {
        let c = ToolCall::new("/go/pkg/tool/linux_amd64/compile".into(), vec!["-V=full".into()]);
        assert_eq!(c.name, "compile");
        assert!(c.is_version_query());
        let c = ToolCall::new("gcc".into(), strings(&["-###", "-x", "c", "-c", "-"]).into_iter().map(Into::into).collect());
        assert_eq!(c.name, "gcc");
        assert!(!c.is_version_query());
        assert_eq!(ToolCall::new(r"C:\go\link.exe".replace('\\', "/").into(), vec![]).name, "link");
    }

    #[test]
    fn flags_in_both_forms_last_wins() {
        let a = strings(&["-o", "/w/b001/_pkg_.a", "-p", "main", "-importcfg=/w/b001/importcfg", "-o", "/x"]);
        assert_eq!(flag_value(&a, "o"), Some("/x"));
        assert_eq!(flag_value(&a, "p"), Some("main"));
        assert_eq!(flag_value(&a, "importcfg"), Some("/w/b001/importcfg"));
        assert_eq!(flag_value(&a, "pack"), None);
        // A flag name that is a prefix of another is not confused with it.
        assert_eq!(flag_value(&strings(&["-packx=1"]), "pack"), None);
    }

    #[test]
    fn response_files_use_gcc_quoting() {
        let words = split_response_file("-o '/a b/x.a' \"q\\\"uote\\$\" plain\\ space\\\ncont\n\n-p\tmain\n");
        assert_eq!(words, strings(&["-o", "/a b/x.a", "q\"uote$", "plain spacecont", "-p", "main"]));
        assert_eq!(split_response_file("'' x"), strings(&["", "x"]));
    }

    #[test]
    fn response_files_expand_recursively() {
        let dir = std::env::temp_dir().join(format!("rtool-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let inner = dir.join("inner");
        let outer = dir.join("outer");
        std::fs::write(&inner, "-p 'my pkg'").unwrap();
        std::fs::write(&outer, format!("-o x.a @{}\n", inner.display())).unwrap();
        let c = ToolCall::new("compile".into(), vec![format!("@{}", outer.display()).into(), "f.go".into()]);
        assert_eq!(c.text_args().unwrap(), strings(&["-o", "x.a", "-p", "my pkg", "f.go"]));
        // A response file that names itself is an error, not a hang.
        std::fs::write(&inner, format!("@{}", inner.display())).unwrap();
        assert!(c.text_args().is_err());
        let missing = ToolCall::new("compile".into(), vec![format!("@{}", dir.join("nope").display()).into()]);
        assert!(missing.text_args().unwrap_err().to_string().contains("nope"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn work_dir_from_action_paths() {
        let w = |p: &str| work_dir(Path::new(p)).map(|p| p.display().to_string());
        assert_eq!(w("/tmp/go-build123/b007/_pkg_.a").as_deref(), Some("/tmp/go-build123"));
        assert_eq!(w("/tmp/go-build123/b001/exe/a.out").as_deref(), Some("/tmp/go-build123"));
        assert_eq!(w("/tmp/go-build9/b001/greet.test").as_deref(), Some("/tmp/go-build9"));
        // A bNNN directory inside the action dir does not fool it.
        assert_eq!(w("/tmp/go-build9/b001/b2/x.o").as_deref(), Some("/tmp/go-build9"));
        // Without a go-build parent, the nearest action dir decides.
        assert_eq!(w("/scratch/b12/_pkg_.a").as_deref(), Some("/scratch"));
        assert_eq!(w("/home/me/out.a"), None);
    }
}
