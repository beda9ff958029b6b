//! The generated deploy.sh of every example, run against a stateful fake
//! flyctl (`tests/fake_flyctl/flyctl`) that keeps apps, volumes, secrets, IPs,
//! stores and deploys in a state file and refuses commands and flags flyctl
//! does not have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use flyx::source::Sources;
use flyx::topology::Topology;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    paths.sort();
    paths
}

fn topology(path: &Path) -> Topology {
    let text = std::fs::read_to_string(path).expect("utf-8");
    let (sources, file) = Sources::single("stack.flyx", text);
    flyx::check(&sources, file)
        .topology
        .expect("the example checks")
}

/// A project folder with one example built into `fly/`, a fake flyctl on
/// PATH and a fresh state file.
struct Project {
    dir: tempfile::TempDir,
    topology: Topology,
    secrets: BTreeMap<String, String>,
}

impl Project {
    fn new(example: &Path) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(example, dir.path().join("stack.flyx")).expect("copy");
        let topology = topology(example);
        for service in &topology.stack.services {
            if let flyx::model::Source::Runtime(b) = &service.source {
                std::fs::create_dir_all(dir.path().join(&b.context.value)).expect("context");
            }
            if let flyx::model::Source::Dockerfile(b) = &service.source {
                std::fs::create_dir_all(dir.path().join(&b.context.value)).expect("context");
            }
        }
        let build = Command::new(env!("CARGO_BIN_EXE_flyx"))
            .args(["build", "stack.flyx"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("flyx runs");
        assert!(
            build.status.success(),
            "{}",
            String::from_utf8_lossy(&build.stderr)
        );
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        std::fs::copy(root().join("tests/fake_flyctl/flyctl"), bin.join("flyctl")).expect("fake");
        // Values with spaces, quotes, `#` and `$`: what a dotenv file can hold.
        let secrets = topology
            .secrets
            .keys()
            .map(|name| (name.clone(), format!("v@l ue#{name}$'\"x")))
            .collect();
        Project {
            dir,
            topology,
            secrets,
        }
    }

    fn deploy(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new("bash");
        command
            // Run from elsewhere: the script finds itself and the project.
            .current_dir(std::env::temp_dir())
            .arg(self.dir.path().join("fly/deploy.sh"))
            .args(args)
            .env("PATH", path)
            .env("FAKE_FLY_STATE", self.state_path())
            .env_remove("FLYCTL")
            .envs(self.secrets.iter());
        for (key, value) in extra {
            command.env(key, value);
        }
        command.output().expect("bash runs")
    }

    fn state_path(&self) -> PathBuf {
        self.dir.path().join("state.json")
    }

    fn state(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.state_path()).unwrap_or_else(|_| "{}".into());
        serde_json::from_str(&text).expect("state is JSON")
    }

