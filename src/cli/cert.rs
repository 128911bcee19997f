//! `rampart cert`: a self-signed CA and a serving certificate for `rampart serve`, written as
//! PEM files (`ca.crt`, `ca.key`, `tls.crt`, `tls.key`), valid for the webhook Service's DNS
//! names (`<service>.<namespace>.svc` and its shorter forms) and any `--host` given.

use std::path::{Path, PathBuf};

use clap::Args;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use super::{EXIT_OK, EXIT_USAGE, Output};

/// Flags of `rampart cert`.
#[derive(Debug, Args)]
pub struct CertArgs {
    /// The directory to write `ca.crt`, `ca.key`, `tls.crt` and `tls.key` to (created).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// The webhook's Service name.
    #[arg(long, default_value = "rampart")]
    pub service: String,
    /// The webhook's namespace.
    #[arg(long, default_value = "rampart")]
    pub namespace: String,
    /// More DNS names or IP addresses the serving certificate is valid for (repeatable).
    #[arg(long = "host", value_delimiter = ',')]
    pub hosts: Vec<String>,
}

/// The DNS names and addresses the serving certificate covers.
pub fn subject_names(args: &CertArgs) -> Vec<String> {
    let (s, ns) = (&args.service, &args.namespace);
    let mut names = vec![
        format!("{s}.{ns}.svc"),
        format!("{s}.{ns}.svc.cluster.local"),
        format!("{s}.{ns}"),
        s.clone(),
    ];
    names.extend(args.hosts.iter().cloned());
    names
}

/// A CA and a serving pair signed by it, as PEM: (ca.crt, ca.key, tls.crt, tls.key).
pub fn generate(names: Vec<String>) -> Result<[String; 4], rcgen::Error> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "rampart webhook CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let ca_key_pem = ca_key.serialize_pem();
    let issuer = Issuer::new(ca, ca_key);
    let first = names.first().cloned().unwrap_or_default();
    let mut serving = CertificateParams::new(names)?;
    serving.distinguished_name.push(DnType::CommonName, first);
    serving.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate()?;
    let cert = serving.signed_by(&key, &issuer)?;
    Ok([ca_cert.pem(), ca_key_pem, cert.pem(), key.serialize_pem()])
}

/// Runs `cert`.
pub fn run(args: &CertArgs, out: &mut Output) -> i32 {
    let pems = match generate(subject_names(args)) {
        Ok(p) => p,
        Err(e) => {
            out.err(&format!("Error: cannot generate the certificates ({e})\n"));
            return EXIT_USAGE;
        }
    };
    if let Err(e) = write_all(&args.out, &pems) {
        out.err(&format!("Error: {e}\n"));
        return EXIT_USAGE;
    }
    out.out(&format!(
        "wrote ca.crt, ca.key, tls.crt, tls.key to {} (serving names: {})\n",
        args.out.display(),
        subject_names(args).join(", ")
    ));
    EXIT_OK
}

fn write_all(dir: &Path, pems: &[String; 4]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, pem) in ["ca.crt", "ca.key", "tls.crt", "tls.key"].iter().zip(pems) {
        let path = dir.join(name);
        std::fs::write(&path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
