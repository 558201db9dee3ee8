//! Evaluation of hcl-edit expressions and templates against a [`Scope`], with unknown and sensitive
//! propagation, and the static reference finder `desired` uses to order evaluation. This file owns
//! the public entry points, the evaluator's state (names bound by `for`), literals, collections,
//! conditionals and `for` expressions; its siblings own operators (`eval_ops`), traversals
//! (`eval_traversal`), templates and heredocs (`eval_template`), function calls (`eval_call`) and
//! static references (`eval_refs`). It must not read files or know resource types: named values and
//! file contents come only through the scope.

use super::types::describe_mismatch;
use super::{Scope, Type, Value};
use crate::diag::{Diagnostic, FileId, Span};
use hcl_edit::Span as _;
use hcl_edit::expr::{Array, Conditional, Expression, ForExpr, Object, ObjectKey};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A reference found in an expression: `var.x`, `local.y`, `azurerm_subnet.gw.id`, `module.m.out`, …
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub root: String,
    pub steps: Vec<RefStep>,
    pub span: Span,
}

/// A traversal step known without evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum RefStep {
    Attr(String),
    /// An index whose key is a literal (`["hub"]`, `[0]`).
    Index(Value),
    /// An index computed by an expression, or a splat.
    Dynamic,
}

/// Evaluate an expression. Names not bound by an enclosing `for` are resolved through `scope`.
pub fn eval(expr: &Expression, file: FileId, scope: &dyn Scope) -> Result<Value, Diagnostic> {
    Evaluator::new(file, scope).expr(expr)
}

/// Parse and evaluate a template string (used by `templatefile`). Spans in its diagnostics are byte
/// offsets into `template`, attributed to `file`.
pub fn eval_template_str(
    template: &str,
    file: FileId,
    scope: &dyn Scope,
) -> Result<Value, Diagnostic> {
    let parsed = hcl_edit::parser::parse_template(template).map_err(|error| {
        let offset = error.location().offset();
        Diagnostic::error(
            "Invalid template",
            format!(
                "The template could not be parsed: {} (line {}, column {}).",
                error.message(),
                error.location().line(),
                error.location().column()
            ),
        )
        .with_span(Span::new(file, offset..offset + 1))
    })?;
    Evaluator::new(file, scope).template_value(&parsed)
}

/// Every reference in the expression, excluding names bound by `for` expressions and template `for`
/// directives.
pub fn references(expr: &Expression, file: FileId) -> Vec<Reference> {
    super::eval_refs::references(expr, file)
}

/// The state of one evaluation: where the expression comes from, what it can see, and the names
/// bound by the `for` expressions and directives being evaluated (innermost last).
pub(super) struct Evaluator<'s> {
    pub(super) file: FileId,
    pub(super) scope: &'s dyn Scope,
    pub(super) locals: Vec<(String, Value)>,
    /// Inside a template rendered by `templatefile`, which must not call itself.
    pub(super) in_templatefile: bool,
}

/// Attach the sensitive mark when `sensitive`.
pub(super) fn marked(value: Value, sensitive: bool) -> Value {
    if sensitive {
        value.mark_sensitive()
    } else {
        value
    }
}

/// A value used where Terraform converts to bool: bools, and the strings `true`/`false`/`1`/`0`.
/// The error is cty's conversion message.
pub(super) fn to_bool(value: &Value) -> Result<bool, &'static str> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("a bool is required"),
        },
        _ => Err("bool required"),
    }
}

/// A value used where Terraform converts to number: numbers, and strings holding one.
pub(super) fn to_number(value: &Value) -> Result<f64, &'static str> {
    match value {
        Value::Number(n) => Ok(n.0),
        Value::String(s) => super::types::parse_number(s).ok_or("a number is required"),
        _ => Err("number required"),
    }
}

/// A primitive value as a string (numbers without a fraction print as integers).
pub(super) fn to_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The pairs a `for` iterates over: (index, element) for lists, (element, element) for sets,
/// (key, value) for maps in key order.
pub(super) enum ForItems {
    Unknown,
    Items(Vec<(Value, Value)>),
}

