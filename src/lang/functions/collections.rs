//! Functions over lists, sets, tuples, maps and objects: `length`, `lookup`, `merge`, `concat`,
//! `flatten`, `element`, `slice`, the set algebra, and the rest of Terraform's collection family. The
//! structural ones (`length`, `keys`, `values`, `lookup`, `merge`, `concat`, `element`, `slice`,
//! `reverse`, `one`, `zipmap`) keep unknown and sensitive elements where they are; the others see fully
//! known, unmarked values (the call protocol in `mod.rs` arranges that). Must not reorder what
//! Terraform keeps in order, and must not compare values loosely: equality is exact, as in Terraform.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::convert::unify;
use super::{
    Ctx, invalid, primitive_string, take, want_bool, want_elements, want_int, want_number,
};
use crate::lang::Value;
use std::sync::Arc;

/// The most elements `setproduct` may build.
const MAX_PRODUCT: usize = 1_024_000;

pub(super) fn length(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    let count = match &value {
        Value::String(text) => text.chars().count(),
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(map) => map.len(),
        Value::Null => return Err(invalid("value", "argument must not be null")),
        _ => {
            return Err(
                "argument must be a string, a collection type, or a structural type".to_string(),
            );
        }
    };
    Ok(Value::int(count as i64))
}

pub(super) fn keys(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Map(map) => Ok(Value::List(
            map.keys().cloned().map(Value::String).collect(),
        )),
        Value::Null => Err(invalid("inputMap", "argument must not be null")),
        _ => Err(invalid("inputMap", "must have map or object type")),
    }
}

pub(super) fn values(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    match value {
        Value::Map(map) => Ok(Value::List(
            Arc::unwrap_or_clone(map).into_values().collect(),
        )),
        _ => Err("values() requires a map as the first argument".to_string()),
    }
}

/// `lookup(map, key, default?)`. Unknown map or key: unknown. A present key yields its value, unknown
/// or not; a missing key yields the default, or an error without one.
pub(super) fn lookup(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let default = args.get(2).cloned();
    let [map, key] = take(args);
    if map.is_unknown() || key.is_unknown() {
        return Ok(Value::Unknown);
    }
    let key = super::want_string(&key.into_unmarked().0, "key")?;
    let map = match map {
        Value::Map(map) => map,
        Value::Null => return Err(invalid("inputMap", "argument must not be null")),
        _ => return Err("lookup() requires a map as the first argument".to_string()),
    };
    if let Some(found) = map.get(&key) {
        return Ok(found.clone());
    }
    default.ok_or_else(|| format!("lookup failed to find key {}", ctx.show(&key)))
}

pub(super) fn merge(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut merged = BTreeMap::new();
    let mut all_null = !args.is_empty();
    for arg in args {
        match arg {
            Value::Null => {}
            Value::Map(map) => {
                all_null = false;
                merged.extend(Arc::unwrap_or_clone(map));
            }
            other => {
                return Err(format!(
                    "arguments must be maps or objects, got \"{}\"",
                    other.type_name()
                ));
            }
        }
    }
    Ok(if all_null {
        Value::Null
    } else {
        Value::map(merged)
    })
}

pub(super) fn concat(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    if args.is_empty() {
        return Err("at least one argument is required".to_string());
    }
    let mut all = Vec::new();
    for arg in args {
        match arg {
            Value::List(items) => all.extend(items),
            Value::Null => return Err(invalid("seqs", "argument must not be null")),
            other => {
                return Err(format!(
                    "all arguments must be lists or tuples; got {}",
                    other.type_name()
                ));
            }
        }
    }
    Ok(Value::List(all))
}

