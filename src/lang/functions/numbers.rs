//! Numeric functions: `abs`, `ceil`, `floor`, `signum`, `pow`, `log`, `min`, `max`, `sum`, `parseint`
//! and `range`. Numbers are f64 here where Terraform has arbitrary precision; sums and range steps are
//! tidied to 15 significant digits so `sum([0.1, 0.2])` is 0.3 as in Terraform. Must not loop without
//! bound: `range` stops at Terraform's 1024-element limit.

use super::{Ctx, invalid, take, want_int, want_number};
use crate::lang::Value;

/// Terraform's artificial cap on `range`.
const MAX_RANGE: usize = 1024;

/// Round away binary noise from a decimal computation (0.30000000000000004 → 0.3).
fn tidy(number: f64) -> f64 {
    if number.fract() == 0.0 || !number.is_finite() {
        return number;
    }
    format!("{number:.14e}").parse().unwrap_or(number)
}

fn unary(args: Vec<Value>, op: fn(f64) -> f64) -> Result<Value, String> {
    let [value] = take(args);
    Ok(Value::number(op(want_number(&value, "num")?)))
}

pub(super) fn abs(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    unary(args, f64::abs)
}

pub(super) fn ceil(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    unary(args, f64::ceil)
}

pub(super) fn floor(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    unary(args, f64::floor)
}

pub(super) fn signum(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    unary(args, |number| {
        if number > 0.0 {
            1.0
        } else if number < 0.0 {
            -1.0
        } else {
            0.0
        }
    })
}

pub(super) fn pow(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [base, exponent] = take(args);
    let base = want_number(&base, "num")?;
    let exponent = want_number(&exponent, "power")?;
    Ok(Value::number(base.powf(exponent)))
}

pub(super) fn log(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [number, base] = take(args);
    let number = want_number(&number, "num")?;
    let base = want_number(&base, "base")?;
    Ok(Value::number(number.ln() / base.ln()))
}

fn extreme(args: Vec<Value>, pick: fn(f64, f64) -> f64) -> Result<Value, String> {
    let mut best: Option<f64> = None;
    for arg in &args {
        let number = want_number(arg, "numbers")?;
        best = Some(best.map_or(number, |best| pick(best, number)));
    }
    best.map(Value::number)
        .ok_or_else(|| "must pass at least one number".to_string())
}

pub(super) fn min(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    extreme(args, f64::min)
}

pub(super) fn max(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    extreme(args, f64::max)
}

pub(super) fn sum(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [list] = take(args);
    let items = match list {
        Value::List(items) | Value::Set(items) => items,
        Value::Map(_) => {
            return Err(invalid(
                "list",
                "argument must be list, set, or tuple. Received object",
            ));
        }
        _ => return Err(invalid("list", "cannot sum noniterable")),
    };
    if items.is_empty() {
        return Err(invalid("list", "cannot sum an empty list"));
    }
    let mut total = 0.0;
    for item in &items {
        total += match item {
            Value::Null => None,
            other => want_number(other, "list").ok(),
        }
        .ok_or_else(|| {
            invalid(
                "list",
                "argument must be list, set, or tuple of number values",
            )
        })?;
    }
    if total.is_nan() {
        return Err("can't compute sum of opposing infinities".to_string());
    }
    Ok(Value::number(tidy(total)))
}

