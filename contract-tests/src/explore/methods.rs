//! Undeclared methods on known paths: each answered 405 with `Allow`, or a finding.

use super::Explorer;
use super::cases;
use crate::requests;
use std::collections::BTreeMap;

impl Explorer<'_> {
    /// Sends, on every path of the spec, each method it does not declare (a request made
    /// for one of its operations, method swapped).
    pub(super) async fn undeclared_methods(&mut self) {
        let mut paths: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
        for (i, (op, _)) in self.ops.iter().enumerate() {
            if op.path.contains('?') {
                continue;
            }
            let entry = paths.entry(op.path.to_string()).or_insert((i, Vec::new()));
            entry.1.push(op.method.to_string());
        }
        for (first, declared) in paths.into_values() {
            let Some((op, _)) = self.ops.get(first) else {
                continue;
            };
            let mut base = requests::choose(op, self.doc, self.config.seed, false);
            cases::pin(&mut base, &self.config.pins);
            let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
            for case in cases::undeclared_methods(&declared, &base) {
                let _ = self.try_case(first, &case).await;
            }
        }
    }
}
