//! `--stateful`: the resources a spec's paths describe, kept in memory.
//!
//! Inference, from paths alone:
//! - an **item** path ends in a segment that is one whole parameter (`/pets/{petId}`); its
//!   **collection** is the path without that segment (`/pets`);
//! - a collection is a resource when some item path hangs under it, or when it has both
//!   `POST` and `GET`;
//! - `POST` on a collection creates (the body stored with a new id), `GET` lists; `GET`,
//!   `PUT`, `PATCH`, `DELETE` on an item read, replace (creating when absent), merge
//!   (RFC 7386) and delete — unknown ids are 404;
//! - nested collections are kept apart by their concrete path (`/users/1/repos` and
//!   `/users/2/repos` are two collections).
//!
//! Where it stops: ids live in the last path segment only (`/pets?id=1`, composite keys and
//! `POST /pets/{id}/actions` are answered statelessly); the stored entity is the create
//! answer (request fields laid over a valid made value, new id in its `id` property, or the
//! property named like the item parameter); an answer must stay valid against the
//! operation's documented schema — request fields that would break it are left out, and a
//! stored entity that does not fit another operation's schema (an envelope such as
//! `{data: …}`) is answered with a made value carrying the id instead. A list is the whole
//! response when its schema is an array, else it fills the first array property of a made
//! object (`data`, `items`…). `Prefer: code=` bypasses the store.

use super::Mock;
use super::answer::{self, Asks};
use axum::response::Response;
use codegen::model::http::{BodyKind, Endpoint};
use openapi_runtime::check::rejection::{Rejection, codes};
use openapi_runtime::check::schemas::Direction;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// What an operation does to the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `POST` on a collection.
    Create,
    /// `GET` on a collection.
    List,
    /// `GET` on an item.
    Read,
    /// `PUT` on an item.
    Replace,
    /// `PATCH` on an item.
    Update,
    /// `DELETE` on an item.
    Delete,
}

/// An operation's role in the inferred resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// What it does.
    pub action: Action,
    /// The item path parameter's name (`petId`), when the resource has item paths.
    pub id_param: Option<String>,
}

/// The roles of `endpoints` (same order), `None` for operations outside any resource.
pub fn infer(endpoints: &[Endpoint]) -> Vec<Option<Role>> {
    // Collection template → the item parameter's name.
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    let mut methods: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in endpoints {
        if let Some((collection, param)) = split_item(&e.path) {
            items.entry(collection).or_insert(param);
        }
        methods
            .entry(trimmed(&e.path).to_owned())
            .or_default()
            .push(e.method.as_str());
    }
    endpoints
        .iter()
        .map(|e| {
            if let Some((collection, param)) = split_item(&e.path) {
                let action = match e.method.as_str() {
                    "GET" => Action::Read,
                    "PUT" => Action::Replace,
                    "PATCH" => Action::Update,
                    "DELETE" => Action::Delete,
                    _ => return None,
                };
                let _ = collection;
                return Some(Role {
                    action,
                    id_param: Some(param),
                });
            }
            let path = trimmed(&e.path);
            let listed = methods
                .get(path)
                .is_some_and(|m| m.contains(&"POST") && m.contains(&"GET"));
            if !items.contains_key(path) && !listed {
                return None;
            }
            let action = match e.method.as_str() {
                "POST" => Action::Create,
                "GET" => Action::List,
                _ => return None,
            };
            Some(Role {
                action,
                id_param: items.get(path).cloned(),
            })
        })
        .collect()
}

/// A path template without its trailing `/`.
fn trimmed(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    }
}

/// `/pets/{petId}` → (`/pets`, `petId`), when the last segment is one whole parameter.
fn split_item(path: &str) -> Option<(String, String)> {
    let path = trimmed(path);
    let (collection, last) = path.rsplit_once('/')?;
    let name = last.strip_prefix('{')?.strip_suffix('}')?;
    if name.is_empty() || name.contains(['{', '}']) || collection.is_empty() {
        return None;
    }
    Some((collection.to_owned(), name.to_owned()))
}

/// The stored resources: concrete collection path → its items in creation order.
#[derive(Default)]
pub struct Store {
    collections: Mutex<BTreeMap<String, Collection>>,
}

