//! Type constraints as Terraform writes them (`string`, `list(object({a = optional(string, "x")}))`,
//! `any`…): their model, parsing from an expression, Terraform's spelling, conversion of a value to a
//! type, and the type unification conditionals need. It must not resolve references: an `optional()`
//! default is a constant expression, evaluated without any named values.

use super::{Scope, Step, Value};
use crate::diag::{Diagnostic, FileId, Span};
use hcl_edit::expr::{Expression, ObjectKey};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A type constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    /// Attributes sorted by name.
    Object(Vec<ObjectAttr>),
}

/// One attribute of an `object({...})` type.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectAttr {
    pub name: String,
    pub ty: Type,
    /// Declared with `optional(...)`.
    pub optional: bool,
    /// The second argument of `optional(type, default)`, already converted to `ty`.
    pub default: Option<Value>,
}

const INVALID_TYPE: &str = "Invalid type specification";

impl Type {
    /// Parse a type constraint expression (the `type` argument of a `variable` block).
    pub fn parse(expr: &Expression, file: FileId) -> Result<Type, Diagnostic> {
        parse_type(expr, file)
    }

    /// Convert a value to this type the way Terraform does. Null and unknown pass unchanged (a
    /// caller that rejects null checks for it); sensitive marks are kept. The error is Terraform's
    /// message, with the path to the offending element (`attribute "sku": string required`).
    pub fn convert(&self, value: Value) -> Result<Value, String> {
        let (value, sensitive) = value.into_unmarked();
        let converted = convert_unmarked(self, value)?;
        Ok(if sensitive {
            converted.mark_sensitive()
        } else {
            converted
        })
    }

