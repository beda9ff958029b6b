//! Stage 2, lowering: the `ci github { }` block, a GitHub Actions workflow.

use super::fields::{Fields, Sink};
use super::{required_label, unique_names};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Ci, CiTest};
use crate::span::{Span, Spanned};
use crate::syntax::ast::Block;

/// The CI systems a `ci` block may name.
const PROVIDERS: &[&str] = &["github"];

/// Lowers the one `ci` block; a second one is reported.
pub fn lower_all(blocks: &[&Block], sink: &Sink) -> Option<Ci> {
    let first = blocks.first()?;
    for extra in &blocks[1..] {
        sink.push(
            Diagnostic::new(Code::E0248, extra.header(), "a second `ci` block")
                .label("declared again here")
                .also(first.header(), "first declared here")
                .help("a stack has one workflow; merge the two blocks"),
        );
    }
    lower(first, sink)
}

/// Lowers `ci github { branch = "main"  test NAME { dir = "."  run = "..." } }`.
fn lower(block: &Block, sink: &Sink) -> Option<Ci> {
    let label = required_label(block, sink, "ci github { branch = \"main\" }");
    let mut f = Fields::new(block, sink);
    let branch = f.string("branch");
    let tests: Vec<CiTest> = f
        .blocks("test")
        .into_iter()
        .filter_map(|test| lower_test(test, sink))
        .collect();
    f.finish();
    unique_names(
        sink,
        "test",
        "the `ci` block",
        tests.iter().map(|t| &t.name),
    );
    let label = label?;
    if !PROVIDERS.contains(&label.name.as_str()) {
        sink.push(
            Diagnostic::new(
                Code::E0248,
                label.span,
                format!("flyx cannot write a workflow for `{}`", label.name),
            )
            .label("not a CI system flyx knows")
            .help(format!("write one of: {}", PROVIDERS.join(", "))),
        );
        return None;
    }
    let branch = match branch {
        Some(branch) => checked_branch(branch, sink)?,
        None => Spanned::new("main".to_string(), block.header()),
    };
    Some(Ci {
        branch,
        tests,
        span: block.header(),
    })
}

/// Lowers `test backend { dir = "."  run = "cargo test --workspace" }`.
fn lower_test(block: &Block, sink: &Sink) -> Option<CiTest> {
    let label = required_label(block, sink, "test NAME { run = \"...\" }");
    let mut f = Fields::new(block, sink);
    let dir = f.string("dir");
    let run = f.required("run", "run = \"cargo test\"", |f, n| f.string(n));
    f.finish();
    let label = label?;
    let name = Spanned::new(label.name.clone(), label.span);
    if let Some(problem) = job_name_problem(&name.value) {
        bad(
            sink,
            name.span,
            format!("test `{}` {problem}", name.value),
            "use letters, digits, `-` and `_`, starting with a letter",
        );
        return None;
    }
    let run = run?;
    if run.value.trim().is_empty() {
        bad(
            sink,
            run.span,
            "`run` is empty".into(),
            "write the command the test job runs",
        );
        return None;
    }
    let dir = match dir {
        Some(dir) => checked_dir(dir, sink)?,
        None => Spanned::new(".".to_string(), block.header()),
    };
    Some(CiTest { name, dir, run })
}

/// A job id GitHub accepts that is not one of the jobs flyx writes itself.
fn job_name_problem(name: &str) -> Option<&'static str> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Some("is not a GitHub job id");
    }
    ["changes", "deploy"]
        .contains(&name)
        .then_some("has the name of a job flyx writes")
}

fn checked_branch(branch: Spanned<String>, sink: &Sink) -> Option<Spanned<String>> {
    let value = &branch.value;
    let bad_char = value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\'\"$`{}".contains(c));
    if value.is_empty()
        || bad_char
        || value.starts_with('/')
        || value.ends_with('/')
        || value.contains("..")
    {
        bad(
            sink,
            branch.span,
            format!("`{value}` is not a branch name"),
            "write a git branch name such as \"main\"",
        );
        return None;
    }
    Some(branch)
}