#[derive(Default)]
struct Collection {
    next: u64,
    /// (id, entity), in creation order.
    items: Vec<(String, Value)>,
}

impl Collection {
    fn position(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|(i, _)| i == id)
    }
}

/// The store's answer to operation `index`.
pub(crate) fn respond(
    mock: &Mock,
    store: &Store,
    index: usize,
    role: &Role,
    asks: &Asks,
    body: Option<Value>,
) -> Result<Response, Rejection> {
    let Some(op) = mock.ops.get(index) else {
        return Err(Rejection::not_found());
    };
    let path = trimmed(&asks.path);
    let (collection_path, id) = match role.action {
        Action::Create | Action::List => (path.to_owned(), None),
        _ => match path.rsplit_once('/') {
            Some((c, id)) => (
                c.to_owned(),
                Some(
                    percent_encoding::percent_decode_str(id)
                        .decode_utf8_lossy()
                        .into_owned(),
                ),
            ),
            None => return answer::documented(mock, index, op, asks),
        },
    };
    let Ok(mut collections) = store.collections.lock() else {
        return Err(Rejection::new(
            500,
            "server_error",
            "the store is unavailable",
        ));
    };
    let collection = collections.entry(collection_path.clone()).or_default();
    let shaped = Shaped {
        mock,
        endpoint: &op.endpoint,
        asks,
    };
    let not_found = |id: &str| {
        Rejection::new(
            404,
            codes::NOT_FOUND,
            format!("Nothing with id `{id}` in {collection_path}"),
        )
    };
    match (role.action, id) {
        (Action::Create, _) => {
            collection.next += 1;
            let n = collection.next;
            let Some(entity) = shaped.entity(
                body.as_ref(),
                None,
                &IdPlan {
                    param: role.id_param.as_deref(),
                    counter: n,
                },
            ) else {
                return answer::documented(mock, index, op, asks);
            };
            let id = id_of(&entity, role.id_param.as_deref()).unwrap_or_else(|| n.to_string());
            collection.items.retain(|(i, _)| *i != id);
            collection.items.push((id, entity.clone()));
            shaped.answer(index, &entity)
        }
        (Action::List, _) => {
            let list: Vec<Value> = collection.items.iter().map(|(_, v)| v.clone()).collect();
            shaped.list(index, list)
        }
        (Action::Read, Some(id)) => match collection.position(&id) {
            Some(p) => {
                let entity = collection.items[p].1.clone();
                shaped.answer(index, &entity)
            }
            None => Err(not_found(&id)),
        },
        (Action::Replace, Some(id)) => {
            let plan = IdPlan::fixed(role.id_param.as_deref(), &id);
            let Some(entity) = shaped.entity(body.as_ref(), None, &plan) else {
                return answer::documented(mock, index, op, asks);
            };
            match collection.position(&id) {
                Some(p) => collection.items[p].1 = entity.clone(),
                None => collection.items.push((id, entity.clone())),
            }
            shaped.answer(index, &entity)
        }
        (Action::Update, Some(id)) => {
            let Some(p) = collection.position(&id) else {
                return Err(not_found(&id));
            };
            let mut merged = collection.items[p].1.clone();
            if let Some(patch) = &body {
                merge_patch(&mut merged, patch);
            }
            let plan = IdPlan::fixed(role.id_param.as_deref(), &id);
            let base = collection.items[p].1.clone();
            let entity = shaped
                .entity(Some(&merged), Some(base), &plan)
                .unwrap_or(merged);
            collection.items[p].1 = entity.clone();
            shaped.answer(index, &entity)
        }
        (Action::Delete, Some(id)) => match collection.position(&id) {
            Some(p) => {
                if mock.has(super::faults::Fault::UseAfterFree) {
                    mock.fire();
                } else {
                    collection.items.remove(p);
                }
                drop(collections);
                answer::documented(mock, index, op, asks)
            }
            None => Err(not_found(&id)),
        },
        _ => answer::documented(mock, index, op, asks),
    }
}

/// How a new entity gets its id: a counter for a create, the path's id for a replace.
struct IdPlan<'a> {
    param: Option<&'a str>,
    counter: u64,
}

