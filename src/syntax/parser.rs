//! The pest parser generated from `grammar/flyx.pest`, and the names of its rules
//! in the user's words.

use pest_derive::Parser;

/// The parser for `grammar/flyx.pest`.
#[derive(Parser)]
#[grammar = "../grammar/flyx.pest"]
pub struct FlyxParser;

/// How a rule is named in "expected ..." messages.
pub fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::file | Rule::piece | Rule::item => "a block such as `service NAME { ... }`",
        Rule::use_decl | Rule::kw_use => "`use`",
        Rule::for_loop | Rule::kw_for => "`for`",
        Rule::kw_in => "`in`",
        Rule::kw_from | Rule::from_clause => "`from`",
        Rule::params | Rule::args | Rule::open_paren => "`(`",
        Rule::param => "a parameter",
        Rule::close_paren => "`)`",
        Rule::block => "a block",
        Rule::entry | Rule::attribute => "an attribute",
        Rule::label => "a name",
        Rule::key | Rule::ident => "a name",
        Rule::value
        | Rule::list
        | Rule::map
        | Rule::reference
        | Rule::boolean
        | Rule::numeric
        | Rule::size
        | Rule::size_unit
        | Rule::duration
        | Rule::time_unit
        | Rule::number
        | Rule::malformed
        | Rule::digits => "a value",
        Rule::map_entry => "a `key = value` entry",
        Rule::string | Rule::quote => "a string",
        Rule::text | Rule::escape | Rule::interpolation | Rule::interp_open => "string text",
        Rule::close_quote => "`\"` to close the string",
        Rule::interp_close => "`}` to close `${`",
        Rule::ident_char => "a letter, digit, `_` or `-`",
        Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::open_bracket => "`[`",
        Rule::close_bracket => "`]`",
        Rule::assign => "`=`",
        Rule::comma => "`,`",
        Rule::WHITESPACE | Rule::COMMENT => "whitespace",
    }
}
