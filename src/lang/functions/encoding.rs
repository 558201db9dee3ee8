//! Encodings and hashes: `jsonencode`/`jsondecode`, `base64encode`/`base64decode`, `sha256`, `sha512`,
//! `base64sha256`, `base64sha512` and `urlencode`, plus [`to_json_text`], the JSON writer `format`
//! shares. JSON is written the way Terraform's Go encoder writes it: compact, object keys sorted,
//! integers without a fraction, and `<`, `>`, `&`, U+2028, U+2029 escaped. Must not accept unknown
//! values (the call protocol turns those into an unknown result first).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

use super::{Ctx, invalid, take, want_string};
use crate::lang::Value;

/// Compact JSON text for a known value.
pub(super) fn to_json_text(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_json(value, &mut out)?;
    Ok(out)
}

fn write_json(value: &Value, out: &mut String) -> Result<(), String> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Unknown => return Err("value is not yet known".to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(number) => {
            if !number.0.is_finite() {
                return Err("cannot encode an infinite or NaN number as JSON".to_string());
            }
            out.push_str(&number.to_string());
        }
        Value::String(text) => write_json_string(text, out),
        Value::List(items) | Value::Set(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (position, (key, item)) in map.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
        Value::Sensitive(inner) => write_json(inner, out)?,
    }
    Ok(())
}

/// A JSON string with Go's `encoding/json` escaping (HTML-safe).
fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)))
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn jsonencode(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    to_json_text(&value)
        .map(Value::String)
        .map_err(|problem| invalid("val", &problem))
}

pub(super) fn jsondecode(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let text = want_string(&text, "str")?;
    // serde_json's errors name a line and column, never the input itself, so they are safe to show
    // even for a secret.
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|json| Value::from_json(&json))
        .map_err(|error| invalid("str", &error.to_string()))
}

pub(super) fn base64encode(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    Ok(Value::String(STANDARD.encode(want_string(&text, "str")?)))
}

pub(super) fn base64decode(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let text = want_string(&text, "str")?;
    // Go's decoder skips line breaks.
    let compact: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let bytes = STANDARD.decode(compact.as_bytes()).map_err(|_| {
        invalid(
            "str",
            &format!("failed to decode base64 data {}", ctx.show(&text)),
        )
    })?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        invalid(
            "str",
            "the result of decoding the provided string is not valid UTF-8",
        )
    })
}

pub(super) fn sha256(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let digest = Sha256::digest(want_string(&text, "str")?.as_bytes());
    Ok(Value::String(hex::encode(digest)))
}

pub(super) fn sha512(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let digest = Sha512::digest(want_string(&text, "str")?.as_bytes());
    Ok(Value::String(hex::encode(digest)))
}

pub(super) fn base64sha256(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let digest = Sha256::digest(want_string(&text, "str")?.as_bytes());
    Ok(Value::String(STANDARD.encode(digest)))
}

pub(super) fn base64sha512(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let digest = Sha512::digest(want_string(&text, "str")?.as_bytes());
    Ok(Value::String(STANDARD.encode(digest)))
}

/// Go's `url.QueryEscape`: unreserved characters stay, space becomes `+`, every other byte `%XX`.
pub(super) fn urlencode(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [text] = take(args);
    let text = want_string(&text, "str")?;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    #[test]
    fn jsonencode_is_compact_sorted_and_html_safe() {
        let value = map(vec![
            (
                "b",
                list(vec![n(1), f(1.5), Value::Bool(true), Value::Null]),
            ),
            ("a", s("<tag> & \"q\"\n\u{1}")),
        ]);
        assert_eq!(
            ok("jsonencode", vec![value]),
            s(r#"{"a":"\u003ctag\u003e \u0026 \"q\"\n\u0001","b":[1,1.5,true,null]}"#)
        );
        assert_eq!(
            ok("jsonencode", vec![Value::set(vec![s("b"), s("a")])]),
            s(r#"["a","b"]"#)
        );
        assert_eq!(ok("jsonencode", vec![n(65515)]), s("65515"));
        assert!(err("jsonencode", vec![f(f64::INFINITY)]).contains("infinite"));
        assert_eq!(
            ok("jsonencode", vec![list(vec![Value::Unknown])]),
            Value::Unknown
        );
        assert_eq!(
            ok("jsonencode", vec![list(vec![secret(s("pw"))])]),
            secret(s(r#"["pw"]"#))
        );
    }

    #[test]
    fn jsondecode_builds_values() {
        assert_eq!(
            ok(
                "jsondecode",
                vec![s(r#"{"hello": "world", "n": [1, 2.5, null, true]}"#)]
            ),
            map(vec![
                ("hello", s("world")),
                (
                    "n",
                    list(vec![n(1), f(2.5), Value::Null, Value::Bool(true)])
                )
            ])
        );
        assert_eq!(ok("jsondecode", vec![s("true")]), Value::Bool(true));
        let message = err("jsondecode", vec![s("{\"a\":")]);
        assert!(
            message.starts_with("invalid value for \"str\" parameter: "),
            "{message}"
        );
        assert!(err("jsondecode", vec![s("")]).starts_with("invalid value"));
        assert_eq!(ok("jsondecode", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(ok("jsondecode", vec![secret(s("1"))]), secret(n(1)));
        // Round trip.
        let value = map(vec![("k", strs(&["<a>", "b"])), ("n", n(-3))]);
        let text = ok("jsonencode", vec![value.clone()]);
        assert_eq!(ok("jsondecode", vec![text]), value);
    }

    #[test]
    fn base64_round_trip_and_errors() {
        assert_eq!(
            ok("base64encode", vec![s("Hello World")]),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
            s("Hello World")
        );
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8g\nV29ybGQ=")]),
            s("Hello World")
        );
        assert_eq!(
            err("base64decode", vec![s("not base64!")]),
            "invalid value for \"str\" parameter: failed to decode base64 data \"not base64!\""
        );
        assert_eq!(
            err("base64decode", vec![secret(s("secret!"))]),
            "invalid value for \"str\" parameter: failed to decode base64 data (sensitive value)"
        );
        assert!(err("base64decode", vec![s("/w==")]).contains("not valid UTF-8"));
        assert!(err("base64encode", vec![list(vec![])]).contains("string required"));
        assert_eq!(ok("base64encode", vec![secret(s("a"))]), secret(s("YQ==")));
    }

    #[test]
    fn hashes() {
        assert_eq!(
            ok("sha256", vec![s("hello world")]),
            s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            ok("base64sha256", vec![s("hello world")]),
            s("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        );
        assert_eq!(
            ok("sha512", vec![s("hello world")]),
            s(
                "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"
            )
        );
        assert_eq!(
            ok("base64sha512", vec![s("hello world")]),
            s(
                "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="
            )
        );
        assert!(err("sha256", vec![list(vec![])]).contains("string required"));
        assert!(err("sha512", vec![Value::Null]).contains("must not be null"));
        assert!(err("base64sha256", vec![map(vec![])]).contains("string required"));
        assert!(err("base64sha512", vec![map(vec![])]).contains("string required"));
        assert_eq!(ok("sha256", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok("sha256", vec![secret(s("hello world"))]),
            secret(s(
                "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
            ))
        );
    }

    #[test]
    fn urlencode_escapes_like_go() {
        assert_eq!(
            ok("urlencode", vec![s("Hello World!")]),
            s("Hello+World%21")
        );
        assert_eq!(
            ok("urlencode", vec![s("a-b_c.d~e/é")]),
            s("a-b_c.d~e%2F%C3%A9")
        );
        assert!(err("urlencode", vec![list(vec![])]).contains("string required"));
    }
}
