//! Stage 4, emit: the GitHub Actions workflow a `ci` block asks for
//! (`.github/workflows/flyx-<project>.yml`), rendered from the topology's
//! [`CiPlan`]: path filters per service, the test jobs, a deploy through the
//! generated deploy.sh, and health probes.

use std::fmt::Write as _;

use super::EmitOptions;
use crate::shell::quote;
use crate::topology::{CiPlan, CiTestPlan, Topology};

/// actions/checkout, pinned by commit.
const CHECKOUT: &str = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
/// dorny/paths-filter, pinned by commit.
const PATHS_FILTER: &str = "dorny/paths-filter@7b450fff21473bca461d4b92ce414b9d0420d706 # v4.0.2";
/// superfly/flyctl-actions/setup-flyctl, pinned by commit.
const SETUP_FLYCTL: &str =
    "superfly/flyctl-actions/setup-flyctl@ed8efb33836e8b2096c7fd3ba1c8afe303ebbff1 # v1.6";
/// The flyctl release setup-flyctl installs.
pub const FLYCTL_VERSION: &str = "0.4.87";

/// The workflow's path relative to the `.flyx` file's folder.
pub fn path(topology: &Topology) -> String {
    format!(".github/workflows/{}", file_name(topology))
}

/// The workflow's file name, as `gh run list --workflow` takes it.
fn file_name(topology: &Topology) -> String {
    format!("flyx-{}.yml", topology.stack.project.name.value)
}

/// The workflow's text, or none when the stack has no `ci` block.
pub fn render(topology: &Topology, options: &EmitOptions) -> Option<String> {
    let plan = topology.ci.as_ref()?;
    let project = &topology.stack.project;
    let mut out = String::new();
    let _ = writeln!(out, "{}", options.header());
    let _ = write!(
        out,
        "# Runs the tests, then deploys the services whose files changed through\n\
         # {output}/deploy.sh, then probes their health checks. See docs/ci.md of flyx.\n\
         #\n\
         # The repository secret FLY_API_TOKEN must be an org token:\n\
         #   fly tokens create org -o {org}\n\
         # (an app's deploy token cannot create the apps and stores deploy.sh creates).\n\
         name: flyx {name}\n\n\
         on:\n  push:\n    branches:\n      - {branch}\n  workflow_dispatch:\n\n\
         permissions: {{}}\n\n\
         # One run at a time per branch, in push order: a newer push waits, and\n\
         # replaces a run still waiting (its changes are measured from the last\n\
         # successful run, so they deploy with the newer one). A deploy is never\n\
         # cut off half-way.\n\
         concurrency:\n  group: flyx-{name}-${{{{ github.ref }}}}\n  cancel-in-progress: false\n\n\
         jobs:\n",
        output = options.output_from_project,
        org = project.org,
        name = project.name.value,
        branch = yaml_quote(&plan.branch),
    );
    changes_job(&mut out, topology, plan, options);
    for test in &plan.tests {
        test_job(&mut out, test);
    }
    deploy_job(&mut out, topology, plan, options);
    Some(out)
}

