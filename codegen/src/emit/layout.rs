//! Layout prettyplease cannot know: it prints a macro's body as a token stream wrapped at
//! the line width, so `record!` invocations would run their property lines together. Here
//! each `;`-terminated entry of a top-level `crate::runtime::record! { … }` gets its own line.

const OPEN: &str = "crate::runtime::record! {";

/// Re-lays out every top-level `record!` invocation of a formatted file, one entry per line.
/// Anything else is returned unchanged.
pub fn record_calls(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if line.trim_end() != OPEN {
            out.push_str(line);
            continue;
        }
        // prettyplease wraps only at spaces between tokens: joining the body's lines with a
        // space restores the one-line form exactly.
        let mut body = String::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            if inner.trim_end() == "}" {
                closed = true;
                break;
            }
            if !body.is_empty() {
                body.push(' ');
            }
            body.push_str(inner.trim());
        }
        out.push_str(OPEN);
        out.push('\n');
        for entry in entries(&body) {
            out.push_str("    ");
            out.push_str(entry);
            out.push('\n');
        }
        if closed {
            out.push_str("}\n");
        }
    }
    out
}

/// Splits at each `;` outside string literals, keeping the `;`.
fn entries(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut in_string, mut escaped) = (0, false, false);
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ';' if !in_string => {
                out.push(body[start..=i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let rest = body[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_line_and_literals_untouched() {
        let text = "struct A;\ncrate::runtime::record! {\n    A, open, \"x; \\\"y;\\\"\", rest r; a = \"a\", required,\n    \"doc; more\"; b = \"b\", optional, \"\";\n}\nfn f() {}\n";
        assert_eq!(
            record_calls(text),
            "struct A;\ncrate::runtime::record! {\n    A, open, \"x; \\\"y;\\\"\", rest r;\n    a = \"a\", required, \"doc; more\";\n    b = \"b\", optional, \"\";\n}\nfn f() {}\n"
        );
    }

    #[test]
    fn other_text_is_unchanged() {
        let text = "fn record() {}\n    crate::runtime::record! {\n}\n";
        assert_eq!(record_calls(text), text);
    }
}
