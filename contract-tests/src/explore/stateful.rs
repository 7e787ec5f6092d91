//! Flows across operations, with data the server made:
//!
//! - **Inferred resources** (the rules of [`crate::spec_mock::stateful::infer`]): create on
//!   the collection, read the new item, replace and update it, list the collection, delete
//!   it and read it again. A read answered 2xx after a successful DELETE is
//!   `use_after_free`. The new id is the create answer's property named like the item
//!   parameter, else `id`, also inside a `data` envelope.
//! - **OpenAPI links**: after an operation answers 2xx, each link of its documented 2xx
//!   responses is followed, its parameters taken from `$response.body#/…`,
//!   `$response.header.…`, `$request.path|query|header.…` or written literally.
//!
//! Every answer on the way goes through the same checks as a generated case.

use super::Explorer;
use super::cases::Case;
use super::checks::{Check, Expect, Failure};
use super::send::Answer;
use crate::docs::follow;
use crate::requests::{self, Made};
use crate::spec_mock::stateful::{Action, infer};
use serde_json::{Map, Value};

/// Tries with other seeds to get a 2xx answer from a create or a linked operation.
const TRIES: u64 = 6;

impl Explorer<'_> {
    /// A valid request to operation `i` with `fixed` parameter values, sent after `before`:
    /// tries seeds until one is answered 2xx (at most `tries`), checking every answer.
    /// The last request and its answer, when any was sent.
    async fn positive(
        &mut self,
        i: usize,
        fixed: &Map<String, Value>,
        before: &[Made],
        tries: u64,
    ) -> Option<(Made, Answer, Map<String, Value>)> {
        let (op, _) = self.ops.get(i)?;
        let op = op.clone();
        let mut last = None;
        for k in 0..tries {
            let seed = self.config.seed.wrapping_add(31 * k + 5);
            let mut parts = requests::choose(&op, self.doc, seed, k % 2 == 1);
            super::cases::pin(&mut parts, &self.config.pins);
            for (name, value) in fixed {
                if op.params.iter().any(|p| p.name == name.as_str()) {
                    parts.values.insert(name.clone(), value.clone());
                }
            }
            let values = parts.values.clone();
            let case = Case::new("stateful flow", parts);
            let Some(made) = self.made(i, &case) else {
                continue;
            };
            let Ok((Expect::Accept, _)) = self.judge(&case, &made) else {
                continue;
            };
            let answer = self.send(&made).await;
            let mut steps = before.to_vec();
            steps.push(made.clone());
            for failure in self.failures(Expect::Accept, &made, &answer) {
                if let Ok(a) = &answer {
                    self.flow_finding(i, steps.clone(), a.clone(), failure);
                }
            }
            let Ok(answer) = answer else { return None };
            let success = (200..300).contains(&answer.status);
            last = Some((made, answer, values));
            if success {
                break;
            }
        }
        last
    }

    /// Create → read → replace/update → list → delete → read again, for every inferred
    /// resource with a create.
    pub(super) async fn flows(&mut self) {
        let endpoints: Vec<_> = self.ops.iter().map(|(_, e)| (*e).clone()).collect();
        let roles = infer(&endpoints);
        for (c, role) in roles.iter().enumerate() {
            let Some(role) = role.as_ref().filter(|r| r.action == Action::Create) else {
                continue;
            };
            let collection = self.ops[c].0.path.trim_end_matches('/').to_owned();
            let paths: Vec<String> = self.ops.iter().map(|(o, _)| o.path.to_string()).collect();
            let item = |action: Action| {
                roles.iter().zip(&paths).position(|(r, path)| {
                    r.as_ref().is_some_and(|r| r.action == action)
                        && path.rsplit_once('/').map(|(p, _)| p) == Some(collection.as_str())
                })
            };
            let list = roles.iter().zip(&paths).position(|(r, path)| {
                r.as_ref().is_some_and(|r| r.action == Action::List)
                    && path.trim_end_matches('/') == collection
            });
            let found: Vec<(Action, Option<usize>)> = [
                Action::Read,
                Action::Replace,
                Action::Update,
                Action::Delete,
            ]
            .into_iter()
            .map(|a| (a, item(a)))
            .collect();
            let find = |action: Action| {
                found
                    .iter()
                    .find(|(a, _)| *a == action)
                    .and_then(|(_, j)| *j)
            };
            let Some((create, answer, values)) = self.positive(c, &Map::new(), &[], TRIES).await
            else {
                continue;
            };
            if !(200..300).contains(&answer.status) {
                continue;
            }
            let Some(param) = &role.id_param else {
                continue;
            };
            let Some(id) = serde_json::from_slice::<Value>(&answer.body)
                .ok()
                .and_then(|b| new_id(&b, param))
            else {
                continue;
            };
            // The create's own path values (a parent's id) and the new id.
            let mut fixed = values;
            fixed.insert(param.clone(), id.clone());
            // Item templates may name their parameter otherwise (`{petId}`, `{id}`).
            for (_, j) in &found {
                if let Some(p) = j.and_then(|j| roles.get(j)?.as_ref()?.id_param.clone()) {
                    fixed.insert(p, id.clone());
                }
            }
            let read = find(Action::Read);
            for action in [Action::Read, Action::Replace, Action::Update] {
                if let Some(j) = find(action) {
                    self.positive(j, &fixed, std::slice::from_ref(&create), 1)
                        .await;
                }
            }
            if let Some(j) = list {
                self.positive(j, &fixed, std::slice::from_ref(&create), 1)
                    .await;
            }
            let Some(d) = find(Action::Delete) else {
                continue;
            };
            let Some((delete, deleted, _)) = self
                .positive(d, &fixed, std::slice::from_ref(&create), 1)
                .await
            else {
                continue;
            };
            // Done, not accepted for later (202): only then must the read fail.
            if !matches!(deleted.status, 200 | 204) {
                continue;
            }
            let Some(r) = read else { continue };
            let steps = [create.clone(), delete];
            let Some((read_again, after, _)) = self.positive(r, &fixed, &steps, 1).await else {
                continue;
            };
            if (200..300).contains(&after.status)
                && self.config.checks.contains(&Check::UseAfterFree)
            {
                let failure = Failure {
                    check: Check::UseAfterFree,
                    message: format!(
                        "the resource was read back with {} after DELETE answered {}",
                        after.status, deleted.status
                    ),
                    violation: None,
                };
                let mut all = steps.to_vec();
                all.push(read_again);
                self.flow_finding(r, all, after, failure);
            }
        }
    }

    /// Follows the documented links of every operation's 2xx responses.
    pub(super) async fn links(&mut self) {
        for i in 0..self.ops.len() {
            let links = self.links_of(i);
            if links.is_empty() {
                continue;
            }
            let Some((source, answer, values)) = self.positive(i, &Map::new(), &[], TRIES).await
            else {
                continue;
            };
            if !(200..300).contains(&answer.status) {
                continue;
            }
            let body: Option<Value> = serde_json::from_slice(&answer.body).ok();
            for (target, parameters) in links {
                let mut fixed = Map::new();
                for (name, expression) in &parameters {
                    let name = name.rsplit('.').next().unwrap_or(name);
                    if let Some(v) = evaluate(expression, body.as_ref(), &answer, &values) {
                        fixed.insert(name.to_owned(), v);
                    }
                }
                self.links += 1;
                self.positive(target, &fixed, std::slice::from_ref(&source), 1)
                    .await;
            }
        }
    }

    /// The links of operation `i`'s 2xx responses: the target operation and its parameters.
    fn links_of(&self, i: usize) -> Vec<(usize, Map<String, Value>)> {
        let Some((_, endpoint)) = self.ops.get(i) else {
            return Vec::new();
        };
        let fragment = endpoint.pointer.to_string();
        let operation = self.doc.pointer(fragment.trim_start_matches('#'));
        let Some(Value::Object(responses)) = operation.and_then(|o| o.get("responses")) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (status, response) in responses {
            if !status.starts_with('2') {
                continue;
            }
            let response = follow(self.doc, response);
            let Some(Value::Object(links)) = response.get("links") else {
                continue;
            };
            for link in links.values() {
                let link = follow(self.doc, link);
                let target = match (link.get("operationId"), link.get("operationRef")) {
                    (Some(Value::String(id)), _) => self
                        .ops
                        .iter()
                        .position(|(_, e)| e.operation_id.as_deref() == Some(id)),
                    (_, Some(Value::String(reference))) => self
                        .ops
                        .iter()
                        .position(|(_, e)| *reference == e.pointer.to_string()),
                    _ => None,
                };
                let parameters = link
                    .get("parameters")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if let Some(t) = target {
                    out.push((t, parameters));
                }
            }
        }
        out
    }
}