    /// Terraform's name for the type in "… required" messages: `string`, `list of string`, `object`.
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Any => "any type".to_string(),
            Type::String => "string".to_string(),
            Type::Number => "number".to_string(),
            Type::Bool => "bool".to_string(),
            Type::List(elem) => format!("list of {}", elem.friendly_name()),
            Type::Set(elem) => format!("set of {}", elem.friendly_name()),
            Type::Map(elem) => format!("map of {}", elem.friendly_name()),
            Type::Tuple(_) => "tuple".to_string(),
            Type::Object(_) => "object".to_string(),
        }
    }

    /// The type of a value, as far as it can be seen: null and unknown are `any` (Terraform's dynamic
    /// type), lists are tuples and maps are objects, as Terraform types literal values.
    pub(crate) fn of_value(value: &Value) -> Type {
        match value {
            Value::Null | Value::Unknown => Type::Any,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::Tuple(items.iter().map(Type::of_value).collect()),
            Value::Set(items) => {
                let mut elem: Option<Type> = None;
                for item in items {
                    let ty = Type::of_value(item);
                    elem = Some(match elem {
                        None => ty,
                        Some(sofar) => Type::unify(&sofar, &ty).unwrap_or(Type::Any),
                    });
                }
                Type::Set(Box::new(elem.unwrap_or(Type::Any)))
            }
            Value::Map(map) => Type::Object(
                map.iter()
                    .map(|(name, value)| ObjectAttr {
                        name: name.clone(),
                        ty: Type::of_value(value),
                        optional: false,
                        default: None,
                    })
                    .collect(),
            ),
            Value::Sensitive(inner) => Type::of_value(inner),
        }
    }

    /// A type both inputs convert to, following cty's unification: `any` absorbs everything,
    /// strings absorb numbers and bools, tuples unify element-wise when their lengths match and
    /// otherwise into a list, objects attribute-wise when their attribute names match and otherwise
    /// into a map, a tuple and a set into a set. `None` when no such type exists.
    pub(crate) fn unify(a: &Type, b: &Type) -> Option<Type> {
        match (a, b) {
            (Type::Any, _) | (_, Type::Any) => Some(Type::Any),
            _ if a == b => Some(a.clone()),
            (Type::String, Type::Number | Type::Bool)
            | (Type::Number | Type::Bool, Type::String) => Some(Type::String),
            (Type::Tuple(x), Type::Tuple(y)) => {
                if x.len() != y.len() {
                    // Tuples of different lengths can still both be lists of one element type.
                    let mut elem: Option<Type> = None;
                    for ty in x.iter().chain(y) {
                        elem = Some(match elem {
                            None => ty.clone(),
                            Some(sofar) => Type::unify(&sofar, ty)?,
                        });
                    }
                    return Some(Type::List(Box::new(elem.unwrap_or(Type::Any))));
                }
                x.iter()
                    .zip(y)
                    .map(|(l, r)| Type::unify(l, r))
                    .collect::<Option<Vec<_>>>()
                    .map(Type::Tuple)
            }
            (Type::Tuple(x), Type::List(elem)) | (Type::List(elem), Type::Tuple(x)) => {
                let mut unified = (**elem).clone();
                for ty in x {
                    unified = Type::unify(&unified, ty)?;
                }
                Some(Type::List(Box::new(unified)))
            }
            (Type::Tuple(x), Type::Set(elem)) | (Type::Set(elem), Type::Tuple(x)) => {
                let mut unified = (**elem).clone();
                for ty in x {
                    unified = Type::unify(&unified, ty)?;
                }
                Some(Type::Set(Box::new(unified)))
            }
            (Type::Object(x), Type::Object(y)) => {
                let same_names =
                    x.len() == y.len() && x.iter().zip(y).all(|(l, r)| l.name == r.name);
                if same_names {
                    x.iter()
                        .zip(y)
                        .map(|(l, r)| {
                            Type::unify(&l.ty, &r.ty).map(|ty| ObjectAttr {
                                name: l.name.clone(),
                                ty,
                                optional: false,
                                default: None,
                            })
                        })
                        .collect::<Option<Vec<_>>>()
                        .map(Type::Object)
                } else {
                    let mut elem: Option<Type> = None;
                    for attr in x.iter().chain(y) {
                        elem = Some(match elem {
                            None => attr.ty.clone(),
                            Some(sofar) => Type::unify(&sofar, &attr.ty)?,
                        });
                    }
                    Some(Type::Map(Box::new(elem.unwrap_or(Type::Any))))
                }
            }
            (Type::Object(attrs), Type::Map(elem)) | (Type::Map(elem), Type::Object(attrs)) => {
                let mut unified = (**elem).clone();
                for attr in attrs {
                    unified = Type::unify(&unified, &attr.ty)?;
                }
                Some(Type::Map(Box::new(unified)))
            }
            (Type::List(x), Type::List(y)) => Type::unify(x, y).map(|t| Type::List(Box::new(t))),
            (Type::Set(x), Type::Set(y)) => Type::unify(x, y).map(|t| Type::Set(Box::new(t))),
            (Type::Map(x), Type::Map(y)) => Type::unify(x, y).map(|t| Type::Map(Box::new(t))),
            _ => None,
        }
    }

    /// Whether converting a value of type `self` to `self` needs any work (it contains no `any`).
    fn is_exact(&self) -> bool {
        match self {
            Type::Any => false,
            Type::String | Type::Number | Type::Bool => true,
            Type::List(e) | Type::Set(e) | Type::Map(e) => e.is_exact(),
            Type::Tuple(types) => types.iter().all(Type::is_exact),
            Type::Object(attrs) => attrs.iter().all(|a| a.ty.is_exact()),
        }
    }
}

/// Terraform's spelling: `list(string)`, `tuple([string,number])`, `object({a=string,b=optional(number)})`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => write!(f, "any"),
            Type::String => write!(f, "string"),
            Type::Number => write!(f, "number"),
            Type::Bool => write!(f, "bool"),
            Type::List(elem) => write!(f, "list({elem})"),
            Type::Set(elem) => write!(f, "set({elem})"),
            Type::Map(elem) => write!(f, "map({elem})"),
            Type::Tuple(types) => {
                write!(f, "tuple([")?;
                for (i, ty) in types.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, "{ty}")?;
                }
                write!(f, "])")
            }
            Type::Object(attrs) => {
                write!(f, "object({{")?;
                for (i, attr) in attrs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    if is_identifier(&attr.name) {
                        write!(f, "{}=", attr.name)?;
                    } else {
                        write!(f, "{:?}=", attr.name)?;
                    }
                    if attr.optional {
                        write!(f, "optional({})", attr.ty)?;
                    } else {
                        write!(f, "{}", attr.ty)?;
                    }
                }
                write!(f, "}})")
            }
        }
    }
}

