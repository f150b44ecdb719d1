//! Whether the API server is still there, shared by the fleet's three watches. kube-runtime
//! does not surface bookmarks, so a quiet fleet and a stalled server look alike until asked,
//! and each question is a request. The three watches talk to one server, so any event heard
//! by one stands for all, and one question per quiet spell answers for the three: a quiet
//! fleet costs one request per `QUIET`, not three. (An answer never proved a watch's own
//! connection alive; a dead one ends in that watch's error.)
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;

/// Silence after which the watches ask whether the server is still there: this sets the idle
/// request rate against how soon a silent stall shows.
pub const QUIET: Duration = Duration::from_secs(15);

/// What a watch that has been silent for a while should do.
#[derive(Debug, PartialEq)]
pub enum Silence {
    /// The server was heard within `QUIET` (by another watch): wait on.
    Heard,
    /// Another watch is asking right now: look again shortly.
    Asking,
    /// Another watch asked and got no answer: this one is as stale, since the given time.
    Unanswered(Timestamp),
    /// Ask, then report with [`Liveness::answered`]; the time is when the server was last heard.
    Ask(Timestamp),
}

#[derive(Clone)]
pub struct Liveness(Arc<Mutex<Heard>>);

struct Heard {
    at: Instant,
    when: Timestamp,
    asking: bool,
    /// A question failed since the server was last heard.
    unanswered: bool,
}

impl Default for Liveness {
    fn default() -> Self {
        let heard =
            Heard { at: Instant::now(), when: Timestamp::now(), asking: false, unanswered: false };
        Self(Arc::new(Mutex::new(heard)))
    }
}

impl Liveness {
    fn lock(&self) -> std::sync::MutexGuard<'_, Heard> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A watch heard from the server (an event, a refusal, an answer).
    pub fn heard(&self) {
        let mut h = self.lock();
        h.at = Instant::now();
        h.when = Timestamp::now();
        h.unanswered = false;
    }

    /// When the server was last heard: what a watch that fails is stale since.
    pub fn last_heard(&self) -> Timestamp {
        self.lock().when
    }

    /// How long a watch that is not stale waits for its next event before it calls
    /// [`Liveness::silence`]: until `QUIET` after the server was last heard, and at least
    /// `floor` (so a watch waiting on another's question looks again soon, not at once).
    pub fn wait(&self, floor: Duration) -> Duration {
        QUIET.saturating_sub(self.lock().at.elapsed()).max(floor)
    }

    pub fn silence(&self) -> Silence {
        let mut h = self.lock();
        if h.at.elapsed() < QUIET {
            Silence::Heard
        } else if h.unanswered {
            Silence::Unanswered(h.when)
        } else if h.asking {
            Silence::Asking
        } else {
            h.asking = true;
            Silence::Ask(h.when)
        }
    }

    /// The answer to the question [`Silence::Ask`] asked for.
    pub fn answered(&self, answered: bool) {
        if answered {
            self.heard();
        }
        let mut h = self.lock();
        h.asking = false;
        h.unanswered = !answered;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet_for_long() -> Liveness {
        let l = Liveness::default();
        l.lock().at = Instant::now() - QUIET - Duration::from_secs(1);
        l
    }

    #[test]
    fn one_watch_asks_and_the_others_take_its_answer() {
        let l = quiet_for_long();
        assert!(matches!(l.silence(), Silence::Ask(_)));
        // The second and third watch, while the question is out.
        assert_eq!(l.silence(), Silence::Asking);
        assert_eq!(l.silence(), Silence::Asking);
        l.answered(true);
        assert!(matches!(l.silence(), Silence::Heard));
        assert!(l.wait(Duration::from_secs(1)) > QUIET - Duration::from_secs(1));
    }

    #[test]
    fn an_unanswered_question_makes_every_silent_watch_stale_until_the_server_is_heard() {
        let l = quiet_for_long();
        let Silence::Ask(last) = l.silence() else { panic!("should ask") };
        l.answered(false);
        assert_eq!(l.silence(), Silence::Unanswered(last));
        assert_eq!(l.silence(), Silence::Unanswered(last));
        // A stale watch's own question is answered, or an event comes.
        l.heard();
        assert!(matches!(l.silence(), Silence::Heard));
    }

    #[test]
    fn a_watch_waits_until_quiet_after_the_last_event_any_watch_heard() {
        let l = Liveness::default();
        l.lock().at = Instant::now() - Duration::from_secs(10);
        let w = l.wait(Duration::from_secs(1));
        assert!(
            w <= QUIET - Duration::from_secs(10) && w > QUIET - Duration::from_secs(11),
            "{w:?}"
        );
        l.lock().at = Instant::now() - QUIET * 2;
        assert_eq!(l.wait(Duration::from_secs(1)), Duration::from_secs(1));
    }
}
