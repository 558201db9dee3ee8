//! The rewrites `terraform fmt` makes beyond spacing, on the token list before layout: a value that is
//! a lone interpolation (`"${var.x}"`) is unwrapped to the bare expression; a `type` in a `variable`
//! block written in the pre-0.12 style (`"string"`, `list`) becomes the modern type expression; block
//! labels are rewritten as plain quoted strings (identifiers quoted, comments between labels dropped).
//! It finds attributes and blocks by walking the tokens; when the walk meets a shape it does not
//! expect it gives up and leaves the tokens as they are, rather than guess.

use super::layout::WriterToken;
use super::token::Kind;
use std::borrow::Cow;
use std::ops::Range;

/// A replacement of a token range with new tokens.
struct Edit<'a> {
    range: Range<usize>,
    tokens: Vec<WriterToken<'a>>,
}

/// Where the token walk found a shape HCL's parser refuses: the index of the offending token and
/// what was expected there.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Misplaced {
    pub index: usize,
    pub summary: &'static str,
    pub detail: &'static str,
}

/// Apply Terraform's rewrites to a whole file's tokens (ending with `Eof`). The walk also checks the
/// body structure the way Terraform's parser does (one item per line, single-line blocks hold at
/// most one argument); a file that breaks it is refused rather than formatted.
pub(crate) fn rewrite(tokens: Vec<WriterToken<'_>>) -> Result<Vec<WriterToken<'_>>, Misplaced> {
    let mut walker = Walker {
        tokens: &tokens,
        pos: 0,
        edits: Vec::new(),
        blocks: Vec::new(),
    };
    walker.body(BodyKind::File)?;
    if walker.edits.is_empty() {
        return Ok(tokens);
    }
    let mut edits = std::mem::take(&mut walker.edits);
    edits.sort_by_key(|e| e.range.start);
    let mut out = Vec::with_capacity(tokens.len());
    let mut edits = edits.into_iter().peekable();
    let mut skip_until = 0;
    for (i, token) in tokens.into_iter().enumerate() {
        while let Some(edit) = edits.next_if(|e| e.range.start <= i) {
            // Edits never overlap on well-formed input; a stray one is dropped rather than mangle.
            if edit.range.start == i && i >= skip_until {
                out.extend(edit.tokens);
                skip_until = edit.range.end;
            }
        }
        if i >= skip_until {
            out.push(token);
        }
    }
    Ok(out)
}

/// Which body is being walked: the file, a block's multi-line body, or a single-line block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    File,
    Block,
    SingleLine,
}

const ITEM_REQUIRED: (&str, &str) = (
    "Argument or block definition required",
    "An argument or block definition is required here.",
);
const NEWLINE_AFTER_ARGUMENT: (&str, &str) = (
    "Missing newline after argument",
    "An argument definition must end with a newline.",
);
const NEWLINE_AFTER_BLOCK: (&str, &str) = (
    "Missing newline after block definition",
    "A block definition must end with a newline.",
);
const SINGLE_LINE_BLOCK: (&str, &str) = (
    "Invalid single-argument block definition",
    "A single-line block definition can contain only a single argument. To define more, or a nested block, place them on lines of their own within the block.",
);

struct Walker<'t, 'a> {
    tokens: &'t [WriterToken<'a>],
    pos: usize,
    edits: Vec<Edit<'a>>,
    /// Types of the blocks enclosing the current body, outermost first.
    blocks: Vec<String>,
}

