//! `use`: loading other files and stdlib modules, each once, with import
//! cycles and missing modules reported on the `use` line.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::{FileId, Sources};
use crate::syntax::ast::{self, Item, UseTarget};

/// Reads the files `use` lines name. The library never touches the disk
/// itself: the command line gives it a loader that does.
pub trait Loader {
    /// Reads `path`, as written in a `use` line of the file shown as `from`.
    /// Returns the name to show the file under, and its text; or why not.
    fn load(&self, from: &str, path: &str) -> Result<(String, String), String>;
}

/// A loader for compilations with no files besides the root: stdlib modules
/// still work, `use "./file.flyx"` does not.
pub struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, _from: &str, path: &str) -> Result<(String, String), String> {
        Err(format!(
            "`{path}` cannot be read here: only stdlib modules are available"
        ))
    }
}

/// A parsed file of the compilation.
pub struct Module {
    /// Its id in the sources.
    pub file: FileId,
    /// Its syntax tree.
    pub ast: ast::File,
}

/// Loads every module the root uses, directly or not, each once, root first.
pub fn load_all(
    sources: &mut Sources,
    root: FileId,
    root_ast: ast::File,
    loader: &dyn Loader,
    diagnostics: &mut Diagnostics,
) -> Vec<Module> {
    let mut modules = vec![Module {
        file: root,
        ast: root_ast,
    }];
    let mut stack = vec![sources.get(root).name.clone()];
    load_uses(sources, 0, &mut modules, &mut stack, loader, diagnostics);
    modules
}

fn load_uses(
    sources: &mut Sources,
    index: usize,
    modules: &mut Vec<Module>,
    stack: &mut Vec<String>,
    loader: &dyn Loader,
    diagnostics: &mut Diagnostics,
) {
    let uses: Vec<ast::Use> = modules[index]
        .ast
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Use(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    let from_file = modules[index].file;
    for use_line in uses {
        let from_name = sources.get(from_file).name.clone();
        let (name, text) = match resolve(&use_line, &from_name, loader) {
            Ok(found) => found,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        if let Some(at) = stack.iter().position(|n| *n == name) {
            let mut cycle: Vec<String> = stack[at..].to_vec();
            cycle.push(name.clone());
            diagnostics.push(
                Diagnostic::new(
                    Code::E0227,
                    use_line.span,
                    format!("`{}` is used in a cycle: {}", name, cycle.join(" -> ")),
                )
                .label("this `use` closes the cycle")
                .help("move what both files need into a third file that uses neither"),
            );
            continue;
        }
        if modules.iter().any(|m| sources.get(m.file).name == name) {
            continue; // Already loaded through another `use`.
        }
        let file = sources.add(name.clone(), text);
        match crate::syntax::parse(sources, file) {
            Ok(ast) => {
                modules.push(Module { file, ast });
                let loaded = modules.len() - 1;
                stack.push(name);
                load_uses(sources, loaded, modules, stack, loader, diagnostics);
                stack.pop();
            }
            Err(problems) => diagnostics.extend(problems),
        }
    }
}

/// The name and text of what a `use` line names.
fn resolve(
    use_line: &ast::Use,
    from: &str,
    loader: &dyn Loader,
) -> Result<(String, String), Diagnostic> {
    match &use_line.target {
        UseTarget::Module(module) => match crate::stdlib::module(&module.name) {
            Some(text) => Ok((crate::stdlib::file_name(&module.name), text.to_string())),
            None => {
                let names = crate::stdlib::MODULES.iter().map(|(n, _)| *n);
                let help = match did_you_mean(&module.name, names) {
                    Some(close) => format!("did you mean `use {close}`?"),
                    None => format!(
                        "the stdlib has: {}; a file is used by its path: `use \"./{}.flyx\"`",
                        crate::stdlib::MODULES
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", "),
                        module.name
                    ),
                };
                Err(Diagnostic::new(
                    Code::E0226,
                    module.span,
                    format!("there is no stdlib module `{}`", module.name),
                )
                .label("not a stdlib module")
                .help(help))
            }
        },
        UseTarget::Path(path, span) => {
            if from.starts_with("<stdlib>") {
                return Err(Diagnostic::new(
                    Code::E0226,
                    *span,
                    "a stdlib module cannot use a file",
                )
                .label("only stdlib modules here")
                .help("this is a bug in flyx's stdlib; please report it"));
            }
            loader.load(from, path).map_err(|why| {
                Diagnostic::new(Code::E0226, *span, format!("cannot use `{path}`: {why}"))
                    .label("this file cannot be read")
                    .help("paths are relative to the file with the `use` line")
            })
        }
    }
}
