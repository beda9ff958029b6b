//! Stage 2, lowering: a service's `local { }` block, how its env differs
//! when the stack runs under Compose rather than on Fly.

use super::fields::{Fields, Sink};
use super::no_label;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::{EnvVar, LocalOverrides};
use crate::span::Spanned;
use crate::syntax::ast::Block;

/// Lowers `local { env { NAME = "value" }  unset = [NAME] }`. `env` and
/// `secrets` are the service's own, to check the names against.
pub fn lower(
    block: Option<&Block>,
    env: &[EnvVar],
    secrets: &[Spanned<String>],
    sink: &Sink,
) -> LocalOverrides {
    let Some(block) = block else {
        return LocalOverrides::default();
    };
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let local_env = f
        .block("env")
        .map(|b| super::service::lower_env(b, sink))
        .unwrap_or_default();
    let unset = f.names("unset");
    f.finish();
    for name in &unset {
        check_unset(name, env, sink);
    }
    for var in &local_env {
        check_not_secret(&var.name, secrets, sink);
        if let Some(also) = unset.iter().find(|u| u.value == var.name.value) {
            sink.push(
                Diagnostic::new(
                    Code::E0249,
                    also.span,
                    format!("`{}` is both set and unset locally", var.name.value),
                )
                .label("unset here")
                .also(var.name.span, "set here")
                .help("keep one of the two"),
            );
        }
    }
    LocalOverrides {
        env: local_env,
        unset,
    }
}

/// `unset` names a variable of the service's `env`: anything else is a typo.
fn check_unset(name: &Spanned<String>, env: &[EnvVar], sink: &Sink) {
    if env.iter().any(|v| v.name.value == name.value) {
        return;
    }
    let help = match did_you_mean(&name.value, env.iter().map(|v| v.name.value.as_str())) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "name a variable of this service's `env`, or remove it from `unset`".to_string(),
    };
    sink.push(
        Diagnostic::new(
            Code::E0249,
            name.span,
            format!(
                "`unset` names `{}`, which the service's env does not set",
                name.value
            ),
        )
        .label("not in `env`")
        .help(help),
    );
}

/// A secret's local value comes from `.env`; setting it in `local.env`
/// would hide that file's value without saying so.
fn check_not_secret(name: &Spanned<String>, secrets: &[Spanned<String>], sink: &Sink) {
    if let Some(secret) = secrets.iter().find(|s| s.value == name.value) {
        sink.push(
            Diagnostic::new(
                Code::E0249,
                name.span,
                format!(
                    "`{}` is a secret: its local value comes from `.env`",
                    name.value
                ),
            )
            .label("set locally here")
            .also(secret.span, "declared a secret here")
            .help("put the development value in `.env` beside the .flyx file"),
        );
    }
}
