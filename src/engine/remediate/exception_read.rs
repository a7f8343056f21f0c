//! Reading an excepted resource's tags: through its state reader, or, for types without one, through the
//! tagged-resource listing; and re-reading them until they show a change, with growing waits.

use super::{Job, Remediator};
use crate::cloud::CloudError;
use crate::engine::exceptions::short_id;
use crate::engine::jobs::JobState;
use crate::model::sanitize::single_line;
use crate::playbook::ResourceState;
use std::collections::BTreeMap;
use std::time::Duration;

pub(super) type Tags = BTreeMap<String, String>;

/// What the tags must show after a change.
pub(super) enum Expect {
    /// These tags with these values.
    Present(Tags),
    /// None of these keys.
    Absent(Vec<String>),
}

impl Remediator {
    /// The resource's tags, and its state when the type has a state reader; otherwise from the tagged-resource
    /// listing (a resource not listed carries no reason tag).
    pub(super) async fn read_tags(&self, job: &Job) -> Result<(Tags, Option<ResourceState>), CloudError> {
        match self.resources.read_state(&job.account_id, &job.region, &job.resource).await {
            Ok(state) => Ok((state.tags().clone(), Some(state))),
            Err(CloudError::Unsupported(_)) => {
                let reason_tag = &self.settings.exceptions.tags.reason_tag;
                let listed = self.resources.list_tagged(&job.account_id, &job.region, reason_tag).await?;
                let short = short_id(&job.resource.id);
                let found =
                    listed.into_iter().find(|r| r.resource_id == job.resource.id || short_id(&r.resource_id) == short);
                Ok((found.map(|r| r.tags).unwrap_or_default(), None))
            }
            Err(e) => Err(e),
        }
    }

    /// Re-reads the tags with growing waits until they show `expect`; the state read back when there is one.
    pub(super) async fn verify_tags(&self, job: &Job, expect: &Expect) -> Result<Option<ResourceState>, String> {
        let settings = &self.settings.remediation;
        let attempts = settings.verify_attempts.max(1);
        let mut delay = Duration::from_millis(settings.verify_first_delay_ms);
        let mut last = String::from("not read");
        for attempt in 1..=attempts {
            tokio::time::sleep(delay).await;
            job.update(&JobState::Verifying { attempt, of: attempts });
            match self.read_tags(job).await {
                Ok((tags, state)) if shows(&tags, expect) => return Ok(state),
                Ok((tags, _)) => last = format!("the tags read back were {}", describe(&tags)),
                Err(e) => last = format!("reading them failed: {e}"),
            }
            delay = (delay * 2).min(Duration::from_millis(settings.verify_max_delay_ms));
        }
        Err(format!("not verified after {attempts} re-read(s): {last}"))
    }
}

/// Whether the tags show what was asked.
fn shows(tags: &Tags, expect: &Expect) -> bool {
    match expect {
        Expect::Present(wanted) => wanted.iter().all(|(k, v)| tags.get(k) == Some(v)),
        Expect::Absent(keys) => keys.iter().all(|k| !tags.contains_key(k)),
    }
}

/// Tags in words, `k=v, …`, sanitized and bounded.
pub(super) fn describe(tags: &Tags) -> String {
    if tags.is_empty() {
        return "none".into();
    }
    let text = tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
    single_line(&text).chars().take(1000).collect()
}
