//! `flyx import`: one fixture per import code in `tests/import/` (a fly.toml
//! whose first line says `# expect: CODE at LINE:COL`), with a snapshot of
//! what a person sees; a folder of three apps that name each other by
//! private address imports into a stack that checks and builds; and the
//! command line writes, reports and refuses to overwrite.

use std::path::{Path, PathBuf};
use std::process::Command;

use flyx::diagnostic::render::{self, Style};
use flyx::emit::EmitOptions;
use flyx::import::{Input, Options, import};
use flyx::source::Sources;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import")
}

fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/import")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
}

/// `(code, line, column)` from the first line.
fn expectation(text: &str) -> (String, usize, usize) {
    let first = text.lines().next().expect("a first line");
    let rest = first
        .strip_prefix("# expect: ")
        .expect("# expect: CODE at L:C");
    let (code, at) = rest.split_once(" at ").expect("CODE at L:C");
    let (line, column) = at.split_once(':').expect("L:C");
    (
        code.to_string(),
        line.parse().expect("line"),
        column.parse().expect("column"),
    )
}

fn import_one(name: &str, text: &str) -> flyx::import::Imported {
    let inputs = [Input {
        name: name.to_string(),
        dir: String::new(),
        text: text.to_string(),
    }];
    import(&inputs, &Options::default())
}

#[test]
fn every_fixture_reports_its_code_where_it_says() {
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let (code, line, column) = expectation(&text);
        let imported = import_one(&name, &text);
        let found = imported
            .diagnostics
            .iter()
            .find(|d| d.code.as_str() == code)
            .unwrap_or_else(|| panic!("{name}: no {code} in {:?}", imported.diagnostics));
        let at = imported
            .sources
            .line_column(found.primary.span.file, found.primary.span.start as usize);
        assert_eq!(at, (line, column), "{name}: {code} points elsewhere");
        assert!(found.help.is_some(), "{name}: {code} has no help line");
        // An error stops the import; a warning never does.
        assert_eq!(imported.flyx.is_none(), code.starts_with('E'), "{name}");
        let mut shown = render::to_text(&imported.diagnostics, &imported.sources, Style::plain());
        if let Some(flyx) = &imported.flyx {
            shown.push_str("\n--- stack.flyx ---\n");
            shown.push_str(flyx);
        }
        insta::with_settings!({
            snapshot_path => "snapshots/import",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name.trim_end_matches(".toml"), shown);
        });
    }
}

/// Every warning fixture's stack checks: what import writes is valid flyx.
#[test]
fn warning_fixtures_give_stacks_that_check() {
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let Some(flyx) = import_one(&name, &text).flyx else {
            continue;
        };
        let (sources, file) = Sources::single("stack.flyx", flyx.clone());
        let checked = flyx::check(&sources, file);
        assert!(
            !checked.diagnostics.has_errors(),
            "{name}:\n{flyx}\n{:?}",
            checked.diagnostics
        );
    }
}

/// The three apps of `tests/import/stack/`, as `flyx import tests/import/stack`
/// reads them with the stack written in that folder.
fn stack_inputs() -> Vec<Input> {
    ["api", "nats", "web"]
        .iter()
        .map(|app| Input {
            name: format!("{app}/fly.toml"),
            dir: (*app).to_string(),
            text: std::fs::read_to_string(dir().join("stack").join(app).join("fly.toml"))
                .expect("fixture"),
        })
        .collect()
}

