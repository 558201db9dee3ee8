//! Tests of the evaluator (`eval*.rs`): every expression kind, unknown and sensitive propagation,
//! Terraform's diagnostics and their spans, heredoc indentation, splats, the built-in functions the
//! evaluator owns, and the static reference finder. Expressions are parsed with hcl-edit and
//! evaluated against a small fixture scope; nothing here reads files.

use super::{RefStep, Reference, Scope, Step, Value, eval, eval_template_str, references};
use crate::diag::{Diagnostic, FileId, Span};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// A fixture scope: named roots with values, files from a map, and a record of every resolve call.
struct TestScope {
    roots: BTreeMap<String, Value>,
    files: HashMap<String, String>,
    /// Roots for which the scope consumes every leading step itself.
    consuming: Vec<String>,
    calls: RefCell<Vec<(String, Vec<Step>)>>,
}

impl Scope for TestScope {
    fn resolve(
        &self,
        root: &str,
        steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        self.calls
            .borrow_mut()
            .push((root.to_string(), steps.to_vec()));
        let Some(value) = self.roots.get(root) else {
            return Err(Diagnostic::error(
                "Reference to undeclared name",
                format!("{root} is not declared"),
            )
            .with_span(span));
        };
        if !self.consuming.iter().any(|r| r == root) {
            return Ok((value.clone(), 0));
        }
        // Walk the steps the way a real scope would, consuming all of them.
        let mut current = value.clone();
        for step in steps {
            current = match step {
                Step::Attr(name) => current.get_attr(name).cloned().unwrap_or(Value::Null),
                Step::Index(Value::Number(n)) => current
                    .as_list()
                    .and_then(|items| items.get(n.0 as usize).cloned())
                    .unwrap_or(Value::Null),
                Step::Index(Value::String(key)) => {
                    current.get_attr(key).cloned().unwrap_or(Value::Null)
                }
                Step::Index(_) => Value::Unknown,
            };
        }
        Ok((current, steps.len()))
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| format!("no file exists at {path:?}"))
    }
}

fn s(text: &str) -> Value {
    Value::string(text)
}

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

fn secret(value: Value) -> Value {
    value.mark_sensitive()
}

fn fixture() -> TestScope {
    let var = Value::object([
        ("name", s("hub")),
        ("count", Value::int(3)),
        ("list", list(vec![s("a"), s("b"), s("c")])),
        (
            "map",
            Value::object([("y", Value::int(2)), ("x", Value::int(1))]),
        ),
        (
            "objs",
            list(vec![
                Value::object([("id", s("1")), ("tags", Value::object([("env", s("p"))]))]),
                Value::object([("id", s("2")), ("tags", Value::object([("env", s("d"))]))]),
            ]),
        ),
        ("one", Value::object([("id", s("solo"))])),
        ("secret", secret(s("s3cr3t"))),
        (
            "secret_map",
            secret(Value::object([("a", s("x")), ("b", s("y"))])),
        ),
        ("mixed", list(vec![secret(s("p")), s("q")])),
        ("unknown", Value::Unknown),
        ("nul", Value::Null),
        ("flag", Value::Bool(true)),
        ("five", s("5")),
        ("partial", list(vec![Value::int(1), Value::Unknown])),
        ("set", Value::set(vec![s("b"), s("a")])),
        ("paths", list(vec![s("a.txt")])),
        ("empty", list(vec![])),
        ("secret_number", secret(Value::int(4))),
        ("unknown_secret", secret(Value::Unknown)),
    ]);
    let mut roots = BTreeMap::new();
    roots.insert("var".to_string(), var);
    roots.insert(
        "res".to_string(),
        Value::object([(
            "gw",
            Value::object([
                ("id", s("/gw")),
                ("ips", list(vec![s("10.0.0.1"), s("10.0.0.2")])),
            ]),
        )]),
    );
    let mut files = HashMap::new();
    files.insert("a.txt".to_string(), "hello".to_string());
    files.insert(
        "t.tpl".to_string(),
        "name=${name}%{ for p in ports ~}\n:${p}%{ endfor ~}\n".to_string(),
    );
    files.insert("bad.tpl".to_string(), "x=${var.name}".to_string());
    files.insert("broken.tpl".to_string(), "x=${".to_string());
    files.insert(
        "rec.tpl".to_string(),
        "${templatefile(\"t.tpl\", {})}".to_string(),
    );
    TestScope {
        roots,
        files,
        consuming: vec!["res".to_string()],
        calls: RefCell::new(Vec::new()),
    }
}

const FILE: FileId = FileId(7);

fn parse(src: &str) -> hcl_edit::expr::Expression {
    hcl_edit::parser::parse_expr(src).unwrap_or_else(|e| panic!("parse {src:?}: {e}"))
}

