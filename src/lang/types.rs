//! Type constraints as Terraform writes them (`string`, `list(object({a = optional(string, "x")}))`,
//! `any`…): their model, parsing from an expression, and conversion of a value to a type.

use super::Value;

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
    Object(Vec<ObjectAttr>),
}

/// One attribute of an `object({...})` type.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectAttr {
    pub name: String,
    pub ty: Type,
    /// Declared with `optional(...)`.
    pub optional: bool,
    /// The second argument of `optional(type, default)`.
    pub default: Option<Value>,
}
