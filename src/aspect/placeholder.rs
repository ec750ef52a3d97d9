//! Placeholders: the `Rtool…` names advice code uses for what differs from
//! one join point to the next (the matched expression, the function's name,
//! its parameters, the matched directive's arguments). Each is parsed once,
//! when the aspect file is read; where it has a value (which advice kinds,
//! which join-point node kinds) is data on the enum, checked at that time.

use super::advice::AdviceKind;
use super::joinpoint::NodeKind;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// `RtoolExpr`: the matched expression (wrap advice).
    Expr,
    /// `RtoolFuncName`: the function's name, as a string.
    FuncName,
    /// `RtoolPackage`: the import path, as a string.
    Package,
    /// `RtoolReceiver`: the receiver.
    Receiver,
    /// `RtoolParamValues`: `[]any{…}` of the parameters.
    ParamValues,
    /// `RtoolParamNames`: `[]string{…}` of the parameters' names.
    ParamNames,
    /// `RtoolParamN`: parameter N.
    Param(usize),
    /// `RtoolResultN`: result N.
    Result(usize),
    /// `RtoolArg_KEY`: the matched directive's argument KEY, as a string.
    Arg(String),
    /// `RtoolArgParams_KEY`: the parameters the directive's `KEY=a,b` names.
    ArgParams(String),
}

/// Where a placeholder has a value; `None` is anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed {
    pub advice: Option<&'static [AdviceKind]>,
    pub nodes: Option<&'static [NodeKind]>,
}

/// The common prefix of every placeholder; aspect-file names starting with
/// it that are no placeholder are taken for misspelt ones.
pub const PREFIX: &str = "Rtool";

impl Placeholder {
    /// One placeholder of each kind, in the order messages list them.
    pub const KINDS: [Placeholder; 10] = [
        Placeholder::Expr,
        Placeholder::FuncName,
        Placeholder::Package,
        Placeholder::Receiver,
        Placeholder::ParamValues,
        Placeholder::ParamNames,
        Placeholder::Param(0),
        Placeholder::Result(0),
        Placeholder::Arg(String::new()),
        Placeholder::ArgParams(String::new()),
    ];

    /// The placeholder an identifier names, if any.
    pub fn parse(ident: &str) -> Option<Placeholder> {
        Self::KINDS.iter().find_map(|k| k.parse_as(ident))
    }

    /// `ident` as a placeholder of this one's kind, if it is one.
    fn parse_as(&self, ident: &str) -> Option<Placeholder> {
        use Placeholder::*;
        let rest = ident.strip_prefix(self.stem())?;
        // Digits only: `str::parse` would also take a sign.
        let index = || rest.bytes().all(|b| b.is_ascii_digit()).then(|| rest.parse().ok()).flatten();
        let key = || (!rest.is_empty()).then(|| rest.to_string());
        Some(match self {
            Param(_) => Param(index()?),
            Result(_) => Result(index()?),
            Arg(_) => Arg(key()?),
            ArgParams(_) => ArgParams(key()?),
            Expr | FuncName | Package | Receiver | ParamValues | ParamNames if rest.is_empty() => self.clone(),
            Expr | FuncName | Package | Receiver | ParamValues | ParamNames => return None,
        })
    }

    /// The identifier, or its fixed part for numbered and keyed ones.
    fn stem(&self) -> &'static str {
        match self {
            Placeholder::Expr => "RtoolExpr",
            Placeholder::FuncName => "RtoolFuncName",
            Placeholder::Package => "RtoolPackage",
            Placeholder::Receiver => "RtoolReceiver",
            Placeholder::ParamValues => "RtoolParamValues",
            Placeholder::ParamNames => "RtoolParamNames",
            Placeholder::Param(_) => "RtoolParam",
            Placeholder::Result(_) => "RtoolResult",
            Placeholder::Arg(_) => "RtoolArg_",
            Placeholder::ArgParams(_) => "RtoolArgParams_",
        }
    }

    /// How the kind is written, for messages: `RtoolParam<N>`.
    pub fn form(&self) -> String {
        match self {
            Placeholder::Param(_) | Placeholder::Result(_) => format!("{}<N>", self.stem()),
            Placeholder::Arg(_) | Placeholder::ArgParams(_) => format!("{}<key>", self.stem()),
            _ => self.stem().to_string(),
        }
    }

    /// Every kind's form, for "unknown placeholder" messages.
    pub fn known() -> String {
        Self::KINDS.iter().map(Placeholder::form).collect::<Vec<_>>().join(", ")
    }

    /// Where the placeholder has a value. The matched expression exists only
    /// for wrap advice; the import path everywhere; a directive's arguments
    /// on the functions and calls it marks; the rest only on functions.
    pub fn allowed(&self) -> Allowed {
        use Placeholder::*;
        match self {
            Expr => Allowed { advice: Some(&[AdviceKind::Wrap]), nodes: None },
            Package => Allowed { advice: None, nodes: None },
            Arg(_) => Allowed { advice: None, nodes: Some(&[NodeKind::Function, NodeKind::Call]) },
            FuncName | Receiver | ParamValues | ParamNames | Param(_) | Result(_) | ArgParams(_) => {
                Allowed { advice: None, nodes: Some(&[NodeKind::Function]) }
            }
        }
    }

    /// Whether the placeholder can be used in `advice` on `node` join points.
    pub fn allowed_in(&self, advice: AdviceKind, node: NodeKind) -> bool {
        let a = self.allowed();
        a.advice.is_none_or(|ks| ks.contains(&advice)) && a.nodes.is_none_or(|ks| ks.contains(&node))
    }
}

