//! Fly.io facts the compiler must know: regions, machine presets, memory limits
//! and naming rules. Sources are cited in `../shared/reference/flytoml.md`.

/// The current regions (Fly's docs, `reference/regions`).
pub const REGIONS: &[&str] = &[
    "ams", "arn", "bom", "cdg", "dfw", "ewr", "fra", "gru", "iad", "jnb", "lax", "lhr", "nrt",
    "ord", "sin", "sjc", "syd", "yyz",
];

/// Deprecated region codes and the region that replaced each
/// (flyctl `deprecatedRegionReplacements`).
pub const DEPRECATED_REGIONS: &[(&str, &str)] = &[
    ("atl", "dfw"),
    ("bog", "gru"),
    ("bos", "ewr"),
    ("den", "dfw"),
    ("eze", "gru"),
    ("gdl", "dfw"),
    ("gig", "gru"),
    ("hkg", "sin"),
    ("mad", "cdg"),
    ("mia", "dfw"),
    ("otp", "fra"),
    ("phx", "lax"),
    ("qro", "dfw"),
    ("scl", "gru"),
    ("sea", "sjc"),
    ("waw", "ams"),
    ("yul", "yyz"),
];

/// The regions that offer Managed Postgres (https://fly.io/docs/mpg/overview/,
/// 2025-12-15; `fly mpg create` asks the API and refuses any other).
pub const MPG_REGIONS: &[&str] = &[
    "ams", "fra", "gru", "iad", "lax", "lhr", "nrt", "ord", "sin", "sjc", "syd", "yyz",
];

/// The Postgres major versions `fly mpg create --pg-major-version` accepts.
pub const MPG_VERSIONS: &[u32] = &[16, 17];

/// A current Fly region code, e.g. `sjc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(&'static str);

impl Region {
    /// The region with this code, if it is a current one.
    pub fn parse(code: &str) -> Option<Region> {
        REGIONS.iter().find(|r| **r == code).map(|r| Region(r))
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// The region that replaced a deprecated code.
pub fn replacement_region(code: &str) -> Option<&'static str> {
    DEPRECATED_REGIONS
        .iter()
        .find(|(old, _)| *old == code)
        .map(|(_, new)| *new)
}

/// Shared or performance CPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CpuKind {
    /// `shared`
    Shared,
    /// `performance`
    Performance,
}

impl CpuKind {
    /// As fly.toml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CpuKind::Shared => "shared",
            CpuKind::Performance => "performance",
        }
    }

    /// Fly's memory limits per CPU, in MB (fly-go `MIN/MAX_MEMORY_MB_PER_*`).
    pub fn memory_per_cpu(self) -> (u64, u64) {
        match self {
            CpuKind::Shared => (256, 2048),
            CpuKind::Performance => (2048, 8192),
        }
    }
}

/// A machine preset (fly-go `MachinePresets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// The name fly.toml's `[[vm]] size` takes.
    pub name: &'static str,
    /// Shared or performance.
    pub cpu_kind: CpuKind,
    /// Number of CPUs.
    pub cpus: u32,
    /// Memory when none is given, in MB.
    pub memory_mb: u64,
}

const fn preset(name: &'static str, cpu_kind: CpuKind, cpus: u32, memory_mb: u64) -> Preset {
    Preset {
        name,
        cpu_kind,
        cpus,
        memory_mb,
    }
}

/// Every CPU preset. GPU presets are left out: flyctl says GPU Machines are no
/// longer supported.
pub const PRESETS: &[Preset] = &[
    preset("shared-cpu-1x", CpuKind::Shared, 1, 256),
    preset("shared-cpu-2x", CpuKind::Shared, 2, 512),
    preset("shared-cpu-4x", CpuKind::Shared, 4, 1024),
    preset("shared-cpu-6x", CpuKind::Shared, 6, 1536),
    preset("shared-cpu-8x", CpuKind::Shared, 8, 2048),
    preset("performance-1x", CpuKind::Performance, 1, 2048),
    preset("performance-2x", CpuKind::Performance, 2, 4096),
    preset("performance-4x", CpuKind::Performance, 4, 8192),
    preset("performance-6x", CpuKind::Performance, 6, 12288),
    preset("performance-8x", CpuKind::Performance, 8, 16384),
    preset("performance-10x", CpuKind::Performance, 10, 20480),
    preset("performance-12x", CpuKind::Performance, 12, 24576),
    preset("performance-14x", CpuKind::Performance, 14, 28672),
    preset("performance-16x", CpuKind::Performance, 16, 32768),
];

/// The GPU preset names, recognised only to explain that they are gone.
pub const GPU_PRESETS: &[&str] = &["a100-40gb", "a100-80gb", "l40s", "a10"];

/// The preset flyctl uses when none is given.
pub const DEFAULT_PRESET: &str = "shared-cpu-1x";

