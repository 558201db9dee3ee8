//! Templates: quoted strings with `${…}` interpolations and `%{if}`/`%{for}` directives, strip
//! markers `~`, and heredocs. A template that is a single interpolation yields the value itself, as
//! in Terraform; otherwise the parts are joined into a string (numbers and bools convert, anything
//! else is "Invalid template interpolation value"). An unknown part makes the whole string unknown,
//! a sensitive part makes it sensitive. It must not parse source text: it works on the tree
//! hcl-edit built.
//!
//! Heredocs need care. Terraform scans a heredoc one line at a time, so a strip marker only trims
//! the neighbouring line, and `<<-` removes the smallest indentation found at the start of any line,
//! inside directives too, ignoring blank lines. hcl-edit instead dedents `<<-` heredocs itself while
//! parsing, looking only at top-level literals. So a `<<-` heredoc is first given back the
//! indentation hcl-edit removed (as spaces), then trimmed line-wise around strip markers, then
//! dedented the way Terraform does. One case cannot be repaired: when hcl-edit stripped characters
//! from a line that had less indentation than the rest (possible only after an interpolation),
//! those characters are already gone from the tree.

use super::Value;
use super::eval::{Evaluator, ForItems, marked, to_bool, to_string};
use crate::diag::Diagnostic;
use hcl_edit::template::{
    Directive, Element, ForDirective, HeredocTemplate, IfDirective, Strip, Template,
};

/// How strip markers are handled while rendering.
#[derive(Clone, Copy, PartialEq)]
enum Strips {
    /// Quoted templates: a marker trims all whitespace of the neighbouring literal.
    Whole,
    /// Heredocs: markers were applied line-wise beforehand.
    Applied,
}

/// The text rendered so far and the marks met on the way.
struct Rendered {
    text: String,
    unknown: bool,
    sensitive: bool,
}

