//! POSIX shell words: splitting a command line the way flyctl and a shell do,
//! and quoting a value so a shell reads it back unchanged.

/// Splits `command` into words: whitespace separates, single quotes keep
/// everything, double quotes keep everything but backslash escapes, and a
/// backslash outside quotes escapes the next character.
pub fn split_words(command: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(inner) => word.push(inner),
                        None => return Err("a single quote is never closed"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(next @ ('"' | '\\' | '$' | '`')) => word.push(next),
                            Some(next) => {
                                word.push('\\');
                                word.push(next);
                            }
                            None => return Err("a double quote is never closed"),
                        },
                        Some(inner) => word.push(inner),
                        None => return Err("a double quote is never closed"),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(next) => {
                    in_word = true;
                    word.push(next);
                }
                None => return Err("it ends with a lone backslash"),
            },
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// `value` quoted for a POSIX shell: as is when it is plainly safe, otherwise
/// in single quotes, with each `'` written as `'\''`.
pub fn quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if safe {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split_words("node dist/server.js").unwrap(),
            ["node", "dist/server.js"]
        );
        assert_eq!(
            split_words("sh -c 'cd /app && npm run migrate'").unwrap(),
            ["sh", "-c", "cd /app && npm run migrate"]
        );
        assert_eq!(
            split_words(r#"echo "a \"b\" c" d\ e"#).unwrap(),
            ["echo", "a \"b\" c", "d e"]
        );
        assert_eq!(split_words("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_words("''").unwrap(), [""]);
        assert!(split_words("echo 'oops").is_err());
        assert!(split_words("echo \"oops").is_err());
        assert!(split_words("echo \\").is_err());
    }

    #[test]
    fn quotes_for_a_shell() {
        assert_eq!(quote("drop-api"), "drop-api");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME"), "'$HOME'");
    }
}
