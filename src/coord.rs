//! The job coordinator: how the many short-lived rtool processes of one
//! build share work, through files and locks in one directory per build
//! (`$WORK/rtool`, or the outer build's directory for nested go commands,
//! handed down in `RTOOL_COORD`).
//!
//! Two operations:
//! - [`Coord::once`]: run a job exactly once per build; concurrent callers
//!   block on the job's lock file and then reuse its result, or its error.
//! - [`Coord::memo`]: remember a value computed for the rest of the build
//!   (deterministic values: racing computations agree, the first stays).
//!
//! Crash safety: locks are `flock`s, which the kernel drops when a process
//! dies; results are written to a temporary file and renamed into place,
//! so a result file is either absent or complete.

use crate::atomicfile::write_atomic;
use crate::ctx::{Ctx, ENV_COORD, ENV_DEPTH};
use crate::error::{Error, Result};
use crate::frame;
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Nested go commands rtool may stack: the outer build (0) starts a
/// resolution (1), whose own compiles may need one more (2). Deeper means a
/// resolution needs itself, which would never end.
pub const MAX_NESTED_DEPTH: u32 = 2;

const OK: u8 = b'+';
const FAILED: u8 = b'!';

#[derive(Debug, Clone)]
pub struct Coord {
    root: PathBuf,
}

impl Coord {
    /// The coordinator of the build this process belongs to: the outer
    /// build's when nested, else `$WORK/rtool`. None outside a go build.
    pub fn for_build(ctx: &Ctx, work: Option<&Path>) -> Result<Option<Coord>> {
        let root = match (&ctx.coord_root, work) {
            (Some(root), _) => root.clone(),
            (None, Some(work)) => work.join("rtool"),
            (None, None) => return Ok(None),
        };
        Coord::open(root).map(Some)
    }

