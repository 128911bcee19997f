//! RFC 6902 JSON Patch over `serde_json::Value`, applied exactly as Kyverno applies patches.
//!
//! - [`parse`] reads a patch (a JSON array of operations) into [`PatchOp`]s, checking each as
//!   evanphx/json-patch's `DecodePatch` does; [`PatchOp`] also has serde's JSON form.
//! - [`apply`] applies operations to a document with the semantics of evanphx/json-patch
//!   v5.9.11 `Patch.ApplyWithOptions` under the options Kyverno passes
//!   (`SupportNegativeIndices`, `AllowMissingPathOnRemove` and `EnsurePathExistsOnAdd` all true),
//!   and fails with the texts it produces ([`PatchError`]).
//! - [`diff`] computes a patch from one document to another, for the `patch` of an admission
//!   response.
//!
//! # Apply
//!
//! References are to `v5/patch.go` in evanphx/json-patch v5.9.11.
//!
//! **Pointers** (`findObject`, `decodePatchKey`). A path is split on `/` and each token decoded
//! in one pass (`~1` is `/`, `~0` is `~`, any other `~` stays). The text before the first `/` is
//! ignored (`a/b` means `/b`); a non-empty path without `/` leads nowhere. `""` is the whole
//! document. Array tokens are read with Go's `strconv.Atoi` (`+1` and `01` are 1); `-` means
//! "after the last element" only for adding.
//!
//! **Negative indices** count from the end: for reading, `replace`, `remove` and `test`,
//! `i + len` (`-1` is the last element, below `-len` is out of range); for `add`,
//! `i + len + 1` (`-1` appends, `-0` is 0).
//!
//! **add** (`Patch.add`, `partialDoc.add`, `partialArray.add`). An object member is set in place
//! if it exists, else appended. Into an array: before index `i`, `0 <= i <= len` after resolving
//! a negative index, else `Unable to access invalid index: <i>: invalid index referenced`. At
//! `""` the value (an object or array) becomes the document. With `EnsurePathExistsOnAdd`
//! (`ensurePathExists`) the missing containers above the last token are created first: a missing
//! value becomes an array when the next token is an integer or `-` (padded with nulls up to that
//! index; a next token of `-1` gives an empty array, below `-1` is an error), else an object; a
//! missing array element is first padded with nulls up to its index; a `null` read from the
//! document counts as missing (and in an array the new container is inserted before it); a
//! scalar on the way is `invalid state detected`. Arrays are padded to at most [`MAX_PADDED_LEN`]
//! elements (evanphx has no limit).
//!
//! **remove** (`Patch.remove` with `AllowMissingPathOnRemove`): a missing member, an index
//! outside the array, and a path whose parents do not exist all remove nothing, without error.
//! A token that is not an integer in an array (including `-`) is still an error
//! (`strconv.Atoi: parsing "-": invalid syntax`), as is removing under a document that is not an
//! object or array.
//!
//! **replace** (`Patch.replace`): the member or element must exist (`replace operation does not
//! apply: doc is missing key: <path>: missing value`; its parent: `... doc is missing path: ...`).
//! At `""` the value must be an object, an array or `null`.
//!
//! **move** (`Patch.move`): `from` is read and removed, then the value is added at `path`
//! (without creating parents). Moving to a child of itself fails because the child's parent is
//! gone by then (`move operation does not apply: doc is missing destination path: ...`); moving
//! `""` fails; moving a member onto itself puts it last in its object.
//!
//! **copy** (`Patch.copy`, `deepCopy`): a deep copy of `from` is added at `path` (without
//! creating parents). There is no size limit (Kyverno sets none).
//!
//! **test** (`Patch.test`, `lazyNode.equal`): objects are compared without regard to member
//! order, arrays element by element, strings by their decoded text, numbers as `serde_json`
//! numbers (evanphx compares their JSON text: `1.0` and `1.00` are equal here only; an integer
//! never equals a float in either). A missing member tests equal to `null` (and a missing `value`
//! is `null`); a member that exists tests unequal to `null` unless it is a `null` that came from
//! the document. Failure: `testing value <path> failed: test failed`.
//!
//! **Nulls.** evanphx holds a `null` read from the document as a Go `nil` but the value `null` of
//! an `add` or `replace` (and the nulls `add` pads arrays with) as a raw `null`, and they differ:
//! `test` with `null` fails on the second, and creating parents through it is `invalid state
//! detected`. The working tree keeps that distinction.
//!
//! **The empty token.** evanphx's root container remembers the node it was decoded from, and
//! `get("")` returns it: a path whose first token is empty (`/` as the last token of the root,
//! `//x` through it) reads the document as it was before the patch (or the value of the last
//! `add` at `""`; nothing after a `replace` at `""`), and writes through it are lost. Below the
//! root an empty token reads as nothing: `replace` of a member `""` always succeeds, `test`
//! compares it to `null`, and a path through it leads nowhere. This is reproduced, except that
//! a value moved from the root's `""` is copied rather than shared.
//!
//! **Atomicity.** evanphx returns no document on error, so Kyverno keeps the resource unpatched;
//! [`apply`] likewise leaves the document unchanged on error (it patches a working tree and
//! writes it back on success). All operations are validated before any is applied, as
//! `DecodePatch` does.
//!
//! **Not reproduced.** Inputs on which evanphx panics (comparing arrays that hold nulls with
//! `test`, operating on a `null` document) give an error or a comparison here. `add` at `""`
//! with `null` is an error at once (evanphx fails when serialising the result). A document that
//! is not an object or array (evanphx cannot decode one) behaves like evanphx's stand-in for a
//! `null` document: anything below the root is `invalid value, expected object`.
//!
//! # Diff
//!
//! [`diff`]`(from, to)` returns a patch of `add`, `remove` and `replace` operations only
//! (never `move`, `copy` or `test`), deterministic for given inputs:
//!
//! - equal values (by `Value` equality, which compares objects without regard to member order)
//!   give no operation;
//! - two objects: each member only in `from` is removed, each member only in `to` is added, and
//!   each member whose values differ is diffed recursively when both are objects or both are
//!   arrays, else replaced (the member `""` is always replaced whole);
//! - two arrays: the common prefix and suffix are kept, and the rest aligned on a longest common
//!   subsequence of equal elements, so that as many elements as possible stay untouched. Each
//!   run of differences between kept elements is patched by pairing its elements: first the
//!   pairs, in order, that have the most in common (the size of what is equal in both, looking
//!   into members of the same name and elements at the same index), which are diffed
//!   recursively; between those, the remaining elements are paired by position (diffed
//!   recursively if they have anything in common, else replaced); the surplus of `from` is
//!   removed and that of `to` added. Inserting or removing `k` elements anywhere gives `k`
//!   operations; changing one field of the second container of a Pod gives one `replace` at
//!   `/spec/containers/1/<field>`, and removing the first container while changing the second
//!   gives a `remove` and the changes of the second.
//!
//!   Bounds: the subsequence needs a table of `(n + 1) × (m + 1)` two-byte cells for the `n`
//!   and `m` elements left after trimming; past [`LCS_MAX_CELLS`] (2 MiB) the elements are
//!   paired by position instead. Pairing a run by what its elements share compares every
//!   element of one side with every element of the other; past [`PAIR_MAX_CELLS`] pairs the run
//!   is paired by position. Either way the patch is still correct, possibly longer;
//! - anything else (different types, scalars) is one `replace`, `""` for the whole document.
//!
//! The patch is minimal in this sense: every operation's path leads to a place where `from` and
//! `to` differ; each differing object member gets one operation (or the operations of its
//! diff); no array element that can be kept in place (by the longest common subsequence) is
//! touched, and each other element of `from` is either diffed with one of `to`, removed, or
//! (for a surplus of `to`) matched by one `add`. It is not the fewest operations in absolute
//! terms (replacing a whole container is one operation), nor does it look for moves.
//!
//! Applying `diff(from, to)` to `from` gives a value equal to `to` with [`apply`] and with any
//! RFC 6902 implementation, with one exception forced by evanphx: a document cannot be replaced
//! by a string, number or boolean, so when `to` is one and `from` differs the patch (a `replace`
//! at `""`) fails. Member order: members kept from `from` keep their order and new members come
//! after them in `to`'s order, so the result lists members in `to`'s order only when that is
//! already the case; JSON objects are unordered and Kubernetes ignores member order.
//!
//! The functions recurse once per level of nesting, as `serde_json::Value`'s own `Clone`, `Eq`
//! and `Drop` do.

mod apply;
mod diff;
mod error;
mod node;
mod op;
mod pointer;

#[cfg(test)]
mod tests;

pub use apply::apply;
pub use diff::diff;
pub use error::{AccessError, AccessSite, EnsurePathError, OperationProblem, PatchError};
pub use op::{Op, PatchOp, parse};
pub use pointer::AtoiError;

/// The longest array `add` pads with nulls when creating a path (`/list/5/name` on a shorter
/// list). An array of 2^18 nulls is already near etcd's 1.5 MiB limit on a stored object.
pub const MAX_PADDED_LEN: usize = 1 << 18;

/// The most pairs of elements [`diff`] compares to pair up a run of changed array elements by
/// what they share: `(n + 1) × (m + 1)` for a run of `n` elements becoming `m`. Larger runs are
/// paired by position.
pub const PAIR_MAX_CELLS: usize = 1 << 12;

/// The largest table [`diff`] fills to align two arrays on a longest common subsequence:
/// `(n + 1) × (m + 1)` cells of two bytes for the `n` and `m` elements left after trimming the
/// common prefix and suffix (at most 2 MiB). Larger pairs are aligned by position.
pub const LCS_MAX_CELLS: usize = 1 << 20;
