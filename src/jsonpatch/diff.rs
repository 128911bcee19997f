//! Computing a patch between two documents.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde_json::{Map, Value};

use super::op::PatchOp;
use super::pointer::push_token;
use super::{LCS_MAX_CELLS, PAIR_MAX_CELLS};
use crate::lookup::{equal, field};

/// Arrays with at most this many elements between them are compared element by element when
/// aligned, rather than through hashes of their elements.
const SMALL_ARRAYS: usize = 16;

/// A patch that turns `from` into `to`: applied to `from` with [`apply`](super::apply) (or any
/// RFC 6902 implementation) it gives a document equal to `to`. See the
/// [module documentation](super#diff) for what the patch looks like and in what sense it is
/// minimal.
pub fn diff(from: &Value, to: &Value) -> Vec<PatchOp> {
    let mut ops = Vec::new();
    diff_values(from, to, &mut String::new(), &mut ops);
    ops
}

/// The patch for two values, at `path`: objects and arrays are walked (equal ones give
/// nothing), other values are replaced when they differ.
fn diff_values(from: &Value, to: &Value, path: &mut String, ops: &mut Vec<PatchOp>) {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => diff_objects(a, b, path, ops),
        (Value::Array(a), Value::Array(b)) => diff_arrays(a, b, path, ops),
        _ if from == to => {}
        _ => ops.push(PatchOp::replace(path.as_str(), to.clone())),
    }
}

/// Member by member: removed members are removed (in `from`'s order), changed ones diffed, new
/// ones added (in `to`'s order). The value of the member `""` is replaced whole rather than
/// diffed: evanphx cannot follow an empty token in the middle of a path.
fn diff_objects(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    path: &mut String,
    ops: &mut Vec<PatchOp>,
) {
    let len = path.len();
    for (key, old) in a {
        push_token(path, key);
        match field(b, key) {
            None => ops.push(PatchOp::remove(path.as_str())),
            Some(new) if key.is_empty() => {
                if !equal(old, new) {
                    ops.push(PatchOp::replace(path.as_str(), new.clone()));
                }
            }
            Some(new) => diff_values(old, new, path, ops),
        }
        path.truncate(len);
    }
    for (key, new) in b {
        if field(a, key).is_none() {
            push_token(path, key);
            ops.push(PatchOp::add(path.as_str(), new.clone()));
            path.truncate(len);
        }
    }
}

/// One run of the alignment of two arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// An element kept as it is.
    Keep,
    /// `removed` elements of `from` replaced by `added` elements of `to`.
    Change {
        /// How many elements of `from`.
        removed: usize,
        /// How many elements of `to`.
        added: usize,
    },
}

/// One step of patching a run of changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// Element `i` of the run in `from` becomes element `j` in `to`.
    Pair(usize, usize),
    /// Element `i` of the run in `from` goes.
    Remove(usize),
    /// Element `j` of the run in `to` comes.
    Add(usize),
}

/// Aligns the arrays on a longest common subsequence of equal elements (after the common prefix
/// and suffix), then patches each run of differences between kept elements (see [`pair_run`]).
fn diff_arrays(a: &[Value], b: &[Value], path: &mut String, ops: &mut Vec<PatchOp>) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| equal(x, y)).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| equal(x, y))
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let runs = align(a_mid, b_mid);

    let len = path.len();
    // `at` is the index in the array as patched so far; `i` and `j` index `a_mid` and `b_mid`.
    let (mut at, mut i, mut j) = (prefix, 0, 0);
    for run in runs {
        let Run::Change { removed, added } = run else {
            at += 1;
            i += 1;
            j += 1;
            continue;
        };
        let (old, new) = (&a_mid[i..i + removed], &b_mid[j..j + added]);
        let (edits, similar) = pair_run(old, new);
        for edit in edits {
            push_token(path, &at.to_string());
            match edit {
                Edit::Pair(x, y) => {
                    let (old, new) = (&old[x], &new[y]);
                    if similar || similarity(old, new) > 0 {
                        diff_values(old, new, path, ops);
                    } else {
                        ops.push(PatchOp::replace(path.as_str(), new.clone()));
                    }
                    at += 1;
                }
                Edit::Remove(_) => ops.push(PatchOp::remove(path.as_str())),
                Edit::Add(y) => {
                    ops.push(PatchOp::add(path.as_str(), new[y].clone()));
                    at += 1;
                }
            }
            path.truncate(len);
        }
        i += removed;
        j += added;
    }
}

