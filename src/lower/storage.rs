//! Lowers what a service stores and serves from disk: `volume`, `static` and `file`.

use super::fields::{Fields, Sink};
use super::service::check_secret_name;
use super::{no_label, required_label};
use crate::diagnostic::{Code, Diagnostic};
use crate::fly;
use crate::model::{AutoExtend, FileContent, FileMount, Static, Volume};
use crate::span::Spanned;
use crate::syntax::ast::Block;

/// Fly's largest volume, in GB.
const MAX_VOLUME_GB: u64 = 500;

/// Lowers `volume nats_data { mount = "/data"  size = 1gb }`: `[[mounts]]`.
pub fn lower_volume(block: &Block, sink: &Sink) -> Option<Volume> {
    let label = required_label(block, sink, "volume NAME { mount = \"/data\" }");
    let mut f = Fields::new(block, sink);
    let mount = f.required("mount", "mount = \"/data\"", |f, n| f.string(n));
    let size_gb = f.gigabytes("size");
    let snapshot_retention = f.count("snapshot_retention", 1, 60);
    let scheduled_snapshots = f.bool("scheduled_snapshots").map(|b| b.value);
    let auto_extend = f
        .block("auto_extend")
        .and_then(|b| lower_auto_extend(b, sink));
    let regions = f
        .value("regions")
        .map(|v| {
            super::values::names(v, "regions", sink)
                .into_iter()
                .filter_map(|name| super::values::region_code(&name.value, name.span, sink))
                .collect()
        })
        .unwrap_or_default();
    let processes = f.names("processes");
    f.finish();
    if let Some(size) = size_gb {
        check_volume_size(size, "size", sink);
    }
    if let Some(mount) = &mount {
        check_mount_path(mount, sink);
    }
    let label = label?;
    let name = Spanned::new(label.name.clone(), label.span);
    if let Some(problem) = fly::volume_name_problem(&name.value) {
        sink.push(
            Diagnostic::new(
                Code::E0215,
                name.span,
                format!("volume name `{}` is not valid: {problem}", name.value),
            )
            .label("not a valid Fly volume name")
            .help(format!(
                "write it as `{}`",
                name.value.to_ascii_lowercase().replace('-', "_")
            )),
        );
    }
    let mount = mount?;
    Some(Volume {
        name,
        mount,
        size_gb,
        snapshot_retention,
        scheduled_snapshots,
        auto_extend,
        regions,
        processes,
        span: block.span,
    })
}

fn check_volume_size(size: Spanned<u64>, key: &str, sink: &Sink) {
    if size.value == 0 || size.value > MAX_VOLUME_GB {
        sink.push(
            Diagnostic::new(
                Code::E0221,
                size.span,
                format!(
                    "`{key}` of {} GB is outside 1..{MAX_VOLUME_GB} GB",
                    size.value
                ),
            )
            .label("not a size Fly accepts for a volume")
            .help(format!("use a size from 1gb to {MAX_VOLUME_GB}gb")),
        );
    }
}

/// A mount path is absolute and not `/`.
fn check_mount_path(path: &Spanned<String>, sink: &Sink) {
    let problem = if !path.value.starts_with('/') {
        Some("a mount path must be absolute")
    } else if path.value.trim_end_matches('/').is_empty() {
        Some("a volume cannot be mounted over `/`")
    } else {
        None
    };
    if let Some(problem) = problem {
        sink.push(
            Diagnostic::new(
                Code::E0225,
                path.span,
                format!("`{}` cannot be a mount path: {problem}", path.value),
            )
            .label("not a usable mount path")
            .help("use an absolute directory such as \"/data\""),
        );
    }
}

/// Lowers `auto_extend { threshold = 80  increment = 1gb  limit = 10gb }`.
fn lower_auto_extend(block: &Block, sink: &Sink) -> Option<AutoExtend> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let threshold = f.required("threshold", "threshold = 80", |f, n| f.count(n, 50, 99));
    let increment = f.required("increment", "increment = 1gb", |f, n| f.gigabytes(n));
    let limit = f.gigabytes("limit");
    f.finish();
    if let Some(increment) = increment
        && (increment.value == 0 || increment.value > 100)
    {
        sink.push(
            Diagnostic::new(
                Code::E0221,
                increment.span,
                format!("`increment` of {} GB is outside 1..100 GB", increment.value),
            )
            .label("flyctl refuses this increment")
            .help("use an increment from 1gb to 100gb"),
        );
    }
    if let Some(limit) = limit {
        check_volume_size(limit, "limit", sink);
    }
    let threshold = threshold?;
    let increment_gb = increment?;
    Some(AutoExtend {
        threshold,
        increment_gb,
        limit_gb: limit,
        span: block.span,
    })
}

/// Lowers `static { guest_path = "/app/public"  url_prefix = "/assets" }`.
pub fn lower_static(block: &Block, sink: &Sink) -> Option<Static> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let guest_path = f.required("guest_path", "guest_path = \"/app/public\"", |f, n| {
        f.string(n)
    });
    let url_prefix = f.required("url_prefix", "url_prefix = \"/assets\"", |f, n| f.string(n));
    f.finish();
    let guest_path = guest_path?;
    let url_prefix = url_prefix?;
    Some(Static {
        guest_path,
        url_prefix,
        span: block.span,
    })
}

/// Lowers `file { guest_path = "/etc/app.conf"  local_path = "app.conf" }`.
pub fn lower_file(block: &Block, sink: &Sink) -> Option<FileMount> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let guest_path = f.required("guest_path", "guest_path = \"/etc/app.conf\"", |f, n| {
        f.string(n)
    });
    let local = f.string("local_path");
    let secret = f.name("secret");
    let raw = f.string("raw_value");
    let processes = f.names("processes");
    let written = ["local_path", "secret", "raw_value"]
        .iter()
        .any(|n| f.has(n));
    f.finish();
    let guest_path = guest_path?;
    let mut sources: Vec<(Spanned<String>, FileContent)> = Vec::new();
    if let Some(local) = local {
        sources.push((local.clone(), FileContent::Local(local)));
    }
    if let Some(secret) = secret {
        check_secret_name(&secret, sink);
        sources.push((secret.clone(), FileContent::Secret(secret)));
    }
    if let Some(raw) = raw {
        sources.push((raw.clone(), FileContent::Raw(raw.value)));
    }
    if sources.len() > 1 {
        sink.push(
            Diagnostic::new(
                Code::E0219,
                sources[1].0.span,
                "a `file` takes one of `local_path`, `secret` and `raw_value`",
            )
            .label("a second source")
            .also(sources[0].0.span, "a first source")
            .help("keep one of them"),
        );
    }
    let Some((_, content)) = sources.into_iter().next() else {
        if written {
            return None;
        }
        sink.push(
            Diagnostic::new(Code::E0206, block.kind.span, "a `file` needs its content")
                .label("no content given")
                .help("add `local_path = \"...\"`, `secret = NAME` or `raw_value = \"...\"`"),
        );
        return None;
    };
    Some(FileMount {
        guest_path,
        content,
        processes,
        span: block.span,
    })
}
