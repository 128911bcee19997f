//! Strategic merge of a patch into a resource, as kustomize's kyaml `merge2` does it for
//! Kyverno (lists grow by prepending), plus the two Kubernetes directives kyaml lacks.
//!
//! - Maps merge field by field; new fields are added after the existing ones, in name order.
//!   A `null` in the patch removes the field; a `null` of the resource the patch does not
//!   name is kept (kustomize since v5, kubernetes-sigs/kustomize#4628).
//! - `$patch: delete | replace | merge` on a map; on a list, as a one-key element.
//! - Lists whose schema says `merge` ([`Schema`]) merge element by element on their keys:
//!   the patch's elements come first, then the resource's others. Lists of scalars with
//!   `merge` are unions. Every other list is replaced by the patch's list, as written.
//! - `$retainKeys` and `$deleteFromPrimitiveList/<field>` act as in Kubernetes (kyaml would
//!   copy them into the resource).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::schema::{Field, Schema};
use crate::lookup;

/// Why a patch cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Merges `patch` into `resource`; `Ok(None)` when the patch deletes the resource itself.
/// The schema is the resource's, else the patch's (by `apiVersion` and `kind`).
pub fn merge(resource: Value, patch: &Value) -> Result<Option<Value>, MergeError> {
    let schema = Schema::of_value(&resource).or_else(|| Schema::of_value(patch));
    walk(Some(resource), Some(patch), schema.map(Field::Object))
}

/// A `$patch` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

impl Directive {
    fn parse(v: &Value) -> Result<Directive, MergeError> {
        match v.as_str() {
            Some("merge") => Ok(Directive::Merge),
            Some("replace") => Ok(Directive::Replace),
            Some("delete") => Ok(Directive::Delete),
            _ => Err(MergeError(format!(
                "unknown patch strategy '{}'",
                scalar_text(v).unwrap_or_default()
            ))),
        }
    }
}

/// The YAML kind names kyaml's errors use.
fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "MappingNode",
        Value::Array(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

fn wrong_kind(expected: &Value, got: &Value) -> MergeError {
    MergeError(format!(
        "wrong node kind: expected {} but got {}: node contents:\n{}",
        kind_name(expected),
        kind_name(got),
        serde_json::to_string(got).unwrap_or_default()
    ))
}

/// The text of a scalar as YAML holds it (how kyaml compares merge keys and set members).
fn scalar_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null => Some(Cow::Borrowed("null")),
        _ => None,
    }
}

/// The schema below a map: the field's, else the value's own type.
fn object_schema(
    field: Option<Field>,
    dest: Option<&Value>,
    origin: Option<&Value>,
) -> Option<Schema> {
    match field {
        Some(Field::Object(s)) => Some(s),
        Some(Field::Merge(..)) => None,
        None => dest
            .and_then(Schema::of_value)
            .or_else(|| origin.and_then(Schema::of_value)),
    }
}

/// Merges one value: the resource's (`dest`) with the patch's (`origin`); `None` = absent.
fn walk(
    dest: Option<Value>,
    origin: Option<&Value>,
    field: Option<Field>,
) -> Result<Option<Value>, MergeError> {
    // A resource's `null` the patch does not name stays (kyaml's persistent null).
    if origin.is_none() && dest.as_ref().is_some_and(Value::is_null) {
        return Ok(dest);
    }
    let dest = dest.filter(|d| !d.is_null());
    let origin_null = origin.is_some_and(Value::is_null);
    let live_origin = origin.filter(|o| !o.is_null());
    // The kind is the resource's, else the patch's.
    match (&dest, live_origin) {
        (Some(d), Some(o)) if std::mem::discriminant(d) != std::mem::discriminant(o) => {
            let scalar = |v: &Value| !v.is_object() && !v.is_array();
            if !(scalar(d) && scalar(o)) {
                return Err(wrong_kind(d, o));
            }
        }
        _ => {}
    }
    let reference = dest.as_ref().or(live_origin);
    match reference {
        Some(Value::Object(_)) => {
            let schema = object_schema(field, dest.as_ref(), live_origin);
            match dest {
                None => fresh(origin.unwrap_or(&Value::Null), field),
                Some(Value::Object(d)) => {
                    if origin_null {
                        return Ok(None);
                    }
                    match live_origin {
                        None => merge_map(d, None, schema).map(|m| Some(Value::Object(m))),
                        Some(Value::Object(o)) => {
                            match lookup::field(o, DIRECTIVE)
                                .map(Directive::parse)
                                .transpose()?
                            {
                                Some(Directive::Delete) => Ok(None),
                                Some(Directive::Replace) => {
                                    fresh(origin.unwrap_or(&Value::Null), field)
                                }
                                _ => merge_map(d, Some(o), schema).map(|m| Some(Value::Object(m))),
                            }
                        }
                        Some(_) => Ok(None),
                    }
                }
                Some(_) => Ok(None),
            }
        }
        Some(Value::Array(_)) => {
            let Some(Field::Merge(keys, items)) = field else {
                // Not associative: the patch's list as written, else the resource's.
                return Ok(match origin {
                    Some(Value::Null) => None,
                    Some(o) => Some(o.clone()),
                    None => dest,
                });
            };
            match dest {
                None => fresh(origin.unwrap_or(&Value::Null), field),
                Some(Value::Array(d)) => {
                    if origin_null {
                        return Ok(None);
                    }
                    let patch = match live_origin {
                        Some(Value::Array(o)) => match list_directive(o)? {
                            (Directive::Delete, _) => return Ok(None),
                            (Directive::Replace, rest) => {
                                return fresh(&Value::Array(rest.into_owned()), field);
                            }
                            (Directive::Merge, rest) => Some(rest),
                        },
                        _ => None,
                    };
                    let patch = patch.as_deref().unwrap_or(&[]);
                    let merged = if keys.is_empty() {
                        merge_set(d, patch)
                    } else {
                        merge_keyed(d, patch, keys, items)?
                    };
                    Ok(Some(Value::Array(merged)))
                }
                Some(_) => Ok(None),
            }
        }
        Some(_) => Ok(match (origin, dest) {
            (Some(Value::Null), _) => None,
            // An equal value is kept rather than copied from the patch.
            (Some(o), Some(d)) if d == *o => Some(d),
            (Some(o), _) => Some(o.clone()),
            (None, dest) => dest,
        }),
        None => Ok(None),
    }
}

