//! compose.yaml: every example's file is accepted by docker-compose 1.29.

mod common;
use common::{inputs, root};

use std::path::Path;
use std::process::Command;

use flyx::source::Sources;
use flyx::{CheckOptions, expand::NoFiles};

/// The compose.yaml of a base build (`None`) or of one environment's build.
fn compose_for(input: &Path, environment: Option<&str>) -> Option<String> {
    let text = std::fs::read_to_string(input).expect("utf-8");
    let (sources, file) = Sources::single("stack.flyx", text);
    let options = CheckOptions {
        loader: &NoFiles,
        environment,
    };
    let topology = flyx::check_with(&sources, file, &options).topology?;
    let emit = flyx::emit::EmitOptions::beside_for("stack.flyx", environment);
    let outputs = flyx::emit::emit(&topology, &emit).ok()?;
    Some(
        outputs
            .get("compose.yaml")
            .expect("compose.yaml")
            .contents
            .clone(),
    )
}

/// Every file of an input's base build, which must check and emit.
fn base_outputs(input: &Path) -> flyx::emit::Outputs {
    let text = std::fs::read_to_string(input).expect("utf-8");
    let (sources, file) = Sources::single("stack.flyx", text);
    let topology = flyx::check(&sources, file).topology.expect("checks");
    flyx::emit::emit(&topology, &flyx::emit::EmitOptions::beside("stack.flyx")).expect("emits")
}

fn compose_of(input: &Path) -> Option<String> {
    compose_for(input, None)
}

/// Every build of an input: its name, output folder and compose.yaml, the
/// base one and one per environment.
fn builds(input: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(input).expect("utf-8");
    let (sources, file) = Sources::single("stack.flyx", text);
    let environments = flyx::check(&sources, file).environments;
    let mut out = Vec::new();
    out.extend(compose_of(input).map(|c| (input.display().to_string(), "fly".to_string(), c)));
    for environment in environments {
        if let Some(compose) = compose_for(input, Some(&environment)) {
            let name = format!("{} --env {environment}", input.display());
            out.push((name, format!("fly/{environment}"), compose));
        }
    }
    out
}

/// Creates the build contexts and `.env` docker-compose 1.29 insists exist.
fn lay_out(project: &Path, output: &str, compose: &str) {
    let output = project.join(output);
    std::fs::create_dir_all(&output).expect("fly/");
    std::fs::write(project.join(".env"), "").expect(".env");
    for line in compose.lines() {
        if let Some(context) = line.trim().strip_prefix("context: ") {
            let context = context.trim_matches('"');
            std::fs::create_dir_all(output.join(context)).expect("context");
        }
    }
    std::fs::write(output.join("compose.yaml"), compose).expect("write");
}

#[test]
fn every_compose_file_passes_docker_compose_config() {
    let available = Command::new("docker-compose")
        .arg("version")
        .output()
        .is_ok();
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "docker-compose is not installed, and CI is set"
        );
        eprintln!("docker-compose is not installed; skipping (it runs in CI)");
        return;
    }
    let all: Vec<(String, String, String)> = inputs().iter().flat_map(|i| builds(i)).collect();
    assert!(
        all.iter().any(|(name, _, _)| name.contains("--env")),
        "environment builds are checked too"
    );
    for (input, output, compose) in all {
        let dir = tempfile::tempdir().expect("tempdir");
        lay_out(dir.path(), &output, &compose);
        let output = Command::new("docker-compose")
            .arg("-f")
            .arg(dir.path().join(&output).join("compose.yaml"))
            .args(["config", "-q"])
            .output()
            .expect("docker-compose runs");
        assert!(
            output.status.success(),
            "{input}:\n{}\n{compose}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn private_addresses_are_compose_names_and_public_urls_localhost() {
    let compose = compose_of(&root().join("examples/ampel.flyx")).expect("ampel builds");
    assert!(
        compose.contains("DATABASE_URL: \"postgres://postgres:flyx-local-dev-only@db:5432/ampel\"")
    );
    assert!(compose.contains("VITE_API_URL: \"http://localhost:8080\""));
    assert!(
        compose.contains("\"127.0.0.1:8081:8080\""),
        "the second 8080 moves to 8081"
    );
    assert!(!compose.contains(".internal") && !compose.contains(".flycast"));
    assert!(compose.contains("condition: service_completed_successfully"));
}

#[test]
fn a_release_command_runs_once_before_its_service_and_stores_come_first() {
    let compose = compose_of(&root().join("examples/ampel.flyx")).expect("ampel builds");
    let api = section(&compose, "  api:");
    let release = section(&compose, "  api-release:");
    assert!(api.contains("      api-release:\n        condition: service_completed_successfully"));
    assert!(api.contains("      db:\n        condition: service_healthy"));
    assert!(release.contains("      db:\n        condition: service_healthy"));
    assert!(
        !release.contains("api-release:\n        condition"),
        "not on itself"
    );
    assert!(!release.contains("ports:"), "a one-shot publishes nothing");
}

#[test]
fn a_postgres_store_with_several_databases_gets_an_init_one_shot() {
    let compose =
        compose_of(&root().join("examples/chain-indexers.flyx")).expect("chain-indexers builds");
    let init = compose
        .lines()
        .find(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with("-init:"))
        .expect("an init service");
    let section = section(&compose, init);
    assert!(section.contains("createdb"));
    assert!(section.contains("condition: service_healthy"));
}

/// One Compose service's lines, from its name to the next service.
fn section(compose: &str, header: &str) -> String {
    let mut lines = compose.lines().skip_while(|l| *l != header);
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("{header} in compose.yaml"));
    let body: Vec<&str> = lines.take_while(|l| l.starts_with("    ")).collect();
    format!("{first}\n{}\n", body.join("\n"))
}