impl<'a> IdPlan<'a> {
    fn fixed(param: Option<&'a str>, id: &str) -> IdPlan<'a> {
        IdPlan {
            param,
            counter: id.parse().unwrap_or(0),
        }
    }
}

/// The property of an entity that holds its id: `id`, else one named like the item
/// parameter (`petId`, `pet_id`).
fn id_key<'v>(entity: &'v Map<String, Value>, param: Option<&str>) -> Option<&'v String> {
    entity.keys().find(|k| *k == "id").or_else(|| {
        let param = param?.to_ascii_lowercase().replace(['_', '-'], "");
        entity
            .keys()
            .find(|k| k.to_ascii_lowercase().replace(['_', '-'], "") == param)
    })
}

/// An entity's id as a path segment shows it.
fn id_of(entity: &Value, param: Option<&str>) -> Option<String> {
    let obj = entity.as_object()?;
    match obj.get(id_key(obj, param)?)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Answers of one operation, shaped by its documented success response.
struct Shaped<'a> {
    mock: &'a Mock,
    endpoint: &'a Endpoint,
    asks: &'a Asks,
}

impl Shaped<'_> {
    /// The documented success response's JSON schema pointer.
    fn schema(&self) -> Option<String> {
        let (ri, _, _) = answer::pick(&self.endpoint.responses, None)?;
        let content = self.endpoint.responses[ri].content.as_deref()?;
        let m = content.iter().find(|m| m.kind == BodyKind::Json)?;
        Some(m.schema.as_ref()?.fragment())
    }

    fn valid(&self, pointer: &str, value: &Value) -> bool {
        self.mock.values.is_valid(
            self.mock.core_schemas(),
            Direction::Response,
            pointer,
            value,
        )
    }

    /// A valid entity for this operation's answer: `fields` laid over `base` (or a made
    /// value), each kept only if the result stays valid, and the id set. `None` when the
    /// answer has no JSON object schema.
    fn entity(
        &self,
        fields: Option<&Value>,
        base: Option<Value>,
        plan: &IdPlan<'_>,
    ) -> Option<Value> {
        let pointer = self.schema()?;
        let schemas = self.mock.core_schemas();
        let mut entity = match base {
            Some(b) if self.valid(&pointer, &b) => b,
            _ => self.mock.values.make(
                schemas,
                Direction::Response,
                &pointer,
                self.mock.options.seed ^ plan.counter,
            ),
        };
        let Value::Object(obj) = &mut entity else {
            return None;
        };
        if let Some(key) = id_key(obj, plan.param).cloned() {
            let id = match obj.get(&key) {
                Some(Value::Number(_)) => Some(Value::from(plan.counter)),
                Some(Value::String(s)) if s.len() == 36 && s.matches('-').count() == 4 => {
                    Some(Value::String(uuid_like(plan.counter)))
                }
                Some(Value::String(_)) => Some(Value::String(plan.counter.to_string())),
                _ => None,
            };
            if let Some(id) = id {
                let before = obj.insert(key.clone(), id);
                if !self.valid(&pointer, &entity)
                    && let (Some(b), Value::Object(o)) = (before, &mut entity)
                {
                    o.insert(key.clone(), b);
                }
            }
        }
        if let Some(Value::Object(fields)) = fields {
            let id_field = entity
                .as_object()
                .and_then(|o| id_key(o, plan.param).cloned());
            for (k, v) in fields {
                if Some(k) == id_field.as_ref() {
                    continue;
                }
                let Value::Object(o) = &mut entity else { break };
                let before = o.insert(k.clone(), v.clone());
                if !self.valid(&pointer, &entity) {
                    let Value::Object(o) = &mut entity else { break };
                    match before {
                        Some(b) => o.insert(k.clone(), b),
                        None => o.remove(k),
                    };
                }
            }
        }
        Some(entity)
    }

    /// Answers with `entity` when it fits the documented success schema, else with a made
    /// value carrying its id.
    fn answer(&self, index: usize, entity: &Value) -> Result<Response, Rejection> {
        let value = match self.schema() {
            Some(p) if self.valid(&p, entity) => entity.clone(),
            Some(p) => {
                let mut made = self.mock.values.make(
                    self.mock.core_schemas(),
                    Direction::Response,
                    &p,
                    self.mock.options.seed,
                );
                if let (Value::Object(m), Value::Object(e)) = (&mut made, entity)
                    && let Some(k) = id_key(e, None).cloned()
                    && let Some(id) = e.get(&k)
                {
                    let before = m.insert(k.clone(), id.clone());
                    if !self.valid(&p, &made)
                        && let (Some(b), Value::Object(m)) = (before, &mut made)
                    {
                        m.insert(k, b);
                    }
                }
                made
            }
            None => return self.documented(index),
        };
        self.with_body(index, value)
    }

    /// Answers a list: the array itself, or a made object whose first array property holds it.
    fn list(&self, index: usize, list: Vec<Value>) -> Result<Response, Rejection> {
        let Some(pointer) = self.schema() else {
            return self.documented(index);
        };
        let list = Value::Array(list);
        if self.valid(&pointer, &list) {
            return self.with_body(index, list);
        }
        let mut made = self.mock.values.make(
            self.mock.core_schemas(),
            Direction::Response,
            &pointer,
            self.mock.options.seed,
        );
        if let Value::Object(obj) = &mut made
            && let Some(key) = obj
                .iter()
                .find(|(_, v)| v.is_array())
                .map(|(k, _)| k.clone())
        {
            obj.insert(key, list);
            if self.valid(&pointer, &made) {
                return self.with_body(index, made);
            }
        }
        self.documented(index)
    }

    fn documented(&self, index: usize) -> Result<Response, Rejection> {
        match self.mock.ops.get(index) {
            Some(op) => answer::documented(self.mock, index, op, self.asks),
            None => Err(Rejection::not_found()),
        }
    }

    /// The documented success response with `value` as its JSON body.
    fn with_body(&self, index: usize, value: Value) -> Result<Response, Rejection> {
        let Some((ri, status, _)) = answer::pick(&self.endpoint.responses, None) else {
            return self.documented(index);
        };
        let response = &self.endpoint.responses[ri];
        let content = response.content.as_deref().unwrap_or(&[]);
        let json: Vec<usize> = (0..content.len())
            .filter(|&i| content[i].kind == BodyKind::Json)
            .collect();
        let accepted = self
            .asks
            .accept
            .choose(json.iter().map(|&i| content[i].media.as_str()));
        let Some(m) = accepted.map(|a| json[a]) else {
            // The request wants another of the documented types: the documented answer.
            return self.documented(index);
        };
        let seed = self.mock.options.seed;
        Ok(answer::build(
            self.mock,
            response,
            status,
            content,
            Some((m, value)),
            &self.asks.accept,
            seed,
        )
        .response(&[]))
    }
}

