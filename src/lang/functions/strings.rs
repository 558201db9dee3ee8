//! String functions: case, trimming, searching, `split`/`join`, `substr`, `indent`, `title`, and the
//! regular-expression ones (`regex`, `regexall`, and `replace` with a `/pattern/`). Patterns use the
//! `regex` crate after [`go_pattern`] rewrites the few spots where its syntax reads differently from
//! Go's RE2 (ASCII `\d \w \s \b`, literal `[ & ~` in classes, `\Q…\E`). Lengths and offsets count
//! Unicode scalar values where Terraform counts grapheme clusters; the two agree except for combining
//! sequences. Must not build unbounded strings from small inputs.

use regex::Regex;

use super::{Ctx, invalid, primitive_string, take, want_elements, want_int, want_string};
use crate::lang::Value;

fn string_result(text: String) -> Result<Value, String> {
    Ok(Value::String(text))
}

pub(super) fn lower(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    string_result(want_string(&text, "str")?.to_lowercase())
}

pub(super) fn upper(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    string_result(want_string(&text, "str")?.to_uppercase())
}

pub(super) fn trimspace(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    string_result(want_string(&text, "str")?.trim().to_string())
}

pub(super) fn trim(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, cutset] = take(args);
    let text = want_string(&text, "str")?;
    let cutset = want_string(&cutset, "cutset")?;
    string_result(text.trim_matches(|c| cutset.contains(c)).to_string())
}

pub(super) fn trimprefix(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, prefix] = take(args);
    let text = want_string(&text, "str")?;
    let prefix = want_string(&prefix, "prefix")?;
    string_result(
        text.strip_prefix(prefix.as_str())
            .unwrap_or(&text)
            .to_string(),
    )
}

pub(super) fn trimsuffix(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, suffix] = take(args);
    let text = want_string(&text, "str")?;
    let suffix = want_string(&suffix, "suffix")?;
    string_result(
        text.strip_suffix(suffix.as_str())
            .unwrap_or(&text)
            .to_string(),
    )
}

pub(super) fn chomp(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let text = want_string(&text, "str")?;
    string_result(text.trim_end_matches(['\n', '\r']).to_string())
}

pub(super) fn startswith(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, prefix] = take(args);
    let text = want_string(&text, "str")?;
    Ok(Value::Bool(
        text.starts_with(&want_string(&prefix, "prefix")?),
    ))
}

pub(super) fn endswith(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, suffix] = take(args);
    let text = want_string(&text, "str")?;
    Ok(Value::Bool(
        text.ends_with(&want_string(&suffix, "suffix")?),
    ))
}

pub(super) fn strcontains(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, substr] = take(args);
    let text = want_string(&text, "str")?;
    Ok(Value::Bool(text.contains(&want_string(&substr, "substr")?)))
}

pub(super) fn strrev(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    string_result(want_string(&text, "str")?.chars().rev().collect())
}

/// Go's `strings.Title`: upper-case every letter that follows a separator.
pub(super) fn title(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let text = want_string(&text, "str")?;
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphanumeric() {
            return false;
        }
        c.is_whitespace()
    }
    let mut out = String::with_capacity(text.len());
    let mut previous = ' ';
    for c in text.chars() {
        if is_separator(previous) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous = c;
    }
    string_result(out)
}

pub(super) fn indent(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [spaces, text] = take(args);
    let spaces = want_int(&spaces, "spaces")?;
    let text = want_string(&text, "str")?;
    let spaces = usize::try_from(spaces).map_err(|_| invalid("spaces", "must not be negative"))?;
    let lines = text.matches('\n').count();
    let size = spaces
        .checked_mul(lines)
        .and_then(|padding| padding.checked_add(text.len()));
    if size.is_none_or(|size| size > super::MAX_BUILT_STRING) {
        return Err(invalid("spaces", "the indented string would be too large"));
    }
    let padding = format!("\n{}", " ".repeat(spaces));
    string_result(text.replace('\n', &padding))
}