    fn events(&self) -> Vec<Vec<serde_json::Value>> {
        self.state()["events"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e.as_array().cloned().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn calls(&self) -> Vec<Vec<String>> {
        self.state()["calls"]
            .as_array()
            .map(|calls| {
                calls
                    .iter()
                    .map(|c| {
                        c.as_array()
                            .unwrap_or(&Vec::new())
                            .iter()
                            .map(|w| w.as_str().unwrap_or_default().to_string())
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn ok(output: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "deploy.sh failed:\n{text}");
    text
}

fn kind(event: &[serde_json::Value]) -> &str {
    event.first().and_then(|k| k.as_str()).unwrap_or_default()
}

fn creations(events: &[Vec<serde_json::Value>]) -> Vec<String> {
    events
        .iter()
        .filter(|e| {
            kind(e).starts_with("create")
                || kind(e).starts_with("allocate")
                || kind(e).starts_with("attach")
        })
        .map(|e| serde_json::to_string(e).unwrap_or_default())
        .collect()
}

/// The order services were deployed in, by service name.
fn deploy_order(project: &Project, events: &[Vec<serde_json::Value>]) -> Vec<String> {
    events
        .iter()
        .filter(|e| kind(e) == "deploy")
        .filter_map(|e| e.get(1).and_then(|a| a.as_str()))
        .filter_map(|app| {
            project
                .topology
                .stack
                .services
                .iter()
                .find(|s| s.app.value == app)
                .map(|s| s.name.value.clone())
        })
        .collect()
}

/// Every app once, every volume once per machine in its region, and every
/// link's target deployed before the service that links to it.
fn assert_fresh_run(project: &Project, events: &[Vec<serde_json::Value>]) {
    let topology = &project.topology;
    for service in &topology.stack.services {
        let created = events
            .iter()
            .filter(|e| kind(e) == "create_app" && e[1] == service.app.value.as_str())
            .count();
        assert_eq!(
            created, 1,
            "app {} created {created} times",
            service.app.value
        );
    }
    for id in topology.service_ids() {
        let service = topology.service(id);
        for placement in &topology.resolved(id).volume_placements {
            let name = &service.volumes[placement.volume].name.value;
            let created = events
                .iter()
                .filter(|e| {
                    kind(e) == "create_volume"
                        && e[1] == service.app.value.as_str()
                        && e[2] == name.as_str()
                        && e[3] == placement.region.code()
                })
                .count();
            assert_eq!(
                created as u32, placement.count,
                "volume {name} of {} in {}",
                service.name.value, placement.region
            );
        }
    }
    let order = deploy_order(project, events);
    assert_eq!(
        order.len(),
        topology.stack.services.len(),
        "every service deploys once: {order:?}"
    );
    for id in topology.service_ids() {
        let service = &topology.service(id).name.value;
        let at = order.iter().position(|s| s == service).expect("deployed");
        for dep in &topology.resolved(id).depends_on {
            let dep = &topology.service(*dep).name.value;
            let dep_at = order.iter().position(|s| s == dep).expect("deployed");
            assert!(
                dep_at < at,
                "{service} deployed before {dep}, which it links to: {order:?}"
            );
        }
    }
}

const READ_ONLY: &[&[&str]] = &[
    &["auth", "whoami"],
    &["apps", "list"],
    &["volumes", "list"],
    &["ips", "list"],
    &["secrets", "list"],
    &["postgres", "list"],
    &["redis", "status"],
    &["mpg", "list"],
    &["mpg", "databases", "list"],
    &["mpg", "users", "list"],
    &["mpg", "databases", "extensions", "list"],
    &["certs", "list"],
    &["certs", "check"],
];

fn mutating(calls: &[Vec<String>]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| {
            !READ_ONLY.iter().any(|r| {
                c.len() >= r.len()
                    && c[..r.len()] == r.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..]
            })
        })
        .map(|c| c.join(" "))
        .collect()
}

#[test]
fn a_fresh_run_creates_everything_once_and_deploys_in_link_order() {
    for example in examples() {
        let project = Project::new(&example);
        ok(&project.deploy(&[], &[]));
        assert_fresh_run(&project, &project.events());
    }
}

#[test]
fn a_second_run_creates_nothing() {
    for example in examples() {
        let project = Project::new(&example);
        ok(&project.deploy(&[], &[]));
        let before = creations(&project.events());
        let second = ok(&project.deploy(&[], &[]));
        assert_eq!(
            creations(&project.events()),
            before,
            "{}",
            example.display()
        );
        assert!(second.contains("Done: 0 created"), "{second}");
    }
}

/// Picks the service to break: one in the middle of the deploy order.
fn middle_service(project: &Project) -> (String, String) {
    let order: Vec<_> = project.topology.levels.iter().flatten().collect();
    let id = *order[order.len() / 2];
    let service = project.topology.service(id);
    (service.name.value.clone(), service.app.value.clone())
}

#[test]
fn a_failed_deploy_stops_the_run_and_a_rerun_completes_without_duplicates() {
    for example in examples() {
        let project = Project::new(&example);
        let (name, app) = middle_service(&project);
        let failed = project.deploy(&[], &[("FAKE_FLY_FAIL_DEPLOY", &app)]);
        assert!(
            !failed.status.success(),
            "{}: the injected failure stops the script",
            example.display()
        );
        let order = deploy_order(&project, &project.events());
        assert!(!order.contains(&name), "{name} did not deploy");
        ok(&project.deploy(&[], &[("FAKE_FLY_FAIL_DEPLOY", &app)]));
        assert_fresh_run(&project, &dedupe_deploys(&project.events()));
    }
}

#[test]
fn from_resumes_at_the_failed_service_without_duplicates() {
    for example in examples() {
        let project = Project::new(&example);
        let (name, app) = middle_service(&project);
        assert!(
            !project
                .deploy(&[], &[("FAKE_FLY_FAIL_DEPLOY", &app)])
                .status
                .success()
        );
        let deployed_before = deploy_order(&project, &project.events());
        ok(&project.deploy(&["--from", &name], &[("FAKE_FLY_FAIL_DEPLOY", &app)]));
        let all = deploy_order(&project, &project.events());
        let resumed = &all[deployed_before.len()..];
        assert_eq!(
            resumed.first(),
            Some(&name),
            "{}: resumes at {name}: {all:?}",
            example.display()
        );
        for earlier in &deployed_before {
            assert!(
                !resumed.contains(earlier),
                "{earlier} is not deployed again after --from {name}"
            );
        }
        assert_fresh_run(&project, &project.events());
    }
}

/// A rerun deploys every service again; for the checks of a fresh run, keep
/// each service's first successful deploy.
fn dedupe_deploys(events: &[Vec<serde_json::Value>]) -> Vec<Vec<serde_json::Value>> {
    let mut seen = Vec::new();
    events
        .iter()
        .filter(|e| {
            if kind(e) != "deploy" {
                return true;
            }
            let app = e[1].to_string();
            if seen.contains(&app) {
                return false;
            }
            seen.push(app);
            true
        })
        .cloned()
        .collect()
}

#[test]
fn a_missing_secret_stops_before_any_change() {
    for example in examples() {
        let mut project = Project::new(&example);
        let Some(first) = project.secrets.keys().next().cloned() else {
            continue;
        };
        project.secrets.remove(&first);
        let output = project.deploy(&[], &[]);
        assert_eq!(output.status.code(), Some(1), "{}", example.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("no value for the secret {first}")),
            "{stderr}"
        );
        assert!(stderr.contains("nothing was changed"), "{stderr}");
        assert_eq!(
            mutating(&project.calls()),
            Vec::<String>::new(),
            "{}",
            example.display()
        );
    }
}

#[test]
fn no_secret_value_is_ever_on_a_command_line() {
    for example in examples() {
        let project = Project::new(&example);
        ok(&project.deploy(&[], &[]));
        let state = project.state();
        let argv = project.calls().concat().join("\n");
        for value in project.secrets.values() {
            assert!(
                !argv.contains(value.as_str()),
                "a secret value reached argv"
            );
        }
        // Store URLs hold passwords too (the fake's contain CREDENTIAL).
        assert!(!argv.contains("CREDENTIAL"), "a store URL reached argv");
        // And the values did reach the apps, through stdin.
        for (name, value) in &project.secrets {
            for id in &project.topology.secrets[name] {
                let app = &project.topology.service(*id).app.value;
                assert_eq!(
                    state["apps"][app]["secrets"][name],
                    value.as_str(),
                    "{name} on {app}"
                );
            }
        }
    }
}

#[test]
fn secrets_can_come_from_a_dotenv_file() {
    let project = Project::new(&root().join("examples/ampel.flyx"));
    let file = project.dir.path().join("secrets.env");
    std::fs::write(
        &file,
        "# production\nJWT_SECRET=\"from file\"\nexport ENCRYPTION_KEY=k3y\n",
    )
    .expect("write");
    let mut empty = Project::new(&root().join("examples/ampel.flyx"));
    empty.secrets.clear();
    std::fs::copy(&file, empty.dir.path().join("secrets.env")).expect("copy");
    let env_file = empty.dir.path().join("secrets.env");
    ok(&empty.deploy(&["--secrets-file", env_file.to_str().expect("utf-8")], &[]));
    let state = empty.state();
    assert_eq!(
        state["apps"]["ampel-api"]["secrets"]["JWT_SECRET"],
        "from file"
    );
    assert_eq!(
        state["apps"]["ampel-worker"]["secrets"]["ENCRYPTION_KEY"],
        "k3y"
    );
    drop(project);
}

#[test]
fn dry_run_changes_nothing_and_prints_every_command() {
    let project = Project::new(&root().join("examples/product-drop.flyx"));
    let text = ok(&project.deploy(&["--dry-run"], &[]));
    assert_eq!(mutating(&project.calls()), Vec::<String>::new());
    assert!(
        text.contains("would run: flyctl apps create drop-nats --org acme"),
        "{text}"
    );
    assert!(text.contains("would run: flyctl volumes create nats_data --app drop-nats --region sjc --size 1 --count 1 --yes"), "{text}");
    assert!(
        text.contains("would run: flyctl deploy --app drop-nats"),
        "{text}"
    );
    let logged_out = project.deploy(&["--dry-run"], &[("FAKE_FLY_LOGGED_OUT", "1")]);
    let text = ok(&logged_out);
    assert!(text.contains("not logged in"), "{text}");
}

#[test]
fn not_logged_in_stops_before_any_change() {
    let project = Project::new(&root().join("examples/aisopod.flyx"));
    let output = project.deploy(&[], &[("FAKE_FLY_LOGGED_OUT", "1")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not logged in to Fly.io"));
    assert_eq!(mutating(&project.calls()), Vec::<String>::new());
}

#[test]
fn a_missing_flyctl_is_named() {
    let project = Project::new(&root().join("examples/aisopod.flyx"));
    let output = project.deploy(&[], &[("FLYCTL", "/nonexistent/flyctl")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("flyctl is not installed"));
}

#[test]
fn list_secrets_prints_one_name_per_line() {
    let project = Project::new(&root().join("examples/ampel.flyx"));
    let output = project.deploy(&["--list-secrets"], &[]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "ENCRYPTION_KEY\nJWT_SECRET\n"
    );
    assert!(project.calls().is_empty(), "no flyctl call at all");
}

#[test]
fn only_deploys_the_named_services_and_names_what_it_assumes() {
    let project = Project::new(&root().join("examples/product-drop.flyx"));
    ok(&project.deploy(&[], &[]));
    let before = project.events().len();
    let text = ok(&project.deploy(&["--only", "web,worker"], &[]));
    let events = project.events();
    assert_eq!(deploy_order(&project, &events[before..]), ["worker", "web"]);
    assert!(
        text.contains("Assuming already deployed: api nats restate sse"),
        "{text}"
    );
}

#[test]
fn unknown_services_and_options_are_usage_errors() {
    let project = Project::new(&root().join("examples/product-drop.flyx"));
    let output = project.deploy(&["--from", "nope"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no service named 'nope'"));
    assert_eq!(
        project.deploy(&["--frobnicate"], &[]).status.code(),
        Some(2)
    );
    let help = project.deploy(&["--help"], &[]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--secrets-file FILE"));
}

#[test]
fn parallel_deploys_a_level_at_once_and_fails_it_if_one_fails() {
    let project = Project::new(&root().join("examples/product-drop.flyx"));
    let text = ok(&project.deploy(&["--parallel"], &[]));
    assert!(text.contains("[api] ==> [api] deploy drop-api"), "{text}");
    assert_fresh_run(&project, &project.events());

    let broken = Project::new(&root().join("examples/product-drop.flyx"));
    let output = broken.deploy(&["--parallel"], &[("FAKE_FLY_FAIL_DEPLOY", "drop-sse")]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("level 1 failed"));
    let order = deploy_order(&broken, &broken.events());
    assert!(
        !order.contains(&"web".to_string()),
        "the next level does not start: {order:?}"
    );
}

#[test]
fn private_services_get_no_public_ip_and_flycast_targets_get_a_private_one() {
    let project = Project::new(&root().join("tests/cases/every_attribute/input.flyx"));
    ok(&project.deploy(&[], &[]));
    let state = project.state();
    let ips = |app: &str| -> Vec<String> {
        state["apps"][app]["ips"]
            .as_array()
            .map(|ips| {
                ips.iter()
                    .map(|ip| ip["type"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        ips("ks-search"),
        ["private_v6"],
        "private, reached through flycast"
    );
    assert_eq!(
        ips("ks-admin"),
        Vec::<String>::new(),
        "private: no address at all"
    );
    // A public TCP port makes flyctl ask before it allocates anything on the
    // first deploy (DetermineIPType "dedicated"), which a script cannot
    // answer: deploy.sh allocates the dedicated IPv4 and the public IPv6
    // flyctl would have, after the deploy.
    assert_eq!(
        ips("ks-application"),
        ["v4", "v6"],
        "public TCP ports get a dedicated IPv4, and the app its public IPv6"
    );
}

#[test]
fn every_deploy_script_passes_shellcheck() {
    let available = Command::new("shellcheck").arg("--version").output().is_ok();
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "shellcheck is not installed, and CI is set"
        );
        eprintln!("shellcheck is not installed; skipping (it runs in CI)");
        return;
    }
    let mut inputs = examples();
    for entry in std::fs::read_dir(root().join("tests/cases")).expect("cases") {
        inputs.push(entry.expect("entry").path().join("input.flyx"));
    }
    for input in inputs {
        let text = std::fs::read_to_string(&input).expect("utf-8");
        let (sources, file) = Sources::single("stack.flyx", text);
        let Some(topology) = flyx::check(&sources, file).topology else {
            continue;
        };
        let Ok(outputs) =
            flyx::emit::emit(&topology, &flyx::emit::EmitOptions::beside("stack.flyx"))
        else {
            continue;
        };
        let script = &outputs.get("deploy.sh").expect("deploy.sh").contents;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("deploy.sh");
        std::fs::write(&path, script).expect("write");
        let output = Command::new("shellcheck")
            .arg(&path)
            .output()
            .expect("shellcheck runs");
        assert!(
            output.status.success(),
            "{}:\n{}",
            input.display(),
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(format!("{name}.flyx"))
}

fn events_of<'a>(
    events: &'a [Vec<serde_json::Value>],
    what: &'a str,
) -> impl Iterator<Item = &'a Vec<serde_json::Value>> + 'a {
    events.iter().filter(move |e| kind(e) == what)
}

#[test]
fn no_credential_flyctl_prints_reaches_the_output() {
    for example in examples() {
        let project = Project::new(&example);
        let first = ok(&project.deploy(&[], &[]));
        let second = ok(&project.deploy(&[], &[]));
        let dry = ok(&project.deploy(&["--dry-run"], &[]));
        for output in [first, second, dry] {
            assert!(
                !output.contains("CREDENTIAL"),
                "{}: a password flyctl printed reached deploy.sh's output:\n{output}",
                example.display()
            );
        }
    }
}

#[test]
fn a_code_only_redeploy_needs_no_secret_values() {
    for example in examples() {
        let mut project = Project::new(&example);
        if project.secrets.is_empty() {
            continue;
        }
        ok(&project.deploy(&[], &[]));
        let staged = events_of(&project.events(), "stage_secrets").count();
        project.secrets.clear();
        let second = ok(&project.deploy(&[], &[]));
        assert_eq!(
            events_of(&project.events(), "stage_secrets").count(),
            staged,
            "{}: nothing to stage without values:\n{second}",
            example.display()
        );
    }
}

#[test]
fn a_value_given_on_a_later_run_is_staged_and_a_new_app_needs_one() {
    let mut project = Project::new(&example("product-drop"));
    ok(&project.deploy(&[], &[]));
    let value = project.secrets["API_SECRET_KEY"].clone();
    project.secrets.clear();
    project
        .secrets
        .insert("API_SECRET_KEY".into(), format!("{value}-rotated"));
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    let last = events_of(&events, "stage_secrets").last().expect("staged");
    assert_eq!(last[1], "drop-api");
    assert_eq!(last[2], serde_json::json!(["API_SECRET_KEY"]));
    assert_eq!(
        project.state()["apps"]["drop-api"]["secrets"]["API_SECRET_KEY"],
        format!("{value}-rotated").as_str()
    );

    let mut fresh = Project::new(&example("product-drop"));
    fresh.secrets.clear();
    let output = fresh.deploy(&[], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "no value for the secret API_SECRET_KEY, which drop-api (api) does not have yet"
        ),
        "{stderr}"
    );
}

#[test]
fn only_services_whose_count_the_stack_sets_are_scaled() {
    let project = Project::new(&example("product-drop"));
    ok(&project.deploy(&[], &[]));
    ok(&project.deploy(&[], &[]));
    let scaled: std::collections::BTreeSet<String> = events_of(&project.events(), "scale")
        .map(|e| e[1].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        scaled.into_iter().collect::<Vec<_>>(),
        ["drop-api", "drop-sse"],
        "web, worker, nats and restate set no count: a hand-set count stays"
    );
}

#[test]
fn services_with_one_build_recipe_build_one_image() {
    let project = Project::new(&example("chain-indexers"));
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    let builds: Vec<_> = events_of(&events, "build").collect();
    assert_eq!(builds.len(), 1, "one build for eight indexers: {builds:?}");
    let image = builds[0][3].as_str().expect("a pushed image").to_string();
    assert!(image.starts_with("registry.fly.io/cw-index-"), "{image}");
    let deployed_with_image = events_of(&events, "deploy")
        .filter(|e| e[4] == image.as_str())
        .count();
    assert_eq!(deployed_with_image, 8);
    // NATS is an image: it builds nothing and deploys no shared image.
    assert!(events_of(&events, "deploy").any(|e| e[1] == "cw-nats" && e[4].is_null()));

    // One indexer alone builds its own image, as a plain deploy.
    let alone = Project::new(&example("chain-indexers"));
    ok(&alone.deploy(&[], &[]));
    ok(&alone.deploy(&["--only", "index-base"], &[]));
    let events = alone.events();
    let last_build = events_of(&events, "build").last().expect("built");
    assert_eq!(last_build[1], "cw-index-base");
    assert!(
        last_build[3].is_null(),
        "a plain deploy builds: {last_build:?}"
    );
}

#[test]
fn a_listing_that_cannot_be_read_stops_the_run_before_creating_twice() {
    let project = Project::new(&example("product-drop"));
    ok(&project.deploy(&[], &[]));
    let volumes = events_of(&project.events(), "create_volume").count();
    let output = project.deploy(&[], &[("FAKE_FLY_GARBLE", "volumes list")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not JSON"), "{stderr}");
    assert_eq!(
        events_of(&project.events(), "create_volume").count(),
        volumes,
        "no volume created because a listing could not be read"
    );
}

#[test]
fn postgres_users_get_least_privilege_unless_asked() {
    // Legacy Fly Postgres: no superuser.
    let legacy = Project::new(&example("chain-indexers"));
    ok(&legacy.deploy(&[], &[]));
    let attaches: Vec<_> = events_of(&legacy.events(), "attach_postgres")
        .cloned()
        .collect();
    assert_eq!(attaches.len(), 8);
    for attach in &attaches {
        assert_eq!(attach[6], "user", "{attach:?}");
        assert!(
            attach[5]
                .as_str()
                .is_some_and(|db| db.starts_with("indexer_")),
            "a database per indexer: {attach:?}"
        );
    }
    // Managed Postgres: the API migrates (schema_admin), the worker writes.
    let managed = Project::new(&example("ampel"));
    ok(&managed.deploy(&[], &[]));
    let events = managed.events();
    let users: Vec<(String, String)> = events_of(&events, "create_mpg_user")
        .map(|e| {
            (
                e[2].as_str().unwrap_or_default().into(),
                e[3].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        users,
        [
            ("ampel_api".to_string(), "schema_admin".to_string()),
            ("ampel_worker".to_string(), "writer".to_string())
        ]
    );
    assert_eq!(events_of(&events, "create_mpg_database").count(), 1);
    assert_eq!(events_of(&events, "attach_mpg").count(), 2);
    ok(&managed.deploy(&[], &[]));
    assert_eq!(
        creations(&managed.events()),
        creations(&events),
        "a second run creates no database, user or attachment"
    );
}

#[test]
fn migrations_run_as_release_commands_even_when_machines_have_stopped() {
    for (name, app) in [("medio", "medio-backend"), ("ampel", "ampel-api")] {
        let project = Project::new(&example(name));
        ok(&project.deploy(&[], &[]));
        // Fly stops idle machines; flyctl's deploy leaves them stopped.
        let idle = Command::new(project.dir.path().join("bin/flyctl"))
            .arg("__idle")
            .env("FAKE_FLY_STATE", project.state_path())
            .output()
            .expect("fake runs");
        assert!(idle.status.success());
        ok(&project.deploy(&[], &[]));
        let events = project.events();
        assert_eq!(
            events_of(&events, "release_command")
                .filter(|e| e[1] == app)
                .count(),
            2,
            "{name}: the migration runs before each deploy of {app}"
        );
        assert_eq!(events_of(&events, "ssh").count(), 0, "{name}: no SSH step");
    }
}

/// Runs the product-drop Restate registration step as the Restate machine
/// would (`sh -c`), with a curl that serves `manifest` as the worker's
/// discovery answer; returns whether it succeeded and what it posted to the
/// admin API.
fn register_with_manifest(command: &str, manifest: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let curl = dir.path().join("curl");
    std::fs::write(
        &curl,
        "#!/bin/sh\ncase \"$*\" in\n  *--http2-prior-knowledge*/discover*) printf '%s' \"$MANIFEST\" ;;\n  *localhost:9070/deployments*) printf '%s\\n' \"$*\" >> \"$POSTED\" ;;\n  *) exit 7 ;;\nesac\n",
    )
    .expect("write curl");
    let mut perms = std::fs::metadata(&curl).expect("curl").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&curl, perms).expect("chmod");
    let posted = dir.path().join("posted");
    let words: Vec<&str> = vec!["sh", "-c"];
    let script = command
        .strip_prefix("sh -c '")
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("the step is `sh -c '...'`");
    let output = Command::new(words[0])
        .args(&words[1..])
        .arg(script)
        .env(
            "PATH",
            format!(
                "{}:{}",
                dir.path().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("MANIFEST", manifest)
        .env("POSTED", &posted)
        .output()
        .expect("sh runs");
    (
        output.status.success(),
        std::fs::read_to_string(posted).unwrap_or_default(),
    )
}

#[test]
fn restate_registers_the_worker_only_when_its_handlers_change() {
    let project = Project::new(&example("product-drop"));
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    let step = events_of(&events, "ssh")
        .find(|e| e[1] == "drop-restate")
        .and_then(|e| e[2].as_str())
        .expect("the registration step runs on Restate")
        .to_string();
    assert!(!step.contains("force"), "never forced: {step}");
    let (ok_first, first) = register_with_manifest(&step, r#"{"services":[{"name":"Orders"}]}"#);
    assert!(ok_first);
    // The same handlers, with the keys in another order: the same deployment.
    let (_, again) = register_with_manifest(&step, r#"{ "services" : [ {"name":"Orders"} ] }"#);
    let (_, changed) = register_with_manifest(
        &step,
        r#"{"services":[{"name":"Orders"},{"name":"Refunds"}]}"#,
    );
    assert!(
        first.contains("http://drop-worker.internal:8080/m-"),
        "{first}"
    );
    assert_eq!(first, again, "an unchanged manifest registers the same URI");
    assert_ne!(first, changed, "new handlers register a new deployment");
    // A worker that does not answer discovery registers nothing, and the
    // step fails, which stops deploy.sh.
    for broken in ["", "<html>502</html>"] {
        let (succeeded, posted) = register_with_manifest(&step, broken);
        assert!(!succeeded, "{broken:?}");
        assert_eq!(posted, "", "{broken:?}");
    }
}

#[test]
fn a_database_url_set_by_hand_is_kept_with_a_warning() {
    let project = Project::new(&example("ampel"));
    let fake = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = Command::new(project.dir.path().join("bin/flyctl"))
            .args(args)
            .env("FAKE_FLY_STATE", project.state_path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("fake runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        assert!(child.wait().expect("fake ends").success());
    };
    // The seed's way: the superuser URL of the old cluster, set by hand.
    fake(&["apps", "create", "ampel-api", "--org", "ampel-org"], "");
    fake(
        &["secrets", "import", "--app", "ampel-api", "--stage"],
        "DATABASE_URL=postgres://postgres:x@ampel-db.flycast:5432/ampel\n",
    );
    let output = ok(&project.deploy(&[], &[]));
    assert!(
        output.contains("ampel-api already has a DATABASE_URL that Managed Postgres ampel-db did not attach; it is kept"),
        "{output}"
    );
    let attached: Vec<_> = events_of(&project.events(), "attach_mpg")
        .map(|e| e[1].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(attached, ["ampel-worker"]);
}

#[test]
fn after_orders_a_deploy_without_a_link() {
    let project = Project::new(&example("ampel"));
    let level = |name: &str| {
        project
            .topology
            .levels
            .iter()
            .position(|ids| {
                ids.iter()
                    .any(|id| project.topology.service(*id).name.value == name)
            })
            .expect("a level")
    };
    assert!(
        level("api") < level("worker"),
        "the worker is a level after the API, so --parallel cannot start it first"
    );
    ok(&project.deploy(&["--parallel"], &[]));
    let order = deploy_order(&project, &project.events());
    let at = |name: &str| order.iter().position(|s| s == name).expect("deployed");
    assert!(
        at("api") < at("worker"),
        "the worker waits for the API's migration: {order:?}"
    );
    let events = project.events();
    let release = events
        .iter()
        .position(|e| kind(e) == "release_command")
        .expect("the API migrates");
    let worker = events
        .iter()
        .position(|e| kind(e) == "deploy" && e[1] == "ampel-worker")
        .expect("the worker deploys");
    assert!(release < worker);
}

#[test]
fn a_per_group_count_scales_each_group_by_name_and_only_those() {
    let project = Project::new(&example("django-celery"));
    ok(&project.deploy(&[], &[]));
    ok(&project.deploy(&[], &[]));
    let scaled: Vec<Vec<serde_json::Value>> =
        events_of(&project.events(), "scale").cloned().collect();
    let expected = serde_json::json!([
        "scale",
        "shop-web",
        "ams",
        ["beat=1", "cron=1", "web=2", "worker=1"]
    ]);
    assert_eq!(scaled.len(), 2, "one scale per run: {scaled:?}");
    assert!(
        scaled
            .iter()
            .all(|e| serde_json::Value::from(e.clone()) == expected),
        "{scaled:?}"
    );
}

#[test]
fn schedules_run_on_one_machine_in_the_primary_region_only() {
    let project = Project::new(&example("saas"));
    ok(&project.deploy(&[], &[]));
    let scaled: Vec<(String, String, Vec<String>)> = events_of(&project.events(), "scale")
        .filter(|e| e[1] == "saas-api")
        .map(|e| {
            let counts = e[3]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (
                e[1].to_string(),
                e[2].as_str().unwrap_or_default().to_string(),
                counts,
            )
        })
        .collect();
    let cron: Vec<_> = scaled
        .iter()
        .filter(|(_, _, counts)| counts.iter().any(|c| c.starts_with("cron=")))
        .collect();
    assert_eq!(cron.len(), 1, "{scaled:?}");
    assert_eq!(cron[0].1, "iad");
    assert!(cron[0].2.contains(&"cron=1".to_string()));
    assert_eq!(scaled.len(), 3, "iad, ams and sin: {scaled:?}");
    // The deployed config has the cron group, or flyctl would refuse the count.
    let state = project.state();
    assert_eq!(
        state["apps"]["saas-api"]["groups"],
        serde_json::json!(["app", "cron"])
    );
}

fn consul_project() -> Project {
    Project::new(&root().join("tests/cases/consul_litefs/input.flyx"))
}

#[test]
fn consul_is_attached_once_before_the_first_deploy() {
    let project = consul_project();
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    let attach = events
        .iter()
        .position(|e| kind(e) == "consul_attach")
        .expect("Consul is attached");
    let deploy = events
        .iter()
        .position(|e| kind(e) == "deploy")
        .expect("the app deploys");
    assert!(
        attach < deploy,
        "the first deploy starts with FLY_CONSUL_URL"
    );
    assert_eq!(
        events_of(&events, "redeploy").count(),
        0,
        "an app never deployed is not redeployed by the attach"
    );
    assert!(project.state()["apps"]["notes-app"]["secrets"]["FLY_CONSUL_URL"].is_string());
    let second = ok(&project.deploy(&[], &[]));
    assert_eq!(events_of(&project.events(), "consul_attach").count(), 1);
    assert!(second.contains("Done: 0 created"), "{second}");
}

#[test]
fn consul_is_attached_again_when_its_secret_was_removed() {
    let project = consul_project();
    ok(&project.deploy(&[], &[]));
    let mut state = project.state();
    state["apps"]["notes-app"]["secrets"]
        .as_object_mut()
        .expect("secrets")
        .remove("FLY_CONSUL_URL");
    std::fs::write(project.state_path(), state.to_string()).expect("state");
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    assert_eq!(events_of(&events, "consul_attach").count(), 2);
    assert_eq!(
        events_of(&events, "redeploy").count(),
        1,
        "on a deployed app the attach redeploys at once"
    );
}

#[test]
fn a_consul_attach_that_sets_nothing_stops_the_run() {
    let project = consul_project();
    let failed = project.deploy(&[], &[("FAKE_CONSUL_FAIL", "1")]);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "`flyctl consul attach --app notes-app` exited 0, but notes-app has no FLY_CONSUL_URL"
        ),
        "{stderr}"
    );
    assert_eq!(
        events_of(&project.events(), "deploy").count(),
        0,
        "nothing deploys without the lease"
    );
    ok(&project.deploy(&[], &[]));
    assert_eq!(events_of(&project.events(), "consul_attach").count(), 1);
}

#[test]
fn a_consul_dry_run_changes_nothing() {
    let project = consul_project();
    let text = ok(&project.deploy(&["--dry-run"], &[]));
    assert_eq!(mutating(&project.calls()), Vec::<String>::new());
    assert!(
        text.contains("would run: flyctl consul attach --app notes-app"),
        "{text}"
    );
    assert!(
        !text.contains("FLY_CONSUL_URL, which"),
        "no value is asked for the secret Consul sets: {text}"
    );
}
/// The hostnames a run added certificates for, as `app host`.
fn certificates_added(events: &[Vec<serde_json::Value>]) -> Vec<String> {
    events_of(events, "create_cert")
        .map(|e| {
            format!(
                "{} {}",
                e[1].as_str().unwrap_or_default(),
                e[2].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn custom_domains_get_one_certificate_each_after_their_deploy_and_print_their_dns_records() {
    let project = Project::new(&example("ampel"));
    let first = ok(&project.deploy(&[], &[]));
    let events = project.events();
    assert_eq!(
        certificates_added(&events),
        [
            "ampel-api api.ampel.example.com",
            "ampel-frontend ampel.example.com"
        ]
    );
    for app in ["ampel-api", "ampel-frontend"] {
        let deployed = events
            .iter()
            .position(|e| kind(e) == "deploy" && e[1] == app)
            .expect("deployed");
        let certified = events
            .iter()
            .position(|e| kind(e) == "create_cert" && e[1] == app)
            .expect("a certificate");
        assert!(
            deployed < certified,
            "{app}: the certificate needs the deploy's IPs"
        );
    }
    for text in [
        "  ampel.example.com (frontend): certificate not issued yet",
        "    AAAA   ampel.example.com -> 2a09::1",
        "    A      ampel.example.com -> 66.1.1.1   (IPv4 traffic; an A record alone cannot validate the certificate)",
        "    TXT    _fly-ownership.api.ampel.example.com -> app-ampel-api-7f3",
        "    then run `flyctl certs check ampel.example.com --app ampel-frontend`",
    ] {
        assert!(first.contains(text), "{text}\n{first}");
    }
    assert!(
        !first.contains("Certificate created"),
        "what `certs add` prints stays out: {first}"
    );
    // A second run adds nothing, and still says what DNS needs.
    let second = ok(&project.deploy(&[], &[]));
    assert_eq!(certificates_added(&project.events()).len(), 2);
    assert!(second.contains("Done: 0 created"), "{second}");
    assert!(
        second.contains("    AAAA   api.ampel.example.com -> 2a09::1"),
        "{second}"
    );
    // Once DNS is set, the certificates are issued and nothing more is asked.
    let dns = [(
        "FAKE_FLY_DNS_SET",
        "ampel.example.com,api.ampel.example.com",
    )];
    let third = ok(&project.deploy(&[], &dns));
    assert!(
        third.contains("  ampel.example.com (frontend): certificate issued"),
        "{third}"
    );
    assert!(
        third.contains("  api.ampel.example.com (api): certificate issued"),
        "{third}"
    );
    assert!(!third.contains("AAAA"), "{third}");
    assert_eq!(certificates_added(&project.events()).len(), 2);
}

#[test]
fn a_dry_run_names_the_certificates_it_would_add_and_adds_none() {
    let project = Project::new(&example("ampel"));
    let fresh = ok(&project.deploy(&["--dry-run"], &[]));
    assert_eq!(mutating(&project.calls()), Vec::<String>::new());
    assert!(
        fresh.contains("would run: flyctl certs add ampel.example.com --app ampel-frontend"),
        "{fresh}"
    );
    assert!(
        fresh.contains("ampel.example.com (frontend): no certificate yet"),
        "{fresh}"
    );
    ok(&project.deploy(&[], &[]));
    let calls = project.calls().len();
    let again = ok(&project.deploy(&["--dry-run"], &[]));
    assert!(!again.contains("certs add"), "{again}");
    assert!(
        again.contains("    AAAA   ampel.example.com -> 2a09::1"),
        "{again}"
    );
    assert_eq!(mutating(&project.calls()[calls..]), Vec::<String>::new());
}

#[test]
fn a_certificate_already_on_the_app_is_not_added_again() {
    let project = Project::new(&example("ampel"));
    let state = serde_json::json!({
        "apps": {
            "ampel-frontend": {
                "org": "ampel-org", "volumes": [], "ips": [], "secrets": {},
                "deploys": 0, "counts": {}, "certs": ["ampel.example.com"]
            }
        }
    });
    std::fs::write(project.state_path(), state.to_string()).expect("state");
    ok(&project.deploy(&[], &[]));
    assert_eq!(
        certificates_added(&project.events()),
        ["ampel-api api.ampel.example.com"]
    );
}

#[test]
fn only_adds_and_reports_the_domains_of_the_services_it_deploys() {
    let project = Project::new(&example("ampel"));
    ok(&project.deploy(&[], &[]));
    let output = ok(&project.deploy(&["--only", "worker"], &[]));
    assert!(!output.contains("Custom domains"), "{output}");
}

/// The kinds of the IPs an app has, in the order they were allocated.
fn ip_kinds(project: &Project, app: &str) -> Vec<String> {
    project.state()["apps"][app]["ips"]
        .as_array()
        .map(|ips| {
            ips.iter()
                .map(|ip| ip["type"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn phoenix_scales_two_regions_and_reaches_pricing_only_through_flycast() {
    let project = Project::new(&example("phoenix-cluster"));
    ok(&project.deploy(&[], &[]));
    ok(&project.deploy(&[], &[]));
    assert_eq!(
        ip_kinds(&project, "shop-pricing"),
        ["private_v6"],
        "one flycast address, allocated once, and nothing public"
    );
    assert!(
        ip_kinds(&project, "shop-web").contains(&"shared_v4".to_string()),
        "web is public"
    );
    let events = project.events();
    let scaled: Vec<(String, Vec<serde_json::Value>)> = events_of(&events, "scale")
        .filter(|e| e[1] == "shop-web")
        .map(|e| {
            let region = e[2].as_str().unwrap_or_default().to_string();
            (region, e[3].as_array().cloned().unwrap_or_default())
        })
        .collect();
    let once: Vec<(String, Vec<serde_json::Value>)> = ["ams", "iad"]
        .iter()
        .map(|r| (r.to_string(), vec![serde_json::json!("app=2")]))
        .collect();
    assert_eq!(
        scaled,
        [once.clone(), once].concat(),
        "two machines in each region, on every run"
    );
    let state = project.state();
    assert_eq!(state["apps"]["shop-web"]["counts"]["app@ams"], 2);
    assert_eq!(state["apps"]["shop-web"]["counts"]["app@iad"], 2);
    let order = deploy_order(&project, &events);
    assert_eq!(order[..2], ["pricing", "web"], "pricing deploys first");
    assert_migrates_before_scaling(&events, "/app/bin/migrate");
}

#[test]
fn rails_scales_both_groups_at_once_and_meilisearch_gets_one_volume() {
    let project = Project::new(&example("rails-sidekiq"));
    ok(&project.deploy(&[], &[]));
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    let scaled: Vec<&Vec<serde_json::Value>> = events_of(&events, "scale").collect();
    assert_eq!(scaled.len(), 2, "one scale per run, in the one region");
    for event in scaled {
        assert_eq!(event[1], "forum-app");
        assert_eq!(event[2], "ord");
        assert_eq!(event[3], serde_json::json!(["web=2", "worker=1"]));
    }
    let volumes: Vec<&Vec<serde_json::Value>> = events_of(&events, "create_volume").collect();
    assert_eq!(
        volumes,
        [&vec![
            serde_json::json!("create_volume"),
            serde_json::json!("forum-search"),
            serde_json::json!("meili_data"),
            serde_json::json!("ord"),
        ]],
        "one volume for Meilisearch's one machine, created once"
    );
    assert_eq!(
        ip_kinds(&project, "forum-search"),
        Vec::<String>::new(),
        "Meilisearch is private and reached over .internal: no address at all"
    );
    let state = project.state();
    assert_eq!(
        state["apps"]["forum-app"]["secrets"]["MEILI_MASTER_KEY"],
        state["apps"]["forum-search"]["secrets"]["MEILI_MASTER_KEY"],
        "one master key, staged on both apps"
    );
    assert_eq!(
        events_of(&events, "create_redis").count(),
        1,
        "Sidekiq's Redis is created once"
    );
    let order = deploy_order(&project, &events);
    assert_eq!(order[..2], ["search", "app"], "search deploys first");
    assert_migrates_before_scaling(&events, "./bin/rails db:prepare");
}

/// The release command `command` ran, and before the first `scale count`:
/// more machines join only once the schema is migrated.
fn assert_migrates_before_scaling(events: &[Vec<serde_json::Value>], command: &str) {
    let release = events
        .iter()
        .position(|e| kind(e) == "release_command" && e[2] == command)
        .unwrap_or_else(|| panic!("`{command}` never ran: {events:?}"));
    let first_scale = events
        .iter()
        .position(|e| kind(e) == "scale")
        .expect("scaled");
    assert!(
        release < first_scale,
        "`{command}` runs before more machines join"
    );
}

/// The apps of `tests/cases/adopted_stack` as they already run on Fly, with
/// machines, IPs and volumes their fly.toml files never set: several regions
/// and groups, public IPv6 and shared IPv4 (no dedicated IPv4 on etcd, whose
/// public TLS port would want one), a flycast address, volumes outside the
/// primary region.
fn running_apps() -> serde_json::Value {
    let machines = |list: &[(&str, &str)]| -> Vec<serde_json::Value> {
        list.iter()
            .enumerate()
            .map(|(i, (group, region))| {
                serde_json::json!({"id": format!("m_old_{group}_{region}_{i}"), "group": group, "region": region})
            })
            .collect()
    };
    let volumes = |app: &str, regions: &[&str]| -> Vec<serde_json::Value> {
        regions
            .iter()
            .enumerate()
            .map(|(i, region)| {
                serde_json::json!({"id": format!("vol_old_{app}_{i}"), "name": "data", "region": region, "size_gb": 10})
            })
            .collect()
    };
    let public = serde_json::json!([
        {"type": "v6", "address": "2a09:8280:1::1"},
        {"type": "shared_v4", "address": "66.241.124.1"}
    ]);
    serde_json::json!({
        "apps": {
            "acme-web": {
                "org": "acme", "deploys": 7, "secrets": {}, "counts": {}, "volumes": [],
                "ips": public, "groups": ["app", "worker"],
                "machines": machines(&[("app", "ams"), ("app", "ams"), ("app", "fra"), ("worker", "ams"), ("worker", "fra")]),
            },
            "acme-search": {
                "org": "acme", "deploys": 3, "secrets": {}, "counts": {},
                "volumes": volumes("acme-search", &["ams", "fra"]),
                "ips": [{"type": "private_v6", "address": "fdaa:0:1::3"}], "groups": ["app"],
                "machines": machines(&[("app", "ams"), ("app", "fra")]),
            },
            "acme-etcd": {
                "org": "acme", "deploys": 5, "secrets": {}, "counts": {},
                "volumes": volumes("acme-etcd", &["fra", "fra", "fra"]),
                "ips": public, "groups": ["app"],
                "machines": machines(&[("app", "fra"), ("app", "fra"), ("app", "fra")]),
            }
        }
    })
}

/// What deploy.sh must leave as it found it on a running app.
fn footprint(state: &serde_json::Value) -> BTreeMap<String, String> {
    ["acme-web", "acme-search", "acme-etcd"]
        .iter()
        .flat_map(|app| {
            ["machines", "ips", "volumes", "counts"]
                .iter()
                .map(move |what| {
                    (
                        format!("{app} {what}"),
                        state["apps"][app][what].to_string(),
                    )
                })
        })
        .collect()
}

#[test]
fn an_adopted_stack_deploys_over_running_apps_without_changing_them() {
    let project = Project::new(&root().join("tests/cases/adopted_stack/input.flyx"));
    std::fs::write(project.state_path(), running_apps().to_string()).expect("state");
    let before = footprint(&project.state());
    let output = project.deploy(&[], &[]);
    ok(&output);
    assert_eq!(
        mutating(&project.calls()),
        [
            "deploy --app acme-etcd --config {dir}/fly/etcd/fly.toml --remote-only --ha=false --wait-timeout 5m --yes",
            "deploy --app acme-search --config {dir}/fly/search/fly.toml --remote-only --ha=false --wait-timeout 5m --yes --no-public-ips",
            "deploy --app acme-web --config {dir}/fly/web/fly.toml --remote-only --ha=false --wait-timeout 5m --yes",
        ]
        .map(|call| call.replace("{dir}", &project.dir.path().display().to_string())),
        "only deploys: no app, volume or IP created, no scale count for counts the file never set"
    );
    assert_eq!(
        footprint(&project.state()),
        before,
        "machines, IPs, volumes and counts as they were"
    );
    let events = project.events();
    assert!(
        !events.iter().any(|e| kind(e).ends_with("_machine")),
        "no machine launched or destroyed: {events:?}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("acme-etcd has no dedicated IPv4")
            && stderr.contains("ips allocate-v4 --app acme-etcd"),
        "the app that lacks the address its public TCP port wants is told, not changed: {stderr}"
    );
    let calls = project.calls().len();
    ok(&project.deploy(&[], &[]));
    assert_eq!(
        mutating(&project.calls()[calls..]).len(),
        3,
        "a second run deploys again and changes nothing else"
    );
    assert_eq!(footprint(&project.state()), before);
}

#[test]
fn a_never_deployed_stack_gets_its_first_volume_and_addresses_once() {
    let project = Project::new(&root().join("tests/cases/adopted_stack/input.flyx"));
    ok(&project.deploy(&[], &[]));
    let events = project.events();
    assert_fresh_run(&project, &events);
    assert_eq!(
        ip_kinds(&project, "acme-web"),
        ["v6", "shared_v4"],
        "flyctl's first deploy"
    );
    assert_eq!(
        ip_kinds(&project, "acme-search"),
        ["private_v6"],
        "flycast, nothing public"
    );
    assert_eq!(
        ip_kinds(&project, "acme-etcd"),
        ["v4", "v6"],
        "flyctl only offers addresses at a prompt for a `tls`-only port (DetermineIPType \"dedicated\"): deploy.sh allocates them after the first deploy"
    );
    let before = creations(&project.events());
    ok(&project.deploy(&[], &[]));
    assert_eq!(
        creations(&project.events()),
        before,
        "a second run creates nothing"
    );
}
