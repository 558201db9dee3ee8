//! `peerform.hcl`: the optional settings file beside the configuration. Today it holds one block,
//! `rules { C6 = "off"  G1 = "warning" }`, which changes a domain rule's severity or switches it
//! off. Read and parsed here with spans (the file joins the source map so mistakes point at their
//! line); what the ids and levels mean is the rules module's business. Also the literal
//! `subscription_id` of each `provider "azurerm"` block, a fact some rules use. It must not
//! evaluate expressions.

use super::{Body, Config};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The settings file's name, beside the `.tf` files.
pub const SETTINGS_FILE: &str = "peerform.hcl";

/// What `peerform.hcl` says.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `rules { ID = "level" }` entries in file order: id, level, span of the line.
    pub rules: Vec<(String, String, Span)>,
}

/// Read `dir/peerform.hcl` when it exists (a missing file is no error). The file is added to
/// `sources`.
pub fn load_settings(dir: &Path, sources: &mut SourceMap) -> (Settings, Diagnostics) {
    let path = dir.join(SETTINGS_FILE);
    let mut diagnostics = Diagnostics::new();
    if !path.is_file() {
        return (Settings::default(), diagnostics);
    }
    let text = match std::fs::read(&path) {
        Ok(bytes) if bytes.len() <= super::MAX_FILE_BYTES => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                diagnostics.push(Diagnostic::error(
                    "Invalid character encoding",
                    format!("{SETTINGS_FILE} is not valid UTF-8. Save it as UTF-8 text."),
                ));
                return (Settings::default(), diagnostics);
            }
        },
        Ok(_) => {
            diagnostics.push(Diagnostic::error(
                "Settings file too large",
                format!("{SETTINGS_FILE} is larger than any settings file needs to be; it holds a rules block only."),
            ));
            return (Settings::default(), diagnostics);
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                "Failed to read file",
                format!("Cannot read {SETTINGS_FILE}: {e}."),
            ));
            return (Settings::default(), diagnostics);
        }
    };
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(SETTINGS_FILE.into(), text.clone());
    let body = match hcl_edit::parser::parse_body(&text) {
        Ok(body) => Body::from_hcl(body, file, &text),
        Err(e) => {
            diagnostics.push(super::load::parse_error(file, &text, &e));
            return (Settings::default(), diagnostics);
        }
    };
    let mut settings = Settings::default();
    for attr in &body.attributes {
        diagnostics.push(
            Diagnostic::error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected in {SETTINGS_FILE}, which holds a rules {{ ID = \"off\" }} block.",
                    attr.name
                ),
            )
            .with_span(attr.span),
        );
    }
    for block in &body.blocks {
        if block.kind != "rules" || !block.labels.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!(
                        "Blocks of type \"{}\" are not expected in {SETTINGS_FILE}; it holds a rules {{ ID = \"off\" }} block.",
                        block.kind
                    ),
                )
                .with_span(block.span),
            );
            continue;
        }
        for nested in &block.body.blocks {
            diagnostics.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!(
                        "A rules block holds only ID = \"level\" lines, not a \"{}\" block.",
                        nested.kind
                    ),
                )
                .with_span(nested.span),
            );
        }
        for attr in &block.body.attributes {
            match attr.expr.as_literal_str() {
                Some(level) => settings
                    .rules
                    .push((attr.name.clone(), level.to_string(), attr.span)),
                None => diagnostics.push(
                    Diagnostic::error(
                        "Invalid rule level",
                        format!(
                            "Rule {} must be set to a quoted level: \"off\", \"info\", \"warning\" or \"error\".",
                            attr.name
                        ),
                    )
                    .with_span(attr.expr.span()),
                ),
            }
        }
    }
    (settings, diagnostics)
}

/// The `subscription_id` each root `provider "azurerm"` block states as a literal string, by alias
/// ("" for the default configuration).
pub fn provider_subscriptions(config: &Config) -> BTreeMap<String, String> {
    config
        .root()
        .providers
        .iter()
        .filter(|p| p.name == "azurerm")
        .filter_map(|p| {
            let id = p.body.attribute("subscription_id")?.expr.as_literal_str()?;
            Some((p.alias.clone().unwrap_or_default(), id.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Settings, Diagnostics) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), text).unwrap();
        let mut sources = SourceMap::new();
        load_settings(dir.path(), &mut sources)
    }

    #[test]
    fn reads_rule_levels_with_spans() {
        let (settings, diagnostics) = load("rules {\n  C6 = \"off\"\n  G1 = \"warning\"\n}\n");
        assert!(diagnostics.is_empty());
        let pairs: Vec<(&str, &str)> = settings
            .rules
            .iter()
            .map(|(id, level, _)| (id.as_str(), level.as_str()))
            .collect();
        assert_eq!(pairs, vec![("C6", "off"), ("G1", "warning")]);
    }

    #[test]
    fn missing_file_is_fine_and_mistakes_are_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let mut sources = SourceMap::new();
        let (settings, diagnostics) = load_settings(dir.path(), &mut sources);
        assert!(settings.rules.is_empty() && diagnostics.is_empty());
        for bad in [
            "rules { C6 = off }",
            "rule { C6 = \"off\" }",
            "x = 1",
            "rules {",
            "rules { nested {} }",
        ] {
            let (_, diagnostics) = load(bad);
            assert!(diagnostics.has_errors(), "{bad}");
        }
    }
}
