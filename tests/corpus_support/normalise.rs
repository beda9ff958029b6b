//! fly.toml normalised the way flyctl reads it, for the corpus round trip:
//! durations in nanoseconds, sizes in MB or GB, tables and arrays alike,
//! flyctl's defaults written out, legacy forms mapped, deprecated regions
//! replaced, sections applied to the groups they apply to, and order
//! irrelevant. Two files normalise the same when the machines get the same.
//!
//! Written apart from `src/import` on purpose: the importer is the subject,
//! this is the oracle (`internal/appconfig/patches.go`, `processgroups.go`,
//! `service.go: HTTPService.ToService`, fly-go `duration.go`).

use serde_json::{Map, Value, json};

/// The normalised view of one fly.toml, with `folder` the path of the file's
/// folder (dockerfile paths are resolved against it).
/// `region` stands for a missing `primary_region` (and `[env]` PRIMARY_REGION),
/// as `flyx import --region` reads it.
pub fn normalise(text: &str, folder: &str, region: Option<&str>) -> Result<Value, String> {
    let given = region;
    let root: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let root = serde_json::to_value(&root).map_err(|e| e.to_string())?;
    let get = |k: &str| root.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    out.insert("app".into(), get("app"));
    let region = root
        .get("primary_region")
        .and_then(Value::as_str)
        .map(replace_region);
    let processes = processes(&root);
    let groups: Vec<String> = if processes.is_empty() {
        vec!["app".into()]
    } else {
        processes.keys().cloned().collect()
    };
    let default_group = if groups.iter().any(|g| g == "app") {
        "app".to_string()
    } else {
        groups[0].clone()
    };
    let from_env = root
        .get("env")
        .and_then(|e| e.get("PRIMARY_REGION"))
        .and_then(Value::as_str)
        .map(replace_region);
    let region = region.or(from_env).or(given.map(str::to_string));
    let env = env(&root, region.as_deref());
    if let Some(r) = region {
        out.insert("primary_region".into(), json!(r));
    }
    out.insert("env".into(), Value::Object(env));
    out.insert("processes".into(), json!(processes));
    out.insert(
        "kill_signal".into(),
        json!(
            root.get("kill_signal")
                .and_then(Value::as_str)
                .unwrap_or("SIGINT")
                .to_ascii_uppercase()
        ),
    );
    let timeout = root
        .get("kill_timeout")
        .or_else(|| root.get("experimental").and_then(|e| e.get("kill_timeout")));
    out.insert(
        "kill_timeout".into(),
        json!(duration(timeout, 1_000_000_000).unwrap_or(5_000_000_000)),
    );
    for key in ["swap_size_mb", "console_command"] {
        out.insert(key.into(), get(key));
    }
    for key in ["entrypoint", "exec"] {
        let words = root
            .get("experimental")
            .and_then(|e| e.get(key))
            .map(strings);
        out.insert(key.into(), json!(words));
    }
    out.insert(
        "machine_config".into(),
        root.get("machine_config")
            .or_else(|| {
                root.get("experimental")
                    .and_then(|e| e.get("machine_config"))
            })
            .cloned()
            .unwrap_or(Value::Null),
    );
    out.insert("build".into(), build(root.get("build"), folder));
    out.insert("deploy".into(), deploy(root.get("deploy")));
    out.insert("services".into(), services(&root, &default_group));
    out.insert(
        "checks".into(),
        top_checks(root.get("checks"), &default_group),
    );
    out.insert("mounts".into(), mounts(&root, &default_group));
    out.insert("vm".into(), vms(&root, &groups));
    for (key, kind) in [
        ("statics", ""),
        ("metrics", "metric"),
        ("restart", ""),
        ("files", ""),
    ] {
        let mut items: Vec<Value> = items(root.get(key));
        if !kind.is_empty() {
            items.extend(self::items(root.get(kind)));
        }
        if key == "metrics"
            && let Some(port) = root.get("experimental").and_then(|e| e.get("metrics_port"))
        {
            let path = root.get("experimental").and_then(|e| e.get("metrics_path"));
            items.push(json!({"port": port, "path": path.cloned().unwrap_or(json!("/metrics"))}));
        }
        let mut items: Vec<Value> = items
            .into_iter()
            .map(|mut item| {
                with_groups(&mut item, &default_group, key != "statics");
                if key == "metrics" && item.get("path").is_none() {
                    item["path"] = json!("/metrics");
                }
                item
            })
            .collect();
        sort(&mut items);
        out.insert(key.into(), json!(items));
    }
    out.insert("read_but_not_listed_above".into(), extras(&root));
    let mut out = Value::Object(out);
    empty_is_none(&mut out);
    Ok(out)
}