impl<'a> Walker<'_, 'a> {
    fn kind(&self, at: usize) -> Kind {
        self.tokens.get(at).map_or(Kind::Eof, |t| t.kind)
    }

    fn misplaced(&self, (summary, detail): (&'static str, &'static str)) -> Misplaced {
        Misplaced {
            index: self.pos.min(self.tokens.len().saturating_sub(1)),
            summary,
            detail,
        }
    }

    fn is_line_comment(&self, at: usize) -> bool {
        self.kind(at) == Kind::Comment && self.tokens[at].text.ends_with('\n')
    }

    /// Skip `/* */` comments (which the parser ignores) but not line comments, which end a line.
    fn skip_inline_comments(&mut self) {
        while self.kind(self.pos) == Kind::Comment && !self.is_line_comment(self.pos) {
            self.pos += 1;
        }
    }

    /// After an item: the line must end here (or the file, or a single-line block's `}`).
    fn end_of_item(
        &mut self,
        body: BodyKind,
        what: (&'static str, &'static str),
    ) -> Result<(), Misplaced> {
        self.skip_inline_comments();
        match (body, self.kind(self.pos)) {
            (BodyKind::SingleLine, Kind::CBrace) => Ok(()),
            (BodyKind::SingleLine, _) => Err(self.misplaced(SINGLE_LINE_BLOCK)),
            // What is left after inline comments is a line comment, which ends the line.
            (_, Kind::Newline | Kind::Eof | Kind::Comment) => Ok(()),
            _ => Err(self.misplaced(what)),
        }
    }

    /// A body: items until `}` (or the end of input for the file). Leaves `pos` at the `}`.
    fn body(&mut self, body: BodyKind) -> Result<(), Misplaced> {
        let mut items = 0;
        loop {
            match self.kind(self.pos) {
                Kind::Newline | Kind::Comment if body != BodyKind::SingleLine => self.pos += 1,
                Kind::Eof if body == BodyKind::File => return Ok(()),
                Kind::CBrace if body != BodyKind::File => return Ok(()),
                Kind::Ident if body != BodyKind::SingleLine || items == 0 => {
                    self.item(body)?;
                    items += 1;
                }
                _ if body == BodyKind::SingleLine => return Err(self.misplaced(SINGLE_LINE_BLOCK)),
                _ => return Err(self.misplaced(ITEM_REQUIRED)),
            }
        }
    }

    fn item(&mut self, body: BodyKind) -> Result<(), Misplaced> {
        let name_at = self.pos;
        self.pos += 1;
        self.skip_inline_comments();
        if self.kind(self.pos) == Kind::Equal {
            self.pos += 1;
            self.attribute(name_at)?;
            return self.end_of_item(body, NEWLINE_AFTER_ARGUMENT);
        }
        if body == BodyKind::SingleLine {
            return Err(self.misplaced(SINGLE_LINE_BLOCK));
        }
        self.block(name_at)?;
        self.end_of_item(body, NEWLINE_AFTER_BLOCK)
    }

    fn attribute(&mut self, name_at: usize) -> Result<(), Misplaced> {
        // The value runs to the end of the line at bracket depth zero, or to a closing bracket it
        // did not open (the `}` of a single-line block).
        let start = self.pos;
        let mut depth: i64 = 0;
        loop {
            let kind = self.kind(self.pos);
            let closes = matches!(
                kind,
                Kind::CBrace
                    | Kind::CBrack
                    | Kind::CParen
                    | Kind::TemplateSeqEnd
                    | Kind::CQuote
                    | Kind::CHeredoc
            );
            match kind {
                Kind::Eof => break,
                Kind::Newline if depth == 0 => break,
                Kind::Comment if depth == 0 && self.is_line_comment(self.pos) => break,
                _ if closes && depth == 0 => break,
                Kind::OQuote | Kind::OHeredoc => depth += 1,
                Kind::CQuote | Kind::CHeredoc => depth -= 1,
                _ => depth += i64::from(kind.bracket_change()),
            }
            self.pos += 1;
        }
        // Comments before and after the value are not part of it.
        let mut value = start..self.pos;
        while !value.is_empty() && self.tokens[value.start].kind == Kind::Comment {
            value.start += 1;
        }
        while !value.is_empty() && self.tokens[value.end - 1].kind == Kind::Comment {
            value.end -= 1;
        }
        if value.is_empty() {
            return Err(
                self.misplaced(("Missing expression", "Expected the start of an expression."))
            );
        }
        self.check_objects(value.clone())?;
        let name = &self.tokens[name_at].text;
        let in_variable = self.blocks.len() == 1 && self.blocks[0] == "variable";
        let replacement = if in_variable && name == "type" {
            legacy_type(&self.tokens[value.clone()])
        } else {
            unwrap_interpolation(&self.tokens[value.clone()])
        };
        if let Some(tokens) = replacement {
            self.edits.push(Edit {
                range: value,
                tokens,
            });
        }
        Ok(())
    }

    /// Each item of an object constructor is `key = value` (or `key: value`) on one line, as HCL's
    /// parser requires: inside braces a line break ends the item unless a nested bracket is open.
    /// (hcl-edit lets some continuation lines through after a nested tuple, so this is checked here.)
    fn check_objects(&self, value: Range<usize>) -> Result<(), Misplaced> {
        #[derive(Default)]
        struct Item {
            first: Option<(usize, Kind)>,
            separator: Option<usize>,
            last: Option<usize>,
        }
        enum Frame {
            Object(Item),
            Other,
        }
        let finish = |item: &Item| -> Result<(), Misplaced> {
            let Some((first_at, first)) = item.first else {
                return Ok(());
            };
            let key_start = matches!(
                first,
                Kind::Ident
                    | Kind::OQuote
                    | Kind::OParen
                    | Kind::NumberLit
                    | Kind::Minus
                    | Kind::Bang
                    | Kind::OBrack
                    | Kind::OBrace
                    | Kind::OHeredoc
            );
            let complete = matches!((item.separator, item.last), (Some(sep), Some(last)) if sep > first_at && last > sep);
            if key_start && complete {
                Ok(())
            } else {
                Err(Misplaced {
                    index: first_at,
                    summary: "Invalid object item",
                    detail: "Each item of an object is a key, an equals sign (or colon) and a value, ended by a comma or a line break; a value continues on the next line only inside brackets.",
                })
            }
        };
        let mut frames: Vec<Frame> = Vec::new();
        for i in value {
            let token = &self.tokens[i];
            let kind = token.kind;
            let in_object = matches!(frames.last(), Some(Frame::Object(_)));
            let closes = matches!(
                kind,
                Kind::CBrace
                    | Kind::CBrack
                    | Kind::CParen
                    | Kind::TemplateSeqEnd
                    | Kind::CQuote
                    | Kind::CHeredoc
            );
            if in_object {
                let separator =
                    kind == Kind::Comma || kind == Kind::Newline || self.is_line_comment(i);
                if let Some(Frame::Object(item)) = frames.last_mut() {
                    if separator || kind == Kind::CBrace {
                        finish(item)?;
                        *item = Item::default();
                    } else if kind != Kind::Comment {
                        if item.first.is_none() {
                            item.first = Some((i, kind));
                        }
                        if matches!(kind, Kind::Equal | Kind::Colon) && item.separator.is_none() {
                            item.separator = Some(i);
                        }
                        item.last = Some(i);
                    }
                }
            }
            if closes {
                frames.pop();
            } else if kind == Kind::OBrace {
                let mut next = i + 1;
                while self.kind(next) == Kind::Newline {
                    next += 1;
                }
                let is_for = self.kind(next) == Kind::Ident && self.tokens[next].text == "for";
                frames.push(if is_for {
                    Frame::Other
                } else {
                    Frame::Object(Item::default())
                });
            } else if kind.bracket_change() > 0 || matches!(kind, Kind::OQuote | Kind::OHeredoc) {
                frames.push(Frame::Other);
            }
        }
        Ok(())
    }

    fn block(&mut self, type_at: usize) -> Result<(), Misplaced> {
        let mut labels: Vec<Range<usize>> = Vec::new();
        loop {
            self.skip_inline_comments();
            match self.kind(self.pos) {
                Kind::Ident => {
                    labels.push(self.pos..self.pos + 1);
                    self.pos += 1;
                }
                Kind::OQuote => {
                    let start = self.pos;
                    while !matches!(
                        self.kind(self.pos),
                        Kind::CQuote | Kind::Eof | Kind::Newline
                    ) {
                        self.pos += 1;
                    }
                    if self.kind(self.pos) != Kind::CQuote {
                        return Err(self.misplaced(ITEM_REQUIRED));
                    }
                    self.pos += 1;
                    labels.push(start..self.pos);
                }
                Kind::OBrace => break,
                _ => return Err(self.misplaced(ITEM_REQUIRED)),
            }
        }
        if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
            let values: Vec<String> = labels
                .iter()
                .filter_map(|range| label_value(&self.tokens[range.clone()]))
                .collect();
            let mut tokens = Vec::new();
            for value in values {
                tokens.push(WriterToken::new(Kind::OQuote, "\""));
                tokens.push(WriterToken {
                    kind: Kind::QuotedLit,
                    text: Cow::Owned(escape_quoted(&value)),
                    spaces_before: 0,
                });
                tokens.push(WriterToken::new(Kind::CQuote, "\""));
            }
            self.edits.push(Edit {
                range: first.start..last.end,
                tokens,
            });
        }
        self.pos += 1; // the `{`
        self.skip_inline_comments();
        let body = match self.kind(self.pos) {
            Kind::Newline | Kind::Comment => BodyKind::Block,
            _ => BodyKind::SingleLine,
        };
        self.blocks.push(self.tokens[type_at].text.to_string());
        let inner = self.body(body);
        self.blocks.pop();
        inner?;
        self.pos += 1; // the `}`
        Ok(())
    }
}

