//! Which extra traits (`cargo xtask codegen --derive Hash --derive Eq`) each generated type
//! can derive. A trait holds for a type when it holds for everything the type contains:
//! floats have no total equality or order, JSON values have no order; a type that contains
//! one (directly or through other types, recursion included) cannot derive it. Types where a
//! requested trait cannot hold do without it, and the root causes are reported.

use super::Model;
use super::ir::{Ty, TypeKind};
use crate::diag::Diagnostic;

/// A trait generated types can derive on request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trait {
    /// `Eq`
    Eq,
    /// `Hash`
    Hash,
    /// `PartialOrd`
    PartialOrd,
    /// `Ord` (implies `Eq` and `PartialOrd`)
    Ord,
}

impl Trait {
    /// Every trait, in derive order.
    pub const ALL: [Trait; 4] = [Trait::Eq, Trait::Hash, Trait::PartialOrd, Trait::Ord];

    /// Its name in Rust.
    pub fn name(self) -> &'static str {
        match self {
            Trait::Eq => "Eq",
            Trait::Hash => "Hash",
            Trait::PartialOrd => "PartialOrd",
            Trait::Ord => "Ord",
        }
    }

    /// Parses a `--derive` value (`Hash`, `std::hash::Hash`).
    pub fn parse(text: &str) -> Result<Trait, String> {
        let last = text.rsplit("::").next().unwrap_or(text).trim();
        Trait::ALL
            .into_iter()
            .find(|t| t.name() == last)
            .ok_or_else(|| {
                format!(
                    "cannot derive `{text}`: supported are Eq, Hash, PartialOrd and Ord (Debug, Clone, PartialEq, Serialize, Deserialize and JsonSchema are always there)"
                )
            })
    }

    /// Whether a leaf type has it.
    fn leaf(self, ty: &Ty) -> Result<bool, &'static str> {
        let float = "a float (f64): no total equality or order";
        let json = "a JSON value: no order";
        match (self, ty) {
            (Trait::Eq | Trait::Hash | Trait::Ord, Ty::F64) => Err(float),
            (Trait::PartialOrd, Ty::F64) => Ok(true),
            (Trait::PartialOrd | Trait::Ord, Ty::Any | Ty::JsonObject) => Err(json),
            _ => Ok(true),
        }
    }
}

/// The requested traits, with those they imply (`Ord` → `Eq`, `PartialOrd`), in order.
pub fn closure(requested: &[Trait]) -> Vec<Trait> {
    let mut out: Vec<Trait> = requested.to_vec();
    if out.contains(&Trait::Ord) {
        out.extend([Trait::Eq, Trait::PartialOrd]);
    }
    out.sort();
    out.dedup();
    out
}

/// Where a trait stops holding: a type and the part of it that breaks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Index into [`Model::types`].
    pub ty: usize,
    /// What breaks it (`field `amount` is a float (f64)…`).
    pub reason: String,
}

/// For each type, whether `t` can be derived; and the types that break it themselves.
pub fn derivable(model: &Model, t: Trait) -> (Vec<bool>, Vec<Refusal>) {
    let mut ok = vec![true; model.types.len()];
    let mut roots: Vec<Option<String>> = vec![None; model.types.len()];
    loop {
        let mut changed = false;
        for (i, def) in model.types.iter().enumerate() {
            if !ok[i] {
                continue;
            }
            if let Some(reason) = breaks(model, &ok, t, &def.kind) {
                ok[i] = false;
                changed = true;
                roots[i] = reason;
            }
        }
        if !changed {
            break;
        }
    }
    let refusals = roots
        .into_iter()
        .enumerate()
        .filter_map(|(ty, r)| r.map(|reason| Refusal { ty, reason }))
        .collect();
    (ok, refusals)
}

/// `Some(Some(reason))` when the type itself breaks the trait, `Some(None)` when something it
/// contains does, `None` when it holds (as far as `ok` knows).
fn breaks(model: &Model, ok: &[bool], t: Trait, kind: &TypeKind) -> Option<Option<String>> {
    let check = |label: String, ty: &Ty| -> Option<Option<String>> {
        match contains(ok, t, ty) {
            Ok(true) => None,
            Ok(false) => Some(None),
            Err(why) => Some(Some(format!("{label} is {why}"))),
        }
    };
    let _ = model;
    match kind {
        TypeKind::StringEnum(_) => None,
        TypeKind::Alias(ty) => check("the aliased type".into(), ty),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .find_map(|v| check(format!("variant `{}`", v.ident), &v.ty)),
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find_map(|f| check(format!("field `{}`", f.ident), &f.ty))
            .or_else(|| {
                s.extra.as_ref().and_then(|(ident, ty)| {
                    let map = match ty {
                        Ty::Any => Ty::JsonObject,
                        other => Ty::Map(Box::new(other.clone())),
                    };
                    check(format!("field `{ident}`"), &map)
                })
            }),
    }
}