/// `parseint(number, base)`: a string of digits in base 2 to 62, as Go's `big.Int.SetString` reads it
/// (optional sign; letters case-insensitive up to base 36, lowercase before uppercase above).
pub(super) fn parseint(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [number, base] = take(args);
    let text = match &number {
        Value::String(text) => text.clone(),
        other => {
            return Err(invalid(
                "number",
                &format!("first argument must be a string, not {}", other.type_name()),
            ));
        }
    };
    let base = want_int(&base, "base")?;
    if !(2..=62).contains(&base) {
        return Err(invalid(
            "base",
            "base must be a whole number between 2 and 62 inclusive",
        ));
    }
    let cannot = || {
        invalid(
            "number",
            &format!("cannot parse {} as a base {base} integer", ctx.show(&text)),
        )
    };
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text.as_str()),
    };
    if digits.is_empty() {
        return Err(cannot());
    }
    let mut value = 0.0f64;
    for byte in digits.bytes() {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'z' => byte - b'a' + 10,
            b'A'..=b'Z' if base <= 36 => byte - b'A' + 10,
            b'A'..=b'Z' => byte - b'A' + 36,
            _ => return Err(cannot()),
        };
        if i64::from(digit) >= base {
            return Err(cannot());
        }
        value = value * base as f64 + f64::from(digit);
    }
    if !value.is_finite() {
        return Err(cannot());
    }
    Ok(Value::number(if negative { -value } else { value }))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)` with Terraform's rules.
pub(super) fn range(_: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let numbers = args
        .iter()
        .map(|arg| want_number(arg, "params"))
        .collect::<Result<Vec<f64>, String>>()?;
    let (start, end, step) = match numbers.as_slice() {
        [end] => (0.0, *end, if *end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (*start, *end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("must have one, two, or three arguments".to_string()),
    };
    if step == 0.0 {
        return Err("step must not be zero".to_string());
    }
    let down = step < 0.0;
    if down && end > start {
        return Err("end must be less than start when step is negative".to_string());
    }
    if !down && end < start {
        return Err("end must be greater than start when step is positive".to_string());
    }
    let mut values = Vec::new();
    loop {
        // start + i·step, not repeated addition, so error does not accumulate.
        let current = tidy(start + values.len() as f64 * step);
        let done = if down { current <= end } else { current >= end };
        // NaN arguments compare false both ways; the cap below still ends the loop.
        if done {
            break;
        }
        if values.len() >= MAX_RANGE {
            return Err(format!(
                "more than {MAX_RANGE} values were generated; either decrease the difference \
                 between start and end or use a smaller step"
            ));
        }
        values.push(Value::number(current));
    }
    Ok(Value::List(values))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    #[test]
    fn abs_ceil_floor_signum() {
        assert_eq!(ok("abs", vec![n(-3)]), n(3));
        assert_eq!(ok("abs", vec![f(2.5)]), f(2.5));
        assert_eq!(ok("ceil", vec![f(1.2)]), n(2));
        assert_eq!(ok("floor", vec![f(-1.2)]), n(-2));
        assert_eq!(ok("floor", vec![s("4.9")]), n(4));
        assert_eq!(ok("signum", vec![n(-7)]), n(-1));
        assert_eq!(ok("signum", vec![n(0)]), n(0));
        assert_eq!(
            err("abs", vec![s("x")]),
            "invalid value for \"num\" parameter: a number is required"
        );
        assert_eq!(
            err("ceil", vec![list(vec![])]),
            "invalid value for \"num\" parameter: number required"
        );
        assert_eq!(
            err("floor", vec![Value::Null]),
            "invalid value for \"num\" parameter: argument must not be null"
        );
        assert!(err("signum", vec![Value::Bool(true)]).contains("number required"));
        assert_eq!(ok("abs", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(ok("abs", vec![secret(n(-1))]), secret(n(1)));
    }

    #[test]
    fn pow_and_log() {
        assert_eq!(ok("pow", vec![n(2), n(10)]), n(1024));
        assert_eq!(ok("log", vec![n(16), n(2)]), n(4));
        assert!(err("pow", vec![s("a"), n(2)]).contains("\"num\""));
        assert!(err("log", vec![n(1), s("b")]).contains("\"base\""));
    }

    #[test]
    fn min_and_max() {
        assert_eq!(ok("min", vec![n(12), n(54), n(3)]), n(3));
        assert_eq!(ok("max", vec![n(12), s("54"), n(3)]), n(54));
        assert_eq!(err("max", vec![]), "must pass at least one number");
        assert_eq!(err("min", vec![]), "must pass at least one number");
        assert_eq!(ok("max", vec![n(1), Value::Unknown]), Value::Unknown);
        assert_eq!(ok("max", vec![n(1), secret(n(2))]), secret(n(2)));
    }

    #[test]
    fn sum_adds_numbers() {
        assert_eq!(ok("sum", vec![list(vec![n(10), n(13), n(6), n(2)])]), n(31));
        assert_eq!(ok("sum", vec![list(vec![f(0.1), f(0.2)])]), f(0.3));
        assert_eq!(ok("sum", vec![Value::set(vec![n(1), n(2)])]), n(3));
        assert_eq!(
            err("sum", vec![list(vec![])]),
            "invalid value for \"list\" parameter: cannot sum an empty list"
        );
        assert!(err("sum", vec![list(vec![n(1), Value::Null])]).contains("tuple of number values"));
        assert!(err("sum", vec![s("1")]).contains("cannot sum noniterable"));
        assert_eq!(
            ok("sum", vec![list(vec![n(1), Value::Unknown])]),
            Value::Unknown
        );
    }

    #[test]
    fn parseint_reads_bases() {
        assert_eq!(ok("parseint", vec![s("100"), n(10)]), n(100));
        assert_eq!(ok("parseint", vec![s("FF"), n(16)]), n(255));
        assert_eq!(ok("parseint", vec![s("-1010"), n(2)]), n(-10));
        assert_eq!(ok("parseint", vec![s("aA"), n(62)]), n(10 * 62 + 36));
        assert_eq!(
            err("parseint", vec![s("12"), n(2)]),
            "invalid value for \"number\" parameter: cannot parse \"12\" as a base 2 integer"
        );
        assert!(err("parseint", vec![s("1"), n(63)]).contains("between 2 and 62"));
        assert!(err("parseint", vec![n(1), n(10)]).contains("must be a string, not number"));
        assert!(err("parseint", vec![s(""), n(10)]).contains("cannot parse"));
    }

    #[test]
    fn range_follows_terraform() {
        assert_eq!(ok("range", vec![n(3)]), list(vec![n(0), n(1), n(2)]));
        assert_eq!(ok("range", vec![n(-3)]), list(vec![n(0), n(-1), n(-2)]));
        assert_eq!(ok("range", vec![n(1), n(4)]), list(vec![n(1), n(2), n(3)]));
        assert_eq!(ok("range", vec![n(4), n(1)]), list(vec![n(4), n(3), n(2)]));
        assert_eq!(
            ok("range", vec![n(0), n(10), n(4)]),
            list(vec![n(0), n(4), n(8)])
        );
        assert_eq!(
            ok("range", vec![n(0), n(1), f(0.25)]),
            list(vec![n(0), f(0.25), f(0.5), f(0.75)])
        );
        assert_eq!(
            ok("range", vec![n(0), f(0.5), f(0.1)]),
            list(vec![n(0), f(0.1), f(0.2), f(0.3), f(0.4)])
        );
        assert_eq!(ok("range", vec![n(0)]), list(vec![]));
        assert_eq!(
            err("range", vec![n(0), n(5), n(0)]),
            "step must not be zero"
        );
        assert_eq!(
            err("range", vec![n(0), n(5), n(-1)]),
            "end must be less than start when step is negative"
        );
        assert_eq!(
            err("range", vec![n(5), n(0), n(1)]),
            "end must be greater than start when step is positive"
        );
        assert_eq!(
            ok("range", vec![n(1024)]).as_list().map(<[Value]>::len),
            Some(1024)
        );
        assert!(err("range", vec![n(1025)]).starts_with("more than 1024 values were generated"));
        assert!(err("range", vec![f(1e300)]).starts_with("more than 1024"));
        assert!(err("range", vec![n(0), f(1.0), f(1e-300)]).starts_with("more than 1024"));
        assert_eq!(ok("range", vec![Value::Unknown]), Value::Unknown);
    }
}