pub(super) fn contains(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [collection, value] = take(args);
    let items = match collection {
        Value::Unknown => return Ok(Value::Unknown),
        Value::List(items) | Value::Set(items) => items,
        Value::Null => return Err("cannot search a nil list or set".to_string()),
        _ => return Err("argument must be list, tuple, or set".to_string()),
    };
    if items.is_empty() {
        return Ok(Value::Bool(false));
    }
    if !value.is_wholly_known() {
        return Ok(Value::Unknown);
    }
    let mut unknown = false;
    for item in &items {
        if !item.is_wholly_known() {
            unknown = true;
        } else if *item == value {
            return Ok(Value::Bool(true));
        }
    }
    Ok(if unknown {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

pub(super) fn index(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [collection, value] = take(args);
    let items = match collection {
        Value::List(items) => items,
        _ => return Err("argument must be a list or tuple".to_string()),
    };
    if items.is_empty() {
        return Err("cannot search an empty list".to_string());
    }
    items
        .iter()
        .position(|item| *item == value)
        .map(|position| Value::int(position as i64))
        .ok_or_else(|| "item not found".to_string())
}

/// `coalesce(vals...)`: the first argument that is neither null nor an empty string, after bringing
/// every argument to one type. An unknown argument before it makes the result unknown.
pub(super) fn coalesce(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let args = unify(args).ok_or_else(|| "all arguments must have the same type".to_string())?;
    for arg in args {
        match &arg {
            Value::Unknown => return Ok(Value::Unknown),
            Value::Null => continue,
            Value::String(text) if text.is_empty() => continue,
            _ => return Ok(arg),
        }
    }
    Err("no non-null, non-empty-string arguments".to_string())
}

/// `coalescelist(lists...)`: the first non-empty list.
pub(super) fn coalescelist(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    if args.is_empty() {
        return Err("at least one argument is required".to_string());
    }
    for arg in &args {
        if !matches!(arg, Value::Unknown | Value::Null | Value::List(_)) {
            return Err("coalescelist arguments must be lists or tuples".to_string());
        }
    }
    for arg in args {
        match arg {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(items) if !items.is_empty() => return Ok(Value::List(items)),
            _ => {}
        }
    }
    Err("no non-null arguments".to_string())
}

/// `compact(list)`: the list of strings without nulls and empty strings.
pub(super) fn compact(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    let mut kept = Vec::new();
    for item in want_elements(list, "list", "list of string")? {
        match &item {
            Value::Null => {}
            other => match primitive_string(other) {
                Some(text) if text.is_empty() => {}
                Some(text) => kept.push(Value::String(text)),
                None => return Err(invalid("list", "list of string required")),
            },
        }
    }
    Ok(Value::List(kept))
}

pub(super) fn distinct(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    let items = want_elements(list, "list", "list")?;
    // Sort positions by value to find duplicates in O(n log n), then keep first occurrences in order.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| Value::total_cmp(&items[a], &items[b]).then(a.cmp(&b)));
    let mut duplicate = vec![false; items.len()];
    for pair in order.windows(2) {
        if let [first, second] = *pair
            && Value::total_cmp(&items[first], &items[second]) == Ordering::Equal
        {
            duplicate[second] = true;
        }
    }
    Ok(Value::List(
        items
            .into_iter()
            .zip(duplicate)
            .filter_map(|(item, dup)| (!dup).then_some(item))
            .collect(),
    ))
}

pub(super) fn element(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list, index] = take(args);
    let index = want_number(&index, "index")?;
    if index.fract() != 0.0 || !index.is_finite() {
        return Err("invalid index: value must be a whole number".to_string());
    }
    if index < 0.0 {
        return Err("cannot use element function with a negative index".to_string());
    }
    let items = match list {
        Value::List(items) => items,
        Value::Null => return Err(invalid("list", "argument must not be null")),
        other => return Err(format!("cannot read elements from {}", other.type_name())),
    };
    if items.is_empty() {
        return Err("cannot use element function with an empty list".to_string());
    }
    // Exact for any whole f64, so even a huge index wraps correctly.
    let position = (index % items.len() as f64) as usize;
    Ok(items.into_iter().nth(position).unwrap_or(Value::Null))
}

pub(super) fn flatten(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    let items = match list {
        Value::List(items) | Value::Set(items) => items,
        _ => return Err("can only flatten lists, sets and tuples".to_string()),
    };
    let mut flat = Vec::new();
    if flatten_into(items, &mut flat) {
        Ok(Value::List(flat))
    } else {
        // An unknown element might be a list, so the shape of the result is not known.
        Ok(Value::Unknown)
    }
}

/// Append the leaves of `items` to `flat`; false if an unknown element was met.
fn flatten_into(items: Vec<Value>, flat: &mut Vec<Value>) -> bool {
    for item in items {
        match item {
            Value::List(inner) | Value::Set(inner) => {
                if !flatten_into(inner, flat) {
                    return false;
                }
            }
            Value::Unknown => return false,
            other => flat.push(other),
        }
    }
    true
}

pub(super) fn one(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    let message = "must be a list, set, or tuple value with either zero or one elements";
    match list {
        Value::List(items) | Value::Set(items) => {
            let mut items = items.into_iter();
            match (items.next(), items.next()) {
                (None, _) => Ok(Value::Null),
                (Some(only), None) => Ok(only),
                _ => Err(message.to_string()),
            }
        }
        _ => Err(message.to_string()),
    }
}

pub(super) fn reverse(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    match list {
        Value::List(mut items) | Value::Set(mut items) => {
            items.reverse();
            Ok(Value::List(items))
        }
        other => Err(format!(
            "can only reverse list or tuple values, not {}",
            other.type_name()
        )),
    }
}

pub(super) fn slice(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list, start, end] = take(args);
    let items = match list {
        Value::List(items) => items,
        Value::Set(_) => {
            return Err(
                "cannot slice a set, because its elements do not have indices; explicitly \
                 convert to a list if the ordering of the result is not important"
                    .to_string(),
            );
        }
        _ => return Err("must be a list or tuple value".to_string()),
    };
    let start = want_int(&start, "start_index")
        .map_err(|e| format!("invalid start index: {}", strip_param(&e)))?;
    let end = want_int(&end, "end_index")
        .map_err(|e| format!("invalid end index: {}", strip_param(&e)))?;
    let length = items.len() as i64;
    if start < 0 {
        return Err("start index must not be less than zero".to_string());
    }
    if start > length {
        return Err("start index must not be greater than the length of the list".to_string());
    }
    if end < 0 {
        return Err("end index must not be less than zero".to_string());
    }
    if end > length {
        return Err("end index must not be greater than the length of the list".to_string());
    }
    if start > end {
        return Err("start index must not be greater than end index".to_string());
    }
    Ok(Value::List(
        items
            .into_iter()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect(),
    ))
}

/// The problem part of an [`invalid`] message.
fn strip_param(message: &str) -> &str {
    message
        .split_once("parameter: ")
        .map_or(message, |(_, problem)| problem)
}

pub(super) fn chunklist(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list, size] = take(args);
    let items = want_elements(list, "list", "list")?;
    let size = want_int(&size, "size")?;
    if size < 0 {
        return Err("the size argument must be positive".to_string());
    }
    if items.is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items)]));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::List(
        items
            .chunks(size)
            .map(|chunk| Value::List(chunk.to_vec()))
            .collect(),
    ))
}