/// What merging a patch value into nothing gives: the value with its directives applied,
/// `null` fields dropped and keyed lists normalised, as kyaml walks a patch value against itself.
fn fresh(origin: &Value, field: Option<Field>) -> Result<Option<Value>, MergeError> {
    match origin {
        Value::Object(o) => {
            if lookup::field(o, DIRECTIVE)
                .map(Directive::parse)
                .transpose()?
                == Some(Directive::Delete)
            {
                return Ok(None);
            }
            let schema = object_schema(field, Some(origin), None);
            let mut out = Map::with_capacity(o.len());
            for (key, value) in o {
                if is_directive_key(key) {
                    continue;
                }
                if let Some(v) = fresh(value, schema.and_then(|s| s.field(key)))? {
                    out.insert(key.clone(), v);
                }
            }
            Ok(Some(Value::Object(out)))
        }
        Value::Array(items) => match field {
            Some(Field::Merge(keys, item_schema)) => {
                let rest = match list_directive(items)? {
                    (Directive::Delete, _) => return Ok(None),
                    (_, rest) => rest,
                };
                let merged = if keys.is_empty() {
                    merge_set(Vec::new(), &rest)
                } else {
                    merge_keyed(Vec::new(), &rest, keys, item_schema)?
                };
                Ok(Some(Value::Array(merged)))
            }
            _ => Ok(Some(origin.clone())),
        },
        Value::Null => Ok(None),
        other => Ok(Some(other.clone())),
    }
}

/// Merges the fields of a map. Existing fields keep their place; new ones follow, by name.
fn merge_map(
    mut dest: Map<String, Value>,
    origin: Option<&Map<String, Value>>,
    schema: Option<Schema>,
) -> Result<Map<String, Value>, MergeError> {
    let field_of = |key: &str| schema.and_then(|s| s.field(key));
    if let Some(o) = origin {
        apply_kubernetes_directives(&mut dest, o)?;
    }
    let mut removed = Vec::new();
    for (key, value) in dest.iter_mut() {
        let patch = origin.and_then(|o| lookup::field(o, key));
        match walk(Some(std::mem::take(value)), patch, field_of(key))? {
            Some(v) => *value = v,
            None => removed.push(key.clone()),
        }
    }
    for key in &removed {
        dest.shift_remove(key);
    }
    if let Some(o) = origin {
        let mut new: Vec<&String> = o
            .keys()
            .filter(|k| lookup::field(&dest, k).is_none() && !is_directive_key(k))
            .collect();
        new.sort();
        for key in new {
            if let Some(v) = walk(None, lookup::field(o, key), field_of(key))? {
                dest.insert(key.clone(), v);
            }
        }
    }
    Ok(dest)
}

