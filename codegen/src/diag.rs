//! The one diagnostic type of the toolkit and its renderers (rustc-like text, JSON).
//!
//! A diagnostic says what is wrong, where (JSON pointer and `file:line:col`), shows the
//! source line with a caret, and says what to do. Runs collect all of them.

use crate::load::pointer::JsonPointer;
use crate::load::source::{SourceMap, Span};
use annotate_snippets::{AnnotationKind, Element, Group, Level, Renderer, Snippet};
use serde_json::json;

/// How bad a finding is. Only errors make commands fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The document is wrong: generation or validation would be wrong too.
    Error,
    /// Legal but suspicious, or tolerated with a documented fallback.
    Warning,
}

impl Severity {
    /// Lower-case name, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary place a diagnostic refers to (e.g. the first of two duplicate ids).
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there.
    pub label: String,
}

/// One finding about an input document.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable rule name, e.g. `schema-not-object`.
    pub code: &'static str,
    /// One sentence: what is wrong.
    pub message: String,
    /// JSON pointer of the offending node, when there is one.
    pub pointer: Option<JsonPointer>,
    /// Source span of the offending node (in the spec or an overlay file).
    pub span: Option<Span>,
    /// Short text under the caret.
    pub label: String,
    /// What to do about it.
    pub help: String,
    /// Other places that explain it.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A new error with a rule code and a message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A new warning with a rule code and a message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            pointer: None,
            span: None,
            label: String::new(),
            help: String::new(),
            related: Vec::new(),
        }
    }

    /// Sets the JSON pointer and the source span.
    pub fn at(mut self, pointer: JsonPointer, span: Span) -> Diagnostic {
        self.pointer = Some(pointer);
        self.span = Some(span);
        self
    }

    /// Sets only the source span (for problems that have no pointer, such as syntax errors).
    pub fn at_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Sets the label under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = help.into();
        self
    }

    /// Adds a secondary location.
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Orders diagnostics for output: by file, then position, then rule, so runs are stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            let (file, start) = d.span.map_or((u32::MAX, u32::MAX), |s| {
                (
                    if s.is_detached() {
                        u32::MAX
                    } else {
                        s.file.index()
                    },
                    s.start,
                )
            });
            (file, start, d.code, d.message.clone())
        };
        key(a).cmp(&key(b))
    });
}

/// Counts of errors and warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
}

impl Tally {
    /// Counts a list.
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Tally {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        write!(
            f,
            "{}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )
    }
}

/// Renders diagnostics like rustc: title, `--> file:line:col`, the line with a caret,
/// the JSON pointer and the help. `color` adds ANSI styles (for terminals).
pub fn render_human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(&d.message).id(d.code));
        if let Some(snippet) = d
            .span
            .and_then(|s| line_snippet(sources, s, &d.label, AnnotationKind::Primary))
        {
            group = group.elements(snippet);
        }
        for r in &d.related {
            if let Some(snippet) = line_snippet(sources, r.span, &r.label, AnnotationKind::Context)
            {
                group = group.elements(snippet);
            }
        }
        if let Some(p) = &d.pointer {
            group = group.element(Level::NOTE.message(format!("at {p}")));
        }
        if !d.help.is_empty() {
            group = group.element(Level::HELP.message(&d.help));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// Most bytes of a line shown on either side of a span: a diagnostic in a 25 MB
/// single-line spec shows a window, not the line.
const WINDOW: usize = 120;

/// A snippet of just the span's first line, cut to a window around the span, so rendering
/// stays cheap on 12 MB files and single-line ones.
fn line_snippet<'a>(
    sources: &'a SourceMap,
    span: Span,
    label: &'a str,
    kind: AnnotationKind,
) -> Option<Vec<Element<'a>>> {
    let file = sources.get(span.file)?;
    let (line, _) = file.line_col(span.start as usize);
    let line_start = file.line_start(line)?;
    let whole = file.line_text(line);
    let span_start = (span.start as usize)
        .saturating_sub(line_start)
        .min(whole.len());
    let span_end = (span.end as usize)
        .saturating_sub(line_start)
        .clamp(span_start, whole.len());
    let mut from = span_start.saturating_sub(WINDOW);
    while !whole.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (span_end.min(span_start + WINDOW) + WINDOW).min(whole.len());
    while !whole.is_char_boundary(to) {
        to += 1;
    }
    let text = whole.get(from..to).unwrap_or("");
    let start = span_start - from;
    let mut end = (span_end.min(to) - from).max(start);
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    let mut annotation = kind.span(start..end);
    if !label.is_empty() {
        annotation = annotation.label(label);
    }
    let snippet = Snippet::source(text)
        .line_start(line)
        .annotation(annotation);
    if from == 0 {
        return Some(vec![snippet.path(file.name()).into()]);
    }
    // Cut: a path on the snippet would show the window's column; the real one is named.
    let (_, column) = file.line_col(span.start as usize);
    Some(vec![
        snippet.into(),
        Level::NOTE
            .message(format!(
                "{}:{line}:{column} (the line is shown around this column)",
                file.name()
            ))
            .into(),
    ])
}