impl<'s> Evaluator<'s> {
    pub(super) fn new(file: FileId, scope: &'s dyn Scope) -> Self {
        Evaluator {
            file,
            scope,
            locals: Vec::new(),
            in_templatefile: false,
        }
    }

    pub(super) fn span(&self, node: &impl hcl_edit::Span) -> Option<Span> {
        node.span().map(|range| Span::new(self.file, range))
    }

    pub(super) fn error(
        &self,
        summary: &str,
        detail: impl Into<String>,
        node: &impl hcl_edit::Span,
    ) -> Diagnostic {
        Diagnostic::error(summary, detail).with_span(self.span(node))
    }

    /// The innermost value bound to `name` by a `for`, if any.
    pub(super) fn local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    pub(super) fn expr(&mut self, expr: &Expression) -> Result<Value, Diagnostic> {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => match n.value().as_f64() {
                Some(n) => Ok(Value::number(n)),
                None => Err(self.error(
                    "Invalid number literal",
                    "The number is out of range.",
                    expr,
                )),
            },
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(array) => self.array(array),
            Expression::Object(object) => self.object(object),
            Expression::StringTemplate(template) => self.template_value(template),
            Expression::HeredocTemplate(heredoc) => self.heredoc(heredoc),
            Expression::Parenthesis(inner) => self.expr(inner.inner()),
            Expression::Variable(ident) => self.variable(ident.value().as_str(), ident),
            Expression::Conditional(conditional) => self.conditional(conditional),
            Expression::FuncCall(call) => self.call(call),
            Expression::Traversal(traversal) => self.traversal(traversal),
            Expression::UnaryOp(op) => self.unary(op),
            Expression::BinaryOp(op) => self.binary(op),
            Expression::ForExpr(for_expr) => self.for_expr(for_expr),
        }
    }

    fn variable(&mut self, name: &str, node: &impl hcl_edit::Span) -> Result<Value, Diagnostic> {
        if let Some(value) = self.local(name) {
            return Ok(value.clone());
        }
        let span = self.span(node).unwrap_or(Span::new(self.file, 0..0));
        self.scope.resolve(name, &[], span).map(|(value, _)| value)
    }

    fn array(&mut self, array: &Array) -> Result<Value, Diagnostic> {
        let mut items = Vec::with_capacity(array.len());
        for item in array.iter() {
            items.push(self.expr(item)?);
        }
        Ok(Value::List(items))
    }

    fn object(&mut self, object: &Object) -> Result<Value, Diagnostic> {
        let mut map = BTreeMap::new();
        let mut unknown = false;
        let mut sensitive = false;
        for (key, value) in object.iter() {
            let key = match key {
                ObjectKey::Ident(ident) => ident.value().as_str().to_string(),
                // A bare name is a literal key, as in Terraform.
                ObjectKey::Expression(Expression::Variable(ident)) => {
                    ident.value().as_str().to_string()
                }
                ObjectKey::Expression(key_expr) => {
                    let (key, key_sensitive) = self.expr(key_expr)?.into_unmarked();
                    sensitive |= key_sensitive;
                    match key {
                        Value::Unknown => {
                            unknown = true;
                            self.expr(value.expr())?;
                            continue;
                        }
                        Value::Null => {
                            return Err(self.error(
                                "Null value as key",
                                "Can't use a null value as a key.",
                                key_expr,
                            ));
                        }
                        other => match to_string(&other) {
                            Some(key) => key,
                            None => {
                                return Err(self.error(
                                    "Incorrect key type",
                                    "Can't use this value as a key: string required.",
                                    key_expr,
                                ));
                            }
                        },
                    }
                }
            };
            let value = self.expr(value.expr())?;
            map.insert(key, value);
        }
        let result = if unknown {
            Value::Unknown
        } else {
            Value::map(map)
        };
        Ok(marked(result, sensitive))
    }

    /// `cond ? a : b`. Both results are evaluated, as Terraform does, so that their types can be
    /// unified; an error in the result not taken is ignored.
    fn conditional(&mut self, conditional: &Conditional) -> Result<Value, Diagnostic> {
        let (condition, cond_sensitive) = self.expr(&conditional.cond_expr)?.into_unmarked();
        let true_result = self.expr(&conditional.true_expr);
        let false_result = self.expr(&conditional.false_expr);

        let mut unified = None;
        if let (Ok(t), Ok(f)) = (&true_result, &false_result) {
            let (true_ty, false_ty) = (Type::of_value(t), Type::of_value(f));
            if true_ty != false_ty {
                match Type::unify(&true_ty, &false_ty) {
                    Some(ty) => unified = Some(ty),
                    None => {
                        let span =
                            match (conditional.true_expr.span(), conditional.false_expr.span()) {
                                (Some(t), Some(f)) => Some(Span::new(self.file, t.start..f.end)),
                                _ => self.span(conditional),
                            };
                        return Err(Diagnostic::error(
                            "Inconsistent conditional result types",
                            format!(
                                "The true and false result expressions must have consistent \
                                 types. {}.",
                                describe_mismatch(&true_ty, &false_ty)
                            ),
                        )
                        .with_span(span));
                    }
                }
            }
        }

        let taken = match condition {
            Value::Unknown => return Ok(marked(Value::Unknown, cond_sensitive)),
            Value::Null => {
                return Err(self.error(
                    "Null condition",
                    "The condition value is null. Conditions must either be true or false.",
                    &conditional.cond_expr,
                ));
            }
            other => match to_bool(&other) {
                Ok(true) => true_result?,
                Ok(false) => false_result?,
                Err(_) => {
                    return Err(self.error(
                        "Incorrect condition type",
                        "The condition expression must be of type bool.",
                        &conditional.cond_expr,
                    ));
                }
            },
        };
        let taken = match unified {
            Some(ty) => ty.convert(taken).map_err(|message| {
                self.error(
                    "Inconsistent conditional result types",
                    format!("The result value has the wrong type: {message}."),
                    conditional,
                )
            })?,
            None => taken,
        };
        Ok(marked(taken, cond_sensitive))
    }

    /// The items a `for` expression or directive iterates over; the collection is already
    /// unmarked.
    pub(super) fn for_items(
        &self,
        collection: Value,
        node: &impl hcl_edit::Span,
    ) -> Result<ForItems, Diagnostic> {
        match collection {
            Value::Unknown => Ok(ForItems::Unknown),
            Value::Null => Err(self.error(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                node,
            )),
            Value::List(items) => Ok(ForItems::Items(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (Value::int(i as i64), item))
                    .collect(),
            )),
            Value::Set(items) => Ok(ForItems::Items(
                items.into_iter().map(|item| (item.clone(), item)).collect(),
            )),
            Value::Map(map) => Ok(ForItems::Items(
                Arc::unwrap_or_clone(map)
                    .into_iter()
                    .map(|(key, item)| (Value::String(key), item))
                    .collect(),
            )),
            other => Err(self.error(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    other.type_name()
                ),
                node,
            )),
        }
    }

    /// Bind the names of a `for`; returns the index of the key slot (the value slot follows when
    /// there is a key). The caller truncates `locals` back afterwards.
    pub(super) fn bind(&mut self, key: Option<&str>, value: &str) -> (Option<usize>, usize) {
        let key_slot = key.map(|name| {
            self.locals.push((name.to_string(), Value::Null));
            self.locals.len() - 1
        });
        self.locals.push((value.to_string(), Value::Null));
        (key_slot, self.locals.len() - 1)
    }

    fn for_expr(&mut self, for_expr: &ForExpr) -> Result<Value, Diagnostic> {
        let intro = &for_expr.intro;
        let (collection, coll_sensitive) = self.expr(&intro.collection_expr)?.into_unmarked();
        let items = match self.for_items(collection, &intro.collection_expr)? {
            ForItems::Unknown => return Ok(marked(Value::Unknown, coll_sensitive)),
            ForItems::Items(items) => items,
        };
        if for_expr.key_expr.is_none() && for_expr.grouping {
            return Err(self.error(
                "Invalid 'for' expression",
                "Grouping ellipsis (...) cannot be used in a list for expression.",
                for_expr,
            ));
        }
        let saved = self.locals.len();
        let slots = self.bind(
            intro.key_var.as_ref().map(|k| k.value().as_str()),
            intro.value_var.value().as_str(),
        );
        let result = self.for_body(for_expr, items, slots);
        self.locals.truncate(saved);
        let (value, sensitive) = result?;
        Ok(marked(value, sensitive || coll_sensitive))
    }

    /// The loop of a `for` expression; returns the result and whether a sensitive condition or key
    /// was involved.
    fn for_body(
        &mut self,
        for_expr: &ForExpr,
        items: Vec<(Value, Value)>,
        (key_slot, value_slot): (Option<usize>, usize),
    ) -> Result<(Value, bool), Diagnostic> {
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        let mut sensitive = false;
        for (key, item) in items {
            if let Some(slot) = key_slot {
                self.locals[slot].1 = key;
            }
            self.locals[value_slot].1 = item;
            if let Some(cond) = &for_expr.cond {
                let (include, cond_sensitive) = self.expr(&cond.expr)?.into_unmarked();
                sensitive |= cond_sensitive;
                match include {
                    Value::Unknown => {
                        unknown = true;
                        continue;
                    }
                    Value::Null => {
                        return Err(self.error(
                            "Condition is null",
                            "The value of the 'if' clause must not be null.",
                            &cond.expr,
                        ));
                    }
                    other => match to_bool(&other) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(message) => {
                            return Err(self.error(
                                "Invalid 'for' condition",
                                format!("The 'if' clause value is invalid: {message}."),
                                &cond.expr,
                            ));
                        }
                    },
                }
            }
            let Some(key_expr) = &for_expr.key_expr else {
                list.push(self.expr(&for_expr.value_expr)?);
                continue;
            };
            let (key, key_sensitive) = self.expr(key_expr)?.into_unmarked();
            sensitive |= key_sensitive;
            let key = match key {
                Value::Unknown => {
                    unknown = true;
                    self.expr(&for_expr.value_expr)?;
                    continue;
                }
                Value::Null => {
                    return Err(self.error(
                        "Invalid object key",
                        "Key expression in 'for' expression must not produce a null value.",
                        key_expr,
                    ));
                }
                other => match to_string(&other) {
                    Some(key) => key,
                    None => {
                        return Err(self.error(
                            "Invalid object key",
                            "The key expression produced an invalid result: string required.",
                            key_expr,
                        ));
                    }
                },
            };
            let value = self.expr(&for_expr.value_expr)?;
            if for_expr.grouping {
                groups.entry(key).or_default().push(value);
            } else {
                match map.entry(key) {
                    std::collections::btree_map::Entry::Occupied(entry) => {
                        return Err(self.error(
                            "Duplicate object key",
                            format!(
                                "Two different items produced the key {:?} in this 'for' \
                                 expression. If duplicates are expected, use the ellipsis (...) \
                                 after the value expression to enable grouping by key.",
                                entry.key()
                            ),
                            key_expr,
                        ));
                    }
                    std::collections::btree_map::Entry::Vacant(entry) => {
                        entry.insert(value);
                    }
                }
            }
        }
        let value = if unknown {
            Value::Unknown
        } else if for_expr.key_expr.is_none() {
            Value::List(list)
        } else if for_expr.grouping {
            Value::map(
                groups
                    .into_iter()
                    .map(|(key, values)| (key, Value::List(values)))
                    .collect(),
            )
        } else {
            Value::map(map)
        };
        Ok((value, sensitive))
    }
}
