//! The static reference finder: every `root.step…` an expression mentions, with the steps known
//! without evaluation, so `desired` can order evaluation. Names bound by `for` expressions and
//! template `for` directives inside the expression are local and left out. It runs for every
//! attribute of every resource, so it must stay a single walk of the tree that evaluates nothing
//! and allocates nothing but its result.

use super::Value;
use super::eval::{RefStep, Reference};
use crate::diag::{FileId, Span};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, Traversal, TraversalOperator};
use hcl_edit::template::{Directive, Element, Template};

/// Names bound by the enclosing `for`s, as a linked list on the stack.
#[derive(Clone, Copy)]
struct Bound<'a> {
    name: &'a str,
    parent: Option<&'a Bound<'a>>,
}

fn is_bound(mut bound: Option<&Bound<'_>>, name: &str) -> bool {
    while let Some(b) = bound {
        if b.name == name {
            return true;
        }
        bound = b.parent;
    }
    false
}

pub(super) fn references(expr: &Expression, file: FileId) -> Vec<Reference> {
    let mut out = Vec::new();
    walk(expr, file, None, &mut out);
    out
}

fn walk(expr: &Expression, file: FileId, bound: Option<&Bound<'_>>, out: &mut Vec<Reference>) {
    match expr {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_) => {}
        Expression::Array(array) => {
            for item in array.iter() {
                walk(item, file, bound, out);
            }
        }
        Expression::Object(object) => {
            for (key, value) in object.iter() {
                match key {
                    ObjectKey::Ident(_) | ObjectKey::Expression(Expression::Variable(_)) => {}
                    ObjectKey::Expression(key_expr) => walk(key_expr, file, bound, out),
                }
                walk(value.expr(), file, bound, out);
            }
        }
        Expression::StringTemplate(template) => walk_template(template, file, bound, out),
        Expression::HeredocTemplate(heredoc) => walk_template(&heredoc.template, file, bound, out),
        Expression::Parenthesis(inner) => walk(inner.inner(), file, bound, out),
        Expression::Variable(ident) => {
            let name = ident.value().as_str();
            if let (false, Some(range)) = (is_bound(bound, name), ident.span()) {
                out.push(Reference {
                    root: name.to_string(),
                    steps: Vec::new(),
                    span: Span::new(file, range),
                });
            }
        }
        Expression::Conditional(conditional) => {
            walk(&conditional.cond_expr, file, bound, out);
            walk(&conditional.true_expr, file, bound, out);
            walk(&conditional.false_expr, file, bound, out);
        }
        Expression::FuncCall(call) => {
            for arg in call.args.iter() {
                walk(arg, file, bound, out);
            }
        }
        Expression::Traversal(traversal) => walk_traversal(traversal, file, bound, out),
        Expression::UnaryOp(op) => walk(&op.expr, file, bound, out),
        Expression::BinaryOp(op) => {
            walk(&op.lhs_expr, file, bound, out);
            walk(&op.rhs_expr, file, bound, out);
        }
        Expression::ForExpr(for_expr) => {
            let intro = &for_expr.intro;
            walk(&intro.collection_expr, file, bound, out);
            let value_bound = Bound {
                name: intro.value_var.value().as_str(),
                parent: bound,
            };
            let key_bound;
            let inner = match &intro.key_var {
                Some(key) => {
                    key_bound = Bound {
                        name: key.value().as_str(),
                        parent: Some(&value_bound),
                    };
                    &key_bound
                }
                None => &value_bound,
            };
            if let Some(key_expr) = &for_expr.key_expr {
                walk(key_expr, file, Some(inner), out);
            }
            walk(&for_expr.value_expr, file, Some(inner), out);
            if let Some(cond) = &for_expr.cond {
                walk(&cond.expr, file, Some(inner), out);
            }
        }
    }
}

fn walk_traversal(
    traversal: &Traversal,
    file: FileId,
    bound: Option<&Bound<'_>>,
    out: &mut Vec<Reference>,
) {
    match &traversal.expr {
        Expression::Variable(ident) if !is_bound(bound, ident.value().as_str()) => {
            let mut steps = Vec::new();
            for operator in &traversal.operators {
                let step = match operator.value() {
                    TraversalOperator::GetAttr(name) => RefStep::Attr(name.value().to_string()),
                    TraversalOperator::LegacyIndex(index) => {
                        RefStep::Index(Value::number(*index.value() as f64))
                    }
                    TraversalOperator::Index(Expression::Number(n)) => match n.value().as_f64() {
                        Some(n) => RefStep::Index(Value::number(n)),
                        None => RefStep::Dynamic,
                    },
                    TraversalOperator::Index(Expression::String(s)) => {
                        RefStep::Index(Value::String(s.value().clone()))
                    }
                    TraversalOperator::Index(_)
                    | TraversalOperator::AttrSplat(_)
                    | TraversalOperator::FullSplat(_) => RefStep::Dynamic,
                };
                let dynamic = step == RefStep::Dynamic;
                steps.push(step);
                if dynamic {
                    break;
                }
            }
            let range = traversal.span().or_else(|| ident.span());
            if let Some(range) = range {
                out.push(Reference {
                    root: ident.value().to_string(),
                    steps,
                    span: Span::new(file, range),
                });
            }
        }
        // A for-bound root is local; only its index expressions can refer to anything.
        Expression::Variable(_) => {}
        root => walk(root, file, bound, out),
    }
    for operator in &traversal.operators {
        if let TraversalOperator::Index(key_expr) = operator.value() {
            walk(key_expr, file, bound, out);
        }
    }
}

fn walk_template(
    template: &Template,
    file: FileId,
    bound: Option<&Bound<'_>>,
    out: &mut Vec<Reference>,
) {
    for element in template.iter() {
        match element {
            Element::Literal(_) => {}
            Element::Interpolation(interpolation) => walk(&interpolation.expr, file, bound, out),
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(d) => {
                    walk(&d.if_expr.cond_expr, file, bound, out);
                    walk_template(&d.if_expr.template, file, bound, out);
                    if let Some(else_expr) = &d.else_expr {
                        walk_template(&else_expr.template, file, bound, out);
                    }
                }
                Directive::For(d) => {
                    let f = &d.for_expr;
                    walk(&f.collection_expr, file, bound, out);
                    let value_bound = Bound {
                        name: f.value_var.value().as_str(),
                        parent: bound,
                    };
                    let key_bound;
                    let inner = match &f.key_var {
                        Some(key) => {
                            key_bound = Bound {
                                name: key.value().as_str(),
                                parent: Some(&value_bound),
                            };
                            &key_bound
                        }
                        None => &value_bound,
                    };
                    walk_template(&f.template, file, Some(inner), out);
                }
            },
        }
    }
}
