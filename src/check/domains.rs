//! Custom domains: only a service public over HTTP can have them, and each
//! hostname belongs to one service (Fly refuses a certificate for a hostname
//! another app holds).

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Service, Stack};
use crate::span::Span;

/// `domains` on an `http` block that is not public (E0328): the hostname
/// would point at an app with no public IP.
pub fn public_only(service: &Service, diagnostics: &mut Diagnostics) {
    let Some(http) = &service.http else { return };
    let Some(first) = http.domains.first() else {
        return;
    };
    if http.public.value {
        return;
    }
    diagnostics.push(
        Diagnostic::new(
            Code::E0328,
            first.span,
            format!(
                "`{}` has custom domains but is not public",
                service.name.value
            ),
        )
        .label("a certificate for this hostname would serve nothing")
        .also(http.public.span, "the `http` block is private")
        .help("set `public = true` in the `http` block, or remove `domains`"),
    );
}

/// Every hostname on one service only, and once (E0329).
pub fn unique(stack: &Stack, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, (&str, Span)> = HashMap::new();
    for service in &stack.services {
        for host in service.domains() {
            let Some((owner, first)) = seen.get(host.value.as_str()) else {
                seen.insert(&host.value, (&service.name.value, host.span));
                continue;
            };
            let (message, help) = if *owner == service.name.value {
                (
                    format!("`{}` lists `{}` twice", service.name.value, host.value),
                    "remove one of the two".to_string(),
                )
            } else {
                (
                    format!(
                        "`{}` is a domain of both `{owner}` and `{}`",
                        host.value, service.name.value
                    ),
                    "a hostname's certificate belongs to one app: keep it on one service"
                        .to_string(),
                )
            };
            diagnostics.push(
                Diagnostic::new(Code::E0329, host.span, message)
                    .label("claimed again here")
                    .also(*first, "first claimed here")
                    .help(help),
            );
        }
    }
}