/// A link parameter's runtime expression evaluated, or the literal value.
fn evaluate(
    expression: &Value,
    body: Option<&Value>,
    answer: &Answer,
    request: &Map<String, Value>,
) -> Option<Value> {
    let Some(text) = expression.as_str() else {
        return Some(expression.clone());
    };
    if !text.starts_with('$') {
        return Some(expression.clone());
    }
    if let Some(pointer) = text.strip_prefix("$response.body#") {
        return body?.pointer(pointer).cloned();
    }
    if text == "$response.body" {
        return body.cloned();
    }
    if let Some(name) = text.strip_prefix("$response.header.") {
        return answer.header(name).map(|v| Value::String(v.to_owned()));
    }
    for prefix in ["$request.path.", "$request.query.", "$request.header."] {
        if let Some(name) = text.strip_prefix(prefix) {
            return request.get(name).cloned();
        }
    }
    None
}

/// The id of a created resource in its create answer: the property named like the item
/// parameter, else `id`, at the top or inside a `data` envelope.
fn new_id(body: &Value, param: &str) -> Option<Value> {
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_)).then(|| v.clone());
    for holder in [Some(body), body.get("data")].into_iter().flatten() {
        for key in [param, "id"] {
            if let Some(v) = holder.get(key).and_then(scalar) {
                return Some(v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_found_by_parameter_name_then_id_then_envelope() {
        assert_eq!(
            new_id(&json!({"petId": 3, "id": 9}), "petId"),
            Some(json!(3))
        );
        assert_eq!(new_id(&json!({"id": "a1"}), "petId"), Some(json!("a1")));
        assert_eq!(new_id(&json!({"data": {"id": 4}}), "x"), Some(json!(4)));
        assert_eq!(new_id(&json!({"id": {"nested": 1}}), "x"), None);
    }

    #[test]
    fn link_expressions_read_the_exchange() {
        let answer = Answer {
            status: 201,
            headers: vec![("location".into(), "/pets/3".into())],
            body: Vec::new(),
            truncated: false,
        };
        let body = json!({"id": 3, "owner": {"name": "ann"}});
        let mut request = Map::new();
        request.insert("limit".into(), json!(5));
        let eval = |e: Value| evaluate(&e, Some(&body), &answer, &request);
        assert_eq!(
            eval(json!("$response.body#/owner/name")),
            Some(json!("ann"))
        );
        assert_eq!(
            eval(json!("$response.header.Location")),
            Some(json!("/pets/3"))
        );
        assert_eq!(eval(json!("$request.query.limit")), Some(json!(5)));
        assert_eq!(eval(json!("literal")), Some(json!("literal")));
        assert_eq!(eval(json!(7)), Some(json!(7)));
        assert_eq!(eval(json!("$statusCode")), None);
    }
}
