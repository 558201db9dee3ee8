//! The built-in functions, with Terraform's names, arities, semantics and error wording. This file owns
//! the call protocol every function shares: the name table, arity checks, unknown propagation (an
//! unknown argument makes the result unknown unless the function looks inside its arguments) and
//! sensitive propagation (a sensitive argument makes the result sensitive, except for the functions that
//! are about marks). The functions themselves live in the sibling files, grouped by what they work on.
//! `try`, `can`, `file` and `templatefile` need the evaluator or a file reader: they are listed in
//! [`NAMES`] but implemented in `eval`, and [`call`] refuses them. Everything here is pure (no I/O, no
//! clock, no environment) and must not panic on any input: a bad argument is an `Err` whose text is the
//! detail of the caller's "Invalid function argument" diagnostic.

mod collections;
mod convert;
mod encoding;
mod format;
mod net;
mod numbers;
mod strings;

use super::Value;

/// Call a built-in function with evaluated arguments. The error is the detail of an
/// "Error in function call" / "Invalid function argument" diagnostic.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let Some(spec) = SPECS.iter().find(|spec| spec.name == name) else {
        return Err(if exists(name) {
            format!(
                "function \"{name}\" is evaluated by the expression evaluator, not called directly"
            )
        } else {
            format!("there is no function named \"{name}\"")
        });
    };
    spec.arity.check(args.len())?;

    let (args, sensitive) = match spec.marks {
        Marks::Deep => {
            let mut sensitive = false;
            let args = args
                .into_iter()
                .map(|arg| {
                    let (arg, marked) = arg.unmark_deep();
                    sensitive |= marked;
                    arg
                })
                .collect::<Vec<_>>();
            (args, sensitive)
        }
        Marks::Top => {
            let mut sensitive = false;
            let args = args
                .into_iter()
                .map(|arg| {
                    let (arg, marked) = arg.into_unmarked();
                    sensitive |= marked;
                    arg
                })
                .collect::<Vec<_>>();
            (args, sensitive)
        }
        Marks::Own => (args, false),
    };

    let unknown = match spec.unknowns {
        Unknowns::Shallow => args.iter().any(Value::is_unknown),
        Unknowns::Deep => args.iter().any(|arg| !arg.is_wholly_known()),
        Unknowns::Own => false,
    };
    let result = if unknown {
        Value::Unknown
    } else {
        let ctx = Ctx { sensitive };
        (spec.imp)(&ctx, args)?
    };
    Ok(if sensitive {
        result.mark_sensitive()
    } else {
        result
    })
}

/// Whether a function of this name exists (including the ones `eval` handles itself).
pub fn exists(name: &str) -> bool {
    NAMES.binary_search(&name).is_ok()
}

/// Every function name, sorted, for "did you mean" hints. Includes `try`, `can`, `file` and
/// `templatefile`, which the evaluator implements.
pub const NAMES: &[&str] = &[
    "abs",
    "alltrue",
    "anytrue",
    "base64decode",
    "base64encode",
    "base64sha256",
    "base64sha512",
    "can",
    "ceil",
    "chomp",
    "chunklist",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "file",
    "flatten",
    "floor",
    "format",
    "formatlist",
    "indent",
    "index",
    "issensitive",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "log",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "nonsensitive",
    "one",
    "parseint",
    "pow",
    "range",
    "regex",
    "regexall",
    "replace",
    "reverse",
    "sensitive",
    "setintersection",
    "setproduct",
    "setsubtract",
    "setunion",
    "sha256",
    "sha512",
    "signum",
    "slice",
    "sort",
    "split",
    "startswith",
    "strcontains",
    "strrev",
    "substr",
    "sum",
    "templatefile",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "transpose",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "urlencode",
    "values",
    "zipmap",
];

/// The names in [`NAMES`] that `eval` implements itself.
#[cfg(test)]
const EVALUATOR_NAMES: &[&str] = &["can", "file", "templatefile", "try"];