fn eval_in(src: &str, scope: &TestScope) -> Result<Value, Diagnostic> {
    eval(&parse(src), FILE, scope)
}

fn ev(src: &str) -> Result<Value, Diagnostic> {
    eval_in(src, &fixture())
}

fn ok(src: &str) -> Value {
    ev(src).unwrap_or_else(|d| panic!("{src}: {} / {}", d.summary, d.detail))
}

fn err(src: &str) -> Diagnostic {
    match ev(src) {
        Ok(v) => panic!("{src}: expected an error, got {v}"),
        Err(d) => d,
    }
}

/// The source text a diagnostic points at.
fn pointed<'a>(src: &'a str, d: &Diagnostic) -> &'a str {
    let span = d.span.unwrap_or_else(|| panic!("no span on {d:?}"));
    assert_eq!(span.file, FILE);
    &src[span.start..span.end]
}

fn is_sensitive(v: &Value) -> bool {
    matches!(v, Value::Sensitive(_))
}

// ---- literals, collections, parentheses, variables ----

#[test]
fn literals() {
    assert_eq!(ok("null"), Value::Null);
    assert_eq!(ok("true"), Value::Bool(true));
    assert_eq!(ok("1.5"), Value::number(1.5));
    assert_eq!(ok("-3"), Value::int(-3));
    assert_eq!(ok("\"a\\tb\""), s("a\tb"));
    assert_eq!(ok("(1 + 2) * 3"), Value::int(9));
}

#[test]
fn arrays_and_objects() {
    assert_eq!(
        ok("[1, \"a\", [true]]"),
        list(vec![Value::int(1), s("a"), list(vec![Value::Bool(true)])])
    );
    assert_eq!(
        ok("{ name = 1, \"quoted key\" = 2, (var.name) = 3, (1 + 1) = 4 }"),
        Value::object([
            ("name", Value::int(1)),
            ("quoted key", Value::int(2)),
            ("hub", Value::int(3)),
            ("2", Value::int(4)),
        ])
    );
    let src = "{ (var.nul) = 1 }";
    let d = err(src);
    assert_eq!(d.summary, "Null value as key");
    assert_eq!(pointed(src, &d), "(var.nul)");
    assert_eq!(err("{ (var.list) = 1 }").summary, "Incorrect key type");
    assert_eq!(ok("{ (var.unknown) = 1, b = 2 }"), Value::Unknown);
    let v = ok("{ (var.secret) = 1 }");
    assert!(is_sensitive(&v));
}

#[test]
fn variables_and_undeclared_names() {
    assert_eq!(ok("var.name"), s("hub"));
    let src = "1 + nope.x";
    let d = err(src);
    assert_eq!(d.summary, "Reference to undeclared name");
    assert_eq!(pointed(src, &d), "nope.x");
    // A for-bound name shadows a scope root of the same name.
    assert_eq!(
        ok("[for var in [1, 2] : var * 10]"),
        list(vec![Value::int(10), Value::int(20)])
    );
}

// ---- operators ----

#[test]
fn arithmetic_comparison_and_logic() {
    assert_eq!(ok("1 + 2 * 3 - 4 / 2"), Value::int(5));
    assert_eq!(ok("7 % 3"), Value::int(1));
    assert_eq!(ok("-7 % 3"), Value::int(-1));
    assert_eq!(ok("var.five + 1"), Value::int(6));
    assert_eq!(ok("\"2\" * \"3\""), Value::int(6));
    assert_eq!(ok("3 >= 3 && 2 < 1 == false"), Value::Bool(true));
    assert_eq!(ok("\"true\" && true"), Value::Bool(true));
    assert_eq!(ok("false || !false"), Value::Bool(true));
    assert_eq!(ok("-(2 + 3)"), Value::int(-5));
    assert_eq!(ok("\"${5 / 2}:${1.0 + 2}\""), s("2.5:3"));
}

#[test]
fn equality_does_not_convert() {
    assert_eq!(ok("\"1\" == 1"), Value::Bool(false));
    assert_eq!(ok("1 == 1.0"), Value::Bool(true));
    assert_eq!(ok("[1, \"a\"] == [1, \"a\"]"), Value::Bool(true));
    assert_eq!(ok("{a = 1} != {a = 2}"), Value::Bool(true));
    assert_eq!(ok("null == null"), Value::Bool(true));
    assert_eq!(ok("var.nul == \"x\""), Value::Bool(false));
}

