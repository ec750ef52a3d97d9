//! `//rtool:NAME args` comments in aspect files: the name, and the
//! arguments (`key=value`, bare words, `"quoted words"`) with the column of
//! each, so that every message points at the argument it is about.

use crate::gosyntax::{self, kind};
use tree_sitter::Node;

/// One directive argument: (key, value, column).
pub type Arg = (Option<String>, String, usize);
/// An error at a column of a directive's line.
pub type ColumnError = (usize, String);

/// The prefix of every directive in an aspect file.
pub const PREFIX: &str = "//rtool:";

/// One `//rtool:NAME args` comment.
#[derive(Debug, Clone)]
pub struct Directive {
    pub name: String,
    pub args: Vec<Arg>,
    /// The text after the name, and its column.
    pub rest: String,
    pub rest_col: usize,
    pub line: usize,
    pub col: usize,
}

impl Directive {
    /// Reads a comment node; None if it is no `//rtool:` directive.
    pub fn read(node: Node, src: &[u8]) -> Option<Result<Directive, ColumnError>> {
        let text = gosyntax::text(node, src);
        let body = text.strip_prefix(PREFIX)?;
        let (line, col) = gosyntax::line_col(node);
        let name_len = body.find(char::is_whitespace).unwrap_or(body.len());
        let name = body[..name_len].to_string();
        let rest = body[name_len..].trim_start();
        let rest_col = col + text.len() - rest.len();
        let rest = rest.trim_end().to_string();
        if name == "where" || name == "aspect" {
            // Their text is not arguments: the join point parser reads it.
            return Some(Ok(Directive { name, args: vec![], rest, rest_col, line, col }));
        }
        Some(split_args(&rest, rest_col).map(|args| Directive { name, args, rest, rest_col, line, col }))
    }

    /// The positional arguments: (value, column).
    pub fn positional(&self) -> Vec<(&str, usize)> {
        self.args.iter().filter(|a| a.0.is_none()).map(|a| (a.1.as_str(), a.2)).collect()
    }

    /// Option `key`'s value and column, if given.
    pub fn option(&self, key: &str) -> Option<(&str, usize)> {
        self.args.iter().find(|a| a.0.as_deref() == Some(key)).map(|a| (a.1.as_str(), a.2))
    }

    /// Checks the arguments against what the directive takes: `npos`
    /// positional ones, and each of the options `keys` at most once.
    pub fn check_args(&self, npos: usize, keys: &[&str]) -> Result<(), ColumnError> {
        for (i, (k, _, col)) in self.args.iter().enumerate() {
            let Some(k) = k else { continue };
            if !keys.contains(&k.as_str()) {
                let options = if keys.is_empty() { String::new() } else { format!(" (options: {})", keys.join(", ")) };
                return Err((*col, format!("//rtool:{} has no option {k:?}{options}", self.name)));
            }
            // A second value would be ignored without a word.
            if self.args[..i].iter().any(|a| a.0.as_ref() == Some(k)) {
                return Err((*col, format!("//rtool:{} sets {k}= twice", self.name)));
            }
        }
        let got = self.positional().len();
        if got != npos {
            let s = if npos == 1 { "" } else { "s" };
            return Err((self.rest_col, format!("//rtool:{} takes {npos} argument{s}, got {got}", self.name)));
        }
        Ok(())
    }
}

/// Whether a syntax node is an `//rtool:` directive comment.
pub fn is_directive(node: Node, src: &[u8]) -> bool {
    node.kind() == kind::COMMENT && gosyntax::text(node, src).starts_with(PREFIX)
}

/// Splits `key=value "quoted value" word` into arguments, with the column
/// of each (`col0` being the column of the text).
pub fn split_args(s: &str, col0: usize) -> Result<Vec<Arg>, ColumnError> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut key = None;
        let mut val = String::new();
        while i < b.len() && !b[i].is_ascii_whitespace() {
            match b[i] {
                b'=' if key.is_none() && !val.is_empty() => {
                    key = Some(std::mem::take(&mut val));
                    i += 1;
                }
                b'"' => {
                    i += 1;
                    loop {
                        match b.get(i) {
                            None => return Err((col0 + start, "unterminated string".into())),
                            Some(b'"') => break,
                            Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\\')) => {
                                val.push(b[i + 1] as char);
                                i += 2;
                            }
                            Some(_) => {
                                let ch = s[i..].chars().next().unwrap_or(' ');
                                val.push(ch);
                                i += ch.len_utf8();
                            }
                        }
                    }
                    i += 1;
                }
                _ => {
                    let ch = s[i..].chars().next().unwrap_or(' ');
                    val.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        out.push((key, val, col0 + start));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_keys_and_quotes() {
        let args = split_args(r#"a key=v "two words" k="q \"x\"""#, 10).unwrap();
        assert_eq!(
            args,
            [
                (None, "a".into(), 10),
                (Some("key".into()), "v".into(), 12),
                (None, "two words".into(), 18),
                (Some("k".into()), "q \"x\"".into(), 30),
            ]
        );
        assert_eq!(split_args(r#"a "open"#, 1).unwrap_err(), (3, "unterminated string".into()));
    }

    fn directive(rest: &str) -> Directive {
        Directive { name: "d".into(), args: split_args(rest, 10).unwrap(), rest: rest.into(), rest_col: 10, line: 1, col: 1 }
    }

    #[test]
    fn checks_arguments_and_options() {
        assert_eq!(directive("x order=1").check_args(1, &["order"]), Ok(()));
        assert_eq!(directive("x").check_args(2, &[]), Err((10, "//rtool:d takes 2 arguments, got 1".into())));
        assert_eq!(directive("first=1").check_args(0, &["order"]), Err((10, "//rtool:d has no option \"first\" (options: order)".into())));
        assert_eq!(directive("order=1 order=2").check_args(0, &["order"]), Err((18, "//rtool:d sets order= twice".into())));
    }
}