/// Patches a run of `old` elements that become `new` ones (no element of one equals an element
/// of the other at an aligned place). The pairs that share the most (by [`similarity`], in
/// order) are diffed recursively, when the run has at most [`PAIR_MAX_CELLS`] pairs; between
/// them, the rest are paired by position (diffed if they share anything, else replaced), and
/// the surplus of `old` is removed and that of `new` added. So removing one container and
/// changing its neighbour removes the first and patches the second.
///
/// Also returns whether every pair is known to share something.
fn pair_run(old: &[Value], new: &[Value]) -> (Vec<Edit>, bool) {
    let (n, m) = (old.len(), new.len());
    let mut edits = Vec::with_capacity(n.max(m));
    // Matched pairs, in order, then a sentinel past the end.
    let mut anchors = Vec::new();
    // Runs of equal length whose elements pair up by position (each pair shares something)
    // keep that pairing; otherwise the pairs that share most are sought.
    let by_position = n == m && old.iter().zip(new).all(|(x, y)| similarity(x, y) > 0);
    if !by_position && (n > 1 || m > 1) && (n + 1).saturating_mul(m + 1) <= PAIR_MAX_CELLS {
        anchors = best_pairs(old, new);
    }
    anchors.push((n, m));
    let (mut i, mut j) = (0, 0);
    for (ai, aj) in anchors {
        // Between anchors: by position, then the surplus.
        let paired = (ai - i).min(aj - j);
        for k in 0..paired {
            edits.push(Edit::Pair(i + k, j + k));
        }
        edits.extend((i + paired..ai).map(Edit::Remove));
        edits.extend((j + paired..aj).map(Edit::Add));
        if ai < n && aj < m {
            edits.push(Edit::Pair(ai, aj));
        }
        (i, j) = (ai + 1, aj + 1);
    }
    (edits, by_position)
}