fn is_directive_key(key: &str) -> bool {
    key == DIRECTIVE || key == RETAIN_KEYS || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

/// `$retainKeys` (keep only the listed fields of the resource's map) and
/// `$deleteFromPrimitiveList/<field>` (remove the listed values from a list of scalars), as
/// Kubernetes applies them before merging the rest of the patch.
fn apply_kubernetes_directives(
    dest: &mut Map<String, Value>,
    origin: &Map<String, Value>,
) -> Result<(), MergeError> {
    for (key, value) in origin {
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            let Value::Array(remove) = value else {
                return Err(MergeError(format!(
                    "{key} must be a list of values to delete"
                )));
            };
            if let Some(Value::Array(list)) = dest.get_mut(field) {
                list.retain(|item| !remove.contains(item));
            }
        }
    }
    if let Some(retain) = origin.get(RETAIN_KEYS) {
        let Value::Array(keep) = retain else {
            return Err(MergeError(format!(
                "{RETAIN_KEYS} must be a list of field names"
            )));
        };
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        if let Some(extra) = origin
            .keys()
            .find(|k| !is_directive_key(k) && !keep.contains(&k.as_str()))
        {
            return Err(MergeError(format!(
                "the patch sets `{extra}`, which is not listed in {RETAIN_KEYS}"
            )));
        }
        dest.retain(|k, _| keep.contains(&k.as_str()));
    }
    Ok(())
}

/// A list's `$patch` directive: the first map element holding `$patch`, when it holds nothing
/// else. The list is returned without its directive elements and without `null` or empty-map
/// elements (kyaml drops those whenever it rewrites a list).
fn list_directive(items: &[Value]) -> Result<(Directive, Cow<'_, [Value]>), MergeError> {
    let found = items
        .iter()
        .find_map(|i| i.as_object().filter(|m| m.contains_key(DIRECTIVE)));
    let Some(element) = found.filter(|m| m.len() == 1) else {
        return Ok((Directive::Merge, Cow::Borrowed(items)));
    };
    let value = element.get(DIRECTIVE).unwrap_or(&Value::Null);
    let directive = Directive::parse(value)?;
    let rest = items
        .iter()
        .filter(|i| match i {
            Value::Null => false,
            Value::Object(m) => !m.is_empty() && m.get(DIRECTIVE) != Some(value),
            _ => true,
        })
        .cloned()
        .collect();
    Ok((directive, Cow::Owned(rest)))
}

/// A list of scalars merged as a set: the patch's values first, then the resource's others.
fn merge_set(dest: Vec<Value>, patch: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(patch.len() + dest.len());
    let text = |v: &Value| scalar_text(v).map(Cow::into_owned).unwrap_or_default();
    let mut seen: Vec<String> = Vec::with_capacity(out.capacity());
    for item in patch.iter().cloned().chain(dest) {
        let key = text(&item);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(item);
    }
    out
}

/// An element's key values (`""` where a key is missing), as kyaml reads them.
type Tuple = Vec<String>;

/// The key positions an element is matched on: those with values (kyaml's `validateKeys`),
/// all of them when none has one.
fn present(tuple: &Tuple) -> Vec<usize> {
    let set: Vec<usize> = (0..tuple.len()).filter(|&i| !tuple[i].is_empty()).collect();
    if set.is_empty() {
        (0..tuple.len()).collect()
    } else {
        set
    }
}

/// Whether an element with key values `element` is the one `tuple` names on positions `on`.
fn fits(element: &Tuple, tuple: &Tuple, on: &[usize]) -> bool {
    !element.is_empty() && on.iter().all(|&i| element[i] == tuple[i])
}

/// An element of a keyed list being merged: a resource element (by index) or a new one with
/// its key values.
enum Item<'p> {
    Dest(usize),
    New(Value, &'p Tuple),
}

/// Puts an item in the merged list: in place of the one with the same keys, else at the end.
fn set_item<'p>(
    items: &mut Vec<Item<'p>>,
    item: Item<'p>,
    tuple: &Tuple,
    on: &[usize],
    dest_keys: &[Tuple],
) {
    let fits_item = |it: &Item<'_>| match it {
        Item::Dest(i) => fits(&dest_keys[*i], tuple, on),
        Item::New(_, t) => fits(t, tuple, on),
    };
    match items.iter().position(fits_item) {
        Some(at) => items[at] = item,
        None => items.push(item),
    }
}

