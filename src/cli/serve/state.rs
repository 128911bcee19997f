//! What `rampart serve` answers with: the engine compiled from the policy files, the namespace
//! labels, and the Pod Security Admission settings; loaded at start, and again whenever one of
//! its files changes. A load that fails keeps the running state and is reported (in the logs
//! and at `/readyz`), so a bad edit never takes the webhook down.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use rampart::podsecurity::admission::{Admission, Config};
use rampart::source::{self, Input};
use rampart::{Engine, Loader, SourceMap};

use super::super::cluster::OfflineCluster;
use super::super::{Output, resources};

/// The inputs a state is loaded from.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Policy (and PolicyException) paths, `stdlib:` included.
    pub policies: Vec<String>,
    /// Files of Namespace objects, whose labels `namespaceSelector` and `/psa` read.
    pub namespaces: Vec<String>,
    /// `/psa` denies pod controllers whose template would be denied (PSA only warns).
    pub enforce_controllers: bool,
}

/// One loaded generation of policies and cluster data.
pub struct State {
    /// The policies without `webhookConfiguration.matchConditions`, compiled (`/validate`,
    /// `/mutate`).
    pub engine: Engine,
    /// Each policy with `matchConditions`, alone, by key (`name`, `namespace/name`): the API
    /// server checks its conditions and calls its own route (`/validate/policy/<key>`).
    pub gated: Vec<(String, Engine)>,
    /// Namespace labels (for `namespaceSelector` and `/psa`).
    pub cluster: OfflineCluster,
    /// Pod Security Admission, for `/psa`.
    pub psa: Admission,
    /// 1 for the first load, one more for each reload that succeeded.
    pub generation: u64,
}

/// The live state, and what the last load attempt said.
pub struct Live {
    inputs: Inputs,
    state: RwLock<Option<Arc<State>>>,
    /// The files read and their modification times, to notice changes.
    stamps: RwLock<Vec<(PathBuf, Option<SystemTime>)>>,
    /// The diagnostics of the last load that failed, cleared by one that succeeds.
    pub last_error: RwLock<Option<String>>,
}

impl Live {
    /// A live state with nothing loaded yet.
    pub fn new(inputs: Inputs) -> Self {
        Live {
            inputs,
            state: RwLock::new(None),
            stamps: RwLock::new(Vec::new()),
            last_error: RwLock::new(None),
        }
    }

    /// The state in force, if one was loaded.
    pub fn current(&self) -> Option<Arc<State>> {
        self.state.read().ok().and_then(|s| s.clone())
    }

    /// Loads (or reloads) the state; on failure the state in force stays, and the error is
    /// returned and kept for `/readyz`.
    pub fn load(&self) -> Result<u64, String> {
        let stamps = self.file_stamps();
        let generation = self.current().map_or(0, |s| s.generation) + 1;
        let loaded = load(&self.inputs, generation);
        if let Ok(mut s) = self.stamps.write() {
            *s = stamps;
        }
        match loaded {
            Ok(state) => {
                if let Ok(mut slot) = self.state.write() {
                    *slot = Some(Arc::new(state));
                }
                if let Ok(mut e) = self.last_error.write() {
                    *e = None;
                }
                Ok(generation)
            }
            Err(error) => {
                if let Ok(mut e) = self.last_error.write() {
                    *e = Some(error.clone());
                }
                Err(error)
            }
        }
    }

    /// Whether a file read by the last load changed (or a file appeared or went away).
    pub fn changed(&self) -> bool {
        let now = self.file_stamps();
        self.stamps.read().map_or(true, |s| *s != now)
    }

    fn file_stamps(&self) -> Vec<(PathBuf, Option<SystemTime>)> {
        let mut paths: Vec<String> = self.inputs.policies.clone();
        paths.extend(self.inputs.namespaces.iter().cloned());
        let mut out = Vec::new();
        for path in paths {
            match source::expand(std::slice::from_ref(&path)) {
                Ok(inputs) => {
                    for input in inputs {
                        if let Input::File(file) = input {
                            let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
                            out.push((file, modified));
                        }
                    }
                }
                Err(_) => out.push((PathBuf::from(path), None)),
            }
        }
        out
    }
}

/// Loads a state: policies that fail to load are an error (with their diagnostics).
fn load(inputs: &Inputs, generation: u64) -> Result<State, String> {
    let mut loader = Loader::new();
    let added = loader.add_paths(&inputs.policies);
    let rendered = loader.render_diagnostics(false);
    if let Err(e) = added {
        return Err(format!("failed to load policies ({e})"));
    }
    if loader.has_errors() || !loader.invalid().is_empty() {
        let names: Vec<String> = loader
            .invalid()
            .iter()
            .map(|p| format!("{}: {}", p.name, p.reason))
            .collect();
        return Err(format!(
            "invalid policies: {}\n{rendered}",
            names.join("; ")
        ));
    }
    let mut sources = SourceMap::new();
    let mut out = Output::default();
    let namespace_docs = match inputs.namespaces.is_empty() {
        true => Vec::new(),
        false => resources::load(&inputs.namespaces, &mut sources, &mut out)
            .ok_or_else(|| format!("cannot read the namespaces: {}", out.stderr.trim()))?,
    };
    if !out.stderr.is_empty() {
        return Err(format!("cannot read the namespaces: {}", out.stderr.trim()));
    }
    let namespaces = resources::namespace_labels(&namespace_docs);
    let all = loader.engine();
    let gated = all
        .policies()
        .filter(|p| p.has_match_conditions())
        .map(|p| {
            let key = p.key();
            let engine = all.retain(|q| q.key() == key);
            (key, engine)
        })
        .collect();
    Ok(State {
        engine: all.retain(|p| !p.has_match_conditions()),
        gated,
        cluster: OfflineCluster::with_namespaces(namespaces),
        psa: Admission {
            config: Config::default(),
            enforce_controllers: inputs.enforce_controllers,
        },
        generation,
    })
}
