//! TLS for `rampart serve`: rustls with the ring provider, TLS 1.2 and 1.3, ALPN `h2` and
//! `http/1.1`, and a serving certificate that is read again when its files change (a renewed
//! certificate is picked up without a restart; a broken one keeps the previous).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use tokio_rustls::rustls::crypto::ring as provider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{self, ServerConfig};

/// The serving certificate in force, and the files it comes from.
#[derive(Debug)]
pub struct Certificate {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    stamps: RwLock<[Option<SystemTime>; 2]>,
}

fn stamp(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Reads a PEM certificate chain and private key.
fn read(cert: &Path, key_file: &Path) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no PEM certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| format!("{}: {e}", key_file.display()))?;
    let signing = provider::sign::any_supported_type(&key)
        .map_err(|e| format!("unsupported private key: {e}"))?;
    let certified = CertifiedKey::new(chain, signing);
    // A key that is not the certificate's (a renewal caught half-written) is refused.
    certified.keys_match().map_err(|e| {
        format!(
            "{} and {} do not match: {e}",
            cert.display(),
            key_file.display()
        )
    })?;
    Ok(certified)
}

impl Certificate {
    /// Loads the certificate and key.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, String> {
        let current = read(cert, key)?;
        Ok(Certificate {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(Arc::new(current)),
            stamps: RwLock::new([stamp(cert), stamp(key)]),
        })
    }

    /// Reads the files again when they changed: `Some(Ok)` when a new certificate is in force,
    /// `Some(Err)` when the new files are unusable (the previous certificate stays).
    pub fn reload_if_changed(&self) -> Option<Result<(), String>> {
        let now = [stamp(&self.cert), stamp(&self.key)];
        if self.stamps.read().is_ok_and(|s| *s == now) {
            return None;
        }
        if let Ok(mut s) = self.stamps.write() {
            *s = now;
        }
        Some(read(&self.cert, &self.key).map(|key| {
            if let Ok(mut current) = self.current.write() {
                *current = Arc::new(key);
            }
        }))
    }
}

impl ResolvesServerCert for Certificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| Arc::clone(&c))
    }
}

/// The server configuration: TLS 1.2 and up, HTTP/2 and HTTP/1.1.
pub fn server_config(certificate: Arc<Certificate>) -> Result<ServerConfig, String> {
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(certificate);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