#[test]
fn operand_errors_point_at_the_operand() {
    let src = "\"abc\" + 1";
    let d = err(src);
    assert_eq!(d.summary, "Invalid operand");
    assert_eq!(
        d.detail,
        "Unsuitable value for left operand: a number is required."
    );
    assert_eq!(pointed(src, &d), "\"abc\"");

    let src = "1 - true";
    let d = err(src);
    assert_eq!(
        d.detail,
        "Unsuitable value for right operand: number required."
    );
    assert_eq!(pointed(src, &d), "true");

    let src = "true && \"yes\"";
    let d = err(src);
    assert_eq!(
        d.detail,
        "Unsuitable value for right operand: a bool is required."
    );

    let d = err("!5");
    assert_eq!(
        d.detail,
        "Unsuitable value for unary operand: bool required."
    );

    let d = err("var.nul + 1");
    assert_eq!(d.summary, "Operation failed");
    assert_eq!(
        d.detail,
        "Error during operation: argument must not be null."
    );

    assert_eq!(err("1 / 0").summary, "Operation failed");
}

#[test]
fn unknown_operands_make_unknown_results() {
    for src in [
        "var.unknown + 1",
        "1 < var.unknown",
        "var.unknown == 1",
        "var.unknown != null",
        "var.unknown && false",
        "true || var.unknown",
        "!var.unknown",
        "-var.unknown",
        "var.partial == [1, 2]",
    ] {
        assert_eq!(ok(src), Value::Unknown, "{src}");
    }
    // A definite difference before any unknown decides equality.
    assert_eq!(ok("var.partial == [2, 2]"), Value::Bool(false));
    // Type errors are still reported next to an unknown.
    assert_eq!(err("var.unknown + [1]").summary, "Invalid operand");
}

#[test]
fn sensitive_operands_make_sensitive_results() {
    assert_eq!(ok("var.secret == \"x\""), secret(Value::Bool(false)));
    assert_eq!(ok("var.secret != \"\" && true"), secret(Value::Bool(true)));
    assert_eq!(ok("var.mixed == [\"p\", \"q\"]"), secret(Value::Bool(true)));
    assert_eq!(ok("-var.secret_number"), secret(Value::int(-4)));
    assert_eq!(ok("var.secret_number + 1"), secret(Value::int(5)));
    assert_eq!(ok("var.unknown_secret + 1"), secret(Value::Unknown));
}

// ---- conditionals ----

#[test]
fn conditionals() {
    assert_eq!(ok("var.flag ? \"y\" : \"n\""), s("y"));
    assert_eq!(ok("\"false\" ? 1 : 2"), Value::int(2));
    // The result not taken may fail; only the taken one matters.
    assert_eq!(
        ok("var.nul != null ? var.nul.x : \"default\""),
        s("default")
    );
    // Results unify: a number and a string give a string.
    assert_eq!(ok("true ? 1 : \"x\""), s("1"));
    assert_eq!(
        ok("true ? {a = 1} : {b = 2}"),
        Value::object([("a", Value::int(1))])
    );
    assert_eq!(ok("false ? null : [1]"), list(vec![Value::int(1)]));
    // Tuples of different lengths unify into a list, sets with tuples into a set.
    assert_eq!(ok("var.flag ? [1] : [\"a\", \"b\"]"), list(vec![s("1")]));
    assert_eq!(
        ok("var.flag ? var.set : []"),
        Value::set(vec![s("a"), s("b")])
    );
    assert_eq!(ok("var.flag ? [] : var.set"), Value::set(vec![]));
}

#[test]
fn conditional_errors() {
    let src = "var.name ? 1 : 2";
    let d = err(src);
    assert_eq!(d.summary, "Incorrect condition type");
    assert_eq!(d.detail, "The condition expression must be of type bool.");
    assert_eq!(pointed(src, &d), "var.name");

    assert_eq!(err("var.nul ? 1 : 2").summary, "Null condition");

    let src = "var.flag ? \"a\" : [\"b\"]";
    let d = err(src);
    assert_eq!(d.summary, "Inconsistent conditional result types");
    assert_eq!(
        d.detail,
        "The true and false result expressions must have consistent types. The 'true' value is \
         string, but the 'false' value is tuple."
    );
    assert_eq!(pointed(src, &d), "\"a\" : [\"b\"]");

    let d = err("true ? [1] : [true, false]");
    assert!(
        d.detail
            .contains("The 'true' tuple has length 1, but the 'false' tuple has length 2")
    );
    assert_eq!(
        err("true ? 1 : false").summary,
        "Inconsistent conditional result types"
    );
}

#[test]
fn conditional_marks() {
    assert_eq!(ok("var.unknown ? 1 : 2"), Value::Unknown);
    assert_eq!(
        ok("var.secret == \"s3cr3t\" ? 1 : 2"),
        secret(Value::int(1))
    );
    // A sensitive result keeps its mark; the other branch does not leak it.
    assert_eq!(ok("true ? var.secret : \"x\""), secret(s("s3cr3t")));
    assert_eq!(ok("false ? var.secret : \"x\""), s("x"));
}

