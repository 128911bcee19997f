//! How `apply` shows mutated and generated resources, as Kyverno's CLI does: for every resource
//! and every policy with mutate rules (in load order, whether or not it changed anything), the
//! resource as it stands after that policy, printed as go-yaml v3 prints it (keys sorted, four
//! spaces), with the targets its mutate-existing rules patched; then every object its generate
//! rules created. `-o` writes the YAML to a file or directory.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use rampart::yaml::{Layout, to_yaml_string_with};
use rampart::{Engine, Evaluation, RuleKind, RuleOutput};
use serde_json::{Map, Value};

use super::Output;
use super::resources::name_of;

/// Where mutated resources go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output; `header` prints `policy <p> applied to <resource>:` before each.
    Stdout {
        /// Whether to print the header (not when resources came from standard input).
        header: bool,
    },
    /// One file (a path ending in `.yaml` or `.yml`), truncated first.
    File(PathBuf),
    /// A directory: `<resource name>-mutated.yaml` per resource, `<policy>-generated.yaml` per
    /// generating policy.
    Dir(PathBuf),
}

impl Destination {
    /// The destination `-o` names (creating the directory or truncating the file), or
    /// standard output.
    pub fn open(output: Option<&str>, stdin: bool) -> Result<Destination, String> {
        let Some(path) = output else {
            return Ok(Destination::Stdout { header: !stdin });
        };
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let is_file = file_name.ends_with(".yaml") || file_name.ends_with(".yml");
        let path = PathBuf::from(path);
        if is_file {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("failed to create {}: {e}", parent.display()))?;
            }
            std::fs::File::create(&path)
                .map_err(|e| format!("failed to create {}: {e}", path.display()))?;
            Ok(Destination::File(path))
        } else {
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("failed to create {}: {e}", path.display()))?;
            Ok(Destination::Dir(path))
        }
    }
}

/// A value with every map's keys sorted, as Go prints maps.
pub fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut sorted = Map::with_capacity(map.len());
            for k in keys {
                sorted.insert(k.clone(), sort_keys(&map[k]));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// The YAML Kyverno's `apply` prints for a resource.
fn yaml(value: &Value) -> String {
    to_yaml_string_with(&sort_keys(value), Layout::GO_YAML_V3)
}

/// Shows every mutated resource and every generated object of an `apply` run.
pub fn show(
    engine: &Engine,
    resources: &[Value],
    results: &[Evaluation],
    destination: &Destination,
    out: &mut Output,
) -> Result<(), String> {
    let mutating: Vec<_> = engine
        .policies()
        .filter(|p| p.rules.iter().any(|(_, k)| *k == RuleKind::Mutation))
        .collect();
    for (resource, evaluation) in resources.iter().zip(results) {
        let path = format!(
            "{}/{}/{}",
            evaluation.resource.namespace(),
            evaluation.resource.kind(),
            evaluation.resource.name()
        );
        let mut current = resource;
        for policy in &mutating {
            let response = evaluation
                .policies
                .iter()
                .find(|p| p.policy.key() == policy.key());
            if let Some(patched) = response.and_then(|r| r.patched.as_deref()) {
                current = patched;
            }
            let targets: Vec<&Value> = response
                .into_iter()
                .flat_map(|r| &r.rules)
                .filter_map(|r| match &r.output {
                    RuleOutput::Mutation(m) => m.target.as_deref(),
                    _ => None,
                })
                .collect();
            let block = Block::Mutated {
                resource_name: name_of(resource),
            };
            write(
                destination,
                block,
                &policy.name,
                &path,
                current,
                &targets,
                out,
            )?;
        }
        for response in &evaluation.policies {
            for generated in response.rules.iter().flat_map(|r| r.generated()) {
                let policy = &response.policy.name;
                write(
                    destination,
                    Block::Generated,
                    policy,
                    &path,
                    generated,
                    &[],
                    out,
                )?;
            }
        }
    }
    Ok(())
}

/// What one block of output is.
enum Block<'a> {
    /// A resource after a policy's mutate rules (named after the resource in a directory).
    Mutated { resource_name: &'a str },
    /// An object a policy's generate rules created (named after the policy in a directory).
    Generated,
}

fn write(
    destination: &Destination,
    block: Block,
    policy: &str,
    path: &str,
    resource: &Value,
    targets: &[&Value],
    out: &mut Output,
) -> Result<(), String> {
    let text = yaml(resource);
    match destination {
        Destination::Stdout { header } => {
            if *header {
                out.out(&format!("\npolicy {policy} applied to {path}:"));
            }
            out.out(&format!("\n{text}\n---\n"));
            if !targets.is_empty() {
                out.out("patched targets: \n");
                for t in targets {
                    out.out(&format!("\n{}\n---\n\n", yaml(t)));
                }
            }
        }
        Destination::File(file) | Destination::Dir(file) => {
            let file = match (destination, &block) {
                (Destination::Dir(dir), Block::Mutated { resource_name }) => {
                    dir.join(format!("{resource_name}-mutated.yaml"))
                }
                (Destination::Dir(dir), Block::Generated) => {
                    dir.join(format!("{policy}-generated.yaml"))
                }
                _ => file.clone(),
            };
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&file)
                .map_err(|e| format!("failed to open {}: {e}", file.display()))?;
            let mut body = format!("{text}\n---\n\n");
            for t in targets {
                body.push_str(&yaml(t));
                body.push_str("\n---\n");
            }
            f.write_all(body.as_bytes())
                .map_err(|e| format!("failed to write {}: {e}", file.display()))?;
        }
    }
    out.out(match block {
        Block::Mutated { .. } => "\n\nMutation:\nMutation has been applied successfully.",
        Block::Generated => "\n\nGenerate:\nGeneration completed successfully.",
    });
    Ok(())
}
