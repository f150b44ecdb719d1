//! What the benchmarks share: a terminal that counts its bytes, and the process's memory.
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A terminal that counts what is written to it.
#[derive(Clone, Default)]
pub struct Sink(pub Arc<Mutex<usize>>);

impl Sink {
    pub fn bytes(&self) -> usize {
        *self.0.lock().unwrap()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// This process's resident memory (VmRSS), in KiB; 0 where /proc cannot be read.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
