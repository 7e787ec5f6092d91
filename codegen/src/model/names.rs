//! Rust identifiers from arbitrary wire names: casing (heck), keywords, digits, symbols,
//! and deterministic de-duplication.

use heck::{ToPascalCase, ToSnakeCase};
use std::collections::BTreeSet;

/// Where a type's name comes from; decides who wins a collision.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Name {
    /// Given by the spec (a `components/schemas` key): kept unless two collide after casing.
    Required(String),
    /// Made up from context (parent + property, operation + status): yields to `Required`.
    Suggested(String),
}

impl Name {
    /// The raw text.
    pub fn text(&self) -> &str {
        match self {
            Name::Required(s) | Name::Suggested(s) => s,
        }
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "union",
];

/// Spells symbols that casing would drop, so `+1`/`-1` and `<`/`>` stay distinct.
fn spell_symbols(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for (i, c) in raw.chars().enumerate() {
        let word = match c {
            '+' => Some("plus"),
            '-' if i == 0 => Some("minus"),
            '<' => Some("lt"),
            '>' => Some("gt"),
            '=' => Some("eq"),
            '!' => Some("not"),
            '*' => Some("star"),
            '@' => Some("at"),
            '%' => Some("percent"),
            '&' => Some("and"),
            '#' => Some("hash"),
            '$' => Some("dollar"),
            _ => None,
        };
        match word {
            Some(w) => {
                out.push(' ');
                out.push_str(w);
                out.push(' ');
            }
            None if c.is_alphanumeric() => out.push(c),
            None => out.push(' '),
        }
    }
    out
}

fn finish(mut ident: String, fallback: &str) -> String {
    ident.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident.is_empty() {
        ident = fallback.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(
            0,
            if fallback.starts_with(char::is_uppercase) {
                'V'
            } else {
                '_'
            },
        );
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// `UpperCamelCase` identifier for a type or variant.
pub fn pascal(raw: &str) -> String {
    let mut ident = finish(spell_symbols(raw).to_pascal_case(), "Value");
    // Dropping a non-ASCII capital (`ÁKK` → `Ákk` → `kk`) can leave a lower-case start.
    if let Some(first) = ident.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    ident
}

/// `snake_case` identifier for a field, function or module.
pub fn snake(raw: &str) -> String {
    finish(spell_symbols(raw).to_snake_case(), "value")
}

/// Hands out identifiers unique within one scope, suffixing `2`, `3`… on collision.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Scope {
        Scope::default()
    }

    /// Reserves `ident` (or the first free `identN`) and returns it.
    pub fn claim(&mut self, ident: &str) -> String {
        if self.taken.insert(ident.to_owned()) {
            return ident.to_owned();
        }
        (2..)
            .map(|n| format!("{ident}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_default()
    }

    /// Whether `ident` is already taken.
    pub fn contains(&self, ident: &str) -> bool {
        self.taken.contains(ident)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_real_world_names() {
        assert_eq!(pascal("connect-session"), "ConnectSession");
        assert_eq!(pascal("self-harm/intent"), "SelfHarmIntent");
        assert_eq!(pascal("+1"), "Plus1");
        assert_eq!(pascal("-1"), "Minus1");
        assert_eq!(pascal("2fa"), "V2fa");
        assert_eq!(pascal(""), "Value");
        assert_eq!(pascal("ÁKK"), "Kk");
        assert_eq!(pascal("ÁTHK"), "Thk");
        assert_eq!(snake("ref"), "ref_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("default (null)"), "default_null");
        assert_eq!(
            snake("airline.agency_invoice_number"),
            "airline_agency_invoice_number"
        );
        assert_eq!(snake("files[0]"), "files_0");
        assert_eq!(snake("123abc"), "_123abc");
        assert_eq!(snake("X-Hook-Secret"), "x_hook_secret");
        assert_eq!(pascal("<="), "LtEq");
    }

    #[test]
    fn scopes_suffix_deterministically() {
        let mut s = Scope::new();
        assert_eq!(s.claim("a"), "a");
        assert_eq!(s.claim("a"), "a2");
        assert_eq!(s.claim("a"), "a3");
        assert!(s.contains("a2"));
    }
}
