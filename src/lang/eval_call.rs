//! Function calls: argument evaluation (with `f(list...)` expansion), the four functions that need
//! the evaluator or the scope (`try`, `can`, `file`, `templatefile`), dispatch of every other name
//! to [`functions::call`], and Terraform's diagnostics ("Call to unknown function" with a "Did you
//! mean" hint, "Error in function call", "Invalid function argument"). It must not implement the
//! other built-in functions nor read files itself: `file()` and `templatefile()` go through the
//! scope.

use super::eval::{Evaluator, marked, to_string};
use super::types::is_identifier;
use super::{Scope, Step, Value, functions};
use crate::diag::{Diagnostic, Span};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, FuncCall};
use std::collections::BTreeMap;

/// Functions implemented here rather than in `functions`.
const EVALUATOR_FUNCTIONS: &[&str] = &["can", "file", "templatefile", "try"];

/// Evaluated arguments, or the knowledge that an expanded argument was unknown.
enum Args {
    Values(Vec<Value>),
    Unknown { sensitive: bool },
}

impl Evaluator<'_> {
    pub(super) fn call(&mut self, call: &FuncCall) -> Result<Value, Diagnostic> {
        let name = call.name.name.value().as_str();
        let namespace = &call.name.namespace;
        // `core::` names Terraform's built-ins explicitly; any other namespace is a provider's.
        let builtin = namespace.is_empty()
            || (namespace.len() == 1 && namespace[0].value().as_str() == "core");
        if !builtin {
            let mut full = String::new();
            for part in namespace {
                full.push_str(part.value().as_str());
                full.push_str("::");
            }
            full.push_str(name);
            let start = namespace[0].span().map(|r| r.start);
            let end = call.name.name.span().map(|r| r.end);
            let span = match (start, end) {
                (Some(start), Some(end)) => Some(Span::new(self.file, start..end)),
                _ => self.span(call),
            };
            return Err(Diagnostic::error(
                "Call to unknown function",
                format!("There is no function named {full:?}."),
            )
            .with_span(span));
        }
        match name {
            "try" => return self.call_try(call),
            "can" => return self.call_can(call),
            _ => {}
        }
        if !EVALUATOR_FUNCTIONS.contains(&name) && !functions::exists(name) {
            let detail = match suggestion(name) {
                Some(candidate) => {
                    format!("There is no function named {name:?}. Did you mean {candidate:?}?")
                }
                None => format!("There is no function named {name:?}."),
            };
            return Err(self.error("Call to unknown function", detail, &call.name.name));
        }
        let args = match self.call_args(call)? {
            Args::Values(values) => values,
            Args::Unknown { sensitive } => return Ok(marked(Value::Unknown, sensitive)),
        };
        match name {
            "file" => self.call_file(call, args),
            "templatefile" => self.call_templatefile(call, args),
            _ => functions::call(name, args)
                .map_err(|message| function_error(self, name, &message, call)),
        }
    }

    fn call_args(&mut self, call: &FuncCall) -> Result<Args, Diagnostic> {
        let count = call.args.len();
        let mut values = Vec::with_capacity(count);
        for (i, arg) in call.args.iter().enumerate() {
            let value = self.expr(arg)?;
            if !(call.args.expand_final() && i + 1 == count) {
                values.push(value);
                continue;
            }
            let (value, sensitive) = value.into_unmarked();
            match value {
                Value::Unknown => return Ok(Args::Unknown { sensitive }),
                Value::Null => {
                    return Err(self.error(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must not be null.",
                        arg,
                    ));
                }
                Value::List(items) | Value::Set(items) => {
                    values.extend(items.into_iter().map(|item| marked(item, sensitive)));
                }
                _ => {
                    return Err(self.error(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or \
                         set type.",
                        arg,
                    ));
                }
            }
        }
        Ok(Args::Values(values))
    }

    /// `try(a, b, …)`: the first argument that evaluates without error. A result that is not
    /// wholly known makes the call unknown, since a later evaluation might fail.
    fn call_try(&mut self, call: &FuncCall) -> Result<Value, Diagnostic> {
        if call.args.is_empty() {
            return Err(function_error(
                self,
                "try",
                "at least one argument is required",
                call,
            ));
        }
        let mut failures = Vec::new();
        for arg in call.args.iter() {
            match self.expr(arg) {
                Ok(value) if value.is_wholly_known() => return Ok(value),
                Ok(value) => {
                    let sensitive = value.contains_sensitive();
                    return Ok(marked(Value::Unknown, sensitive));
                }
                Err(diagnostic) => failures.push(diagnostic),
            }
        }
        let mut message = String::from("no expression succeeded:\n");
        for failure in &failures {
            message.push_str(&format!("- {}\n  {}\n", failure.summary, failure.detail));
        }
        message.push_str("\nAt least one expression must produce a successful result");
        Err(function_error(self, "try", &message, call))
    }

    /// `can(expr)`: whether the expression evaluates without error; unknown when its value is not
    /// wholly known.
    fn call_can(&mut self, call: &FuncCall) -> Result<Value, Diagnostic> {
        let arg = self.single_arg(call, "can", "expression")?;
        Ok(match self.expr(arg) {
            Ok(value) if value.is_wholly_known() => Value::Bool(true),
            Ok(_) => Value::Unknown,
            Err(_) => Value::Bool(false),
        })
    }

    fn single_arg<'c>(
        &self,
        call: &'c FuncCall,
        name: &str,
        param: &str,
    ) -> Result<&'c Expression, Diagnostic> {
        self.check_arity(call, name, &[param])?;
        call.args
            .get(0)
            .ok_or_else(|| self.error("Not enough function arguments", "", call))
    }

    fn check_arity(&self, call: &FuncCall, name: &str, params: &[&str]) -> Result<(), Diagnostic> {
        let count = call.args.len();
        if count < params.len() {
            return Err(self.error(
                "Not enough function arguments",
                format!(
                    "Function {name:?} expects {} argument(s). Missing value for {:?}.",
                    params.len(),
                    params[count]
                ),
                call,
            ));
        }
        if count > params.len() {
            return Err(self.error(
                "Too many function arguments",
                format!(
                    "Function {name:?} expects only {} argument(s).",
                    params.len()
                ),
                call,
            ));
        }
        Ok(())
    }

    /// `file(path)`: the file's contents through the scope.
    fn call_file(&mut self, call: &FuncCall, args: Vec<Value>) -> Result<Value, Diagnostic> {
        self.check_arity(call, "file", &["path"])?;
        let Some(path) = args.into_iter().next() else {
            return Err(self.error("Not enough function arguments", "", call));
        };
        let (path, sensitive) = path.into_unmarked();
        let path = match self.path_argument(call, path)? {
            Some(path) => path,
            None => return Ok(marked(Value::Unknown, sensitive)),
        };
        let contents = self
            .scope
            .read_file(&path)
            .map_err(|message| invalid_argument(self, call, 0, "path", &message))?;
        Ok(marked(Value::String(contents), sensitive))
    }

    /// The string of a `path` argument, `None` when unknown.
    fn path_argument(&self, call: &FuncCall, path: Value) -> Result<Option<String>, Diagnostic> {
        match path {
            Value::Unknown => Ok(None),
            Value::Null => Err(invalid_argument(
                self,
                call,
                0,
                "path",
                "argument must not be null",
            )),
            other => match to_string(&other) {
                Some(path) => Ok(Some(path)),
                None => Err(invalid_argument(self, call, 0, "path", "string required")),
            },
        }
    }

    /// `templatefile(path, vars)`: the file parsed as a template and rendered with only `vars` in
    /// scope.
    fn call_templatefile(
        &mut self,
        call: &FuncCall,
        args: Vec<Value>,
    ) -> Result<Value, Diagnostic> {
        self.check_arity(call, "templatefile", &["path", "vars"])?;
        if self.in_templatefile {
            return Err(function_error(
                self,
                "templatefile",
                "cannot recursively call templatefile from inside templatefile call",
                call,
            ));
        }
        let mut args = args.into_iter();
        let (Some(path), Some(vars)) = (args.next(), args.next()) else {
            return Err(self.error("Not enough function arguments", "", call));
        };
        let (path, path_sensitive) = path.into_unmarked();
        let (vars, vars_sensitive) = vars.into_unmarked();
        let sensitive = path_sensitive || vars_sensitive;
        let Some(path) = self.path_argument(call, path)? else {
            return Ok(marked(Value::Unknown, sensitive));
        };
        let vars = match vars {
            Value::Unknown => return Ok(marked(Value::Unknown, sensitive)),
            Value::Null => {
                return Err(invalid_argument(
                    self,
                    call,
                    1,
                    "vars",
                    "argument must not be null",
                ));
            }
            Value::Map(map) => map,
            _ => {
                return Err(invalid_argument(
                    self,
                    call,
                    1,
                    "vars",
                    "invalid vars value: must be a map",
                ));
            }
        };
        if let Some(bad) = vars.keys().find(|key| !is_identifier(key)) {
            return Err(invalid_argument(
                self,
                call,
                1,
                "vars",
                &format!(
                    "invalid template variable name {bad:?}: must start with a letter, followed \
                     by zero or more letters, digits, and underscores"
                ),
            ));
        }
        let text = self
            .scope
            .read_file(&path)
            .map_err(|message| invalid_argument(self, call, 0, "path", &message))?;
        let template = hcl_edit::parser::parse_template(&text).map_err(|error| {
            let location = error.location();
            function_error(
                self,
                "templatefile",
                &format!(
                    "{path}:{},{}: Invalid template; {}",
                    location.line(),
                    location.column(),
                    error.message()
                ),
                call,
            )
        })?;
        let template_scope = TemplateScope {
            vars,
            outer: self.scope,
        };
        let mut renderer = Evaluator::new(self.file, &template_scope);
        renderer.in_templatefile = true;
        let rendered = renderer.template_value(&template).map_err(|diagnostic| {
            let at = diagnostic
                .span
                .map(|span| position(&text, span.start, span.end))
                .unwrap_or_default();
            function_error(
                self,
                "templatefile",
                &format!("{path}{at}: {}; {}", diagnostic.summary, diagnostic.detail),
                call,
            )
        })?;
        let (rendered, rendered_sensitive) = rendered.into_unmarked();
        let result = match rendered {
            Value::Unknown => Value::Unknown,
            other => match to_string(&other) {
                Some(text) => Value::String(text),
                None => {
                    return Err(function_error(
                        self,
                        "templatefile",
                        &format!(
                            "{path}: the template produced a {} value instead of a string",
                            other.type_name()
                        ),
                        call,
                    ));
                }
            },
        };
        Ok(marked(result, sensitive || rendered_sensitive))
    }
}

