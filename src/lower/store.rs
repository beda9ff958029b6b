//! Lowers managed data stores: `postgres NAME { }` (Fly Postgres) and
//! `redis NAME { }` (Upstash Redis).

use super::fields::{Fields, Sink};
use super::required_label;
use crate::diagnostic::{Code, Diagnostic};
use crate::fly;
use crate::model::{Postgres, Project, Redis, Store, StoreKind};
use crate::span::Spanned;
use crate::syntax::ast::Block;

/// Lowers `postgres db { ... }` or `redis cache { ... }`.
pub fn lower(block: &Block, project: &Project, sink: &Sink) -> Option<Store> {
    let keyword = block.kind.name.as_str();
    let label = required_label(block, sink, &format!("{keyword} NAME {{ ... }}"));
    let mut f = Fields::new(block, sink);
    let app = f.string("app");
    let region = f.region("region").or(project.region);
    let kind = if keyword == "postgres" {
        lower_postgres(&mut f)
    } else {
        lower_redis(&mut f)
    };
    f.finish();
    let label = label?;
    let name = Spanned::new(label.name.clone(), label.span);
    let app = app.unwrap_or_else(|| {
        let full = if project.prefix.is_empty() {
            name.value.clone()
        } else {
            format!("{}-{}", project.prefix, name.value)
        };
        Spanned::new(full, name.span)
    });
    if let Some(problem) = fly::app_name_problem(&app.value) {
        sink.push(
            Diagnostic::new(
                Code::E0213,
                app.span,
                format!("{keyword} name `{}` is not valid: {problem}", app.value),
            )
            .label("not a valid Fly app name")
            .help("use lowercase letters, digits and dashes, at most 63 characters"),
        );
    }
    Some(Store {
        name,
        app,
        region,
        kind: kind?,
        span: block.header(),
    })
}

/// Reads Fly Postgres settings.
fn lower_postgres(f: &mut Fields<'_>) -> Option<StoreKind> {
    let sink = f.sink();
    let at = f.block_span();
    let vm_size = f.value("vm").and_then(|v| {
        let name = super::values::name(v, "vm", sink)?;
        match fly::preset_named(&name.value) {
            Some(preset) => Some(Spanned::new(preset.name, name.span)),
            None => {
                sink.push(
                    Diagnostic::new(
                        Code::E0208,
                        name.span,
                        format!("`{}` is not a Fly VM size", name.value),
                    )
                    .label("not a machine preset")
                    .help("use a size such as \"shared-cpu-1x\""),
                );
                None
            }
        }
    });
    let volume_gb = f.gigabytes("volume");
    let cluster_size = f.count("cluster_size", 1, 3);
    if let Some(volume) = volume_gb
        && (volume.value == 0 || volume.value > 500)
    {
        sink.push(
            Diagnostic::new(
                Code::E0221,
                volume.span,
                format!("`volume` of {} GB is outside 1..500 GB", volume.value),
            )
            .label("not a size Fly accepts for a volume")
            .help("use a size from 1gb to 500gb"),
        );
    }
    let default = Spanned::new((), at);
    Some(StoreKind::Postgres(Postgres {
        vm_size: vm_size.unwrap_or(Spanned::new(fly::DEFAULT_PRESET, default.span)),
        volume_gb: volume_gb.unwrap_or(Spanned::new(10, default.span)),
        cluster_size: cluster_size.unwrap_or(Spanned::new(1, default.span)),
    }))
}

/// Reads Upstash Redis settings.
fn lower_redis(f: &mut Fields<'_>) -> Option<StoreKind> {
    let sink = f.sink();
    let eviction = f.bool("eviction").is_some_and(|b| b.value);
    let plan = f.string("plan");
    let replicas = f
        .value("replicas")
        .map(|v| {
            super::values::names(v, "replicas", sink)
                .into_iter()
                .filter_map(|name| super::values::region_code(&name.value, name.span, sink))
                .collect()
        })
        .unwrap_or_default();
    Some(StoreKind::Redis(Redis {
        eviction,
        plan,
        replicas,
    }))
}