pub(super) fn sort(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    let mut texts = Vec::new();
    for (position, item) in want_elements(list, "list", "list of string")?
        .iter()
        .enumerate()
    {
        match item {
            Value::Null => {
                return Err(format!(
                    "given list element {position} is null; a null string cannot be sorted"
                ));
            }
            other => texts.push(
                primitive_string(other)
                    .ok_or_else(|| invalid("list", "list of string required"))?,
            ),
        }
    }
    texts.sort();
    Ok(Value::List(texts.into_iter().map(Value::String).collect()))
}

pub(super) fn alltrue(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let bools = bool_elements(args)?;
    for item in bools {
        match item {
            None => return Ok(Value::Unknown),
            Some(false) => return Ok(Value::Bool(false)),
            Some(true) => {}
        }
    }
    Ok(Value::Bool(true))
}

pub(super) fn anytrue(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut unknown = false;
    for item in bool_elements(args)? {
        match item {
            None => unknown = true,
            Some(true) => return Ok(Value::Bool(true)),
            Some(false) => {}
        }
    }
    Ok(if unknown {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

/// The elements of a `list(bool)` argument: `None` for unknown, false for null (as Terraform treats a
/// null in `alltrue`/`anytrue`).
fn bool_elements(args: Vec<Value>) -> Result<Vec<Option<bool>>, String> {
    let [list] = take(args);
    want_elements(list, "list", "list of bool")?
        .iter()
        .map(|item| match item {
            Value::Unknown => Ok(None),
            Value::Null => Ok(Some(false)),
            other => want_bool(other, "list")
                .map(Some)
                .map_err(|_| invalid("list", "list of bool required")),
        })
        .collect()
}

pub(super) fn transpose(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [value] = take(args);
    let map = match value {
        Value::Map(map) => map,
        Value::Null => return Err(invalid("values", "argument must not be null")),
        _ => return Err(invalid("values", "map of list of string required")),
    };
    let message = "input must be map of lists of strings";
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, items) in Arc::unwrap_or_clone(map) {
        let items = match items {
            Value::List(items) | Value::Set(items) => items,
            _ => return Err(message.to_string()),
        };
        for item in items {
            let text = primitive_string(&item).ok_or_else(|| message.to_string())?;
            out.entry(text)
                .or_default()
                .push(Value::String(key.clone()));
        }
    }
    Ok(Value::map(
        out.into_iter()
            .map(|(key, keys)| (key, Value::List(keys)))
            .collect(),
    ))
}

/// `zipmap(keys, values)`. Keys must be wholly known strings; values keep their own unknowns and marks.
pub(super) fn zipmap(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [keys, values] = take(args);
    let (keys, keys_marked) = keys.unmark_deep();
    let (values, values_marked) = values.into_unmarked();
    let mark = |value: Value| {
        if keys_marked || values_marked {
            value.mark_sensitive()
        } else {
            value
        }
    };
    if !keys.is_wholly_known() || values.is_unknown() {
        return Ok(mark(Value::Unknown));
    }
    let keys = match keys {
        Value::List(items) | Value::Set(items) => items,
        Value::Null => return Err(invalid("keys", "argument must not be null")),
        _ => return Err(invalid("keys", "list of string required")),
    };
    let values = match values {
        Value::List(items) => items,
        _ => return Err("values argument must be a list or tuple value".to_string()),
    };
    if keys.len() != values.len() {
        return Err(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        ));
    }
    let mut out = BTreeMap::new();
    for (position, (key, value)) in keys.into_iter().zip(values).enumerate() {
        let key = match key {
            Value::Null => return Err(format!("keys list has null value at index {position}")),
            other => primitive_string(&other)
                .ok_or_else(|| invalid("keys", "list of string required"))?,
        };
        out.insert(key, value);
    }
    Ok(mark(Value::map(out)))
}

// ---------------------------------------------------------------------------------------------------
// Sets.

/// The elements of every argument, brought to one common type across all of them (mixed primitives
/// become strings). An argument that is not a list or set is an error.
fn set_arguments(args: Vec<Value>) -> Result<Vec<Vec<Value>>, String> {
    let mut lengths = Vec::new();
    let mut all = Vec::new();
    for arg in args {
        let items = want_elements(arg, "sets", "set")?;
        lengths.push(items.len());
        all.extend(items);
    }
    let mut all = unify(all)
        .ok_or_else(|| invalid("sets", "all arguments must have the same element type"))?
        .into_iter();
    Ok(lengths
        .into_iter()
        .map(|length| all.by_ref().take(length).collect())
        .collect())
}

pub(super) fn setunion(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let sets = set_arguments(args)?;
    Ok(Value::set(sets.into_iter().flatten().collect()))
}

pub(super) fn setintersection(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut sets = set_arguments(args)?.into_iter();
    let first = sets.next().unwrap_or_default();
    let others: Vec<Value> = sets.map(Value::set).collect();
    Ok(Value::set(
        first
            .into_iter()
            .filter(|item| others.iter().all(|other| set_contains(other, item)))
            .collect(),
    ))
}

pub(super) fn setsubtract(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut sets = set_arguments(args)?.into_iter();
    let first = sets.next().unwrap_or_default();
    let second = Value::set(sets.next().unwrap_or_default());
    Ok(Value::set(
        first
            .into_iter()
            .filter(|item| !set_contains(&second, item))
            .collect(),
    ))
}

/// Membership in a value built with [`Value::set`] (sorted by `total_cmp`).
fn set_contains(set: &Value, item: &Value) -> bool {
    match set {
        Value::Set(items) => items
            .binary_search_by(|probe| Value::total_cmp(probe, item))
            .is_ok(),
        _ => false,
    }
}

pub(super) fn setproduct(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    if args.len() < 2 {
        return Err("at least two arguments are required".to_string());
    }
    let all_lists = args.iter().all(|arg| matches!(arg, Value::List(_)));
    let mut factors = Vec::new();
    for arg in args {
        let items = match arg {
            Value::List(items) | Value::Set(items) => items,
            _ => return Err("a set or a list is required".to_string()),
        };
        factors
            .push(unify(items).ok_or_else(|| "all elements must be of the same type".to_string())?);
    }
    let total = factors
        .iter()
        .try_fold(1usize, |total, factor| total.checked_mul(factor.len()))
        .filter(|&total| total <= MAX_PRODUCT)
        .ok_or_else(|| format!("the product would have more than {MAX_PRODUCT} elements"))?;
    let mut product = Vec::with_capacity(total);
    if total > 0 {
        let mut positions = vec![0usize; factors.len()];
        loop {
            product.push(Value::List(
                positions
                    .iter()
                    .zip(&factors)
                    .map(|(&position, factor)| factor[position].clone())
                    .collect(),
            ));
            // Advance like an odometer, last factor fastest.
            let mut digit = factors.len();
            loop {
                if digit == 0 {
                    return Ok(finish_product(product, all_lists));
                }
                digit -= 1;
                positions[digit] += 1;
                if positions[digit] < factors[digit].len() {
                    break;
                }
                positions[digit] = 0;
            }
        }
    }
    Ok(finish_product(product, all_lists))
}

fn finish_product(product: Vec<Value>, all_lists: bool) -> Value {
    if all_lists {
        Value::List(product)
    } else {
        Value::set(product)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    #[test]
    fn length_counts_elements_and_characters() {
        assert_eq!(ok("length", vec![strs(&["a", "b"])]), n(2));
        assert_eq!(ok("length", vec![s("héllo")]), n(5));
        assert_eq!(ok("length", vec![map(vec![("a", n(1))])]), n(1));
        assert_eq!(ok("length", vec![Value::set(vec![n(1), n(1)])]), n(1));
        assert_eq!(
            err("length", vec![n(5)]),
            "argument must be a string, a collection type, or a structural type"
        );
        // Unknown elements do not make the length unknown; an unknown collection does.
        assert_eq!(
            ok("length", vec![list(vec![Value::Unknown, Value::Unknown])]),
            n(2)
        );
        assert_eq!(ok("length", vec![Value::Unknown]), Value::Unknown);
        // The collection's own mark carries over; marks on elements do not.
        assert_eq!(ok("length", vec![secret(strs(&["a"]))]), secret(n(1)));
        assert_eq!(ok("length", vec![list(vec![secret(s("a"))])]), n(1));
    }

    #[test]
    fn keys_and_values_follow_key_order() {
        let m = map(vec![("b", n(2)), ("a", Value::Unknown)]);
        assert_eq!(ok("keys", vec![m.clone()]), strs(&["a", "b"]));
        assert_eq!(ok("values", vec![m]), list(vec![Value::Unknown, n(2)]));
        assert_eq!(
            err("keys", vec![strs(&["a"])]),
            "invalid value for \"inputMap\" parameter: must have map or object type"
        );
        assert_eq!(
            err("values", vec![s("a")]),
            "values() requires a map as the first argument"
        );
        assert_eq!(ok("keys", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok("keys", vec![secret(map(vec![("a", n(1))]))]),
            secret(strs(&["a"]))
        );
        assert_eq!(
            ok("values", vec![map(vec![("a", secret(n(1)))])]),
            list(vec![secret(n(1))])
        );
    }

    #[test]
    fn lookup_finds_keys_defaults_and_fails() {
        let m = map(vec![("a", s("x")), ("u", Value::Unknown)]);
        assert_eq!(ok("lookup", vec![m.clone(), s("a")]), s("x"));
        assert_eq!(ok("lookup", vec![m.clone(), s("b"), s("dflt")]), s("dflt"));
        assert_eq!(
            ok("lookup", vec![m.clone(), s("u"), s("dflt")]),
            Value::Unknown
        );
        assert_eq!(
            err("lookup", vec![m.clone(), s("b")]),
            "lookup failed to find key \"b\""
        );
        assert_eq!(
            err("lookup", vec![strs(&["a"]), s("a")]),
            "lookup() requires a map as the first argument"
        );
        assert_eq!(ok("lookup", vec![Value::Unknown, s("a")]), Value::Unknown);
        assert_eq!(
            ok("lookup", vec![m.clone(), Value::Unknown]),
            Value::Unknown
        );
        assert_eq!(
            ok("lookup", vec![m.clone(), s("b"), Value::Unknown]),
            Value::Unknown
        );
        // A sensitive element stays marked without marking its neighbours.
        let m = map(vec![("k", secret(s("v"))), ("p", s("q"))]);
        assert_eq!(ok("lookup", vec![m.clone(), s("k")]), secret(s("v")));
        assert_eq!(ok("lookup", vec![m, s("p")]), s("q"));
        assert_eq!(
            err("lookup", vec![secret(map(vec![])), s("hidden")]),
            "lookup failed to find key (sensitive value)"
        );
    }

    #[test]
    fn merge_later_arguments_win() {
        assert_eq!(
            ok(
                "merge",
                vec![
                    map(vec![("a", n(1)), ("b", n(2))]),
                    Value::Null,
                    map(vec![("b", n(3)), ("c", Value::Unknown)])
                ]
            ),
            map(vec![("a", n(1)), ("b", n(3)), ("c", Value::Unknown)])
        );
        assert_eq!(ok("merge", vec![]), map(vec![]));
        assert_eq!(ok("merge", vec![Value::Null]), Value::Null);
        assert_eq!(
            err("merge", vec![map(vec![]), strs(&["a"])]),
            "arguments must be maps or objects, got \"tuple\""
        );
        assert_eq!(
            ok("merge", vec![map(vec![]), Value::Unknown]),
            Value::Unknown
        );
        assert_eq!(
            ok(
                "merge",
                vec![map(vec![("a", secret(n(1)))]), map(vec![("b", n(2))])]
            ),
            map(vec![("a", secret(n(1))), ("b", n(2))])
        );
        assert_eq!(
            ok("merge", vec![secret(map(vec![("a", n(1))]))]),
            secret(map(vec![("a", n(1))]))
        );
    }

    #[test]
    fn concat_joins_lists() {
        assert_eq!(
            ok(
                "concat",
                vec![strs(&["a"]), list(vec![]), list(vec![n(1), Value::Unknown])]
            ),
            list(vec![s("a"), n(1), Value::Unknown])
        );
        assert_eq!(
            err("concat", vec![strs(&["a"]), Value::set(vec![s("b")])]),
            "all arguments must be lists or tuples; got set"
        );
        assert_eq!(err("concat", vec![]), "at least one argument is required");
        assert_eq!(
            ok("concat", vec![strs(&["a"]), Value::Unknown]),
            Value::Unknown
        );
        assert_eq!(
            ok("concat", vec![list(vec![secret(s("a"))]), strs(&["b"])]),
            list(vec![secret(s("a")), s("b")])
        );
    }

    #[test]
    fn contains_is_exact_and_unknown_aware() {
        assert_eq!(
            ok("contains", vec![strs(&["a", "b"]), s("b")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("contains", vec![strs(&["a", "b"]), s("c")]),
            Value::Bool(false)
        );
        assert_eq!(ok("contains", vec![strs(&["1"]), n(1)]), Value::Bool(false));
        assert_eq!(
            ok("contains", vec![Value::set(vec![n(1)]), n(1)]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("contains", vec![list(vec![s("a"), Value::Unknown]), s("a")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("contains", vec![list(vec![s("a"), Value::Unknown]), s("b")]),
            Value::Unknown
        );
        assert_eq!(
            ok("contains", vec![strs(&["a"]), Value::Unknown]),
            Value::Unknown
        );
        assert_eq!(
            ok("contains", vec![list(vec![]), Value::Unknown]),
            Value::Bool(false)
        );
        assert_eq!(
            err("contains", vec![s("abc"), s("a")]),
            "argument must be list, tuple, or set"
        );
        assert_eq!(
            ok("contains", vec![list(vec![secret(s("a"))]), s("a")]),
            secret(Value::Bool(true))
        );
    }

    #[test]
    fn index_finds_the_first_position() {
        assert_eq!(ok("index", vec![strs(&["a", "b", "b"]), s("b")]), n(1));
        assert_eq!(err("index", vec![strs(&["a"]), s("z")]), "item not found");
        assert_eq!(
            err("index", vec![list(vec![]), s("z")]),
            "cannot search an empty list"
        );
        assert_eq!(
            err("index", vec![Value::set(vec![s("a")]), s("a")]),
            "argument must be a list or tuple"
        );
        assert_eq!(
            ok("index", vec![list(vec![Value::Unknown]), s("a")]),
            Value::Unknown
        );
    }

    #[test]
    fn coalesce_skips_null_and_empty_strings() {
        assert_eq!(
            ok("coalesce", vec![Value::Null, s(""), s("b"), s("c")]),
            s("b")
        );
        assert_eq!(ok("coalesce", vec![n(1), n(2)]), n(1));
        // Mixed primitives unify to strings, as Terraform does.
        assert_eq!(ok("coalesce", vec![Value::Null, n(1), s("a")]), s("1"));
        assert_eq!(
            err("coalesce", vec![Value::Null, s("")]),
            "no non-null, non-empty-string arguments"
        );
        assert_eq!(
            err("coalesce", vec![]),
            "no non-null, non-empty-string arguments"
        );
        assert_eq!(
            err("coalesce", vec![s("a"), strs(&["b"])]),
            "all arguments must have the same type"
        );
        // A known value before any unknown wins; an unknown first makes the result unknown.
        assert_eq!(ok("coalesce", vec![s("a"), Value::Unknown]), s("a"));
        assert_eq!(
            ok("coalesce", vec![Value::Null, Value::Unknown, s("a")]),
            Value::Unknown
        );
        assert_eq!(ok("coalesce", vec![secret(s("")), s("a")]), secret(s("a")));
    }

    #[test]
    fn coalescelist_returns_the_first_non_empty_list() {
        assert_eq!(
            ok(
                "coalescelist",
                vec![list(vec![]), strs(&["a"]), strs(&["b"])]
            ),
            strs(&["a"])
        );
        assert_eq!(
            err("coalescelist", vec![list(vec![])]),
            "no non-null arguments"
        );
        assert_eq!(
            err("coalescelist", vec![s("a")]),
            "coalescelist arguments must be lists or tuples"
        );
        assert_eq!(
            err("coalescelist", vec![]),
            "at least one argument is required"
        );
        assert_eq!(
            ok("coalescelist", vec![strs(&["a"]), Value::Unknown]),
            strs(&["a"])
        );
        assert_eq!(
            ok("coalescelist", vec![list(vec![]), Value::Unknown]),
            Value::Unknown
        );
    }

    #[test]
    fn compact_drops_nulls_and_empty_strings() {
        assert_eq!(
            ok(
                "compact",
                vec![list(vec![s("a"), s(""), Value::Null, n(1)])]
            ),
            strs(&["a", "1"])
        );
        assert_eq!(
            err("compact", vec![list(vec![strs(&["a"])])]),
            "invalid value for \"list\" parameter: list of string required"
        );
        assert_eq!(
            ok("compact", vec![list(vec![s("a"), Value::Unknown])]),
            Value::Unknown
        );
    }

    #[test]
    fn distinct_keeps_first_occurrences() {
        assert_eq!(
            ok("distinct", vec![strs(&["b", "a", "b", "c", "a"])]),
            strs(&["b", "a", "c"])
        );
        assert_eq!(
            ok("distinct", vec![list(vec![n(1), s("1"), n(1)])]),
            list(vec![n(1), s("1")])
        );
        assert_eq!(
            err("distinct", vec![s("a")]),
            "invalid value for \"list\" parameter: list required"
        );
        assert_eq!(
            ok("distinct", vec![list(vec![Value::Unknown])]),
            Value::Unknown
        );
        assert_eq!(
            ok("distinct", vec![list(vec![secret(s("a")), s("a")])]),
            secret(strs(&["a"]))
        );
    }

    #[test]
    fn element_wraps_around() {
        let l = strs(&["a", "b", "c"]);
        assert_eq!(ok("element", vec![l.clone(), n(1)]), s("b"));
        assert_eq!(ok("element", vec![l.clone(), n(5)]), s("c"));
        assert_eq!(ok("element", vec![l.clone(), s("3")]), s("a"));
        assert_eq!(
            err("element", vec![l.clone(), n(-1)]),
            "cannot use element function with a negative index"
        );
        assert_eq!(
            err("element", vec![list(vec![]), n(0)]),
            "cannot use element function with an empty list"
        );
        assert_eq!(
            err("element", vec![l.clone(), f(1.5)]),
            "invalid index: value must be a whole number"
        );
        assert_eq!(
            err("element", vec![Value::set(vec![s("a")]), n(0)]),
            "cannot read elements from set"
        );
        assert_eq!(
            ok("element", vec![l.clone(), Value::Unknown]),
            Value::Unknown
        );
        assert_eq!(
            ok("element", vec![list(vec![Value::Unknown, s("b")]), n(1)]),
            s("b")
        );
        assert_eq!(ok("element", vec![secret(l), n(0)]), secret(s("a")));
    }

    #[test]
    fn flatten_is_recursive() {
        assert_eq!(
            ok(
                "flatten",
                vec![list(vec![
                    strs(&["a", "b"]),
                    list(vec![]),
                    list(vec![s("c"), list(vec![s("d"), Value::set(vec![s("e")])])]),
                    s("f"),
                    map(vec![("k", n(1))]),
                ])]
            ),
            list(vec![
                s("a"),
                s("b"),
                s("c"),
                s("d"),
                s("e"),
                s("f"),
                map(vec![("k", n(1))])
            ])
        );
        assert_eq!(
            err("flatten", vec![s("a")]),
            "can only flatten lists, sets and tuples"
        );
        assert_eq!(
            ok("flatten", vec![list(vec![list(vec![Value::Unknown])])]),
            Value::Unknown
        );
        assert_eq!(
            ok("flatten", vec![list(vec![list(vec![secret(s("a"))])])]),
            secret(strs(&["a"]))
        );
    }

    #[test]
    fn one_returns_null_the_element_or_an_error() {
        assert_eq!(ok("one", vec![list(vec![])]), Value::Null);
        assert_eq!(ok("one", vec![strs(&["x"])]), s("x"));
        assert_eq!(ok("one", vec![Value::set(vec![n(3)])]), n(3));
        assert_eq!(
            err("one", vec![strs(&["a", "b"])]),
            "must be a list, set, or tuple value with either zero or one elements"
        );
        assert!(err("one", vec![s("a")]).contains("zero or one elements"));
        assert_eq!(ok("one", vec![list(vec![Value::Unknown])]), Value::Unknown);
        assert_eq!(ok("one", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(ok("one", vec![secret(strs(&["x"]))]), secret(s("x")));
    }

    #[test]
    fn reverse_reverses_lists_and_sets() {
        assert_eq!(
            ok("reverse", vec![strs(&["a", "b", "c"])]),
            strs(&["c", "b", "a"])
        );
        assert_eq!(
            ok("reverse", vec![Value::set(vec![n(1), n(2)])]),
            list(vec![n(2), n(1)])
        );
        assert_eq!(
            err("reverse", vec![s("abc")]),
            "can only reverse list or tuple values, not string"
        );
        assert_eq!(ok("reverse", vec![Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn slice_checks_bounds() {
        let l = strs(&["a", "b", "c", "d"]);
        assert_eq!(ok("slice", vec![l.clone(), n(1), n(3)]), strs(&["b", "c"]));
        assert_eq!(ok("slice", vec![l.clone(), n(4), n(4)]), list(vec![]));
        assert_eq!(
            err("slice", vec![l.clone(), n(-1), n(2)]),
            "start index must not be less than zero"
        );
        assert_eq!(
            err("slice", vec![l.clone(), n(0), n(5)]),
            "end index must not be greater than the length of the list"
        );
        assert_eq!(
            err("slice", vec![l.clone(), n(3), n(1)]),
            "start index must not be greater than end index"
        );
        assert_eq!(
            err("slice", vec![l.clone(), f(0.5), n(1)]),
            "invalid start index: value must be a whole number"
        );
        assert!(
            err("slice", vec![Value::set(vec![n(1)]), n(0), n(1)])
                .starts_with("cannot slice a set")
        );
        assert_eq!(ok("slice", vec![l, Value::Unknown, n(1)]), Value::Unknown);
    }

    #[test]
    fn chunklist_splits_into_chunks() {
        assert_eq!(
            ok("chunklist", vec![strs(&["a", "b", "c"]), n(2)]),
            list(vec![strs(&["a", "b"]), strs(&["c"])])
        );
        assert_eq!(
            ok("chunklist", vec![strs(&["a", "b"]), n(0)]),
            list(vec![strs(&["a", "b"])])
        );
        assert_eq!(
            err("chunklist", vec![strs(&["a"]), n(-1)]),
            "the size argument must be positive"
        );
    }

    #[test]
    fn sort_is_lexical_on_strings() {
        assert_eq!(
            ok("sort", vec![strs(&["b", "a", "C"])]),
            strs(&["C", "a", "b"])
        );
        // Numbers become strings first, as in Terraform.
        assert_eq!(
            ok("sort", vec![list(vec![n(10), n(9), n(1)])]),
            strs(&["1", "10", "9"])
        );
        assert_eq!(
            err("sort", vec![list(vec![s("a"), Value::Null])]),
            "given list element 1 is null; a null string cannot be sorted"
        );
        assert_eq!(
            ok("sort", vec![list(vec![s("a"), Value::Unknown])]),
            Value::Unknown
        );
    }

    #[test]
    fn alltrue_and_anytrue() {
        let t = Value::Bool(true);
        let fl = Value::Bool(false);
        assert_eq!(ok("alltrue", vec![list(vec![])]), t);
        assert_eq!(ok("alltrue", vec![list(vec![t.clone(), s("true")])]), t);
        assert_eq!(ok("alltrue", vec![list(vec![t.clone(), fl.clone()])]), fl);
        assert_eq!(
            ok("alltrue", vec![list(vec![Value::Unknown, fl.clone()])]),
            Value::Unknown
        );
        assert_eq!(
            ok("alltrue", vec![list(vec![fl.clone(), Value::Unknown])]),
            fl
        );
        assert_eq!(
            err("alltrue", vec![list(vec![s("yes")])]),
            "invalid value for \"list\" parameter: list of bool required"
        );
        assert_eq!(ok("anytrue", vec![list(vec![])]), fl);
        assert_eq!(ok("anytrue", vec![list(vec![fl.clone(), t.clone()])]), t);
        assert_eq!(
            ok("anytrue", vec![list(vec![Value::Unknown, t.clone()])]),
            t
        );
        assert_eq!(
            ok("anytrue", vec![list(vec![Value::Unknown, fl.clone()])]),
            Value::Unknown
        );
        assert!(err("anytrue", vec![s("true")]).contains("list of bool required"));
        assert_eq!(
            ok("anytrue", vec![list(vec![secret(t.clone())])]),
            secret(t)
        );
    }

    #[test]
    fn transpose_swaps_keys_and_values() {
        assert_eq!(
            ok(
                "transpose",
                vec![map(vec![
                    ("a", strs(&["1", "2"])),
                    ("b", strs(&["2", "3"]))
                ])]
            ),
            map(vec![
                ("1", strs(&["a"])),
                ("2", strs(&["a", "b"])),
                ("3", strs(&["b"]))
            ])
        );
        assert_eq!(
            err("transpose", vec![map(vec![("a", s("x"))])]),
            "input must be map of lists of strings"
        );
    }

    #[test]
    fn zipmap_pairs_keys_with_values() {
        assert_eq!(
            ok(
                "zipmap",
                vec![strs(&["a", "b"]), list(vec![n(1), Value::Unknown])]
            ),
            map(vec![("a", n(1)), ("b", Value::Unknown)])
        );
        assert_eq!(
            err("zipmap", vec![strs(&["a"]), list(vec![])]),
            "number of keys (1) does not match number of values (0)"
        );
        assert_eq!(
            err("zipmap", vec![list(vec![Value::Null]), list(vec![n(1)])]),
            "keys list has null value at index 0"
        );
        assert_eq!(
            ok("zipmap", vec![list(vec![Value::Unknown]), list(vec![n(1)])]),
            Value::Unknown
        );
        assert_eq!(
            ok("zipmap", vec![strs(&["a"]), list(vec![secret(n(1))])]),
            map(vec![("a", secret(n(1)))])
        );
        assert_eq!(
            ok("zipmap", vec![list(vec![secret(s("a"))]), list(vec![n(1)])]),
            secret(map(vec![("a", n(1))]))
        );
    }

    #[test]
    fn set_algebra() {
        assert_eq!(
            ok(
                "setunion",
                vec![strs(&["a", "b"]), Value::set(vec![s("c"), s("a")])]
            ),
            Value::set(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            ok("setunion", vec![list(vec![n(1)]), strs(&["a"])]),
            Value::set(vec![s("1"), s("a")])
        );
        assert_eq!(
            ok(
                "setintersection",
                vec![
                    strs(&["a", "b", "c"]),
                    strs(&["b", "c", "d"]),
                    strs(&["c", "b"])
                ]
            ),
            Value::set(vec![s("b"), s("c")])
        );
        assert_eq!(
            ok("setsubtract", vec![strs(&["a", "b", "c"]), strs(&["b"])]),
            Value::set(vec![s("a"), s("c")])
        );
        assert_eq!(
            err("setunion", vec![s("a")]),
            "invalid value for \"sets\" parameter: set required"
        );
        assert_eq!(
            ok("setunion", vec![list(vec![Value::Unknown]), strs(&["a"])]),
            Value::Unknown
        );
        assert_eq!(
            ok(
                "setintersection",
                vec![list(vec![secret(s("a"))]), strs(&["a"])]
            ),
            secret(Value::set(vec![s("a")]))
        );
    }

    #[test]
    fn setproduct_builds_the_cartesian_product() {
        assert_eq!(
            ok("setproduct", vec![strs(&["a", "b"]), strs(&["x", "y"])]),
            list(vec![
                strs(&["a", "x"]),
                strs(&["a", "y"]),
                strs(&["b", "x"]),
                strs(&["b", "y"])
            ])
        );
        assert_eq!(
            ok("setproduct", vec![strs(&["a"]), list(vec![])]),
            list(vec![])
        );
        assert_eq!(
            ok("setproduct", vec![Value::set(vec![s("a")]), strs(&["x"])]),
            Value::set(vec![strs(&["a", "x"])])
        );
        assert_eq!(
            err("setproduct", vec![strs(&["a"])]),
            "at least two arguments are required"
        );
        let big = list((0..2000).map(n).collect());
        assert!(err("setproduct", vec![big.clone(), big]).contains("more than 1024000"));
    }
}
