//! Text that a command writes after something it only knows at the end (`apply` prints the
//! number of resources before their results): kept in memory up to a limit, then in an
//! anonymous temporary file, so that memory stays flat however long the output. A spool can
//! be cut back to an earlier length (the results of an input file that turns out unreadable).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

/// How much text stays in memory before the spool moves to a temporary file.
const MEMORY_LIMIT: usize = 4 << 20;

/// An append-only text buffer that spills to a temporary file.
#[derive(Debug, Default)]
pub struct Spool {
    memory: Vec<u8>,
    file: Option<File>,
    len: u64,
}

impl Spool {
    /// Appends text.
    pub fn push(&mut self, text: &str) -> io::Result<()> {
        self.len += text.len() as u64;
        if let Some(file) = &mut self.file {
            return file.write_all(text.as_bytes());
        }
        self.memory.extend_from_slice(text.as_bytes());
        if self.memory.len() > MEMORY_LIMIT {
            let mut file = tempfile::tempfile()?;
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        Ok(())
    }

    /// The length written so far, in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Cuts the spool back to `len` bytes (a length it had before).
    pub fn truncate(&mut self, len: u64) -> io::Result<()> {
        if len >= self.len {
            return Ok(());
        }
        self.len = len;
        match &mut self.file {
            Some(file) => {
                file.set_len(len)?;
                file.seek(SeekFrom::Start(len)).map(drop)
            }
            None => {
                self.memory
                    .truncate(usize::try_from(len).unwrap_or(usize::MAX));
                Ok(())
            }
        }
    }

    /// Writes everything spooled to `out`, and empties the spool.
    pub fn drain_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.flush()?;
            file.seek(SeekFrom::Start(0))?;
            io::copy(&mut file, out)?;
        } else {
            out.write_all(&self.memory)?;
            self.memory = Vec::new();
        }
        self.len = 0;
        Ok(())
    }

    /// Everything spooled, as text (for outputs captured in memory).
    pub fn into_string(mut self) -> io::Result<String> {
        let mut bytes = Vec::new();
        self.drain_to(&mut bytes)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// Reads a whole spool back (used by tests of what spilled to the file).
#[cfg(test)]
fn read_all(spool: &mut Spool) -> String {
    let mut out = Vec::new();
    let _ = spool.drain_to(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_in_memory_then_in_a_file_and_cuts_back() {
        let mut spool = Spool::default();
        spool.push("a\n").unwrap_or_default();
        let mark = spool.len();
        spool.push("b\n").unwrap_or_default();
        spool.truncate(mark).unwrap_or_default();
        assert_eq!(read_all(&mut spool), "a\n");

        let line = "x".repeat(1000) + "\n";
        let mut spool = Spool::default();
        for _ in 0..5000 {
            spool.push(&line).unwrap_or_default();
        }
        assert!(spool.file.is_some(), "past the limit the spool is a file");
        let mark = spool.len();
        spool.push("dropped\n").unwrap_or_default();
        spool.truncate(mark).unwrap_or_default();
        spool.push("kept\n").unwrap_or_default();
        let text = read_all(&mut spool);
        assert_eq!(text.len(), 5000 * line.len() + 5);
        assert!(text.ends_with("x\nkept\n"));
    }
}
