//! `x`: the exception form (reason, expiry, owner), and what `x` and `X` act on. Input is checked with
//! `engine::exceptions::validate` before anything leaves, and the error is shown under the field it names; what is
//! confirmed leaves as `Effect::Exception`.

use super::app::{App, Effect, View};
use super::dialog::{Dialog, PROD_CLASS};
use super::exceptions::status_word;
use super::keys::{lookup, Action, Key, EXCEPTION_CONFIRM, EXCEPTION_FORM};
use super::remediation::resource_region;
use crate::engine::exceptions::{validate, ExceptionEntry, ExceptionInput, ExceptionOp};
use crate::model::{Finding, ResourceRef};
use crate::policy::exception::ExceptionTag;
use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// What `x` and `X` say when there is no live access.
pub const EXCEPTIONS_NEED_LIVE_ACCESS: &str =
    "exceptions need live access to the accounts: not available offline (--findings)";

/// The resource an exception is put on or removed from.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionTarget {
    pub account_id: String,
    /// Where the resource lives (global S3 findings carry it on the resource).
    pub region: String,
    pub resource: ResourceRef,
}

impl ExceptionTarget {
    /// The primary resource of a finding; `None` when it names none.
    pub fn of_finding(finding: &Finding) -> Option<Self> {
        let resource = finding.primary_resource()?.clone();
        Some(Self { account_id: finding.account_id.clone(), region: resource_region(finding).to_string(), resource })
    }

    /// The resource of an entry of the Exceptions view.
    pub fn of_entry(entry: &ExceptionEntry) -> Self {
        let resource = ResourceRef {
            kind: entry.resource_type.clone(),
            id: entry.resource_id.clone(),
            region: Some(entry.region.clone()),
            tags: BTreeMap::new(),
            details: None,
        };
        Self { account_id: entry.account_id.clone(), region: entry.region.clone(), resource }
    }
}

/// A field of the exception form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionField {
    Reason,
    Expires,
    Owner,
    Controls,
}

impl ExceptionField {
    /// The prefix of `validate`'s errors about this field.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Reason => "reason:",
            Self::Expires => "expires:",
            Self::Owner => "owner:",
            Self::Controls => "controls:",
        }
    }

    fn next(self) -> Self {
        match self {
            Self::Reason => Self::Expires,
            Self::Expires => Self::Owner,
            Self::Owner => Self::Controls,
            Self::Controls => Self::Reason,
        }
    }

    fn previous(self) -> Self {
        self.next().next().next()
    }

    /// The field a validation error names, if it names one.
    fn of_error(error: &str) -> Option<Self> {
        [Self::Reason, Self::Expires, Self::Owner, Self::Controls].into_iter().find(|f| error.starts_with(f.prefix()))
    }
}

/// The exception form: add, or renew a valid exception.
#[derive(Debug, Clone)]
pub struct ExceptionDialog {
    pub target: ExceptionTarget,
    pub reason: String,
    pub expires: String,
    pub owner: String,
    /// The controls the exception covers (comma-separated; empty: every control).
    pub controls: String,
    pub focus: ExceptionField,
    /// The valid exception being renewed; `None` when adding one.
    pub current: Option<ExceptionTag>,
    /// The last validation error, shown under the field it names ("resource:" errors above the form).
    pub error: Option<String>,
    /// The account is of class `prod`: valid input waits for a capital `Y`.
    pub prod: bool,
    /// The input is valid and waits for that capital `Y`.
    pub confirming: bool,
    pub read_only: bool,
}

impl ExceptionDialog {
    /// The input as typed.
    pub fn input(&self) -> ExceptionInput {
        ExceptionInput {
            account_id: self.target.account_id.clone(),
            region: self.target.region.clone(),
            resource: self.target.resource.clone(),
            reason: self.reason.clone(),
            expires: self.expires.clone(),
            owner: self.owner.clone(),
            controls: self.controls.clone(),
        }
    }

    /// The error to show under `prefix`'s field (`"resource:"` for the resource line).
    pub fn error_for(&self, prefix: &str) -> Option<&str> {
        self.error.as_deref().filter(|e| e.starts_with(prefix))
    }

    fn field(&mut self, field: ExceptionField) -> &mut String {
        match field {
            ExceptionField::Reason => &mut self.reason,
            ExceptionField::Expires => &mut self.expires,
            ExceptionField::Owner => &mut self.owner,
            ExceptionField::Controls => &mut self.controls,
        }
    }

    /// Typing in a field drops an error about that field; a resource that cannot carry tags stays said.
    fn edited(&mut self) {
        if self.error.as_deref().is_some_and(|e| e.starts_with(self.focus.prefix())) {
            self.error = None;
        }
    }
}

/// The valid exception an entry of the Exceptions view shows.
fn entry_tag(entry: &ExceptionEntry) -> Option<ExceptionTag> {
    let expires = entry.expires.filter(|_| entry.status.applies())?;
    Some(ExceptionTag { reason: entry.reason.clone(), expires, owner: entry.owner.clone(), controls: None })
}

