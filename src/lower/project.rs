//! Lowers the `project` block: organization, app-name prefix, default region and VM.

use super::fields::{Fields, Sink};
use super::{no_label, required_label, service};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Project;
use crate::span::{Span, Spanned};
use crate::syntax::ast::Block;

/// Lowers the one `project` block; a missing or second one is reported.
pub fn lower_all(blocks: &[&Block], file_start: Span, sink: &Sink) -> Option<Project> {
    let Some(first) = blocks.first() else {
        sink.push(
            Diagnostic::new(Code::E0222, file_start, "the file has no `project` block")
                .label("expected a `project` block in this file")
                .help("add `project NAME { org = \"...\"  region = sjc }` at the top"),
        );
        return None;
    };
    for extra in &blocks[1..] {
        sink.push(
            Diagnostic::new(Code::E0222, extra.header(), "a second `project` block")
                .label("declared again here")
                .also(first.header(), "first declared here")
                .help("a file describes one project; merge the two blocks"),
        );
    }
    lower(first, sink)
}

/// Lowers `project drop { org = "acme"  prefix = "drop"  region = sjc }`.
fn lower(block: &Block, sink: &Sink) -> Option<Project> {
    let label = required_label(block, sink, "project NAME { ... }");
    let mut f = Fields::new(block, sink);
    let org = f
        .string("org")
        .map_or_else(|| "personal".into(), |s| s.value);
    let prefix = f.string("prefix");
    let region = f.region("region");
    let vm = f.block("vm").and_then(|vm| {
        no_label(vm, sink);
        service::lower_vm(vm, None, sink)
    });
    f.finish();
    let label = label?;
    let name = Spanned::new(label.name.clone(), label.span);
    let prefix = match prefix {
        Some(prefix) => {
            check_prefix(&prefix, sink);
            prefix.value
        }
        None => name.value.clone(),
    };
    Some(Project {
        name,
        org,
        prefix,
        region,
        vm,
        span: block.header(),
    })
}

fn check_prefix(prefix: &Spanned<String>, sink: &Sink) {
    if prefix.value.is_empty() {
        return;
    }
    if let Some(problem) = crate::fly::app_name_problem(&prefix.value) {
        sink.push(
            Diagnostic::new(
                Code::E0213,
                prefix.span,
                format!(
                    "prefix `{}` cannot start an app name: {problem}",
                    prefix.value
                ),
            )
            .label("every app name starts with this")
            .help("use lowercase letters, digits and dashes, starting with a letter"),
        );
    }
}
