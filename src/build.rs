//! What one toolexec call knows of the build it serves: the coordinator the
//! rtool processes of the build share (`coord`), the build record its go
//! command made (`record`) and the build's aspects. `toolexec` opens it
//! once per call of a tool rtool may change and hands it to the tool's
//! planner (`tools/`).

use crate::args::{self, ToolCall};
use crate::aspect::{self, Aspect, codec};
use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::Record;
use std::cell::OnceCell;
use std::path::Path;

pub struct Build<'a> {
    pub ctx: &'a Ctx,
    /// None outside a go build (a tool run by hand, no `$WORK`).
    pub coord: Option<Coord>,
    pub record: Record,
    aspects: OnceCell<Vec<Aspect>>,
}

impl<'a> Build<'a> {
    /// The build of `call`, whose `$WORK` its output path (`-o`) shows.
    pub fn open(ctx: &'a Ctx, call: &ToolCall) -> Result<Build<'a>> {
        let args = call.text_args()?;
        let work = args::flag_value(&args, "o").and_then(|o| args::work_dir(Path::new(o)));
        let coord = Coord::for_build(ctx, work.as_deref())?;
        let record = Record::for_build(ctx, coord.as_ref())?;
        Ok(Build { ctx, coord, record, aspects: OnceCell::new() })
    }

    /// The build's aspects: parsed once per build (a coordinator memo in
    /// their compact form), decoded at most once per call.
    pub fn aspects(&self) -> Result<&[Aspect]> {
        if let Some(a) = self.aspects.get() {
            return Ok(a);
        }
        let config = &self.record.config;
        let loaded = match &self.coord {
            None => aspect::load(config)?,
            Some(coord) => {
                let bytes = coord.once("aspects", || aspect::load(config).map(|a| codec::encode(&a)))?;
                codec::decode(&bytes).ok_or_else(|| Error::failed(format!("corrupt aspects memo in {}", coord.root().display())))?
            }
        };
        Ok(self.aspects.get_or_init(|| loaded))
    }

    /// The coordinator, which adding packages to a compile or link needs;
    /// `who` names the package, for the error outside a go build.
    pub fn coord_for(&self, who: &str) -> Result<&Coord> {
        self.coord.as_ref().ok_or_else(|| Error::failed(format!("{who}: cannot add packages outside a go build")))
    }
}
