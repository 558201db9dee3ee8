//! Decoding one file's top-level blocks into the module model: block types, labels, meta-arguments and
//! the fixed arguments of `variable`, `output`, `module`, `moved`, `import`, `removed`, `check` and
//! `terraform`. Resource arguments are left for `desired` to check against the schema. No evaluation.

use super::body::{Attr, Block, Body, Expr};
use super::{
    Backend, Check, Condition, Import, Lifecycle, Local, Module, ModuleCall, Moved, Output,
    ProviderConfig, ProviderRef, Removed, Resource, Variable,
};
use crate::config::addr::Mode;
use crate::diag::{Diagnostic, FileId, Span};
use hcl_edit::expr::Expression;

const TOP_LEVEL: &[&str] = &[
    "terraform",
    "provider",
    "variable",
    "locals",
    "output",
    "resource",
    "data",
    "module",
    "moved",
    "import",
    "removed",
    "check",
];

/// Arguments of `provider "azurerm"` that peerform accepts (azurerm 4.x provider arguments).
const AZURERM_PROVIDER_ARGS: &[&str] = &[
    "alias",
    "subscription_id",
    "tenant_id",
    "client_id",
    "client_secret",
    "client_id_file_path",
    "client_secret_file_path",
    "client_certificate",
    "client_certificate_path",
    "client_certificate_password",
    "environment",
    "metadata_host",
    "use_oidc",
    "oidc_token",
    "oidc_token_file_path",
    "oidc_request_token",
    "oidc_request_url",
    "use_msi",
    "msi_endpoint",
    "use_cli",
    "use_aks_workload_identity",
    "auxiliary_tenant_ids",
    "partner_id",
    "disable_correlation_request_id",
    "disable_terraform_partner_id",
    "storage_use_azuread",
    "skip_provider_registration",
    "resource_provider_registrations",
    "resource_providers_to_register",
    "ado_pipeline_service_connection_id",
];

struct Decoder<'a> {
    file: FileId,
    text: &'a str,
    module: Module,
    diags: Vec<Diagnostic>,
}

pub(super) fn decode_file(
    body: hcl_edit::structure::Body,
    file: FileId,
    text: &str,
) -> (Module, Vec<Diagnostic>) {
    let body = Body::from_hcl(body, file, text);
    let mut d = Decoder {
        file,
        text,
        module: Module::default(),
        diags: Vec::new(),
    };
    for attr in &body.attributes {
        d.diags.push(
            Diagnostic::error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected here. Top-level arguments are not allowed: put it inside a block such as locals {{}}.",
                    attr.name
                ),
            )
            .with_span(attr.span),
        );
    }
    for block in body.blocks {
        d.block(block);
    }
    let _ = (d.file, d.text);
    (d.module, d.diags)
}

/// A valid Terraform identifier: a letter or underscore, then letters, digits, `_` or `-`.
pub(super) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Hint for a misspelled name among candidates.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