impl Evaluator<'_> {
    /// The value of a quoted template (or a template file): a lone interpolation gives its value
    /// unchanged, anything else a string.
    pub(super) fn template_value(&mut self, template: &Template) -> Result<Value, Diagnostic> {
        self.render_value(template, Strips::Whole)
    }

    pub(super) fn heredoc(&mut self, heredoc: &HeredocTemplate) -> Result<Value, Diagnostic> {
        if heredoc.indent().is_none() && !has_strip_markers(&heredoc.template) {
            return self.render_value(&heredoc.template, Strips::Applied);
        }
        let prepared = prepare_heredoc(heredoc);
        self.render_value(&prepared, Strips::Applied)
    }

    fn render_value(&mut self, template: &Template, strips: Strips) -> Result<Value, Diagnostic> {
        if let (1, Some(Element::Interpolation(interpolation))) = (template.len(), template.get(0))
        {
            return self.expr(&interpolation.expr);
        }
        let mut out = Rendered {
            text: String::new(),
            unknown: false,
            sensitive: false,
        };
        self.render(template, (false, false), strips, &mut out)?;
        let value = if out.unknown {
            Value::Unknown
        } else {
            Value::String(out.text)
        };
        Ok(marked(value, out.sensitive))
    }

    /// Render the elements of a template. `edges` says whether the first literal is trimmed at
    /// its start and the last at its end (the markers of an enclosing directive).
    fn render(
        &mut self,
        template: &Template,
        edges: (bool, bool),
        strips: Strips,
        out: &mut Rendered,
    ) -> Result<(), Diagnostic> {
        let len = template.len();
        for i in 0..len {
            let Some(element) = template.get(i) else {
                continue;
            };
            match element {
                Element::Literal(literal) => {
                    let mut text = literal.value().as_str();
                    if strips == Strips::Whole {
                        let trim_start = if i == 0 {
                            edges.0
                        } else {
                            template.get(i - 1).is_some_and(strips_following)
                        };
                        let trim_end = if i + 1 == len {
                            edges.1
                        } else {
                            template.get(i + 1).is_some_and(strips_preceding)
                        };
                        if trim_start {
                            text = text.trim_start();
                        }
                        if trim_end {
                            text = text.trim_end();
                        }
                    }
                    out.text.push_str(text);
                }
                Element::Interpolation(interpolation) => {
                    let (value, sensitive) = self.expr(&interpolation.expr)?.into_unmarked();
                    out.sensitive |= sensitive;
                    match value {
                        Value::Unknown => out.unknown = true,
                        Value::Null => {
                            return Err(self.error(
                                "Invalid template interpolation value",
                                "The expression result is null. Cannot include a null value in a \
                                 string template.",
                                &interpolation.expr,
                            ));
                        }
                        other => match to_string(&other) {
                            Some(text) => out.text.push_str(&text),
                            None => {
                                return Err(self.error(
                                    "Invalid template interpolation value",
                                    "Cannot include the given value in a string template: string \
                                     required.",
                                    &interpolation.expr,
                                ));
                            }
                        },
                    }
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => self.render_if(if_directive, strips, out)?,
                    Directive::For(for_directive) => {
                        self.render_for(for_directive, strips, out)?;
                    }
                },
            }
        }
        Ok(())
    }

    fn render_if(
        &mut self,
        directive: &IfDirective,
        strips: Strips,
        out: &mut Rendered,
    ) -> Result<(), Diagnostic> {
        let cond_expr = &directive.if_expr.cond_expr;
        let (condition, sensitive) = self.expr(cond_expr)?.into_unmarked();
        out.sensitive |= sensitive;
        let chosen = match condition {
            Value::Unknown => {
                out.unknown = true;
                return Ok(());
            }
            Value::Null => {
                return Err(self.error(
                    "Null condition",
                    "The condition value is null. Conditions must either be true or false.",
                    cond_expr,
                ));
            }
            other => to_bool(&other).map_err(|_| {
                self.error(
                    "Incorrect condition type",
                    "The condition expression must be of type bool.",
                    cond_expr,
                )
            })?,
        };
        let endif_strip = directive.endif_expr.strip;
        if chosen {
            let trail = match &directive.else_expr {
                Some(else_expr) => else_expr.strip.strip_start(),
                None => endif_strip.strip_start(),
            };
            let lead = directive.if_expr.strip.strip_end();
            self.render(&directive.if_expr.template, (lead, trail), strips, out)
        } else if let Some(else_expr) = &directive.else_expr {
            let edges = (else_expr.strip.strip_end(), endif_strip.strip_start());
            self.render(&else_expr.template, edges, strips, out)
        } else {
            Ok(())
        }
    }

    fn render_for(
        &mut self,
        directive: &ForDirective,
        strips: Strips,
        out: &mut Rendered,
    ) -> Result<(), Diagnostic> {
        let for_expr = &directive.for_expr;
        let (collection, sensitive) = self.expr(&for_expr.collection_expr)?.into_unmarked();
        out.sensitive |= sensitive;
        let items = match self.for_items(collection, &for_expr.collection_expr)? {
            ForItems::Unknown => {
                out.unknown = true;
                return Ok(());
            }
            ForItems::Items(items) => items,
        };
        let saved = self.locals.len();
        let (key_slot, value_slot) = self.bind(
            for_expr.key_var.as_ref().map(|k| k.value().as_str()),
            for_expr.value_var.value().as_str(),
        );
        let edges = (
            for_expr.strip.strip_end(),
            directive.endfor_expr.strip.strip_start(),
        );
        let mut result = Ok(());
        for (key, item) in items {
            if let Some(slot) = key_slot {
                self.locals[slot].1 = key;
            }
            self.locals[value_slot].1 = item;
            result = self.render(&for_expr.template, edges, strips, out);
            if result.is_err() {
                break;
            }
        }
        self.locals.truncate(saved);
        result
    }
}

/// Whether an element's closing marker trims the literal after it (`~}`).
fn strips_following(element: &Element) -> bool {
    match element {
        Element::Literal(_) => false,
        Element::Interpolation(interpolation) => interpolation.strip.strip_end(),
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
    }
}

