//! Not a stage: a test oracle for emit's output, shared by tests/fly_toml, the
//! property tests and the fuzzer (`exercise`). fly.toml as flyctl decodes it
//! (`internal/appconfig/config.go` and friends), strict: unknown keys are refused, and so are the value forms flyctl reads
//! differently from what they look like (a bare number as a duration is
//! nanoseconds in some places, a string port fails in others).

// The fields exist so that decoding checks their names and types; most are
// never read afterwards.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// Decodes a fly.toml, refusing anything flyctl would not read as written.
pub fn decode(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
    config.validate()?;
    Ok(config)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub app: String,
    pub primary_region: Option<String>,
    pub kill_signal: Option<String>,
    pub kill_timeout: Option<GoDuration>,
    pub swap_size_mb: Option<i64>,
    pub console_command: Option<String>,
    /// A string starting with `{` (JSON) or a path ending in `.json`
    /// (`config.ParseConfig`).
    pub machine_config: Option<String>,
    pub experimental: Option<Experimental>,
    pub build: Option<Build>,
    pub deploy: Option<Deploy>,
    pub env: Option<BTreeMap<String, String>>,
    pub processes: Option<BTreeMap<String, String>>,
    pub http_service: Option<HttpService>,
    pub services: Option<Vec<Service>>,
    pub checks: Option<BTreeMap<String, TopLevelCheck>>,
    pub mounts: Option<Vec<Mount>>,
    pub vm: Option<Vec<Compute>>,
    pub statics: Option<Vec<Static>>,
    pub metrics: Option<Vec<Metrics>>,
    pub restart: Option<Vec<Restart>>,
    pub files: Option<Vec<File>>,
}

/// `[experimental]` (appconfig.Experimental): the start command. flyctl also
/// reads a bare string as a one-word list (`stringOrSliceToSlice`); flyx
/// writes lists only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experimental {
    pub entrypoint: Option<Vec<String>>,
    pub exec: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Build {
    pub builder: Option<String>,
    pub buildpacks: Option<Vec<String>>,
    pub image: Option<String>,
    pub dockerfile: Option<String>,
    pub ignorefile: Option<String>,
    #[serde(rename = "build-target")]
    pub build_target: Option<String>,
    pub args: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    pub strategy: Option<String>,
    pub release_command: Option<String>,
    pub release_command_timeout: Option<GoDuration>,
    pub wait_timeout: Option<GoDuration>,
    pub max_unavailable: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpService {
    pub internal_port: Option<i64>,
    pub force_https: Option<bool>,
    pub auto_stop_machines: Option<AutoStop>,
    pub auto_start_machines: Option<bool>,
    pub min_machines_running: Option<i64>,
    pub processes: Option<Vec<String>>,
    pub concurrency: Option<Concurrency>,
    pub tls_options: Option<TlsOptions>,
    pub http_options: Option<HttpOptions>,
    pub checks: Option<Vec<ServiceHttpCheck>>,
}

/// `auto_stop_machines`: a boolean or `off`/`stop`/`suspend` (fly-go MachineAutostop).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AutoStop {
    Bool(bool),
    Word(String),
}

