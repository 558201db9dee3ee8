//! Terraform's layout rules (HCL's `hclwrite` formatter), applied to a token list: split the tokens
//! into lines and each line into lead / assignment / trailing-comment cells, indent by bracket depth,
//! set the spaces between tokens, then align `=` and trailing comments across consecutive lines. It
//! only ever changes the spaces before tokens, never a token's text.

use super::token::Kind;
use std::borrow::Cow;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// A token as the writer sees it: its text and how many spaces precede it.
#[derive(Clone, Debug)]
pub(crate) struct WriterToken<'a> {
    pub kind: Kind,
    pub text: Cow<'a, str>,
    pub spaces_before: usize,
}

impl WriterToken<'_> {
    pub(crate) fn new(kind: Kind, text: &'static str) -> WriterToken<'static> {
        WriterToken {
            kind,
            text: Cow::Borrowed(text),
            spaces_before: 0,
        }
    }

    /// Single-line comments end with their line ending and so end a line too.
    fn ends_line(&self) -> bool {
        self.kind == Kind::Newline || (self.kind == Kind::Comment && self.text.ends_with('\n'))
    }

    /// Display columns: spaces plus grapheme clusters.
    fn columns(&self) -> usize {
        self.spaces_before + self.text.graphemes(true).count()
    }
}

/// One line's cells, as token index ranges.
#[derive(Clone, Debug, Default)]
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<Range<usize>>,
}

