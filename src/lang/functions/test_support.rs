//! Small constructors and call wrappers for the function tests. Test-only; it owns no behaviour and
//! must not grow logic that the tests would then be checking against itself.

use super::call;
use crate::lang::Value;

pub fn s(text: &str) -> Value {
    Value::string(text)
}

pub fn n(number: i64) -> Value {
    Value::int(number)
}

pub fn f(number: f64) -> Value {
    Value::number(number)
}

pub fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

pub fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|item| s(item)).collect())
}

pub fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs)
}

pub fn secret(value: Value) -> Value {
    value.mark_sensitive()
}

/// Call and expect success.
pub fn ok(name: &str, args: Vec<Value>) -> Value {
    match call(name, args) {
        Ok(value) => value,
        Err(message) => panic!("{name} failed: {message}"),
    }
}

/// Call and expect an error.
pub fn err(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(value) => panic!("{name} succeeded with {value:?}"),
        Err(message) => message,
    }
}
