//! Formatting: every construct of the grammar, and every place a comment can be.

use super::format_source;

fn fmt(text: &str) -> String {
    let formatted = format_source("t.flyx", text).expect("parses");
    let again = format_source("t.flyx", &formatted).expect("the output parses");
    assert_eq!(formatted, again, "not idempotent on:\n{text}");
    formatted
}

#[test]
fn reindents_aligns_and_keeps_one_blank_line() {
    let text = "project p {\n      region = ams\n org = \"x\"\n\n\n\n    prefix = \"p\"\n}\nservice api {\n image = \"x\"\n}\n";
    assert_eq!(
        fmt(text),
        "project p {\n  region = ams\n  org    = \"x\"\n\n  prefix = \"p\"\n}\n\nservice api {\n  image = \"x\"\n}\n"
    );
}

#[test]
fn literals_come_back_as_written() {
    let text = "x {\n  a = 1m30s\n  b = 90s\n  c = 1GB\n  d = 1024mb\n  e = 0.50\n  f = \"t\\tab \\\"q\\\" \\$x ${ n.host }\"\n  g = -1\n  \"K-1\" = true\n}\n";
    assert_eq!(
        fmt(text),
        "x {\n  a     = 1m30s\n  b     = 90s\n  c     = 1GB\n  d     = 1024mb\n  e     = 0.50\n  f     = \"t\\tab \\\"q\\\" \\$x ${ n.host }\"\n  g     = -1\n  \"K-1\" = true\n}\n"
    );
}

#[test]
fn one_line_blocks_lists_and_maps_stay_on_one_line() {
    let text = "service api {\n  http { port = 8080  public = true }\n  links = [a,b.c]\n  count = { sjc = 2 ams = 1 }\n  empty {}\n  none = []\n}\n";
    assert_eq!(
        fmt(text),
        "service api {\n  http { port = 8080  public = true }\n  links = [a, b.c]\n  count = { sjc = 2, ams = 1 }\n  empty {}\n  none = []\n}\n"
    );
}

#[test]
fn what_spans_lines_gets_one_entry_a_line_with_trailing_commas() {
    let text = "x {\n  l = [a,\n    b]\n  m = { a = 1\n  bb = 2 }\n  http { port = 8080\n  }\n}\n";
    assert_eq!(
        fmt(text),
        "x {\n  l = [\n    a,\n    b,\n  ]\n  m = {\n    a  = 1,\n    bb = 2,\n  }\n  http {\n    port = 8080\n  }\n}\n"
    );
}

#[test]
fn a_one_line_block_too_long_for_the_width_is_broken() {
    let long = "a".repeat(90);
    let text = format!("x {{ y {{ k = \"{long}\"  j = 1 }} }}\n");
    assert_eq!(
        fmt(&text),
        format!("x {{\n  y {{\n    k = \"{long}\"\n    j = 1\n  }}\n}}\n")
    );
}

#[test]
fn use_for_templates_and_from_clauses() {
    let text = "use   nats\nuse \"./a.flyx\"\ntemplate web(port=8080,start) { image = \"x\" }\nservice api from web(port = 3000, start = \"s\") {}\nservice b from web {}\nservice c from web() {}\nfor s in [p0, p1] {\npostgres \"db-${s}\" { managed = false }\n}\n";
    assert_eq!(
        fmt(text),
        "use nats\nuse \"./a.flyx\"\n\ntemplate web(port = 8080, start) { image = \"x\" }\nservice api from web(port = 3000, start = \"s\") {}\nservice b from web {}\nservice c from web() {}\n\nfor s in [p0, p1] {\n  postgres \"db-${s}\" { managed = false }\n}\n"
    );
}

#[test]
fn parameters_and_arguments_over_several_lines() {
    let text = "template web(\n  port = 8080,\n  start\n) {}\nservice a from web(\nport = 1) {}\n";
    assert_eq!(
        fmt(text),
        "template web(\n  port = 8080,\n  start,\n) {}\n\nservice a from web(\n  port = 1,\n) {}\n"
    );
}

#[test]
fn comments_stay_where_they_were() {
    let text = "# head\n\n# about api\nservice api { # opens\n  # before image\n  image = \"x\" # trails\n\n  links = [\n    a, # first\n    # before b\n    b,\n    # before the bracket\n  ]\n  env {\n    A = \"1\"\n    # before the brace\n  }\n}\n# at the end\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn aligned_trailing_comments_keep_their_distance_from_the_indentation() {
    let text = "x {\n      a = 1        # aligned\n    bb = 2 # one space\n}\n";
    assert_eq!(
        fmt(text),
        "x {\n  a  = 1       # aligned\n  bb = 2 # one space\n}\n"
    );
}

#[test]
fn blank_lines_and_blocks_break_the_alignment_and_comment_lines_do_not() {
    let text = "x {\n  a = 1\n  # c\n  bbb = 2\n\n  cc = 3\n  y {}\n  d = 4\n}\n";
    assert_eq!(
        fmt(text),
        "x {\n  a   = 1\n  # c\n  bbb = 2\n\n  cc = 3\n  y {}\n  d = 4\n}\n"
    );
}

#[test]
fn comments_inside_a_piece_are_kept() {
    let text = "service # kind\n  api {\n  image = # key\n    \"x\"\n}\n";
    let formatted = fmt(text);
    assert!(formatted.contains("# kind") && formatted.contains("# key"));
    let comments = |t: &str| {
        let (sources, file) = crate::source::Sources::single("t", t);
        crate::syntax::parse(&sources, file).map(|f| f.comments.len())
    };
    assert_eq!(comments(&formatted).ok(), Some(2));
}

#[test]
fn maps_in_a_list_with_the_same_keys_are_a_table() {
    let text = "for c in [\n  { name = \"ethereum\", region = iad },\n  { name = \"base\", region = sjc },\n] {}\n";
    assert_eq!(
        fmt(text),
        "for c in [\n  { name = \"ethereum\", region = iad },\n  { name = \"base\",     region = sjc },\n] {}\n"
    );
}

#[test]
fn one_line_top_level_blocks_written_together_stay_together() {
    let text = "postgres db {}\nredis cache {}\nservice a {\n}\nservice b {}\n";
    assert_eq!(
        fmt(text),
        "postgres db {}\nredis cache {}\n\nservice a {}\n\nservice b {}\n"
    );
}

#[test]
fn multi_line_strings_are_left_alone() {
    let text = "x {\n  s = \"line one\n    line two\"\n  t = 1\n}\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n"), "");
    assert_eq!(fmt("# only\n\n\n# comments"), "# only\n\n# comments\n");
    assert_eq!(fmt("x {}\r\n# crlf\r\n"), "x {}\n# crlf\n");
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_diagnostics() {
    let diagnostics = format_source("t.flyx", "service api {").expect_err("fails");
    assert_eq!(diagnostics.len(), 1);
}