/// Whether an element's opening marker trims the literal before it (`${~`, `%{~`).
fn strips_preceding(element: &Element) -> bool {
    match element {
        Element::Literal(_) => false,
        Element::Interpolation(interpolation) => interpolation.strip.strip_start(),
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
    }
}

fn has_strip_markers(template: &Template) -> bool {
    template.iter().any(|element| match element {
        Element::Literal(_) => false,
        Element::Interpolation(interpolation) => interpolation.strip != Strip::None,
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(d) => {
                d.if_expr.strip != Strip::None
                    || d.endif_expr.strip != Strip::None
                    || has_strip_markers(&d.if_expr.template)
                    || d.else_expr
                        .as_ref()
                        .is_some_and(|e| e.strip != Strip::None || has_strip_markers(&e.template))
            }
            Directive::For(d) => {
                d.for_expr.strip != Strip::None
                    || d.endfor_expr.strip != Strip::None
                    || has_strip_markers(&d.for_expr.template)
            }
        },
    })
}

/// A heredoc's template as Terraform would have parsed it: indentation restored, strip markers
/// applied line-wise, and for `<<-` the common indentation removed.
fn prepare_heredoc(heredoc: &HeredocTemplate) -> Template {
    let mut template = heredoc.template.clone();
    if let Some(stripped) = heredoc.indent() {
        restore_indent(&mut template, stripped);
    }
    strip_lines(&mut template, (false, false));
    if heredoc.indent().is_some() {
        flush(&mut template);
    }
    template
}

/// Undo hcl-edit's dedent of the top-level literals: every line start it shortened gets
/// `stripped` spaces back. Lines it left empty are treated as blank.
fn restore_indent(template: &mut Template, stripped: usize) {
    let prefix = " ".repeat(stripped);
    let len = template.len();
    let mut line_start = true;
    for i in 0..len {
        let followed = i + 1 < len;
        match template.get_mut(i) {
            Some(Element::Literal(literal)) => {
                let text = literal.value_mut();
                let mut restored = String::with_capacity(text.len() + stripped * 4);
                let mut at_start = line_start;
                for segment in text.split_inclusive('\n') {
                    let content = segment.trim_end_matches(['\n', '\r']);
                    if at_start && !content.is_empty() {
                        restored.push_str(&prefix);
                    }
                    restored.push_str(segment);
                    at_start = segment.ends_with('\n');
                }
                if at_start && followed {
                    // An interpolation or directive follows at a line start. hcl-edit would not
                    // have dedented had nothing preceded it on its line, so the line began with
                    // whitespace that it removed.
                    restored.push_str(&prefix);
                    at_start = false;
                }
                line_start = at_start;
                *text = restored;
            }
            Some(_) => line_start = false,
            None => {}
        }
    }
}

/// Apply strip markers the way Terraform does in a heredoc: only the neighbouring line is
/// trimmed.
fn strip_lines(template: &mut Template, edges: (bool, bool)) {
    let len = template.len();
    for i in 0..len {
        let trim_start = if i == 0 {
            edges.0
        } else {
            template.get(i - 1).is_some_and(strips_following)
        };
        let trim_end = if i + 1 == len {
            edges.1
        } else {
            template.get(i + 1).is_some_and(strips_preceding)
        };
        match template.get_mut(i) {
            Some(Element::Literal(literal)) => {
                let text = literal.value_mut();
                if trim_start {
                    let first_end = text.find('\n').map_or(text.len(), |at| at + 1);
                    let rest = text.split_off(first_end);
                    *text = format!("{}{rest}", text.trim_start());
                }
                if trim_end {
                    let body = text.strip_suffix('\n').unwrap_or(text);
                    let last_start = body.rfind('\n').map_or(0, |at| at + 1);
                    let last = text.split_off(last_start);
                    text.push_str(last.trim_end());
                }
            }
            Some(Element::Directive(directive)) => match directive.as_mut() {
                Directive::If(d) => {
                    let endif = d.endif_expr.strip;
                    let if_trail = match &d.else_expr {
                        Some(e) => e.strip.strip_start(),
                        None => endif.strip_start(),
                    };
                    let if_lead = d.if_expr.strip.strip_end();
                    strip_lines(&mut d.if_expr.template, (if_lead, if_trail));
                    if let Some(e) = &mut d.else_expr {
                        let lead = e.strip.strip_end();
                        strip_lines(&mut e.template, (lead, endif.strip_start()));
                    }
                }
                Directive::For(d) => {
                    let edges = (
                        d.for_expr.strip.strip_end(),
                        d.endfor_expr.strip.strip_start(),
                    );
                    strip_lines(&mut d.for_expr.template, edges);
                }
            },
            _ => {}
        }
    }
}

