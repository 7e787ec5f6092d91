//! `$ref` rules: every reference must resolve inside the document, without cycles, to a
//! node of the kind its position expects.

use crate::diag::Diagnostic;
use crate::load::node::Node;
use crate::load::openapi::Slot;
use crate::load::pointer::JsonPointer;
use crate::load::refs::{self, RefError};
use std::collections::BTreeSet;

/// Checks references as the other rules meet them, reporting each cycle once.
pub struct RefChecker<'a> {
    root: &'a Node,
    cycles: BTreeSet<Vec<JsonPointer>>,
    /// The cycle lists already reported (by address).
    seen_cycles: Vec<std::sync::Arc<[JsonPointer]>>,
    diagnostics: Vec<Diagnostic>,
    /// Where chains already followed end: each link is followed once for the document.
    memo: refs::Memo,
}

impl<'a> RefChecker<'a> {
    pub fn new(root: &'a Node) -> RefChecker<'a> {
        RefChecker {
            root,
            cycles: BTreeSet::new(),
            seen_cycles: Vec::new(),
            diagnostics: Vec::new(),
            memo: refs::Memo::default(),
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Checks the `$ref` of `holder` (at `at`), which stands in a position of kind `slot`.
    pub fn check(&mut self, slot: Slot, holder: &Node, at: &JsonPointer) {
        let Some(reference) = refs::ref_of(holder) else {
            return;
        };
        let ref_at = at.child("$ref");
        let Some(text) = reference.as_str() else {
            self.diagnostics.push(
                Diagnostic::error(
                    "ref-invalid",
                    format!("`$ref` must be a string, found {}", reference.kind_name()),
                )
                .at(ref_at, reference.span)
                .help("write `$ref: '#/components/…'`"),
            );
            return;
        };
        match refs::resolve_chain_with(self.root, holder, at, &mut self.memo) {
            Ok((target, target_at)) => {
                self.check_kind(slot, text, reference, &ref_at, target, &target_at)
            }
            Err(e) => self.report(e, text, reference, ref_at),
        }
    }

    fn report(&mut self, error: RefError, text: &str, reference: &Node, ref_at: JsonPointer) {
        let d = match error {
            RefError::NotAString => Diagnostic::error("ref-invalid", "a `$ref` in this chain is not a string")
                .at(ref_at, reference.span)
                .help("every `$ref` must be a string"),
            RefError::External(s) => Diagnostic::error("ref-external", format!("`{s}` points outside this document"))
                .at(ref_at, reference.span)
                .label("external reference")
                .help("bundle the referenced documents into this one; only `#/…` references are resolved"),
            RefError::NotAPointer(s) => Diagnostic::error("ref-invalid", format!("`{s}` is not a JSON pointer"))
                .at(ref_at, reference.span)
                .help("write the reference as `#/components/schemas/Name` (plain-name anchors are not supported)"),
            RefError::Missing { pointer, suggestion } => {
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "point the reference at an existing node, or add the missing definition".to_owned(),
                };
                let message = if pointer.to_string() == text {
                    format!("`{text}` does not resolve")
                } else {
                    format!("`{text}` does not resolve (nothing at {pointer})")
                };
                Diagnostic::error("ref-unresolved", message).at(ref_at, reference.span).label("unresolved reference").help(help)
            }
            RefError::Cycle(chain) => {
                // Every `$ref` into one cycle shares its list: compared by address first, so
                // a long cycle costs one sort, not one per reference.
                if self.seen_cycles.iter().any(|c| std::sync::Arc::ptr_eq(c, &chain)) {
                    return;
                }
                self.seen_cycles.push(chain.clone());
                let mut key = chain.to_vec();
                key.sort();
                key.dedup();
                if !self.cycles.insert(key) {
                    return;
                }
                let mut path: Vec<String> = chain.iter().map(ToString::to_string).collect();
                if path.len() > 12 {
                    // A long cycle is named by its ends, not listed whole.
                    let hidden = path.len() - 9;
                    path.splice(6..path.len() - 3, [format!("… {hidden} more …")]);
                }
                Diagnostic::error("ref-cycle", format!("`$ref` cycle: {}", path.join(" → ")))
                    .at(ref_at, reference.span)
                    .label("this reference leads back to itself")
                    .help("break the cycle: one of these definitions must hold a schema, not only a `$ref`")
            }
            RefError::TooLong => Diagnostic::error("ref-chain-too-long", "`$ref` chain is longer than a million links")
                .at(ref_at, reference.span)
                .help("shorten the chain of references"),
        };
        self.diagnostics.push(d);
    }

    /// A reference into another components section is almost always a mistake
    /// (e.g. a Parameter position pointing at a schema).
    fn check_kind(
        &mut self,
        slot: Slot,
        text: &str,
        reference: &Node,
        ref_at: &JsonPointer,
        target: &Node,
        target_at: &JsonPointer,
    ) {
        let tokens = target_at.tokens();
        let section = match tokens {
            [c, section, _, ..] if c == "components" => section.as_str(),
            _ => return,
        };
        let Some(expected) = slot.component_section() else {
            return;
        };
        // Schemas may point anywhere a schema lives (deep refs into properties, etc.).
        let schema_ok = slot == Slot::Schema && (section == "schemas" || tokens.len() > 3);
        if section == expected || schema_ok || target.as_object().is_none() {
            return;
        }
        self.diagnostics.push(
            Diagnostic::warning(
                "ref-kind",
                format!(
                    "a {} position refers to `{text}` in `components/{section}`",
                    slot.name()
                ),
            )
            .at(ref_at.clone(), reference.span)
            .help(format!(
                "a {} belongs in `components/{expected}`",
                slot.name()
            )),
        );
    }
}
