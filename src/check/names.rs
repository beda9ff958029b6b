//! Resolving names of services and stores, with "did you mean" for typos.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::Stack;
use crate::span::Spanned;
use crate::topology::{Node, ServiceId, StoreId};

/// Every service and store by name.
pub struct Names<'a> {
    by_name: HashMap<&'a str, Node>,
}

impl<'a> Names<'a> {
    /// Indexes the stack's services and stores (lowering made names unique).
    pub fn new(stack: &'a Stack) -> Self {
        let mut by_name = HashMap::new();
        for (i, service) in stack.services.iter().enumerate() {
            by_name.insert(service.name.value.as_str(), Node::Service(ServiceId(i)));
        }
        for (i, store) in stack.stores.iter().enumerate() {
            by_name
                .entry(store.name.value.as_str())
                .or_insert(Node::Store(StoreId(i)));
        }
        Names { by_name }
    }

    /// The node named `name`, or an E0301 diagnostic saying what was meant.
    pub fn lookup(
        &self,
        name: &Spanned<String>,
        what: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Node> {
        if let Some(node) = self.by_name.get(name.value.as_str()) {
            return Some(*node);
        }
        let help = match did_you_mean(&name.value, self.by_name.keys().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if self.by_name.is_empty() => "declare it with `service NAME { ... }`".into(),
            None => {
                let mut known: Vec<&str> = self.by_name.keys().copied().collect();
                known.sort_unstable();
                format!("the stack declares: {}", known.join(", "))
            }
        };
        diagnostics.push(
            Diagnostic::new(
                Code::E0301,
                name.span,
                format!("{what} `{}`, which is not declared", name.value),
            )
            .label("no service or store has this name")
            .help(help),
        );
        None
    }
}