// ---- traversals ----

#[test]
fn traversal_steps() {
    assert_eq!(ok("var.list[1]"), s("b"));
    assert_eq!(ok("var.list.2"), s("c"));
    assert_eq!(ok("var.list[\"0\"]"), s("a"));
    assert_eq!(ok("var.map[\"x\"]"), Value::int(1));
    assert_eq!(ok("var.objs[1].tags.env"), s("d"));
    assert_eq!(ok("[10, 20][1]"), Value::int(20));
    assert_eq!(ok("{a = {b = 3}}.a.b"), Value::int(3));
    assert_eq!(ok("[for o in var.objs : o.tags][0].env"), s("p"));
}

#[test]
fn scope_receives_leading_steps_and_their_evaluated_keys() {
    let scope = fixture();
    let value = eval_in("res.gw.ips[1 + 0]", &scope).unwrap_or(Value::Null);
    assert_eq!(value, s("10.0.0.2"));
    let calls = scope.calls.borrow();
    assert_eq!(
        calls.as_slice(),
        &[(
            "res".to_string(),
            vec![
                Step::Attr("gw".to_string()),
                Step::Attr("ips".to_string()),
                Step::Index(Value::int(1)),
            ]
        )]
    );
    drop(calls);

    // Steps after a splat are not given to the scope; the evaluator applies them.
    let scope = fixture();
    let value = eval_in("var.objs[*].id", &scope).unwrap_or(Value::Null);
    assert_eq!(value, list(vec![s("1"), s("2")]));
    assert_eq!(
        scope.calls.borrow()[0].1,
        vec![Step::Attr("objs".to_string())]
    );
}

#[test]
fn splats() {
    assert_eq!(ok("var.objs[*].id"), list(vec![s("1"), s("2")]));
    assert_eq!(ok("var.objs.*.id"), list(vec![s("1"), s("2")]));
    assert_eq!(ok("var.objs[*].tags.env"), list(vec![s("p"), s("d")]));
    // An index after an attribute splat applies to the result; after a full splat, to each item.
    assert_eq!(ok("var.objs.*.id[1]"), s("2"));
    assert_eq!(
        ok("[[1, 2], [3, 4]][*][0]"),
        list(vec![Value::int(1), Value::int(3)])
    );
    assert_eq!(ok("var.nul[*].id"), list(vec![]));
    assert_eq!(ok("var.one[*].id"), list(vec![s("solo")]));
    assert_eq!(ok("var.set[*]"), list(vec![s("a"), s("b")]));
    assert_eq!(ok("var.unknown[*].id"), Value::Unknown);
}

#[test]
fn traversal_errors_point_at_the_step() {
    let src = "var.one.nope";
    let d = err(src);
    assert_eq!(d.summary, "Unsupported attribute");
    assert_eq!(
        d.detail,
        "This object does not have an attribute named \"nope\"."
    );
    assert_eq!(pointed(src, &d), ".nope");

    let src = "var.list[5]";
    let d = err(src);
    assert_eq!(d.summary, "Invalid index");
    assert_eq!(
        d.detail,
        "The given key does not identify an element in this collection value."
    );
    assert_eq!(pointed(src, &d), "[5]");

    let d = err("var.map[\"z\"]");
    assert_eq!(d.summary, "Invalid index");

    let d = err("var.nul.x");
    assert_eq!(d.summary, "Attempt to get attribute from null value");
    assert_eq!(err("var.nul[0]").summary, "Attempt to index null value");

    let d = err("var.objs.id");
    assert!(
        d.detail
            .starts_with("Can't access attributes on a list of objects.")
    );
    let d = err("var.name.x");
    assert_eq!(
        d.detail,
        "Can't access attributes on a primitive-typed value (string)."
    );
    let d = err("var.set[0]");
    assert!(
        d.detail
            .starts_with("Elements of a set are identified only by their value")
    );
    assert_eq!(err("var.list[\"x\"]").summary, "Invalid index");
    assert_eq!(err("var.list[-1]").summary, "Invalid index");
    assert_eq!(err("var.empty[0]").summary, "Invalid index");
}