/// `Ok(true)` holds; `Ok(false)` a contained generated type does not; `Err` a leaf breaks it.
fn contains(ok: &[bool], t: Trait, ty: &Ty) -> Result<bool, &'static str> {
    match ty {
        Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) | Ty::Boxed(inner) => {
            contains(ok, t, inner)
        }
        Ty::Tuple(items) => {
            for i in items {
                if !contains(ok, t, i)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Ty::Named(id) => Ok(ok.get(id.0).copied().unwrap_or(false)),
        leaf => t.leaf(leaf),
    }
}

/// Whether every type of a list (a params struct's fields) has `t`.
pub fn all_have(ok: &[bool], t: Trait, types: &[&Ty]) -> bool {
    types.iter().all(|ty| contains(ok, t, ty) == Ok(true))
}

/// The extra derives of each type and the warnings for those refused, for `--derive`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Per type (index into [`Model::types`]): the traits to derive.
    pub types: Vec<Vec<Trait>>,
    /// Per operation: the traits its parameters struct derives.
    pub params: Vec<Vec<Trait>>,
}

/// Decides the extra derives for `requested` (with what they imply).
pub fn plan(model: &Model, requested: &[Trait]) -> Plan {
    let mut plan = Plan {
        types: vec![Vec::new(); model.types.len()],
        params: vec![Vec::new(); model.operations.len()],
    };
    for t in closure(requested) {
        let (ok, _) = derivable(model, t);
        for (i, has) in ok.iter().enumerate() {
            // String enums derive all four already.
            let string_enum = matches!(model.types[i].kind, TypeKind::StringEnum(_));
            if *has && !string_enum {
                plan.types[i].push(t);
            }
        }
        for (i, op) in model.operations.iter().enumerate() {
            let tys: Vec<&Ty> = op.params.iter().map(|p| &p.ty).collect();
            if all_have(&ok, t, &tys) {
                plan.params[i].push(t);
            }
        }
    }
    plan
}

/// One located warning per requested trait that some types cannot hold: how many, why
/// (the types that break it themselves, by reason, the first few named), located at the
/// first of them. Implied traits (`Ord` → `Eq`, `PartialOrd`) refuse no type `Ord` keeps.
pub fn refused(model: &Model, requested: &[Trait], doc: &crate::load::Document) -> Vec<Diagnostic> {
    let mut asked: Vec<Trait> = requested.to_vec();
    asked.sort();
    asked.dedup();
    let mut out = Vec::new();
    for t in asked {
        let (ok, refusals) = derivable(model, t);
        let Some(first) = refusals.first() else {
            continue;
        };
        let count = ok.iter().filter(|o| !**o).count();
        let mut reasons: Vec<(String, Vec<String>)> = Vec::new();
        for r in &refusals {
            let (place, why) = r
                .reason
                .split_once(" is ")
                .unwrap_or((r.reason.as_str(), ""));
            let place = place
                .trim_start_matches("field ")
                .trim_start_matches("variant ")
                .trim_matches('`');
            let named = format!("`{}.{place}`", model.types[r.ty].ident);
            match reasons.iter_mut().find(|(w, _)| w == why) {
                Some((_, list)) => list.push(named),
                None => reasons.push((why.to_owned(), vec![named])),
            }
        }
        let parts: Vec<String> = reasons
            .iter()
            .map(|(why, list)| {
                let shown: Vec<&str> = list.iter().take(3).map(String::as_str).collect();
                let more = if list.len() > 3 {
                    format!(" and {} more", list.len() - 3)
                } else {
                    String::new()
                };
                format!("{} hold {why} ({}{more})", list.len(), shown.join(", "))
            })
            .collect();
        let def = &model.types[first.ty];
        let span = doc
            .root
            .pointer(&def.pointer)
            .map_or(doc.root.span, |n| n.span);
        out.push(
            Diagnostic::warning(
                "derive-refused",
                format!(
                    "`--derive {}` is not applied to {count} of {} types: {}; the others contain those",
                    t.name(),
                    model.types.len(),
                    parts.join("; ")
                ),
            )
            .at(def.pointer.clone(), span)
            .help(format!(
                "the other types derive `{}`; a property that must have it needs an integer or string type",
                t.name()
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_implied_traits() {
        assert_eq!(Trait::parse("std::hash::Hash"), Ok(Trait::Hash));
        assert!(
            Trait::parse("Copy")
                .unwrap_err()
                .contains("supported are Eq, Hash")
        );
        assert_eq!(
            closure(&[Trait::Ord]),
            [Trait::Eq, Trait::PartialOrd, Trait::Ord]
        );
        assert_eq!(closure(&[Trait::Hash, Trait::Hash]), [Trait::Hash]);
    }

    #[test]
    fn leaves() {
        assert!(Trait::Eq.leaf(&Ty::F64).is_err());
        assert_eq!(Trait::PartialOrd.leaf(&Ty::F64), Ok(true));
        assert!(Trait::Ord.leaf(&Ty::Any).is_err());
        assert_eq!(Trait::Hash.leaf(&Ty::Any), Ok(true));
        assert_eq!(
            contains(
                &[false],
                Trait::Eq,
                &Ty::Vec(Box::new(Ty::Named(super::super::ir::TypeId(0))))
            ),
            Ok(false)
        );
    }
}
