//! Type conversion functions (`tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`), the mark
//! functions (`sensitive`, `nonsensitive`, `issensitive`) and [`unify`], the small common-type rule the
//! collection functions share. Our values carry no static types, so conversion follows Terraform's
//! rules on the values themselves: mixed primitives unify to strings, primitives never unify with
//! collections. Must not strip or add marks except where the function is about marks.

use super::{Ctx, invalid, parse_number, primitive_string, take};
use crate::lang::Value;
use std::sync::Arc;

/// Bring elements to one common type as Terraform does for a list, set or map: if the known, non-null
/// elements mix primitive types, every primitive becomes a string (marks on elements are kept). `None`
/// when primitives mix with collections, or sequences with maps.
pub(super) fn unify(values: Vec<Value>) -> Option<Vec<Value>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Bool,
        Number,
        String,
        Sequence,
        Map,
    }
    let mut kinds: Vec<Kind> = Vec::new();
    for value in &values {
        let kind = match value.unmark().0 {
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::List(_) | Value::Set(_) => Kind::Sequence,
            Value::Map(_) => Kind::Map,
            Value::Null | Value::Unknown | Value::Sensitive(_) => continue,
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.len() <= 1 {
        return Some(values);
    }
    if kinds
        .iter()
        .any(|kind| matches!(kind, Kind::Sequence | Kind::Map))
    {
        return None;
    }
    Some(values.into_iter().map(primitive_to_string).collect())
}

/// A primitive as a string, keeping a sensitive mark; null, unknown and collections unchanged.
fn primitive_to_string(value: Value) -> Value {
    let (inner, marked) = value.into_unmarked();
    let converted = match primitive_string(&inner) {
        Some(text) => Value::String(text),
        None => inner,
    };
    if marked {
        converted.mark_sensitive()
    } else {
        converted
    }
}

pub(super) fn tostring(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Null => Ok(Value::Null),
        other => primitive_string(&other).map(Value::String).ok_or_else(|| {
            invalid(
                "v",
                &format!("cannot convert {} to string", other.type_name()),
            )
        }),
    }
}

pub(super) fn tonumber(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Null => Ok(Value::Null),
        Value::Number(_) => Ok(value),
        Value::String(text) => parse_number(&text).map(Value::number).ok_or_else(|| {
            invalid(
                "v",
                &format!(
                    "cannot convert {} to number; given string must be a decimal representation of a number",
                    ctx.show(&text)
                ),
            )
        }),
        other => Err(invalid(
            "v",
            &format!("cannot convert {} to number", other.type_name()),
        )),
    }
}

pub(super) fn tobool(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Null | Value::Bool(_) => Ok(value),
        Value::String(text) => match text.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(invalid(
                "v",
                &format!(
                    "cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed",
                    ctx.show(&text)
                ),
            )),
        },
        other => Err(invalid(
            "v",
            &format!("cannot convert {} to bool", other.type_name()),
        )),
    }
}

pub(super) fn tolist(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Null => Ok(Value::Null),
        Value::List(items) | Value::Set(items) => unify(items)
            .map(Value::List)
            .ok_or_else(|| invalid("v", "cannot convert tuple to list of any single type")),
        other => Err(invalid(
            "v",
            &format!(
                "cannot convert {} to list of any single type",
                other.type_name()
            ),
        )),
    }
}

pub(super) fn toset(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Null => Ok(Value::Null),
        Value::List(items) | Value::Set(items) => {
            // Which elements are duplicates is not known until every element is.
            if items.iter().any(|item| !item.is_wholly_known()) {
                return Ok(Value::Unknown);
            }
            unify(items)
                .map(Value::set)
                .ok_or_else(|| invalid("v", "cannot convert tuple to set of any single type"))
        }
        other => Err(invalid(
            "v",
            &format!(
                "cannot convert {} to set of any single type",
                other.type_name()
            ),
        )),
    }
}

