//! Any bytes through `flyx fmt`'s formatter: never a panic, and for input that
//! parses the output parses too, keeps every comment and is already formatted.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(formatted) = flyx::format::format_source("fuzz.flyx", text) else {
        return;
    };
    let again = flyx::format::format_source("fuzz.flyx", &formatted).expect("the output parses");
    assert_eq!(formatted, again, "formatting is idempotent");
    let comments = |t: &str| {
        let (sources, file) = flyx::source::Sources::single("fuzz.flyx", t);
        flyx::syntax::parse(&sources, file).map(|f| f.comments.len()).ok()
    };
    assert_eq!(comments(text), comments(&formatted), "every comment is kept");
});