#[test]
fn traversal_marks() {
    assert_eq!(ok("var.unknown.a.b[3]"), Value::Unknown);
    assert_eq!(ok("var.list[var.unknown]"), Value::Unknown);
    assert_eq!(ok("var.secret_map.a"), secret(s("x")));
    assert_eq!(ok("var.secret_map[\"b\"]"), secret(s("y")));
    // A sensitive element stays sensitive, its neighbour stays plain.
    assert_eq!(ok("var.mixed[0]"), secret(s("p")));
    assert_eq!(ok("var.mixed[1]"), s("q"));
    assert_eq!(ok("var.list[var.secret_number - 3]"), secret(s("b")));
    assert_eq!(
        ok("{x = 1}[var.secret_number > 0 ? \"x\" : \"y\"]"),
        secret(Value::int(1))
    );
}

// ---- templates ----

#[test]
fn string_templates() {
    assert_eq!(
        ok("\"${var.name}-${var.count}-${var.flag}\""),
        s("hub-3-true")
    );
    assert_eq!(ok("\"$${literal} %%{x}\""), s("${literal} %{x}"));
    // A lone interpolation gives the value itself.
    assert_eq!(ok("\"${var.list}\""), list(vec![s("a"), s("b"), s("c")]));
    assert_eq!(ok("\"%{ if var.flag }yes%{ else }no%{ endif }\""), s("yes"));
    assert_eq!(ok("\"%{ if !var.flag }yes%{ endif }!\""), s("!"));
    assert_eq!(
        ok("\"%{ for i, v in var.list }${i}=${v};%{ endfor }\""),
        s("0=a;1=b;2=c;")
    );
    assert_eq!(
        ok("\"%{ for k, v in var.map }${k}${v}%{ endfor }\""),
        s("x1y2")
    );
}

#[test]
fn strip_markers_in_quoted_templates() {
    assert_eq!(ok("\"a   ${~ \"b\" ~}   c\""), s("abc"));
    assert_eq!(
        ok("\"[ %{~ for v in var.list ~} ${v} %{~ endfor ~} ]\""),
        s("[abc]")
    );
    assert_eq!(
        ok("\"< %{ if var.flag ~} yes %{~ else ~} no %{~ endif } >\""),
        s("< yes >")
    );
}

#[test]
fn template_errors_and_marks() {
    let src = "\"x${var.nul}\"";
    let d = err(src);
    assert_eq!(d.summary, "Invalid template interpolation value");
    assert_eq!(pointed(src, &d), "var.nul");
    let src = "\"x${var.list}\"";
    let d = err(src);
    assert_eq!(
        d.detail,
        "Cannot include the given value in a string template: string required."
    );
    assert_eq!(pointed(src, &d), "var.list");
    assert_eq!(
        err("\"%{ if var.name }x%{ endif }\"").summary,
        "Incorrect condition type"
    );

    assert_eq!(ok("\"a-${var.unknown}\""), Value::Unknown);
    assert_eq!(ok("\"%{ if var.unknown }x%{ endif }\""), Value::Unknown);
    assert_eq!(
        ok("\"%{ for x in var.unknown }x%{ endfor }\""),
        Value::Unknown
    );
    assert_eq!(ok("\"key=${var.secret}\""), secret(s("key=s3cr3t")));
    assert_eq!(
        ok("\"${var.unknown}${var.secret}\""),
        secret(Value::Unknown)
    );
    assert_eq!(
        ok("\"%{ for x in var.secret_map }${x}%{ endfor }\""),
        secret(s("xy"))
    );
}

// ---- heredocs ----

fn heredoc(body: &str) -> Value {
    ok(&format!("<<-EOT\n{body}EOT"))
}

#[test]
fn plain_heredoc_keeps_indentation() {
    assert_eq!(ok("<<EOT\n    Foo\n  Bar\nEOT"), s("    Foo\n  Bar\n"));
    assert_eq!(ok("<<EOT\nhi ${var.name}\nEOT"), s("hi hub\n"));
}

#[test]
fn indented_heredoc_matches_the_hcl_spec_suite() {
    assert_eq!(
        heredoc("    Foo\n    Bar\n    Baz\n  "),
        s("Foo\nBar\nBaz\n")
    );
    assert_eq!(
        heredoc("    Foo\n      Bar\n    Baz\n  "),
        s("Foo\n  Bar\nBaz\n")
    );
    assert_eq!(
        heredoc("    Foo\n  Bar\n    Baz\n  "),
        s("  Foo\nBar\n  Baz\n")
    );
    assert_eq!(
        heredoc("    Foo\n    ${\"Bar\"}\n    Baz\n  "),
        s("Foo\nBar\nBaz\n")
    );
    assert_eq!(
        heredoc("    Foo\n      ${\"Bar\"}\n    Baz\n  "),
        s("Foo\n  Bar\nBaz\n")
    );
    assert_eq!(
        heredoc("    Foo\n  ${\"  Bar\"}\n    Baz\n  "),
        s("  Foo\n  Bar\n  Baz\n")
    );
    assert_eq!(heredoc("\tFoo\n  Bar\n  Baz\n  "), s("Foo\n Bar\n Baz\n"));
    assert_eq!(heredoc("Foo\n\nBar\n\nBaz\n"), s("Foo\n\nBar\n\nBaz\n"));
    assert_eq!(
        heredoc("    Foo\n\n    Bar\n\n    Baz\n  "),
        s("Foo\n\nBar\n\nBaz\n")
    );
}