impl App {
    /// What `x` and `X` act on: the selected entry in the Exceptions view, else the selected finding's resource;
    /// with its valid exception, and a note when tags are there but do not apply.
    pub(super) fn exception_subject(&self) -> Result<(ExceptionTarget, Option<ExceptionTag>, Option<String>), String> {
        if self.view == View::Exceptions {
            let entry = self.exception_list.selected_entry().ok_or("no exception selected")?;
            let note = entry_tag(entry).is_none().then(|| format!("'{}' ({})", entry.reason, status_word(entry)));
            return Ok((ExceptionTarget::of_entry(entry), entry_tag(entry), note));
        }
        let row = self.listing.selected_row().ok_or("no finding selected")?;
        let target = ExceptionTarget::of_finding(&row.finding).ok_or("this finding names no resource")?;
        let decision = &row.decision;
        let tagged = target.resource.tags.contains_key(&self.exceptions.tags.reason_tag);
        let note = decision.exception_note.clone().or_else(|| tagged.then(|| "exception tags present".into()));
        Ok((target, decision.exception.as_deref().cloned(), note))
    }

    pub(super) fn is_prod(&self, account_id: &str) -> bool {
        self.account_classes.get(account_id).is_some_and(|c| c == PROD_CLASS)
    }

    /// `x`: the exception form, prefilled from a valid exception (renewal) or with the defaults.
    pub(super) fn start_exception(&mut self) {
        if !self.can_fix {
            self.status_message = Some(EXCEPTIONS_NEED_LIVE_ACCESS.into());
            return;
        }
        let (target, current, _) = match self.exception_subject() {
            Ok(subject) => subject,
            Err(why) => {
                self.status_message = Some(why);
                return;
            }
        };
        // The finding's own control by default: an exception for what was looked at, not for every control.
        let controls = match (&current, self.view) {
            (Some(ExceptionTag { controls: Some(list), .. }), _) => list.join(","),
            (_, View::Exceptions) => String::new(),
            _ => self.listing.selected_row().and_then(|r| r.finding.control_id.clone()).unwrap_or_default(),
        };
        let mut dialog = ExceptionDialog {
            controls,
            prod: self.is_prod(&target.account_id),
            reason: current.as_ref().map(|c| c.reason.clone()).unwrap_or_default(),
            expires: format!("{}d", self.exceptions.default_days),
            owner: current.as_ref().and_then(|c| c.owner.clone()).unwrap_or_else(|| self.operator.clone()),
            focus: ExceptionField::Reason,
            current,
            error: None,
            confirming: false,
            read_only: self.read_only,
            target,
        };
        // A resource that cannot carry tags is said at once, not after the operator typed a reason.
        dialog.error = validate(&dialog.input(), &self.exceptions, &self.operator, Utc::now())
            .err()
            .filter(|e| e.starts_with("resource:"));
        self.dialog = Some(Dialog::Exception(Box::new(dialog)));
    }

    /// A key in the exception form.
    pub(super) fn on_exception_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(Dialog::Exception(d)) = self.dialog.as_mut() else {
            return Vec::new();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if d.confirming {
            match lookup(EXCEPTION_CONFIRM, Key::of(key)) {
                Some(Action::ConfirmProd) => return self.submit_exception(true),
                Some(Action::Cancel) => d.confirming = false,
                _ => self.status_message = Some("a production account is changed: press capital Y to confirm".into()),
            }
            return Vec::new();
        }
        match (lookup(EXCEPTION_FORM, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => {
                self.dialog = None;
                self.status_message = Some("cancelled: nothing changed".into());
            }
            (Some(Action::ClearInput), _) => {
                d.field(d.focus).clear();
                d.edited();
            }
            (Some(Action::NextField), _) => d.focus = d.focus.next(),
            (Some(Action::PreviousField), _) => d.focus = d.focus.previous(),
            (Some(Action::DeleteChar), _) => {
                d.field(d.focus).pop();
                d.edited();
            }
            (Some(Action::Submit), _) => return self.submit_exception(false),
            (None, KeyCode::Char(c)) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                d.field(d.focus).push(c);
                d.edited();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Enter (or the capital `Y` of a production account): validates, then submits unless read-only.
    fn submit_exception(&mut self, confirmed: bool) -> Vec<Effect> {
        let Some(Dialog::Exception(d)) = self.dialog.as_mut() else {
            return Vec::new();
        };
        let input = d.input();
        if let Err(e) = validate(&input, &self.exceptions, &self.operator, Utc::now()) {
            d.focus = ExceptionField::of_error(&e).unwrap_or(d.focus);
            d.error = Some(e);
            d.confirming = false;
            return Vec::new();
        }
        d.error = None;
        if d.read_only {
            self.status_message = Some("read-only mode: nothing will be changed".into());
            return Vec::new();
        }
        if d.prod && !confirmed {
            d.confirming = true;
            return Vec::new();
        }
        let verb = if d.current.is_some() { "renewal" } else { "exception" };
        self.status_message = Some(format!("{verb} on {} submitted: 3 shows the job", input.resource.short_id()));
        self.dialog = None;
        vec![Effect::Exception(Box::new(ExceptionOp::Add(input)))]
    }
}
