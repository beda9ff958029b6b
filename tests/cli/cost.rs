//! `flyx cost`: the monthly estimate, checked against totals worked out by
//! hand from src/cost/prices.toml.

use super::{flyx, root, temp_with};

/// `total_usd_per_month` of `flyx cost ARGS --format json`.
fn json_total(args: &[&str]) -> f64 {
    let mut all = vec!["cost"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let run = flyx(&root(), &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    json["total_usd_per_month"].as_f64().expect("a total")
}

/// Seed 003, ampel in iad and fra (no regional markup in the price file):
/// api 3 × shared-cpu-1x 512 MB (1.94 + 0.25 GB × 5.00 = 3.19) = 9.57;
/// worker 2 × 3.19 = 6.38; frontend 1 × 256 MB = 1.94; Managed Postgres
/// basic 38.00 + 10 GB × 0.28 = 40.80; Upstash pay-as-you-go 0; two
/// certificates, inside the free ten. 9.57 + 6.38 + 1.94 + 40.80 = 58.69.
#[test]
fn ampel_costs_what_the_price_file_says() {
    assert_eq!(json_total(&["examples/ampel.flyx"]), 58.69);
}

/// Seed 001, product-drop in sjc (120 % of the base price): a 512 MB
/// machine is 3.19 × 1.2 = 3.828, 3.83; restate's 1 GB (5.69) is 6.83.
/// nats 3.83 + 1 GB volume 0.15; restate 6.83 + 10 GB volume 1.50; worker
/// 3.83; api 3 × 3.83 = 11.49; sse 2 × 3.83 = 7.66; web 3.83. Total 39.12.
/// Staging runs in lax at the base price, one machine each, restate at 512
/// MB: 6 × 3.19 + 0.15 + 1.50 = 20.79.
#[test]
fn product_drop_costs_what_the_price_file_says_in_each_environment() {
    assert_eq!(json_total(&["examples/product-drop.flyx"]), 39.12);
    assert_eq!(
        json_total(&["examples/product-drop.flyx", "--env", "staging"]),
        20.79
    );
}

#[test]
fn the_text_says_it_is_an_estimate_and_the_date_of_its_prices() {
    let run = flyx(&root(), &["cost", "examples/ampel.flyx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains("estimated monthly cost") && first.contains("2026-08-05"),
        "{first}"
    );
    assert!(run.stdout.contains("An estimate, not a bill"));
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("total ") && l.ends_with("$58.69 per month")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 × $3.19   $6.38"), "{}", run.stdout);
}

#[test]
fn each_app_has_its_lines_in_json() {
    let run = flyx(
        &root(),
        &["cost", "examples/ampel.flyx", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let apps = json["apps"].as_array().expect("apps");
    let names: Vec<&str> = apps.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, ["api", "frontend", "worker", "cache", "db"]);
    assert_eq!(apps[4]["usd_per_month"].as_f64(), Some(40.80));
    assert_eq!(json["prices"]["date"], "2026-08-05");
    assert_eq!(json["complete"], true);
}

#[test]
fn a_size_without_a_price_is_shown_and_the_total_says_so() {
    let dir = temp_with(&[(
        "stack.flyx",
        "project p {\n  org    = \"o\"\n  region = ord\n}\n\nservice big {\n  image = \"x:1\"\n  vm { size = \"performance-12x\" }\n}\n",
    )]);
    let run = flyx(dir.path(), &["cost"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("not priced"), "{}", run.stdout);
    assert!(
        run.stdout.contains("total, priced lines only"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_stack_with_errors_prints_diagnostics_and_no_estimate() {
    let dir = temp_with(&[("stack.flyx", "project p {\n  org = \"o\"\n")]);
    let run = flyx(dir.path(), &["cost", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("E01"), "{}", run.stderr);
}

#[test]
fn an_unknown_environment_is_refused() {
    let run = flyx(
        &root(),
        &["cost", "examples/ampel.flyx", "--env", "nowhere"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("E0408"), "{}", run.stderr);
}

/// Ten single-hostname certificates are free per organization, the rest
/// $0.10; a wildcard is $1.00 and never free. 1 × 1.94 + 0.10 + 1.00 = 3.04.
#[test]
fn certificates_past_the_free_ten_and_wildcards_are_priced() {
    let domains: Vec<String> = (1..=11)
        .map(|i| format!("\"h{i}.example.com\""))
        .chain(std::iter::once("\"*.example.org\"".to_string()))
        .collect();
    let stack = format!(
        "project p {{\n  org    = \"o\"\n  region = iad\n}}\n\nservice web {{\n  image = \"x:1\"\n  http {{\n    port    = 8080\n    public  = true\n    domains = [{}]\n  }}\n}}\n",
        domains.join(", ")
    );
    let dir = temp_with(&[("stack.flyx", &stack)]);
    let run = flyx(dir.path(), &["cost"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("10 × $0.00"), "{}", run.stdout);
    assert!(run.stdout.contains("1 × $0.10"), "{}", run.stdout);
    assert!(run.stdout.contains("1 × $1.00"), "{}", run.stdout);
    assert!(run.stdout.contains("$3.04 per month"), "{}", run.stdout);
}
