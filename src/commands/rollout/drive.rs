//! `--wait` on the command line: the run is driven by `ops::staged_drive`, its progress printed
//! as the bump's, its end put in the document and turned into the exit code.
use serde_json::json;
use tokio::sync::mpsc;

use super::DriveArgs;
use crate::commands::bump::print_events;
use crate::commands::doc::Doc;
use crate::commands::exit;
use crate::ops::bump::{OpsContext, Step};
use crate::ops::staged_drive::{self, DriveOptions, Ending, StopKind};
use crate::signals::Shutdown;
use okg_domain::bump_plan::Plan;

/// Drive the run of `set`. `first`: a stage already planned and confirmed, to apply before
/// anything else. Returns the exit code; the document holds the record at the end.
pub async fn run(
    ctx: &mut OpsContext,
    doc: &mut Doc,
    set: &str,
    first: Option<(Plan, Step)>,
    args: &DriveArgs,
) -> u8 {
    if ctx.writer.is_none() {
        doc.error("refused", "read-only session: nothing was sent");
        return exit::REFUSED;
    }
    let shutdown = Shutdown::install(|| {});
    ctx.cancel = shutdown.token();
    let (tx, rx) = mpsc::channel(256);
    let printer = tokio::spawn(print_events(rx, doc.json));
    let options = DriveOptions {
        wait: args.wait,
        timeout: args.timeout,
        fail_after: args.fail_after,
        allow_recreate: args.allow_recreate,
        unicode: false,
    };
    let report = staged_drive::drive(ctx, set, first, &options, &tx).await;
    drop(tx);
    let _ = printer.await;
    let code = match &report.ending {
        Ending::Done => {
            doc.set("outcome", json!("done"));
            exit::OK
        }
        Ending::Applied => {
            doc.set("outcome", json!("applied"));
            exit::OK
        }
        Ending::Cancelled => exit::FAILED,
        Ending::Stopped { kind, outcome, why } => {
            doc.error(outcome, why.clone());
            match kind {
                StopKind::Refused => exit::REFUSED,
                StopKind::Failed => exit::FAILED,
                StopKind::Paused => exit::OK,
            }
        }
    };
    let stages: Vec<_> =
        report.stages.iter().map(|(n, r)| json!({"stage": n, "result": r})).collect();
    doc.set("stages", json!(stages));
    if let Some(r) = &report.record {
        doc.set("rollout", super::record_json(r));
    }
    doc.set("cancelled", json!(shutdown.is_cancelled()));
    shutdown.exit_code(code)
}
