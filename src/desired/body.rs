//! Evaluating a resource body against its schema: arguments converted to their types and validated,
//! nested and `dynamic` blocks expanded, defaults and computed attributes filled in, and the
//! mistakes (unknown argument with a hint, missing required argument, wrong type, block counts,
//! conflicting arguments, values outside an enum or range) reported at their spans.

use super::scope::WithIterator;
use crate::config::did_you_mean;
use crate::config::{Block, Body};
use crate::diag::{Diagnostic, Span};
use crate::lang::{Scope, Step, Value, eval};
use crate::schema::BlockSchema;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Context for messages: the resource address and where its block starts.
pub struct BodyContext<'a> {
    pub address: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Report problems (false while evaluating the second and later instances of one resource,
    /// whose static mistakes were already reported on the first).
    pub report_static: bool,
}

impl BodyContext<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d.with_address(self.address.to_string()));
    }
}

/// Evaluate a body into an object holding every attribute and block of the schema.
pub fn eval_body(
    body: &Body,
    schema: &BlockSchema,
    scope: &dyn Scope,
    header: Span,
    path: &str,
    ctx: &mut BodyContext<'_>,
) -> Value {
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    // Arguments whose value failed to evaluate or convert: their own error is reported, and they count
    // as set for the cross-argument checks.
    let mut failed: Vec<String> = Vec::new();
    for attr in &body.attributes {
        let (schema_attr, name) = match schema.attribute(&attr.name) {
            Some(a) => (a, attr.name.clone()),
            None => match schema.deprecated_attribute(&attr.name) {
                Some(a) => {
                    if ctx.report_static {
                        ctx.push(
                            Diagnostic::warning(
                                "Deprecated argument",
                                format!(
                                    "The argument \"{}\" was renamed to \"{}\" in azurerm 4.0. peerform accepts the old name for now; rename it so the configuration keeps working.",
                                    attr.name, a.name
                                ),
                            )
                            .with_span(attr.span),
                        );
                    }
                    (a, a.name.to_string())
                }
                None => {
                    if ctx.report_static {
                        let detail = if schema.block(&attr.name).is_some() {
                            format!(
                                "An argument named \"{}\" is not expected here. Did you mean to define a block of type \"{}\"?",
                                attr.name, attr.name
                            )
                        } else {
                            let hint = did_you_mean(&attr.name, schema.names())
                                .map(|s| format!(" Did you mean \"{s}\"?"))
                                .unwrap_or_default();
                            format!(
                                "An argument named \"{}\" is not expected here.{hint}",
                                attr.name
                            )
                        };
                        ctx.push(
                            Diagnostic::error("Unsupported argument", detail).with_span(attr.span),
                        );
                    }
                    continue;
                }
            },
        };
        if !schema_attr.required && !schema_attr.optional {
            if ctx.report_static {
                ctx.push(
                    Diagnostic::error(
                        "Value for unconfigurable attribute",
                        format!("Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."),
                    )
                    .with_span(attr.span),
                );
            }
            continue;
        }
        if values.contains_key(&name) {
            ctx.push(
                Diagnostic::error(
                    "Attribute redefined",
                    format!("The argument \"{name}\" was already set. Each argument may be set only once."),
                )
                .with_span(attr.span),
            );
            continue;
        }
        let raw = match eval(&attr.expr.expr, attr.expr.file, scope) {
            Ok(v) => v,
            Err(d) => {
                ctx.push(d);
                failed.push(name);
                continue;
            }
        };
        let value = match schema_attr.ty.convert(raw) {
            Ok(v) => v,
            Err(message) => {
                ctx.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute \"{name}\": {message}."),
                    )
                    .with_span(attr.expr.span()),
                );
                failed.push(name);
                continue;
            }
        };
        if let Some(problem) = schema_attr.check(&value) {
            ctx.push(
                Diagnostic::error(
                    "Invalid value for argument",
                    format!("{path}{name}: {problem}."),
                )
                .with_span(attr.expr.span()),
            );
        }
        let value = if schema_attr.sensitive && !value.is_null() {
            value.mark_sensitive()
        } else {
            value
        };
        values.insert(name, value);
    }

    // Nested blocks, with `dynamic` blocks expanded.
    let mut blocks: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    let mut expanded: Vec<(&Block, String, Option<WithIterator<'_>>)> = Vec::new();
    let mut dynamic_spans: BTreeMap<&'static str, Span> = BTreeMap::new();
    for block in &body.blocks {
        if block.kind == "dynamic" {
            expand_dynamic(block, schema, scope, ctx, &mut expanded, &mut dynamic_spans);
        } else {
            expanded.push((block, block.kind.clone(), None));
        }
    }
    for (block, kind, iterator) in &expanded {
        let kind = kind.clone();
        let Some(nested) = schema.block(&kind) else {
            if ctx.report_static {
                let detail = if schema.attribute(&kind).is_some() {
                    format!(
                        "Blocks of type \"{kind}\" are not expected here. Did you mean to define argument \"{kind}\"? If so, use the equals sign to assign it a value."
                    )
                } else {
                    let hint = did_you_mean(&kind, schema.names())
                        .map(|s| format!(" Did you mean \"{s}\"?"))
                        .unwrap_or_default();
                    format!("Blocks of type \"{kind}\" are not expected here.{hint}")
                };
                ctx.push(Diagnostic::error("Unsupported block type", detail).with_span(block.span));
            }
            continue;
        };
        if !block.labels.is_empty() && block.kind != "content" {
            ctx.push(
                Diagnostic::error(
                    "Extraneous label for block",
                    format!("No labels are expected for {kind} blocks."),
                )
                .with_span(block.span),
            );
            continue;
        }
        let inner_scope: &dyn Scope = match iterator {
            Some(it) => it,
            None => scope,
        };
        let value = eval_body(
            &block.body,
            &nested.block,
            inner_scope,
            block.span,
            &format!("{path}{kind}.0."),
            ctx,
        );
        blocks.entry(nested.name).or_default().push(value);
    }
    for nested in &schema.blocks {
        let items = blocks.remove(nested.name).unwrap_or_default();
        let count = items.len();
        let span = dynamic_spans.get(nested.name).copied().unwrap_or(header);
        // Counts of dynamic blocks may depend on unknown values; only report what is certain.
        if count < nested.min_items && !dynamic_spans.contains_key(nested.name) && ctx.report_static
        {
            ctx.push(
                Diagnostic::error(
                    format!("Insufficient {} blocks", nested.name),
                    format!(
                        "At least {} \"{}\" blocks are required.",
                        nested.min_items, nested.name
                    ),
                )
                .with_span(span),
            );
        }
        if nested.max_items > 0 && count > nested.max_items {
            ctx.push(
                Diagnostic::error(
                    format!("Too many {} blocks", nested.name),
                    format!(
                        "No more than {} \"{}\" blocks are allowed.",
                        nested.max_items, nested.name
                    ),
                )
                .with_span(span),
            );
        }
        let value =
            if items.is_empty() && nested.computed && !dynamic_spans.contains_key(nested.name) {
                // Azure fills an absent Optional+Computed block.
                Value::Unknown
            } else if nested.is_set {
                Value::set(items)
            } else {
                Value::List(items)
            };
        values.insert(nested.name.to_string(), value);
    }

    // Required arguments, defaults, computed attributes, conflicts.
    for a in &schema.attributes {
        if values.contains_key(a.name) {
            continue;
        }
        if failed.iter().any(|f| f == a.name) {
            // Its own error is reported; nothing is known about it.
            values.insert(a.name.to_string(), Value::Unknown);
            continue;
        }
        if a.required {
            if ctx.report_static {
                ctx.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!(
                            "The argument \"{}{}\" is required, but no definition was found.",
                            path, a.name
                        ),
                    )
                    .with_span(header),
                );
            }
            values.insert(a.name.to_string(), Value::Unknown);
            continue;
        }
        let value = match (&a.default, a.computed) {
            (Some(d), _) => d.clone(),
            // A secret Azure computes (service_key, authorization_key) is sensitive from the start.
            (None, true) if a.sensitive => Value::Unknown.mark_sensitive(),
            (None, true) => Value::Unknown,
            (None, false) => Value::Null,
        };
        values.insert(a.name.to_string(), value);
    }
    // azurerm's cross-argument rules: ConflictsWith, RequiredWith, ExactlyOneOf, AtLeastOneOf.
    if ctx.report_static {
        let set = |name: &str| {
            let configured = body.attributes.iter().any(|x| x.name == name)
                || body.blocks.iter().any(|b| {
                    b.kind == name
                        || (b.kind == "dynamic" && b.labels.first().is_some_and(|l| l == name))
                });
            // An argument whose value failed to evaluate counts as set: its own error is reported.
            configured
                && (failed.iter().any(|f| f == name)
                    || values.get(name).is_none_or(|v| {
                        !v.is_null() && v.as_list().is_none_or(|l| !l.is_empty() || v.is_unknown())
                    }))
        };
        let span_of = |name: &str| {
            body.attribute(name)
                .map(|x| x.span)
                .or_else(|| body.blocks.iter().find(|b| b.kind == name).map(|b| b.span))
                .unwrap_or(header)
        };
        let mut reported_groups: Vec<&[&str]> = Vec::new();
        for a in &schema.attributes {
            if set(a.name) {
                for other in a.conflicts_with {
                    if a.name < *other && set(other) {
                        ctx.push(
                            Diagnostic::error(
                                "Conflicting configuration arguments",
                                format!("\"{path}{}\": conflicts with {path}{other}. Set only one of them.", a.name),
                            )
                            .with_span(span_of(a.name)),
                        );
                    }
                }
                let missing: Vec<&str> = a
                    .required_with
                    .iter()
                    .copied()
                    .filter(|o| !set(o))
                    .collect();
                if !missing.is_empty() {
                    let mut all: Vec<&str> = a.required_with.to_vec();
                    if !all.contains(&a.name) {
                        all.push(a.name);
                    }
                    all.sort_unstable();
                    ctx.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!(
                                "\"{path}{}\": all of `{}` must be specified (missing: {}).",
                                a.name,
                                all.join(","),
                                missing.join(", ")
                            ),
                        )
                        .with_span(span_of(a.name)),
                    );
                }
            }
            for (group, exactly) in [(a.exactly_one_of, true), (a.at_least_one_of, false)] {
                if group.is_empty() || reported_groups.contains(&group) {
                    continue;
                }
                reported_groups.push(group);
                let chosen: Vec<&str> = group.iter().copied().filter(|o| set(o)).collect();
                if chosen.is_empty() {
                    ctx.push(
                        Diagnostic::error(
                            if exactly {
                                "Invalid combination of arguments"
                            } else {
                                "Missing required argument"
                            },
                            format!(
                                "\"{path}{}\": one of `{}` must be specified.",
                                a.name,
                                group.join(",")
                            ),
                        )
                        .with_span(header),
                    );
                } else if exactly && chosen.len() > 1 {
                    ctx.push(
                        Diagnostic::error(
                            "Invalid combination of arguments",
                            format!("\"{path}{}\": only one of `{}` can be specified, but `{}` were specified.", chosen[0], group.join(","), chosen.join(",")),
                        )
                        .with_span(span_of(chosen[1])),
                    );
                }
            }
        }
    }
    Value::map(values)
}

