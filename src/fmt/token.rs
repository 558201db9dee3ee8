//! The token scanner the formatter works on: it splits HCL source into the same tokens, with the same
//! types and byte boundaries, as HCL's own scanner (`hclsyntax`, which `terraform fmt` formats), because
//! Terraform's formatting rules are rules about those tokens. It keeps every byte except the spaces and
//! tabs between tokens, so source = tokens + gaps. It never fails: what it cannot match becomes an
//! [`Kind::Invalid`] token (or an unterminated-template note) for the caller to report, never a panic.

use std::ops::Range;

/// Token types; the ones the formatting rules distinguish, and one bucket for the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    DoubleColon,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    /// Literal text inside a quoted string.
    QuotedLit,
    /// Literal text inside a heredoc.
    StringLit,
    NumberLit,
    Ident,
    /// `#`/`//` comments including their line ending, or a `/* */` comment.
    Comment,
    Newline,
    /// A line break inside a quoted string (a syntax error in HCL).
    QuotedNewline,
    /// Punctuation HCL reserves but does not use (`&`, `|`, `~`, `^`, `;`, `` ` ``, `'`).
    Reserved,
    /// Anything the scanner cannot match.
    Invalid,
    Eof,
}

impl Kind {
    /// Opening brackets count +1, closing ones -1 (template sequences count as brackets).
    pub(crate) fn bracket_change(self) -> i32 {
        match self {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateControl
            | Kind::TemplateInterp => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

/// One token: its type and where its bytes are in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub range: Range<usize>,
}

/// What the scanner found that HCL's parser would refuse outright.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unterminated {
    /// Byte offset where the string or heredoc began.
    pub start: usize,
    pub heredoc: bool,
}

/// The tokens of a source text (ending with [`Kind::Eof`]) and any template left open at the end.
pub(crate) struct Scanned {
    pub tokens: Vec<Token>,
    pub unterminated: Option<Unterminated>,
}

enum Mode {
    /// Ordinary configuration syntax (also inside `${ }` and `%{ }`).
    Main,
    /// Inside a quoted string.
    Quoted { start: usize },
    /// Inside a heredoc: its closing marker and whether the next literal starts a line.
    Heredoc {
        start: usize,
        marker: String,
        start_of_line: bool,
    },
}

/// Scan `source` (without a byte-order mark) into tokens.
pub(crate) fn scan(source: &str) -> Scanned {
    let mut scanner = Scanner {
        text: source,
        bytes: source.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        modes: vec![Mode::Main],
        braces: 0,
        return_braces: Vec::new(),
    };
    scanner.run();
    let unterminated = scanner.modes.iter().rev().find_map(|mode| match mode {
        Mode::Quoted { start } => Some(Unterminated {
            start: *start,
            heredoc: false,
        }),
        Mode::Heredoc { start, .. } => Some(Unterminated {
            start: *start,
            heredoc: true,
        }),
        Mode::Main => None,
    });
    let end = source.len();
    scanner.tokens.push(Token {
        kind: Kind::Eof,
        range: end..end,
    });
    Scanned {
        tokens: scanner.tokens,
        unterminated,
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    modes: Vec<Mode>,
    /// Open `{` count, as HCL's scanner keeps it, to tell a closing `}` from the end of `${ }`.
    braces: i64,
    /// Brace levels at which a `}` ends a template sequence and returns to the template.
    return_braces: Vec<i64>,
}

impl Scanner<'_> {
    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let before = self.pos;
            match self.modes.last() {
                Some(Mode::Quoted { .. }) => self.scan_quoted(),
                Some(Mode::Heredoc { .. }) => self.scan_heredoc(),
                _ => self.scan_main(),
            }
            if self.pos == before {
                // Defensive: never loop without progress.
                let end = self.char_end(self.pos);
                self.emit(Kind::Invalid, before, end);
            }
        }
    }

    fn emit(&mut self, kind: Kind, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            range: start..end,
        });
        self.pos = end;
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn starts_with(&self, at: usize, prefix: &str) -> bool {
        self.bytes
            .get(at..)
            .is_some_and(|rest| rest.starts_with(prefix.as_bytes()))
    }

    /// End of the character starting at `at`.
    fn char_end(&self, at: usize) -> usize {
        self.text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map(|c| at + c.len_utf8())
            .unwrap_or(self.bytes.len())
            .max(at + 1)
            .min(self.bytes.len())
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    /// `${` or `%{`, optionally followed by `~`: the length of the introducer, or 0.
    fn template_intro(&self, at: usize, sigil: u8) -> usize {
        if self.byte(at) == Some(sigil) && self.byte(at + 1) == Some(b'{') {
            if self.byte(at + 2) == Some(b'~') {
                3
            } else {
                2
            }
        } else {
            0
        }
    }

    /// A `${`/`%{` at `at`: emit it and enter configuration syntax until its `}`.
    fn begin_template_sequence(&mut self, at: usize, len: usize, kind: Kind) {
        self.emit(kind, at, at + len);
        self.braces += 1;
        self.return_braces.push(self.braces);
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = false;
        }
        self.modes.push(Mode::Main);
    }

    /// Literal text starting with `$` or `%` that does not open a sequence: an escaped introducer
    /// (`$${`, `%%{`, optionally with `~`) or the lone sigil. Returns the length.
    fn sigil_literal(&self, at: usize) -> usize {
        let sigil = self.bytes[at];
        let escaped = self.template_intro(at + 1, sigil);
        if escaped > 0 { 1 + escaped } else { 1 }
    }

    fn scan_main(&mut self) {
        let at = self.pos;
        let b = self.bytes[at];
        match b {
            b' ' | b'\t' => {
                let mut end = at;
                while matches!(self.byte(end), Some(b' ' | b'\t')) {
                    end += 1;
                }
                self.pos = end;
            }
            b'0'..=b'9' => {
                let end = self.number_end(at);
                self.emit(Kind::NumberLit, at, end);
            }
            b'#' => {
                let end = self.line_comment_end(at);
                self.emit(Kind::Comment, at, end);
            }
            b'/' if self.byte(at + 1) == Some(b'/') => {
                let end = self.line_comment_end(at);
                self.emit(Kind::Comment, at, end);
            }
            b'/' if self.byte(at + 1) == Some(b'*') => {
                match self.text.get(at + 2..).and_then(|rest| rest.find("*/")) {
                    Some(offset) => self.emit(Kind::Comment, at, at + 2 + offset + 2),
                    None => self.emit(Kind::Slash, at, at + 1),
                }
            }
            b'\n' => self.emit(Kind::Newline, at, at + 1),
            b'\r' if self.byte(at + 1) == Some(b'\n') => self.emit(Kind::Newline, at, at + 2),
            b'{' => {
                self.emit(Kind::OBrace, at, at + 1);
                self.braces += 1;
            }
            b'}' => self.close_brace(at, 1),
            b'~' if self.byte(at + 1) == Some(b'}') => self.close_brace(at, 2),
            b'"' => {
                self.emit(Kind::OQuote, at, at + 1);
                self.modes.push(Mode::Quoted { start: at });
            }
            b'<' if self.starts_with(at, "<<") => match self.heredoc_intro(at) {
                Some((end, marker)) => {
                    self.emit(Kind::OHeredoc, at, end);
                    self.modes.push(Mode::Heredoc {
                        start: at,
                        marker,
                        start_of_line: true,
                    });
                }
                None => self.emit(Kind::LessThan, at, at + 1),
            },
            _ => {
                if let Some((kind, len)) = self.operator(at) {
                    self.emit(kind, at, at + len);
                } else if self.is_ident_start(at) {
                    let end = self.ident_end(at);
                    self.emit(Kind::Ident, at, end);
                } else {
                    let end = self.char_end(at);
                    self.emit(Kind::Invalid, at, end);
                }
            }
        }
    }

    fn close_brace(&mut self, at: usize, len: usize) {
        let ends_sequence = self.return_braces.last() == Some(&self.braces);
        if ends_sequence || len == 2 {
            // `~}` is always a sequence end; the parser rejects it where no sequence is open.
            self.emit(Kind::TemplateSeqEnd, at, at + len);
            self.braces -= 1;
            if ends_sequence {
                self.return_braces.pop();
                if self.modes.len() > 1 {
                    self.modes.pop();
                }
            }
        } else {
            self.emit(Kind::CBrace, at, at + len);
            self.braces -= 1;
        }
    }

    fn operator(&self, at: usize) -> Option<(Kind, usize)> {
        let two = |s: &str| self.starts_with(at, s);
        let found = if two("...") {
            (Kind::Ellipsis, 3)
        } else if two("==") {
            (Kind::EqualOp, 2)
        } else if two("!=") {
            (Kind::NotEqual, 2)
        } else if two(">=") {
            (Kind::GreaterThanEq, 2)
        } else if two("<=") {
            (Kind::LessThanEq, 2)
        } else if two("&&") {
            (Kind::And, 2)
        } else if two("||") {
            (Kind::Or, 2)
        } else if two("::") {
            (Kind::DoubleColon, 2)
        } else if two("=>") {
            (Kind::FatArrow, 2)
        } else {
            let kind = match self.bytes[at] {
                b'[' => Kind::OBrack,
                b']' => Kind::CBrack,
                b'(' => Kind::OParen,
                b')' => Kind::CParen,
                b'.' => Kind::Dot,
                b',' => Kind::Comma,
                b'*' => Kind::Star,
                b'/' => Kind::Slash,
                b'%' => Kind::Percent,
                b'+' => Kind::Plus,
                b'-' => Kind::Minus,
                b'=' => Kind::Equal,
                b'<' => Kind::LessThan,
                b'>' => Kind::GreaterThan,
                b'!' => Kind::Bang,
                b'?' => Kind::Question,
                b':' => Kind::Colon,
                b'&' | b'|' | b'~' | b'^' | b';' | b'`' | b'\'' => Kind::Reserved,
                _ => return None,
            };
            (kind, 1)
        };
        Some(found)
    }

    /// HCL's number literal: a digit, then digits, dots and exponents, never ending in a dot.
    fn number_end(&self, at: usize) -> usize {
        let mut pos = at + 1;
        let mut end = pos;
        loop {
            match self.byte(pos) {
                Some(b'0'..=b'9') => {
                    pos += 1;
                    end = pos;
                }
                Some(b'.') => pos += 1,
                Some(b'e' | b'E') => {
                    let mut next = pos + 1;
                    if matches!(self.byte(next), Some(b'+' | b'-')) {
                        next += 1;
                    }
                    if matches!(self.byte(next), Some(b'0'..=b'9')) {
                        pos = next + 1;
                        end = pos;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        end
    }

    fn is_ident_start(&self, at: usize) -> bool {
        self.char_at(at)
            .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
    }

    fn ident_end(&self, at: usize) -> usize {
        let mut end = self.char_end(at);
        while let Some(c) = self.char_at(end) {
            if c == '-' || unicode_ident::is_xid_continue(c) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        end
    }

    /// A line comment runs to and includes its line ending, or to the end of the input.
    fn line_comment_end(&self, at: usize) -> usize {
        match self.bytes[at..].iter().position(|&b| b == b'\n') {
            Some(offset) => at + offset + 1,
            None => self.bytes.len(),
        }
    }

    /// `<<EOT` or `<<-EOT` followed by a line ending: the end of the introducer and the marker.
    fn heredoc_intro(&self, at: usize) -> Option<(usize, String)> {
        let mut pos = at + 2;
        if self.byte(pos) == Some(b'-') {
            pos += 1;
        }
        if !self.is_ident_start(pos) {
            return None;
        }
        let ident_end = self.ident_end(pos);
        let marker = self.text.get(pos..ident_end)?.to_string();
        match (self.byte(ident_end), self.byte(ident_end + 1)) {
            (Some(b'\n'), _) => Some((ident_end + 1, marker)),
            (Some(b'\r'), Some(b'\n')) => Some((ident_end + 2, marker)),
            _ => None,
        }
    }

    fn scan_quoted(&mut self) {
        let at = self.pos;
        let b = self.bytes[at];
        let interp = self.template_intro(at, b'$');
        let control = self.template_intro(at, b'%');
        if interp > 0 {
            self.begin_template_sequence(at, interp, Kind::TemplateInterp);
        } else if control > 0 {
            self.begin_template_sequence(at, control, Kind::TemplateControl);
        } else if b == b'"' {
            self.emit(Kind::CQuote, at, at + 1);
            self.modes.pop();
        } else if b == b'\r' || b == b'\n' {
            let mut end = at;
            while matches!(self.byte(end), Some(b'\r' | b'\n')) {
                end += 1;
            }
            self.emit(Kind::QuotedNewline, at, end);
        } else if b == b'$' || b == b'%' {
            let len = self.sigil_literal(at);
            self.emit(Kind::QuotedLit, at, at + len);
        } else {
            // A run of plain characters and backslash escapes.
            let mut end = at;
            loop {
                match self.byte(end) {
                    None | Some(b'$' | b'%' | b'"' | b'\r' | b'\n') => break,
                    Some(b'\\') => match self.char_at(end + 1) {
                        Some(c) if c != '\r' && c != '\n' => end += 1 + c.len_utf8(),
                        _ => break,
                    },
                    Some(_) => end = self.char_end(end),
                }
            }
            if end == at {
                // A backslash before a line break or the end of input.
                self.emit(Kind::Invalid, at, at + 1);
            } else {
                self.emit(Kind::QuotedLit, at, end);
            }
        }
    }

    fn scan_heredoc(&mut self) {
        let at = self.pos;
        let interp = self.template_intro(at, b'$');
        let control = self.template_intro(at, b'%');
        if interp > 0 {
            self.begin_template_sequence(at, interp, Kind::TemplateInterp);
            return;
        }
        if control > 0 {
            self.begin_template_sequence(at, control, Kind::TemplateControl);
            return;
        }
        let start_of_line = matches!(
            self.modes.last(),
            Some(Mode::Heredoc {
                start_of_line: true,
                ..
            })
        );
        // A literal runs to a `$`/`%` (which may open a sequence) or to the end of the line.
        let literal_end = if matches!(self.bytes[at], b'$' | b'%') {
            at + self.sigil_literal(at)
        } else {
            let mut end = at;
            while let Some(b) = self.byte(end) {
                if matches!(b, b'$' | b'%' | b'\r' | b'\n') {
                    break;
                }
                end += 1;
            }
            end
        };
        let newline_len = match (self.byte(literal_end), self.byte(literal_end + 1)) {
            (Some(b'\n'), _) => 1,
            (Some(b'\r'), Some(b'\n')) => 2,
            (Some(b'\r'), _) if literal_end == at => {
                // A carriage return that does not end a line: HCL's scanner stops here.
                self.emit(Kind::Invalid, at, at + 1);
                return;
            }
            _ => 0,
        };
        if newline_len == 0 {
            if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
                *start_of_line = false;
            }
            self.emit(Kind::StringLit, at, literal_end.max(at + 1));
            return;
        }
        let line = self.text.get(at..literal_end).unwrap_or("");
        let is_marker = start_of_line
            && matches!(self.modes.last(), Some(Mode::Heredoc { marker, .. }) if line.trim() == marker);
        if is_marker {
            self.emit(Kind::CHeredoc, at, literal_end);
            self.emit(Kind::Newline, literal_end, literal_end + newline_len);
            self.modes.pop();
        } else {
            if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
                *start_of_line = true;
            }
            self.emit(Kind::StringLit, at, literal_end + newline_len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(Kind, &str)> {
        scan(source)
            .tokens
            .into_iter()
            .map(|t| (t.kind, &source[t.range]))
            .collect()
    }

    #[test]
    fn attribute_with_comment() {
        assert_eq!(
            kinds("a = 1 # c\n"),
            vec![
                (Kind::Ident, "a"),
                (Kind::Equal, "="),
                (Kind::NumberLit, "1"),
                (Kind::Comment, "# c\n"),
                (Kind::Eof, ""),
            ]
        );
    }

    #[test]
    fn quoted_literals_split_at_sigils_like_hcl() {
        let got = kinds(r#""a$${b}c%d$""#);
        let lits: Vec<&str> = got
            .iter()
            .filter(|(k, _)| *k == Kind::QuotedLit)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(lits, vec!["a", "$${", "b}c", "%", "d", "$"]);
    }

    #[test]
    fn interpolation_braces_and_object_braces() {
        let got = kinds(r#""${ {a = 1} }""#);
        let k: Vec<Kind> = got.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            k,
            vec![
                Kind::OQuote,
                Kind::TemplateInterp,
                Kind::OBrace,
                Kind::Ident,
                Kind::Equal,
                Kind::NumberLit,
                Kind::CBrace,
                Kind::TemplateSeqEnd,
                Kind::CQuote,
                Kind::Eof
            ]
        );
    }

    #[test]
    fn heredoc_marker_and_lines() {
        let got = kinds("x = <<-EOT\n  a ${b}\n  EOT\n");
        assert_eq!(
            got,
            vec![
                (Kind::Ident, "x"),
                (Kind::Equal, "="),
                (Kind::OHeredoc, "<<-EOT\n"),
                (Kind::StringLit, "  a "),
                (Kind::TemplateInterp, "${"),
                (Kind::Ident, "b"),
                (Kind::TemplateSeqEnd, "}"),
                (Kind::StringLit, "\n"),
                (Kind::CHeredoc, "  EOT"),
                (Kind::Newline, "\n"),
                (Kind::Eof, ""),
            ]
        );
    }

    #[test]
    fn numbers_do_not_end_in_a_dot() {
        assert_eq!(
            kinds("1.5e3 1.x"),
            vec![
                (Kind::NumberLit, "1.5e3"),
                (Kind::NumberLit, "1"),
                (Kind::Dot, "."),
                (Kind::Ident, "x"),
                (Kind::Eof, ""),
            ]
        );
    }

    #[test]
    fn unterminated_heredoc_is_reported() {
        assert!(scan("x = <<EOT\nhi\nEOT").unterminated.is_some());
        assert!(scan("x = \"abc").unterminated.is_some());
        assert!(scan("x = \"abc\"\n").unterminated.is_none());
    }
}