/// `split(separator, str)` with Go's `strings.Split` rules: an empty separator splits into characters.
pub(super) fn split(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [separator, text] = take(args);
    let separator = want_string(&separator, "separator")?;
    let text = want_string(&text, "str")?;
    let parts: Vec<Value> = if separator.is_empty() {
        text.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        text.split(separator.as_str()).map(Value::string).collect()
    };
    Ok(Value::List(parts))
}

/// `join(separator, lists...)`.
pub(super) fn join(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut args = args.into_iter();
    let separator = want_string(&args.next().unwrap_or(Value::Null), "separator")?;
    let lists: Vec<Value> = args.collect();
    if lists.is_empty() {
        return Err("at least one list is required".to_string());
    }
    let several = lists.len() > 1;
    let mut parts = Vec::new();
    for (list_index, list) in lists.into_iter().enumerate() {
        for (element_index, item) in want_elements(list, "lists", "list of string")?
            .iter()
            .enumerate()
        {
            match item {
                Value::Null if several => {
                    return Err(format!(
                        "element {element_index} of list {} is null; cannot concatenate null values",
                        list_index + 1
                    ));
                }
                Value::Null => {
                    return Err(format!(
                        "element {element_index} is null; cannot concatenate null values"
                    ));
                }
                other => parts.push(
                    primitive_string(other)
                        .ok_or_else(|| invalid("lists", "list of string required"))?,
                ),
            }
        }
    }
    string_result(parts.join(&separator))
}

/// `substr(str, offset, length)`: a negative offset counts from the end, a negative length takes the
/// rest, and out-of-range values clamp rather than fail, as in Terraform.
pub(super) fn substr(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, offset, length] = take(args);
    let text = want_string(&text, "str")?;
    let mut offset = want_int(&offset, "offset")?;
    let length = want_int(&length, "length")?;
    let chars: Vec<char> = text.chars().collect();
    let total = chars.len() as i64;
    if offset < 0 {
        offset = (offset + total).max(0);
    }
    if length == 0 || offset >= total {
        return string_result(String::new());
    }
    let rest = &chars[offset as usize..];
    let take = if length < 0 {
        rest.len()
    } else {
        rest.len()
            .min(usize::try_from(length).unwrap_or(usize::MAX))
    };
    string_result(rest[..take].iter().collect())
}

/// Rewrite a Go (RE2) pattern so the `regex` crate reads it the way Go does: `\d \w \s \b` and their
/// negations are ASCII-only in Go but Unicode in Rust; inside a class, Go takes `[` (other than
/// `[:name:]`), `&` and `~` literally where Rust would nest or combine classes; `\Q…\E` quotes
/// literally in Go and is unknown to Rust.
fn go_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Just after `[` or `[^`, where `]` is a literal.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(escaped) = chars.next() else {
                out.push('\\');
                break;
            };
            let ascii = match (escaped, in_class) {
                ('d', false) => Some("[0-9]"),
                ('w', false) => Some("[0-9A-Za-z_]"),
                ('s', false) => Some(r"[\t\n\f\r ]"),
                ('b', false) => Some(r"(?-u:\b)"),
                ('B', false) => Some(r"(?-u:\B)"),
                ('d', true) => Some("0-9"),
                ('w', true) => Some("0-9A-Za-z_"),
                ('s', true) => Some(r"\t\n\f\r "),
                ('D', _) => Some("[^0-9]"),
                ('W', _) => Some("[^0-9A-Za-z_]"),
                ('S', _) => Some(r"[^\t\n\f\r ]"),
                _ => None,
            };
            if let Some(ascii) = ascii {
                out.push_str(ascii);
            } else if escaped == 'Q' && !in_class {
                let mut literal = String::new();
                while let Some(next) = chars.next() {
                    if next == '\\' && chars.peek() == Some(&'E') {
                        chars.next();
                        break;
                    }
                    literal.push(next);
                }
                out.push_str(&regex::escape(&literal));
            } else {
                out.push('\\');
                out.push(escaped);
            }
            class_start = false;
            continue;
        }
        if in_class {
            match c {
                ']' if !class_start => {
                    in_class = false;
                    out.push(']');
                }
                '[' if chars.peek() == Some(&':') => {
                    // A POSIX class such as [:alpha:], copied through its closing ":]".
                    out.push('[');
                    let mut previous = '[';
                    for next in chars.by_ref() {
                        out.push(next);
                        if previous == ':' && next == ']' {
                            break;
                        }
                        previous = next;
                    }
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
            class_start = false;
            continue;
        }
        out.push(c);
        if c == '[' {
            in_class = true;
            class_start = true;
            if chars.peek() == Some(&'^') {
                chars.next();
                out.push('^');
            }
        }
    }
    out
}