/// Expand `dynamic "KIND" { for_each = …, iterator = …, content { … } }` into one content block per
/// element, each evaluated with the iterator bound to `{key, value}`.
fn expand_dynamic<'b>(
    block: &'b Block,
    schema: &BlockSchema,
    scope: &'b dyn Scope,
    ctx: &mut BodyContext<'_>,
    out: &mut Vec<(&'b Block, String, Option<WithIterator<'b>>)>,
    dynamic_spans: &mut BTreeMap<&'static str, Span>,
) {
    let Some(kind) = block.labels.first() else {
        ctx.push(
            Diagnostic::error(
                "Missing name for dynamic",
                "A dynamic block needs one label: the type of block it generates.",
            )
            .with_span(block.span),
        );
        return;
    };
    let Some(nested) = schema.block(kind) else {
        let hint = did_you_mean(kind, schema.names())
            .map(|s| format!(" Did you mean \"{s}\"?"))
            .unwrap_or_default();
        ctx.push(
            Diagnostic::error(
                "Unsupported block type",
                format!("Blocks of type \"{kind}\" are not expected here.{hint}"),
            )
            .with_span(block.span),
        );
        return;
    };
    dynamic_spans.insert(nested.name, block.span);
    let iterator = match block.body.attribute("iterator") {
        Some(a) => match &a.expr.expr {
            hcl_edit::expr::Expression::Variable(v) => v.as_str().to_string(),
            _ => {
                ctx.push(
                    Diagnostic::error(
                        "Invalid dynamic iterator name",
                        "The iterator must be a bare name, such as iterator = peering.",
                    )
                    .with_span(a.span),
                );
                return;
            }
        },
        None => kind.clone(),
    };
    let Some(for_each) = block.body.attribute("for_each") else {
        ctx.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"for_each\" is required, but no definition was found.",
            )
            .with_span(block.span),
        );
        return;
    };
    let Some(content) = block.body.blocks.iter().find(|b| b.kind == "content") else {
        ctx.push(
            Diagnostic::error(
                "Missing content block",
                "A dynamic block needs a content block that describes each generated block.",
            )
            .with_span(block.span),
        );
        return;
    };
    let collection = match eval(&for_each.expr.expr, for_each.expr.file, scope) {
        Ok(v) => v,
        Err(d) => {
            ctx.push(d);
            return;
        }
    };
    let (collection, sensitive) = collection.into_unmarked();
    let items: Vec<(Value, Value)> = match collection {
        Value::Unknown => return,
        Value::Null => {
            ctx.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    "Cannot use a null value in for_each.",
                )
                .with_span(for_each.expr.span()),
            );
            return;
        }
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::int(i as i64), v))
            .collect(),
        Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
        Value::Map(map) => Arc::unwrap_or_clone(map)
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        other => {
            ctx.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.type_name()
                    ),
                )
                .with_span(for_each.expr.span()),
            );
            return;
        }
    };
    for (key, value) in items {
        let value = if sensitive {
            value.mark_sensitive()
        } else {
            value
        };
        out.push((
            content,
            kind.clone(),
            Some(WithIterator {
                inner: scope,
                name: iterator.clone(),
                value: Value::object([("key", key), ("value", value)]),
            }),
        ));
    }
}

/// Follow attribute and index steps into a value (used for iterator and bound names).
pub fn traverse(mut value: Value, steps: &[Step]) -> (Value, usize) {
    let mut consumed = 0;
    for step in steps {
        let (inner, sensitive) = value.into_unmarked();
        let next = match (step, &inner) {
            (Step::Attr(name), Value::Map(map)) => map.get(name).cloned(),
            _ => None,
        };
        match next {
            Some(v) => {
                value = if sensitive { v.mark_sensitive() } else { v };
                consumed += 1;
            }
            None => {
                value = if sensitive {
                    inner.mark_sensitive()
                } else {
                    inner
                };
                break;
            }
        }
    }
    (value, consumed)
}
