//! Running the real tool. Pass-through replaces the rtool process with the
//! tool (`execve`), so arguments, environment, stdio, exit status and death
//! by signal are the tool's own. When rtool must act after the tool, it
//! waits for it and then mirrors its exit: the same code, or the same signal
//! raised on itself, as the go command expects from a killed tool.

use crate::error::Error;
use std::ffi::OsStr;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};

/// Replaces this process with `program args…`. Returns only on failure.
pub fn replace_process(program: &OsStr, args: &[impl AsRef<OsStr>]) -> Error {
    let err = Command::new(program).args(args).exec();
    let shown = program.to_string_lossy();
    if err.kind() == std::io::ErrorKind::NotFound && !shown.contains('/') {
        // `rtool frobnicate`: a typo rather than a tool the go command ran.
        return Error::usage(format!("unknown command or tool {shown:?}"));
    }
    Error::failed(format!("running {shown}: {err}"))
}

/// The exit code rtool should return after a tool exited with `status`.
/// A tool killed by a signal makes rtool die of the same signal.
pub fn mirror_exit(status: ExitStatus) -> u8 {
    if let Some(sig) = status.signal() {
        raise_default(sig);
        return 128u8.wrapping_add(sig as u8);
    }
    status.code().map_or(1, |c| c as u8)
}

/// Runs `cmd` to completion, stdio inherited.
pub fn run(cmd: &mut Command) -> crate::error::Result<ExitStatus> {
    cmd.status().map_err(|e| Error::failed(format!("running {}: {e}", cmd.get_program().to_string_lossy())))
}

fn raise_default(sig: i32) {
    unsafe extern "C" {
        fn signal(sig: i32, handler: usize) -> usize;
        fn raise(sig: i32) -> i32;
    }
    const SIG_DFL: usize = 0;
    // SAFETY: resetting a signal to its default disposition and raising it
    // are async-signal-safe libc calls with no memory effects; if the signal
    // does not end the process, the caller exits with 128+sig.
    unsafe {
        signal(sig, SIG_DFL);
        raise(sig);
    }
}