/// The reason in a `regex` crate error, without its multi-line source excerpt.
fn regex_reason(error: &regex::Error) -> String {
    match error {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .map(|line| line.trim().trim_start_matches("error: ").to_string())
            .unwrap_or_else(|| text.clone()),
        regex::Error::CompiledTooBig(limit) => {
            format!("the compiled pattern is larger than the limit of {limit} bytes")
        }
        other => other.to_string(),
    }
}

/// What a `regex` match turns into, decided by the pattern's capture groups.
enum Captures {
    Whole,
    Unnamed,
    Named(Vec<String>),
}

fn compile_capturing(ctx: &Ctx, pattern: &str) -> Result<(Regex, Captures), String> {
    let regex = Regex::new(&go_pattern(pattern)).map_err(|error| {
        let shown = if ctx.sensitive {
            String::new()
        } else {
            format!(" in `{pattern}`")
        };
        invalid(
            "pattern",
            &format!("invalid regexp pattern: {}{shown}", regex_reason(&error)),
        )
    })?;
    let names: Vec<Option<&str>> = regex.capture_names().skip(1).collect();
    let named = names.iter().filter(|name| name.is_some()).count();
    let captures = if names.is_empty() {
        Captures::Whole
    } else if named == 0 {
        Captures::Unnamed
    } else if named == names.len() {
        Captures::Named(
            names
                .iter()
                .flatten()
                .map(|name| name.to_string())
                .collect(),
        )
    } else {
        return Err(invalid(
            "pattern",
            "invalid regexp pattern: cannot mix both named and unnamed capture groups",
        ));
    };
    Ok((regex, captures))
}

fn capture_value(found: &regex::Captures<'_>, captures: &Captures) -> Value {
    let group = |index: usize| {
        found
            .get(index)
            .map_or(Value::Null, |m| Value::string(m.as_str()))
    };
    match captures {
        Captures::Whole => group(0),
        Captures::Unnamed => Value::List((1..found.len()).map(group).collect()),
        Captures::Named(names) => Value::map(
            names
                .iter()
                .map(|name| {
                    let value = found
                        .name(name)
                        .map_or(Value::Null, |m| Value::string(m.as_str()));
                    (name.clone(), value)
                })
                .collect(),
        ),
    }
}

pub(super) fn regex(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [pattern, text] = take(args);
    let pattern = want_string(&pattern, "pattern")?;
    let text = want_string(&text, "string")?;
    let (regex, captures) = compile_capturing(ctx, &pattern)?;
    let found = regex
        .captures(&text)
        .ok_or_else(|| "pattern did not match any part of the given string".to_string())?;
    Ok(capture_value(&found, &captures))
}

pub(super) fn regexall(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [pattern, text] = take(args);
    let pattern = want_string(&pattern, "pattern")?;
    let text = want_string(&text, "string")?;
    let (regex, captures) = compile_capturing(ctx, &pattern)?;
    Ok(Value::List(
        regex
            .captures_iter(&text)
            .map(|found| capture_value(&found, &captures))
            .collect(),
    ))
}