/// Whether `name` is a valid HCL identifier (letters, digits, `_` and `-`, not starting with a digit
/// or `-`).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn span_of(node: &impl hcl_edit::Span, file: FileId) -> Option<Span> {
    node.span().map(|range| Span::new(file, range))
}

fn invalid(detail: impl Into<String>, node: &impl hcl_edit::Span, file: FileId) -> Diagnostic {
    Diagnostic::error(INVALID_TYPE, detail).with_span(span_of(node, file))
}

fn parse_type(expr: &Expression, file: FileId) -> Result<Type, Diagnostic> {
    match expr {
        Expression::Variable(ident) => match ident.value().as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "any" => Ok(Type::Any),
            // Terraform 0.11's bare collection keywords, still accepted.
            "list" => Ok(Type::List(Box::new(Type::Any))),
            "map" => Ok(Type::Map(Box::new(Type::Any))),
            keyword @ ("set" | "tuple" | "object") => {
                Err(invalid(constructor_arity(keyword), expr, file))
            }
            "optional" => Err(invalid(OPTIONAL_OUTSIDE_OBJECT, expr, file)),
            keyword => Err(invalid(
                format!("The keyword {keyword:?} is not a valid type specification."),
                expr,
                file,
            )),
        },
        Expression::FuncCall(call) => {
            let keyword = call.name.name.value().as_str();
            if call.name.is_namespaced() {
                return Err(invalid(
                    format!("Keyword {keyword:?} is not a valid type constructor."),
                    expr,
                    file,
                ));
            }
            let args: Vec<&Expression> = call.args.iter().collect();
            match keyword {
                "list" | "set" | "map" => {
                    let [elem] = args.as_slice() else {
                        return Err(invalid(constructor_arity(keyword), expr, file));
                    };
                    let elem = Box::new(parse_type(elem, file)?);
                    Ok(match keyword {
                        "list" => Type::List(elem),
                        "set" => Type::Set(elem),
                        _ => Type::Map(elem),
                    })
                }
                "tuple" => match args.as_slice() {
                    [Expression::Array(items)] => items
                        .iter()
                        .map(|item| parse_type(item, file))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Type::Tuple),
                    _ => Err(invalid(constructor_arity(keyword), expr, file)),
                },
                "object" => match args.as_slice() {
                    [Expression::Object(object)] => {
                        let mut attrs: Vec<ObjectAttr> = Vec::with_capacity(object.len());
                        for (key, value) in object.iter() {
                            let name = match key {
                                ObjectKey::Ident(ident) => ident.value().as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                                ObjectKey::Expression(Expression::Variable(ident)) => {
                                    ident.value().as_str().to_string()
                                }
                                ObjectKey::Expression(other) => {
                                    return Err(invalid(
                                        "Object constructor map keys must be attribute names.",
                                        other,
                                        file,
                                    ));
                                }
                            };
                            let attr = parse_attr(name, value.expr(), file)?;
                            match attrs.iter_mut().find(|a| a.name == attr.name) {
                                Some(existing) => *existing = attr,
                                None => attrs.push(attr),
                            }
                        }
                        attrs.sort_by(|a, b| a.name.cmp(&b.name));
                        Ok(Type::Object(attrs))
                    }
                    _ => Err(invalid(constructor_arity(keyword), expr, file)),
                },
                "optional" => Err(invalid(OPTIONAL_OUTSIDE_OBJECT, expr, file)),
                _ => Err(invalid(
                    format!("Keyword {keyword:?} is not a valid type constructor."),
                    expr,
                    file,
                )),
            }
        }
        Expression::Parenthesis(inner) => parse_type(inner.inner(), file),
        Expression::String(s) => Err(Diagnostic::error(
            "Invalid quoted type constraints",
            format!(
                "Terraform 0.11 and earlier required type constraints to be given in quotes, but \
                 that form is now deprecated and will be removed in a future version of \
                 Terraform. Remove the quotes around {:?}.",
                s.value()
            ),
        )
        .with_span(span_of(expr, file))),
        _ => Err(invalid(
            "A type specification is either a primitive type keyword (bool, number, string) or a \
             complex type constructor call, like list(string).",
            expr,
            file,
        )),
    }
}

