//! Root variable values as the user supplied them: `TF_VAR_*`, `terraform.tfvars`, `*.auto.tfvars`,
//! `--var-file` and `--var`, in Terraform's precedence order (later wins). Values from files are
//! expressions; values from the command line and environment are literal strings for primitive types
//! and parsed as expressions otherwise, as Terraform does. Nothing is evaluated here.

use super::Config;
use super::body::{Body, Expr};
use super::load::{LoadOptions, parse_error};
use crate::diag::{Diagnostic, Diagnostics, Span};
use hcl_edit::expr::Expression;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One value for one root variable.
#[derive(Debug, Clone)]
pub struct VarValue {
    pub name: String,
    pub source: VarSource,
    /// Where it was written, when it came from a file.
    pub span: Option<Span>,
    /// Where it came from, for messages: `terraform.tfvars`, `--var`, `TF_VAR_name`.
    pub origin: String,
}

#[derive(Debug, Clone)]
pub enum VarSource {
    Expr(Expr),
    Literal(String),
}

pub(super) fn load_variable_values(
    dir: &Path,
    options: &LoadOptions,
    config: &mut Config,
) -> (Vec<VarValue>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut values = Vec::new();

    let mut env: Vec<&(String, String)> = options
        .env
        .iter()
        .filter(|(k, _)| k.starts_with("TF_VAR_") && k.len() > 7)
        .collect();
    env.sort();
    for (key, value) in env {
        let name = &key[7..];
        // Undeclared TF_VAR_ variables are ignored, as in Terraform.
        if let Some(v) = raw_value(config, name, value, key, &mut diagnostics) {
            values.push(v);
        }
    }

    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let default_file = dir.join("terraform.tfvars");
    if default_file.is_file() {
        files.push((default_file, false));
    }
    if dir.join("terraform.tfvars.json").is_file() {
        diagnostics.push(Diagnostic::error(
            "JSON variable files are not supported yet",
            "terraform.tfvars.json uses Terraform's JSON syntax, which peerform does not read yet. Write the values in terraform.tfvars.",
        ));
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(".auto.tfvars"))
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto.into_iter().map(|p| (p, false)));
    files.extend(options.var_files.iter().map(|p| (dir.join(p), true)));

    for (path, explicit) in files {
        let shown = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    diagnostics.push(Diagnostic::error(
                        "Invalid character encoding",
                        format!(
                            "{} is not valid UTF-8. Variable files must be UTF-8 encoded.",
                            shown.display()
                        ),
                    ));
                    continue;
                }
            },
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    "Failed to read variables file",
                    format!(
                        "Cannot read {}: {e}.{}",
                        shown.display(),
                        if explicit {
                            " Check the --var-file path."
                        } else {
                            ""
                        }
                    ),
                ));
                continue;
            }
        };
        let text: Arc<str> = Arc::from(text);
        let file = config.sources.add(shown.clone(), text.clone());
        let body = match hcl_edit::parser::parse_body(&text) {
            Ok(b) => Body::from_hcl(b, file, &text),
            Err(e) => {
                diagnostics.push(parse_error(file, &text, &e));
                continue;
            }
        };
        for block in &body.blocks {
            diagnostics.push(
                Diagnostic::error(
                    "Unexpected block in variables file",
                    "A variables file holds only NAME = VALUE arguments.",
                )
                .with_span(block.span),
            );
        }
        let origin = shown.display().to_string();
        for attr in body.attributes {
            if !config.root().variables.iter().any(|v| v.name == attr.name) {
                diagnostics.push(
                    Diagnostic::warning(
                        "Value for undeclared variable",
                        format!(
                            "The root module does not declare a variable named \"{}\" but a value was found in file \"{origin}\". If you meant to use this value, add a \"variable\" block to the configuration.",
                            attr.name
                        ),
                    )
                    .with_span(attr.span),
                );
                continue;
            }
            values.push(VarValue {
                name: attr.name,
                span: Some(attr.span),
                source: VarSource::Expr(attr.expr),
                origin: origin.clone(),
            });
        }
    }

    for assignment in &options.vars {
        let Some((name, value)) = assignment.split_once('=') else {
            diagnostics.push(Diagnostic::error(
                "Invalid -var option",
                format!("The given -var option {assignment:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
            ));
            continue;
        };
        let name = name.trim();
        if !config.root().variables.iter().any(|v| v.name == name) {
            diagnostics.push(Diagnostic::error(
                "Value for undeclared variable",
                format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."),
            ));
            continue;
        }
        if let Some(v) = raw_value(config, name, value, "--var", &mut diagnostics) {
            values.push(v);
        }
    }
    (values, diagnostics)
}

/// A value from the command line or environment: a literal string for primitive-typed (or untyped)
/// variables, an expression otherwise.
fn raw_value(
    config: &mut Config,
    name: &str,
    value: &str,
    origin: &str,
    diagnostics: &mut Diagnostics,
) -> Option<VarValue> {
    let variable = config.root().variables.iter().find(|v| v.name == name)?;
    let primitive = match &variable.type_expr {
        None => true,
        Some(e) => {
            matches!(&e.expr, Expression::Variable(v) if ["string", "number", "bool"].contains(&v.as_str()))
        }
    };
    if primitive {
        return Some(VarValue {
            name: name.to_string(),
            source: VarSource::Literal(value.to_string()),
            span: None,
            origin: origin.to_string(),
        });
    }
    let text: Arc<str> = Arc::from(value);
    let file = config.sources.add(
        PathBuf::from(format!("<value for var.{name}>")),
        text.clone(),
    );
    match hcl_edit::parser::parse_expr(&text) {
        Ok(expr) => Some(VarValue {
            name: name.to_string(),
            source: VarSource::Expr(Expr { file, expr }),
            span: None,
            origin: origin.to_string(),
        }),
        Err(e) => {
            diagnostics.push(parse_error(file, &text, &e));
            None
        }
    }
}
