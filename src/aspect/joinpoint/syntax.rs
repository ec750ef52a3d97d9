//! Reading and printing join-point expressions: the grammar in the
//! parent module's doc, parsed by hand (offsets in every error, a nesting
//! limit instead of a stack overflow); atoms are built by `atoms`. The
//! printed form is canonical and parses back to the same expression (the
//! codec stores it).

use super::Expr;
use super::atoms::{self, RawArg};
use std::fmt;

/// A parse error at a byte offset of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub msg: String,
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut p = Parser { s: text, pos: 0, depth: 0 };
    let e = p.or()?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.err(format!("unexpected {:?}", &text[p.pos..])));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, msg: String) -> ParseError {
        ParseError { offset: self.pos, msg }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.s[self.pos..].chars().next().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.s[self.pos..].starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut v = vec![self.and()?];
        while self.eat("||") {
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Expr::Or(v) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut v = vec![self.unary()?];
        while self.eat("&&") {
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Expr::And(v) })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("join point nested more than {MAX_DEPTH} deep")));
        }
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return Err(self.err("missing )".into()));
            }
            return Ok(e);
        }
        self.atom()
    }

    fn word(&mut self) -> &str {
        self.skip_ws();
        let start = self.pos;
        let rest = &self.s[start..];
        let len = rest.find(|c: char| c.is_whitespace() || "(),=&|!\"".contains(c)).unwrap_or(rest.len());
        self.pos += len;
        &self.s[start..start + len]
    }

    fn value(&mut self) -> Result<String, ParseError> {
        self.skip_ws();
        if !self.s[self.pos..].starts_with('"') {
            let w = self.word().to_string();
            if w.is_empty() {
                return Err(self.err("expected a value".into()));
            }
            return Ok(w);
        }
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.s[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, c @ ('"' | '\\'))) => out.push(c),
                    _ => {
                        self.pos += i;
                        return Err(self.err("only \\\" and \\\\ escapes are allowed".into()));
                    }
                },
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.err("unterminated string".into()))
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let at = {
            self.skip_ws();
            self.pos
        };
        let name = self.word().to_string();
        if name.is_empty() {
            return Err(self.err("expected a join point such as function(name=Foo)".into()));
        }
        let mut args: Vec<RawArg> = Vec::new();
        if self.eat("(") && !self.eat(")") {
            loop {
                self.skip_ws();
                let arg_at = self.pos;
                let first = self.value()?;
                if self.eat("=") {
                    args.push((Some(first), self.value()?, arg_at));
                } else {
                    args.push((None, first, arg_at));
                }
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.err("expected , or )".into()));
                }
            }
        }
        let atom = atoms::build(&name, &args, at).map_err(|(offset, msg)| ParseError { offset, msg })?;
        Ok(Expr::Atom(atom))
    }
}

/// The canonical text: every `&&` and `||` parenthesized.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, v: &[Expr], op: &str| -> fmt::Result {
            f.write_str("(")?;
            for (i, e) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{e}")?;
            }
            f.write_str(")")
        };
        match self {
            Expr::And(v) => join(f, v, "&&"),
            Expr::Or(v) => join(f, v, "||"),
            Expr::Not(e) => write!(f, "!{e}"),
            Expr::Atom(a) => write!(f, "{a}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for src in [
            r#"package("net/...") && function(name="Serve*", receiver="*Server")"#,
            r#"call("database/sql.Open") || !std"#,
            r#"literal("net/http.Client", field="Transport", match=pointer)"#,
            r#"function(params="int, []string", results="error")"#,
            r#"!(std || main-module) && (package("a") || package("b\\c\"d"))"#,
        ] {
            let e = parse(src).unwrap();
            assert_eq!(parse(&e.to_string()).unwrap(), e, "{src} -> {e}");
        }
    }

    #[test]
    fn errors_point_into_the_text() {
        let bad = |s: &str| parse(s).unwrap_err();
        assert_eq!(bad("function(nam=x)").offset, 9);
        assert!(bad("function(nam=x)").msg.contains("no key \"nam\""));
        assert!(bad("frobnicate").msg.contains("unknown join point"));
        assert_eq!(bad("package(x) &&").offset, 13);
        assert!(bad("(std").msg.contains("missing )"));
        assert!(bad(r#"package("x)"#).msg.contains("unterminated"));
        assert!(bad("call(Open)").msg.contains("qualified name"));
        assert!(bad("std(x)").msg.contains("no arguments"));
        assert!(bad(&"(".repeat(10_000)).msg.contains("nested more than"));
        assert!(bad(&"!".repeat(10_000)).msg.contains("nested more than"));
        assert!(parse("std\u{a0}&& main-module").is_ok());
    }
}