#[test]
fn a_folder_of_apps_becomes_a_stack_that_checks_and_builds() {
    let options = Options {
        project: Some("shop".into()),
        region: None,
        org: Some("acme".into()),
    };
    let imported = import(&stack_inputs(), &options);
    assert!(
        !imported.diagnostics.has_errors(),
        "{:?}",
        imported.diagnostics
    );
    let flyx = imported.flyx.expect("a stack");
    // Hand-written private addresses became references, with links.
    assert!(
        flyx.contains(r#"NATS_URL = "nats://${shop-nats.host}:4222""#),
        "{flyx}"
    );
    assert!(flyx.contains("API_HOST = shop-api.host"), "{flyx}");
    assert!(flyx.contains("API_URL = shop-api.url"), "{flyx}");
    assert!(flyx.contains("links = [shop-nats]"), "{flyx}");
    assert!(flyx.contains("links = [shop-api]"), "{flyx}");
    // App names stay exact, in the organization `--org` names.
    assert!(
        flyx.contains(r#"project shop { org = "acme"  prefix = ""  region = ams }"#),
        "{flyx}"
    );
    let (sources, file) = Sources::single("stack.flyx", flyx.clone());
    let checked = flyx::check(&sources, file);
    assert!(
        checked.diagnostics.is_empty(),
        "{flyx}\n{:?}",
        checked.diagnostics
    );
    let topology = checked.topology.expect("checks");
    let outputs = flyx::emit::emit(&topology, &EmitOptions::beside("stack.flyx")).expect("builds");
    let web = &outputs
        .get("shop-web/fly.toml")
        .expect("web's fly.toml")
        .contents;
    // shop-api stops idle machines, so it is reached through flycast.
    assert!(web.contains(r#"API_HOST = "shop-api.flycast""#), "{web}");
    assert!(
        web.contains(r#"API_URL = "http://shop-api.flycast""#),
        "{web}"
    );
    let api = &outputs
        .get("shop-api/fly.toml")
        .expect("api's fly.toml")
        .contents;
    assert!(
        api.contains(r#"NATS_URL = "nats://shop-nats.internal:4222""#),
        "{api}"
    );
    assert!(api.contains(r#"app = "shop-api""#), "{api}");
    assert!(
        api.contains(r#"dockerfile = "../../api/Dockerfile""#),
        "{api}"
    );
    insta::with_settings!({
        snapshot_path => "snapshots/import",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("stack", flyx);
    });
}

#[test]
fn imports_are_byte_identical() {
    let first = import(&stack_inputs(), &Options::default()).flyx;
    let second = import(&stack_inputs(), &Options::default()).flyx;
    assert_eq!(first, second);
}

fn flyx_cmd(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flyx"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("flyx runs")
}

#[test]
fn the_command_writes_the_stack_reports_and_never_overwrites() {
    let work = tempfile::tempdir().expect("tempdir");
    let stack = dir().join("stack");
    let stack = stack.to_str().expect("utf-8 path");
    let out = flyx_cmd(work.path(), &["import", stack, "-o", "stack.flyx"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("→ service shop-api"), "{stderr}");
    assert!(stderr.contains("wrote stack.flyx"), "{stderr}");
    let written = std::fs::read_to_string(work.path().join("stack.flyx")).expect("written");
    assert!(
        written.contains("project stack"),
        "the folder names the project:\n{written}"
    );
    let check = flyx_cmd(work.path(), &["check", "stack.flyx"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let again = flyx_cmd(work.path(), &["import", stack, "-o", "stack.flyx"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    // Without --org the report says where deploy.sh will look for the apps.
    assert!(stderr.contains("org: personal"), "{stderr}");
    let forced = flyx_cmd(
        work.path(),
        &[
            "import",
            stack,
            "-o",
            "stack.flyx",
            "--force",
            "--org",
            "acme",
        ],
    );
    assert_eq!(forced.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&forced.stderr).contains("org: personal"));
    let written = std::fs::read_to_string(work.path().join("stack.flyx")).expect("written");
    assert!(written.contains(r#"org = "acme""#), "{written}");
}

#[test]
fn a_defect_stops_the_import_with_exit_1_and_writes_nothing() {
    let work = tempfile::tempdir().expect("tempdir");
    let broken = dir().join("E0504_mount_without_source.toml");
    let out = flyx_cmd(work.path(), &["import", broken.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0504"));
    assert!(!work.path().join("stack.flyx").exists());
}

#[test]
fn fly_json_reads_like_fly_toml() {
    let json = r#"{"app": "api", "primary_region": "ams", "kill_timeout": 30,
                   "http_service": {"internal_port": 8080}}"#;
    let toml = "app = \"api\"\nprimary_region = \"ams\"\nkill_timeout = 30\n[http_service]\ninternal_port = 8080\n";
    let from_json = import_one("fly.json", json).flyx.expect("imports");
    let from_toml = import_one("fly.toml", toml).flyx.expect("imports");
    assert_eq!(from_json.replace("fly.json", "fly.toml"), from_toml);
}

/// Hostile input never panics: every corpus file cut short at many places,
/// and with bytes replaced, imports to a stack or to diagnostics.
#[test]
fn damaged_files_never_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/fly-toml");
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("the corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for path in files.iter().step_by(3) {
        let text = std::fs::read_to_string(path).expect("utf-8");
        let cuts: Vec<usize> = (0..text.len())
            .step_by((text.len() / 12).max(1))
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for cut in cuts {
            let _ = import_one("cut.toml", &text[..cut]);
            let mut swapped = text.clone();
            if swapped.is_char_boundary(cut + 1) && cut < swapped.len() {
                swapped.replace_range(cut..cut + 1, "\"");
                let _ = import_one("swapped.toml", &swapped);
            }
        }
    }
    for weird in [
        "app = 1\nprimary_region = []\nkill_timeout = -5\n",
        "[[vm]]\nmemory = \"lots\"\ncpus = \"two\"\n",
        "[env]\nX = [1, {a = 2}]\n[processes]\napp = 3\n",
        "[[services]]\ninternal_port = \"x\"\n[[services.ports]]\nport = \"y\"\n",
        "[checks.a]\ntype = \"http\"\ninterval = 1e3\n[[mounts]]\nsource = \"d\"\ninitial_size = \"1zb\"\n",
        "[experimental]\ncmd = [\"a\\u0000b\"]\n",
    ] {
        let _ = import_one("weird.toml", weird);
    }
}

/// The forms flyctl reads differently from how they look: integers in each
/// field's unit, legacy arrays, `memory_mb`, `experimental.cmd`, a check on a
/// port nothing exposes, the region from `[env]`, flyctl's defaults where
/// flyx's differ.
#[test]
fn flyctl_forms_are_read_as_flyctl_reads_them() {
    let toml = r#"
app = "shop--api"
kill_timeout = 30
processes = [{ name = "web", command = "bin/web --port 8080" }, { name = "worker", command = "bin/worker" }]

[env]
PRIMARY_REGION = "lhr"

[http_service]
internal_port = 8080
processes = ["web"]
  [[http_service.checks]]
  interval = 15000000000
  path = "/up"

[[services]]
internal_port = 9000
processes = ["web"]
  [[services.ports]]
  port = 9000
  [[services.tcp_checks]]
  interval = 5000
  timeout = 2000

[checks.metrics]
type = "http"
port = 9100
path = "/metrics"
interval = 30000
processes = ["web"]

[[vm]]
memory_mb = 1024
cpus = 2
"#;
    let imported = import_one("fly.toml", toml);
    let flyx = imported.flyx.expect("imports");
    let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let squeezed = squeeze(&flyx);
    for line in [
        r#"app = "shop--api""#, // the exact name; the service is `shop-api`
        "kill_timeout = 30s",   // seconds
        "interval = 15s",       // nanoseconds in http_service.checks
        "check tcp { interval = 5s  timeout = 2s }", // milliseconds in [[services]]
        "interval = 30s",       // milliseconds in [checks]
        "port check9100 { internal = 9100 }", // the check's port, private
        "force_https = false",  // flyctl's default, not flyx's
        "memory = 1gb",         // memory_mb
        "region = lhr",         // from [env] PRIMARY_REGION
    ] {
        assert!(
            squeezed.contains(&squeeze(line)),
            "missing `{line}` in:\n{flyx}"
        );
    }
    assert!(!flyx.contains("PRIMARY_REGION"), "{flyx}");
    let (sources, file) = Sources::single("stack.flyx", flyx.clone());
    let checked = flyx::check(&sources, file);
    assert!(
        !checked.diagnostics.has_errors(),
        "{flyx}\n{:?}",
        checked.diagnostics
    );
}

#[test]
fn exec_form_commands_become_one_command_line_flyctl_splits_back() {
    let toml = "app = \"x\"\nprimary_region = \"ams\"\n[build]\nimage = \"busybox\"\n[experimental]\ncmd = [\"sh\", \"-c\", \"echo 'hi there' && sleep 1\"]\n";
    let flyx = import_one("fly.toml", toml).flyx.expect("imports");
    let line = flyx
        .lines()
        .find(|l| l.contains("processes { app = "))
        .unwrap_or_else(|| panic!("{flyx}"));
    let quoted = line.split(" app = ").nth(1).unwrap().trim_end_matches(" }");
    // The .flyx string holds the command line; shlex splits it back into the same words.
    let (sources, file) = Sources::single("stack.flyx", flyx.clone());
    let checked = flyx::check(&sources, file);
    assert!(
        !checked.diagnostics.has_errors(),
        "{flyx}\n{:?}",
        checked.diagnostics
    );
    let outputs = flyx::emit::emit(
        &checked.topology.unwrap(),
        &EmitOptions::beside("stack.flyx"),
    )
    .unwrap();
    let written = &outputs.get("x/fly.toml").expect("fly.toml").contents;
    let table: toml::Table = toml::from_str(written).expect("toml");
    let command = table["processes"]["app"].as_str().expect("a command");
    assert_eq!(
        shlex::split(command).expect("splits"),
        ["sh", "-c", "echo 'hi there' && sleep 1"],
        "{quoted}"
    );
}

/// `[http_service]` listens on 80 and 443: a `[[services]]` of another
/// internal port on 443 is a clash; one on the same internal port with the
/// same proxy settings is the same service twice, not a clash; one on the
/// same internal port with other settings (fly-etcd's `auto_start_machines =
/// false`) is a clash again, as the proxy cannot follow both.
#[test]
fn http_service_ports_clash_with_other_services_on_80_and_443() {
    let clash = |internal: u16, settings: &str| {
        let text = format!(
            "app = \"x\"\nprimary_region = \"ams\"\n[http_service]\ninternal_port = 8080\n\
             [[services]]\ninternal_port = {internal}\n{settings}\n[[services.ports]]\nport = 443\nhandlers = [\"tls\"]\n"
        );
        import_one("fly.toml", &text)
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == "E0502")
    };
    assert!(clash(9000, ""));
    assert!(!clash(8080, ""));
    assert!(!clash(8080, "auto_start_machines = true"));
    assert!(clash(8080, "auto_start_machines = false"));
    assert!(clash(8080, "min_machines_running = 1"));
}