    pub fn open(root: PathBuf) -> Result<Coord> {
        fs::create_dir_all(&root).map_err(|e| Error::io("creating coordinator directory", &root, e))?;
        Ok(Coord { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs `job` unless this build already ran it to completion; returns
    /// the job's result (or error) either way. A caller that finds the job
    /// running waits for it. A job whose process died is run again.
    pub fn once(&self, key: &str, job: impl FnOnce() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
        let (lock_path, out_path) = self.paths(key);
        if let Some(r) = read_result(&out_path, key)? {
            return r;
        }
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("creating lock", &lock_path, e))?;
        lock.lock().map_err(|e| Error::io("locking", &lock_path, e))?;
        // Whoever held the lock before us may have finished the job.
        if let Some(r) = read_result(&out_path, key)? {
            return r;
        }
        let result = job();
        let encoded = match &result {
            Ok(v) => [&[OK], v.as_slice()].concat(),
            Err(e) => [&[FAILED], e.to_string().as_bytes()].concat(),
        };
        write_atomic(&out_path, &encoded)?;
        drop(lock);
        result
    }

    /// Returns the value stored under `key`, computing and storing it first
    /// if this build has none yet.
    pub fn memo(&self, key: &str, compute: impl FnOnce() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
        let (_, out_path) = self.paths(key);
        if let Some(r) = read_result(&out_path, key)? {
            return r;
        }
        let value = compute()?;
        write_atomic(&out_path, &[&[OK], value.as_slice()].concat())?;
        Ok(value)
    }

    /// Environment for a go command this process starts: it shares this
    /// coordinator and counts one level deeper. Refuses past
    /// [`MAX_NESTED_DEPTH`], so nested builds can never recurse unboundedly.
    pub fn nested_env(&self, depth: u32) -> Result<Vec<(&'static str, OsString)>> {
        let next = depth + 1;
        if next > MAX_NESTED_DEPTH {
            return Err(Error::failed(format!(
                "refusing to start a go command nested {next} deep ({ENV_DEPTH}={depth}): \
                 a nested build needs another nested build without end"
            )));
        }
        Ok(vec![(ENV_COORD, self.root.clone().into_os_string()), (ENV_DEPTH, next.to_string().into())])
    }

    /// A directory that belongs to job `key`, for files its result names.
    pub fn files_of(&self, key: &str) -> PathBuf {
        let (_, out) = self.paths(key);
        out.with_extension("files")
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        let digest = Sha256::digest(key.as_bytes());
        let name = frame::hex(&digest[..16]);
        (self.root.join(format!("{name}.lock")), self.root.join(format!("{name}.out")))
    }
}

/// A finished job's stored outcome, or None if there is none yet.
fn read_result(path: &Path, key: &str) -> Result<Option<Result<Vec<u8>>>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("reading job result", path, e)),
    };
    match bytes.split_first() {
        Some((&OK, value)) => Ok(Some(Ok(value.to_vec()))),
        Some((&FAILED, msg)) => Ok(Some(Err(Error::failed(String::from_utf8_lossy(msg).into_owned())))),
        _ => Err(Error::failed(format!("job {key:?}: corrupt result file {}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};
    use std::time::{Duration, Instant};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rtool-coord-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn once_runs_a_job_once_for_many_threads() {
        let coord = Coord::open(scratch("threads")).unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (coord, runs, start) = (coord.clone(), runs.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    coord.once("resolve net/http", || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(100));
                        Ok(b"archive-list".to_vec())
                    })
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), b"archive-list");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Another key is another job.
        let other = coord.once("resolve os", || Ok(b"x".to_vec())).unwrap();
        assert_eq!(other, b"x");
        fs::remove_dir_all(coord.root()).unwrap();
    }

    #[test]
    fn once_shares_a_jobs_error() {
        let coord = Coord::open(scratch("error")).unwrap();
        let runs = AtomicUsize::new(0);
        let job = || {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(Error::failed("go list: no such package"))
        };
        let first = coord.once("bad", job).unwrap_err();
        let second = coord.once("bad", || panic!("must not run again")).unwrap_err();
        assert_eq!(first, second);
        assert!(second.to_string().contains("no such package"));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        fs::remove_dir_all(coord.root()).unwrap();
    }

    #[test]
    fn memo_computes_once() {
        let coord = Coord::open(scratch("memo")).unwrap();
        assert_eq!(coord.memo("config", || Ok(b"v1".to_vec())).unwrap(), b"v1");
        assert_eq!(coord.memo("config", || panic!("already memoized")).unwrap(), b"v1");
        fs::remove_dir_all(coord.root()).unwrap();
    }

    #[test]
    fn a_corrupt_result_is_an_error_not_a_value() {
        let coord = Coord::open(scratch("corrupt")).unwrap();
        let (_, out) = coord.paths("k");
        fs::write(&out, b"").unwrap();
        assert!(coord.once("k", || Ok(vec![])).unwrap_err().to_string().contains("corrupt"));
        fs::remove_dir_all(coord.root()).unwrap();
    }

    #[test]
    fn nested_depth_is_bounded() {
        let coord = Coord::open(scratch("depth")).unwrap();
        let env = coord.nested_env(0).unwrap();
        assert_eq!(env[0], (ENV_COORD, coord.root().as_os_str().to_owned()));
        assert_eq!(env[1], (ENV_DEPTH, OsString::from("1")));
        assert!(coord.nested_env(MAX_NESTED_DEPTH - 1).is_ok());
        assert!(coord.nested_env(MAX_NESTED_DEPTH).unwrap_err().to_string().contains("nested"));
        fs::remove_dir_all(coord.root()).unwrap();
    }

    /// Starts this test binary as a child process running `child_process`.
    fn child(root: &Path, mode: &str) -> Command {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--exact", "coord::tests::child_process", "--ignored", "--nocapture", "--test-threads=1"])
            .env("COORD_TEST_ROOT", root)
            .env("COORD_TEST_MODE", mode)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        cmd
    }

    /// The body of the child processes of the tests below.
    #[test]
    #[ignore = "run as a child process by the multi-process tests"]
    fn child_process() {
        let (Ok(root), Ok(mode)) = (std::env::var("COORD_TEST_ROOT"), std::env::var("COORD_TEST_MODE")) else {
            return;
        };
        let root = PathBuf::from(root);
        let coord = Coord::open(root.clone()).unwrap();
        let v = coord
            .once("job", || {
                let mut runs = OpenOptions::new().create(true).append(true).open(root.join("runs")).unwrap();
                writeln!(runs, "{}", std::process::id()).unwrap();
                if mode == "hang" {
                    fs::write(root.join("started"), b"").unwrap();
                    std::thread::sleep(Duration::from_secs(60));
                }
                std::thread::sleep(Duration::from_millis(200));
                Ok(format!("result-of-{}", std::process::id()).into_bytes())
            })
            .unwrap();
        println!("VALUE={}", String::from_utf8(v).unwrap());
    }

    fn value_of(out: std::process::Output) -> String {
        assert!(out.status.success(), "child failed: {out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        // The harness prints "test … ... " before the test's own output.
        let at = stdout.find("VALUE=").expect("child printed its value");
        stdout[at + 6..].split_whitespace().next().unwrap_or("").to_string()
    }

    #[test]
    fn once_runs_a_job_once_across_processes() {
        let root = scratch("procs");
        fs::create_dir_all(&root).unwrap();
        let children: Vec<_> = (0..6).map(|_| child(&root, "normal").spawn().unwrap()).collect();
        let values: Vec<String> = children.into_iter().map(|c| value_of(c.wait_with_output().unwrap())).collect();
        let runs = fs::read_to_string(root.join("runs")).unwrap();
        assert_eq!(runs.lines().count(), 1, "job ran more than once: {runs}");
        let runner = runs.trim();
        assert!(values.iter().all(|v| *v == format!("result-of-{runner}")), "{values:?}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_killed_job_is_run_again_and_leaves_nothing_half_read() {
        let root = scratch("crash");
        fs::create_dir_all(&root).unwrap();
        let mut hung = child(&root, "hang").spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !root.join("started").exists() {
            assert!(Instant::now() < deadline, "child never started its job");
            std::thread::sleep(Duration::from_millis(10));
        }
        // A waiter queued behind the hung job…
        let waiter = child(&root, "normal").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        // …and a half-written temporary result, as a crash mid-write leaves.
        let (_, out) = Coord::open(root.clone()).unwrap().paths("job");
        fs::write(root.join(format!(".{}.123.0.0.tmp", out.file_name().unwrap().to_string_lossy())), b"+trunc").unwrap();
        hung.kill().unwrap();
        hung.wait().unwrap();

        let value = value_of(waiter.wait_with_output().unwrap());
        let runs = fs::read_to_string(root.join("runs")).unwrap();
        let pids: Vec<&str> = runs.lines().collect();
        assert_eq!(pids.len(), 2, "the killed job and its rerun: {runs}");
        assert_eq!(value, format!("result-of-{}", pids[1]));
        // The rerun's result is what everyone sees from now on.
        let coord = Coord::open(root.clone()).unwrap();
        assert_eq!(coord.once("job", || panic!("done already")).unwrap(), value.as_bytes());
        fs::remove_dir_all(&root).unwrap();
    }
}