/// The identifier: `RtoolParam2`, `RtoolArg_name`.
impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stem())?;
        match self {
            Placeholder::Param(n) | Placeholder::Result(n) => write!(f, "{n}"),
            Placeholder::Arg(k) | Placeholder::ArgParams(k) => f.write_str(k),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a variant is added, so that `KINDS` (and the
    /// tests reading it) are updated with it.
    fn kind_index(p: &Placeholder) -> usize {
        use Placeholder::*;
        match p {
            Expr => 0,
            FuncName => 1,
            Package => 2,
            Receiver => 3,
            ParamValues => 4,
            ParamNames => 5,
            Param(_) => 6,
            Result(_) => 7,
            Arg(_) => 8,
            ArgParams(_) => 9,
        }
    }

    fn samples() -> Vec<Placeholder> {
        use Placeholder::*;
        vec![
            Expr,
            FuncName,
            Package,
            Receiver,
            ParamValues,
            ParamNames,
            Param(0),
            Param(12),
            Result(3),
            Arg("0".into()),
            Arg("name".into()),
            ArgParams("params".into()),
        ]
    }

    #[test]
    fn kinds_cover_every_variant() {
        for (i, k) in Placeholder::KINDS.iter().enumerate() {
            assert_eq!(kind_index(k), i, "{k:?}");
        }
    }

    #[test]
    fn every_placeholder_round_trips() {
        for p in samples() {
            let ident = p.to_string();
            assert!(ident.starts_with(PREFIX), "{ident}");
            assert_eq!(Placeholder::parse(&ident), Some(p), "{ident}");
        }
        // Leading zeros name the same parameter, as they always did.
        assert_eq!(Placeholder::parse("RtoolParam01"), Some(Placeholder::Param(1)));
    }

    #[test]
    fn near_misses_are_not_placeholders() {
        for ident in [
            "Rtool",
            "RtoolFoo",
            "RtoolExprs",
            "RtoolParam",
            "RtoolParamX",
            "RtoolParam-1",
            "RtoolResult",
            "RtoolArg_",
            "RtoolArgParams_",
            "RtoolArg",
            "rtoolExpr",
            // Too large for an index: unknown, not silently left in the code.
            "RtoolParam99999999999999999999999",
        ] {
            assert_eq!(Placeholder::parse(ident), None, "{ident}");
        }
    }

    #[test]
    fn known_lists_every_form() {
        assert_eq!(
            Placeholder::known(),
            "RtoolExpr, RtoolFuncName, RtoolPackage, RtoolReceiver, RtoolParamValues, RtoolParamNames, \
             RtoolParam<N>, RtoolResult<N>, RtoolArg_<key>, RtoolArgParams_<key>"
        );
    }

    #[test]
    fn where_placeholders_are_allowed() {
        use AdviceKind as A;
        use NodeKind as N;
        use Placeholder::*;
        let yes = [
            (Expr, A::Wrap, N::Call),
            (Expr, A::Wrap, N::Literal),
            (Package, A::Inject, N::Package),
            (Package, A::Prepend, N::Function),
            (Package, A::Wrap, N::Call),
            (Package, A::Assign, N::Package),
            (FuncName, A::Prepend, N::Function),
            (Param(1), A::Prepend, N::Function),
            (Result(0), A::Prepend, N::Function),
            (Receiver, A::Prepend, N::Function),
            (ParamValues, A::Prepend, N::Function),
            (ParamNames, A::Prepend, N::Function),
            (ArgParams("p".into()), A::Prepend, N::Function),
            (Arg("0".into()), A::Prepend, N::Function),
            (Arg("0".into()), A::AppendArgs, N::Call),
            (Arg("0".into()), A::Wrap, N::Call),
        ];
        for (p, a, n) in yes {
            assert!(p.allowed_in(a, n), "{p} in {a:?} on {n}");
        }
        let no = [
            (Expr, A::Prepend, N::Function),
            (Expr, A::AppendArgs, N::Call),
            (Expr, A::Inject, N::Package),
            (FuncName, A::Wrap, N::Call),
            (Param(0), A::Inject, N::Package),
            (Result(0), A::Wrap, N::Literal),
            (Receiver, A::AppendArgs, N::Call),
            (ParamValues, A::Assign, N::Package),
            (ParamNames, A::Wrap, N::Call),
            (ArgParams("p".into()), A::Wrap, N::Call),
            (Arg("0".into()), A::Wrap, N::Literal),
            (Arg("0".into()), A::Inject, N::Package),
        ];
        for (p, a, n) in no {
            assert!(!p.allowed_in(a, n), "{p} in {a:?} on {n}");
        }
    }
}
