//! How `apply` gets from its inputs to evaluated resources: streamed (each batch of documents
//! parsed and evaluated on the worker threads, its results handed on in input order and the
//! documents dropped), or, when the policies need every resource first, read whole and then
//! evaluated in parallel. A file that the stream cannot take (a document that does not parse
//! or is not a resource, standard input) is read whole at its turn: what the stream took of it
//! is taken back, and the file is reported and evaluated as `read_resources` reads it.

use std::sync::Arc;

use rampart::{Engine, Loader, SourceMap, diag};
use serde_json::Value;

use super::Output;
use super::apply::evaluate_one;
use super::apply_input::{Inputs, Origin, Prepare, Sourced, Unit, parse};
use super::apply_output::{Emitter, Evaluated};
use super::cluster::OfflineCluster;
use super::parallel::ordered_map;
use super::progress::Progress;
use super::resources;
use super::userinfo::RequestInfo;
use super::values::Values;

/// What evaluating a resource needs.
pub struct Context<'a> {
    /// The policies.
    pub engine: &'a Engine,
    /// Values (`-f`, `-s`).
    pub values: &'a Values,
    /// The user (`-u`).
    pub user: Option<&'a RequestInfo>,
    /// What a cluster would answer.
    pub cluster: &'a OfflineCluster,
    /// Whether the outputs need the resource itself after its evaluation.
    pub keep_resource: bool,
}

impl Context<'_> {
    /// Evaluates one resource.
    pub fn evaluate(&self, sourced: Sourced) -> Result<Evaluated, String> {
        let resource = self.keep_resource.then(|| sourced.value.clone());
        let evaluation = evaluate_one(
            self.engine,
            sourced.value,
            self.values,
            self.user,
            self.cluster,
            None,
        )?;
        Ok(Evaluated {
            resource,
            evaluation,
            origin: sourced.origin,
        })
    }

    /// Evaluates a batch of resources.
    pub fn evaluate_all(&self, batch: Vec<Sourced>) -> Vec<Result<Evaluated, String>> {
        batch.into_iter().map(|s| self.evaluate(s)).collect()
    }
}

/// Splits an iterator into batches of `size` items.
pub struct Batches<I> {
    items: I,
    size: usize,
}

impl<I: Iterator> Batches<I> {
    /// Batches of `size` items of `items`.
    pub fn new(items: I, size: usize) -> Self {
        Batches { items, size }
    }
}

impl<I: Iterator> Iterator for Batches<I> {
    type Item = Vec<I::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        let batch: Vec<I::Item> = self.items.by_ref().take(self.size).collect();
        (!batch.is_empty()).then_some(batch)
    }
}

/// Reading the resource inputs: what was left out, and which files were read whole.
pub struct Reading<'a> {
    /// The inputs.
    pub inputs: &'a Inputs,
    /// What is done to each resource before it is evaluated.
    pub prepare: &'a Prepare,
    /// Files and documents left out (reported), counted as errors.
    pub left_out: usize,
    /// The files read whole after the stream met a problem in them.
    pub redone: Vec<bool>,
    /// An error that stops the command.
    pub fatal: Option<String>,
    /// Progress through the input, for a person watching.
    pub progress: Progress,
}

impl<'a> Reading<'a> {
    /// A reading of `inputs`.
    pub fn new(inputs: &'a Inputs, prepare: &'a Prepare, progress: Progress) -> Self {
        Reading {
            inputs,
            prepare,
            left_out: 0,
            redone: vec![false; inputs.len()],
            fatal: None,
            progress,
        }
    }

