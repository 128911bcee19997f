//! Where `apply`'s resources come from, read as a stream: each file is split into documents
//! ([`super::documents`]) and handed out in batches, which are parsed (and evaluated) on
//! several cores and dropped once their results are written. A file the splitter or the fast
//! path cannot take whole (standard input, a byte order mark, a directive, a document that does
//! not parse or is not a resource) is read whole by the caller instead, which reports it as
//! `read_resources` does.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use rampart::source::{self, Input};
use rampart::{SourceError, document_resources, yaml};
use serde_json::Value;

use super::documents::{RawDocument, Splitter};
use super::resources;

/// How many documents, or bytes of them, make one batch.
const BATCH_DOCUMENTS: usize = 128;
const BATCH_BYTES: usize = 256 << 10;

/// Where a resource was read: the file, and the document's text and first line (for the line
/// and column of a field).
#[derive(Debug)]
pub struct Origin {
    /// The file's name as given.
    pub file: Arc<str>,
    /// The 1-based line the document's text starts on.
    pub first_line: usize,
    /// The document's text.
    pub text: String,
}

/// A resource and where it was read (`None` for resources read whole, which keep no text).
#[derive(Debug)]
pub struct Sourced {
    /// The resource.
    pub value: Value,
    /// Where it was read.
    pub origin: Option<Arc<Origin>>,
}

/// Work for a parsing thread: documents of one file, or a file that must be read whole.
#[derive(Debug)]
pub enum Unit {
    /// Consecutive documents of file `file`.
    Documents {
        /// The file's index among the inputs.
        file: usize,
        /// The documents.
        docs: Vec<RawDocument>,
    },
    /// File `file` must be read whole (and what was taken of it before, dropped).
    Whole {
        /// The file's index among the inputs.
        file: usize,
    },
}

impl Unit {
    /// How many bytes of input the unit covers (a file read whole: its size).
    pub fn bytes(&self, inputs: &Inputs) -> u64 {
        match self {
            Unit::Documents { docs, .. } => docs.iter().map(|d| d.text.len() as u64).sum(),
            Unit::Whole { file } => inputs.size(*file),
        }
    }

    /// The file's index among the inputs.
    pub fn file(&self) -> usize {
        match self {
            Unit::Documents { file, .. } | Unit::Whole { file } => *file,
        }
    }
}

/// The resource inputs named on the command line, expanded.
#[derive(Debug)]
pub struct Inputs {
    inputs: Vec<Input>,
    names: Vec<Arc<str>>,
}

impl Inputs {
    /// Expands the `-r` paths (directories, `-`).
    pub fn expand(paths: &[String]) -> Result<Self, SourceError> {
        let inputs = source::expand(paths)?;
        let names = inputs.iter().map(|i| Arc::from(i.display_name())).collect();
        Ok(Inputs { inputs, names })
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// The size of the files, in bytes (standard input counts as nothing).
    pub fn total_bytes(&self) -> u64 {
        (0..self.inputs.len()).map(|f| self.size(f)).sum()
    }

    fn size(&self, file: usize) -> u64 {
        match &self.inputs[file] {
            Input::File(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
            Input::Stdin | Input::Stdlib(_) => 0,
        }
    }

    /// Whether standard input is among them (it can be read only once).
    pub fn has_stdin(&self) -> bool {
        self.inputs.contains(&Input::Stdin)
    }

    /// The name of file `file`, as messages show it.
    pub fn name(&self, file: usize) -> &Arc<str> {
        &self.names[file]
    }

    /// The path to read file `file` whole with `read_resources`.
    pub fn path(&self, file: usize) -> String {
        match &self.inputs[file] {
            Input::Stdin => "-".to_string(),
            _ => self.names[file].to_string(),
        }
    }

    /// The units of work, reading the files as they are pulled.
    pub fn units(&self) -> impl Iterator<Item = Unit> + Send + '_ {
        self.inputs
            .iter()
            .enumerate()
            .flat_map(|(file, input)| FileUnits::new(file, input))
    }
}

/// The units of one file.
struct FileUnits {
    file: usize,
    splitter: Option<Splitter<BufReader<File>>>,
    whole: bool,
}

impl FileUnits {
    fn new(file: usize, input: &Input) -> Self {
        let splitter = match input {
            Input::File(path) => File::open(path)
                .ok()
                .map(|f| Splitter::new(BufReader::with_capacity(64 << 10, f))),
            Input::Stdin | Input::Stdlib(_) => None,
        };
        FileUnits {
            file,
            whole: splitter.is_none(),
            splitter,
        }
    }
}

impl Iterator for FileUnits {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        if self.whole {
            self.whole = false;
            self.splitter = None;
            return Some(Unit::Whole { file: self.file });
        }
        let splitter = self.splitter.as_mut()?;
        let mut docs = Vec::new();
        let mut bytes = 0;
        while docs.len() < BATCH_DOCUMENTS && bytes < BATCH_BYTES {
            match splitter.next_document() {
                None => break,
                Some(Ok(doc)) => {
                    bytes += doc.text.len();
                    docs.push(doc);
                }
                Some(Err(_)) => {
                    self.splitter = None;
                    return Some(Unit::Whole { file: self.file });
                }
            }
        }
        if docs.is_empty() {
            self.splitter = None;
            return None;
        }
        Some(Unit::Documents {
            file: self.file,
            docs,
        })
    }
}

/// What is done to every resource before it is evaluated: the namespace of namespaced kinds
/// defaulted (custom kinds' scopes from `--crd-paths`), and `-n` kept to.
#[derive(Debug, Default)]
pub struct Prepare {
    /// CRDs from `--crd-paths`.
    pub crds: Vec<Value>,
    /// `-n`: only this namespace's resources.
    pub namespace: Option<String>,
    /// Whether resources keep their document's text (the CI formats find the lines of fields
    /// in it); otherwise it is dropped as soon as the document is parsed.
    pub keep_text: bool,
}

impl Prepare {
    /// Prepares resources; those `-n` leaves out are dropped.
    pub fn apply(&self, resources: &mut Vec<Value>) {
        resources.iter_mut().for_each(resources::default_namespace);
        if !self.crds.is_empty() {
            resources::apply_crd_scopes(resources, &self.crds);
        }
        if let Some(ns) = &self.namespace {
            resources.retain(|r| resources::namespace_of(r) == ns);
        }
    }
}

/// Parses a unit: its resources, prepared, with their origins; `Err(file)` when the file must
/// be read whole (a document that does not parse, or is not a resource).
pub fn parse(unit: Unit, inputs: &Inputs, prepare: &Prepare) -> Result<Vec<Sourced>, usize> {
    let (file, docs) = match unit {
        Unit::Whole { file } => return Err(file),
        Unit::Documents { file, docs } => (file, docs),
    };
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let values = yaml::parse_values(&doc.text).map_err(|_| file)?;
        let mut found = Vec::new();
        for value in values {
            found.extend(document_resources(value).ok_or(file)?);
        }
        prepare.apply(&mut found);
        if found.is_empty() {
            continue;
        }
        let origin = Arc::new(Origin {
            file: Arc::clone(inputs.name(file)),
            first_line: doc.first_line,
            text: if prepare.keep_text {
                doc.text
            } else {
                String::new()
            },
        });
        out.extend(found.into_iter().map(|value| Sourced {
            value,
            origin: Some(Arc::clone(&origin)),
        }));
    }
    Ok(out)
}
