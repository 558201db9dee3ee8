//! `format` and `formatlist`: Terraform's printf dialect (cty's `format`), with its verbs `%v %#v %t %b
//! %d %o %x %X %e %E %f %g %G %s %q %%`, the flags `space + - 0 #`, width, precision and `%[n]`
//! argument indexes. Numbers print as Go's `fmt` prints them (`%v` of a number is Go's shortest `%g`,
//! so one million prints as `1e+06`, exactly as Terraform does). Must not allocate without bound:
//! widths and precisions are capped.

use super::encoding::to_json_text;
use super::{Ctx, MAX_BUILT_STRING, parse_number, primitive_string, quote, want_string};
use crate::lang::Value;

/// The largest width or precision a verb may ask for.
const MAX_WIDTH: usize = 100_000;

pub(super) fn format(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut args = args.into_iter();
    let spec = want_string(&args.next().unwrap_or(Value::Null), "format")?;
    let values: Vec<Value> = args.collect();
    Ok(Value::String(render(&spec, &values)?))
}

pub(super) fn formatlist(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut args = args.into_iter();
    let spec = want_string(&args.next().unwrap_or(Value::Null), "format")?;
    let values: Vec<Value> = args.collect();
    // Sequences are iterated in step; everything else repeats.
    let mut length: Option<(usize, usize)> = None;
    for (position, value) in values.iter().enumerate() {
        if let Value::List(items) | Value::Set(items) = value {
            match length {
                None => length = Some((items.len(), position)),
                Some((expected, chooser)) if expected != items.len() => {
                    return Err(format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {}",
                        position + 1,
                        items.len(),
                        chooser + 1,
                        expected
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let iterations = length.map_or(1, |(length, _)| length);
    let mut results = Vec::with_capacity(iterations);
    let mut total = 0usize;
    for iteration in 0..iterations {
        let row: Vec<Value> = values
            .iter()
            .map(|value| match value {
                Value::List(items) | Value::Set(items) => {
                    items.get(iteration).cloned().unwrap_or(Value::Null)
                }
                other => other.clone(),
            })
            .collect();
        let text = render(&spec, &row)
            .map_err(|error| format!("error on format iteration {iteration}: {error}"))?;
        total = total.saturating_add(text.len());
        if total > MAX_BUILT_STRING {
            return Err("the formatted list would be too large".to_string());
        }
        results.push(Value::String(text));
    }
    Ok(Value::List(results))
}

/// One `%…` sequence.
#[derive(Default)]
struct Verb<'a> {
    raw: &'a str,
    offset: usize,
    /// One-based argument number.
    arg: usize,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
    mode: char,
}

/// Read decimal digits at `at`; the value saturates (and is refused later) instead of overflowing.
fn digits(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let mut value = 0usize;
    while let Some(byte) = bytes.get(at).filter(|byte| byte.is_ascii_digit()) {
        value = value
            .saturating_mul(10)
            .saturating_add(usize::from(byte - b'0'));
        at += 1;
    }
    (value, at)
}

fn unrecognized(spec: &str, at: usize) -> String {
    let shown = spec[at..]
        .chars()
        .next()
        .map_or_else(String::new, |c| format!("'{c}'"));
    format!("unrecognized format character {shown} at offset {at}")
}

/// Apply a format string to arguments.
fn render(spec: &str, args: &[Value]) -> Result<String, String> {
    let bytes = spec.as_bytes();
    let mut out = String::new();
    let mut next_arg = 1usize;
    let mut at = 0usize;
    while at < bytes.len() {
        if bytes[at] != b'%' {
            let end = spec[at..].find('%').map_or(spec.len(), |found| at + found);
            out.push_str(&spec[at..end]);
            at = end;
            continue;
        }
        if bytes.get(at + 1) == Some(&b'%') {
            out.push('%');
            at += 2;
            continue;
        }
        let start = at;
        at += 1;
        let mut verb = Verb {
            arg: next_arg,
            offset: start,
            ..Verb::default()
        };
        while let Some(byte) = bytes.get(at) {
            match byte {
                b'0' => verb.zero = true,
                b'#' => verb.sharp = true,
                b'-' => verb.minus = true,
                b'+' => verb.plus = true,
                b' ' => verb.space = true,
                _ => break,
            }
            at += 1;
        }
        if bytes.get(at) == Some(&b'[') {
            at += 1;
            if !matches!(bytes.get(at), Some(b'1'..=b'9')) {
                return Err(unrecognized(spec, at.min(spec.len())));
            }
            let (number, after) = digits(bytes, at);
            at = after;
            if bytes.get(at) != Some(&b']') {
                return Err(unrecognized(spec, at.min(spec.len())));
            }
            at += 1;
            verb.arg = number;
        }
        if matches!(bytes.get(at), Some(b'1'..=b'9')) {
            let (width, after) = digits(bytes, at);
            verb.width = Some(width);
            at = after;
        }
        if bytes.get(at) == Some(&b'.') {
            let (precision, after) = digits(bytes, at + 1);
            verb.precision = Some(precision);
            at = after;
        }
        match spec[at..].chars().next() {
            None => {
                return Err(format!(
                    "invalid format string starting at offset {}",
                    spec.len()
                ));
            }
            Some(mode) if mode.is_ascii_alphabetic() => {
                verb.mode = mode;
                at += 1;
            }
            Some(_) => return Err(unrecognized(spec, at)),
        }
        verb.raw = &spec[start..at];
        if verb.width.is_some_and(|width| width > MAX_WIDTH)
            || verb
                .precision
                .is_some_and(|precision| precision > MAX_WIDTH)
        {
            return Err(format!(
                "unsupported value for {} at {}: width or precision larger than {MAX_WIDTH}",
                quote(verb.raw),
                verb.offset
            ));
        }
        append(&verb, &mut out, args)?;
        next_arg = verb.arg.saturating_add(1);
        if out.len() > MAX_BUILT_STRING {
            return Err("the formatted string would be too large".to_string());
        }
    }
    Ok(out)
}

fn append(verb: &Verb<'_>, out: &mut String, args: &[Value]) -> Result<(), String> {
    let unsupported = |problem: &str| {
        format!(
            "unsupported value for {} at {}: {problem}",
            quote(verb.raw),
            verb.offset
        )
    };
    let Some(arg) = verb.arg.checked_sub(1).and_then(|index| args.get(index)) else {
        return Err(format!(
            "not enough arguments for {} at {}: need index {} but have {} total",
            quote(verb.raw),
            verb.offset,
            verb.arg,
            args.len()
        ));
    };
    let arg = arg.unmark().0;
    if verb.mode != 'v' && matches!(arg, Value::Null) {
        return Err(unsupported("null value cannot be formatted"));
    }
    match verb.mode {
        'v' => {
            let text = match arg {
                Value::String(text) if !verb.sharp => text.clone(),
                Value::Number(number) if !verb.sharp => shortest_g(number.0, false),
                other => to_json_text(other).map_err(|problem| unsupported(&problem))?,
            };
            out.push_str(&pad(verb, text));
        }
        't' => {
            let value = match arg {
                Value::Bool(value) => *value,
                Value::String(text) if text == "true" => true,
                Value::String(text) if text == "false" => false,
                _ => return Err(unsupported("bool required")),
            };
            out.push_str(if value { "true" } else { "false" });
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let number = match arg {
                Value::Number(number) => number.0,
                Value::String(text) => {
                    parse_number(text).ok_or_else(|| unsupported("a number is required"))?
                }
                _ => return Err(unsupported("number required")),
            };
            let text = if matches!(verb.mode, 'b' | 'd' | 'o' | 'x' | 'X') {
                format_integer(verb, number).ok_or_else(|| unsupported("an integer is required"))?
            } else {
                format_float(verb, number)
            };
            out.push_str(&text);
        }
        's' | 'q' => {
            let mut text = primitive_string(arg).ok_or_else(|| unsupported("string required"))?;
            if let Some(precision) = verb.precision.filter(|&precision| precision > 0)
                && let Some((cut, _)) = text.char_indices().nth(precision)
            {
                text.truncate(cut);
            }
            if verb.mode == 'q' {
                text =
                    to_json_text(&Value::String(text)).map_err(|problem| unsupported(&problem))?;
            }
            out.push_str(&pad(verb, text));
        }
        other => {
            return Err(format!(
                "unsupported format verb '{other}' in {} at offset {}",
                quote(verb.raw),
                verb.offset
            ));
        }
    }
    Ok(())
}

/// Pad to the verb's width, measured in characters.
fn pad(verb: &Verb<'_>, text: String) -> String {
    let Some(width) = verb.width else {
        return text;
    };
    let length = text.chars().count();
    if length >= width {
        return text;
    }
    let fill = if verb.zero { "0" } else { " " }.repeat(width - length);
    if verb.minus {
        text + &fill
    } else {
        fill + &text
    }
}

/// An integer verb, laid out as Go's `big.Int` formatter does:
/// `[left pad][sign][prefix][zero pad][digits][right pad]`. `None` if the number is not whole.
fn format_integer(verb: &Verb<'_>, number: f64) -> Option<String> {
    if number.fract() != 0.0 || !number.is_finite() {
        return None;
    }
    let negative = number < 0.0;
    let magnitude = number.abs();
    let digits = if magnitude < 1.7e38 {
        let magnitude = magnitude as u128;
        match verb.mode {
            'b' => format!("{magnitude:b}"),
            'o' => format!("{magnitude:o}"),
            'x' => format!("{magnitude:x}"),
            'X' => format!("{magnitude:X}"),
            _ => magnitude.to_string(),
        }
    } else if verb.mode == 'd' {
        format!("{magnitude:.0}")
    } else {
        return None;
    };
    let sign = if negative {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let prefix = match (verb.sharp, verb.mode) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(precision) = verb.precision {
        if digits.len() < precision {
            zeros = precision - digits.len();
        } else if digits == "0" && precision == 0 {
            return Some(String::new());
        }
    }
    let (mut left, mut right) = (0, 0);
    let length = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(width) = verb.width.filter(|&width| length < width) {
        let extra = width - length;
        if verb.minus {
            right = extra;
        } else if verb.zero && verb.precision.is_none() {
            zeros = extra;
        } else {
            left = extra;
        }
    }
    Some(format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    ))
}

/// A float verb, laid out as Go's `big.Float` formatter does.
fn format_float(verb: &Verb<'_>, number: f64) -> String {
    let upper = verb.mode.is_ascii_uppercase();
    let magnitude = number.abs();
    let body = if number.is_nan() {
        "NaN".to_string()
    } else if number.is_infinite() {
        "Inf".to_string()
    } else {
        match verb.mode {
            'e' | 'E' => {
                let precision = verb.precision.unwrap_or(6);
                let (digits, exponent) = rounded_digits(magnitude, precision + 1);
                exponent_form(&digits, exponent, precision, upper)
            }
            'f' => format!("{magnitude:.*}", verb.precision.unwrap_or(6)),
            _ => general_form(magnitude, verb.precision, upper),
        }
    };
    let sign = if number < 0.0 {
        "-"
    } else if verb.plus || (number == f64::INFINITY && !verb.space) {
        // Go prints positive infinity as "+Inf" unless asked for a space.
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let length = sign.len() + body.len();
    let padding = verb
        .width
        .filter(|&width| width > length)
        .map_or(0, |width| width - length);
    if verb.zero && number.is_finite() {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// Decimal digits (no trailing zeros) and decimal-point position of a finite, non-negative number:
/// value = 0.DIGITS × 10^position. Zero has no digits and position 0.
fn split_scientific(text: &str) -> (String, i32) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_string();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if digits.is_empty() {
        (digits, 0)
    } else {
        (digits, exponent + 1)
    }
}

/// The shortest digits that read back as `magnitude`.
fn shortest_digits(magnitude: f64) -> (String, i32) {
    split_scientific(&format!("{magnitude:e}"))
}

/// `magnitude` rounded to `significant` digits (at least one).
fn rounded_digits(magnitude: f64, significant: usize) -> (String, i32) {
    split_scientific(&format!("{magnitude:.*e}", significant.max(1) - 1))
}

/// `d.ddde±dd` with `precision` digits after the point.
fn exponent_form(digits: &str, position: i32, precision: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(digits.chars().next().unwrap_or('0'));
    if precision > 0 {
        out.push('.');
        let fraction: String = digits.chars().skip(1).take(precision).collect();
        let missing = precision - fraction.chars().count();
        out.push_str(&fraction);
        out.push_str(&"0".repeat(missing));
    }
    out.push(if upper { 'E' } else { 'e' });
    let exponent = if digits.is_empty() { 0 } else { position - 1 };
    out.push(if exponent < 0 { '-' } else { '+' });
    let exponent = exponent.unsigned_abs();
    if exponent < 10 {
        out.push('0');
    }
    out.push_str(&exponent.to_string());
    out
}

/// `ddd.ddd` with `precision` digits after the point.
fn fixed_form(digits: &str, position: i32, precision: usize) -> String {
    let digits: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    if position > 0 {
        let whole = position as usize;
        for index in 0..whole {
            out.push(digits.get(index).copied().unwrap_or('0'));
        }
    } else {
        out.push('0');
    }
    if precision > 0 {
        out.push('.');
        for index in 1..=precision as i64 {
            let at = i64::from(position) + index - 1;
            let digit = usize::try_from(at)
                .ok()
                .and_then(|at| digits.get(at).copied())
                .unwrap_or('0');
            out.push(digit);
        }
    }
    out
}

/// Go's `%g`: `precision` significant digits (`None`: the shortest that reads back), exponent form
/// for large and small exponents.
fn general_form(magnitude: f64, precision: Option<usize>, upper: bool) -> String {
    let (digits, position) = if magnitude == 0.0 {
        (String::new(), 0)
    } else {
        match precision {
            None => shortest_digits(magnitude),
            Some(precision) => rounded_digits(magnitude, precision.max(1)),
        }
    };
    let count = digits.len();
    let mut wanted = precision.map_or(count, |precision| precision.max(1));
    let mut exponent_limit = wanted;
    if exponent_limit > count && count as i64 >= i64::from(position) {
        exponent_limit = count;
    }
    if precision.is_none() {
        exponent_limit = 6;
    }
    let exponent = position - 1;
    if exponent < -4 || i64::from(exponent) >= exponent_limit as i64 {
        wanted = wanted.min(count);
        return exponent_form(&digits, position, wanted.saturating_sub(1), upper);
    }
    if wanted as i64 > i64::from(position) {
        wanted = count;
    }
    let fraction = (wanted as i64 - i64::from(position)).max(0) as usize;
    fixed_form(&digits, position, fraction)
}

/// Go's `%g` with the shortest precision, as `%v` prints numbers.
fn shortest_g(number: f64, upper: bool) -> String {
    if number.is_nan() {
        return "NaN".to_string();
    }
    if number.is_infinite() {
        return if number > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let body = general_form(number.abs(), None, upper);
    if number < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    fn fmt(spec: &str, args: Vec<Value>) -> String {
        let mut all = vec![s(spec)];
        all.extend(args);
        match ok("format", all) {
            Value::String(text) => text,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn strings_and_quoting() {
        assert_eq!(fmt("Hello, %s!", vec![s("Ander")]), "Hello, Ander!");
        assert_eq!(fmt("%s-%s", vec![n(5), Value::Bool(true)]), "5-true");
        assert_eq!(fmt("%q", vec![s("a\"<b>")]), r#""a\"\u003cb\u003e""#);
        assert_eq!(
            fmt("%.3s|%-6s|%6s", vec![s("abcdef"), s("ab"), s("ab")]),
            "abc|ab    |    ab"
        );
        assert_eq!(fmt("100%%", vec![]), "100%");
        assert_eq!(fmt("%[2]s %[1]s %s", vec![s("a"), s("b")]), "b a b");
    }

    #[test]
    fn integers() {
        assert_eq!(fmt("There are %d lights", vec![n(4)]), "There are 4 lights");
        assert_eq!(
            fmt(
                "%05d|%-5d|%5d|%+d|% d",
                vec![n(42), n(42), n(-42), n(7), n(7)]
            ),
            "00042|42   |  -42|+7| 7"
        );
        assert_eq!(
            fmt(
                "%x %X %#x %o %#o %b %#b",
                vec![n(255), n(255), n(255), n(8), n(8), n(5), n(5)]
            ),
            "ff FF 0xff 10 010 101 0b101"
        );
        assert_eq!(fmt("%d", vec![s("12")]), "12");
        assert_eq!(fmt("%.3d|%8.3d", vec![n(7), n(-7)]), "007|    -007");
        assert_eq!(fmt("%d", vec![f(1e20)]), "100000000000000000000");
    }

    #[test]
    fn floats() {
        assert_eq!(fmt("%f", vec![f(1.23456)]), "1.234560");
        assert_eq!(fmt("%.2f", vec![f(1.23456)]), "1.23");
        assert_eq!(
            fmt(
                "%8.2f|%-8.2f|%08.2f",
                vec![f(1.23456), f(1.23456), f(-1.23456)]
            ),
            "    1.23|1.23    |-0001.23"
        );
        assert_eq!(fmt("%e", vec![n(1_000_000)]), "1.000000e+06");
        assert_eq!(fmt("%.2E", vec![f(0.000123)]), "1.23E-04");
        assert_eq!(
            fmt("%g %g %g", vec![f(0.5), n(100_000), n(1_000_000)]),
            "0.5 100000 1e+06"
        );
        assert_eq!(
            fmt("%.3g|%g|%g", vec![f(1.23456), f(0.0001), f(0.00001)]),
            "1.23|0.0001|1e-05"
        );
        assert_eq!(fmt("%.3g", vec![n(0)]), "0");
    }

    #[test]
    fn default_formats() {
        assert_eq!(
            fmt(
                "%v %v %v %v",
                vec![s("a"), n(5), f(1.5), Value::Bool(false)]
            ),
            "a 5 1.5 false"
        );
        assert_eq!(fmt("%v", vec![n(1_000_000)]), "1e+06");
        assert_eq!(fmt("%v", vec![n(-123456)]), "-123456");
        assert_eq!(fmt("%v", vec![Value::Null]), "null");
        assert_eq!(
            fmt("%v", vec![map(vec![("b", n(1)), ("a", strs(&["x"]))])]),
            r#"{"a":["x"],"b":1}"#
        );
        assert_eq!(fmt("%#v", vec![s("a")]), r#""a""#);
        assert_eq!(fmt("%t", vec![s("true")]), "true");
        assert_eq!(fmt("%5v|", vec![s("a")]), "    a|");
    }

    #[test]
    fn errors_name_the_verb_and_offset() {
        assert_eq!(
            err("format", vec![s("%s %s"), s("a")]),
            "not enough arguments for \"%s\" at 3: need index 2 but have 1 total"
        );
        assert_eq!(
            err("format", vec![s("%d"), f(1.5)]),
            "unsupported value for \"%d\" at 0: an integer is required"
        );
        assert_eq!(
            err("format", vec![s("%d"), s("x")]),
            "unsupported value for \"%d\" at 0: a number is required"
        );
        assert_eq!(
            err("format", vec![s("%s"), Value::Null]),
            "unsupported value for \"%s\" at 0: null value cannot be formatted"
        );
        assert_eq!(
            err("format", vec![s("%s"), strs(&["a"])]),
            "unsupported value for \"%s\" at 0: string required"
        );
        assert_eq!(
            err("format", vec![s("%t"), n(1)]),
            "unsupported value for \"%t\" at 0: bool required"
        );
        assert_eq!(
            err("format", vec![s("%y"), n(1)]),
            "unsupported format verb 'y' in \"%y\" at offset 0"
        );
        assert_eq!(
            err("format", vec![s("abc%")]),
            "invalid format string starting at offset 4"
        );
        assert_eq!(
            err("format", vec![s("%!"), n(1)]),
            "unrecognized format character '!' at offset 1"
        );
        assert_eq!(
            err("format", vec![s("%[0]d"), n(1)]),
            "unrecognized format character '0' at offset 2"
        );
        assert!(err("format", vec![s("%999999999d"), n(1)]).contains("larger than"));
        assert!(err("format", vec![list(vec![])]).contains("\"format\""));
    }

    #[test]
    fn unknown_and_sensitive_arguments() {
        assert_eq!(ok("format", vec![s("%s"), Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok("format", vec![s("%v"), list(vec![Value::Unknown])]),
            Value::Unknown
        );
        assert_eq!(
            ok("format", vec![s("<%s>"), secret(s("pw"))]),
            secret(s("<pw>"))
        );
    }

    #[test]
    fn formatlist_iterates_lists_in_step() {
        assert_eq!(
            ok(
                "formatlist",
                vec![s("Hello, %s!"), strs(&["Valentina", "Ander"])]
            ),
            strs(&["Hello, Valentina!", "Hello, Ander!"])
        );
        assert_eq!(
            ok("formatlist", vec![s("%s=%s"), strs(&["a", "b"]), s("x")]),
            strs(&["a=x", "b=x"])
        );
        assert_eq!(ok("formatlist", vec![s("%s"), list(vec![])]), list(vec![]));
        assert_eq!(ok("formatlist", vec![s("x")]), strs(&["x"]));
        assert_eq!(
            err(
                "formatlist",
                vec![s("%s%s"), strs(&["a"]), strs(&["b", "c"])]
            ),
            "argument 2 has length 2, which is inconsistent with argument 1 of length 1"
        );
        assert_eq!(
            err("formatlist", vec![s("%d"), strs(&["a"])]),
            "error on format iteration 0: unsupported value for \"%d\" at 0: a number is required"
        );
        assert_eq!(
            ok("formatlist", vec![s("%s"), Value::Unknown]),
            Value::Unknown
        );
    }
}