const OPTIONAL_OUTSIDE_OBJECT: &str =
    "Keyword \"optional\" is valid only as a modifier for object type attributes.";

fn constructor_arity(keyword: &str) -> String {
    match keyword {
        "tuple" => "The tuple type constructor requires one argument specifying the element types \
                    as a list."
            .to_string(),
        "object" => "The object type constructor requires one argument specifying the attribute \
                     types as a map."
            .to_string(),
        _ => format!(
            "The {keyword} type constructor requires one argument specifying the element type."
        ),
    }
}

/// One `name = type` or `name = optional(type[, default])` entry of an object type.
fn parse_attr(name: String, expr: &Expression, file: FileId) -> Result<ObjectAttr, Diagnostic> {
    let Expression::FuncCall(call) = expr else {
        return Ok(ObjectAttr {
            name,
            ty: parse_type(expr, file)?,
            optional: false,
            default: None,
        });
    };
    if call.name.is_namespaced() || call.name.name.value().as_str() != "optional" {
        return Ok(ObjectAttr {
            name,
            ty: parse_type(expr, file)?,
            optional: false,
            default: None,
        });
    }
    let args: Vec<&Expression> = call.args.iter().collect();
    let (ty_expr, default_expr) = match args.as_slice() {
        [ty] => (*ty, None),
        [ty, default] => (*ty, Some(*default)),
        [] => {
            return Err(invalid(
                "Optional attribute modifier requires the attribute type as its argument.",
                expr,
                file,
            ));
        }
        _ => {
            return Err(invalid(
                "Optional attribute modifier expects at most two arguments: the attribute type, \
                 and a default value.",
                expr,
                file,
            ));
        }
    };
    let ty = parse_type(ty_expr, file)?;
    let default = match default_expr {
        None => None,
        Some(default_expr) => {
            let value = super::eval(default_expr, file, &ConstantScope)?;
            let value = ty.convert(value).map_err(|message| {
                Diagnostic::error(
                    "Invalid default value for optional attribute",
                    format!(
                        "This default value is not compatible with the attribute's type \
                         constraint: {message}."
                    ),
                )
                .with_span(span_of(default_expr, file))
            })?;
            if value.is_null() { None } else { Some(value) }
        }
    };
    Ok(ObjectAttr {
        name,
        ty,
        optional: true,
        default,
    })
}

/// The scope of a constant expression: no named values, no files.
struct ConstantScope;

impl Scope for ConstantScope {
    fn resolve(
        &self,
        _root: &str,
        _steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        Err(
            Diagnostic::error("Variables not allowed", "Variables may not be used here.")
                .with_span(span),
        )
    }

    fn read_file(&self, _path: &str) -> Result<String, String> {
        Err("files cannot be read in a type constraint".to_string())
    }
}