/// A list merged on keys: one element per key tuple, the patch's tuples first.
fn merge_keyed(
    dest: Vec<Value>,
    patch: &[Value],
    keys: &[&str],
    item_schema: Option<Schema>,
) -> Result<Vec<Value>, MergeError> {
    let item_field = item_schema.map(Field::Object);
    // Nothing to merge into a list in order: only its elements are walked, in place.
    if patch.is_empty() && in_order(&dest, keys) {
        return dest
            .into_iter()
            .map(|e| Ok(walk(Some(e), None, item_field)?.unwrap_or(Value::Null)))
            .collect();
    }
    // Resource elements, `None` once deleted or moved into the merged list.
    let mut dest: Vec<Option<Value>> = dest
        .into_iter()
        .map(|v| Some(v).filter(|v| !is_empty_element(v)))
        .collect();
    let key_values = |e: &Value| -> Tuple {
        keys.iter()
            .map(|k| match lookup::get(e, k) {
                Some(v) => scalar_text(v).map(Cow::into_owned).unwrap_or_default(),
                None => String::new(),
            })
            .collect()
    };
    let dest_keys: Vec<Tuple> = dest
        .iter()
        .map(|e| e.as_ref().map_or_else(Vec::new, key_values))
        .collect();
    let patch_keys: Vec<Tuple> = patch.iter().map(key_values).collect();
    let keyless = |t: &Tuple| t.iter().all(String::is_empty);
    let mut tuples: Vec<&Tuple> = Vec::with_capacity(patch_keys.len() + dest_keys.len());
    for t in patch_keys
        .iter()
        .chain(dest_keys.iter().filter(|t| !t.is_empty()))
    {
        if !tuples.contains(&t) {
            tuples.push(t);
        }
    }
    let mut items: Vec<Item> = Vec::with_capacity(tuples.len());
    for tuple in tuples.iter().copied() {
        if keyless(tuple) {
            continue;
        }
        let on = present(tuple);
        let dest_index =
            (0..dest.len()).find(|&i| dest[i].is_some() && fits(&dest_keys[i], tuple, &on));
        let origin = (0..patch.len()).find(|&i| fits(&patch_keys[i], tuple, &on));
        let current = dest_index.and_then(|i| dest[i].take());
        let merged = walk(current, origin.map(|i| &patch[i]), item_field)?;
        match merged.filter(|m| !is_empty_element(m)) {
            None => {
                for (slot, k) in dest.iter_mut().zip(&dest_keys) {
                    if slot.is_some() && fits(k, tuple, &on) {
                        *slot = None;
                    }
                }
            }
            Some(merged) => {
                let item = match (dest_index, origin) {
                    (Some(i), _) => {
                        dest[i] = Some(merged);
                        Item::Dest(i)
                    }
                    (None, Some(o)) => Item::New(merged, &patch_keys[o]),
                    (None, None) => continue,
                };
                set_item(&mut items, item, tuple, &on, &dest_keys);
            }
        }
    }
    // kyaml then sets the resource's elements back by key, so a later duplicate replaces an
    // earlier one (it skips this for lists with several keys). Elements without any key
    // cannot be matched: they follow, the resource's then the patch's.
    let mut unmatched = Vec::new();
    for i in 0..dest.len() {
        if dest[i].is_none() {
            continue;
        }
        if keyless(&dest_keys[i]) {
            unmatched.extend(dest[i].take());
        } else if keys.len() == 1 {
            let on = present(&dest_keys[i]);
            set_item(&mut items, Item::Dest(i), &dest_keys[i], &on, &dest_keys);
        }
    }
    unmatched.extend(
        patch
            .iter()
            .zip(&patch_keys)
            .filter(|(e, t)| !is_empty_element(e) && keyless(t))
            .map(|(e, _)| e.clone()),
    );
    let mut out = Vec::with_capacity(items.len() + unmatched.len());
    // A resource element is moved out where it last appears, cloned where it appears before.
    let last: Vec<Option<usize>> = (0..dest.len())
        .map(|i| {
            items
                .iter()
                .rposition(|it| matches!(it, Item::Dest(j) if *j == i))
        })
        .collect();
    for (k, item) in items.into_iter().enumerate() {
        match item {
            Item::Dest(i) if last[i] == Some(k) => out.extend(dest[i].take()),
            Item::Dest(i) => out.extend(dest[i].clone()),
            Item::New(v, _) => out.push(v),
        }
    }
    out.extend(unmatched);
    Ok(out)
}

/// Whether kyaml's rewrite of a list would leave it as it is: no `null` or `{}` element, every
/// element has a key and no two have the same keys. (Checked without building key texts.)
fn in_order(list: &[Value], keys: &[&str]) -> bool {
    let same = |a: Option<&Value>, b: Option<&Value>| match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => scalar_text(x) == scalar_text(y),
        _ => false,
    };
    list.iter().enumerate().all(|(i, e)| {
        !is_empty_element(e)
            && keys.iter().any(|k| {
                lookup::get(e, k)
                    .and_then(scalar_text)
                    .is_some_and(|t| !t.is_empty())
            })
            && list[..i].iter().all(|earlier| {
                !keys
                    .iter()
                    .all(|k| same(lookup::get(earlier, k), lookup::get(e, k)))
            })
    })
}

/// kyaml drops `null` and `{}` elements from any list it rewrites.
fn is_empty_element(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