/// The pairs of a run, in order, with the greatest total [`similarity`] (pairs that share
/// nothing are not chosen).
fn best_pairs(old: &[Value], new: &[Value]) -> Vec<(usize, usize)> {
    let (n, m) = (old.len(), new.len());
    let width = m + 1;
    let mut score = vec![0u64; n * m];
    for (i, x) in old.iter().enumerate() {
        for (j, y) in new.iter().enumerate() {
            score[i * m + j] = similarity(x, y);
        }
    }
    // best[i * width + j]: the greatest total for old[i..] and new[j..].
    let mut best = vec![0u64; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let skip = best[(i + 1) * width + j].max(best[i * width + j + 1]);
            let s = score[i * m + j];
            best[i * width + j] = if s > 0 {
                skip.max(s + best[(i + 1) * width + j + 1])
            } else {
                skip
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let here = best[i * width + j];
        let s = score[i * m + j];
        if s > 0 && here == s + best[(i + 1) * width + j + 1] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if here == best[(i + 1) * width + j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// How much two values have in common, in nodes: the size of what is equal in both, looking
/// into object members of the same name and array elements at the same index. Zero for values
/// of different types and for different scalars.
fn similarity(x: &Value, y: &Value) -> u64 {
    common(x, y).0
}

/// The nodes two values have in common, and whether they are equal (then the count is the
/// size of either), in one walk.
fn common(x: &Value, y: &Value) -> (u64, bool) {
    let (shared, same) = match (x, y) {
        (Value::Object(a), Value::Object(b)) => a.iter().fold(
            (0, a.len() == b.len()),
            |(shared, same), (k, v)| match field(b, k) {
                Some(w) => {
                    let (s, e) = common(v, w);
                    (shared + s, same && e)
                }
                None => (shared, false),
            },
        ),
        (Value::Array(a), Value::Array(b)) => {
            a.iter()
                .zip(b)
                .fold((0, a.len() == b.len()), |(shared, same), (v, w)| {
                    let (s, e) = common(v, w);
                    (shared + s, same && e)
                })
        }
        _ => return if x == y { (1, true) } else { (0, false) },
    };
    if same {
        (shared + 1, true)
    } else {
        (shared, false)
    }
}

/// The alignment of two arrays as runs. A longest common subsequence when the table it needs
/// has at most [`LCS_MAX_CELLS`] cells, else one run pairing the elements by position.
fn align(a: &[Value], b: &[Value]) -> Vec<Run> {
    let (n, m) = (a.len(), b.len());
    let whole = vec![Run::Change {
        removed: n,
        added: m,
    }];
    if n == 0 || m == 0 || (n + 1).saturating_mul(m + 1) > LCS_MAX_CELLS {
        return whole;
    }
    let (a, b) = classes(a, b);
    // lcs[i * width + j]: the length of a longest common subsequence of a[i..] and b[j..]. It is
    // at most min(n, m) < 2^10 within the cell limit, so u16 holds it.
    let width = m + 1;
    let mut lcs = vec![0u16; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut runs = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (0, 0);
    let flush = |runs: &mut Vec<Run>, removed: &mut usize, added: &mut usize| {
        if *removed > 0 || *added > 0 {
            runs.push(Run::Change {
                removed: *removed,
                added: *added,
            });
            (*removed, *added) = (0, 0);
        }
    };
    while i < n && j < m {
        if a[i] == b[j] {
            flush(&mut runs, &mut removed, &mut added);
            runs.push(Run::Keep);
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            removed += 1;
            i += 1;
        } else {
            added += 1;
            j += 1;
        }
    }
    removed += n - i;
    added += m - j;
    flush(&mut runs, &mut removed, &mut added);
    runs
}

/// Numbers the distinct values of `a` and `b` (equal values, by `Value` equality, get the same
/// number), so that the table compares numbers rather than trees.
fn classes(a: &[Value], b: &[Value]) -> (Vec<u32>, Vec<u32>) {
    // Few values: compare them directly rather than hash whole subtrees.
    if a.len() + b.len() <= SMALL_ARRAYS {
        let mut seen: Vec<&Value> = Vec::with_capacity(a.len() + b.len());
        let mut id_of = |value| match seen.iter().position(|v| equal(v, value)) {
            Some(id) => id as u32,
            None => {
                seen.push(value);
                (seen.len() - 1) as u32
            }
        };
        let a = a.iter().map(&mut id_of).collect();
        let b = b.iter().map(&mut id_of).collect();
        return (a, b);
    }
    let mut buckets: HashMap<u64, Vec<(u32, &Value)>> = HashMap::new();
    let mut count = 0u32;
    let mut class = |value| {
        let bucket = buckets.entry(fingerprint(value)).or_default();
        if let Some((id, _)) = bucket.iter().find(|(_, seen)| equal(seen, value)) {
            return *id;
        }
        bucket.push((count, value));
        count += 1;
        count - 1
    };
    let a = a.iter().map(&mut class).collect();
    let b = b.iter().map(&mut class).collect();
    (a, b)
}

/// A hash consistent with `Value` equality: object members hash the same in any order, and
/// numbers equal as `serde_json` numbers hash the same.
fn fingerprint(value: &Value) -> u64 {
    let mut hasher = DefaultHasher::new();
    hash_into(value, &mut hasher);
    hasher.finish()
}

fn hash_into(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                (2u8, u).hash(hasher);
            } else if let Some(i) = n.as_i64() {
                (3u8, i).hash(hasher);
            } else {
                // 0.0 and -0.0 are equal.
                let f = n.as_f64().unwrap_or(0.0);
                (4u8, if f == 0.0 { 0 } else { f.to_bits() }).hash(hasher);
            }
        }
        Value::String(s) => (5u8, s).hash(hasher),
        Value::Array(items) => {
            (6u8, items.len()).hash(hasher);
            for item in items {
                hash_into(item, hasher);
            }
        }
        Value::Object(map) => {
            let members = map.iter().fold(0u64, |sum, (k, v)| {
                let mut member = DefaultHasher::new();
                k.hash(&mut member);
                hash_into(v, &mut member);
                sum.wrapping_add(member.finish())
            });
            (7u8, map.len(), members).hash(hasher);
        }
    }
}