#[test]
fn a_local_block_changes_the_compose_env_and_not_fly_toml() {
    let input = root().join("examples/phoenix-cluster.flyx");
    let compose = compose_of(&input).expect("phoenix-cluster builds");
    for name in ["  web:", "  web-release:"] {
        let web = section(&compose, name);
        assert!(web.contains("ECTO_IPV6: \"false\""), "{name}");
        assert!(web.contains("RELEASE_DISTRIBUTION: \"none\""), "{name}");
        assert!(!web.contains("ERL_AFLAGS") && !web.contains("DNS_CLUSTER_QUERY"));
        assert!(web.contains("PHX_HOST: \"localhost\""), "the rest stays");
    }
    let outputs = base_outputs(&input);
    let fly_toml = &outputs.get("web/fly.toml").expect("web/fly.toml").contents;
    assert!(fly_toml.contains("ECTO_IPV6 = \"true\""));
    assert!(fly_toml.contains("ERL_AFLAGS = \"-proto_dist inet6_tcp\""));
}

#[test]
fn a_schedule_crontab_is_written_beside_compose_and_mounted_in_the_cron_group() {
    let input = root().join("examples/saas.flyx");
    let outputs = base_outputs(&input);
    let crontab = &outputs.get("api/crontab").expect("api/crontab").contents;
    assert!(crontab.starts_with("# Generated by flyx from stack.flyx"));
    assert!(crontab.contains("0 * * * * /usr/local/bin/api billing-sync"));
    let compose = &outputs.get("compose.yaml").expect("compose.yaml").contents;
    let cron = section(compose, "  api-cron:");
    assert!(cron.contains("\"./api/crontab:/etc/flyx/crontab:ro\""));
    assert!(cron.contains("supercronic /etc/flyx/crontab"));
    let api = section(compose, "  api:");
    assert!(!api.contains("crontab"), "only the cron group mounts it");
    assert!(!compose.contains("[[files]]"), "nothing left out");
}

/// compose.yaml of a stack given as text.
fn compose_of_text(stack: &str) -> String {
    let (sources, file) = Sources::single("stack.flyx", stack.to_string());
    let topology = flyx::check(&sources, file).topology.expect("checks");
    let outputs =
        flyx::emit::emit(&topology, &flyx::emit::EmitOptions::beside("stack.flyx")).expect("emits");
    outputs
        .get("compose.yaml")
        .expect("compose.yaml")
        .contents
        .clone()
}

fn stack_with_extensions(extensions: &str) -> String {
    format!(
        "project shop {{\n  region = ams\n}}\n\npostgres db {{\n  version    = 16\n  extensions = [{extensions}]\n}}\n\nservice api {{\n  image = \"shop/api:1\"\n  http {{ port = 8080  public = true }}\n  link db {{ database = \"shop\" }}\n}}\n"
    )
}

#[test]
fn a_local_postgres_has_the_clusters_version_and_creates_its_extensions() {
    let compose = compose_of_text(&stack_with_extensions("vector, pg_trgm"));
    let db = section(&compose, "  db:");
    assert!(db.contains("image: \"pgvector/pgvector:pg16\""), "{db}");
    let init = section(&compose, "  db-init:");
    assert!(init.contains("image: \"pgvector/pgvector:pg16\""));
    assert!(init.contains("for db in shop; do psql -v ON_ERROR_STOP=1 -d \\\"$$db\\\" -c 'CREATE EXTENSION IF NOT EXISTS vector CASCADE' -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm CASCADE'; done"), "{init}");
    let api = section(&compose, "  api:");
    assert!(api.contains("      db-init:\n        condition: service_completed_successfully"));

    let both = compose_of_text(&stack_with_extensions("vector, postgis, pgcrypto"));
    let db = section(&both, "  db:");
    assert!(db.contains("image: \"postgres:16\""));
    assert!(db.contains("# on Fly only: extensions vector, postgis: no one image has them all"));
    let init = section(&both, "  db-init:");
    assert!(init.contains("CREATE EXTENSION IF NOT EXISTS pgcrypto") && !init.contains("vector'"));
}