/// An empty table says as much as none: `http_options = {}`, `[build.args]`.
fn empty_is_none(v: &mut Value) {
    match v {
        Value::Object(m) if m.is_empty() => *v = Value::Null,
        Value::Object(m) => {
            for (k, inner) in m.iter_mut() {
                // The top-level maps stay maps, so a missing entry reads as null.
                if !matches!(k.as_str(), "env" | "processes" | "checks") {
                    empty_is_none(inner);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(empty_is_none),
        _ => {}
    }
}

/// The first path where two normalised files differ, with both values.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let null = Value::Null;
                first_difference(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    &format!("{path}.{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {} vs {}", short(a), short(b))),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}…", &s[..80])
    } else {
        s
    }
}

fn replace_region(code: &str) -> String {
    flyx::fly::replacement_region(code)
        .unwrap_or(code)
        .to_string()
}

/// A table or an array of tables, as an array.
fn items(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(t @ Value::Object(_)) => vec![t.clone()],
        _ => Vec::new(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn sort(items: &mut [Value]) {
    items.sort_by_key(|v| v.to_string());
}

/// A duration in ns; integers in `int_scale` ns.
fn duration(v: Option<&Value>, int_scale: i128) -> Option<i128> {
    match v? {
        Value::Number(n) => n.as_i64().map(|n| i128::from(n) * int_scale),
        Value::String(s) => flyx::import::units::go_duration(s).ok(),
        _ => None,
    }
}

fn processes(root: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    match root.get("processes") {
        Some(Value::Object(m)) => {
            for (k, v) in m {
                out.insert(k.clone(), json!(words(v.as_str().unwrap_or_default())));
            }
        }
        Some(Value::Array(a)) => {
            for item in a {
                if let (Some(n), Some(c)) = (
                    item.get("name").and_then(Value::as_str),
                    item.get("command").and_then(Value::as_str),
                ) {
                    out.insert(n.into(), json!(words(c)));
                }
            }
        }
        _ => {}
    }
    if let Some(cmd) = root.get("experimental").and_then(|e| e.get("cmd")) {
        let cmd = strings(cmd);
        if out.is_empty() {
            out.insert("app".into(), json!(cmd));
        }
    }
    out
}

fn words(command: &str) -> Vec<String> {
    shlex::split(command).unwrap_or_else(|| vec![command.to_string()])
}

fn env(root: &Value, region: Option<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    for table in items(root.get("env")) {
        if let Value::Object(m) = table {
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(k, json!(text));
            }
        }
    }
    if let Some(r) = region {
        out.insert("PRIMARY_REGION".into(), json!(r));
    } else if let Some(r) = out
        .get("PRIMARY_REGION")
        .and_then(Value::as_str)
        .map(replace_region)
    {
        out.insert("PRIMARY_REGION".into(), json!(r));
    }
    out
}

fn build(build: Option<&Value>, folder: &str) -> Value {
    let get = |k: &str| build.and_then(|b| b.get(k)).cloned();
    if let Some(image) = get("image") {
        return json!({ "image": image });
    }
    if let Some(builder) = get("builder") {
        return json!({ "builder": builder, "buildpacks": get("buildpacks"), "args": get("args") });
    }
    let dockerfile = get("dockerfile")
        .and_then(|d| d.as_str().map(str::to_string))
        .unwrap_or_else(|| "Dockerfile".into());
    json!({
        "dockerfile": resolve(folder, &dockerfile),
        "target": get("build-target").or_else(|| get("build_target")),
        "args": get("args"),
        "ignorefile": get("ignorefile").and_then(|i| i.as_str().map(|i| resolve(folder, i))),
    })
}

/// `folder/path` with `.` and `..` folded.
fn resolve(folder: &str, path: &str) -> String {
    if path.starts_with("http") {
        return path.into();
    }
    let mut parts: Vec<&str> = folder
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn deploy(deploy: Option<&Value>) -> Value {
    let get = |k: &str| deploy.and_then(|d| d.get(k));
    json!({
        "strategy": get("strategy").and_then(Value::as_str).unwrap_or("rolling"),
        "release_command": get("release_command").and_then(Value::as_str).map(words),
        "wait_timeout": duration(get("wait_timeout"), 1).unwrap_or(300_000_000_000).to_string(),
        "release_command_timeout": duration(get("release_command_timeout"), 1).unwrap_or(300_000_000_000).to_string(),
        "max_unavailable": get("max_unavailable").and_then(Value::as_f64).unwrap_or(0.33),
    })
}

/// Every proxy service the machines get: `[http_service]` as flyctl's
/// `ToService` makes it, then each `[[services]]`; identical ones once.
fn services(root: &Value, default_group: &str) -> Value {
    let mut all = Vec::new();
    if let Some(http) = root.get("http_service") {
        let force = http
            .get("force_https")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut s = policy(http, default_group);
        s.insert("protocol".into(), json!("tcp"));
        s.insert(
            "internal_port".into(),
            http.get("internal_port").cloned().unwrap_or(json!(8080)),
        );
        let tls = http.get("tls_options").cloned().unwrap_or(Value::Null);
        let options = http_options(http.get("http_options"));
        s.insert(
            "ports".into(),
            json!([
                {"port": 80, "start_port": null, "end_port": null, "handlers": ["http"], "force_https": force, "tls_options": Value::Null, "http_options": options},
                {"port": 443, "start_port": null, "end_port": null, "handlers": ["http", "tls"], "force_https": false, "tls_options": tls, "http_options": options},
            ]),
        );
        let mut checks: Vec<Value> = items(http.get("checks"))
            .iter()
            .map(|c| check(c, 1, "http"))
            .collect();
        sort(&mut checks);
        s.insert("checks".into(), json!(checks));
        all.push(Value::Object(s));
    }
    for service in items(root.get("services")) {
        let mut s = policy(&service, default_group);
        s.insert(
            "protocol".into(),
            json!(
                service
                    .get("protocol")
                    .and_then(Value::as_str)
                    .unwrap_or("tcp")
                    .to_ascii_lowercase()
            ),
        );
        s.insert(
            "internal_port".into(),
            json!(int(service.get("internal_port")).unwrap_or(0)),
        );
        let mut ports: Vec<Value> = items(service.get("ports"))
            .iter()
            .map(|p| {
                let mut handlers = strings(p.get("handlers").unwrap_or(&Value::Null));
                handlers.sort();
                json!({
                    "port": int(p.get("port")),
                    "start_port": p.get("start_port"),
                    "end_port": p.get("end_port"),
                    "handlers": handlers,
                    "force_https": p.get("force_https").and_then(Value::as_bool).unwrap_or(false),
                    "tls_options": p.get("tls_options"),
                    "http_options": http_options(p.get("http_options")),
                })
            })
            .collect();
        sort(&mut ports);
        s.insert("ports".into(), json!(ports));
        let mut checks: Vec<Value> = items(service.get("tcp_checks"))
            .iter()
            .map(|c| check(c, 1_000_000, "tcp"))
            .chain(
                items(service.get("http_checks"))
                    .iter()
                    .map(|c| check(c, 1_000_000, "http")),
            )
            .collect();
        sort(&mut checks);
        s.insert("checks".into(), json!(checks));
        let empty = ports.is_empty() && checks.is_empty();
        if !empty {
            all.push(Value::Object(s));
        }
    }
    for s in &mut all {
        // The port lists of http_service hold the same handler order sorted.
        if let Some(Value::Array(ports)) = s.get_mut("ports") {
            for p in ports.iter_mut() {
                if let Some(Value::Array(h)) = p.get_mut("handlers") {
                    h.sort_by_key(|v| v.to_string());
                }
            }
            sort(ports);
        }
    }
    sort(&mut all);
    all.dedup();
    json!(merge_same_settings(all))
}

/// Services on one internal port with the same proxy settings are one
/// service to the proxy: their listeners and checks together.
fn merge_same_settings(all: Vec<Value>) -> Vec<Value> {
    let key = |s: &Value| {
        let mut k = s.clone();
        if let Value::Object(m) = &mut k {
            m.remove("ports");
            m.remove("checks");
        }
        k.to_string()
    };
    let mut merged: Vec<Value> = Vec::new();
    for service in all {
        match merged.iter_mut().find(|m| key(m) == key(&service)) {
            Some(existing) => {
                for list in ["ports", "checks"] {
                    let mut items = existing[list].as_array().cloned().unwrap_or_default();
                    items.extend(service[list].as_array().cloned().unwrap_or_default());
                    sort(&mut items);
                    items.dedup();
                    existing[list] = json!(items);
                }
            }
            None => merged.push(service),
        }
    }
    merged
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `auto_stop_machines` (true is stop, false is off, default off),
/// `auto_start_machines` (default true), `min_machines_running` (default 0),
/// `concurrency` (default connections, 20 soft), `processes`.
fn policy(section: &Value, default_group: &str) -> Map<String, Value> {
    let stop = match section.get("auto_stop_machines") {
        Some(Value::Bool(true)) => "stop".to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => "off".to_string(),
    };
    let concurrency = match section.get("concurrency") {
        Some(Value::Object(c)) => json!({
            "type": c.get("type").and_then(Value::as_str).unwrap_or("connections"),
            "soft_limit": c.get("soft_limit"),
            "hard_limit": c.get("hard_limit"),
        }),
        Some(Value::String(s)) => {
            let parts: Vec<i64> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
            json!({"type": "requests", "soft_limit": parts.first(), "hard_limit": parts.get(1)})
        }
        _ => json!({"type": "connections", "soft_limit": null, "hard_limit": null}),
    };
    let mut m = Map::new();
    m.insert("auto_stop".into(), json!(stop));
    m.insert(
        "auto_start".into(),
        json!(
            section
                .get("auto_start_machines")
                .and_then(Value::as_bool)
                .unwrap_or(true)
        ),
    );
    m.insert(
        "min_running".into(),
        json!(
            section
                .get("min_machines_running")
                .and_then(Value::as_i64)
                .unwrap_or(0)
        ),
    );
    m.insert("concurrency".into(), concurrency);
    m.insert("processes".into(), json!(groups_of(section, default_group)));
    m
}

fn groups_of(section: &Value, default_group: &str) -> Vec<String> {
    let mut g = match section.get("processes") {
        Some(v) if !strings(v).is_empty() => strings(v),
        _ => vec![default_group.to_string()],
    };
    g.sort();
    g
}

fn with_groups(item: &mut Value, default_group: &str, applies: bool) {
    if applies && let Value::Object(m) = item {
        let g = groups_of(&Value::Object(m.clone()), default_group);
        m.insert("processes".into(), json!(g));
    }
}

/// A check's durations in ns, integers in `scale` ns; other keys as written.
fn check(c: &Value, scale: i128, kind: &str) -> Value {
    let mut m = Map::new();
    m.insert(
        "type".into(),
        json!(
            c.get("type")
                .and_then(Value::as_str)
                .unwrap_or(kind)
                .to_ascii_lowercase()
        ),
    );
    for key in ["interval", "timeout", "grace_period"] {
        m.insert(
            key.into(),
            json!(duration(c.get(key), scale).map(|d| d.to_string())),
        );
    }
    // Fly's proxy sends the method upper-cased; GET when none is given.
    let kind_now = m["type"].as_str().unwrap_or_default().to_string();
    let method = c.get("method").and_then(Value::as_str).unwrap_or("GET");
    if kind_now != "tcp" {
        m.insert("method".into(), json!(method.to_ascii_uppercase()));
    }
    for key in ["path", "tls_server_name", "tls_skip_verify", "port"] {
        m.insert(key.into(), c.get(key).cloned().unwrap_or(Value::Null));
    }
    m.insert(
        "protocol".into(),
        json!(
            c.get("protocol")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        ),
    );
    let headers = match c.get("headers") {
        Some(Value::Object(h)) if !h.is_empty() => Value::Object(h.clone()),
        _ => Value::Null,
    };
    m.insert("headers".into(), headers);
    Value::Object(m)
}

fn top_checks(checks: Option<&Value>, default_group: &str) -> Value {
    let mut out = Map::new();
    match checks {
        Some(Value::Object(m)) => {
            for (name, c) in m {
                let mut v = check(c, 1_000_000, "");
                v["processes"] = json!(groups_of(c, default_group));
                out.insert(name.clone(), v);
            }
        }
        Some(Value::Array(a)) => {
            for (i, c) in a.iter().enumerate() {
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or(format!("check{}", i + 1), str::to_string);
                let mut v = check(c, 1_000_000, "");
                v["processes"] = json!(groups_of(c, default_group));
                out.insert(name, v);
            }
        }
        _ => {}
    }
    Value::Object(out)
}

fn gb(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
            let unit = s[digits.len()..].trim().to_ascii_lowercase();
            let n: i64 = digits.parse().ok()?;
            match unit.as_str() {
                "gb" | "g" | "" => Some(n),
                "tb" | "t" => Some(n * 1000),
                "mb" | "m" => Some(n / 1000),
                _ => None,
            }
        }
        _ => None,
    }
}

fn mounts(root: &Value, default_group: &str) -> Value {
    let mut all: Vec<Value> = items(root.get("mounts"))
        .into_iter()
        .chain(items(root.get("mount")))
        .map(|m| {
            json!({
                "source": m.get("source"),
                "destination": m.get("destination"),
                "initial_size": gb(m.get("initial_size")).unwrap_or(1),
                "snapshot_retention": m.get("snapshot_retention"),
                "scheduled_snapshots": m.get("scheduled_snapshots"),
                "auto_extend_size_threshold": m.get("auto_extend_size_threshold"),
                "auto_extend_size_increment": gb(m.get("auto_extend_size_increment")),
                "auto_extend_size_limit": gb(m.get("auto_extend_size_limit")),
                "processes": groups_of(&m, default_group),
            })
        })
        .collect();
    sort(&mut all);
    json!(all)
}

/// The machine each group gets: its own `[[vm]]`, else one without
/// `processes`, else Fly's shared-cpu-1x with 256 MB (`processgroups.go`).
fn vms(root: &Value, groups: &[String]) -> Value {
    let all: Vec<Value> = ["vm", "compute", "computes"]
        .iter()
        .flat_map(|k| items(root.get(*k)))
        .collect();
    let mut out = Map::new();
    for group in groups {
        let mut guest = json!({"cpu_kind": "shared", "cpus": 1, "memory_mb": 256});
        let generic = all
            .iter()
            .filter(|v| strings(v.get("processes").unwrap_or(&Value::Null)).is_empty());
        let specific = all
            .iter()
            .filter(|v| strings(v.get("processes").unwrap_or(&Value::Null)).contains(group));
        for vm in generic.chain(specific) {
            apply_vm(&mut guest, vm);
        }
        out.insert(group.clone(), guest);
    }
    Value::Object(out)
}

fn apply_vm(guest: &mut Value, vm: &Value) {
    if let Some(size) = vm.get("size").and_then(Value::as_str)
        && let Some(p) = flyx::fly::preset_named(size)
    {
        *guest = json!({"cpu_kind": p.cpu_kind.as_str(), "cpus": p.cpus, "memory_mb": p.memory_mb});
    }
    if let Some(k) = vm.get("cpu_kind") {
        guest["cpu_kind"] = k.clone();
    }
    if let Some(c) = vm.get("cpus") {
        guest["cpus"] = c.clone();
    }
    let memory = vm.get("memory_mb").or_else(|| vm.get("memory"));
    if let Some(mb) = memory.and_then(memory_mb) {
        guest["memory_mb"] = json!(mb);
    }
}

fn memory_mb(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
            let n: i64 = digits.parse().ok()?;
            match s[digits.len()..]
                .trim()
                .trim_end_matches('b')
                .trim_end_matches('i')
            {
                "" | "m" => Some(n),
                "g" => Some(n * 1024),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The `http_options` keys fly-go's `HTTPOptions` has; flyctl ignores others.
fn http_options(v: Option<&Value>) -> Value {
    let Some(Value::Object(m)) = v else {
        return Value::Null;
    };
    let known = [
        "compress",
        "h2_backend",
        "idle_timeout",
        "headers_read_timeout",
        "response",
        "replay_cache",
    ];
    Value::Object(
        m.iter()
            .filter(|(k, _)| known.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// Settings flyctl reads that the comparison above has no place for: kept
/// as written, so dropping one is a difference.
fn extras(root: &Value) -> Value {
    let pick = |v: Option<&Value>, keys: &[&str]| -> Value {
        let mut m = Map::new();
        for key in keys {
            if let Some(x) = v.and_then(|v| v.get(*key)) {
                m.insert((*key).to_string(), x.clone());
            }
        }
        Value::Object(m)
    };
    let services: Vec<Value> = items(root.get("services"))
        .iter()
        .map(|s| s.get("machine_checks").cloned().unwrap_or(Value::Null))
        .filter(|v| !v.is_null())
        .collect();
    let vms: Vec<Value> = ["vm", "compute", "computes"]
        .iter()
        .flat_map(|k| items(root.get(*k)))
        .map(|v| {
            pick(
                Some(&v),
                &[
                    "persist_rootfs",
                    "kernel_args",
                    "max_memory_mb",
                    "host_dedication_id",
                    "gpus",
                    "gpu_kind",
                ],
            )
        })
        // A section with none of these settings has nothing to compare here
        // (its size is compared per group above), and one for a group the app
        // does not run sizes no machine.
        .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()))
        .collect();
    json!({
        "top": pick(Some(root), &["machine_checks", "host_dedication_id", "container"]),
        "build": if root.get("build").and_then(|b| b.get("image")).is_some() {
            Value::Null
        } else {
            pick(root.get("build"), &["settings", "builtin", "compose", "compression", "compression_level"])
        },
        "deploy": pick(root.get("deploy"), &["release_command_vm", "seed_command"]),
        "http_service": pick(root.get("http_service"), &["machine_checks"]),
        "services": services,
        "vm": vms,
    })
}
