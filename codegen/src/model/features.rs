//! Cargo features for large APIs: each OpenAPI tag becomes a feature (kebab-case), each
//! operation is compiled when one of its tags is enabled, and each type when an enabled
//! operation can reach it. `default` enables every tag, so the simple case stays simple; a
//! user who needs three endpoints of GitHub enables their tags and compiles a fraction of
//! the crate.
//!
//! Operations without tags share the feature `untagged`; types no operation reaches
//! (webhook payloads, unreferenced components) the feature `other-schemas`.

use super::Model;
use super::ir::{Ty, TypeId, TypeKind};
use heck::ToKebabCase;

/// Above this many operations a spec gets tag features unless told otherwise.
pub const THRESHOLD: usize = 250;

/// Whether to make tag features.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// When the spec has more than [`THRESHOLD`] operations and uses tags.
    #[default]
    Auto,
    /// Whenever the spec uses tags (`--tag-features`).
    Always,
    /// Never (`--no-tag-features`).
    Never,
}

/// When an item is compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Always (every feature needs it).
    Always,
    /// When any of these features (indices into [`Features::names`]) is enabled.
    Any(Vec<usize>),
}

/// The tag features of a crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Features {
    /// Feature names, in the order they are declared: tags in document order, then
    /// `untagged` and `other-schemas` when needed.
    pub names: Vec<String>,
    /// The tag each feature stands for (`None` for `untagged` and `other-schemas`).
    pub tags: Vec<Option<String>>,
    /// Per operation (index into [`Model::operations`]).
    pub operations: Vec<Gate>,
    /// Per type (index into [`Model::types`]).
    pub types: Vec<Gate>,
}

/// Names Cargo or the generated crate already use.
const RESERVED: &[&str] = &[
    "default",
    "client",
    "server",
    "schemars",
    "untagged",
    "other-schemas",
];

fn feature_name(tag: &str) -> String {
    let kebab: String = tag
        .to_kebab_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let trimmed = kebab.trim_matches('-').to_owned();
    match trimmed.as_str() {
        "" => "tag".into(),
        name if RESERVED.contains(&name) => format!("{name}-tag"),
        name if name.starts_with(|c: char| c.is_ascii_digit()) => format!("tag-{name}"),
        _ => trimmed,
    }
}

/// The named types a type expression mentions.
fn ids(ty: &Ty, out: &mut Vec<TypeId>) {
    match ty {
        Ty::Named(id) => out.push(*id),
        Ty::Vec(i) | Ty::Map(i) | Ty::Option(i) | Ty::Boxed(i) => ids(i, out),
        Ty::Tuple(items) => items.iter().for_each(|i| ids(i, out)),
        _ => {}
    }
}

/// The types a type definition contains directly.
fn children(model: &Model, id: TypeId) -> Vec<TypeId> {
    let mut out = Vec::new();
    match model.types.get(id.0).map(|d| &d.kind) {
        Some(TypeKind::Struct(s)) => {
            s.fields.iter().for_each(|f| ids(&f.ty, &mut out));
            if let Some((_, t)) = &s.extra {
                ids(t, &mut out);
            }
        }
        Some(TypeKind::Union(u)) => u.variants.iter().for_each(|v| ids(&v.ty, &mut out)),
        Some(TypeKind::Alias(t)) => ids(t, &mut out),
        _ => {}
    }
    out
}

/// The types an operation mentions directly (parameters, body, response bodies).
fn roots(model: &Model, op: usize) -> Vec<TypeId> {
    let mut out = Vec::new();
    if let Some(op) = model.operations.get(op) {
        op.params.iter().for_each(|p| ids(&p.ty, &mut out));
        if let Some(b) = &op.body {
            ids(&b.ty, &mut out);
        }
        for r in &op.responses {
            if let Some(b) = &r.body {
                ids(&b.ty, &mut out);
            }
        }
    }
    out
}

/// Marks feature `f` on every type reachable from `start`.
fn reach(model: &Model, start: Vec<TypeId>, f: usize, sets: &mut [Vec<usize>]) {
    let mut stack = start;
    while let Some(id) = stack.pop() {
        let Some(set) = sets.get_mut(id.0) else {
            continue;
        };
        if set.last() == Some(&f) {
            continue;
        }
        set.push(f);
        stack.extend(children(model, id));
    }
}

/// Decides the tag features of a model, or `None` when it gets none.
pub fn plan(model: &Model, mode: Mode) -> Option<Features> {
    let tagged = model.operations.iter().any(|o| !o.http.tags.is_empty());
    let wanted = match mode {
        Mode::Never => false,
        Mode::Always => tagged,
        Mode::Auto => tagged && model.operations.len() > THRESHOLD,
    };
    if !wanted {
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    let mut tags: Vec<Option<String>> = Vec::new();
    let mut operations = Vec::with_capacity(model.operations.len());
    let mut untagged = Vec::new();
    for (i, op) in model.operations.iter().enumerate() {
        let mut set = Vec::new();
        for tag in &op.http.tags {
            let index = match tags.iter().position(|t| t.as_deref() == Some(tag.as_str())) {
                Some(index) => index,
                None => {
                    // Two tags that spell one name (`Repos`, `repos`) stay two features.
                    let base = feature_name(tag);
                    let mut name = base.clone();
                    let mut n = 2;
                    while names.contains(&name) {
                        name = format!("{base}-{n}");
                        n += 1;
                    }
                    names.push(name);
                    tags.push(Some(tag.clone()));
                    names.len() - 1
                }
            };
            if !set.contains(&index) {
                set.push(index);
            }
        }
        if set.is_empty() {
            untagged.push(i);
        }
        operations.push(set);
    }
    if !untagged.is_empty() {
        names.push("untagged".into());
        tags.push(None);
        let index = names.len() - 1;
        for i in untagged {
            operations[i].push(index);
        }
    }
    // Types: every feature whose operations reach them, in feature order.
    let mut sets: Vec<Vec<usize>> = vec![Vec::new(); model.types.len()];
    for f in 0..names.len() {
        let start: Vec<TypeId> = operations
            .iter()
            .enumerate()
            .filter(|(_, set)| set.contains(&f))
            .flat_map(|(i, _)| roots(model, i))
            .collect();
        reach(model, start, f, &mut sets);
    }
    let unreached: Vec<TypeId> = (0..model.types.len())
        .filter(|i| sets[*i].is_empty())
        .map(TypeId)
        .collect();
    if !unreached.is_empty() {
        names.push("other-schemas".into());
        tags.push(None);
        let f = names.len() - 1;
        reach(model, unreached, f, &mut sets);
    }
    let all = names.len();
    let gate = |mut set: Vec<usize>| {
        set.sort_unstable();
        set.dedup();
        if set.len() == all {
            Gate::Always
        } else {
            Gate::Any(set)
        }
    };
    Some(Features {
        operations: operations.into_iter().map(gate).collect(),
        types: sets.into_iter().map(gate).collect(),
        names,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_cargo_feature_names() {
        assert_eq!(feature_name("Pull Requests"), "pull-requests");
        assert_eq!(feature_name("code-scanning"), "code-scanning");
        assert_eq!(feature_name("server"), "server-tag");
        assert_eq!(feature_name("2fa"), "tag-2fa");
        assert_eq!(feature_name("Überweisung"), "berweisung");
        assert_eq!(feature_name("✓"), "tag");
    }
}