/// What a function implementation sees besides its arguments.
struct Ctx {
    /// Some argument carried a sensitive mark that the call protocol removed; messages must not echo
    /// argument values.
    sensitive: bool,
}

impl Ctx {
    /// A user value for an error message: quoted, or redacted when the call involves a secret.
    fn show(&self, text: &str) -> String {
        if self.sensitive {
            "(sensitive value)".to_string()
        } else {
            quote(text)
        }
    }
}

type Impl = fn(&Ctx, Vec<Value>) -> Result<Value, String>;

#[derive(Clone, Copy)]
enum Arity {
    Exact(usize),
    Between(usize, usize),
    AtLeast(usize),
}

impl Arity {
    fn check(self, got: usize) -> Result<(), String> {
        let (fits, expected) = match self {
            Arity::Exact(n) => (got == n, n.to_string()),
            Arity::Between(low, high) => (
                (low..=high).contains(&got),
                if high == low + 1 {
                    format!("{low} or {high}")
                } else {
                    format!("{low} to {high}")
                },
            ),
            Arity::AtLeast(n) => (got >= n, format!("at least {n}")),
        };
        if fits {
            Ok(())
        } else {
            Err(format!(
                "wrong number of arguments: expected {expected}, got {got}"
            ))
        }
    }
}

/// How unknown arguments are handled before the implementation runs.
#[derive(Clone, Copy)]
enum Unknowns {
    /// An argument unknown at the top level makes the result unknown; unknowns nested inside
    /// collections reach the implementation, which keeps or inspects them.
    Shallow,
    /// Any unknown anywhere in any argument makes the result unknown.
    Deep,
    /// The implementation decides.
    Own,
}

/// How sensitive marks are handled.
#[derive(Clone, Copy)]
enum Marks {
    /// Every mark at any depth is removed before the call, and the whole result is marked if there
    /// was one.
    Deep,
    /// Only the arguments' own top-level marks are removed (and mark the result); marks on elements
    /// stay where they are, as Terraform keeps them for structural functions.
    Top,
    /// The implementation sees the marks and decides (`sensitive`, `nonsensitive`, …).
    Own,
}

struct Spec {
    name: &'static str,
    arity: Arity,
    unknowns: Unknowns,
    marks: Marks,
    imp: Impl,
}

const fn spec(
    name: &'static str,
    arity: Arity,
    unknowns: Unknowns,
    marks: Marks,
    imp: Impl,
) -> Spec {
    Spec {
        name,
        arity,
        unknowns,
        marks,
        imp,
    }
}

use Arity::{AtLeast, Between, Exact};
use Marks::{Deep as MarkDeep, Own as MarkOwn, Top as MarkTop};
use Unknowns::{Deep, Own, Shallow};

