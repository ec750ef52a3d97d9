//! `//name args` directive comments above declarations and statements.

use super::*;

/// `//name args` comments directly above a declaration (or above the
/// statement holding a function literal, the first of a block included).
pub(super) fn directives_of(node: Node, src: &[u8]) -> Vec<(String, String)> {
    let mut anchor = node;
    if node.kind() == kind::FUNC_LITERAL {
        while let Some(p) = anchor.parent() {
            if matches!(p.kind(), kind::STATEMENT_LIST | kind::SOURCE_FILE | kind::BLOCK) {
                break;
            }
            anchor = p;
        }
    }
    let mut out = Vec::new();
    let mut line = anchor.start_position().row;
    // The comments above a block's first statement belong to the block,
    // before its statement list.
    let mut prev = anchor.prev_sibling().or_else(|| anchor.parent().filter(|p| p.kind() == kind::STATEMENT_LIST)?.prev_sibling());
    while let Some(c) = prev.filter(|c| c.kind() == kind::COMMENT && c.end_position().row + 1 >= line) {
        let t = text(c, src);
        if let Some(body) = t.strip_prefix("//").filter(|b| b.starts_with(|ch: char| !ch.is_whitespace())) {
            let (name, args) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
            out.push((name.to_string(), args.trim().to_string()));
        }
        line = c.start_position().row;
        prev = c.prev_sibling();
    }
    out.reverse();
    out
}

/// `key=value` and positional words (`"quoted"` ones may hold spaces);
/// positional ones get keys "0", "1", …. When `code` reads directive
/// arguments (`RtoolArg_KEY`, `RtoolArgParams_KEY`), every argument must be
/// one it reads: a misspelt key or a stray word is an error, not dropped.
pub(super) fn parse_directive_args(args: &str, code: &Code) -> std::result::Result<Vec<(String, String)>, String> {
    let words = crate::aspect::parse::split_args(args, 0).map_err(|(_, msg)| msg)?;
    let mut n = 0;
    let parsed: Vec<(String, String)> = words
        .into_iter()
        .map(|(k, v, _)| match k {
            Some(k) => (k, v),
            None => {
                n += 1;
                ((n - 1).to_string(), v)
            }
        })
        .collect();
    let read: Vec<&str> = code
        .holes
        .iter()
        .filter_map(|h| match &h.kind {
            HoleKind::Placeholder(Placeholder::Arg(k) | Placeholder::ArgParams(k)) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    if !read.is_empty()
        && let Some((k, v)) = parsed.iter().find(|(k, _)| !read.contains(&k.as_str()))
    {
        let what = if k.parse::<usize>().is_ok() { format!("an unexpected argument {v:?}") } else { format!("an unknown key {k}=") };
        let mut known: Vec<String> =
            read.iter().map(|k| if k.parse::<usize>().is_ok() { format!("positional {k}") } else { format!("{k}=") }).collect();
        known.sort();
        known.dedup();
        return Err(format!("{what} (it takes {})", known.join(", ")));
    }
    Ok(parsed)
}