    /// Reads every resource of every input, in order (parsing on `threads` threads).
    pub fn read_all(
        &mut self,
        threads: usize,
        loader: &mut Loader,
        out: &mut Output,
    ) -> Vec<Sourced> {
        let (inputs, prepare) = (self.inputs, self.prepare);
        let mut all = Vec::new();
        let mut start: Option<(usize, usize)> = None;
        ordered_map(
            inputs.units(),
            threads,
            |unit| (unit.file(), parse(unit, inputs, prepare)),
            |(file, parsed)| {
                if self.redone[file] {
                    return;
                }
                if start.is_none_or(|(f, _)| f != file) {
                    start = Some((file, all.len()));
                }
                match parsed {
                    Ok(resources) => all.extend(resources),
                    Err(file) => {
                        all.truncate(start.map_or(all.len(), |(_, len)| len));
                        all.extend(self.whole(file, loader, out));
                    }
                }
            },
        );
        all
    }

    /// Streams the inputs: each batch parsed and evaluated on `threads` threads, the results
    /// handed to `emitter` in order.
    pub fn stream(
        &mut self,
        context: &Context<'_>,
        threads: usize,
        emitter: &mut Emitter<'_>,
        loader: &mut Loader,
        out: &mut Output,
    ) {
        let (inputs, prepare) = (self.inputs, self.prepare);
        ordered_map(
            inputs.units(),
            threads,
            |unit| {
                let (file, bytes) = (unit.file(), unit.bytes(inputs));
                let parsed = parse(unit, inputs, prepare);
                (file, bytes, parsed.map(|batch| context.evaluate_all(batch)))
            },
            |(file, bytes, evaluated)| {
                self.progress.advance(bytes);
                if self.redone[file] {
                    return;
                }
                emitter.begin_file(file);
                let items = match evaluated {
                    Ok(items) => items,
                    Err(file) => {
                        emitter.drop_file(file);
                        let whole = self.whole(file, loader, out);
                        context.evaluate_all(whole)
                    }
                };
                for item in items {
                    match item {
                        Ok(item) => emitter.add(item),
                        Err(e) => drop(self.fatal.get_or_insert(e)),
                    }
                }
            },
        );
    }

    /// Reads file `file` whole, reporting what cannot be used, as `read_resources` does.
    fn whole(&mut self, file: usize, loader: &mut Loader, out: &mut Output) -> Vec<Sourced> {
        self.redone[file] = true;
        let read = rampart::read_resources(loader.sources_mut(), &[self.inputs.path(file)]);
        let (mut values, diagnostics) = match read {
            Ok(read) => read,
            Err(e) => {
                self.fatal
                    .get_or_insert(format!("failed to load resources ({e})"));
                return Vec::new();
            }
        };
        if !diagnostics.is_empty() {
            out.err(&diag::render_all(&diagnostics, loader.sources(), out.color));
        }
        self.left_out += diagnostics.len();
        self.prepare.apply(&mut values);
        let origin = Arc::new(Origin {
            file: Arc::clone(self.inputs.name(file)),
            first_line: 0,
            text: String::new(),
        });
        values
            .into_iter()
            .map(|value| Sourced {
                value,
                origin: Some(Arc::clone(&origin)),
            })
            .collect()
    }

    /// The Namespace objects among the resources, read ahead of the stream (only documents
    /// that mention `Namespace` are parsed; nothing is reported here).
    pub fn namespaces(&self) -> Vec<Value> {
        let mut found = Vec::new();
        let mut scratch = SourceMap::default();
        for unit in self.inputs.units() {
            let resources = match unit {
                Unit::Documents { docs, .. } => docs
                    .into_iter()
                    .filter(|d| d.text.contains("Namespace"))
                    .filter_map(|d| rampart::yaml::parse_values(&d.text).ok())
                    .flatten()
                    .filter_map(rampart::document_resources)
                    .flatten()
                    .collect(),
                Unit::Whole { file } => {
                    rampart::read_resources(&mut scratch, &[self.inputs.path(file)])
                        .map(|(values, _)| values)
                        .unwrap_or_default()
                }
            };
            found.extend(
                resources
                    .into_iter()
                    .filter(|r| resources::kind_of(r) == "Namespace"),
            );
        }
        found
    }
}