/// Every function [`call`] implements: name, arity, unknown handling, mark handling, implementation.
#[rustfmt::skip]
const SPECS: &[Spec] = &[
    // Collections.
    spec("alltrue",         Exact(1),       Shallow, MarkDeep, collections::alltrue),
    spec("anytrue",         Exact(1),       Shallow, MarkDeep, collections::anytrue),
    spec("chunklist",       Exact(2),       Shallow, MarkTop,  collections::chunklist),
    spec("coalesce",        AtLeast(0),     Own,     MarkDeep, collections::coalesce),
    spec("coalescelist",    AtLeast(0),     Own,     MarkTop,  collections::coalescelist),
    spec("compact",         Exact(1),       Deep,    MarkDeep, collections::compact),
    spec("concat",          AtLeast(0),     Shallow, MarkTop,  collections::concat),
    spec("contains",        Exact(2),       Own,     MarkDeep, collections::contains),
    spec("distinct",        Exact(1),       Deep,    MarkDeep, collections::distinct),
    spec("element",         Exact(2),       Shallow, MarkTop,  collections::element),
    spec("flatten",         Exact(1),       Shallow, MarkDeep, collections::flatten),
    spec("index",           Exact(2),       Deep,    MarkDeep, collections::index),
    spec("keys",            Exact(1),       Shallow, MarkTop,  collections::keys),
    spec("length",          Exact(1),       Shallow, MarkTop,  collections::length),
    spec("lookup",          Between(2, 3),  Own,     MarkTop,  collections::lookup),
    spec("merge",           AtLeast(0),     Shallow, MarkTop,  collections::merge),
    spec("one",             Exact(1),       Shallow, MarkTop,  collections::one),
    spec("reverse",         Exact(1),       Shallow, MarkTop,  collections::reverse),
    spec("setintersection", AtLeast(1),     Deep,    MarkDeep, collections::setintersection),
    spec("setproduct",      AtLeast(0),     Deep,    MarkDeep, collections::setproduct),
    spec("setsubtract",     Exact(2),       Deep,    MarkDeep, collections::setsubtract),
    spec("setunion",        AtLeast(1),     Deep,    MarkDeep, collections::setunion),
    spec("slice",           Exact(3),       Shallow, MarkTop,  collections::slice),
    spec("sort",            Exact(1),       Deep,    MarkDeep, collections::sort),
    spec("transpose",       Exact(1),       Deep,    MarkDeep, collections::transpose),
    spec("values",          Exact(1),       Shallow, MarkTop,  collections::values),
    spec("zipmap",          Exact(2),       Own,     MarkOwn,  collections::zipmap),
    // Type conversions.
    spec("tobool",          Exact(1),       Shallow, MarkDeep, convert::tobool),
    spec("tolist",          Exact(1),       Shallow, MarkTop,  convert::tolist),
    spec("tomap",           Exact(1),       Shallow, MarkTop,  convert::tomap),
    spec("tonumber",        Exact(1),       Shallow, MarkDeep, convert::tonumber),
    spec("toset",           Exact(1),       Shallow, MarkTop,  convert::toset),
    spec("tostring",        Exact(1),       Shallow, MarkDeep, convert::tostring),
    // Marks.
    spec("issensitive",     Exact(1),       Own,     MarkOwn,  convert::issensitive),
    spec("nonsensitive",    Exact(1),       Own,     MarkOwn,  convert::nonsensitive),
    spec("sensitive",       Exact(1),       Own,     MarkOwn,  convert::sensitive),
    // Numbers.
    spec("abs",             Exact(1),       Deep,    MarkDeep, numbers::abs),
    spec("ceil",            Exact(1),       Deep,    MarkDeep, numbers::ceil),
    spec("floor",           Exact(1),       Deep,    MarkDeep, numbers::floor),
    spec("log",             Exact(2),       Deep,    MarkDeep, numbers::log),
    spec("max",             AtLeast(0),     Deep,    MarkDeep, numbers::max),
    spec("min",             AtLeast(0),     Deep,    MarkDeep, numbers::min),
    spec("parseint",        Exact(2),       Deep,    MarkDeep, numbers::parseint),
    spec("pow",             Exact(2),       Deep,    MarkDeep, numbers::pow),
    spec("range",           Between(1, 3),  Deep,    MarkDeep, numbers::range),
    spec("signum",          Exact(1),       Deep,    MarkDeep, numbers::signum),
    spec("sum",             Exact(1),       Deep,    MarkDeep, numbers::sum),
    // Strings.
    spec("chomp",           Exact(1),       Deep,    MarkDeep, strings::chomp),
    spec("endswith",        Exact(2),       Deep,    MarkDeep, strings::endswith),
    spec("format",          AtLeast(1),     Deep,    MarkDeep, format::format),
    spec("formatlist",      AtLeast(1),     Deep,    MarkDeep, format::formatlist),
    spec("indent",          Exact(2),       Deep,    MarkDeep, strings::indent),
    spec("join",            AtLeast(1),     Deep,    MarkDeep, strings::join),
    spec("lower",           Exact(1),       Deep,    MarkDeep, strings::lower),
    spec("regex",           Exact(2),       Deep,    MarkDeep, strings::regex),
    spec("regexall",        Exact(2),       Deep,    MarkDeep, strings::regexall),
    spec("replace",         Exact(3),       Deep,    MarkDeep, strings::replace),
    spec("split",           Exact(2),       Deep,    MarkDeep, strings::split),
    spec("startswith",      Exact(2),       Deep,    MarkDeep, strings::startswith),
    spec("strcontains",     Exact(2),       Deep,    MarkDeep, strings::strcontains),
    spec("strrev",          Exact(1),       Deep,    MarkDeep, strings::strrev),
    spec("substr",          Exact(3),       Deep,    MarkDeep, strings::substr),
    spec("title",           Exact(1),       Deep,    MarkDeep, strings::title),
    spec("trim",            Exact(2),       Deep,    MarkDeep, strings::trim),
    spec("trimprefix",      Exact(2),       Deep,    MarkDeep, strings::trimprefix),
    spec("trimspace",       Exact(1),       Deep,    MarkDeep, strings::trimspace),
    spec("trimsuffix",      Exact(2),       Deep,    MarkDeep, strings::trimsuffix),
    spec("upper",           Exact(1),       Deep,    MarkDeep, strings::upper),
    // Encodings and hashes.
    spec("base64decode",    Exact(1),       Deep,    MarkDeep, encoding::base64decode),
    spec("base64encode",    Exact(1),       Deep,    MarkDeep, encoding::base64encode),
    spec("base64sha256",    Exact(1),       Deep,    MarkDeep, encoding::base64sha256),
    spec("base64sha512",    Exact(1),       Deep,    MarkDeep, encoding::base64sha512),
    spec("jsondecode",      Exact(1),       Deep,    MarkDeep, encoding::jsondecode),
    spec("jsonencode",      Exact(1),       Deep,    MarkDeep, encoding::jsonencode),
    spec("sha256",          Exact(1),       Deep,    MarkDeep, encoding::sha256),
    spec("sha512",          Exact(1),       Deep,    MarkDeep, encoding::sha512),
    spec("urlencode",       Exact(1),       Deep,    MarkDeep, encoding::urlencode),
    // IP networks.
    spec("cidrhost",        Exact(2),       Deep,    MarkDeep, net::cidrhost),
    spec("cidrnetmask",     Exact(1),       Deep,    MarkDeep, net::cidrnetmask),
    spec("cidrsubnet",      Exact(3),       Deep,    MarkDeep, net::cidrsubnet),
    spec("cidrsubnets",     AtLeast(1),     Deep,    MarkDeep, net::cidrsubnets),
];

