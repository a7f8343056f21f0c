//! `X`: the confirmation that removes an exception (only its tags) from the selected finding's resource, or from
//! the selected entry of the Exceptions view; confirmed, it leaves as `Effect::Exception(ExceptionOp::Remove)`.

use super::app::{App, Effect};
use super::dialog::Dialog;
use super::exception_dialog::{ExceptionTarget, EXCEPTIONS_NEED_LIVE_ACCESS};
use crate::engine::exceptions::ExceptionOp;
use crate::policy::exception::ExceptionTag;

/// The removal confirmation.
#[derive(Debug, Clone)]
pub struct RemoveExceptionDialog {
    pub target: ExceptionTarget,
    /// The exception in words: "'reason' (expires 2026-12-01, owner alice)".
    pub what: String,
    /// The account is of class `prod`: confirming needs a capital `Y`.
    pub prod: bool,
    pub read_only: bool,
}

/// "'reason' (expires 2026-12-01, owner alice)".
fn describe(tag: &ExceptionTag) -> String {
    let owner = tag.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
    format!("'{}' (expires {}{owner})", tag.reason, tag.expires.format("%Y-%m-%d"))
}

impl App {
    /// `X`: asks to remove the exception of the selected finding's resource (or the selected entry).
    pub(super) fn start_remove_exception(&mut self) {
        if !self.can_fix {
            self.status_message = Some(EXCEPTIONS_NEED_LIVE_ACCESS.into());
            return;
        }
        let (target, current, note) = match self.exception_subject() {
            Ok(subject) => subject,
            Err(why) => {
                self.status_message = Some(why);
                return;
            }
        };
        let what = match (current.as_ref().map(describe), note) {
            (Some(what), _) | (None, Some(what)) => what,
            (None, None) => {
                self.status_message = Some(format!("no exception on {}: x adds one", target.resource.short_id()));
                return;
            }
        };
        let prod = self.is_prod(&target.account_id);
        self.dialog = Some(Dialog::RemoveException(Box::new(RemoveExceptionDialog {
            target,
            what,
            prod,
            read_only: self.read_only,
        })));
    }

    /// The removal was confirmed.
    pub(super) fn remove_confirmed(&mut self, d: RemoveExceptionDialog) -> Vec<Effect> {
        let t = d.target;
        self.status_message =
            Some(format!("removal of the exception on {} submitted: 3 shows the job", t.resource.short_id()));
        vec![Effect::Exception(Box::new(ExceptionOp::Remove {
            account_id: t.account_id,
            region: t.region,
            resource: t.resource,
        }))]
    }
}