/// `replace(str, substr, replacement)`: literal, or a regular expression when `substr` is wrapped in
/// slashes (`$1` and `${name}` in the replacement refer to groups).
pub(super) fn replace(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text, substr, replacement] = take(args);
    let text = want_string(&text, "str")?;
    let substr = want_string(&substr, "substr")?;
    let replacement = want_string(&replacement, "replace")?;
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let pattern = &substr[1..substr.len() - 1];
        let regex = Regex::new(&go_pattern(pattern)).map_err(|error| {
            let shown = if ctx.sensitive {
                String::new()
            } else {
                format!(": `{pattern}`")
            };
            format!("error parsing regexp: {}{shown}", regex_reason(&error))
        })?;
        return string_result(regex.replace_all(&text, replacement.as_str()).into_owned());
    }
    string_result(text.replace(substr.as_str(), &replacement))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    #[test]
    fn case_and_trimming() {
        assert_eq!(ok("lower", vec![s("HeLLo")]), s("hello"));
        assert_eq!(ok("upper", vec![s("héllo")]), s("HÉLLO"));
        assert_eq!(ok("upper", vec![n(5)]), s("5"));
        assert_eq!(ok("trimspace", vec![s(" \t\n hello \n")]), s("hello"));
        assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(
            ok("trimprefix", vec![s("helloworld"), s("hello")]),
            s("world")
        );
        assert_eq!(ok("trimprefix", vec![s("hello"), s("x")]), s("hello"));
        assert_eq!(
            ok("trimsuffix", vec![s("helloworld"), s("world")]),
            s("hello")
        );
        assert_eq!(ok("chomp", vec![s("hello\r\n\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("hel\nlo")]), s("hel\nlo"));
        assert_eq!(
            err("lower", vec![strs(&["a"])]),
            "invalid value for \"str\" parameter: string required"
        );
        assert_eq!(
            err("upper", vec![Value::Null]),
            "invalid value for \"str\" parameter: argument must not be null"
        );
        assert!(err("trimspace", vec![map(vec![])]).contains("string required"));
        assert!(err("trim", vec![s("a"), list(vec![])]).contains("\"cutset\""));
        assert!(err("trimprefix", vec![s("a"), list(vec![])]).contains("\"prefix\""));
        assert!(err("trimsuffix", vec![s("a"), list(vec![])]).contains("\"suffix\""));
        assert!(err("chomp", vec![list(vec![])]).contains("string required"));
        assert_eq!(ok("lower", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(ok("trimspace", vec![secret(s(" a "))]), secret(s("a")));
    }

    #[test]
    fn prefix_suffix_and_contains() {
        assert_eq!(
            ok("startswith", vec![s("hello world"), s("hello")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("startswith", vec![s("hello world"), s("world")]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("endswith", vec![s("hello world"), s("world")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("strcontains", vec![s("hello world"), s("o w")]),
            Value::Bool(true)
        );
        assert!(err("startswith", vec![list(vec![]), s("a")]).contains("\"str\""));
        assert!(err("endswith", vec![s("a"), Value::Null]).contains("\"suffix\""));
        assert!(err("strcontains", vec![s("a"), list(vec![])]).contains("\"substr\""));
        assert_eq!(
            ok("startswith", vec![Value::Unknown, s("a")]),
            Value::Unknown
        );
        assert_eq!(
            ok("endswith", vec![secret(s("abc")), s("c")]),
            secret(Value::Bool(true))
        );
    }

    #[test]
    fn strrev_title_indent() {
        assert_eq!(ok("strrev", vec![s("héllo")]), s("olléh"));
        assert_eq!(
            ok("title", vec![s("hello world-wide web_site")]),
            s("Hello World-Wide Web_site")
        );
        assert_eq!(
            ok("indent", vec![n(2), s("[\n  foo,\n]")]),
            s("[\n    foo,\n  ]")
        );
        assert_eq!(
            err("indent", vec![n(-1), s("a\nb")]),
            "invalid value for \"spaces\" parameter: must not be negative"
        );
        assert!(err("indent", vec![n(1_000_000_000), s("a\nb")]).contains("too large"));
        assert!(err("strrev", vec![list(vec![])]).contains("string required"));
        assert!(err("title", vec![list(vec![])]).contains("string required"));
    }

    #[test]
    fn split_and_join() {
        assert_eq!(ok("split", vec![s(","), s("a,,b")]), strs(&["a", "", "b"]));
        assert_eq!(ok("split", vec![s(","), s("")]), strs(&[""]));
        assert_eq!(ok("split", vec![s(""), s("abc")]), strs(&["a", "b", "c"]));
        assert_eq!(ok("split", vec![s(""), s("")]), list(vec![]));
        assert!(err("split", vec![list(vec![]), s("a")]).contains("\"separator\""));
        assert_eq!(
            ok("join", vec![s(", "), strs(&["a", "b"]), strs(&["c"])]),
            s("a, b, c")
        );
        assert_eq!(
            ok("join", vec![s("-"), list(vec![n(1), Value::Bool(true)])]),
            s("1-true")
        );
        assert_eq!(ok("join", vec![s("-"), list(vec![])]), s(""));
        assert_eq!(
            err("join", vec![s("-"), list(vec![s("a"), Value::Null])]),
            "element 1 is null; cannot concatenate null values"
        );
        assert_eq!(
            err("join", vec![s("-"), strs(&["a"]), list(vec![Value::Null])]),
            "element 0 of list 2 is null; cannot concatenate null values"
        );
        assert_eq!(err("join", vec![s("-")]), "at least one list is required");
        assert_eq!(ok("split", vec![s(","), Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn substr_follows_terraform() {
        assert_eq!(ok("substr", vec![s("hello world"), n(1), n(4)]), s("ello"));
        assert_eq!(
            ok("substr", vec![s("hello world"), n(-5), n(-1)]),
            s("world")
        );
        assert_eq!(
            ok("substr", vec![s("hello world"), n(6), n(100)]),
            s("world")
        );
        assert_eq!(ok("substr", vec![s("hello"), n(10), n(2)]), s(""));
        assert_eq!(ok("substr", vec![s("hello"), n(-10), n(2)]), s("he"));
        assert_eq!(ok("substr", vec![s("hello"), n(1), n(0)]), s(""));
        assert_eq!(ok("substr", vec![s("🤔🤷"), n(0), n(1)]), s("🤔"));
        assert_eq!(
            err("substr", vec![s("hello"), f(1.5), n(1)]),
            "invalid value for \"offset\" parameter: value must be a whole number"
        );
        assert_eq!(
            ok("substr", vec![secret(s("hello")), n(0), n(1)]),
            secret(s("h"))
        );
    }

    #[test]
    fn regex_results_follow_capture_groups() {
        assert_eq!(
            ok(
                "regex",
                vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
            ),
            s("aaabbbccc")
        );
        assert_eq!(
            ok(
                "regex",
                vec![s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")]
            ),
            strs(&["2019", "02", "01"])
        );
        assert_eq!(
            ok(
                "regex",
                vec![
                    s(r"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://terraform.io/docs/")
                ]
            ),
            map(vec![
                ("authority", s("terraform.io")),
                ("scheme", s("https"))
            ])
        );
        assert_eq!(
            ok("regex", vec![s("(a)|(b)"), s("b")]),
            list(vec![Value::Null, s("b")])
        );
        assert_eq!(
            err("regex", vec![s("[a-z]+"), s("123")]),
            "pattern did not match any part of the given string"
        );
        assert_eq!(
            err("regex", vec![s("(?P<x>a)(b)"), s("ab")]),
            "invalid value for \"pattern\" parameter: invalid regexp pattern: cannot mix both named and unnamed capture groups"
        );
        let message = err("regex", vec![s("(a"), s("a")]);
        assert!(
            message
                .starts_with("invalid value for \"pattern\" parameter: invalid regexp pattern: "),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
        assert_eq!(ok("regex", vec![s("a"), Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn patterns_read_as_go_reads_them() {
        use super::go_pattern;
        // Perl classes are ASCII-only in Go.
        assert_eq!(
            err("regex", vec![s(r"^\d+$"), s("١٢")]),
            "pattern did not match any part of the given string"
        );
        assert_eq!(ok("regex", vec![s(r"\w+"), s("héllo")]), s("h"));
        assert_eq!(ok("regex", vec![s(r"[\d.]+"), s("v10.2.x")]), s("10.2."));
        assert_eq!(
            ok("regex", vec![s(r"[^\s]+"), s("\u{a0}a b")]),
            s("\u{a0}a")
        );
        assert_eq!(
            ok("regex", vec![s(r"\bAS\d+\b"), s("peer AS65515,")]),
            s("AS65515")
        );
        // Class punctuation Rust would treat as set operations, and a literal '['.
        assert_eq!(ok("regex", vec![s("[a&&b]+"), s("x&&ab")]), s("&&ab"));
        assert_eq!(ok("regex", vec![s("[[]+"), s("a[[b")]), s("[["));
        assert_eq!(ok("regex", vec![s("[]a]+"), s("x]a]"),]), s("]a]"));
        assert_eq!(ok("regex", vec![s("[[:digit:]x]+"), s("ab1x2")]), s("1x2"));
        // \Q…\E quotes.
        assert_eq!(ok("regex", vec![s(r"\Q1.2\E"), s("1x2 1.2")]), s("1.2"));
        // Escapes that mean the same in both pass through.
        assert_eq!(go_pattern(r"\.\pL\x41\\"), r"\.\pL\x41\\");
        assert_eq!(
            ok("replace", vec![s("a1b22"), s(r"/\d+/"), s("#")]),
            s("a#b#")
        );
    }

    #[test]
    fn regexall_lists_every_match() {
        assert_eq!(
            ok("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]),
            strs(&["abcd", "efgh"])
        );
        assert_eq!(ok("regexall", vec![s("[a-z]+"), s("123")]), list(vec![]));
        assert_eq!(
            ok("regexall", vec![s(r"(\d)(\w)"), s("1a 2b")]),
            list(vec![strs(&["1", "a"]), strs(&["2", "b"])])
        );
        // Go skips an empty match right after a previous match.
        assert_eq!(
            ok("regexall", vec![s("a*"), s("baaab")]),
            strs(&["", "aaa", ""])
        );
        assert!(err("regexall", vec![s("("), s("a")]).contains("invalid regexp pattern"));
        assert_eq!(
            ok("regexall", vec![s("a"), secret(s("aa"))]),
            secret(strs(&["a", "a"]))
        );
    }

    #[test]
    fn replace_literal_and_regex() {
        assert_eq!(
            ok("replace", vec![s("1 + 2 + 3"), s("+"), s("-")]),
            s("1 - 2 - 3")
        );
        assert_eq!(
            ok(
                "replace",
                vec![s("hello world"), s("/w.*d/"), s("everybody")]
            ),
            s("hello everybody")
        );
        assert_eq!(
            ok(
                "replace",
                vec![s("10.0.1.0/24"), s(r"/^(\d+)\.(\d+)\..*$/"), s("$1.$2.x")]
            ),
            s("10.0.x")
        );
        assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("-")]), s("a-b"));
        assert_eq!(ok("replace", vec![s("ab"), s(""), s("-")]), s("-a-b-"));
        let message = err("replace", vec![s("a"), s("/(/"), s("b")]);
        assert!(message.starts_with("error parsing regexp: "), "{message}");
        assert_eq!(
            ok("replace", vec![s("a"), Value::Unknown, s("b")]),
            Value::Unknown
        );
        assert_eq!(
            ok("replace", vec![secret(s("ab")), s("a"), s("c")]),
            secret(s("cb"))
        );
    }
}