// ---------------------------------------------------------------------------------------------------
// Argument helpers shared by the function files. Arguments reach them without a top-level mark.

/// The arguments as an array (arity is checked before an implementation runs; a missing one would be
/// null).
fn take<const N: usize>(args: Vec<Value>) -> [Value; N] {
    let mut iter = args.into_iter();
    std::array::from_fn(|_| iter.next().unwrap_or(Value::Null))
}

/// Upper bound on the size of a string a function builds out of small inputs (padding, indentation),
/// so a slip such as `indent(1e9, …)` is an error rather than an out-of-memory abort.
const MAX_BUILT_STRING: usize = 16 * 1024 * 1024;

/// Terraform's wording for a parameter that does not fit.
fn invalid(param: &str, problem: &str) -> String {
    format!("invalid value for \"{param}\" parameter: {problem}")
}

/// JSON-style double quoting, as Go's `%q` prints most strings.
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A primitive value as Terraform converts it to a string; `None` for null, unknown and collections.
fn primitive_string(value: &Value) -> Option<String> {
    match value.unmark().0 {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parse a decimal number the way Terraform converts a string to a number: optional sign, digits with
/// an optional fraction, optional exponent. No hexadecimal, no `inf` or `NaN`, no spaces.
fn parse_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A string parameter; numbers and bools convert as Terraform converts them.
fn want_string(value: &Value, param: &str) -> Result<String, String> {
    match value.unmark().0 {
        Value::Null => Err(invalid(param, "argument must not be null")),
        other => primitive_string(other).ok_or_else(|| invalid(param, "string required")),
    }
}

/// A number parameter; strings holding a decimal number convert.
fn want_number(value: &Value, param: &str) -> Result<f64, String> {
    match value.unmark().0 {
        Value::Number(n) => Ok(n.0),
        Value::String(s) => parse_number(s).ok_or_else(|| invalid(param, "a number is required")),
        Value::Null => Err(invalid(param, "argument must not be null")),
        _ => Err(invalid(param, "number required")),
    }
}

/// A whole-number parameter.
fn want_int(value: &Value, param: &str) -> Result<i64, String> {
    let number = want_number(value, param)?;
    if number.fract() != 0.0 || !number.is_finite() {
        return Err(invalid(param, "value must be a whole number"));
    }
    super::Number(number)
        .as_i64()
        .ok_or_else(|| invalid(param, "value is too large"))
}

/// A bool parameter; the strings "true" and "false" convert.
fn want_bool(value: &Value, param: &str) -> Result<bool, String> {
    match value.unmark().0 {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        Value::Null => Err(invalid(param, "argument must not be null")),
        _ => Err(invalid(param, "bool required")),
    }
}

/// The elements of a list, tuple or set parameter. `what` names the expected type for the message
/// ("list of string").
fn want_elements(value: Value, param: &str, what: &str) -> Result<Vec<Value>, String> {
    match value.into_unmarked().0 {
        Value::List(items) | Value::Set(items) => Ok(items),
        Value::Null => Err(invalid(param, "argument must not be null")),
        _ => Err(invalid(param, &format!("{what} required"))),
    }
}

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn names_are_sorted_unique_and_match_the_table() {
        let mut sorted = NAMES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, NAMES, "NAMES must be sorted and unique");

        let mut implemented: Vec<&str> = SPECS.iter().map(|spec| spec.name).collect();
        implemented.extend_from_slice(EVALUATOR_NAMES);
        implemented.sort_unstable();
        assert_eq!(
            implemented, NAMES,
            "every name is implemented here or by eval"
        );
    }

    #[test]
    fn the_design_list_is_covered() {
        let required = "try can lookup merge length keys values contains coalesce one alltrue anytrue \
            concat flatten distinct regex regexall lower upper format join split replace trimspace \
            startswith endswith substr tostring tonumber tobool tolist toset tomap element zipmap range \
            min max sum sort reverse slice setunion setintersection jsonencode jsondecode cidrsubnet \
            cidrhost cidrnetmask cidrsubnets file templatefile sensitive nonsensitive";
        for name in required.split_whitespace() {
            assert!(exists(name), "{name} is missing");
        }
        assert!(!exists("nosuchfunction"));
    }

    #[test]
    fn unknown_names_and_evaluator_names_are_errors() {
        assert_eq!(
            err("nosuch", vec![]),
            "there is no function named \"nosuch\""
        );
        assert!(err("try", vec![s("a")]).contains("evaluator"));
        assert!(err("templatefile", vec![s("a"), map(vec![])]).contains("evaluator"));
    }

    #[test]
    fn arity_errors_name_the_expected_count() {
        assert_eq!(
            err("lookup", vec![map(vec![])]),
            "wrong number of arguments: expected 2 or 3, got 1"
        );
        assert_eq!(
            err("upper", vec![]),
            "wrong number of arguments: expected 1, got 0"
        );
        assert_eq!(
            err("range", vec![n(1), n(2), n(3), n(4)]),
            "wrong number of arguments: expected 1 to 3, got 4"
        );
        assert_eq!(
            err("format", vec![]),
            "wrong number of arguments: expected at least 1, got 0"
        );
    }

    #[test]
    fn unknown_arguments_make_the_result_unknown() {
        assert_eq!(ok("upper", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok("join", vec![s(","), list(vec![s("a"), Value::Unknown])]),
            Value::Unknown
        );
        // Arity is still checked.
        assert!(call("upper", vec![Value::Unknown, Value::Unknown]).is_err());
    }

    #[test]
    fn sensitive_arguments_make_the_result_sensitive() {
        assert_eq!(ok("upper", vec![secret(s("abc"))]), secret(s("ABC")));
        assert_eq!(
            ok("join", vec![s("-"), list(vec![s("a"), secret(s("b"))])]),
            secret(s("a-b"))
        );
        assert_eq!(
            ok("upper", vec![secret(Value::Unknown)]),
            secret(Value::Unknown)
        );
    }

    #[test]
    fn error_messages_do_not_echo_secrets() {
        let message = err("tonumber", vec![secret(s("hunter2"))]);
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("(sensitive value)"), "{message}");
    }

    #[test]
    fn number_parsing_is_decimal_only() {
        assert_eq!(parse_number("42"), Some(42.0));
        assert_eq!(parse_number("-1.5e3"), Some(-1500.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("+7"), Some(7.0));
        for bad in [
            "", "x", "0x10", "inf", "NaN", "1e", " 1", "1 ", "1.2.3", "-", ".",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    mod properties {
        use super::super::{Marks, SPECS, Unknowns, call};
        use crate::lang::Value;
        use proptest::collection::{btree_map, vec};
        use proptest::prelude::*;

        fn any_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                Just(Value::Unknown),
                any::<bool>().prop_map(Value::Bool),
                (-300i64..300).prop_map(Value::int),
                any::<f64>().prop_map(Value::number),
                "[a-c0-9%./:\\[\\]()*+?^$&|-]{0,10}".prop_map(Value::String),
                prop_oneof![
                    Just("10.0.0.0/24"),
                    Just("fd00::/48"),
                    Just("%05.2f %v %[2]s"),
                    Just("(?P<a>x)(y)"),
                    Just("{\"a\": [1, 2]}"),
                ]
                .prop_map(Value::string),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    vec(inner.clone(), 0..4).prop_map(Value::List),
                    vec(inner.clone(), 0..4).prop_map(Value::set),
                    btree_map("[a-c]", inner.clone(), 0..3).prop_map(Value::map),
                    inner.prop_map(Value::mark_sensitive),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn calls_never_panic_and_keep_marks(
                index in 0..SPECS.len(),
                args in vec(any_value(), 0..4),
            ) {
                let spec = &SPECS[index];
                let sensitive = args.iter().any(Value::contains_sensitive);
                let unknown = args.iter().any(|arg| !arg.is_wholly_known());
                if let Ok(result) = call(spec.name, args) {
                    if sensitive && matches!(spec.marks, Marks::Deep) {
                        prop_assert!(matches!(result, Value::Sensitive(_)), "{} lost a mark", spec.name);
                    }
                    if unknown && matches!(spec.unknowns, Unknowns::Deep) {
                        prop_assert!(result.is_unknown(), "{} hid an unknown", spec.name);
                    }
                }
            }
        }
    }

    #[test]
    fn no_function_panics_on_odd_arguments() {
        let odd = vec![
            Value::Null,
            Value::Unknown,
            Value::Bool(true),
            n(-1),
            Value::number(f64::NAN),
            Value::number(f64::INFINITY),
            Value::number(1e300),
            n(i64::MAX),
            Value::number(0.5),
            s(""),
            s("/"),
            s("10.0.0.0/33"),
            s("%"),
            s("%[0]d"),
            s("("),
            list(vec![]),
            list(vec![Value::Null, n(1), s("a")]),
            Value::set(vec![s("a"), s("b")]),
            map(vec![("a", n(1)), ("b", list(vec![]))]),
            secret(s("x")),
        ];
        for spec in SPECS {
            for a in &odd {
                let _ = call(spec.name, vec![a.clone()]);
                for b in &odd {
                    let _ = call(spec.name, vec![a.clone(), b.clone()]);
                    let _ = call(spec.name, vec![a.clone(), b.clone(), n(3)]);
                    let _ = call(spec.name, vec![b.clone(), a.clone(), n(-3)]);
                }
            }
        }
    }
}