/// Apply the layout rules in place.
pub(crate) fn format_tokens(tokens: &mut [WriterToken<'_>]) {
    let lines = split_lines(tokens);
    indent(tokens, &lines);
    space(tokens, &lines);
    align(tokens, &lines);
}

/// Write the tokens out with their spaces.
pub(crate) fn write_tokens(tokens: &[WriterToken<'_>]) -> String {
    let size: usize = tokens.iter().map(|t| t.text.len() + t.spaces_before).sum();
    let mut out = String::with_capacity(size);
    for token in tokens {
        for _ in 0..token.spaces_before {
            out.push(' ');
        }
        out.push_str(&token.text);
    }
    out
}

fn split_lines(tokens: &[WriterToken<'_>]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut end_of_input = tokens.len();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Eof {
            end_of_input = i;
            break;
        }
        if token.ends_line() {
            lines.push(Line {
                lead: start..i + 1,
                ..Line::default()
            });
            start = i + 1;
        }
    }
    if start < end_of_input {
        lines.push(Line {
            lead: start..end_of_input,
            ..Line::default()
        });
    }
    for line in &mut lines {
        let lead = line.lead.clone();
        if lead.len() > 1 && tokens[lead.end - 1].kind == Kind::Comment {
            line.comment = Some(lead.end - 1..lead.end);
            line.lead = lead.start..lead.end - 1;
        }
        let lead = line.lead.clone();
        if let Some(equals) = lead
            .clone()
            .skip(1)
            .find(|&i| tokens[i].kind == Kind::Equal)
        {
            // Only a whole expression on this line makes an alignable assignment; an opening
            // bracket left unclosed starts a multi-line value instead.
            let net: i32 = tokens[equals..lead.end]
                .iter()
                .map(|t| t.kind.bracket_change())
                .sum();
            if net == 0 {
                line.assign = Some(equals..lead.end);
                line.lead = lead.start..equals;
            }
        }
    }
    lines
}

fn indent(tokens: &mut [WriterToken<'_>], lines: &[Line]) {
    // Each entry is how many brackets one indent level opened.
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if tokens[first].kind == Kind::Newline {
            tokens[first].spaces_before = 0;
            continue;
        }
        let mut net = 0;
        for token in &tokens[line.lead.clone()] {
            net += token.kind.bracket_change();
            if token.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += tokens[assign.clone()]
                .iter()
                .map(|t| t.kind.bracket_change())
                .sum::<i32>();
        }
        if net > 0 {
            tokens[first].spaces_before = 2 * levels.len();
            levels.push(net);
        } else {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = levels.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    levels.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            tokens[first].spaces_before = 2 * levels.len();
        }
    }
}

fn space(tokens: &mut [WriterToken<'_>], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.lead.clone());
        if let Some(assign) = &line.assign {
            // The `=` is always one space from what it assigns (alignment may widen it later).
            tokens[assign.start].spaces_before = 1;
            space_cell(tokens, assign.clone());
        }
    }
}

fn space_cell(tokens: &mut [WriterToken<'_>], cell: Range<usize>) {
    for i in cell.clone() {
        if i + 1 >= cell.end {
            break;
        }
        let before = if i > cell.start {
            Some(tokens[i - 1].kind)
        } else {
            None
        };
        let wanted = space_after(tokens[i].kind, &tokens[i].text, before, tokens[i + 1].kind);
        tokens[i + 1].spaces_before = usize::from(wanted);
    }
}

/// Whether `subject` is followed by a space, given the token before it (None at the start of a
/// cell) and the token after it. The order of the checks is the order of precedence.
fn space_after(subject: Kind, subject_text: &str, before: Option<Kind>, after: Kind) -> bool {
    use Kind::*;
    let is_literal = |k: Kind| matches!(k, QuotedLit | StringLit);
    if after == Newline {
        return false;
    }
    if subject == Ident && after == OParen {
        return false;
    }
    if (subject == Ident && after == DoubleColon) || (subject == DoubleColon && after == Ident) {
        return false;
    }
    if subject == Dot || after == Dot {
        return false;
    }
    if after == Comma || after == Ellipsis {
        return false;
    }
    if subject == Comma {
        return true;
    }
    if is_literal(subject)
        || subject == OQuote
        || subject == OHeredoc
        || is_literal(after)
        || after == CQuote
        || after == CHeredoc
    {
        return false;
    }
    if subject == Ident && subject_text == "in" && before == Some(Ident) {
        // `for x in [a]`: `in` is the keyword here, not a reference being indexed.
        return true;
    }
    if after == OBrack && (subject == Ident || subject == NumberLit || subject.bracket_change() < 0)
    {
        return false;
    }
    if subject == Bang {
        return false;
    }
    if subject == Minus {
        // Negation takes no space; subtraction does. A minus after something that cannot end an
        // expression is taken as negation.
        return !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if subject == OBrace || after == CBrace {
        // Braces are spaced on both sides, except an empty pair: `{}`.
        return !(subject == OBrace && after == CBrace);
    }
    if (subject == TemplateInterp || subject == TemplateControl) && after == OBrace {
        return true;
    }
    if subject == CBrace && after == TemplateSeqEnd {
        return true;
    }
    if subject == TemplateSeqEnd && (after == TemplateInterp || after == TemplateControl) {
        return false;
    }
    if subject.bracket_change() > 0 {
        return false;
    }
    if after.bracket_change() < 0 {
        return false;
    }
    true
}

fn align(tokens: &mut [WriterToken<'_>], lines: &[Line]) {
    let columns = |tokens: &[WriterToken<'_>], range: &Range<usize>| -> usize {
        tokens[range.clone()].iter().map(WriterToken::columns).sum()
    };
    // A blank sentinel line closes the last chain.
    let sentinel = Line::default();
    // `=` first, since moving it moves the comments after it.
    let mut chain: Vec<&Line> = Vec::new();
    let mut widest = 0;
    for line in lines.iter().chain(std::iter::once(&sentinel)) {
        if line.assign.is_some() {
            widest = widest.max(columns(tokens, &line.lead));
            chain.push(line);
            continue;
        }
        for member in chain.drain(..) {
            let width = columns(tokens, &member.lead);
            if let Some(assign) = &member.assign {
                tokens[assign.start].spaces_before = widest - width + 1;
            }
        }
        widest = 0;
    }
    let width_before_comment = |tokens: &[WriterToken<'_>], line: &Line| -> usize {
        columns(tokens, &line.lead) + line.assign.as_ref().map_or(0, |a| columns(tokens, a))
    };
    for line in lines.iter().chain(std::iter::once(&sentinel)) {
        if line.comment.is_some() {
            widest = widest.max(width_before_comment(tokens, line));
            chain.push(line);
            continue;
        }
        for member in chain.drain(..) {
            let width = width_before_comment(tokens, member);
            if let Some(comment) = &member.comment {
                tokens[comment.start].spaces_before = widest - width + 1;
            }
        }
        widest = 0;
    }
}
