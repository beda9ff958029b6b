//! Stage 2, lower: managed data stores, `postgres NAME { }` (Managed Postgres,
//! or an unmanaged Fly Postgres app with `managed = false`) and `redis NAME { }`
//! (Upstash Redis).

use super::fields::{Fields, Sink};
use super::required_label;
use crate::diagnostic::{Code, Diagnostic};
use crate::fly;
use crate::model::{
    LegacyPostgres, ManagedPostgres, MpgPlan, Postgres, Project, Redis, Store, StoreKind,
};
use crate::span::{Span, Spanned};
use crate::syntax::ast::Block;

/// Settings only a Managed Postgres cluster takes.
const MANAGED_ONLY: &[&str] = &["plan", "version", "extensions"];
/// Settings only an unmanaged Fly Postgres app takes.
const LEGACY_ONLY: &[&str] = &["vm", "memory", "cluster_size", "backups"];

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
    let store = Store {
        name,
        app,
        region,
        kind: kind?,
        span: block.header(),
    };
    check_mpg_region(&store, sink);
    Some(store)
}

/// Reads Postgres settings: Managed unless `managed = false`.
fn lower_postgres(f: &mut Fields<'_>) -> Option<StoreKind> {
    let managed = f.bool("managed").is_none_or(|m| m.value);
    let volume_gb = f.gigabytes("volume");
    let default_span = f.block_span();
    if let Some(volume) = volume_gb
        && (volume.value == 0 || volume.value > 500)
    {
        f.sink().push(
            Diagnostic::new(
                Code::E0221,
                volume.span,
                format!("`volume` of {} GB is outside 1..500 GB", volume.value),
            )
            .label("not a size Fly accepts for a Postgres volume")
            .help("use a size from 1gb to 500gb"),
        );
    }
    let volume_gb = volume_gb.unwrap_or(Spanned::new(10, default_span));
    let postgres = if managed {
        report_foreign(
            f,
            LEGACY_ONLY,
            "an unmanaged Fly Postgres app (`managed = false`)",
        );
        Postgres::Managed(lower_managed(f, volume_gb))
    } else {
        report_foreign(f, MANAGED_ONLY, "Managed Postgres (the default)");
        Postgres::Legacy(lower_legacy(f, volume_gb))
    };
    Some(StoreKind::Postgres(postgres))
}

/// Reports settings written for the other kind of Postgres, and marks them
/// read so they are not also reported as unknown.
fn report_foreign(f: &mut Fields<'_>, names: &'static [&'static str], belongs_to: &str) {
    for name in names {
        if let Some(attr) = f.attr(name) {
            f.sink().push(
                Diagnostic::new(
                    Code::E0330,
                    attr.key.span,
                    format!("`{name}` is a setting of {belongs_to}"),
                )
                .label("does not apply to this Postgres")
                .help(if names == LEGACY_ONLY {
                    "remove it, or set `managed = false` to run your own Fly Postgres app"
                } else {
                    "remove it, or remove `managed = false` to use Managed Postgres"
                }),
            );
        }
    }
}

/// Reads Managed Postgres settings: plan, version and extensions.
fn lower_managed(f: &mut Fields<'_>, volume_gb: Spanned<u64>) -> ManagedPostgres {
    let at = f.block_span();
    let plan = f.keyword::<MpgPlan>("plan");
    let version = f.integer("version", 0, u64::from(u32::MAX)).and_then(|v| {
        let major = u32::try_from(v.value).unwrap_or(0);
        if fly::MPG_VERSIONS.contains(&major) {
            Some(Spanned::new(major, v.span))
        } else {
            f.sink().push(
                Diagnostic::new(
                    Code::E0218,
                    v.span,
                    format!("Managed Postgres has no Postgres {}", v.value),
                )
                .label("not a version `fly mpg create` offers")
                .help("use `version = 16` or `version = 17`"),
            );
            None
        }
    });
    let extensions = f
        .names("extensions")
        .into_iter()
        .filter(|e| extension_name_ok(e, f.sink()))
        .collect();
    ManagedPostgres {
        plan: plan.unwrap_or(Spanned::new(MpgPlan::Basic, at)),
        volume_gb,
        version: version.unwrap_or(Spanned::new(17, at)),
        extensions,
    }
}

/// Extension names are SQL identifiers: lowercase letters, digits, `_`.
fn extension_name_ok(name: &Spanned<String>, sink: &Sink) -> bool {
    let ok = !name.value.is_empty()
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        sink.push(
            Diagnostic::new(
                Code::E0217,
                name.span,
                format!("`{}` is not a Postgres extension name", name.value),
            )
            .label("not an extension name")
            .help("use the name `CREATE EXTENSION` takes, such as `vector` or `postgis`"),
        );
    }
    ok
}

/// Reads the settings of an unmanaged Fly Postgres app.
fn lower_legacy(f: &mut Fields<'_>, volume_gb: Spanned<u64>) -> LegacyPostgres {
    let at = f.block_span();
    let sink = f.sink();
    let vm_size = f
        .value("vm")
        .and_then(|v| super::service::vm_size(v, "vm", sink));
    let memory_mb = f.megabytes("memory");
    let cluster_size = f.count("cluster_size", 1, 3);
    let backups = f.bool("backups").is_some_and(|b| b.value);
    LegacyPostgres {
        vm_size: vm_size.unwrap_or(Spanned::new(fly::DEFAULT_PRESET, at)),
        memory_mb,
        volume_gb,
        cluster_size: cluster_size.unwrap_or(Spanned::new(1, at)),
        backups,
    }
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

/// Managed Postgres exists in some regions only.
fn check_mpg_region(store: &Store, sink: &Sink) {
    let (StoreKind::Postgres(Postgres::Managed(_)), Some(region)) = (&store.kind, store.region)
    else {
        return;
    };
    if fly::MPG_REGIONS.contains(&region.value.code()) {
        return;
    }
    let span: Span = region.span;
    sink.push(
        Diagnostic::new(
            Code::E0331,
            span,
            format!(
                "Managed Postgres `{}` cannot run in {}: Fly offers Managed Postgres in {} only",
                store.name.value,
                region.value.code(),
                fly::MPG_REGIONS.join(", ")
            ),
        )
        .label("no Managed Postgres in this region")
        .help(format!(
            "give the store `region = {}` (or another of those), or set `managed = false` for a Fly Postgres app you run yourself",
            nearest_mpg_region(region.value.code())
        )),
    );
}

/// A Managed Postgres region near a region that has none.
fn nearest_mpg_region(code: &str) -> &'static str {
    match code {
        "arn" | "cdg" => "ams",
        "bom" => "sin",
        "dfw" | "ewr" => "iad",
        "jnb" => "fra",
        _ => "iad",
    }
}
