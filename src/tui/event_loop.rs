//! The event loop: apply messages with `update`, carry out commands, draw when dirty.
use std::io;
use std::time::Duration;

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::UnboundedReceiver;

use super::io::Io;
use crate::tui::app::msg::{Cmd, Msg};
use crate::tui::app::state::State;
use crate::tui::view::backend::Clipboard;
use crate::tui::view::theme::Theme;

/// At most this many frames per second, however fast the watches report.
pub const FRAME: Duration = Duration::from_millis(33);

/// The loop: apply messages with `update`, carry out commands, and draw at most once per
/// `FRAME`, only when something changed. Bursts are drained before drawing, so a flood of watch
/// events costs one frame.
pub async fn event_loop<B: Backend + Clipboard>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    theme: &Theme,
    rx: &mut UnboundedReceiver<Msg>,
    io: &mut Io,
    mut inputs: impl Stream<Item = Msg> + Unpin,
) -> io::Result<()> {
    let size = terminal.size()?;
    state.update(Msg::Resize { width: size.width, height: size.height });
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_draw = tokio::time::Instant::now() - FRAME;
    let mut inputs_open = true;
    loop {
        if state.dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|f| crate::tui::view::draw(f, state, theme))?;
            state.dirty = false;
            last_draw = tokio::time::Instant::now();
        }
        let next_frame = last_draw + FRAME;
        let mut batch = Vec::new();
        tokio::select! {
            m = rx.recv() => match m {
                Some(m) => {
                    batch.push(m);
                    // Coalesce: take whatever else is already queued.
                    while let Ok(m) = rx.try_recv() {
                        batch.push(m);
                        if batch.len() >= 10_000 { break; }
                    }
                }
                None => return Ok(()),
            },
            m = inputs.next(), if inputs_open => match m {
                Some(m) => batch.push(m),
                None => inputs_open = false,
            },
            _ = tick.tick() => batch.push(Msg::Tick(jiff::Timestamp::now())),
            _ = tokio::time::sleep_until(next_frame), if state.dirty => {}
        }
        for m in batch {
            for cmd in state.update(m) {
                if cmd == Cmd::Quit {
                    return Ok(());
                }
                if let Cmd::Copy(text) = &cmd {
                    terminal.backend_mut().copy(text)?;
                    continue;
                }
                // The terminal was lent: what is on it now is not what was drawn.
                let lent = matches!(cmd, Cmd::Shell { .. } | Cmd::Lend(_));
                io.handle(cmd).await;
                if lent {
                    terminal.clear()?;
                    let size = terminal.size()?;
                    state.update(Msg::Resize { width: size.width, height: size.height });
                    state.dirty = true;
                }
            }
        }
        if state.quit {
            return Ok(());
        }
    }
}
