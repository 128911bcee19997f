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

/// The two operands of a binary node, in one allocation: left, right.
pub type Operands = Box<[Node; 2]>;

/// One node of the syntax tree.
#[derive(Clone, Debug)]
pub enum Node {
    /// `@`: the current value.
    Current,
    /// `$name`: a bound variable; `$` alone (an empty name) is the root document. Only
    /// [`crate::expr::parse_with_variables`] produces it.
    Variable(Box<str>),
    /// A field of the current object (`foo`, `"foo"`).
    Field(Box<str>),
    /// `lhs.rhs` (also `lhs[0]`, which evaluates `[0]` against `lhs`).
    Subexpr(Operands),
    /// `[n]` applied to the current value.
    Index(i64),
    /// `[start:stop:step]` applied to the current value.
    Slice(Box<[Option<i64>; 3]>),
    /// List projection: evaluate `rhs` for each element of the array `lhs`.
    Projection(Operands),
    /// Object projection (`*`): evaluate `rhs` for each value of the object `lhs`.
    ValueProjection(Operands),
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
    Literal(Box<Value>),
    /// `!e`
    Not(Box<Node>),
    /// `a && b`
    And(Operands),
    /// `a || b`
    Or(Operands),
    /// `a <op> b`
    Compare(Comparator, Operands),
    /// `a | b`
    Pipe(Operands),
    /// `&e`: an expression passed unevaluated to a function.
    Expref(Box<Node>),
    /// A function call.
    Function(Box<FunctionCall>),
}

/// A function call; `regex` holds a pattern argument compiled at parse time.
#[derive(Clone, Debug)]
pub struct FunctionCall {
    /// The registered function.
    pub spec: &'static FunctionSpec,
    /// Argument expressions.
    pub args: Vec<Node>,
    /// First argument compiled ahead of time when it is a literal regex.
    pub regex: Option<regex::Regex>,
}

impl fmt::Display for Node {
    /// An indented tree, one node per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_tree(f, 0)
    }
}

impl Node {
    /// Calls `f` for every function call in the tree, outermost first.
    pub(crate) fn for_each_call(&self, f: &mut dyn FnMut(&FunctionCall)) {
        match self {
            Node::Current
            | Node::Variable(_)
            | Node::Field(_)
            | Node::Index(_)
            | Node::Slice(_)
            | Node::Literal(_) => {}
            Node::Subexpr(ops)
            | Node::Projection(ops)
            | Node::ValueProjection(ops)
            | Node::And(ops)
            | Node::Or(ops)
            | Node::Compare(_, ops)
            | Node::Pipe(ops) => ops.iter().for_each(|n| n.for_each_call(f)),
            Node::FilterProjection {
                lhs,
                rhs,
                condition,
            } => [lhs, rhs, condition]
                .into_iter()
                .for_each(|n| n.for_each_call(f)),
            Node::Flatten(n) | Node::Not(n) | Node::Expref(n) => n.for_each_call(f),
            Node::MultiList(items) => items.iter().for_each(|n| n.for_each_call(f)),
            Node::MultiHash(items) => items.iter().for_each(|(_, n)| n.for_each_call(f)),
            Node::Function(call) => {
                f(call);
                call.args.iter().for_each(|n| n.for_each_call(f));
            }
        }
    }

    fn write_tree(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let pad = "  ".repeat(depth);
        let children: Vec<&Node> = match self {
            Node::Current => return writeln!(f, "{pad}Current"),
            Node::Variable(name) => return writeln!(f, "{pad}Variable(${name})"),
            Node::Field(name) => return writeln!(f, "{pad}Field {name:?}"),
            Node::Index(i) => return writeln!(f, "{pad}Index {i}"),
            Node::Slice(parts) => {
                let [a, b, c] = &**parts;
                let part = |p: &Option<i64>| p.map(|v| v.to_string()).unwrap_or_default();
                return writeln!(f, "{pad}Slice [{}:{}:{}]", part(a), part(b), part(c));
            }
            Node::Literal(v) => return writeln!(f, "{pad}Literal {v}"),
            Node::Subexpr(operands) => {
                writeln!(f, "{pad}Subexpression")?;
                operands.iter().collect()
            }
            Node::Projection(operands) => {
                writeln!(f, "{pad}Projection")?;
                operands.iter().collect()
            }
            Node::ValueProjection(operands) => {
                writeln!(f, "{pad}ValueProjection")?;
                operands.iter().collect()
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
            Node::And(operands) => {
                writeln!(f, "{pad}And")?;
                operands.iter().collect()
            }
            Node::Or(operands) => {
                writeln!(f, "{pad}Or")?;
                operands.iter().collect()
            }
            Node::Compare(op, operands) => {
                writeln!(f, "{pad}Comparator {}", op.symbol())?;
                operands.iter().collect()
            }
            Node::Pipe(operands) => {
                writeln!(f, "{pad}Pipe")?;
                operands.iter().collect()
            }
            Node::Expref(a) => {
                writeln!(f, "{pad}ExpressionReference")?;
                vec![a]
            }
            Node::Function(call) => {
                writeln!(f, "{pad}Function {}", call.spec.name)?;
                call.args.iter().collect()
            }
        };
        for child in children {
            child.write_tree(f, depth + 1)?;
        }
        Ok(())
    }
}
