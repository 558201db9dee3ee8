//! Unary and binary operators of the expression language with Terraform's conversions (`"5" + 1`
//! is 6, `"true" && true` is true), its error wording ("Invalid operand", "Operation failed") and
//! mark propagation: an unknown operand makes the result unknown, a sensitive operand makes it
//! sensitive. It must not evaluate anything but the two operands it is given.

use super::eval::{Evaluator, marked, to_bool, to_number};
use super::{Number, Value};
use crate::diag::Diagnostic;
use hcl_edit::expr::{BinaryOp, BinaryOperator, Expression, UnaryOp, UnaryOperator};
use std::cmp::Ordering;

/// Which side of an operator a value came from, for messages.
#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Unary,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Unary => "unary",
        }
    }
}

/// An operand after conversion: known, unknown, or null.
enum Operand<T> {
    Known(T),
    Unknown,
    Null,
}

impl Evaluator<'_> {
    pub(super) fn unary(&mut self, op: &UnaryOp) -> Result<Value, Diagnostic> {
        let (value, sensitive) = self.expr(&op.expr)?.into_unmarked();
        let result = match op.operator.value() {
            UnaryOperator::Not => match self.bool_operand(&value, Side::Unary, &op.expr)? {
                Operand::Known(b) => Value::Bool(!b),
                Operand::Unknown => Value::Unknown,
                Operand::Null => return Err(self.operation_failed(op)),
            },
            UnaryOperator::Neg => match self.number_operand(&value, Side::Unary, &op.expr)? {
                Operand::Known(n) => Value::number(-n),
                Operand::Unknown => Value::Unknown,
                Operand::Null => return Err(self.operation_failed(op)),
            },
        };
        Ok(marked(result, sensitive))
    }

    pub(super) fn binary(&mut self, op: &BinaryOp) -> Result<Value, Diagnostic> {
        let operator = *op.operator.value();
        let (lhs, lhs_sensitive) = self.expr(&op.lhs_expr)?.into_unmarked();
        let (rhs, rhs_sensitive) = self.expr(&op.rhs_expr)?.into_unmarked();
        let sensitive = lhs_sensitive || rhs_sensitive;
        let result = match operator {
            BinaryOperator::Eq | BinaryOperator::NotEq => {
                let sensitive = sensitive || lhs.contains_sensitive() || rhs.contains_sensitive();
                let result = match equal(&lhs, &rhs) {
                    Some(eq) => Value::Bool(eq == (operator == BinaryOperator::Eq)),
                    None => Value::Unknown,
                };
                return Ok(marked(result, sensitive));
            }
            BinaryOperator::And | BinaryOperator::Or => {
                let l = self.bool_operand(&lhs, Side::Left, &op.lhs_expr)?;
                let r = self.bool_operand(&rhs, Side::Right, &op.rhs_expr)?;
                match (l, r) {
                    (Operand::Unknown, _) | (_, Operand::Unknown) => Value::Unknown,
                    (Operand::Null, _) | (_, Operand::Null) => {
                        return Err(self.operation_failed(op));
                    }
                    (Operand::Known(l), Operand::Known(r)) => {
                        Value::Bool(if operator == BinaryOperator::And {
                            l && r
                        } else {
                            l || r
                        })
                    }
                }
            }
            _ => {
                let l = self.number_operand(&lhs, Side::Left, &op.lhs_expr)?;
                let r = self.number_operand(&rhs, Side::Right, &op.rhs_expr)?;
                match (l, r) {
                    (Operand::Unknown, _) | (_, Operand::Unknown) => Value::Unknown,
                    (Operand::Null, _) | (_, Operand::Null) => {
                        return Err(self.operation_failed(op));
                    }
                    (Operand::Known(l), Operand::Known(r)) => {
                        self.arithmetic(op, operator, l, r)?
                    }
                }
            }
        };
        Ok(marked(result, sensitive))
    }

    fn arithmetic(
        &self,
        op: &BinaryOp,
        operator: BinaryOperator,
        l: f64,
        r: f64,
    ) -> Result<Value, Diagnostic> {
        let number = match operator {
            BinaryOperator::Plus => l + r,
            BinaryOperator::Minus => l - r,
            BinaryOperator::Mul => l * r,
            BinaryOperator::Div => {
                if r == 0.0 {
                    return Err(self.operation_error(op, "can't divide by zero"));
                }
                l / r
            }
            BinaryOperator::Mod => {
                if r == 0.0 {
                    return Err(self.operation_error(op, "can't use modulo by zero"));
                }
                l % r
            }
            BinaryOperator::Less => return Ok(Value::Bool(l < r)),
            BinaryOperator::LessEq => return Ok(Value::Bool(l <= r)),
            BinaryOperator::Greater => return Ok(Value::Bool(l > r)),
            BinaryOperator::GreaterEq => return Ok(Value::Bool(l >= r)),
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::And
            | BinaryOperator::Or => {
                return Err(self.operation_error(op, "unsupported operator"));
            }
        };
        if !number.is_finite() {
            return Err(self.operation_error(op, "the result is out of range"));
        }
        Ok(Value::Number(Number(number)))
    }

    fn operation_failed(&self, node: &impl hcl_edit::Span) -> Diagnostic {
        self.operation_error(node, "argument must not be null")
    }

    fn operation_error(&self, node: &impl hcl_edit::Span, message: &str) -> Diagnostic {
        self.error(
            "Operation failed",
            format!("Error during operation: {message}."),
            node,
        )
    }

    fn invalid_operand(&self, side: Side, message: &str, expr: &Expression) -> Diagnostic {
        self.error(
            "Invalid operand",
            format!("Unsuitable value for {} operand: {message}.", side.name()),
            expr,
        )
    }

    fn number_operand(
        &self,
        value: &Value,
        side: Side,
        expr: &Expression,
    ) -> Result<Operand<f64>, Diagnostic> {
        match value {
            Value::Unknown => Ok(Operand::Unknown),
            Value::Null => Ok(Operand::Null),
            other => to_number(other)
                .map(Operand::Known)
                .map_err(|message| self.invalid_operand(side, message, expr)),
        }
    }

    fn bool_operand(
        &self,
        value: &Value,
        side: Side,
        expr: &Expression,
    ) -> Result<Operand<bool>, Diagnostic> {
        match value {
            Value::Unknown => Ok(Operand::Unknown),
            Value::Null => Ok(Operand::Null),
            other => to_bool(other)
                .map(Operand::Known)
                .map_err(|message| self.invalid_operand(side, message, expr)),
        }
    }
}

/// Terraform's `==`: no conversion between types, numbers compare by value, collections
/// element-wise. `None` when an unknown decides the answer (cty's order: the first unknown met
/// before a definite difference makes the result unknown). Sensitive marks are ignored here; the
/// caller marks the result.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    let (a, b) = (a.unmark().0, b.unmark().0);
    match (a, b) {
        (Value::Unknown, _) | (_, Value::Unknown) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => {
            Some(x.0.partial_cmp(&y.0) == Some(Ordering::Equal))
        }
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (l, r) in x.iter().zip(y) {
                if !equal(l, r)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().zip(y.keys()).any(|(l, r)| l != r) {
                return Some(false);
            }
            for (l, r) in x.values().zip(y.values()) {
                if !equal(l, r)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        _ => Some(false),
    }
}
