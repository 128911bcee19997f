//! Applying a patch with evanphx/json-patch v5.9.11's semantics under Kyverno's options
//! (`ApplyWithOptions` with `SupportNegativeIndices`, `AllowMissingPathOnRemove` and
//! `EnsurePathExistsOnAdd`). Function names in the comments are those of `v5/patch.go`.

use serde_json::Value;

use super::MAX_PADDED_LEN;
use super::error::{AccessError, AccessSite, EnsurePathError, PatchError};
use super::node::{Node, Null};
use super::op::{self, Op, PatchOp, json_type};
use super::pointer::{atoi, decode};

/// Applies `ops` to `doc` in order, all or nothing: on error `doc` is left as it was.
///
/// evanphx works on a decoded copy of the document's bytes and returns no document on error, so
/// Kyverno keeps the resource as it was; here the patch is applied to a working tree built from
/// `doc` and written back only when every operation succeeded. Every operation is first checked
/// as [`parse`](super::parse) checks it, as `DecodePatch` does before anything is applied. See
/// the [module documentation](super) for the semantics.
pub fn apply(doc: &mut Value, ops: &[PatchOp]) -> Result<(), PatchError> {
    for (index, op) in ops.iter().enumerate() {
        op::validate(index, op)?;
    }
    if ops.is_empty() {
        return Ok(());
    }
    let root = {
        let mut state = State::new(doc);
        for op in ops {
            state.apply(op)?;
        }
        state.root
    };
    *doc = root.into_value();
    Ok(())
}

/// What an empty first token of a path resolves to: evanphx's root container keeps the node it
/// was decoded from (`self`), and `get("")` returns it. It is the document as it was before the
/// patch (or the value of the last `add` at `""`), detached from the document being patched:
/// writes through it are never seen in the result. `replace` at `""` leaves the root without one.
enum RootSelf<'a> {
    /// Not read yet: the value it would be decoded from.
    Pending(&'a Value),
    /// Decoded, possibly written to since.
    Decoded(Node),
    /// None.
    Absent,
}

/// The patch in progress.
struct State<'a> {
    /// The document being patched.
    root: Node,
    /// The root's `self`.
    root_self: RootSelf<'a>,
}

/// Which tree a location is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// The document.
    Root,
    /// The root's `self` node.
    RootSelf,
}

/// One step down from a container.
#[derive(Debug, Clone)]
enum Step {
    /// An object member.
    Key(String),
    /// An array element (resolved, non-negative).
    Index(usize),
}

/// A container and a member or element of it: what `findObject` returns.
struct Slot {
    /// Where the container is.
    base: Base,
    /// The steps from the base to the container.
    steps: Vec<Step>,
    /// The last token of the path, decoded.
    key: String,
}

impl Slot {
    /// Whether the container is the document's root (whose `get("")` is the root's `self`).
    fn at_root(&self) -> bool {
        self.base == Base::Root && self.steps.is_empty()
    }
}

/// What looking a token up in a container found.
enum Found<'n> {
    /// A value, and the step to it.
    Value(Step, &'n Node),
    /// Nothing (`get` returned a nil node without an error): a document null, or `self` of a
    /// container that has none.
    Nil,
}

