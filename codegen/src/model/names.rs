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

/// The words of a `PascalCase` name (`DropletsListOkBody` → `Droplets`, `List`, `Ok`, `Body`).
fn words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = name.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_uppercase() && !bytes[i - 1].is_ascii_uppercase() {
            out.push(&name[start..i]);
            start = i;
        }
    }
    if start < name.len() {
        out.push(&name[start..]);
    }
    out
}

/// Words that say nothing about a type on their own.
const GENERIC: &[&str] = &["Body", "Item", "Value", "Data", "List", "Items", "Object"];

/// The reason phrases of a range of statuses, as names (`NotFound`), computed once:
/// naming asks for every type it names.
fn reason_words(range: std::ops::Range<u16>) -> BTreeSet<String> {
    range
        .filter_map(openapi_runtime::status::reason)
        .map(pascal)
        .collect()
}

/// Reason-phrase words of error answers (`Unauthorized`, `NotFound`…, `Default`).
fn error_word(words: &[&str]) -> bool {
    static ERRORS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    let text = words.concat();
    matches!(text.as_str(), "Default" | "ClientError" | "ServerError")
        || ERRORS
            .get_or_init(|| reason_words(400..600))
            .contains(&text)
}

/// Whether a word is a 2xx reason phrase (`Ok`, `Created`…).
pub fn success_word(word: &str) -> bool {
    static SUCCESSES: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    SUCCESSES
        .get_or_init(|| reason_words(200..300))
        .contains(word)
}

/// `name` without a trailing success status and `Body` (`DropletsListOkBody` →
/// `DropletsList`), when something is left.
pub fn without_success_body(name: &str) -> String {
    let w = words(name);
    if w.len() >= 3 && w.last() == Some(&"Body") {
        for from in (1..w.len() - 1).rev() {
            if success_word(&w[from..w.len() - 1].concat()) {
                return w[..from].concat();
            }
        }
    }
    name.to_owned()
}

/// The singular of a name whose last word is a plain plural (`Droplets` → `Droplet`,
/// `Policies` → `Policy`); `None` for anything else (`Status`, `Address`, `Data`).
pub fn singular(name: &str) -> Option<String> {
    let last = *words(name).last()?;
    let stem = name.strip_suffix(last)?;
    let one = if let Some(base) = last.strip_suffix("ies").filter(|b| b.len() >= 2) {
        format!("{base}y")
    } else if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        last[..last.len() - 2].to_owned()
    } else if last.ends_with("ss") || last.ends_with("us") || last.ends_with("is") {
        return None;
    } else {
        last.strip_suffix('s').filter(|b| b.len() >= 3)?.to_owned()
    };
    Some(format!("{stem}{one}"))
}

/// The name of a type reached under several suggested names (one per use): their common
/// ending when it says something (`…ConnectionTags` everywhere → `ConnectionTags`),
/// `ErrorBody` when every use is the body of an error answer, else the shortest. `None`
/// when there is a single name.
pub fn shared(uses: &[String]) -> Option<String> {
    let mut distinct: Vec<&str> = uses.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return None;
    }
    let split: Vec<Vec<&str>> = distinct.iter().map(|u| words(u)).collect();
    let mut common: Vec<&str> = Vec::new();
    'suffix: for k in 1.. {
        let mut word = None;
        for w in &split {
            let Some(&x) = w.len().checked_sub(k).and_then(|i| w.get(i)) else {
                break 'suffix;
            };
            match word {
                None => word = Some(x),
                Some(y) if y == x => {}
                Some(_) => break 'suffix,
            }
        }
        match word {
            Some(x) => common.insert(0, x),
            None => break,
        }
    }
    // The ending from its first specific word: `OkBodyTags` → `Tags`.
    while let Some(first) = common.first() {
        if GENERIC.contains(first) || error_word(&[first]) || success_word(first) {
            common.remove(0);
        } else {
            break;
        }
    }
    if !common.is_empty() {
        return Some(common.concat());
    }
    let errors = split.iter().all(|w| {
        w.len() >= 2
            && w.last() == Some(&"Body")
            && (1..w.len() - 1).any(|from| error_word(&w[from..w.len() - 1]))
    });
    if errors {
        return Some("ErrorBody".to_owned());
    }
    distinct
        .iter()
        .min_by_key(|u| (u.len(), **u))
        .map(|u| (*u).to_owned())
}