impl AutoStop {
    pub fn as_str(&self) -> &str {
        match self {
            AutoStop::Bool(true) => "stop",
            AutoStop::Bool(false) => "off",
            AutoStop::Word(w) => w,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concurrency {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub hard_limit: Option<i64>,
    pub soft_limit: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsOptions {
    pub alpn: Option<Vec<String>>,
    pub versions: Option<Vec<String>>,
    pub default_self_signed: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpOptions {
    pub compress: Option<bool>,
    pub h2_backend: Option<bool>,
    pub idle_timeout: Option<u32>,
    pub headers_read_timeout: Option<u32>,
    pub response: Option<HttpResponse>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpResponse {
    pub pristine: Option<bool>,
    pub headers: Option<BTreeMap<String, toml::Value>>,
}

/// `[[http_service.checks]]` and `[[services.http_checks]]` (ServiceHTTPCheck).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceHttpCheck {
    pub interval: Option<GoDuration>,
    pub timeout: Option<GoDuration>,
    pub grace_period: Option<GoDuration>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub protocol: Option<String>,
    pub tls_skip_verify: Option<bool>,
    pub tls_server_name: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
}

/// `[[services.tcp_checks]]` (ServiceTCPCheck).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTcpCheck {
    pub interval: Option<GoDuration>,
    pub timeout: Option<GoDuration>,
    pub grace_period: Option<GoDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub protocol: String,
    pub internal_port: i64,
    pub auto_stop_machines: Option<AutoStop>,
    pub auto_start_machines: Option<bool>,
    pub min_machines_running: Option<i64>,
    pub processes: Option<Vec<String>>,
    pub concurrency: Option<Concurrency>,
    pub ports: Vec<MachinePort>,
    pub tcp_checks: Option<Vec<ServiceTcpCheck>>,
    pub http_checks: Option<Vec<ServiceHttpCheck>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachinePort {
    pub port: i64,
    pub handlers: Option<Vec<String>>,
    pub force_https: Option<bool>,
    /// fly-go's `MachinePort.TLSOptions`, the same type as `http_service`'s.
    pub tls_options: Option<TlsOptions>,
    /// fly-go's `MachinePort.HTTPOptions`.
    pub http_options: Option<HttpOptions>,
}

/// `[checks.NAME]` (ToplevelCheck).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopLevelCheck {
    #[serde(rename = "type")]
    pub kind: String,
    pub port: Option<i64>,
    pub interval: Option<GoDuration>,
    pub timeout: Option<GoDuration>,
    pub grace_period: Option<GoDuration>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub protocol: Option<String>,
    pub tls_skip_verify: Option<bool>,
    pub tls_server_name: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
    pub processes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    pub source: String,
    pub destination: String,
    pub initial_size: Option<VolumeSize>,
    pub snapshot_retention: Option<i64>,
    pub scheduled_snapshots: Option<bool>,
    pub auto_extend_size_threshold: Option<i64>,
    /// A string only: flyctl refuses an integer here.
    pub auto_extend_size_increment: Option<String>,
    /// A string only: flyctl refuses an integer here.
    pub auto_extend_size_limit: Option<String>,
    pub processes: Option<Vec<String>>,
}

/// `[[vm]]` (Compute).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compute {
    pub size: Option<String>,
    pub memory: Option<Memory>,
    pub cpus: Option<i64>,
    pub cpu_kind: Option<String>,
    pub processes: Option<Vec<String>>,
}

/// `memory`: an integer of MB, or a size string in binary units.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Memory {
    Megabytes(i64),
    Text(String),
}

impl Memory {
    pub fn megabytes(&self) -> i64 {
        match self {
            Memory::Megabytes(n) => *n,
            Memory::Text(t) => parse_size(t, 1024).unwrap_or(-1),
        }
    }
}

/// `initial_size`: an integer of GB, or a size string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum VolumeSize {
    Gigabytes(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Static {
    pub guest_path: String,
    pub url_prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    pub port: i64,
    pub path: String,
    pub https: Option<bool>,
    pub processes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restart {
    pub policy: String,
    pub retries: Option<i64>,
    pub processes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub guest_path: String,
    pub local_path: Option<String>,
    pub secret_name: Option<String>,
    pub raw_value: Option<String>,
    pub processes: Option<Vec<String>>,
}

/// A duration written as a Go duration string (`"30s"`, `"1m30s"`). A bare
/// number is refused: flyctl reads it as seconds, milliseconds or nanoseconds
/// depending on the key.
#[derive(Debug)]
pub struct GoDuration(pub String);

impl std::ops::Deref for GoDuration {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for GoDuration {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if is_go_duration(&text) {
            Ok(GoDuration(text))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{text}` is not a Go duration"
            )))
        }
    }
}

/// Whether `time.ParseDuration` accepts `text` (without the sign).
pub fn is_go_duration(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_end == 0 {
            return false;
        }
        rest = &rest[number_end..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(*u))
            .max_by_key(|u| u.len());
        match unit {
            Some(unit) => rest = &rest[unit.len()..],
            None => return false,
        }
    }
    true
}

/// `"512mb"` or `"2gb"` in units of `base` (1024 for memory).
fn parse_size(text: &str, base: i64) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let digits_end = lower.find(|c: char| !c.is_ascii_digit())?;
    let amount: i64 = lower[..digits_end].parse().ok()?;
    match &lower[digits_end..] {
        "mb" => Some(amount),
        "gb" => Some(amount * base),
        _ => None,
    }
}

impl Config {
    /// The checks flyctl's `Validate` and `ValidateGroups` make (appconfig/validation.go).
    fn validate(&self) -> Result<(), String> {
        if let Some(machine_config) = &self.machine_config
            && !machine_config.starts_with('{')
            && !machine_config.ends_with(".json")
        {
            return Err(format!("invalid machine config source: {machine_config:?}"));
        }
        if let Some(deploy) = &self.deploy {
            if let Some(strategy) = &deploy.strategy
                && !["canary", "rolling", "immediate", "bluegreen"].contains(&strategy.as_str())
            {
                return Err(format!("unknown strategy `{strategy}`"));
            }
            if deploy.strategy.as_deref() == Some("canary") && self.mounts.is_some() {
                return Err("canary deploys cannot use mounts".into());
            }
        }
        let groups: Vec<&str> = match &self.processes {
            Some(processes) => processes.keys().map(String::as_str).collect(),
            None => vec!["app"],
        };
        let declared = self.processes.is_some();
        let service_processes = self
            .http_service
            .iter()
            .map(|h| &h.processes)
            .chain(self.services.iter().flatten().map(|s| &s.processes));
        for processes in service_processes {
            match processes {
                None if declared => {
                    return Err("a service lists no processes although [processes] exists".into());
                }
                Some(list) if list.iter().any(|p| !groups.contains(&p.as_str())) => {
                    return Err(format!(
                        "a service names an unknown process group: {list:?}"
                    ));
                }
                _ => {}
            }
        }
        if let Some(checks) = &self.checks {
            for (name, check) in checks {
                if !["http", "tcp"].contains(&check.kind.as_str()) {
                    return Err(format!("check {name} has type {}", check.kind));
                }
                if let Some(interval) = &check.interval
                    && duration_millis(interval).is_some_and(|ms| ms < 2000)
                {
                    return Err(format!("check {name} interval under 2s"));
                }
                if let Some(timeout) = &check.timeout
                    && duration_millis(timeout).is_some_and(|ms| ms > 60_000)
                {
                    return Err(format!("check {name} timeout over 60s"));
                }
                if check.port.is_none() && self.http_service.is_none() {
                    return Err(format!(
                        "check {name} has no port and there is no http_service"
                    ));
                }
            }
        }
        if let Some(mounts) = &self.mounts {
            for group in &groups {
                let mounting = mounts
                    .iter()
                    .filter(|m| match &m.processes {
                        Some(list) => list.iter().any(|p| p == group),
                        None => *group == groups[0] || *group == "app",
                    })
                    .count();
                if mounting > 1 {
                    return Err(format!(
                        "group '{group}' has more than one [[mounts]] section defined"
                    ));
                }
            }
            for mount in mounts {
                if let Some(retention) = mount.snapshot_retention
                    && !(1..=60).contains(&retention)
                {
                    return Err("snapshot_retention outside 1..60".into());
                }
                let extend = [
                    mount.auto_extend_size_threshold.is_some(),
                    mount.auto_extend_size_increment.is_some(),
                    mount.auto_extend_size_limit.is_some(),
                ];
                if extend.iter().any(|b| *b) && !(extend[0] && extend[1]) {
                    return Err("auto_extend needs threshold and increment".into());
                }
            }
        }
        for restart in self.restart.iter().flatten() {
            if !["always", "never", "on-failure"].contains(&restart.policy.as_str()) {
                return Err(format!("restart policy {}", restart.policy));
            }
        }
        for vm in self.vm.iter().flatten() {
            if let Some(memory) = &vm.memory
                && memory.megabytes() <= 0
            {
                return Err("vm memory must be a positive size".into());
            }
        }
        Ok(())
    }
}

fn duration_millis(text: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: u64 = rest[..end].parse().ok()?;
        rest = &rest[end..];
        let (scale, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('s') {
            (1000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else {
            return None;
        };
        total += n * scale;
        rest = &rest[len..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert!(is_go_duration("30s"));
        assert!(is_go_duration("1m30s"));
        assert!(is_go_duration("500ms"));
        assert!(is_go_duration("1.5s"));
        assert!(is_go_duration("0"));
        assert!(!is_go_duration("10"));
        assert!(!is_go_duration("5d"));
        assert!(!is_go_duration(""));
    }

    #[test]
    fn bare_numbers_are_refused_where_flyctl_misreads_them() {
        assert!(decode("app = \"a\"\n[[http_service.checks]]\ninterval = 10000\n").is_err());
        assert!(decode("app = \"a\"\n[http_service]\ninternal_port = \"8080\"\n").is_err());
        assert!(decode("app = \"a\"\n[[mounts]]\nsource = \"d\"\ndestination = \"/d\"\nauto_extend_size_threshold = 80\nauto_extend_size_increment = 1\n").is_err());
        assert!(decode("app = \"a\"\nunknown_key = 1\n").is_err());
        assert!(decode("app = \"a\"\n[http_service]\ninternal_port = 8080\n").is_ok());
    }
}
