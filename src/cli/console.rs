//! Command line: writing to stdout and stderr without panicking when the
//! reader has gone (`flyx check --format json | head` closes the pipe early).

use std::io::Write;

/// Writes text to stdout; a closed pipe is not an error of the input.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes text to stderr, ignoring a closed stream in the same way.
pub fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
