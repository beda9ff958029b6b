//! Stage 3, check: resolves the `ci` block against the services (which tests
//! guard which services, what each path filter watches, which health checks
//! run after a deploy).

use std::collections::BTreeMap;

use crate::emit::join_relative;
use crate::model::{CheckKind, Ci, Service, Stack};
use crate::topology::{CiPlan, CiTestPlan, HealthProbe};

/// The workflow plan, when the stack has a `ci` block.
pub fn plan(stack: &Stack) -> Option<CiPlan> {
    let ci: &Ci = stack.ci.as_ref()?;
    let contexts: BTreeMap<String, Option<String>> = stack
        .services
        .iter()
        .map(|s| (s.name.value.clone(), context_of(s)))
        .collect();
    let tests = ci
        .tests
        .iter()
        .map(|test| CiTestPlan {
            name: test.name.value.clone(),
            dir: test.dir.value.clone(),
            run: test.run.value.clone(),
            services: guarded_services(&test.dir.value, &contexts),
        })
        .collect();
    let mut probes: Vec<HealthProbe> = stack.services.iter().filter_map(probe_of).collect();
    probes.sort_by(|a, b| a.service.cmp(&b.service));
    Some(CiPlan {
        branch: ci.branch.value.clone(),
        contexts,
        tests,
        probes,
    })
}

/// The build context relative to the `.flyx` file's folder, normalised.
fn context_of(service: &Service) -> Option<String> {
    service
        .source
        .context()
        .map(|c| join_relative(&[c.value.as_str()]))
}

/// Whether folder `inner` is `outer` or inside it (both normalised).
pub fn is_within(inner: &str, outer: &str) -> bool {
    outer == "." || inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// The services a test in `dir` guards: those whose build context is the
/// nearest one holding `dir`; else those whose context lies inside `dir`;
/// else none, which means every service.
fn guarded_services(dir: &str, contexts: &BTreeMap<String, Option<String>>) -> Vec<String> {
    let holding: Vec<(&String, &String)> = contexts
        .iter()
        .filter_map(|(name, context)| Some((name, context.as_ref()?)))
        .filter(|(_, context)| is_within(dir, context))
        .collect();
    let nearest = holding.iter().map(|(_, c)| depth(c)).max();
    if let Some(nearest) = nearest {
        return holding
            .iter()
            .filter(|(_, c)| depth(c) == nearest)
            .map(|(name, _)| (*name).clone())
            .collect();
    }
    contexts
        .iter()
        .filter(|(_, context)| context.as_ref().is_some_and(|c| is_within(c, dir)))
        .map(|(name, _)| name.clone())
        .collect()
}

/// How many folders deep a normalised folder is (`.` is 0).
fn depth(folder: &str) -> usize {
    if folder == "." {
        0
    } else {
        folder.split('/').count()
    }
}

/// The first HTTP check with a path of a public `http` block, on the
/// service's fly.dev address.
fn probe_of(service: &Service) -> Option<HealthProbe> {
    let http = service.http.as_ref().filter(|h| h.public.value)?;
    let path = http
        .checks
        .iter()
        .filter(|c| c.kind == CheckKind::Http)
        .find_map(|c| c.path.as_ref())?;
    Some(HealthProbe {
        service: service.name.value.clone(),
        url: format!("https://{}.fly.dev{}", service.app.value, path.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(n, c)| (n.to_string(), c.map(str::to_string)))
            .collect()
    }

    #[test]
    fn a_test_guards_the_nearest_context_holding_its_folder() {
        let all = contexts(&[
            ("api", Some(".")),
            ("worker", Some(".")),
            ("frontend", Some("frontend")),
            ("nats", None),
        ]);
        assert_eq!(guarded_services(".", &all), ["api", "worker"]);
        assert_eq!(guarded_services("frontend", &all), ["frontend"]);
        assert_eq!(guarded_services("frontend/src", &all), ["frontend"]);
        assert_eq!(guarded_services("crates/x", &all), ["api", "worker"]);
    }

    #[test]
    fn a_test_above_every_context_guards_those_inside_it() {
        let all = contexts(&[
            ("a", Some("apps/a")),
            ("b", Some("apps/b")),
            ("c", Some("c")),
        ]);
        assert_eq!(guarded_services("apps", &all), ["a", "b"]);
        assert!(guarded_services("docs", &all).is_empty());
    }
}