fn checked_dir(dir: Spanned<String>, sink: &Sink) -> Option<Spanned<String>> {
    let value = dir.value.trim_end_matches('/');
    let escapes = value.split('/').any(|part| part == "..");
    let bad_char = value
        .chars()
        .any(|c| c.is_control() || "'\"$`{}*?[\\".contains(c));
    if value.is_empty() || value.starts_with('/') || escapes || bad_char {
        bad(
            sink,
            dir.span,
            format!("`{}` is not a folder of the repository", dir.value),
            "write a folder relative to the .flyx file, inside it: \".\" or \"frontend\"",
        );
        return None;
    }
    let normal = crate::emit::join_relative(&[value]);
    Some(Spanned::new(normal, dir.span))
}

fn bad(sink: &Sink, span: Span, message: String, help: &str) {
    sink.push(
        Diagnostic::new(Code::E0248, span, message)
            .label("in the `ci` block")
            .help(help.to_string()),
    );
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use crate::model::Stack;
    use crate::source::Sources;

    fn lower(ci: &str) -> (Option<Stack>, Vec<Code>) {
        let text = format!("project p {{ region = ams }}\n{ci}\n");
        let (sources, file) = Sources::single("t.flyx", text);
        let ast = crate::syntax::parse(&sources, file).expect("parses");
        let (stack, diagnostics) = super::super::lower(&ast, file);
        (stack, diagnostics.iter().map(|d| d.code).collect())
    }

    fn codes(ci: &str) -> Vec<Code> {
        lower(ci).1
    }

    #[test]
    fn a_ci_block_lowers_with_defaults() {
        let (stack, codes) = lower(
            "ci github {\n  test unit { run = \"make test\" }\n  test web { dir = \"web/\"  run = \"npm test\" }\n}",
        );
        assert!(codes.is_empty(), "{codes:?}");
        let ci = stack.expect("stack").ci.expect("ci");
        assert_eq!(ci.branch.value, "main");
        assert_eq!(ci.tests[0].dir.value, ".");
        assert_eq!(ci.tests[1].dir.value, "web");
        assert_eq!(ci.tests[1].run.value, "npm test");
    }

    #[test]
    fn no_ci_block_means_no_workflow() {
        assert!(lower("").0.expect("stack").ci.is_none());
    }

    #[test]
    fn bad_values_are_e0248() {
        assert_eq!(codes("ci gitlab {}"), [Code::E0248]);
        assert_eq!(codes("ci github { branch = \"a b\" }"), [Code::E0248]);
        assert_eq!(codes("ci github { branch = \"\" }"), [Code::E0248]);
        assert_eq!(codes("ci github { branch = \"a..b\" }"), [Code::E0248]);
        assert_eq!(
            codes("ci github { test t { dir = \"../x\"  run = \"make\" } }"),
            [Code::E0248]
        );
        assert_eq!(
            codes("ci github { test t { dir = \"/abs\"  run = \"make\" } }"),
            [Code::E0248]
        );
        assert_eq!(codes("ci github { test t { run = \" \" } }"), [Code::E0248]);
        assert_eq!(
            codes("ci github { test deploy { run = \"make\" } }"),
            [Code::E0248]
        );
        assert_eq!(
            codes("ci github { test \"9x\" { run = \"make\" } }"),
            [Code::E0248]
        );
        assert_eq!(codes("ci github {}\nci github {}"), [Code::E0248]);
    }

    #[test]
    fn the_shape_of_the_block_is_checked() {
        assert_eq!(codes("ci { }"), [Code::E0223]);
        assert_eq!(codes("ci github { test t { } }"), [Code::E0206]);
        assert_eq!(codes("ci github { brnach = \"main\" }"), [Code::E0202]);
        assert_eq!(
            codes("ci github {\n  test t { run = \"a\" }\n  test t { run = \"b\" }\n}"),
            [Code::E0205]
        );
    }
}