#[test]
fn indented_heredoc_counts_whitespace_only_lines_as_blank() {
    // hcl-edit counts the two-space line; Terraform ignores it and removes four spaces.
    assert_eq!(heredoc("    a\n  \n      b\n  "), s("a\n\n  b\n"));
}

#[test]
fn indented_heredoc_dedents_inside_directives() {
    let src = "  %{ for x in var.list }\n  item ${x}\n  %{ endfor }\n";
    assert_eq!(heredoc(src), s("\nitem a\n\nitem b\n\nitem c\n\n"));
    let src = "  %{ if var.flag }\n    yes\n  %{ endif }\n";
    assert_eq!(heredoc(src), s("\n  yes\n\n"));
}

#[test]
fn heredoc_strip_markers_trim_only_the_neighbouring_line() {
    let src = "<<EOT\n%{ for x in var.list ~}\n${x}\n%{ endfor ~}\nEOT";
    assert_eq!(ok(src), s("a\nb\nc\n"));
    let src = "<<EOT\nabc\n\n${~ \"x\"}\nEOT";
    assert_eq!(ok(src), s("abc\nx\n"));
    // In a <<- heredoc a marker that empties a line start turns the dedent off, as in Terraform.
    let src = "    %{~ for x in var.list ~}\n    ${x}\n    %{~ endfor ~}\n  ";
    assert_eq!(heredoc(src), s("    a\n    b\n    c\n"));
}

#[test]
fn heredoc_references_and_marks() {
    assert_eq!(ok("<<EOT\n${var.unknown}\nEOT"), Value::Unknown);
    assert_eq!(ok("<<-EOT\n  ${var.secret}\n  EOT"), secret(s("s3cr3t\n")));
}

// ---- for expressions ----

#[test]
fn for_expressions() {
    assert_eq!(
        ok("[for v in var.list : \"${v}!\" if v != \"b\"]"),
        list(vec![s("a!"), s("c!")])
    );
    assert_eq!(
        ok("[for i, v in var.list : i]"),
        list(vec![Value::int(0), Value::int(1), Value::int(2)])
    );
    // Maps iterate in key order.
    assert_eq!(ok("[for k, v in var.map : k]"), list(vec![s("x"), s("y")]));
    assert_eq!(
        ok("[for v in var.map : v]"),
        list(vec![Value::int(1), Value::int(2)])
    );
    assert_eq!(ok("[for k, v in var.set : k]"), list(vec![s("a"), s("b")]));
    assert_eq!(
        ok("{for o in var.objs : o.id => o.tags.env}"),
        Value::object([("1", s("p")), ("2", s("d"))])
    );
    assert_eq!(
        ok("{for i, v in [\"a\", \"b\", \"a\"] : v => i...}"),
        Value::object([
            ("a", list(vec![Value::int(0), Value::int(2)])),
            ("b", list(vec![Value::int(1)])),
        ])
    );
    assert_eq!(
        ok("{for v in [1, 2] : v => v * 2}"),
        Value::object([("1", Value::int(2)), ("2", Value::int(4))])
    );
    // Nested for expressions see the outer names.
    assert_eq!(
        ok("[for a in [1, 2] : [for b in [10] : a + b]]"),
        list(vec![list(vec![Value::int(11)]), list(vec![Value::int(12)])])
    );
}

#[test]
fn for_expression_errors() {
    let src = "[for v in var.nul : v]";
    let d = err(src);
    assert_eq!(d.summary, "Iteration over null value");
    assert_eq!(pointed(src, &d), "var.nul");
    let d = err("[for v in var.name : v]");
    assert_eq!(d.summary, "Iteration over non-iterable value");
    assert_eq!(
        d.detail,
        "A value of type string cannot be used as the collection in a 'for' expression."
    );
    let src = "{for v in [\"a\", \"a\"] : v => 1}";
    let d = err(src);
    assert_eq!(d.summary, "Duplicate object key");
    assert_eq!(pointed(src, &d), "v");
    assert_eq!(
        err("[for v in [1] : v if v]").summary,
        "Invalid 'for' condition"
    );
    assert_eq!(
        err("[for v in [1] : v if null]").summary,
        "Condition is null"
    );
    assert_eq!(
        err("{for v in [1] : null => v}").summary,
        "Invalid object key"
    );
    // The bound names are gone after the expression.
    assert_eq!(
        err("[[for q in [1] : q], q]").summary,
        "Reference to undeclared name"
    );
}