/// Parse a string as a number the way Terraform converts strings: decimal, optional sign, fraction
/// and exponent; no infinities, no hexadecimal.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn convert_unmarked(ty: &Type, value: Value) -> Result<Value, String> {
    if matches!(value, Value::Null | Value::Unknown) {
        return Ok(value);
    }
    match ty {
        Type::Any => Ok(value),
        Type::String => match value {
            Value::String(_) => Ok(value),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err("string required".to_string()),
        },
        Type::Number => match value {
            Value::Number(_) => Ok(value),
            Value::String(s) => parse_number(&s)
                .map(Value::number)
                .ok_or_else(|| "a number is required".to_string()),
            _ => Err("number required".to_string()),
        },
        Type::Bool => match value {
            Value::Bool(_) => Ok(value),
            Value::String(s) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                other => Err(match other.to_lowercase().as_str() {
                    "true" => "a bool is required; to convert from string, use lowercase \"true\""
                        .to_string(),
                    "false" => {
                        "a bool is required; to convert from string, use lowercase \"false\""
                            .to_string()
                    }
                    _ => "a bool is required".to_string(),
                }),
            },
            _ => Err("bool required".to_string()),
        },
        Type::List(elem) | Type::Set(elem) => {
            let items = match value {
                Value::List(items) | Value::Set(items) => items,
                _ => return Err(format!("{} required", ty.friendly_name())),
            };
            let kind = if matches!(ty, Type::List(_)) {
                "list"
            } else {
                "set"
            };
            let items = convert_elements(elem, items, kind)?;
            Ok(match ty {
                Type::Set(_) => Value::set(items),
                _ => Value::List(items),
            })
        }
        Type::Map(elem) => {
            let Value::Map(map) = value else {
                return Err(format!("{} required", ty.friendly_name()));
            };
            let elem = unified_element(elem, map.values(), "map element values")?;
            let mut out = BTreeMap::new();
            for (key, item) in Arc::unwrap_or_clone(map) {
                let item = elem
                    .convert(item)
                    .map_err(|e| format!("element {key:?}: {e}"))?;
                out.insert(key, item);
            }
            Ok(Value::map(out))
        }
        Type::Tuple(types) => {
            let items = match value {
                Value::List(items) | Value::Set(items) if items.len() == types.len() => items,
                _ => return Err("tuple required".to_string()),
            };
            items
                .into_iter()
                .zip(types)
                .enumerate()
                .map(|(i, (item, ty))| ty.convert(item).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List)
        }
        Type::Object(attrs) => {
            let Value::Map(map) = value else {
                return Err("object required".to_string());
            };
            let mut map = Arc::unwrap_or_clone(map);
            let missing: Vec<&str> = attrs
                .iter()
                .filter(|a| !a.optional && !map.contains_key(&a.name))
                .map(|a| a.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(missing_attributes(&missing));
            }
            let mut out = BTreeMap::new();
            for attr in attrs {
                let item = match map.remove(&attr.name) {
                    Some(item) if !item.is_null() => attr
                        .ty
                        .convert(item)
                        .map_err(|e| format!("attribute {:?}: {e}", attr.name))?,
                    Some(item) if !attr.optional => item,
                    _ => attr.default.clone().unwrap_or(Value::Null),
                };
                out.insert(attr.name.clone(), item);
            }
            Ok(Value::map(out))
        }
    }
}

/// Convert the elements of a list or set. With an `any` element type, the elements are first
/// unified to one type as Terraform does (`[1, "a"]` becomes a list of strings).
fn convert_elements(elem: &Type, items: Vec<Value>, kind: &str) -> Result<Vec<Value>, String> {
    let elem = unified_element(elem, items.iter(), &format!("{kind} elements"))?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| elem.convert(item).map_err(|e| format!("element {i}: {e}")))
        .collect()
}

/// The element type to convert to: `elem` itself, or for `any` the unified type of the elements.
fn unified_element<'v>(
    elem: &Type,
    items: impl Iterator<Item = &'v Value>,
    what: &str,
) -> Result<Type, String> {
    if *elem != Type::Any {
        return Ok(elem.clone());
    }
    let mut unified: Option<Type> = None;
    for item in items {
        if item.is_null() || item.is_unknown() {
            continue;
        }
        let ty = Type::of_value(item);
        unified = Some(match unified {
            None => ty,
            Some(sofar) => Type::unify(&sofar, &ty)
                .ok_or_else(|| format!("all {what} must have the same type"))?,
        });
    }
    // Converting to a type already matching every element would change nothing; skip the work
    // unless the unified type actually differs somewhere (strings absorbing numbers, say).
    Ok(match unified {
        Some(ty) if ty.is_exact() => ty,
        _ => Type::Any,
    })
}

fn missing_attributes(names: &[&str]) -> String {
    match names {
        [one] => format!("attribute {one:?} is required"),
        [a, b] => format!("attributes {a:?} and {b:?} are required"),
        _ => {
            let mut sorted = names.to_vec();
            sorted.sort_unstable();
            let mut list = String::new();
            for name in &sorted[..sorted.len() - 1] {
                list.push_str(&format!("{name:?}, "));
            }
            list.push_str(&format!("and {:?}", sorted[sorted.len() - 1]));
            format!("attributes {list} are required")
        }
    }
}

