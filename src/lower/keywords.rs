//! The fixed word sets attributes take, and how each is spelled.

use super::values::Keyword;
use crate::fly::CpuKind;
use crate::model::{
    AutoStop, CheckKind, ConcurrencyKind, Handler, PackageManager, Protocol, PythonInstaller,
    RestartPolicy, Runtime, Strategy, Via,
};

impl Keyword for Strategy {
    const WHAT: &'static str = "a deploy strategy";
    const ALL: &'static [(&'static str, Self)] = &[
        ("rolling", Strategy::Rolling),
        ("immediate", Strategy::Immediate),
        ("canary", Strategy::Canary),
        ("bluegreen", Strategy::Bluegreen),
    ];
}

impl Keyword for AutoStop {
    const WHAT: &'static str = "an auto-stop mode";
    const ALL: &'static [(&'static str, Self)] = &[
        ("off", AutoStop::Off),
        ("stop", AutoStop::Stop),
        ("suspend", AutoStop::Suspend),
    ];
}

impl Keyword for Protocol {
    const WHAT: &'static str = "a protocol";
    const ALL: &'static [(&'static str, Self)] = &[("tcp", Protocol::Tcp), ("udp", Protocol::Udp)];
}

impl Keyword for Handler {
    const WHAT: &'static str = "a proxy handler";
    const ALL: &'static [(&'static str, Self)] = &[
        ("http", Handler::Http),
        ("tls", Handler::Tls),
        ("proxy_proto", Handler::ProxyProto),
        ("pg_tls", Handler::PgTls),
        ("edge_http", Handler::EdgeHttp),
    ];
}

impl Keyword for CheckKind {
    const WHAT: &'static str = "a check type";
    const ALL: &'static [(&'static str, Self)] =
        &[("http", CheckKind::Http), ("tcp", CheckKind::Tcp)];
}

impl Keyword for ConcurrencyKind {
    const WHAT: &'static str = "a concurrency type";
    const ALL: &'static [(&'static str, Self)] = &[
        ("connections", ConcurrencyKind::Connections),
        ("requests", ConcurrencyKind::Requests),
    ];
}

impl Keyword for RestartPolicy {
    const WHAT: &'static str = "a restart policy";
    const ALL: &'static [(&'static str, Self)] = &[
        ("always", RestartPolicy::Always),
        ("never", RestartPolicy::Never),
        ("on-failure", RestartPolicy::OnFailure),
    ];
}

impl Keyword for CpuKind {
    const WHAT: &'static str = "a CPU kind";
    const ALL: &'static [(&'static str, Self)] = &[
        ("shared", CpuKind::Shared),
        ("performance", CpuKind::Performance),
    ];
}

impl Keyword for Via {
    const WHAT: &'static str = "a private network path";
    const ALL: &'static [(&'static str, Self)] =
        &[("flycast", Via::Flycast), ("internal", Via::Internal)];
}

impl Keyword for Runtime {
    const WHAT: &'static str = "a runtime";
    const ALL: &'static [(&'static str, Self)] = &[
        ("rust", Runtime::Rust),
        ("node", Runtime::Node),
        ("python", Runtime::Python),
        ("go", Runtime::Go),
        ("static", Runtime::Static),
    ];
}

impl Keyword for PackageManager {
    const WHAT: &'static str = "a package manager";
    const ALL: &'static [(&'static str, Self)] = &[
        ("npm", PackageManager::Npm),
        ("pnpm", PackageManager::Pnpm),
        ("yarn", PackageManager::Yarn),
    ];
}

impl Keyword for PythonInstaller {
    const WHAT: &'static str = "a Python installer";
    const ALL: &'static [(&'static str, Self)] =
        &[("pip", PythonInstaller::Pip), ("uv", PythonInstaller::Uv)];
}

/// Signals fly.toml's `kill_signal` may name (SchemaStore's list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal(pub &'static str);

impl Keyword for Signal {
    const WHAT: &'static str = "a signal";
    const ALL: &'static [(&'static str, Self)] = &[
        ("SIGINT", Signal("SIGINT")),
        ("SIGTERM", Signal("SIGTERM")),
        ("SIGQUIT", Signal("SIGQUIT")),
        ("SIGUSR1", Signal("SIGUSR1")),
        ("SIGUSR2", Signal("SIGUSR2")),
        ("SIGKILL", Signal("SIGKILL")),
        ("SIGSTOP", Signal("SIGSTOP")),
    ];
}

impl Runtime {
    /// The runtime's name as written.
    pub fn as_str(self) -> &'static str {
        Runtime::ALL
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("", |(name, _)| name)
    }
}

impl Keyword for crate::model::MpgPlan {
    const WHAT: &'static str = "a Managed Postgres plan";
    const ALL: &'static [(&'static str, Self)] = &[
        ("basic", crate::model::MpgPlan::Basic),
        ("starter", crate::model::MpgPlan::Starter),
        ("launch", crate::model::MpgPlan::Launch),
        ("scale", crate::model::MpgPlan::Scale),
    ];
}

impl Keyword for crate::model::PgRole {
    const WHAT: &'static str = "a Postgres role";
    const ALL: &'static [(&'static str, Self)] = &[
        ("schema_admin", crate::model::PgRole::SchemaAdmin),
        ("writer", crate::model::PgRole::Writer),
        ("reader", crate::model::PgRole::Reader),
    ];
}