#[test]
fn for_expression_marks() {
    assert_eq!(ok("[for v in var.unknown : v]"), Value::Unknown);
    assert_eq!(
        ok("[for v in [1, 2] : v if v == var.unknown]"),
        Value::Unknown
    );
    assert_eq!(ok("{for v in [1] : var.unknown => v}"), Value::Unknown);
    assert_eq!(
        ok("[for v in var.partial : v]"),
        list(vec![Value::int(1), Value::Unknown])
    );
    assert_eq!(
        ok("[for k, v in var.secret_map : v]"),
        secret(list(vec![s("x"), s("y")]))
    );
    // Sensitive elements of a plain collection keep their own marks only.
    assert_eq!(
        ok("[for v in var.mixed : v]"),
        list(vec![secret(s("p")), s("q")])
    );
}

// ---- function calls ----

#[test]
fn try_and_can() {
    assert_eq!(
        ok("try(var.one.nope, var.nul.x, \"fallback\")"),
        s("fallback")
    );
    assert_eq!(ok("try(var.one.id, \"fallback\")"), s("solo"));
    assert_eq!(ok("try(var.unknown.x, \"fallback\")"), Value::Unknown);
    assert_eq!(ok("try(var.secret, 1)"), secret(s("s3cr3t")));
    let src = "try(var.one.nope, var.list[9])";
    let d = err(src);
    assert_eq!(d.summary, "Error in function call");
    assert!(
        d.detail.starts_with(
            "Call to function \"try\" failed: no expression succeeded:\n- Unsupported attribute\n"
        ),
        "{}",
        d.detail
    );
    assert!(d.detail.contains("- Invalid index\n"));
    assert!(
        d.detail
            .ends_with("At least one expression must produce a successful result.")
    );
    assert_eq!(pointed(src, &d), src);

    assert_eq!(ok("can(var.one.id)"), Value::Bool(true));
    assert_eq!(ok("can(var.one.nope)"), Value::Bool(false));
    assert_eq!(ok("can(var.unknown.x)"), Value::Unknown);
    assert_eq!(err("can()").summary, "Not enough function arguments");
    assert_eq!(err("can(1, 2)").summary, "Too many function arguments");
}

#[test]
fn file_reads_through_the_scope() {
    assert_eq!(ok("file(\"a.txt\")"), s("hello"));
    assert_eq!(ok("file(var.paths...)"), s("hello"));
    assert_eq!(ok("file(var.unknown)"), Value::Unknown);
    let src = "file(\"missing.txt\")";
    let d = err(src);
    assert_eq!(d.summary, "Invalid function argument");
    assert_eq!(
        d.detail,
        "Invalid value for \"path\" parameter: no file exists at \"missing.txt\"."
    );
    assert_eq!(pointed(src, &d), "\"missing.txt\"");
    let src = "file(var.name...)";
    let d = err(src);
    assert_eq!(d.summary, "Invalid expanding argument value");
    assert_eq!(pointed(src, &d), "var.name");
}

#[test]
fn templatefile_renders_with_only_its_vars() {
    assert_eq!(
        ok("templatefile(\"t.tpl\", { name = var.name, ports = [80, 443] })"),
        s("name=hub:80:443")
    );
    assert_eq!(
        ok("templatefile(\"t.tpl\", { name = var.unknown, ports = [] })"),
        Value::Unknown
    );
    assert_eq!(
        ok("templatefile(\"t.tpl\", { name = var.secret, ports = [] })"),
        secret(s("name=s3cr3t"))
    );
    let d = err("templatefile(\"bad.tpl\", {})");
    assert_eq!(d.summary, "Error in function call");
    assert_eq!(
        d.detail,
        "Call to function \"templatefile\" failed: bad.tpl:1,5-13: Unknown variable; There is no \
         variable named \"var\"."
    );
    let d = err("templatefile(\"broken.tpl\", {})");
    assert!(d.detail.contains("broken.tpl:1,"), "{}", d.detail);
    let d = err("templatefile(\"rec.tpl\", {})");
    assert!(
        d.detail.contains("cannot recursively call templatefile"),
        "{}",
        d.detail
    );
    let d = err("templatefile(\"t.tpl\", { \"bad-name!\" = 1 })");
    assert_eq!(d.summary, "Invalid function argument");
}

