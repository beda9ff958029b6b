//! Import, reading: durations and sizes as flyctl reads them, per field.
//!
//! A TOML integer is a duration in the unit flyctl's patches give that field
//! (`internal/appconfig/patches.go`): seconds for top-level `kill_timeout`
//! (`patchTopFields`), milliseconds for `[[services.*_checks]]`
//! (`_patchService`) and `[checks.*]` (`patchTopLevelChecks`), and nanoseconds
//! everywhere else, where fly-go's `Duration.UnmarshalJSON` takes the JSON
//! number as a `time.Duration`. A string is Go's `time.ParseDuration`.

use super::tree::{Kind, Node};

/// The unit an integer is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntUnit {
    /// Top-level `kill_timeout`.
    Seconds,
    /// `[[services]]` checks and top-level `[checks]`.
    Millis,
    /// fly-go's `Duration` read from a JSON number.
    Nanos,
}

/// A duration in nanoseconds, or why it is not one.
pub fn duration_nanos(node: &Node, unit: IntUnit) -> Result<i128, String> {
    match &node.kind {
        Kind::Int(n) => Ok(i128::from(*n)
            * match unit {
                IntUnit::Seconds => 1_000_000_000,
                IntUnit::Millis => 1_000_000,
                IntUnit::Nanos => 1,
            }),
        // A float is cut to a whole number first (`time.Duration(f)` in
        // `patches.go: _castDuration`), as every JSON number is.
        Kind::Float(f) if f.is_finite() && f.abs() < 1e15 => Ok(f.trunc() as i128
            * match unit {
                IntUnit::Seconds => 1_000_000_000,
                IntUnit::Millis => 1_000_000,
                IntUnit::Nanos => 1,
            }),
        Kind::Str(text) => go_duration(text),
        _ => Err("a duration must be a string like \"10s\" or a number".into()),
    }
}

/// Go's `time.ParseDuration`: `"1m30s"`, `"1.5s"`, `"300ms"`, `"0"`.
pub fn go_duration(text: &str) -> Result<i128, String> {
    let bad = || format!("`{text}` is not a duration (Go's units are ns, us, ms, s, m, h)");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if number_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..number_len].parse().map_err(|_| bad())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    let nanos = total.round() as i128;
    Ok(if negative { -nanos } else { nanos })
}

/// A duration as flyx writes it: whole milliseconds, in the largest units
/// that divide it (`1m30s`, `500ms`, `0s`).
pub fn flyx_duration(nanos: i128) -> String {
    let mut ms = (nanos.max(0) + 500_000) / 1_000_000;
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

/// `[[vm]] memory` in MB: an integer or a digits-only string is MB, else
/// docker's `RAMInBytes` (binary units) (`helpers/units.go: ParseSize`).
pub fn memory_mb(node: &Node) -> Result<i64, String> {
    match &node.kind {
        Kind::Int(n) => Ok(*n),
        Kind::Str(text) => human_size(text, 1024.0).map(|bytes| (bytes / (1024.0 * 1024.0)) as i64),
        _ => Err("memory must be a number of MB or a string like \"512mb\"".into()),
    }
}

/// A volume size in GB: an integer is GB, a string is decimal
/// (`units.FromHumanSize` over 1e9).
pub fn volume_gb(node: &Node) -> Result<i64, String> {
    match &node.kind {
        Kind::Int(n) => Ok(*n),
        Kind::Str(text) => human_size(text, 1000.0).map(|bytes| (bytes / 1e9) as i64),
        _ => Err("a volume size must be a number of GB or a string like \"10gb\"".into()),
    }
}

/// `"512mb"`, `"1GB"`, `"2048"` (bytes when no unit for a human size; MB for
/// memory, handled by the caller): bytes, with `base` 1024 or 1000.
fn human_size(text: &str, base: f64) -> Result<f64, String> {
    let bad = || format!("`{text}` is not a size");
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let number: f64 = trimmed[..split].parse().map_err(|_| bad())?;
    let unit = trimmed[split..].trim().to_ascii_lowercase();
    if unit.is_empty() && base == 1024.0 {
        // A digits-only memory string is MB.
        return Ok(number * 1024.0 * 1024.0);
    }
    let power = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        _ => return Err(bad()),
    };
    Ok(number * base.powi(power))
}

/// A size as flyx writes it: `1gb` for whole GB, else `512mb`.
pub fn flyx_megabytes(mb: i64) -> String {
    if mb > 0 && mb % 1024 == 0 {
        format!("{}gb", mb / 1024)
    } else {
        format!("{mb}mb")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_become_flyx_durations() {
        assert_eq!(flyx_duration(go_duration("1m30s").unwrap()), "1m30s");
        assert_eq!(flyx_duration(go_duration("1.5s").unwrap()), "1s500ms");
        assert_eq!(flyx_duration(go_duration("0").unwrap()), "0s");
        assert!(go_duration("10").is_err());
        assert!(go_duration("1d").is_err());
    }

    #[test]
    fn integers_take_their_fields_unit() {
        let node = |n| Node {
            kind: Kind::Int(n),
            span: (0, 0),
            key_span: (0, 0),
        };
        assert_eq!(
            duration_nanos(&node(30), IntUnit::Seconds),
            Ok(30_000_000_000)
        );
        assert_eq!(
            duration_nanos(&node(5000), IntUnit::Millis),
            Ok(5_000_000_000)
        );
        assert_eq!(duration_nanos(&node(5000), IntUnit::Nanos), Ok(5000));
    }

    #[test]
    fn sizes_read_as_flyctl_does() {
        let text = |s: &str| Node {
            kind: Kind::Str(s.into()),
            span: (0, 0),
            key_span: (0, 0),
        };
        assert_eq!(memory_mb(&text("1gb")), Ok(1024));
        assert_eq!(memory_mb(&text("2048")), Ok(2048));
        assert_eq!(volume_gb(&text("30gb")), Ok(30));
        assert_eq!(flyx_megabytes(2048), "2gb");
        assert_eq!(flyx_megabytes(768), "768mb");
    }
}
