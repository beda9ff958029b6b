//! The standard library: `.flyx` modules built into the binary, so `use nats`
//! works from an installed `flyx` with no checkout of `stdlib/`.

/// Every stdlib module: its name in `use NAME`, and its text.
pub const MODULES: &[(&str, &str)] = &[
    ("go", include_str!("../stdlib/go.flyx")),
    ("nats", include_str!("../stdlib/nats.flyx")),
    ("node", include_str!("../stdlib/node.flyx")),
    ("postgres", include_str!("../stdlib/postgres.flyx")),
    ("python", include_str!("../stdlib/python.flyx")),
    ("redis", include_str!("../stdlib/redis.flyx")),
    ("restate", include_str!("../stdlib/restate.flyx")),
    ("rust", include_str!("../stdlib/rust.flyx")),
    ("static-site", include_str!("../stdlib/static-site.flyx")),
];

/// The text of stdlib module `name`.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The name a stdlib module's file is shown under in diagnostics.
pub fn file_name(name: &str) -> String {
    format!("<stdlib>/{name}.flyx")
}