/// Longest suggested type name; longer ones lose words from the middle.
pub const MAX_NAME: usize = 48;

/// `name` cut to [`MAX_NAME`] characters by dropping whole words after the first, nearest
/// the end first, keeping the last two (`StripeAccountsRequirementsAlternativesItem…` →
/// the first word and the most specific ones); three words still too long are cut at
/// the limit. Collisions are suffixed by the scope.
pub fn capped(name: &str) -> String {
    if name.len() <= MAX_NAME {
        return name.to_owned();
    }
    let mut w = words(name);
    while w.concat().len() > MAX_NAME && w.len() > 3 {
        w.remove(w.len() - 3);
    }
    let joined = w.concat();
    if joined.len() <= MAX_NAME {
        joined
    } else {
        joined.chars().take(MAX_NAME).collect()
    }
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
    fn types_used_in_many_places_are_named_by_all_of_them() {
        let uses = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(shared(&uses(&["A"])), None);
        assert_eq!(
            shared(&uses(&[
                "GetConnectionOkBodyTags",
                "ListConnectionsOkBodyTags"
            ]))
            .as_deref(),
            Some("Tags")
        );
        assert_eq!(
            shared(&uses(&[
                "OneClicksListUnauthorizedBody",
                "DropletsListNotFoundBody",
                "DropletsListTooManyRequestsBody",
                "ImagesGetDefaultBody",
            ]))
            .as_deref(),
            Some("ErrorBody")
        );
        assert_eq!(
            shared(&uses(&["ZebraOkBody", "AbOkBody2x", "AbCreatedBody"])).as_deref(),
            Some("AbOkBody2x"),
            "no common ending: the shortest"
        );
    }

    #[test]
    fn children_of_success_bodies_and_items_read_naturally() {
        assert_eq!(without_success_body("DropletsListOkBody"), "DropletsList");
        assert_eq!(
            without_success_body("CreateSessionCreatedBody"),
            "CreateSession"
        );
        assert_eq!(
            without_success_body("GetUnauthorizedBody"),
            "GetUnauthorizedBody"
        );
        assert_eq!(without_success_body("OkBody"), "OkBody");
        assert_eq!(
            singular("DropletsListDroplets").as_deref(),
            Some("DropletsListDroplet")
        );
        assert_eq!(singular("Policies").as_deref(), Some("Policy"));
        assert_eq!(singular("ConnectionStatus"), None);
        assert_eq!(singular("Address"), None);
        assert_eq!(singular("Data"), None);
        assert_eq!(singular("PayloadMatches").as_deref(), Some("PayloadMatch"));
        assert_eq!(singular("Addresses").as_deref(), Some("Address"));
        assert_eq!(singular("Boxes").as_deref(), Some("Box"));
    }

    #[test]
    fn long_names_lose_middle_words() {
        let long = "PathsV2DropletsDropletIdActionsGetResponses200ContentApplicationJsonSchema";
        let cut = capped(long);
        assert!(cut.len() <= MAX_NAME, "{cut}");
        assert!(
            cut.starts_with("Paths") && cut.ends_with("JsonSchema"),
            "{cut}"
        );
        assert_eq!(capped("Short"), "Short");
        assert_eq!(
            words("DropletsListOkBody"),
            ["Droplets", "List", "Ok", "Body"]
        );
        assert_eq!(words("V2Droplets"), ["V2", "Droplets"]);
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