#[test]
fn unknown_functions() {
    let src = "1 + tyr(1)";
    let d = err(src);
    assert_eq!(d.summary, "Call to unknown function");
    assert_eq!(
        d.detail,
        "There is no function named \"tyr\". Did you mean \"try\"?"
    );
    assert_eq!(pointed(src, &d), "tyr");
    let d = err("qqqqqq(1)");
    assert_eq!(d.detail, "There is no function named \"qqqqqq\".");
    let src = "provider::azurerm::parse(1)";
    let d = err(src);
    assert_eq!(d.summary, "Call to unknown function");
    assert_eq!(
        d.detail,
        "There is no function named \"provider::azurerm::parse\"."
    );
    assert_eq!(pointed(src, &d), "provider::azurerm::parse");
    assert_eq!(ok("core::can(1)"), Value::Bool(true));
}

// ---- eval_template_str ----

#[test]
fn template_strings() {
    let scope = fixture();
    assert_eq!(
        eval_template_str("hi ${var.name}%{ if var.flag }!%{ endif }", FILE, &scope).ok(),
        Some(s("hi hub!"))
    );
    let d = eval_template_str("hi ${", FILE, &scope).err();
    assert_eq!(d.map(|d| d.summary), Some("Invalid template".to_string()));
}

// ---- references ----

fn refs(src: &str) -> Vec<Reference> {
    references(&parse(src), FILE)
}

fn roots(src: &str) -> Vec<String> {
    refs(src).into_iter().map(|r| r.root).collect()
}

#[test]
fn references_with_static_steps() {
    let src = "1 + azurerm_subnet.gw[\"hub\"].id";
    let found = refs(src);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].root, "azurerm_subnet");
    assert_eq!(
        found[0].steps,
        vec![
            RefStep::Attr("gw".to_string()),
            RefStep::Index(s("hub")),
            RefStep::Attr("id".to_string()),
        ]
    );
    assert_eq!(
        &src[found[0].span.start..found[0].span.end],
        "azurerm_subnet.gw[\"hub\"].id"
    );

    let found = refs("module.m.out[0].x");
    assert_eq!(found[0].steps[2], RefStep::Index(Value::int(0)));

    let found = refs("data.x.y[var.k].z");
    assert_eq!(
        found[0].steps,
        vec![
            RefStep::Attr("x".to_string()),
            RefStep::Attr("y".to_string()),
            RefStep::Dynamic,
        ]
    );
    assert_eq!(found[1].root, "var");
    assert_eq!(found[1].steps, vec![RefStep::Attr("k".to_string())]);

    let found = refs("local.items[*].id");
    assert_eq!(
        found[0].steps,
        vec![RefStep::Attr("items".to_string()), RefStep::Dynamic]
    );
    assert_eq!(refs("count")[0].steps, vec![]);
}

#[test]
fn references_everywhere_but_for_bound_names() {
    assert_eq!(
        roots("[for k, v in var.m : \"${k}-${v.x}-${local.suffix}\" if v.on && each.key != k]"),
        vec!["var", "local", "each"]
    );
    assert_eq!(
        roots("{for x in var.a : x => [for y in x.list : y + local.n]}"),
        vec!["var", "local"]
    );
    assert_eq!(
        roots(
            "<<EOT\n%{ for s in var.subnets }${s}${path.module}%{ endfor }%{ if var.b }${local.c}%{ else }${local.d}%{ endif }\nEOT"
        ),
        vec!["var", "path", "var", "local", "local"]
    );
    assert_eq!(
        roots("try(lookup(var.m, local.k), { (local.key) = module.x.y }) ? a.b : c.d"),
        vec!["var", "local", "local", "module", "a", "c"]
    );
    // A for-bound name shadows the root, but its index expressions are still searched.
    assert_eq!(roots("[for var in x : var[local.i]]"), vec!["x", "local"]);
    // After the expression, the name is free again.
    assert_eq!(roots("[[for v in [] : v], v]"), vec!["v"]);
}

#[test]
fn sensitive_keys_and_conditions_mark_the_whole_result() {
    assert!(is_sensitive(&ok("{for v in [1] : var.secret => v}")));
    assert!(is_sensitive(&ok("[for v in var.mixed : v if v != \"q\"]")));
    assert_eq!(
        ok("[for v in var.list : v if v == \"a\"]"),
        list(vec![s("a")])
    );
}

#[test]
fn template_string_errors_point_into_the_template() {
    let scope = fixture();
    let pointed_in = |text: &'static str| {
        let d = eval_template_str(text, FILE, &scope).err();
        d.and_then(|d| d.span).map(|s| &text[s.start..s.end])
    };
    assert_eq!(pointed_in("a ${var.nope.x} b"), Some(".nope"));
    assert_eq!(pointed_in("a\n${nope.x[0]} b"), Some("nope.x[0]"));
}
