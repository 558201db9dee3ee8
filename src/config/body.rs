//! A parsed block body kept for later evaluation: attributes with their expressions and nested blocks,
//! each with its span. Converted once from hcl-edit's tree, moving the expressions (never re-parsed).

use crate::diag::{FileId, Span};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

/// An expression and the file it came from.
#[derive(Debug, Clone)]
pub struct Expr {
    pub file: FileId,
    pub expr: Expression,
}

impl Expr {
    pub fn span(&self) -> Span {
        Span::new(self.file, self.expr.span().unwrap_or(0..0))
    }

    /// A string literal's text, when the expression is one.
    pub fn as_literal_str(&self) -> Option<&str> {
        match &self.expr {
            Expression::String(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    /// The whole `name = value` line.
    pub span: Span,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    /// The block's header (its type and labels).
    pub span: Span,
    pub body: Body,
}

#[derive(Debug, Clone, Default)]
pub struct Body {
    pub attributes: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attr> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn take_attribute(&mut self, name: &str) -> Option<Attr> {
        let index = self.attributes.iter().position(|a| a.name == name)?;
        Some(self.attributes.remove(index))
    }

    pub fn take_blocks(&mut self, kind: &str) -> Vec<Block> {
        let (taken, kept) = std::mem::take(&mut self.blocks)
            .into_iter()
            .partition(|b| b.kind == kind);
        self.blocks = kept;
        taken
    }

    /// Convert an hcl-edit body, moving its expressions.
    pub fn from_hcl(body: hcl_edit::structure::Body, file: FileId, text: &str) -> Body {
        let mut out = Body::default();
        for structure in body.into_iter() {
            match structure {
                hcl_edit::structure::Structure::Attribute(attr) => {
                    let span = Span::new(file, attr.span().unwrap_or(0..0));
                    out.attributes.push(Attr {
                        name: attr.key.as_str().to_string(),
                        span,
                        expr: Expr {
                            file,
                            expr: attr.value,
                        },
                    });
                }
                hcl_edit::structure::Structure::Block(block) => {
                    let whole = block.span().unwrap_or(0..0);
                    // The header runs from the block's start to its opening brace.
                    let header_end = text
                        .get(whole.clone())
                        .and_then(|t| t.find('{'))
                        .map(|i| whole.start + i)
                        .unwrap_or(whole.end);
                    let header_text = text.get(whole.start..header_end).unwrap_or("");
                    let header_end = whole.start + header_text.trim_end().len();
                    out.blocks.push(Block {
                        kind: block.ident.as_str().to_string(),
                        labels: block
                            .labels
                            .iter()
                            .map(|l| l.as_str().to_string())
                            .collect(),
                        span: Span::new(file, whole.start..header_end.max(whole.start)),
                        body: Body::from_hcl(block.body, file, text),
                    });
                }
            }
        }
        out
    }
}
