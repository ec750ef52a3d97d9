//! Diagnostics for `RTOOL_LOG=debug|trace`: one line per event, prefixed
//! with the pid and what this process is doing, written to stderr or
//! appended to `RTOOL_LOG_FILE`. Silent (and free) when the level is off,
//! because the go command caches and replays whatever a tool prints.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Debug,
    Trace,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "" | "off" | "0" => Some(Level::Off),
            "debug" | "1" => Some(Level::Debug),
            "trace" | "2" => Some(Level::Trace),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Log {
    level: Level,
    file: Option<PathBuf>,
    started: Instant,
    label: String,
}

impl Log {
    pub fn new(level: Level, file: Option<PathBuf>) -> Log {
        Log { level, file, started: Instant::now(), label: String::new() }
    }

    #[cfg(test)]
    pub fn off() -> Log {
        Log::new(Level::Off, None)
    }

    /// Names what this process does ("compile fmt"), for every later line.
    pub fn set_label(&mut self, label: String) {
        self.label = label;
    }

    /// The level of logging that goes to stderr (not to a file). The go
    /// command caches what a compile prints and replays it on cache hits,
    /// so this is part of the cache key.
    pub fn stderr_level(&self) -> Level {
        if self.file.is_some() { Level::Off } else { self.level }
    }

    pub fn enabled(&self, level: Level) -> bool {
        level != Level::Off && level <= self.level
    }

    /// What this process spent so far: wall time and peak resident memory
    /// (Linux `VmHWM`), for the last line a call logs.
    pub fn cost(&self) -> String {
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmHWM:")).map(|v| v.trim().to_string()));
        format!("{:.2} ms, peak RSS {}", self.started.elapsed().as_secs_f64() * 1e3, peak.as_deref().unwrap_or("unknown"))
    }

    pub fn debug(&self, msg: impl FnOnce() -> String) {
        self.write(Level::Debug, msg)
    }

    pub fn trace(&self, msg: impl FnOnce() -> String) {
        self.write(Level::Trace, msg)
    }

    fn write(&self, level: Level, msg: impl FnOnce() -> String) {
        if !self.enabled(level) {
            return;
        }
        let line = format!("rtool[{}] {}: {}\n", std::process::id(), self.label, msg());
        // One write per line with O_APPEND, so lines of concurrent
        // processes interleave whole. A log that cannot be written is not
        // worth failing a build for.
        let _ = match &self.file {
            Some(path) => OpenOptions::new().create(true).append(true).open(path).and_then(|mut f| f.write_all(line.as_bytes())),
            None => std::io::stderr().write_all(line.as_bytes()),
        };
    }
}