/// "Error in function call" for `name`, located at the call.
fn function_error(
    evaluator: &Evaluator<'_>,
    name: &str,
    message: &str,
    call: &FuncCall,
) -> Diagnostic {
    let message = message.strip_suffix('.').unwrap_or(message);
    evaluator.error(
        "Error in function call",
        format!("Call to function {name:?} failed: {message}."),
        call,
    )
}

/// "Invalid function argument" for parameter `param`, located at argument `index`.
fn invalid_argument(
    evaluator: &Evaluator<'_>,
    call: &FuncCall,
    index: usize,
    param: &str,
    message: &str,
) -> Diagnostic {
    let message = message.strip_suffix('.').unwrap_or(message);
    let detail = format!("Invalid value for {param:?} parameter: {message}.");
    match call.args.get(index) {
        Some(arg) => evaluator.error("Invalid function argument", detail, arg),
        None => evaluator.error("Invalid function argument", detail, call),
    }
}

/// `:line,col-col` (or `:line,col-line,col`) of a byte range in a template file's text.
fn position(text: &str, start: usize, end: usize) -> String {
    let locate = |byte: usize| {
        let before = text.get(..byte.min(text.len())).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    };
    let (line, column) = locate(start);
    let (end_line, end_column) = locate(end);
    if line == end_line {
        format!(":{line},{column}-{end_column}")
    } else {
        format!(":{line},{column}-{end_line},{end_column}")
    }
}

/// The closest known function name, for "Did you mean".
fn suggestion(name: &str) -> Option<&'static str> {
    let mut best: Option<(f64, &'static str)> = None;
    for &candidate in functions::NAMES.iter().chain(EVALUATOR_FUNCTIONS) {
        let score = strsim::jaro_winkler(name, candidate);
        let close = score >= 0.8 || strsim::levenshtein(name, candidate) <= 2;
        if close && best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// What a template rendered by `templatefile` sees: only its `vars`; files through the caller's
/// scope.
struct TemplateScope<'a> {
    vars: std::sync::Arc<BTreeMap<String, Value>>,
    outer: &'a dyn Scope,
}

impl Scope for TemplateScope<'_> {
    fn resolve(
        &self,
        root: &str,
        _steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        match self.vars.get(root) {
            Some(value) => Ok((value.clone(), 0)),
            None => Err(Diagnostic::error(
                "Unknown variable",
                format!("There is no variable named {root:?}."),
            )
            .with_span(span)),
        }
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.outer.read_file(path)
    }
}