/// Describe why two conditional results cannot be unified, in Terraform's words (without the final
/// period).
pub(crate) fn describe_mismatch(true_ty: &Type, false_ty: &Type) -> String {
    match (true_ty, false_ty) {
        (Type::Object(t), Type::Object(f)) => {
            for attr in t {
                match f.iter().find(|a| a.name == attr.name) {
                    None => {
                        return format!(
                            "The 'true' value includes object attribute {:?}, which is absent in \
                             the 'false' value",
                            attr.name
                        );
                    }
                    Some(other) if Type::unify(&attr.ty, &other.ty).is_none() => {
                        return format!(
                            "Type mismatch for object attribute {:?}: {}",
                            attr.name,
                            describe_mismatch(&attr.ty, &other.ty)
                        );
                    }
                    Some(_) => {}
                }
            }
            for attr in f {
                if !t.iter().any(|a| a.name == attr.name) {
                    return format!(
                        "The 'false' value includes object attribute {:?}, which is absent in the \
                         'true' value",
                        attr.name
                    );
                }
            }
        }
        (Type::Tuple(t), Type::Tuple(f)) => {
            if t.len() != f.len() {
                return format!(
                    "The 'true' tuple has length {}, but the 'false' tuple has length {}",
                    t.len(),
                    f.len()
                );
            }
            for (i, (l, r)) in t.iter().zip(f).enumerate() {
                if Type::unify(l, r).is_none() {
                    return format!(
                        "Mismatched tuple element type {i}: {}",
                        describe_mismatch(l, r)
                    );
                }
            }
        }
        _ => {}
    }
    format!(
        "The 'true' value is {}, but the 'false' value is {}",
        value_type_name(true_ty),
        value_type_name(false_ty)
    )
}

