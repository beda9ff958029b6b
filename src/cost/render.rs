//! Stage 4, report: the estimate as text for people and as JSON for programs.

use serde_json::{Value, json};

use super::{AppCost, Estimate, Line};

/// What every estimate leaves out.
const NOT_INCLUDED: &str = "Not included: usage (internet egress, cross-region traffic, Redis \
commands), volume snapshots past the free 10 GB, and machines that run only for a while \
(release commands, post-deploy steps).";

/// What the total row says: whether it sums every line or only the priced ones.
fn total_label(estimate: &Estimate) -> &'static str {
    if estimate.incomplete() {
        "total, priced lines only"
    } else {
        "total"
    }
}

/// `$3.19`.
pub fn dollars(cents: u64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// The estimate as a table, with the prices' date and that it is an estimate.
pub fn to_text(estimate: &Estimate) -> String {
    let rows = rows(estimate);
    // Notes run past the columns: only priced rows set the widths.
    let priced = rows.iter().filter(|r| !r.2.is_empty());
    let what_width = priced.map(|r| r.0.chars().count()).max().unwrap_or(0);
    let unit_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let total = dollars(estimate.total_cents());
    let sum_width = rows
        .iter()
        .map(|r| r.2.chars().count())
        .chain(std::iter::once(total.len()))
        .max()
        .unwrap_or(0);
    let mut out = heading(estimate);
    for (what, unit, sum) in &rows {
        if what.is_empty() {
            out.push('\n');
        } else if sum.is_empty() {
            out.push_str(what);
            out.push('\n');
        } else {
            out.push_str(
                format!("{what:<what_width$}  {unit:>unit_width$}  {sum:>sum_width$}").trim_end(),
            );
            out.push('\n');
        }
    }
    out.push('\n');
    let label = total_label(estimate);
    out.push_str(&format!(
        "{label:<what_width$}  {:>unit_width$}  {total:>sum_width$} per month\n",
        ""
    ));
    out
}

fn heading(estimate: &Estimate) -> String {
    let stack = match &estimate.environment {
        Some(environment) => format!("{} ({environment})", estimate.project),
        None => estimate.project.clone(),
    };
    format!(
        "{stack}: estimated monthly cost on Fly.io, from the prices of {} ({}).\n\
         An estimate, not a bill: every machine is priced as running all month.\n{NOT_INCLUDED}\n\n",
        estimate.prices_date, estimate.prices_source
    )
}

/// (what, quantity × unit, sum) for every app, its lines and notes, and the
/// stack's lines; an empty row between apps.
fn rows(estimate: &Estimate) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for app in &estimate.apps {
        if !rows.is_empty() {
            rows.push(blank());
        }
        rows.push((app_title(app), String::new(), dollars(app.cents())));
        rows.extend(app.lines.iter().map(line_row));
        rows.extend(
            app.notes
                .iter()
                .map(|n| (format!("  note: {n}"), String::new(), String::new())),
        );
    }
    if !estimate.stack.is_empty() {
        rows.push(blank());
        let sum: u64 = estimate.stack.iter().map(Line::cents).sum();
        rows.push(("organization".to_string(), String::new(), dollars(sum)));
        rows.extend(estimate.stack.iter().map(line_row));
    }
    rows
}

fn blank() -> (String, String, String) {
    (String::new(), String::new(), String::new())
}

fn app_title(app: &AppCost) -> String {
    if app.name == app.app {
        format!("{} ({})", app.name, app.kind)
    } else {
        format!("{} ({}, {})", app.name, app.kind, app.app)
    }
}

fn line_row(line: &Line) -> (String, String, String) {
    match line.unit_cents {
        Some(unit) => (
            format!("  {}", line.what),
            format!("{} × {}", line.quantity, dollars(unit)),
            dollars(line.cents()),
        ),
        None => (
            format!("  {}", line.what),
            format!("{} × ?", line.quantity),
            "not priced".to_string(),
        ),
    }
}

/// The estimate as a Markdown section, for ARCHITECTURE.md: the same lines
/// and total as `flyx cost` prints.
pub fn to_markdown(estimate: &Estimate) -> String {
    let mut out = format!(
        "\n## Monthly cost\n\nAn estimate from Fly.io's prices of {} ({}), every machine\n\
         running all month; `flyx cost` prints it. {NOT_INCLUDED}\n\n\
         | app | item | quantity | unit | per month |\n|---|---|---|---|---|\n",
        estimate.prices_date, estimate.prices_source
    );
    let organization = ("organization".to_string(), estimate.stack.as_slice());
    let apps = estimate
        .apps
        .iter()
        .map(|a| (a.name.clone(), a.lines.as_slice()))
        .chain(std::iter::once(organization));
    for (name, lines) in apps {
        for line in lines {
            let (unit, sum) = match line.unit_cents {
                Some(unit) => (dollars(unit), dollars(line.cents())),
                None => ("?".to_string(), "not priced".to_string()),
            };
            out.push_str(&format!(
                "| {name} | {} | {} | {unit} | {sum} |\n",
                line.what, line.quantity
            ));
        }
    }
    let label = total_label(estimate);
    out.push_str(&format!(
        "| **{label}** | | | | **{}** |\n",
        dollars(estimate.total_cents())
    ));
    let notes: Vec<String> = estimate
        .apps
        .iter()
        .flat_map(|a| {
            a.notes
                .iter()
                .map(move |note| format!("- {}: {note}\n", a.name))
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("\nNotes, as `flyx cost` prints them:\n\n");
        out.extend(notes);
    }
    out
}

/// The estimate as JSON: every app with its lines, and `total_usd_per_month`.
pub fn to_json(estimate: &Estimate) -> Value {
    json!({
        "project": estimate.project,
        "environment": estimate.environment,
        "estimate": true,
        "prices": { "date": estimate.prices_date, "source": estimate.prices_source },
        "apps": estimate.apps.iter().map(app_json).collect::<Vec<_>>(),
        "organization": estimate.stack.iter().map(line_json).collect::<Vec<_>>(),
        "not_included": NOT_INCLUDED,
        "complete": !estimate.incomplete(),
        "total_cents_per_month": estimate.total_cents(),
        "total_usd_per_month": usd(estimate.total_cents()),
    })
}

fn app_json(app: &AppCost) -> Value {
    json!({
        "name": app.name,
        "app": app.app,
        "kind": app.kind,
        "lines": app.lines.iter().map(line_json).collect::<Vec<_>>(),
        "notes": app.notes,
        "usd_per_month": usd(app.cents()),
    })
}

fn line_json(line: &Line) -> Value {
    json!({
        "what": line.what,
        "quantity": line.quantity,
        "unit_usd": line.unit_cents.map(usd),
        "usd_per_month": line.unit_cents.map(|_| usd(line.cents())),
    })
}

/// Cents as a JSON number of dollars with two decimals.
fn usd(cents: u64) -> Value {
    // Parsing the decimal text gives the nearest double, which serde_json
    // prints back as the same two decimals.
    format!("{}.{:02}", cents / 100, cents % 100)
        .parse::<f64>()
        .map_or(Value::Null, Value::from)
}