/// Renders diagnostics as a JSON array, one object per diagnostic.
pub fn render_json(diagnostics: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    let located = |span: Option<Span>| {
        let loc = span.and_then(|s| sources.location(s));
        let end = span.and_then(|s| sources.get(s.file).map(|f| f.line_col(s.end as usize)));
        (loc, end)
    };
    let items = diagnostics
        .iter()
        .map(|d| {
            let (loc, end) = located(d.span);
            let related: Vec<_> = d
                .related
                .iter()
                .map(|r| {
                    let (loc, _) = located(Some(r.span));
                    json!({
                        "file": loc.as_ref().map(|l| l.file.clone()),
                        "line": loc.as_ref().map(|l| l.line),
                        "column": loc.as_ref().map(|l| l.column),
                        "label": r.label,
                    })
                })
                .collect();
            json!({
                "severity": d.severity.as_str(),
                "code": d.code,
                "message": d.message,
                "pointer": d.pointer.as_ref().map(ToString::to_string),
                "file": loc.as_ref().map(|l| l.file.clone()),
                "line": loc.as_ref().map(|l| l.line),
                "column": loc.as_ref().map(|l| l.column),
                "end_line": end.map(|e| e.0),
                "end_column": end.map(|e| e.1),
                "label": d.label,
                "help": d.help,
                "related": related,
            })
        })
        .collect();
    serde_json::Value::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_rendering_shows_location_caret_pointer_and_help() {
        let mut sources = SourceMap::new();
        let id = sources.add("spec.yaml", "a:\n  b: nope\n");
        let d = Diagnostic::error("demo", "b is wrong")
            .at(JsonPointer::from_tokens(["a", "b"]), Span::new(id, 8, 12))
            .label("this value")
            .help("fix it");
        let text = render_human(std::slice::from_ref(&d), &sources, false);
        assert!(text.contains("error[demo]: b is wrong"), "{text}");
        assert!(text.contains("--> spec.yaml:2:6"), "{text}");
        assert!(text.contains("^^^^ this value"), "{text}");
        assert!(text.contains("at #/a/b"), "{text}");
        assert!(text.contains("help: fix it"), "{text}");
        let j = render_json(&[d], &sources);
        assert_eq!(j[0]["line"], 2);
        assert_eq!(j[0]["column"], 6);
        assert_eq!(j[0]["pointer"], "#/a/b");
    }

    #[test]
    fn a_span_deep_in_a_long_line_shows_a_window_and_its_real_column() {
        let mut sources = SourceMap::new();
        let filler = "é".repeat(5_000);
        let text = format!("{{\"x\": \"{filler}\", \"bad\": 1}}");
        let at = text.find("\"bad\"").unwrap_or(0);
        let id = sources.add("one-line.json", text.clone());
        let d = Diagnostic::error("demo", "bad")
            .at(JsonPointer::root(), Span::new(id, at, at + 5))
            .label("here");
        let out = render_human(std::slice::from_ref(&d), &sources, false);
        let (_, column) = sources.get(id).unwrap().line_col(at);
        assert_eq!(column, 5_000 + 11, "columns count characters");
        assert!(
            out.contains(&format!("one-line.json:1:{column} (the line")),
            "{out}"
        );
        assert!(out.contains("^^^^^ here"), "{out}");
        assert!(
            out.len() < 2_000,
            "a window, not the line: {} bytes",
            out.len()
        );
    }

    #[test]
    fn tally_counts_and_pluralizes() {
        let ds = [
            Diagnostic::error("a", "x"),
            Diagnostic::warning("b", "y"),
            Diagnostic::warning("b", "z"),
        ];
        assert_eq!(Tally::of(&ds).to_string(), "1 error, 2 warnings");
    }
}