/// `"${ expr }"` → `expr` (in parentheses when it spans lines), as `terraform fmt` does. Only a
/// provably single interpolation qualifies: no literal text and no second sequence at the outer level.
fn unwrap_interpolation<'a>(value: &[WriterToken<'a>]) -> Option<Vec<WriterToken<'a>>> {
    let n = value.len();
    if n < 5
        || value[0].kind != Kind::OQuote
        || value[1].kind != Kind::TemplateInterp
        || value[n - 2].kind != Kind::TemplateSeqEnd
        || value[n - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &value[2..n - 2];
    let mut quotes = 0i64;
    for token in inside {
        match token.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    let mut start = 0;
    let mut end = inside.len();
    while start < end && inside[start].kind == Kind::Newline {
        start += 1;
    }
    while end > start && inside[end - 1].kind == Kind::Newline {
        end -= 1;
    }
    let trimmed = &inside[start..end];
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parenthesised = trimmed.first().is_some_and(|t| t.kind == Kind::OParen)
        && trimmed.len() > 1
        && trimmed.last().is_some_and(|t| t.kind == Kind::CParen);
    let mut out = Vec::with_capacity(trimmed.len() + 2);
    if multi_line && !parenthesised {
        out.push(WriterToken::new(Kind::OParen, "("));
        out.extend(trimmed.iter().cloned());
        out.push(WriterToken::new(Kind::CParen, ")"));
    } else {
        out.extend(trimmed.iter().cloned());
    }
    Some(out)
}

/// A `variable` block's `type` in the pre-0.12 forms: `list`/`map`/`set` gain `(any)`, and the
/// quoted `"string"`, `"list"`, `"map"` become `string`, `list(string)`, `map(string)`.
fn legacy_type<'a>(value: &[WriterToken<'a>]) -> Option<Vec<WriterToken<'a>>> {
    let collection = |name: &'static str, element: &'static str| {
        Some(vec![
            WriterToken::new(Kind::Ident, name),
            WriterToken::new(Kind::OParen, "("),
            WriterToken::new(Kind::Ident, element),
            WriterToken::new(Kind::CParen, ")"),
        ])
    };
    match value {
        [keyword] if keyword.kind == Kind::Ident => match keyword.text.as_ref() {
            "list" => collection("list", "any"),
            "map" => collection("map", "any"),
            "set" => collection("set", "any"),
            _ => None,
        },
        [open, literal, close]
            if open.kind == Kind::OQuote
                && literal.kind == Kind::QuotedLit
                && close.kind == Kind::CQuote =>
        {
            match literal.text.as_ref() {
                "string" => Some(vec![WriterToken::new(Kind::Ident, "string")]),
                "list" => collection("list", "string"),
                "map" => collection("map", "string"),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The string a block label stands for, as HCL's writer reads it: an identifier, `""`, or a quoted
/// string that is a single literal token. Anything else (an escaped `$${`, a lone `$` or `%` beside
/// other text, which split the literal into several tokens) yields nothing, and Terraform then drops
/// the label; we do the same, to stay byte-identical.
fn label_value(tokens: &[WriterToken<'_>]) -> Option<String> {
    match tokens {
        [ident] if ident.kind == Kind::Ident => Some(ident.text.to_string()),
        [open, close] if open.kind == Kind::OQuote && close.kind == Kind::CQuote => {
            Some(String::new())
        }
        [open, literal, close]
            if open.kind == Kind::OQuote
                && literal.kind == Kind::QuotedLit
                && close.kind == Kind::CQuote =>
        {
            unescape_quoted(&literal.text)
        }
        _ => None,
    }
}

/// Decode a quoted-string literal's escapes (`\n`, `\"`, `\u0041`, `$${`, `%%{`…). None when an
/// escape is invalid.
fn unescape_quoted(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next()?;
                match escaped {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' | 'U' => {
                        let digits = if escaped == 'u' { 4 } else { 8 };
                        let hex: String = (0..digits).filter_map(|_| chars.next()).collect();
                        if hex.len() != digits {
                            return None;
                        }
                        let code = u32::from_str_radix(&hex, 16).ok()?;
                        out.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            '$' | '%' if chars.peek() == Some(&c) => {
                // `$${` and `%%{` stand for a literal `${` and `%{`.
                let mut lookahead = chars.clone();
                lookahead.next();
                if lookahead.peek() == Some(&'{') {
                    chars.next();
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// Encode a string as quoted-string literal text, as HCL's writer does.
fn escape_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `unicode.IsPrint`, closely enough: letters, marks, numbers, punctuation, symbols and the
/// ASCII space. Control, format, separator, private-use and noncharacter code points are not.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let code = u32::from(c);
    let format = matches!(
        code,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_use = matches!(code, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let noncharacter = matches!(code, 0xFDD0..=0xFDEF) || (code & 0xFFFE) == 0xFFFE;
    !(format || private_use || noncharacter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_escapes() {
        assert_eq!(unescape_quoted(r#"a\"b"#).as_deref(), Some("a\"b"));
        assert_eq!(escape_quoted("a\"b"), r#"a\"b"#);
        assert_eq!(unescape_quoted(r"\u0041\t").as_deref(), Some("A\t"));
        assert_eq!(escape_quoted("A\t"), r"A\t");
        assert_eq!(unescape_quoted("%%{").as_deref(), Some("%{"));
        assert_eq!(escape_quoted("%{"), "%%{");
        assert_eq!(escape_quoted("\u{7}"), r"\u0007");
        assert_eq!(unescape_quoted(r"\q"), None);
    }
}