/// A UUID-shaped id from a counter (version 4 layout, deterministic).
fn uuid_like(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(obj) = target else { return };
    for (k, v) in fields {
        if v.is_null() {
            obj.remove(k);
        } else {
            merge_patch(obj.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_hang_under_collections() {
        assert_eq!(
            split_item("/pets/{petId}"),
            Some(("/pets".into(), "petId".into()))
        );
        assert_eq!(
            split_item("/users/{u}/repos/{r}/"),
            Some(("/users/{u}/repos".into(), "r".into()))
        );
        assert_eq!(split_item("/files/{name}.json"), None);
        assert_eq!(split_item("/{id}"), None);
        assert_eq!(split_item("/pets"), None);
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut v = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut v, &json!({"a": null, "b": {"c": 5}, "e": [1]}));
        assert_eq!(v, json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }

    #[test]
    fn ids_are_found_by_name() {
        let e = json!({"petId": 7, "name": "x"});
        assert_eq!(id_of(&e, Some("pet_id")), Some("7".into()));
        assert_eq!(id_of(&json!({"id": "a"}), None), Some("a".into()));
        assert_eq!(id_of(&json!({"name": "a"}), Some("petId")), None);
        assert_eq!(uuid_like(10), "00000000-0000-4000-8000-00000000000a");
    }
}
