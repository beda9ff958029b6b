//! Prints a synthetic `.flyx` stack of N services:
//! `cargo run --release --example synth -- 1000 > /tmp/synth.flyx`.

#[path = "../benches/synth/mod.rs"]
mod synth;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(100);
    print!("{}", synth::stack(n));
}
