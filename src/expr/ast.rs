//! The syntax tree of a JMESPath expression and its printable form.

use std::fmt;

use serde_json::Value;

use super::functions::FunctionSpec;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "==",
            Comparator::Ne => "!=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// One node of the syntax tree.
#[derive(Clone, Debug)]
pub enum Node {
    /// `@`: the current value.
    Current,
    /// A field of the current object (`foo`, `"foo"`).
    Field(String),
    /// `lhs.rhs` (also `lhs[0]`, which evaluates `[0]` against `lhs`).
    Subexpr(Box<Node>, Box<Node>),
    /// `[n]` applied to the current value.
    Index(i64),
    /// `[start:stop:step]` applied to the current value.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// List projection: evaluate `rhs` for each element of the array `lhs`.
    Projection(Box<Node>, Box<Node>),
    /// Object projection (`*`): evaluate `rhs` for each value of the object `lhs`.
    ValueProjection(Box<Node>, Box<Node>),
    /// Filter projection `lhs[?cond].rhs`.
    FilterProjection {
        /// The array being filtered.
        lhs: Box<Node>,
        /// What to project each kept element to.
        rhs: Box<Node>,
        /// The condition.
        condition: Box<Node>,
    },
    /// `lhs[]`: flatten one level.
    Flatten(Box<Node>),
    /// `[a, b]`
    MultiList(Vec<Node>),
    /// `{k: a, l: b}`
    MultiHash(Vec<(String, Node)>),
    /// A JSON literal or raw string.
    Literal(Value),
    /// `!e`
    Not(Box<Node>),
    /// `a && b`
    And(Box<Node>, Box<Node>),
    /// `a || b`
    Or(Box<Node>, Box<Node>),
    /// `a <op> b`
    Compare(Comparator, Box<Node>, Box<Node>),
    /// `a | b`
    Pipe(Box<Node>, Box<Node>),
    /// `&e`: an expression passed unevaluated to a function.
    Expref(Box<Node>),
    /// A function call; `regex` holds a pattern argument compiled at parse time.
    Function {
        /// The registered function.
        spec: &'static FunctionSpec,
        /// Argument expressions.
        args: Vec<Node>,
        /// First argument compiled ahead of time when it is a literal regex.
        regex: Option<regex::Regex>,
    },
}

impl fmt::Display for Node {
    /// An indented tree, one node per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_tree(f, 0)
    }
}

impl Node {
    fn write_tree(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let pad = "  ".repeat(depth);
        let children: Vec<&Node> = match self {
            Node::Current => return writeln!(f, "{pad}Current"),
            Node::Field(name) => return writeln!(f, "{pad}Field {name:?}"),
            Node::Index(i) => return writeln!(f, "{pad}Index {i}"),
            Node::Slice(a, b, c) => {
                let part = |p: &Option<i64>| p.map(|v| v.to_string()).unwrap_or_default();
                return writeln!(f, "{pad}Slice [{}:{}:{}]", part(a), part(b), part(c));
            }
            Node::Literal(v) => return writeln!(f, "{pad}Literal {v}"),
            Node::Subexpr(a, b) => {
                writeln!(f, "{pad}Subexpression")?;
                vec![a, b]
            }
            Node::Projection(a, b) => {
                writeln!(f, "{pad}Projection")?;
                vec![a, b]
            }
            Node::ValueProjection(a, b) => {
                writeln!(f, "{pad}ValueProjection")?;
                vec![a, b]
            }
            Node::FilterProjection {
                lhs,
                rhs,
                condition,
            } => {
                writeln!(f, "{pad}FilterProjection")?;
                vec![lhs, rhs, condition]
            }
            Node::Flatten(a) => {
                writeln!(f, "{pad}Flatten")?;
                vec![a]
            }
            Node::MultiList(items) => {
                writeln!(f, "{pad}MultiSelectList")?;
                items.iter().collect()
            }
            Node::MultiHash(items) => {
                writeln!(f, "{pad}MultiSelectHash")?;
                for (key, node) in items {
                    writeln!(f, "{pad}  Key {key:?}")?;
                    node.write_tree(f, depth + 2)?;
                }
                return Ok(());
            }
            Node::Not(a) => {
                writeln!(f, "{pad}Not")?;
                vec![a]
            }
            Node::And(a, b) => {
                writeln!(f, "{pad}And")?;
                vec![a, b]
            }
            Node::Or(a, b) => {
                writeln!(f, "{pad}Or")?;
                vec![a, b]
            }
            Node::Compare(op, a, b) => {
                writeln!(f, "{pad}Comparator {}", op.symbol())?;
                vec![a, b]
            }
            Node::Pipe(a, b) => {
                writeln!(f, "{pad}Pipe")?;
                vec![a, b]
            }
            Node::Expref(a) => {
                writeln!(f, "{pad}ExpressionReference")?;
                vec![a]
            }
            Node::Function { spec, args, .. } => {
                writeln!(f, "{pad}Function {}", spec.name)?;
                args.iter().collect()
            }
        };
        for child in children {
            child.write_tree(f, depth + 1)?;
        }
        Ok(())
    }
}
