//! `apply`'s progress for a person watching: a bar on standard error, by bytes of input, when
//! standard error is a terminal and the run has lasted half a second; nothing otherwise.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the bar appears.
const DELAY: Duration = Duration::from_millis(500);

/// Progress through the input bytes.
pub struct Progress {
    enabled: bool,
    started: Instant,
    total: u64,
    done: u64,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress through `total` bytes; `enabled` when standard error is a terminal.
    pub fn new(total: u64, enabled: bool) -> Self {
        Progress {
            enabled,
            started: Instant::now(),
            total,
            done: 0,
            bar: None,
        }
    }

    /// Whether the bar is (or may be) shown.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Notes `bytes` more of the input done.
    pub fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= DELAY {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} {bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
            );
            if let Ok(style) = style {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.done.min(self.total));
        }
    }

    /// Removes the bar; the time since the start.
    pub fn finish(&mut self) -> Duration {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.started.elapsed()
    }
}