/// Single-quoted YAML scalar.
fn yaml_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The environment variable that carries a service's filter result.
fn env_name(service: &str) -> String {
    format!(
        "CHANGED_{}",
        service.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

fn checkout(out: &mut String, full_history: bool) {
    let _ = writeln!(out, "      - uses: {CHECKOUT}");
    let _ = writeln!(out, "        with:");
    let _ = writeln!(out, "          persist-credentials: false");
    if full_history {
        let _ = writeln!(out, "          fetch-depth: 0");
    }
}

/// The job that finds which services changed: one paths-filter step for
/// services built in subfolders (any rule matches), one for those built at
/// the root (every rule matches: everything but the other services' folders).
fn changes_job(out: &mut String, topology: &Topology, plan: &CiPlan, options: &EmitOptions) {
    let services: Vec<&String> = plan.contexts.keys().collect();
    out.push_str(
        "  changes:\n    name: Find the changed services\n    runs-on: ubuntu-latest\n    \
         permissions:\n      contents: read\n      \
         # gh run list: the last run that deployed\n      actions: read\n    \
         outputs:\n      \
         services: ${{ steps.list.outputs.services }}\n",
    );
    for name in &services {
        let _ = writeln!(out, "      {name}: ${{{{ steps.list.outputs.{name} }}}}");
    }
    out.push_str("    steps:\n");
    checkout(out, true);
    base_step(out, topology, plan);
    let (root, nested): (Vec<&String>, Vec<&String>) = services
        .iter()
        .partition(|name| plan.contexts[name.as_str()].as_deref() == Some("."));
    if !nested.is_empty() {
        filter_step(out, "filter", false);
        for name in &nested {
            let mut rules = Vec::new();
            if let Some(context) = &plan.contexts[name.as_str()] {
                rules.push(format!("{context}/**"));
            }
            rules.push(options.source_name.clone());
            rules.push(format!("{}/{name}/**", options.output_from_project));
            filter_rules(out, name, &rules);
        }
    }
    if !root.is_empty() {
        filter_step(out, "root", true);
        for name in &root {
            let mut rules = Vec::new();
            for other in services.iter().filter(|o| *o != name) {
                if let Some(context) = plan.contexts[other.as_str()]
                    .as_deref()
                    .filter(|c| *c != ".")
                {
                    rules.push(format!("!{context}/**"));
                }
                rules.push(format!("!{}/{other}/**", options.output_from_project));
            }
            rules.sort();
            rules.dedup();
            rules.insert(0, "**".to_string());
            filter_rules(out, name, &rules);
        }
    }
    list_step(out, topology, &root, &nested);
}

/// The step that finds what to compare with: the commit of the last run of
/// this workflow on the branch that succeeded. Comparing with the previous
/// push instead would lose changes: GitHub cancels a run still waiting for
/// the deploy queue when a newer one joins it, and a failed deploy leaves
/// its changes undeployed. Without such a run (the first, or history
/// rewritten past it) every service deploys.
fn base_step(out: &mut String, topology: &Topology, plan: &CiPlan) {
    let file = file_name(topology);
    let _ = write!(
        out,
        "      - id: base\n        name: Find the commit last deployed\n        env:\n          \
         GH_TOKEN: ${{{{ github.token }}}}\n        run: |\n          \
         sha=$(gh run list --repo \"$GITHUB_REPOSITORY\" --workflow {file} --branch {branch} \\\n            \
         --status success --limit 1 --json headSha --jq '.[0].headSha // \"\"')\n          \
         if [ -n \"$sha\" ] && git merge-base --is-ancestor \"$sha\" HEAD; then\n            \
         echo \"sha=$sha\" >> \"$GITHUB_OUTPUT\"; echo \"Changes since $sha\"\n          \
         else\n            \
         echo 'sha=' >> \"$GITHUB_OUTPUT\"; echo 'No earlier successful run here: every service deploys'\n          \
         fi\n",
        file = quote(&file),
        branch = quote(&plan.branch),
    );
}

fn filter_step(out: &mut String, id: &str, every: bool) {
    let _ = writeln!(out, "      - id: {id}");
    let _ = writeln!(out, "        uses: {PATHS_FILTER}");
    let _ = writeln!(out, "        with:");
    let _ = writeln!(
        out,
        "          base: ${{{{ steps.base.outputs.sha || github.sha }}}}"
    );
    if every {
        let _ = writeln!(out, "          predicate-quantifier: every");
    }
    let _ = writeln!(out, "          filters: |");
}

fn filter_rules(out: &mut String, name: &str, rules: &[String]) {
    let _ = writeln!(out, "            {name}:");
    for rule in rules {
        let _ = writeln!(out, "              - {}", yaml_quote(rule));
    }
}

/// The step that turns the filters into one output per service and the
/// comma-joined list deploy.sh takes; a manual run deploys every service.
fn list_step(out: &mut String, topology: &Topology, root: &[&String], nested: &[&String]) {
    out.push_str(
        "      - id: list\n        name: List the services to deploy\n        env:\n          \
         EVERYTHING: ${{ github.event_name == 'workflow_dispatch' || steps.base.outputs.sha == '' }}\n",
    );
    let mut all: Vec<(&String, &str)> = root.iter().map(|n| (*n, "root")).collect();
    all.extend(nested.iter().map(|n| (*n, "filter")));
    all.sort();
    for (name, step) in &all {
        let _ = writeln!(
            out,
            "          {}: ${{{{ steps.{step}.outputs.{name} }}}}",
            env_name(name)
        );
    }
    out.push_str("        run: |\n          changed=()\n");
    // Deploy order, so the list reads as deploy.sh runs it.
    for id in topology.levels.iter().flatten() {
        let name = &topology.service(*id).name.value;
        let _ = writeln!(
            out,
            "          if [ \"$EVERYTHING\" = true ] || [ \"${}\" = true ]; then\n            \
             changed+=({name}); echo '{name}=true' >> \"$GITHUB_OUTPUT\"\n          else\n            \
             echo '{name}=false' >> \"$GITHUB_OUTPUT\"\n          fi",
            env_name(name)
        );
    }
    out.push_str(
        "          joined=$(IFS=,; printf '%s' \"${changed[*]}\")\n          \
         echo \"services=$joined\" >> \"$GITHUB_OUTPUT\"\n          \
         echo \"Changed: ${joined:-none}\"\n",
    );
}

/// The condition on the `changes` outputs under which a test runs.
fn test_condition(test: &CiTestPlan) -> String {
    if test.services.is_empty() {
        return "needs.changes.outputs.services != ''".to_string();
    }
    test.services
        .iter()
        .map(|s| format!("needs.changes.outputs.{s} == 'true'"))
        .collect::<Vec<_>>()
        .join(" || ")
}

fn test_job(out: &mut String, test: &CiTestPlan) {
    let _ = writeln!(out, "\n  {}:", test.name);
    let _ = writeln!(out, "    name: Test {}", test.name);
    let _ = writeln!(out, "    needs: changes");
    let _ = writeln!(out, "    if: {}", test_condition(test));
    out.push_str("    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n");
    let _ = writeln!(
        out,
        "    defaults:\n      run:\n        working-directory: {}",
        yaml_quote(&test.dir)
    );
    out.push_str("    steps:\n");
    checkout(out, false);
    let _ = writeln!(out, "      - run: |");
    for line in test.run.lines() {
        let _ = writeln!(out, "          {line}");
    }
}

fn deploy_job(out: &mut String, topology: &Topology, plan: &CiPlan, options: &EmitOptions) {
    let mut needs = vec!["changes".to_string()];
    needs.extend(plan.tests.iter().map(|t| t.name.clone()));
    let project = &topology.stack.project.name.value;
    let _ = write!(
        out,
        "\n  deploy:\n    name: Deploy\n    needs: [{needs}]\n    \
         # Skipped tests (nothing they guard changed) do not stop it; failed ones do.\n    \
         # A manual run deploys only from {branch_comment}, like a push.\n    \
         if: ${{{{ !cancelled() && !failure() && github.ref == 'refs/heads/{branch}' && needs.changes.outputs.services != '' }}}}\n    \
         runs-on: ubuntu-latest\n    \
         # Its secrets can be kept in, and its runs approved in, this environment.\n    \
         environment: fly-{project}\n    \
         permissions:\n      contents: read\n      \
         # gh run list: whether a run covers a newer commit\n      actions: read\n    \
         steps:\n",
        needs = needs.join(", "),
        branch = plan.branch.replace('\'', "''"),
        branch_comment = plan.branch,
    );
    newest_commit_step(out, topology, plan);
    checkout(out, false);
    let _ = write!(
        out,
        "      - uses: {SETUP_FLYCTL}\n        with:\n          version: {FLYCTL_VERSION}\n      \
         - name: Deploy the changed services\n        env:\n          \
         # An org token: fly tokens create org -o {org}\n          \
         FLY_API_TOKEN: ${{{{ secrets.FLY_API_TOKEN }}}}\n          \
         SERVICES: ${{{{ needs.changes.outputs.services }}}}\n        \
         run: |\n          {script} --only \"$SERVICES\"\n",
        org = topology.stack.project.org,
        script = quote(&format!("{}/deploy.sh", options.output_from_project)),
    );
    health_step(out, plan);
}

/// The deploy's first step: stop, failing the run, when the branch has moved
/// on since this run started (a newer push, or a re-run of an old run).
/// Deploying would put older code over newer; failing keeps this run out of
/// the "last successful run" the next one measures its changes from, so the
/// newer run deploys these changes too. When no run covers the newer commit
/// (a re-run took its place in the queue and was the one stopped, or it was
/// pushed with `[skip ci]`), the error says how to start one.
fn newest_commit_step(out: &mut String, topology: &Topology, plan: &CiPlan) {
    let file = file_name(topology);
    let _ = write!(
        out,
        "      - id: newest\n        name: Deploy only the newest commit of the branch\n        env:\n          \
         GH_TOKEN: ${{{{ github.token }}}}\n          \
         BRANCH: {branch}\n        run: |\n          \
         head=$(gh api \"repos/$GITHUB_REPOSITORY/git/ref/heads/$BRANCH\" --jq .object.sha)\n          \
         if [ \"$head\" != \"$GITHUB_SHA\" ]; then\n            \
         covering=$(gh run list --repo \"$GITHUB_REPOSITORY\" --workflow {file} --branch \"$BRANCH\" --commit \"$head\" \\\n              \
         --json status,conclusion --jq '[.[] | select(.status != \"completed\" or .conclusion == \"success\")] | length')\n            \
         if [ \"$covering\" -gt 0 ]; then\n              \
         echo \"::error::$BRANCH is at $head now, not $GITHUB_SHA: the run for $head deploys these changes too\"\n            \
         else\n              \
         echo \"::error::$BRANCH is at $head now, not $GITHUB_SHA, and no run covers it: gh workflow run {file} --ref $BRANCH\"\n            \
         fi\n            \
         exit 1\n          \
         fi\n",
        file = quote(&file),
        branch = yaml_quote(&plan.branch),
    );
}

/// Probes each changed public service's health check on its fly.dev
/// address, retrying while the new machines start.
fn health_step(out: &mut String, plan: &CiPlan) {
    if plan.probes.is_empty() {
        return;
    }
    out.push_str(
        "      - name: Check the health of the deployed services\n        env:\n          \
         SERVICES: ${{ needs.changes.outputs.services }}\n        run: |\n          \
         probe() {\n            \
         echo \"$1: $2\"\n            \
         curl --fail --silent --show-error --output /dev/null --max-time 10 \\\n              \
         --retry 12 --retry-delay 5 --retry-all-errors \"$2\" || { echo \"::error::$1 is not healthy at $2\"; failed=1; }\n          \
         }\n          failed=0\n",
    );
    for probe in &plan.probes {
        let _ = writeln!(
            out,
            "          case \",$SERVICES,\" in *,{name},*) probe {name} {url} ;; esac",
            name = probe.service,
            url = quote(&probe.url),
        );
    }
    out.push_str("          exit \"$failed\"\n");
}
