//! `apply --plan`'s checks: the whole file against this run (organisation, endpoint, age, policy), then each plan
//! against the live finding and the live state. Only a plan whose verdict, fingerprint and calls are exactly what
//! the live state gives now goes ahead, and the job re-reads the resource under its lease and checks once more.

use super::plan_file::{FilePlan, PlanDocument, PlanScope, PlannedFinding};
use crate::engine::Row;
use crate::model::sanitize::single_line;
use crate::playbook::{Plan, Playbooks};
use crate::triage::PlanStatus;
use chrono::{DateTime, Duration, Utc};

/// How far a plan file's time may lie ahead of this machine's clock (clock skew between machines).
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// This run, as a plan file is checked against it.
#[derive(Debug, Clone)]
pub struct ApplyContext {
    pub scope: PlanScope,
    pub policy_digest: String,
    pub now: DateTime<Utc>,
    pub max_age: std::time::Duration,
}

/// Refuses the whole file when it was made offline, against another organisation or endpoint, too long ago (or in
/// the future), or under another policy.
pub fn check_document(document: &PlanDocument, context: &ApplyContext) -> Result<(), String> {
    let (made, here) = (&document.scope, &context.scope);
    if made.source == "findings-file" {
        return Err(
            "it was made offline from a findings file, so no plan in it was computed from the accounts' state: \
                    make the plan against the accounts to apply it"
                .into(),
        );
    }
    if made != here {
        return Err(format!(
            "it was made against {} (account {}, endpoint {}); this run is against {} (account {}, endpoint {})",
            made.source,
            single_line(&made.account),
            single_line(&made.endpoint),
            here.source,
            here.account,
            here.endpoint
        ));
    }
    let age = context.now - document.created_at;
    let max_age = Duration::from_std(context.max_age).unwrap_or(Duration::hours(24));
    if age > max_age {
        return Err(format!(
            "it was made {} ago ({}), longer ago than review.max_plan_age ({}): plan again and review the new plan",
            describe(age),
            document.created_at.to_rfc3339(),
            describe(max_age)
        ));
    }
    if -age > CLOCK_SKEW {
        return Err(format!("it says it was made at {}, in the future", document.created_at.to_rfc3339()));
    }
    if document.policy_digest != context.policy_digest {
        return Err(format!(
            "the policy changed since it was made (policy digest {}, now {}): its verdicts were reviewed under \
             another policy; plan again and review the new plan",
            single_line(&document.policy_digest),
            context.policy_digest
        ));
    }
    Ok(())
}

/// What to do with one plan of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanCheck {
    /// Apply exactly this plan.
    Apply(Plan),
    /// Refused: the reason, with the difference between the file and the live state.
    Refuse(String),
    /// Nothing to do any more: the resource already is in the desired state.
    NothingToDo(String),
}

/// Checks one applicable entry of the file against the live finding (`None`: no longer among the open findings)
/// and the problem met reading its resource, if any.
pub fn check_plan(
    entry: &PlannedFinding,
    planned: &FilePlan,
    live: Option<&Row>,
    live_error: Option<&str>,
    playbooks: &Playbooks,
) -> PlanCheck {
    let Some(row) = live else {
        return PlanCheck::Refuse(
            "the finding is no longer among the open findings (resolved, suppressed or archived since the plan was \
             made)"
                .into(),
        );
    };
    if let Some(e) = live_error {
        return PlanCheck::Refuse(format!(
            "its resource could not be read, so nothing was checked: {}",
            single_line(e)
        ));
    }
    let decision = &row.decision;
    if decision.verdict != entry.verdict {
        return PlanCheck::Refuse(format!(
            "the verdict changed: the plan was reviewed as {} ({}); it is {} now ({})",
            entry.verdict,
            single_line(&entry.reason),
            decision.verdict,
            single_line(&decision.reason)
        ));
    }
    let live_plan = match row.plan() {
        PlanStatus::Planned(plan) => plan,
        PlanStatus::AlreadyCompliant(why) => return PlanCheck::NothingToDo(single_line(why)),
        PlanStatus::Unavailable(why) => return PlanCheck::Refuse(format!("no plan now: {}", single_line(why))),
        PlanStatus::NoPlaybook => return PlanCheck::Refuse("no playbook handles this finding now".into()),
    };
    if live_plan.fingerprint != planned.fingerprint || live_plan.changes != planned.changes {
        return PlanCheck::Refuse(difference(planned, live_plan));
    }
    match planned.to_plan(playbooks) {
        Some(plan) => PlanCheck::Apply(plan),
        None => PlanCheck::Refuse(format!("this hubtriage has no playbook {:?}", single_line(&planned.playbook))),
    }
}

/// "The resource changed since the plan was made", with each step as planned and as it is now.
fn difference(planned: &FilePlan, now: &Plan) -> String {
    let mut text = format!(
        "the resource changed since the plan was made (state fingerprint {} then, {} now); nothing was changed:",
        single_line(&planned.fingerprint),
        now.fingerprint
    );
    let steps = |plan_steps: &[crate::playbook::Step]| -> Vec<String> {
        plan_steps
            .iter()
            .map(|s| format!("{}: {} → {}", single_line(&s.action), single_line(&s.before), single_line(&s.after)))
            .collect()
    };
    let (then, live) = (steps(&planned.steps), steps(&now.steps));
    for step in then.iter().filter(|s| !live.contains(s)) {
        text.push_str(&format!("\n    planned:  {step}"));
    }
    for step in live.iter().filter(|s| !then.contains(s)) {
        text.push_str(&format!("\n    now:      {step}"));
    }
    if then == live {
        text.push_str("\n    the steps read the same; the calls or the state behind them differ");
    }
    text
}

/// "26 h", "3 d 2 h", "45 min".
fn describe(age: Duration) -> String {
    let minutes = age.num_minutes();
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} d {} h", m / 1_440, (m % 1_440) / 60),
    }
}

#[cfg(test)]
#[path = "plan_check_tests.rs"]
mod tests;
