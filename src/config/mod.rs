//! Reading configuration: every `*.tf` in a directory, variable files, and local modules, parsed with
//! hcl-edit so every block and expression keeps its source span; the module tree and addresses. It
//! must not evaluate expressions: it hands `desired` the expressions and where they came from.

pub mod addr;
mod body;
mod decode;
mod load;
pub mod settings;
mod vars;

pub use body::{Attr, Block, Body, Expr};
pub use decode::did_you_mean;
pub use load::{LoadOptions, MAX_FILE_BYTES, load_config, parse_error, read_function_file};
pub use vars::{VarSource, VarValue};

use crate::diag::{SourceMap, Span};
use addr::Mode;
use std::path::PathBuf;

/// Index of a module in [`Config::modules`]; 0 is the root module.
pub type ModuleId = usize;

/// A loaded configuration: the root module, every module it calls (recursively), the sources read,
/// and the root module's input variable values as written by the user.
#[derive(Debug)]
pub struct Config {
    pub sources: SourceMap,
    pub modules: Vec<Module>,
    /// Values for the root module's variables, in precedence order (later wins).
    pub variable_values: Vec<VarValue>,
}

impl Config {
    pub fn root(&self) -> &Module {
        &self.modules[0]
    }
}

/// One module folder's blocks.
#[derive(Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    /// `terraform { backend "TYPE" { … } }`.
    pub backend: Option<Backend>,
    pub required_version: Option<Expr>,
    pub providers: Vec<ProviderConfig>,
    pub variables: Vec<Variable>,
    pub locals: Vec<Local>,
    pub outputs: Vec<Output>,
    pub resources: Vec<Resource>,
    pub module_calls: Vec<ModuleCall>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub removed: Vec<Removed>,
    pub checks: Vec<Check>,
}

#[derive(Debug)]
pub struct Backend {
    pub kind: String,
    pub body: Body,
    pub span: Span,
}

/// `provider "azurerm" { … }`.
#[derive(Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub span: Span,
}

/// A `condition` / `error_message` pair (validation, precondition, postcondition, assert).
#[derive(Debug)]
pub struct Condition {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub struct Variable {
    pub name: String,
    pub type_expr: Option<Expr>,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: Option<Expr>,
    pub nullable: Option<Expr>,
    pub validations: Vec<Condition>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub struct Output {
    pub name: String,
    pub value: Option<Expr>,
    pub sensitive: Option<Expr>,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<Condition>,
    pub span: Span,
}

/// `provider = azurerm.NAME` on a resource, data source or module's `providers` map.
#[derive(Debug, Clone)]
pub struct ProviderRef {
    pub name: String,
    pub alias: Option<String>,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: Option<Expr>,
    pub prevent_destroy: Option<Expr>,
    /// `ignore_changes`: either the keyword `all` or a list of attribute references.
    pub ignore_changes: Option<Expr>,
    pub replace_triggered_by: Option<Expr>,
    pub preconditions: Vec<Condition>,
    pub postconditions: Vec<Condition>,
}

/// A `resource` or `data` block.
#[derive(Debug)]
pub struct Resource {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
    /// The block's header, for diagnostics about the whole resource.
    pub span: Span,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    pub provider: Option<ProviderRef>,
    pub lifecycle: Lifecycle,
    /// Every other argument and block, checked against the type's schema by `desired`.
    pub body: Body,
}

/// A `module "NAME" { source = "./x" … }` call.
#[derive(Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    /// The called module, once loaded.
    pub module: Option<ModuleId>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    pub providers: Vec<(String, ProviderRef)>,
    /// Input variable arguments.
    pub arguments: Vec<Attr>,
    pub span: Span,
}

/// `moved { from = … to = … }`.
#[derive(Debug)]
pub struct Moved {
    pub from: Expr,
    pub to: Expr,
    pub span: Span,
}

/// `import { to = … id = … }`.
#[derive(Debug)]
pub struct Import {
    pub to: Expr,
    pub id: Expr,
    pub for_each: Option<Expr>,
    pub provider: Option<ProviderRef>,
    pub span: Span,
}

/// `removed { from = … lifecycle { destroy = … } }`.
#[derive(Debug)]
pub struct Removed {
    pub from: Expr,
    pub destroy: Option<Expr>,
    pub span: Span,
}

/// `check "NAME" { data … assert { … } }`.
#[derive(Debug)]
pub struct Check {
    pub name: String,
    pub data: Vec<Resource>,
    pub asserts: Vec<Condition>,
    pub span: Span,
}