pub(super) fn tomap(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Null => Ok(Value::Null),
        Value::Map(map) => {
            let (keys, values): (Vec<String>, Vec<Value>) =
                Arc::unwrap_or_clone(map).into_iter().unzip();
            let values = unify(values)
                .ok_or_else(|| invalid("v", "cannot convert object to map of any single type"))?;
            Ok(Value::map(keys.into_iter().zip(values).collect()))
        }
        other => Err(invalid(
            "v",
            &format!(
                "cannot convert {} to map of any single type",
                other.type_name()
            ),
        )),
    }
}

/// `sensitive(value)`: the value, marked.
pub(super) fn sensitive(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    Ok(value.mark_sensitive())
}

/// `nonsensitive(value)`: the value without its own mark; marks on elements stay. Since Terraform 1.6
/// a value that is not sensitive is returned unchanged rather than refused.
pub(super) fn nonsensitive(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    Ok(value.into_unmarked().0)
}

/// `issensitive(value)`: whether the value itself is marked; unknown when it is unknown and unmarked.
pub(super) fn issensitive(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    Ok(match value {
        Value::Sensitive(_) => Value::Bool(true),
        Value::Unknown => Value::Unknown,
        _ => Value::Bool(false),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    #[test]
    fn tostring_converts_primitives() {
        assert_eq!(ok("tostring", vec![n(5)]), s("5"));
        assert_eq!(ok("tostring", vec![f(1.5)]), s("1.5"));
        assert_eq!(ok("tostring", vec![f(-0.25)]), s("-0.25"));
        assert_eq!(ok("tostring", vec![Value::Bool(true)]), s("true"));
        assert_eq!(ok("tostring", vec![s("x")]), s("x"));
        assert_eq!(ok("tostring", vec![Value::Null]), Value::Null);
        assert_eq!(
            err("tostring", vec![strs(&["a"])]),
            "invalid value for \"v\" parameter: cannot convert tuple to string"
        );
        assert_eq!(ok("tostring", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(ok("tostring", vec![secret(n(3))]), secret(s("3")));
    }

    #[test]
    fn tonumber_parses_decimal_strings() {
        assert_eq!(ok("tonumber", vec![s("42")]), n(42));
        assert_eq!(ok("tonumber", vec![s("-1.5")]), f(-1.5));
        assert_eq!(ok("tonumber", vec![n(7)]), n(7));
        assert_eq!(ok("tonumber", vec![Value::Null]), Value::Null);
        assert_eq!(
            err("tonumber", vec![s("x")]),
            "invalid value for \"v\" parameter: cannot convert \"x\" to number; given string must be a decimal representation of a number"
        );
        assert!(err("tonumber", vec![Value::Bool(true)]).contains("cannot convert bool to number"));
        assert_eq!(ok("tonumber", vec![secret(s("8"))]), secret(n(8)));
    }

    #[test]
    fn tobool_accepts_only_true_and_false() {
        assert_eq!(ok("tobool", vec![s("true")]), Value::Bool(true));
        assert_eq!(ok("tobool", vec![s("false")]), Value::Bool(false));
        assert_eq!(ok("tobool", vec![Value::Bool(true)]), Value::Bool(true));
        assert_eq!(ok("tobool", vec![Value::Null]), Value::Null);
        assert_eq!(
            err("tobool", vec![s("yes")]),
            "invalid value for \"v\" parameter: cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed"
        );
        assert!(err("tobool", vec![n(1)]).contains("cannot convert number to bool"));
        assert_eq!(ok("tobool", vec![Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn tolist_unifies_mixed_primitives_to_strings() {
        assert_eq!(
            ok(
                "tolist",
                vec![list(vec![s("a"), n(1), Value::Bool(true), Value::Null])]
            ),
            list(vec![s("a"), s("1"), s("true"), Value::Null])
        );
        assert_eq!(
            ok("tolist", vec![Value::set(vec![n(2), n(1)])]),
            list(vec![n(1), n(2)])
        );
        assert_eq!(
            err("tolist", vec![list(vec![s("a"), strs(&["b"])])]),
            "invalid value for \"v\" parameter: cannot convert tuple to list of any single type"
        );
        assert!(err("tolist", vec![map(vec![])]).contains("cannot convert object to list"));
        // Unknown elements are kept; marks on elements too.
        assert_eq!(
            ok(
                "tolist",
                vec![list(vec![Value::Unknown, secret(n(1)), s("x")])]
            ),
            list(vec![Value::Unknown, secret(s("1")), s("x")])
        );
        assert_eq!(
            ok("tolist", vec![secret(strs(&["a"]))]),
            secret(strs(&["a"]))
        );
        assert_eq!(ok("tolist", vec![Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn toset_sorts_and_deduplicates() {
        assert_eq!(
            ok("toset", vec![strs(&["b", "a", "b"])]),
            Value::set(vec![s("a"), s("b")])
        );
        assert_eq!(
            ok("toset", vec![list(vec![s("1"), n(1)])]),
            Value::set(vec![s("1")])
        );
        assert!(err("toset", vec![s("a")]).contains("cannot convert string to set"));
        assert_eq!(
            ok("toset", vec![list(vec![s("a"), Value::Unknown])]),
            Value::Unknown
        );
        assert_eq!(
            ok("toset", vec![secret(strs(&["a"]))]),
            secret(Value::set(vec![s("a")]))
        );
    }

    #[test]
    fn tomap_unifies_values() {
        assert_eq!(
            ok("tomap", vec![map(vec![("a", n(1)), ("b", s("x"))])]),
            map(vec![("a", s("1")), ("b", s("x"))])
        );
        assert_eq!(
            err("tomap", vec![map(vec![("a", n(1)), ("b", strs(&["x"]))])]),
            "invalid value for \"v\" parameter: cannot convert object to map of any single type"
        );
        assert!(err("tomap", vec![strs(&["a"])]).contains("cannot convert tuple to map"));
        assert_eq!(
            ok("tomap", vec![map(vec![("a", Value::Unknown)])]),
            map(vec![("a", Value::Unknown)])
        );
        assert_eq!(ok("tomap", vec![Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn sensitive_marks_and_nonsensitive_unmarks() {
        assert_eq!(ok("sensitive", vec![s("x")]), secret(s("x")));
        assert_eq!(ok("sensitive", vec![secret(s("x"))]), secret(s("x")));
        assert_eq!(
            ok("sensitive", vec![Value::Unknown]),
            secret(Value::Unknown)
        );
        assert_eq!(ok("nonsensitive", vec![secret(s("x"))]), s("x"));
        // Terraform >= 1.6 returns a non-sensitive value unchanged.
        assert_eq!(ok("nonsensitive", vec![s("x")]), s("x"));
        // Only the value's own mark goes.
        assert_eq!(
            ok("nonsensitive", vec![secret(list(vec![secret(s("a"))]))]),
            list(vec![secret(s("a"))])
        );
        assert_eq!(
            ok("nonsensitive", vec![secret(Value::Unknown)]),
            Value::Unknown
        );
        assert!(err("nonsensitive", vec![]).starts_with("wrong number of arguments"));
        assert!(err("sensitive", vec![s("a"), s("b")]).starts_with("wrong number of arguments"));
    }

    #[test]
    fn issensitive_reports_the_top_mark() {
        assert_eq!(ok("issensitive", vec![secret(s("x"))]), Value::Bool(true));
        assert_eq!(ok("issensitive", vec![s("x")]), Value::Bool(false));
        assert_eq!(ok("issensitive", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok("issensitive", vec![secret(Value::Unknown)]),
            Value::Bool(true)
        );
        assert!(err("issensitive", vec![]).starts_with("wrong number of arguments"));
    }
}