impl Decoder<'_> {
    fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>, span: Span) {
        self.diags
            .push(Diagnostic::error(summary, detail).with_span(span));
    }

    fn labels(&mut self, block: &Block, names: &[&str]) -> bool {
        if block.labels.len() != names.len() {
            let summary = if block.labels.len() < names.len() {
                format!("Missing name for {}", block.kind)
            } else {
                format!("Extraneous label for {}", block.kind)
            };
            let detail = if names.is_empty() {
                format!("No labels are expected for {} blocks.", block.kind)
            } else {
                format!(
                    "All {} blocks must have {} label{} ({}).",
                    block.kind,
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                )
            };
            self.error(summary, detail, block.span);
            return false;
        }
        for label in &block.labels {
            if !is_identifier(label) {
                self.error(
                    format!("Invalid {} name", if block.kind == "data" { "data source" } else { &block.kind }),
                    format!("{label:?} is not a valid name. A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes."),
                    block.span,
                );
                return false;
            }
        }
        true
    }

    fn block(&mut self, block: Block) {
        match block.kind.as_str() {
            "terraform" => self.terraform(block),
            "provider" => self.provider(block),
            "variable" => self.variable(block),
            "locals" => self.locals(block),
            "output" => self.output(block),
            "resource" => {
                if let Some(r) = self.resource(block, Mode::Managed) {
                    self.module.resources.push(r);
                }
            }
            "data" => {
                if let Some(r) = self.resource(block, Mode::Data) {
                    self.module.resources.push(r);
                }
            }
            "module" => self.module_call(block),
            "moved" => self.moved(block),
            "import" => self.import(block),
            "removed" => self.removed(block),
            "check" => self.check(block),
            other => {
                let hint = did_you_mean(other, TOP_LEVEL.iter().copied())
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                self.error(
                    "Unsupported block type",
                    format!("Blocks of type \"{other}\" are not expected here.{hint}"),
                    block.span,
                );
            }
        }
    }

    /// Report every attribute and block left in a body after the known ones were taken.
    fn leftovers(&mut self, body: Body, allowed: &[&str]) {
        for attr in body.attributes {
            let hint = did_you_mean(&attr.name, allowed.iter().copied())
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            self.error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected here.{hint}",
                    attr.name
                ),
                attr.span,
            );
        }
        for block in body.blocks {
            let hint = did_you_mean(&block.kind, allowed.iter().copied())
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            self.error(
                "Unsupported block type",
                format!(
                    "Blocks of type \"{}\" are not expected here.{hint}",
                    block.kind
                ),
                block.span,
            );
        }
    }

    fn required(&mut self, body: &mut Body, name: &str, block: &Block) -> Option<Expr> {
        match body.take_attribute(name) {
            Some(a) => Some(a.expr),
            None => {
                self.error(
                    "Missing required argument",
                    format!("The argument \"{name}\" is required, but no definition was found."),
                    block.span,
                );
                None
            }
        }
    }

    fn conditions(&mut self, blocks: Vec<Block>) -> Vec<Condition> {
        let mut out = Vec::new();
        for mut b in blocks {
            let span = b.span;
            if !self.labels(&b, &[]) {
                continue;
            }
            let mut body = std::mem::take(&mut b.body);
            let condition = self.required(&mut body, "condition", &b);
            let error_message = self.required(&mut body, "error_message", &b);
            self.leftovers(body, &["condition", "error_message"]);
            if let (Some(condition), Some(error_message)) = (condition, error_message) {
                out.push(Condition {
                    condition,
                    error_message,
                    span,
                });
            }
        }
        out
    }

    /// Lifecycle flags must be literal booleans, as in Terraform.
    fn bool_literal(&mut self, expr: &Expr, what: &str) {
        match &expr.expr {
            Expression::Bool(_) => {}
            _ => {
                self.error(
                    format!("Invalid {what} value"),
                    format!("The {what} argument must be true or false, written literally."),
                    expr.span(),
                );
            }
        }
    }

    fn terraform(&mut self, mut block: Block) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        if let Some(v) = body.take_attribute("required_version") {
            self.module.required_version = Some(v.expr);
        }
        for rp in body.take_blocks("required_providers") {
            for attr in &rp.body.attributes {
                if attr.name != "azurerm" {
                    self.error(
                        "Unsupported provider",
                        format!(
                            "peerform supports the azurerm provider only; \"{}\" cannot be planned. Remove it from required_providers, or manage those resources with Terraform.",
                            attr.name
                        ),
                        attr.span,
                    );
                }
            }
        }
        for backend in body.take_blocks("backend") {
            if !self.labels(&backend, &["type"]) {
                continue;
            }
            let kind = backend.labels[0].clone();
            if !["local", "pg", "azurerm"].contains(&kind.as_str()) {
                self.error(
                    "Unsupported backend type",
                    format!("There is no backend type named \"{kind}\" in peerform. Use \"local\", \"pg\" or \"azurerm\"."),
                    backend.span,
                );
                continue;
            }
            if self.module.backend.is_some() {
                self.error(
                    "Duplicate backend configuration",
                    "A module may have only one backend configuration.",
                    backend.span,
                );
                continue;
            }
            self.module.backend = Some(Backend {
                kind,
                span: backend.span,
                body: backend.body,
            });
        }
        for cloud in body.take_blocks("cloud") {
            self.error(
                "Unsupported block type",
                "HCP Terraform (the cloud block) is not supported by peerform. Use a backend block: \"local\", \"pg\" or \"azurerm\".",
                cloud.span,
            );
        }
        // Accepted and ignored: they change nothing about planning ExpressRoute.
        let _ = body.take_attribute("experiments");
        let _ = body.take_blocks("provider_meta");
        self.leftovers(body, &["required_version", "required_providers", "backend"]);
    }

    fn provider(&mut self, mut block: Block) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let name = block.labels[0].clone();
        if name != "azurerm" {
            self.error(
                "Unsupported provider",
                format!(
                    "peerform supports the azurerm provider only; provider \"{name}\" cannot be configured. Manage those resources with Terraform."
                ),
                block.span,
            );
            return;
        }
        let body = std::mem::take(&mut block.body);
        let alias = match body.attribute("alias") {
            Some(a) => match a.expr.as_literal_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    self.error(
                        "Invalid provider alias",
                        "The alias must be a literal string.",
                        a.span,
                    );
                    None
                }
            },
            None => None,
        };
        // Report what azurerm does not know; keep the body for later use.
        let unknown = Body {
            attributes: body
                .attributes
                .iter()
                .filter(|a| !AZURERM_PROVIDER_ARGS.contains(&a.name.as_str()))
                .cloned()
                .collect(),
            blocks: body
                .blocks
                .iter()
                .filter(|b| !["features", "client_certificate"].contains(&b.kind.as_str()))
                .cloned()
                .collect(),
        };
        self.leftovers(unknown, AZURERM_PROVIDER_ARGS);
        self.module.providers.push(ProviderConfig {
            name,
            alias,
            body,
            span: block.span,
        });
    }

    fn variable(&mut self, mut block: Block) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let name = block.labels[0].clone();
        if [
            "source",
            "version",
            "providers",
            "count",
            "for_each",
            "lifecycle",
            "depends_on",
            "locals",
        ]
        .contains(&name.as_str())
        {
            self.error(
                "Invalid variable name",
                format!("The variable name \"{name}\" is reserved due to its special meaning inside module blocks."),
                block.span,
            );
        }
        let mut body = std::mem::take(&mut block.body);
        let description = body
            .take_attribute("description")
            .and_then(|a| a.expr.as_literal_str().map(str::to_string));
        let variable = Variable {
            name,
            type_expr: body.take_attribute("type").map(|a| a.expr),
            default: body.take_attribute("default").map(|a| a.expr),
            description,
            sensitive: body.take_attribute("sensitive").map(|a| a.expr),
            nullable: body.take_attribute("nullable").map(|a| a.expr),
            validations: {
                let blocks = body.take_blocks("validation");
                self.conditions(blocks)
            },
            span: block.span,
        };
        let _ = body.take_attribute("ephemeral");
        self.leftovers(
            body,
            &[
                "type",
                "default",
                "description",
                "sensitive",
                "nullable",
                "validation",
            ],
        );
        self.module.variables.push(variable);
    }

    fn locals(&mut self, block: Block) {
        if !self.labels(&block, &[]) {
            return;
        }
        for b in block.body.blocks {
            self.error(
                "Unsupported block type",
                format!("Blocks of type \"{}\" are not expected here: locals holds only name = value arguments.", b.kind),
                b.span,
            );
        }
        for attr in block.body.attributes {
            self.module.locals.push(Local {
                name: attr.name,
                span: attr.span,
                expr: attr.expr,
            });
        }
    }

    fn output(&mut self, mut block: Block) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        let value = self.required(&mut body, "value", &block);
        let _ = body.take_attribute("description");
        let _ = body.take_attribute("ephemeral");
        let output = Output {
            name: block.labels[0].clone(),
            value,
            sensitive: body.take_attribute("sensitive").map(|a| a.expr),
            depends_on: self.depends_on(&mut body),
            preconditions: {
                let b = body.take_blocks("precondition");
                self.conditions(b)
            },
            span: block.span,
        };
        self.leftovers(
            body,
            &[
                "value",
                "description",
                "sensitive",
                "depends_on",
                "precondition",
            ],
        );
        self.module.outputs.push(output);
    }

    fn depends_on(&mut self, body: &mut Body) -> Vec<Expr> {
        let Some(attr) = body.take_attribute("depends_on") else {
            return Vec::new();
        };
        match attr.expr.expr {
            Expression::Array(items) => items
                .into_iter()
                .map(|expr| Expr {
                    file: attr.expr.file,
                    expr,
                })
                .collect(),
            _ => {
                self.error(
                    "Invalid depends_on",
                    "depends_on must be a list of references to resources, data sources or modules, such as [azurerm_express_route_circuit.primary].",
                    attr.span,
                );
                Vec::new()
            }
        }
    }

    fn provider_ref(&mut self, attr: &Attr) -> Option<ProviderRef> {
        // `azurerm` or `azurerm.ALIAS`, written as a bare reference.
        let text = self
            .text
            .get(attr.expr.span().start..attr.expr.span().end)
            .unwrap_or("")
            .trim();
        let mut parts = text.splitn(2, '.');
        let name = parts.next().unwrap_or("").to_string();
        let alias = parts.next().map(str::to_string);
        let valid = is_identifier(&name) && alias.as_deref().is_none_or(is_identifier);
        if !valid {
            self.error(
                "Invalid provider reference",
                "The provider argument takes a provider name, optionally with an alias, written without quotes: provider = azurerm.secondary.",
                attr.span,
            );
            return None;
        }
        if name != "azurerm" {
            self.error(
                "Unsupported provider",
                format!(
                    "peerform supports the azurerm provider only; \"{name}\" cannot be used here."
                ),
                attr.span,
            );
            return None;
        }
        Some(ProviderRef {
            name,
            alias,
            span: attr.span,
        })
    }

    fn resource(&mut self, mut block: Block, mode: Mode) -> Option<Resource> {
        if !self.labels(&block, &["type", "name"]) {
            return None;
        }
        let type_name = block.labels[0].clone();
        let name = block.labels[1].clone();
        let mut body = std::mem::take(&mut block.body);
        let count = body.take_attribute("count");
        let for_each = body.take_attribute("for_each");
        if let (Some(_), Some(fe)) = (&count, &for_each) {
            self.error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
                fe.span,
            );
        }
        let depends_on = self.depends_on(&mut body);
        let provider = match body.take_attribute("provider") {
            Some(attr) => self.provider_ref(&attr),
            None => None,
        };
        let mut lifecycle = Lifecycle::default();
        let lifecycle_blocks = body.take_blocks("lifecycle");
        if lifecycle_blocks.len() > 1 {
            self.error(
                "Duplicate lifecycle block",
                "A resource may have only one lifecycle block.",
                lifecycle_blocks[1].span,
            );
        }
        for mut lc in lifecycle_blocks.into_iter().take(1) {
            let mut lb = std::mem::take(&mut lc.body);
            lifecycle.create_before_destroy =
                lb.take_attribute("create_before_destroy").map(|a| a.expr);
            lifecycle.prevent_destroy = lb.take_attribute("prevent_destroy").map(|a| a.expr);
            lifecycle.ignore_changes = lb.take_attribute("ignore_changes").map(|a| a.expr);
            lifecycle.replace_triggered_by =
                lb.take_attribute("replace_triggered_by").map(|a| a.expr);
            let pre = lb.take_blocks("precondition");
            lifecycle.preconditions = self.conditions(pre);
            let post = lb.take_blocks("postcondition");
            lifecycle.postconditions = self.conditions(post);
            if mode == Mode::Data {
                for name in [
                    "create_before_destroy",
                    "prevent_destroy",
                    "ignore_changes",
                    "replace_triggered_by",
                ] {
                    let set = match name {
                        "create_before_destroy" => lifecycle.create_before_destroy.take(),
                        "prevent_destroy" => lifecycle.prevent_destroy.take(),
                        "ignore_changes" => lifecycle.ignore_changes.take(),
                        _ => lifecycle.replace_triggered_by.take(),
                    };
                    if let Some(e) = set {
                        self.error(
                            "Unsupported argument",
                            format!("An argument named \"{name}\" is not expected here: data sources are only read, never changed."),
                            e.span(),
                        );
                    }
                }
            }
            for (name, expr) in [
                ("create_before_destroy", &lifecycle.create_before_destroy),
                ("prevent_destroy", &lifecycle.prevent_destroy),
            ] {
                if let Some(e) = expr {
                    self.bool_literal(e, name);
                }
            }
            self.leftovers(
                lb,
                &[
                    "create_before_destroy",
                    "prevent_destroy",
                    "ignore_changes",
                    "replace_triggered_by",
                    "precondition",
                    "postcondition",
                ],
            );
        }
        for kind in ["provisioner", "connection"] {
            for b in body.take_blocks(kind) {
                self.error(
                    "Unsupported block type",
                    format!("Blocks of type \"{kind}\" are not supported by peerform: Azure objects are configured through their arguments."),
                    b.span,
                );
            }
        }
        if !type_name.starts_with("azurerm_") {
            let provider = type_name.split('_').next().unwrap_or(&type_name);
            self.error(
                "Unsupported provider",
                format!(
                    "{} \"{type_name}\" \"{name}\" belongs to the \"{provider}\" provider; peerform supports azurerm resources only. Manage it with Terraform, or remove it.",
                    if mode == Mode::Data { "Data source" } else { "Resource" }
                ),
                block.span,
            );
            return None;
        }
        Some(Resource {
            mode,
            type_name,
            name,
            span: block.span,
            count: count.map(|a| a.expr),
            for_each: for_each.map(|a| a.expr),
            depends_on,
            provider,
            lifecycle,
            body,
        })
    }

    fn module_call(&mut self, mut block: Block) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        let source = match body.take_attribute("source") {
            Some(a) => match a.expr.as_literal_str() {
                Some(s) => s.to_string(),
                None => {
                    self.error(
                        "Invalid module source",
                        "The module source must be a literal string, such as \"./modules/expressroute-circuit\".",
                        a.span,
                    );
                    String::new()
                }
            },
            None => {
                self.error(
                    "Missing required argument",
                    "The argument \"source\" is required, but no definition was found.",
                    block.span,
                );
                String::new()
            }
        };
        if let Some(v) = body.take_attribute("version") {
            self.error(
                "Invalid module version",
                "A version constraint is only for registry modules; peerform reads local modules only, whose version is the repository's.",
                v.span,
            );
        }
        let count = body.take_attribute("count");
        let for_each = body.take_attribute("for_each");
        if let (Some(_), Some(fe)) = (&count, &for_each) {
            self.error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of module instances to be created.",
                fe.span,
            );
        }
        let depends_on = self.depends_on(&mut body);
        let mut providers = Vec::new();
        if let Some(p) = body.take_attribute("providers") {
            if let Expression::Object(object) = &p.expr.expr {
                for (key, value) in object.iter() {
                    let key_text = match key {
                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(e) => {
                            let r = hcl_edit::Span::span(e).unwrap_or(0..0);
                            self.text.get(r).unwrap_or("").trim().to_string()
                        }
                    };
                    let fake = Attr {
                        name: key_text.clone(),
                        span: p.span,
                        expr: Expr {
                            file: p.expr.file,
                            expr: value.expr().clone(),
                        },
                    };
                    if let Some(r) = self.provider_ref(&fake) {
                        providers.push((key_text, r));
                    }
                }
            } else {
                self.error(
                    "Invalid providers argument",
                    "providers must be a map such as { azurerm = azurerm.secondary }.",
                    p.span,
                );
            }
        }
        for b in std::mem::take(&mut body.blocks) {
            self.error(
                "Unsupported block type",
                format!("Blocks of type \"{}\" are not expected here: module arguments are input variables.", b.kind),
                b.span,
            );
        }
        self.module.module_calls.push(ModuleCall {
            name: block.labels[0].clone(),
            source,
            module: None,
            count: count.map(|a| a.expr),
            for_each: for_each.map(|a| a.expr),
            depends_on,
            providers,
            arguments: body.attributes,
            span: block.span,
        });
    }

    fn moved(&mut self, mut block: Block) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        let from = self.required(&mut body, "from", &block);
        let to = self.required(&mut body, "to", &block);
        self.leftovers(body, &["from", "to"]);
        if let (Some(from), Some(to)) = (from, to) {
            self.module.moved.push(Moved {
                from,
                to,
                span: block.span,
            });
        }
    }

    fn import(&mut self, mut block: Block) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        let to = self.required(&mut body, "to", &block);
        let id = self.required(&mut body, "id", &block);
        let for_each = body.take_attribute("for_each").map(|a| a.expr);
        let provider = match body.take_attribute("provider") {
            Some(a) => self.provider_ref(&a),
            None => None,
        };
        self.leftovers(body, &["to", "id", "for_each", "provider"]);
        if let (Some(to), Some(id)) = (to, id) {
            self.module.imports.push(Import {
                to,
                id,
                for_each,
                provider,
                span: block.span,
            });
        }
    }

    fn removed(&mut self, mut block: Block) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        let from = self.required(&mut body, "from", &block);
        let mut destroy = None;
        for mut lc in body.take_blocks("lifecycle") {
            destroy = lc.body.take_attribute("destroy").map(|a| a.expr);
            let lb = std::mem::take(&mut lc.body);
            self.leftovers(lb, &["destroy"]);
        }
        self.leftovers(body, &["from", "lifecycle"]);
        if let Some(from) = from {
            self.module.removed.push(Removed {
                from,
                destroy,
                span: block.span,
            });
        }
    }

    fn check(&mut self, mut block: Block) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let mut body = std::mem::take(&mut block.body);
        let mut data = Vec::new();
        for d in body.take_blocks("data") {
            if let Some(r) = self.resource(d, Mode::Data) {
                data.push(r);
            }
        }
        let asserts_blocks = body.take_blocks("assert");
        let asserts = self.conditions(asserts_blocks);
        if asserts.is_empty() {
            self.error(
                "Missing assert block",
                "A check block needs at least one assert block with a condition and an error_message.",
                block.span,
            );
        }
        self.leftovers(body, &["data", "assert"]);
        self.module.checks.push(Check {
            name: block.labels[0].clone(),
            data,
            asserts,
            span: block.span,
        });
    }
}