/// The preset with this name.
pub fn preset_named(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Memory must be a multiple of this many MB.
pub const MEMORY_STEP_MB: u64 = 256;

/// Longest app name Fly accepts (a DNS label).
pub const MAX_APP_NAME: usize = 63;

/// Why an app name is not valid, if it is not: lowercase letters, digits and
/// dashes, starting with a letter, not ending with a dash, at most 63 characters.
pub fn app_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_APP_NAME {
        return Some(format!(
            "it is {} characters long; Fly allows at most {MAX_APP_NAME}",
            name.len()
        ));
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("it has uppercase letters; app names are lowercase".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "it contains `{c}`; app names use lowercase letters, digits and dashes"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("it must start with a lowercase letter".into());
    }
    if name.ends_with('-') {
        return Some("it must not end with a dash".into());
    }
    None
}

/// Why a secret or environment variable name is not valid: `[A-Z_][A-Z0-9_]*`.
pub fn secret_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.chars().any(|c| c.is_ascii_lowercase()) {
        return Some("it has lowercase letters; secret names are uppercase".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Some(format!(
            "it contains `{c}`; secret names use uppercase letters, digits and `_`"
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("it must not start with a digit".into());
    }
    if name.starts_with("FLY_") {
        return Some("names starting with `FLY_` are reserved by Fly".into());
    }
    None
}

/// The variables Fly sets on every machine, over an `[env]` value of the same
/// name: the platform's (Fly's docs, "The Machine Runtime Environment") and
/// `FLY_PROCESS_GROUP`, which flyctl writes into each machine's config
/// (`internal/appconfig/machines.go`, `mConfig.Env["FLY_PROCESS_GROUP"]`).
/// Any other `FLY_*` name is the app's own: flyctl passes `[env]` through.
pub const MACHINE_ENV: &[&str] = &[
    "FLY_ALLOC_ID",
    "FLY_APP_NAME",
    "FLY_IMAGE_REF",
    "FLY_MACHINE_ID",
    "FLY_MACHINE_VERSION",
    "FLY_PRIVATE_IP",
    "FLY_PROCESS_GROUP",
    "FLY_PUBLIC_IP",
    "FLY_REGION",
    "FLY_VM_MEMORY_MB",
];

/// Why an `[env]` name cannot be set on a machine. flyctl takes `[env]` as a
/// `map[string]string` and checks no name, so every name a process
/// environment can hold is accepted (`.NET`'s `Logging__LogLevel__Default`,
/// dashed names, lowercase), except the ones Fly overwrites.
pub fn env_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("an environment variable needs a name".into());
    }
    if name.contains('=') {
        return Some(
            "a process environment holds `NAME=value` strings, so a name cannot contain `=`".into(),
        );
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!(
            "a process environment cannot hold a name with the control character {c:?}"
        ));
    }
    if MACHINE_ENV.contains(&name) {
        return Some(format!(
            "Fly sets `{name}` on every machine and overwrites this value; read it at run time instead"
        ));
    }
    if name == "PRIMARY_REGION" {
        return Some(
            "flyctl sets `PRIMARY_REGION` on every machine from `primary_region` (the service's `region`) and overwrites this value; set `region` instead"
                .into(),
        );
    }
    None
}

/// Whether a name can be a shell variable, `[A-Za-z_][A-Za-z0-9_]*`: what a
/// Dockerfile's `$NAME` substitution and the build's shell can read.
pub fn is_shell_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Longest volume name Fly accepts.
pub const MAX_VOLUME_NAME: usize = 30;

/// Why a volume name is not valid: lowercase letters, digits and `_`, at most 30.
pub fn volume_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_VOLUME_NAME {
        return Some(format!(
            "it is {} characters long; Fly allows at most {MAX_VOLUME_NAME}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Some(format!(
            "it contains `{c}`; volume names use lowercase letters, digits and `_`"
        ));
    }
    None
}

/// Longest hostname DNS allows, in characters.
pub const MAX_HOSTNAME: usize = 253;

