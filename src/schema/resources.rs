//! The schema data for each supported type, built once. (Filled in by the schema work.)

use super::{ResourceSchema, Validation};
use crate::lang::Value;

pub fn resource(_type_name: &str) -> Option<&'static ResourceSchema> {
    None
}

pub fn data_source(_type_name: &str) -> Option<&'static ResourceSchema> {
    None
}

pub fn resource_type_names() -> Vec<&'static str> {
    Vec::new()
}

pub fn data_source_type_names() -> Vec<&'static str> {
    Vec::new()
}

pub fn check_validation(_validation: &Validation, _value: &Value) -> Option<String> {
    None
}
