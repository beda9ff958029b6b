//! Lowers how a service is run and observed: `metrics`, `restart` and `post_deploy`.

use super::fields::{Fields, Sink};
use super::{no_label, required_label};
use crate::model::{Metrics, PostDeploy, Restart, RestartPolicy};
use crate::span::Spanned;
use crate::syntax::ast::Block;

/// Lowers `metrics { port = 9091  path = "/metrics" }`: `[[metrics]]`.
pub fn lower_metrics(block: &Block, sink: &Sink) -> Option<Metrics> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let port = f.required("port", "port = 9091", |f, n| f.port(n));
    let path = f.string("path");
    let https = f.bool("https").map(|b| b.value);
    let processes = f.names("processes");
    f.finish();
    let port = port?;
    Some(Metrics {
        port,
        path: path.map_or_else(|| "/metrics".to_string(), |p| p.value),
        https,
        processes,
        span: block.span,
    })
}

/// Lowers `restart { policy = on-failure  retries = 5 }`: `[[restart]]`.
pub fn lower_restart(block: &Block, sink: &Sink) -> Option<Restart> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let policy = f.required("policy", "policy = on-failure", |f, n| {
        f.keyword::<RestartPolicy>(n)
    });
    let retries = f.count("retries", 0, 1000);
    let processes = f.names("processes");
    f.finish();
    let policy = policy?;
    Some(Restart {
        policy: policy.value,
        retries: retries.map(|r| r.value),
        processes,
        span: block.span,
    })
}

/// Lowers `post_deploy register { on = restate  command = "..." }`.
pub fn lower_post_deploy(block: &Block, sink: &Sink) -> Option<PostDeploy> {
    let label = required_label(block, sink, "post_deploy NAME { command = \"...\" }");
    let mut f = Fields::new(block, sink);
    let on = f
        .value("on")
        .and_then(|v| super::values::name(v, "on", sink));
    let command = f.required("command", "command = \"...\"", |f, n| f.text(n));
    f.finish();
    let label = label?;
    let command = command?;
    Some(PostDeploy {
        name: Spanned::new(label.name.clone(), label.span),
        on,
        command,
        span: block.span,
    })
}
