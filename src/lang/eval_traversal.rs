//! Traversals: `root.attr[key].0`, full splats `[*]` and attribute splats `.*`. A traversal rooted at
//! a name the scope knows hands its leading attribute and index steps to [`Scope::resolve`], which
//! consumes what it understands; the remaining steps are applied here generically, with Terraform's
//! error wording ("Unsupported attribute", "Invalid index", …). Traversal into an unknown value is
//! unknown; into a sensitive value, sensitive. It must not interpret what a root name means.
//!
//! [`Scope::resolve`]: super::Scope::resolve

use super::eval::{Evaluator, marked, to_number, to_string};
use super::value::take_entry;
use super::{Step, Value};
use crate::diag::{Diagnostic, Span};
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::{Decorated, Span as _};

type Operator = Decorated<TraversalOperator>;

impl Evaluator<'_> {
    pub(super) fn traversal(&mut self, traversal: &Traversal) -> Result<Value, Diagnostic> {
        let operators = traversal.operators.as_slice();
        let (value, applied) = match &traversal.expr {
            Expression::Variable(ident) if self.local(ident.value().as_str()).is_none() => {
                self.resolve_root(ident.value().as_str(), ident, operators)?
            }
            root => (self.expr(root)?, 0),
        };
        self.apply_operators(value, &operators[applied..])
    }

    /// Resolve a root name with its leading attribute and index steps through the scope, then
    /// apply the steps it did not consume. Returns the value and the number of operators used.
    fn resolve_root(
        &mut self,
        root: &str,
        root_node: &impl hcl_edit::Span,
        operators: &[Operator],
    ) -> Result<(Value, usize), Diagnostic> {
        let mut steps = Vec::new();
        let mut key_sensitive = false;
        let start = root_node.span().map_or(0, |r| r.start);
        let mut end = root_node.span().map_or(start, |r| r.end);
        for operator in operators {
            let step = match operator.value() {
                TraversalOperator::GetAttr(name) => Step::Attr(name.value().as_str().to_string()),
                TraversalOperator::LegacyIndex(index) => Step::Index(legacy_index(*index.value())),
                TraversalOperator::Index(key_expr) => {
                    let (key, sensitive) = self.expr(key_expr)?.into_unmarked();
                    key_sensitive |= sensitive;
                    Step::Index(key)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => break,
            };
            steps.push(step);
            if let Some(range) = operator.span() {
                end = range.end;
            }
        }
        let span = Span::new(self.file, start..end);
        let (mut value, consumed) = self.scope.resolve(root, &steps, span)?;
        let consumed = consumed.min(steps.len());
        let used = steps.len();
        for (step, operator) in steps.into_iter().zip(operators).skip(consumed) {
            value = match step {
                Step::Attr(name) => self.get_attr(value, &name, operator)?,
                Step::Index(key) => self.index(value, key, operator)?,
            };
        }
        Ok((marked(value, key_sensitive), used))
    }

    /// Apply traversal operators to a value, splats included.
    fn apply_operators(
        &mut self,
        mut value: Value,
        operators: &[Operator],
    ) -> Result<Value, Diagnostic> {
        let mut i = 0;
        while i < operators.len() {
            let operator = &operators[i];
            value = match operator.value() {
                TraversalOperator::GetAttr(name) => {
                    self.get_attr(value, name.value().as_str(), operator)?
                }
                TraversalOperator::LegacyIndex(index) => {
                    self.index(value, legacy_index(*index.value()), operator)?
                }
                TraversalOperator::Index(key_expr) => {
                    let key = self.expr(key_expr)?;
                    self.index(value, key, operator)?
                }
                TraversalOperator::FullSplat(_) => {
                    // Every following operator applies to each element.
                    return self.splat(value, &operators[i + 1..]);
                }
                TraversalOperator::AttrSplat(_) => {
                    // Only the following attribute accesses apply to each element; an index after
                    // them applies to the resulting list.
                    let rest = &operators[i + 1..];
                    let attrs = rest
                        .iter()
                        .take_while(|op| matches!(op.value(), TraversalOperator::GetAttr(_)))
                        .count();
                    let result = self.splat(value, &rest[..attrs])?;
                    i += 1 + attrs;
                    value = result;
                    continue;
                }
            };
            i += 1;
        }
        Ok(value)
    }

    /// A splat: null gives an empty list, a non-list value is treated as a one-element list.
    fn splat(&mut self, value: Value, operators: &[Operator]) -> Result<Value, Diagnostic> {
        let (value, sensitive) = value.into_unmarked();
        let items = match value {
            Value::Unknown => return Ok(marked(Value::Unknown, sensitive)),
            Value::Null => Vec::new(),
            Value::List(items) | Value::Set(items) => items,
            other => vec![other],
        };
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            results.push(self.apply_operators(item, operators)?);
        }
        Ok(marked(Value::List(results), sensitive))
    }

    pub(super) fn get_attr(
        &self,
        value: Value,
        name: &str,
        node: &impl hcl_edit::Span,
    ) -> Result<Value, Diagnostic> {
        let (value, sensitive) = value.into_unmarked();
        let result = match value {
            Value::Unknown => Value::Unknown,
            Value::Null => {
                return Err(self.error(
                    "Attempt to get attribute from null value",
                    "This value is null, so it does not have any attributes.",
                    node,
                ));
            }
            Value::Map(map) => match take_entry(map, name) {
                Some(item) => item,
                None => {
                    return Err(self.error(
                        "Unsupported attribute",
                        format!("This object does not have an attribute named {name:?}."),
                        node,
                    ));
                }
            },
            Value::List(items) => {
                let detail = if !items.is_empty() && items.iter().all(|i| i.as_map().is_some()) {
                    format!(
                        "Can't access attributes on a list of objects. Did you mean to access \
                         attribute {name:?} for a specific element of the list, or across all \
                         elements of the list?"
                    )
                } else {
                    "This value does not have any attributes.".to_string()
                };
                return Err(self.error("Unsupported attribute", detail, node));
            }
            Value::Set(items) => {
                let detail = if !items.is_empty() && items.iter().all(|i| i.as_map().is_some()) {
                    format!(
                        "Can't access attributes on a set of objects. Did you mean to access \
                         attribute {name:?} across all elements of the set?"
                    )
                } else {
                    "This value does not have any attributes.".to_string()
                };
                return Err(self.error("Unsupported attribute", detail, node));
            }
            other => {
                return Err(self.error(
                    "Unsupported attribute",
                    format!(
                        "Can't access attributes on a primitive-typed value ({}).",
                        other.type_name()
                    ),
                    node,
                ));
            }
        };
        Ok(marked(result, sensitive))
    }

    pub(super) fn index(
        &self,
        value: Value,
        key: Value,
        node: &impl hcl_edit::Span,
    ) -> Result<Value, Diagnostic> {
        const NOT_FOUND: &str =
            "The given key does not identify an element in this collection value";
        let (value, value_sensitive) = value.into_unmarked();
        let (key, key_sensitive) = key.into_unmarked();
        let sensitive = value_sensitive || key_sensitive;
        if value.is_unknown() || key.is_unknown() {
            return Ok(marked(Value::Unknown, sensitive));
        }
        if value.is_null() {
            return Err(self.error(
                "Attempt to index null value",
                "This value is null, so it does not have any indices.",
                node,
            ));
        }
        if key.is_null() {
            return Err(self.error(
                "Invalid index",
                "Can't use a null value as an indexing key.",
                node,
            ));
        }
        let result = match value {
            Value::List(items) => {
                let index = to_number(&key).map_err(|message| {
                    self.error("Invalid index", format!("{NOT_FOUND}: {message}."), node)
                })?;
                if index.fract() != 0.0 {
                    return Err(self.error(
                        "Invalid index",
                        format!("{NOT_FOUND}: indexes must be integers."),
                        node,
                    ));
                }
                if index < 0.0 {
                    return Err(self.error(
                        "Invalid index",
                        format!(
                            "{NOT_FOUND}: a negative number is not a valid index for a sequence."
                        ),
                        node,
                    ));
                }
                if items.is_empty() {
                    return Err(self.error(
                        "Invalid index",
                        format!("{NOT_FOUND}: the collection has no elements."),
                        node,
                    ));
                }
                match items.into_iter().nth(index as usize) {
                    Some(item) => item,
                    None => {
                        return Err(self.error("Invalid index", format!("{NOT_FOUND}."), node));
                    }
                }
            }
            Value::Map(map) => {
                let Some(key) = to_string(&key) else {
                    return Err(self.error(
                        "Invalid index",
                        format!("{NOT_FOUND}: string required."),
                        node,
                    ));
                };
                match take_entry(map, &key) {
                    Some(item) => item,
                    None => {
                        return Err(self.error("Invalid index", format!("{NOT_FOUND}."), node));
                    }
                }
            }
            Value::Set(_) => {
                return Err(self.error(
                    "Invalid index",
                    "Elements of a set are identified only by their value and don't have any \
                     separate index or key to select with, so it's only possible to perform \
                     operations across all elements of the set.",
                    node,
                ));
            }
            _ => {
                return Err(self.error(
                    "Invalid index",
                    "This value does not have any indices.",
                    node,
                ));
            }
        };
        Ok(marked(result, sensitive))
    }
}

fn legacy_index(index: u64) -> Value {
    Value::number(index as f64)
}