impl<'a> State<'a> {
    fn new(doc: &'a Value) -> State<'a> {
        State {
            root: Node::from_document(doc),
            root_self: RootSelf::Pending(doc),
        }
    }

    /// The root's `self` node, decoded on first use.
    fn root_self(&mut self) -> Option<&mut Node> {
        if let RootSelf::Pending(value) = self.root_self {
            self.root_self = RootSelf::Decoded(Node::from_document(value));
        }
        match &mut self.root_self {
            RootSelf::Decoded(node) => Some(node),
            RootSelf::Pending(_) | RootSelf::Absent => None,
        }
    }

    fn apply(&mut self, op: &'a PatchOp) -> Result<(), PatchError> {
        let path = op.path.as_str();
        match op.op {
            Op::Add => self.add(path, value_of(op)?),
            Op::Remove => self.remove(path),
            Op::Replace => self.replace(path, value_of(op)?),
            Op::Move => self.move_value(from_of(op)?, path),
            Op::Copy => self.copy_value(from_of(op)?, path),
            Op::Test => self.test(path, op.value.as_ref()),
        }
    }

    /// The node at `steps` below `base`.
    fn node(&mut self, base: Base, steps: &[Step]) -> Option<&mut Node> {
        let mut node = match base {
            Base::Root => &mut self.root,
            Base::RootSelf => self.root_self()?,
        };
        for step in steps {
            node = match (node, step) {
                (Node::Object(map), Step::Key(key)) => map.get_mut(key)?,
                (Node::Array(items), Step::Index(i)) => items.get_mut(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The container of a slot.
    fn container(&mut self, slot: &Slot) -> Option<&mut Node> {
        self.node(slot.base, &slot.steps)
    }

    /// `findObject`: the container holding the last token of `path`, or `None` when a token on
    /// the way does not lead to an object or array. `""` is the root itself with key `""`; a
    /// path without `/` has no container; whatever comes before the first `/` is ignored.
    fn resolve(&mut self, path: &str) -> Option<Slot> {
        let mut tokens = path.split('/');
        let first = tokens.next();
        let rest: Vec<&str> = tokens.collect();
        let Some((last, parents)) = rest.split_last() else {
            return (first == Some("")).then(|| Slot {
                base: Base::Root,
                steps: Vec::new(),
                key: String::new(),
            });
        };
        let mut base = Base::Root;
        let mut steps = Vec::new();
        for token in parents {
            let key = decode(token);
            if key.is_empty() && base == Base::Root && steps.is_empty() {
                // get("") on the root is its `self`.
                if !self.root_self()?.is_container() {
                    return None;
                }
                base = Base::RootSelf;
                continue;
            }
            let container = self.node(base, &steps)?;
            match lookup(container, &key) {
                Ok(Found::Value(step, node)) if node.is_container() => steps.push(step),
                _ => return None,
            }
        }
        Some(Slot {
            base,
            steps,
            key: decode(last),
        })
    }

    /// `container.get(key)`: the value at a slot, `None` for a nil node.
    fn get(&mut self, slot: &Slot) -> Result<Option<&Node>, AccessError> {
        if slot.key.is_empty() && slot.at_root() {
            return Ok(self.root_self().map(|n| &*n));
        }
        let container = self.container(slot).ok_or(AccessError::ExpectedObject)?;
        Ok(match lookup(container, &slot.key)? {
            Found::Value(_, node) => Some(node),
            Found::Nil => None,
        })
    }

    fn add(&mut self, path: &str, value: &'a Value) -> Result<(), PatchError> {
        if path.is_empty() {
            // Adding at "" replaces the document, which keeps the value as its `self`.
            if !matches!(value, Value::Object(_) | Value::Array(_)) {
                return Err(PatchError::RootValue {
                    op: Op::Add,
                    found: json_type(value),
                });
            }
            self.root = Node::from_patch(value);
            self.root_self = RootSelf::Pending(value);
            return Ok(());
        }
        self.ensure_path(path)?;
        let missing = || PatchError::MissingPath {
            op: Op::Add,
            path: path.to_owned(),
        };
        let slot = self.resolve(path).ok_or_else(missing)?;
        let container = self.container(&slot).ok_or_else(missing)?;
        insert(container, &slot.key, Node::from_patch(value))
            .map(drop)
            .map_err(|cause| PatchError::Access {
                at: AccessSite::Add {
                    path: path.to_owned(),
                },
                cause,
            })
    }

    /// `ensurePathExists`: creates the missing objects and arrays above the last token of
    /// `path`. A missing value is created as an array when the token after it is an integer or
    /// `-` (padded with nulls up to that index; `-1` counts as 0, lower is an error), else as an
    /// object. A missing array element is padded with nulls up to its index; a document null is
    /// missing and is replaced (in an array, the new container is inserted before it).
    /// New members are named by the token as written, not decoded, so a path whose missing
    /// parent has an escaped name fails afterwards in `findObject`, as in evanphx.
    fn ensure_path(&mut self, path: &str) -> Result<(), EnsurePathError> {
        let tokens: Vec<&str> = path.split('/').collect();
        if tokens.len() < 2 {
            return Ok(());
        }
        let parts = &tokens[1..];
        // None once a container could not be inserted: evanphx goes on creating values that are
        // attached nowhere, where only the negative-index check can still fail.
        let mut cursor = Some((Base::Root, Vec::new()));
        for (i, part) in parts.iter().enumerate().take(parts.len() - 1) {
            let next = parts[i + 1];
            let Some((base, mut steps)) = cursor.take() else {
                new_container(next, false)?;
                continue;
            };
            let key = decode(part);
            if key.is_empty() && base == Base::Root && steps.is_empty() {
                if let Some(node) = self.root_self() {
                    if !node.is_container() {
                        return Err(EnsurePathError::NotAContainer);
                    }
                    cursor = Some((Base::RootSelf, Vec::new()));
                    continue;
                }
            }
            let Some(container) = self.node(base, &steps) else {
                continue;
            };
            match lookup(container, &key) {
                Ok(Found::Value(step, node)) => {
                    if !node.is_container() {
                        return Err(EnsurePathError::NotAContainer);
                    }
                    steps.push(step);
                    cursor = Some((base, steps));
                    continue;
                }
                Ok(Found::Nil) | Err(_) => {}
            }
            // Missing: pad an array that is too short, then create the value.
            if let (Node::Array(items), Ok(index)) = (&mut *container, atoi(part)) {
                if index > items.len() as i64 {
                    pad(items, index)?;
                }
            }
            let created = new_container(next, true)?;
            if let Ok(step) = insert(container, part, created) {
                steps.push(step);
                cursor = Some((base, steps));
            }
        }
        Ok(())
    }

    fn remove(&mut self, path: &str) -> Result<(), PatchError> {
        // AllowMissingPathOnRemove: a path that leads nowhere removes nothing.
        let Some(slot) = self.resolve(path) else {
            return Ok(());
        };
        let Some(container) = self.container(&slot) else {
            return Ok(());
        };
        delete(container, &slot.key)
            .map(drop)
            .map_err(|cause| PatchError::Access {
                at: AccessSite::Remove {
                    path: path.to_owned(),
                },
                cause,
            })
    }

    fn replace(&mut self, path: &str, value: &Value) -> Result<(), PatchError> {
        if path.is_empty() {
            // The value becomes the document, without a `self`; it must be an object or an
            // array (`null` decodes as a nil array and gives a `null` document).
            if !matches!(value, Value::Object(_) | Value::Array(_) | Value::Null) {
                return Err(PatchError::RootValue {
                    op: Op::Replace,
                    found: json_type(value),
                });
            }
            self.root = Node::from_patch(value);
            self.root_self = RootSelf::Absent;
            return Ok(());
        }
        let missing_path = || PatchError::MissingPath {
            op: Op::Replace,
            path: path.to_owned(),
        };
        let slot = self.resolve(path).ok_or_else(missing_path)?;
        if self.get(&slot).is_err() {
            return Err(PatchError::MissingKey {
                path: path.to_owned(),
            });
        }
        let container = self.container(&slot).ok_or_else(missing_path)?;
        set(container, &slot.key, Node::from_patch(value)).map_err(|cause| PatchError::Access {
            at: AccessSite::Replace {
                path: path.to_owned(),
            },
            cause,
        })
    }

    fn move_value(&mut self, from: &str, path: &str) -> Result<(), PatchError> {
        if from.is_empty() {
            return Err(PatchError::MoveRoot);
        }
        let slot = self.resolve(from).ok_or_else(|| PatchError::MissingFrom {
            op: Op::Move,
            from: from.to_owned(),
        })?;
        let failed = |cause| PatchError::Access {
            at: AccessSite::MoveFrom {
                key: slot.key.clone(),
            },
            cause,
        };
        // `get` then `remove`: for key "" the value read is `self` (copied here; evanphx would
        // share the node) and the member "" is removed if there is one.
        let read = self.get(&slot).map_err(failed)?;
        let self_value = slot.key.is_empty().then(|| read.cloned());
        let container = self
            .container(&slot)
            .ok_or(AccessError::ExpectedObject)
            .map_err(failed)?;
        let removed = delete(container, &slot.key).map_err(failed)?;
        let value = match self_value {
            Some(value) => value,
            None => removed,
        }
        .unwrap_or(Node::Null(Null::Document));
        let missing = || PatchError::MissingPath {
            op: Op::Move,
            path: path.to_owned(),
        };
        let slot = self.resolve(path).ok_or_else(missing)?;
        let container = self.container(&slot).ok_or_else(missing)?;
        insert(container, &slot.key, value)
            .map(drop)
            .map_err(|cause| PatchError::Access {
                at: AccessSite::MoveTo {
                    path: path.to_owned(),
                },
                cause,
            })
    }

    fn copy_value(&mut self, from: &str, path: &str) -> Result<(), PatchError> {
        let slot = self.resolve(from).ok_or_else(|| PatchError::MissingFrom {
            op: Op::Copy,
            from: from.to_owned(),
        })?;
        let value = match self.get(&slot) {
            Ok(read) => read.map_or(Node::Null(Null::Document), Node::copied),
            Err(cause) => {
                return Err(PatchError::Access {
                    at: AccessSite::CopyFrom {
                        from: from.to_owned(),
                    },
                    cause,
                });
            }
        };
        let missing = || PatchError::MissingPath {
            op: Op::Copy,
            path: path.to_owned(),
        };
        let slot = self.resolve(path).ok_or_else(missing)?;
        let container = self.container(&slot).ok_or_else(missing)?;
        insert(container, &slot.key, value)
            .map(drop)
            .map_err(|cause| PatchError::Access {
                at: AccessSite::CopyTo,
                cause,
            })
    }

    fn test(&mut self, path: &str, value: Option<&Value>) -> Result<(), PatchError> {
        let failed = || PatchError::TestFailed {
            path: path.to_owned(),
        };
        // A missing `value` tests for null, as evanphx reads it as a nil node.
        let expected = value.unwrap_or(&Value::Null);
        if path.is_empty() {
            return if self.root.equals(expected) {
                Ok(())
            } else {
                Err(failed())
            };
        }
        let slot = self.resolve(path).ok_or_else(|| PatchError::MissingPath {
            op: Op::Test,
            path: path.to_owned(),
        })?;
        let found = match self.get(&slot) {
            Ok(found) => found,
            // A missing member reads as nothing; other errors are errors.
            Err(AccessError::NonexistentKey(_)) => None,
            Err(cause) => {
                return Err(PatchError::Access {
                    at: AccessSite::Test {
                        path: path.to_owned(),
                    },
                    cause,
                });
            }
        };
        let pass = match found {
            None => expected.is_null(),
            // Any node, a patch null included, fails against null.
            Some(_) if expected.is_null() => false,
            Some(node) => node.equals(expected),
        };
        if pass { Ok(()) } else { Err(failed()) }
    }
}

fn value_of(op: &PatchOp) -> Result<&Value, PatchError> {
    op.value.as_ref().ok_or_else(|| missing_member(op))
}

fn from_of(op: &PatchOp) -> Result<&str, PatchError> {
    op.from.as_deref().ok_or_else(|| missing_member(op))
}

/// The error for an operation that `validate` should have rejected.
fn missing_member(op: &PatchOp) -> PatchError {
    match op::validate(0, op) {
        Err(e) => e,
        Ok(()) => PatchError::MissingPath {
            op: op.op,
            path: op.path.clone(),
        },
    }
}

/// `container.get(key)` for a token other than the root's `""`.
fn lookup<'n>(container: &'n Node, key: &str) -> Result<Found<'n>, AccessError> {
    let found = match container {
        Node::Object(map) => {
            if key.is_empty() {
                return Ok(Found::Nil);
            }
            map.get_key_value(key)
                .map(|(k, v)| (Step::Key(k.clone()), v))
                .ok_or_else(|| AccessError::NonexistentKey(key.to_owned()))?
        }
        Node::Array(items) => {
            if key.is_empty() {
                return Ok(Found::Nil);
            }
            let i = element_index(items.len(), key)?;
            (Step::Index(i), &items[i])
        }
        // Only the document itself can be neither: evanphx holds it as an object without a map.
        _ if key.is_empty() => return Ok(Found::Nil),
        _ => return Err(AccessError::ExpectedObject),
    };
    Ok(if found.1.is_nil() {
        Found::Nil
    } else {
        Found::Value(found.0, found.1)
    })
}

/// The element an array token names, for reading and setting: a negative index counts from the
/// end (`-1` is the last element).
fn element_index(len: usize, key: &str) -> Result<usize, AccessError> {
    let written = atoi(key).map_err(AccessError::NotAnInteger)?;
    let len = len as i64;
    let mut index = written;
    if index < 0 {
        if index < -len {
            return Err(AccessError::InvalidIndex(written));
        }
        index += len;
    }
    if index >= len {
        return Err(AccessError::InvalidIndex(written));
    }
    Ok(index as usize)
}

/// `container.add(key, value)`: sets an object member (in place if it exists, else last), or
/// inserts into an array before index `key` (`-` appends; a negative index counts from the end
/// of the array as it will be, so `-1` appends). Returns where the value went.
fn insert(container: &mut Node, key: &str, value: Node) -> Result<Step, AccessError> {
    match container {
        Node::Object(map) => {
            map.insert(key.to_owned(), value);
            Ok(Step::Key(key.to_owned()))
        }
        Node::Array(items) => {
            if key == "-" {
                items.push(value);
                return Ok(Step::Index(items.len() - 1));
            }
            let written = atoi(key).map_err(AccessError::NotAnArrayIndex)?;
            let len = items.len() as i64 + 1;
            let mut index = written;
            if index >= len {
                return Err(AccessError::InvalidIndex(written));
            }
            if index < 0 {
                if index < -len {
                    return Err(AccessError::InvalidIndex(written));
                }
                index += len;
            }
            let index = index as usize;
            items.insert(index, value);
            Ok(Step::Index(index))
        }
        _ => Err(AccessError::ExpectedObject),
    }
}

/// `container.set(key, value)` for `replace`, whose `get` succeeded: sets an object member, or
/// the element a token names.
fn set(container: &mut Node, key: &str, value: Node) -> Result<(), AccessError> {
    match container {
        Node::Object(map) => {
            map.insert(key.to_owned(), value);
            Ok(())
        }
        Node::Array(items) => {
            let i = element_index(items.len(), key)?;
            items[i] = value;
            Ok(())
        }
        _ => Err(AccessError::ExpectedObject),
    }
}

/// `container.remove(key)` with `AllowMissingPathOnRemove`: a missing member or an index
/// outside the array removes nothing; a token that is not an integer is still an error in an
/// array. Returns what was removed.
fn delete(container: &mut Node, key: &str) -> Result<Option<Node>, AccessError> {
    match container {
        Node::Object(map) => Ok(map.shift_remove(key)),
        Node::Array(items) => {
            let mut index = atoi(key).map_err(AccessError::NotAnInteger)?;
            let len = items.len() as i64;
            if index >= len {
                return Ok(None);
            }
            if index < 0 {
                if index < -len {
                    return Ok(None);
                }
                index += len;
            }
            Ok(Some(items.remove(index as usize)))
        }
        _ => Err(AccessError::ExpectedObject),
    }
}

/// The container `ensurePathExists` creates before the token `next`: an array (padded with
/// nulls up to `next`) when `next` is an integer or `-`, else an object. With `build` false only
/// the check is made.
fn new_container(next: &str, build: bool) -> Result<Node, EnsurePathError> {
    let index = match atoi(next) {
        Ok(index) => index,
        Err(_) if next == "-" => 0,
        Err(_) => return Ok(Node::Object(Default::default())),
    };
    let index = match index {
        -1 => 0,
        i if i < 0 => return Err(EnsurePathError::NegativeIndex(i)),
        i => i,
    };
    let mut items = Vec::new();
    if build {
        pad(&mut items, index)?;
    }
    Ok(Node::Array(items))
}

/// Appends patch nulls to `items` until it has `len` elements.
fn pad(items: &mut Vec<Node>, len: i64) -> Result<(), EnsurePathError> {
    if len > MAX_PADDED_LEN as i64 {
        return Err(EnsurePathError::TooLong(len));
    }
    items.resize(len as usize, Node::Null(Null::Patch));
    Ok(())
}