/// Terraform's flush of a `<<-` heredoc: find the smallest indentation at the start of a line
/// (blank lines ignored; an interpolation or directive at a line start counts as none) and remove
/// that many whitespace characters from every line start.
fn flush(template: &mut Template) {
    let mut state = FlushState {
        newline: true,
        min: usize::MAX,
    };
    measure(template, &mut state);
    if state.min == 0 || state.min == usize::MAX {
        return;
    }
    let remove = state.min;
    state.newline = true;
    adjust(template, &mut state, remove);
}

struct FlushState {
    newline: bool,
    min: usize,
}

impl FlushState {
    /// A token other than a literal.
    fn token(&mut self) {
        if self.newline {
            self.min = 0;
        }
        self.newline = false;
    }
}

/// A line that holds only whitespace and its line ending does not count.
fn is_blank_line(segment: &str) -> bool {
    segment.ends_with('\n') && segment.trim().is_empty()
}

fn leading_spaces(segment: &str) -> usize {
    segment
        .chars()
        .take_while(|c| c.is_whitespace() && *c != '\n' && *c != '\r')
        .count()
}

fn measure(template: &Template, state: &mut FlushState) {
    for element in template.iter() {
        match element {
            Element::Literal(literal) => {
                for segment in literal.value().split_inclusive('\n') {
                    if state.newline && !is_blank_line(segment) {
                        state.min = state.min.min(leading_spaces(segment));
                    }
                    state.newline = segment.ends_with('\n');
                }
            }
            Element::Interpolation(_) => state.token(),
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(d) => {
                    state.token();
                    measure(&d.if_expr.template, state);
                    if let Some(e) = &d.else_expr {
                        state.token();
                        measure(&e.template, state);
                    }
                    state.token();
                }
                Directive::For(d) => {
                    state.token();
                    measure(&d.for_expr.template, state);
                    state.token();
                }
            },
        }
    }
}

fn adjust(template: &mut Template, state: &mut FlushState, remove: usize) {
    for element in template.iter_mut() {
        match element {
            Element::Literal(literal) => {
                let text = literal.value_mut();
                let mut adjusted = String::with_capacity(text.len());
                for segment in text.split_inclusive('\n') {
                    if state.newline && !is_blank_line(segment) {
                        let cut: usize = segment
                            .chars()
                            .take(remove.min(leading_spaces(segment)))
                            .map(char::len_utf8)
                            .sum();
                        adjusted.push_str(&segment[cut..]);
                    } else {
                        adjusted.push_str(segment);
                    }
                    state.newline = segment.ends_with('\n');
                }
                *text = adjusted;
            }
            Element::Interpolation(_) => state.newline = false,
            Element::Directive(directive) => match directive.as_mut() {
                Directive::If(d) => {
                    state.newline = false;
                    adjust(&mut d.if_expr.template, state, remove);
                    if let Some(e) = &mut d.else_expr {
                        state.newline = false;
                        adjust(&mut e.template, state, remove);
                    }
                    state.newline = false;
                }
                Directive::For(d) => {
                    state.newline = false;
                    adjust(&mut d.for_expr.template, state, remove);
                    state.newline = false;
                }
            },
        }
    }
}