/// cty's `FriendlyName`: like [`Type::friendly_name`] but `dynamic` for the unknown type.
fn value_type_name(ty: &Type) -> String {
    match ty {
        Type::Any => "dynamic".to_string(),
        other => other.friendly_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::{ObjectAttr, Type};
    use crate::diag::FileId;
    use crate::lang::Value;

    const FILE: FileId = FileId(3);

    fn parse(src: &str) -> Result<Type, crate::diag::Diagnostic> {
        let expr = hcl_edit::parser::parse_expr(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        Type::parse(&expr, FILE)
    }

    fn ty(src: &str) -> Type {
        parse(src).unwrap_or_else(|d| panic!("{src}: {} / {}", d.summary, d.detail))
    }

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    #[test]
    fn parses_and_spells_types_like_terraform() {
        for (src, shown) in [
            ("string", "string"),
            ("number", "number"),
            ("bool", "bool"),
            ("any", "any"),
            ("list(string)", "list(string)"),
            ("list", "list(any)"),
            ("map", "map(any)"),
            ("set(number)", "set(number)"),
            ("map(list(bool))", "map(list(bool))"),
            ("tuple([string, number])", "tuple([string,number])"),
            (
                "object({ sku = string, name = optional(string, \"x\"), \"odd key\" = bool })",
                "object({name=optional(string),\"odd key\"=bool,sku=string})",
            ),
        ] {
            assert_eq!(ty(src).to_string(), shown, "{src}");
        }
        assert_eq!(ty("list(string)"), Type::List(Box::new(Type::String)));
    }

    #[test]
    fn rejects_invalid_type_specifications() {
        let src = "list(strng)";
        let d = parse(src).err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(d.summary, "Invalid type specification");
        assert_eq!(
            d.detail,
            "The keyword \"strng\" is not a valid type specification."
        );
        let span = d.span.unwrap_or_else(|| panic!("no span"));
        assert_eq!((span.file, &src[span.start..span.end]), (FILE, "strng"));

        for (src, summary) in [
            ("list(string, number)", "Invalid type specification"),
            ("set", "Invalid type specification"),
            ("tuple(string)", "Invalid type specification"),
            ("object(string)", "Invalid type specification"),
            ("optional(string)", "Invalid type specification"),
            ("frob(string)", "Invalid type specification"),
            ("1 + 1", "Invalid type specification"),
            ("\"string\"", "Invalid quoted type constraints"),
            (
                "object({a = optional(number, \"x\")})",
                "Invalid default value for optional attribute",
            ),
            (
                "object({a = optional(string, var.x)})",
                "Variables not allowed",
            ),
        ] {
            let d = parse(src).err().unwrap_or_else(|| panic!("{src} accepted"));
            assert_eq!(d.summary, summary, "{src}");
        }
    }

    #[test]
    fn primitive_conversions() {
        assert_eq!(Type::String.convert(Value::int(5)), Ok(s("5")));
        assert_eq!(Type::String.convert(Value::number(2.5)), Ok(s("2.5")));
        assert_eq!(Type::String.convert(Value::Bool(true)), Ok(s("true")));
        assert_eq!(Type::Number.convert(s("42")), Ok(Value::int(42)));
        assert_eq!(
            Type::Number.convert(s("4x")),
            Err("a number is required".to_string())
        );
        assert_eq!(
            Type::Number.convert(Value::Bool(true)),
            Err("number required".to_string())
        );
        assert_eq!(Type::Bool.convert(s("false")), Ok(Value::Bool(false)));
        assert_eq!(
            Type::Bool.convert(s("yes")),
            Err("a bool is required".to_string())
        );
        assert_eq!(
            Type::String.convert(Value::List(vec![])),
            Err("string required".to_string())
        );
        assert_eq!(Type::Any.convert(s("x")), Ok(s("x")));
    }

    #[test]
    fn null_unknown_and_sensitive_pass_through() {
        let object = ty("object({a = string})");
        assert_eq!(object.convert(Value::Null), Ok(Value::Null));
        assert_eq!(object.convert(Value::Unknown), Ok(Value::Unknown));
        assert_eq!(
            Type::Number.convert(s("7").mark_sensitive()),
            Ok(Value::int(7).mark_sensitive())
        );
        let list = ty("list(string)");
        assert_eq!(
            list.convert(Value::List(vec![
                Value::int(1).mark_sensitive(),
                Value::Unknown
            ])),
            Ok(Value::List(vec![s("1").mark_sensitive(), Value::Unknown]))
        );
    }

    #[test]
    fn collection_conversions() {
        let tuple = Value::List(vec![Value::int(2), s("1"), Value::int(2)]);
        assert_eq!(
            ty("list(string)").convert(tuple.clone()),
            Ok(Value::List(vec![s("2"), s("1"), s("2")]))
        );
        assert_eq!(
            ty("set(number)").convert(tuple.clone()),
            Ok(Value::set(vec![Value::int(1), Value::int(2)]))
        );
        // An `any` element type unifies the elements first, as Terraform does.
        assert_eq!(
            ty("list(any)").convert(Value::List(vec![Value::int(1), s("a")])),
            Ok(Value::List(vec![s("1"), s("a")]))
        );
        assert_eq!(
            ty("list(any)").convert(Value::List(vec![Value::int(1), Value::Bool(true)])),
            Err("all list elements must have the same type".to_string())
        );
        assert_eq!(
            ty("map(number)").convert(Value::object([("a", s("1"))])),
            Ok(Value::object([("a", Value::int(1))]))
        );
        assert_eq!(
            ty("map(number)").convert(Value::object([("a", s("one"))])),
            Err("element \"a\": a number is required".to_string())
        );
        assert_eq!(
            ty("list(string)").convert(Value::List(vec![s("a"), Value::List(vec![])])),
            Err("element 1: string required".to_string())
        );
        assert_eq!(
            ty("tuple([string, number])").convert(Value::List(vec![Value::int(1), s("2")])),
            Ok(Value::List(vec![s("1"), Value::int(2)]))
        );
        assert_eq!(
            ty("tuple([string])").convert(Value::List(vec![])),
            Err("tuple required".to_string())
        );
        assert_eq!(
            ty("list(string)").convert(s("x")),
            Err("list of string required".to_string())
        );
    }

    #[test]
    fn object_conversions_with_nested_optional_defaults() {
        let circuit = ty(r#"object({
            name = string
            sku  = optional(object({
                tier   = optional(string, "Standard")
                family = optional(string, "MeteredData")
            }), {})
            bandwidth = optional(number)
            peerings  = optional(list(object({
                vlan = number
                type = optional(string, "AzurePrivatePeering")
            })), [])
        })"#);
        let given = Value::object([
            ("name", s("er1")),
            ("extra", Value::Bool(true)),
            (
                "peerings",
                Value::List(vec![Value::object([("vlan", s("100"))])]),
            ),
        ]);
        let expected = Value::object([
            ("name", s("er1")),
            (
                "sku",
                Value::object([("tier", s("Standard")), ("family", s("MeteredData"))]),
            ),
            ("bandwidth", Value::Null),
            (
                "peerings",
                Value::List(vec![Value::object([
                    ("vlan", Value::int(100)),
                    ("type", s("AzurePrivatePeering")),
                ])]),
            ),
        ]);
        assert_eq!(circuit.convert(given), Ok(expected));

        // A null optional attribute takes its default; a given one is kept and converted.
        let with_sku = Value::object([
            ("name", s("er2")),
            (
                "sku",
                Value::object([("tier", s("Premium")), ("family", Value::Null)]),
            ),
        ]);
        let converted = circuit.convert(with_sku).unwrap_or(Value::Null);
        assert_eq!(
            converted.get_attr("sku"),
            Some(&Value::object([
                ("tier", s("Premium")),
                ("family", s("MeteredData"))
            ]))
        );
    }

    #[test]
    fn object_conversion_errors() {
        let object = ty("object({a = string, b = number, c = bool, d = optional(string)})");
        assert_eq!(
            object.convert(Value::object([
                ("b", Value::int(1)),
                ("c", Value::Bool(true))
            ])),
            Err("attribute \"a\" is required".to_string())
        );
        assert_eq!(
            object.convert(Value::object([("c", Value::Bool(true))])),
            Err("attributes \"a\" and \"b\" are required".to_string())
        );
        assert_eq!(
            object.convert(Value::object([("d", s("x"))])),
            Err("attributes \"a\", \"b\", and \"c\" are required".to_string())
        );
        assert_eq!(
            ty("object({sku = object({tier = string})})").convert(Value::object([(
                "sku",
                Value::object([("tier", Value::List(vec![]))])
            )])),
            Err("attribute \"sku\": attribute \"tier\": string required".to_string())
        );
        assert_eq!(object.convert(s("x")), Err("object required".to_string()));
    }

    #[test]
    fn unification() {
        assert_eq!(
            Type::unify(&Type::Number, &Type::String),
            Some(Type::String)
        );
        assert_eq!(Type::unify(&Type::Number, &Type::Bool), None);
        let a = Type::of_value(&Value::object([("a", Value::int(1))]));
        let b = Type::of_value(&Value::object([("b", Value::int(2))]));
        assert_eq!(Type::unify(&a, &b), Some(Type::Map(Box::new(Type::Number))));
        let c = Type::of_value(&Value::object([("a", s("x"))]));
        assert_eq!(
            Type::unify(&a, &c),
            Some(Type::Object(vec![ObjectAttr {
                name: "a".to_string(),
                ty: Type::String,
                optional: false,
                default: None,
            }]))
        );
        let one = Type::of_value(&Value::List(vec![Value::int(1)]));
        let two = Type::of_value(&Value::List(vec![Value::int(1), s("2")]));
        assert_eq!(
            Type::unify(&one, &two),
            Some(Type::List(Box::new(Type::String)))
        );
        let bools = Type::of_value(&Value::List(vec![Value::Bool(true), Value::Bool(false)]));
        assert_eq!(Type::unify(&one, &bools), None);
        let set = Type::of_value(&Value::set(vec![s("a")]));
        let empty = Type::of_value(&Value::List(vec![]));
        assert_eq!(
            Type::unify(&set, &empty),
            Some(Type::Set(Box::new(Type::String)))
        );
        assert_eq!(Type::unify(&Type::Any, &one), Some(Type::Any));
    }
}
