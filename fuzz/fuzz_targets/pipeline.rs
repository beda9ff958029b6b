//! Any bytes through the whole pipeline: parse, expand, lower, check every
//! environment, render the diagnostics, emit every file and every drawing.
//! Whatever the input, flyx must answer with a model or diagnostics: a panic,
//! a hang or a crash is a bug. A stack that checks must also build, and each
//! fly.toml must pass the flyctl rules (`flyx::flyctl_rules`); `everything`
//! asserts both.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // flyx reads UTF-8 only; other bytes are refused before parsing (E0403).
    if let Ok(text) = std::str::from_utf8(data) {
        flyx::exercise::everything(text);
    }
});