/// Why a custom domain cannot be given to `fly certs add`, or `None` when it
/// can: lowercase DNS labels (letters, digits, inner dashes, at most 63
/// characters each), at least two of them, a wildcard `*` only as the whole
/// leftmost label, and nothing under `fly.dev`, which Fly's own certificate
/// already covers.
pub fn hostname_problem(host: &str) -> Option<String> {
    if host.contains("://") {
        return Some("a hostname has no scheme: leave out `https://`".into());
    }
    if let Some(c) = host
        .chars()
        .find(|c| matches!(c, '/' | ':' | '?' | '#' | ' '))
    {
        return Some(format!(
            "a hostname has no port, path or spaces, and this one has `{c}`"
        ));
    }
    if host.len() > MAX_HOSTNAME {
        return Some(format!("a hostname is at most {MAX_HOSTNAME} characters"));
    }
    if host.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("write the hostname in lowercase".into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Some("a custom domain has at least one dot, like `example.com`".into());
    }
    for (i, label) in labels.iter().enumerate() {
        if let Some(problem) = label_problem(label, i == 0) {
            return Some(problem);
        }
    }
    let base = host.strip_prefix("*.").unwrap_or(host);
    if base == "fly.dev" || base.ends_with(".fly.dev") {
        return Some(
            "names under `fly.dev` belong to Fly: every app has `<app>.fly.dev` already".into(),
        );
    }
    if host.starts_with("*.") && labels.len() < 3 {
        return Some("a wildcard covers the names under a domain, like `*.example.com`".into());
    }
    None
}

/// What is wrong with one label of a hostname, if anything.
fn label_problem(label: &str, leftmost: bool) -> Option<String> {
    if label.is_empty() {
        return Some(
            "a hostname has no empty labels (two dots in a row, or a dot at an end)".into(),
        );
    }
    if label == "*" {
        return (!leftmost).then(|| "a wildcard `*` may only be the leftmost label".into());
    }
    if label.contains('*') {
        return Some("a wildcard `*` is a whole label, the leftmost: `*.example.com`".into());
    }
    if label.len() > 63 {
        return Some(format!("the label `{label}` is longer than 63 characters"));
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "`{c}` cannot be in a hostname: labels are letters, digits and dashes"
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Some(format!("the label `{label}` starts or ends with a dash"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_current_codes_only() {
        assert_eq!(REGIONS.len(), 18);
        assert!(Region::parse("sjc").is_some());
        assert!(Region::parse("sea").is_none());
        assert_eq!(replacement_region("sea"), Some("sjc"));
    }

    #[test]
    fn app_names() {
        assert_eq!(app_name_problem("drop-api"), None);
        assert!(app_name_problem("Drop").is_some());
        assert!(app_name_problem("1drop").is_some());
        assert!(app_name_problem("drop-").is_some());
        assert!(app_name_problem(&"a".repeat(64)).is_some());
    }

    #[test]
    fn env_names_are_what_flyctl_passes_through() {
        for name in [
            "PORT",
            "Logging__LogLevel__Default",
            "Services__identity-svc__http__0",
            "Logging:LogLevel",
            "lower_case",
            "1ST",
            "FLY_ORG",
            "FLY_SANDBOX_APP_NAME",
        ] {
            assert_eq!(env_name_problem(name), None, "{name}");
        }
    }

    #[test]
    fn env_names_fly_overwrites_or_a_process_cannot_hold_are_refused() {
        for name in [
            "FLY_REGION",
            "FLY_PROCESS_GROUP",
            "FLY_APP_NAME",
            "PRIMARY_REGION",
        ] {
            let problem = env_name_problem(name).unwrap_or_default();
            assert!(problem.contains("overwrites"), "{name}: {problem}");
        }
        for name in ["", "A=B", "A\nB", "A\u{0}B"] {
            assert!(env_name_problem(name).is_some(), "{name:?}");
        }
    }

    #[test]
    fn shell_names() {
        assert!(is_shell_name("NEXT_PUBLIC_API_URL"));
        assert!(is_shell_name("_x1"));
        assert!(!is_shell_name("Services__a-b"));
        assert!(!is_shell_name("1X"));
        assert!(!is_shell_name("a:b"));
        assert!(!is_shell_name(""));
    }

    #[test]
    fn secret_names() {
        assert_eq!(secret_name_problem("API_SECRET_KEY"), None);
        assert_eq!(secret_name_problem("_X1"), None);
        assert!(secret_name_problem("api_key").is_some());
        assert!(secret_name_problem("1KEY").is_some());
        assert!(secret_name_problem("FLY_TOKEN").is_some());
    }

    #[test]
    fn volume_names() {
        assert_eq!(volume_name_problem("nats_data"), None);
        assert!(volume_name_problem("nats-data").is_some());
        assert!(volume_name_problem(&"v".repeat(31)).is_some());
    }

    #[test]
    fn hostnames_fly_can_issue_a_certificate_for() {
        for good in [
            "example.com",
            "api.ampel.example.com",
            "*.example.com",
            "a-1.b2.io",
        ] {
            assert_eq!(super::hostname_problem(good), None, "{good}");
        }
        for bad in [
            "localhost",
            "https://example.com",
            "example.com:443",
            "example.com/x",
            "Example.com",
            "a..b",
            "-a.com",
            "a.*.com",
            "*a.com",
            "*.com",
            "app.fly.dev",
            "fly.dev",
            "*.fly.dev",
            "a_b.com",
        ] {
            assert!(super::hostname_problem(bad).is_some(), "{bad}");
        }
    }
}
