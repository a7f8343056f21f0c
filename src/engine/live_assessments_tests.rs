//! Live assessments on the simulated organisation: one read per resource however many findings name it, each
//! finding its own live verdict and plan, the newest copy of a finding wins with its own assessment, and an
//! unreadable resource is an error for each finding about it.

use super::*;
use crate::cloud::sim::SimOrg;
use crate::cloud::Resources;
use crate::config::Config;
use crate::model::Finding;
use crate::playbook::BucketParts;
use chrono::{DateTime, Duration, Utc};

fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z").expect("time").with_timezone(&Utc)
}

struct Bed {
    org: SimOrg,
    triage: Arc<Triage>,
    /// Open findings with a playbook, from every source.
    planned: Vec<Finding>,
}

fn bed() -> Bed {
    let org = SimOrg::new(7, anchor());
    let triage = crate::session::triage(&Config::default()).expect("default config");
    let planned = crate::cloud::FindingSource::sources(&org)
        .iter()
        .flat_map(|source| org.findings(source, false))
        .filter(|f| triage.snapshot_plan(f) != PlanStatus::NoPlaybook)
        .collect();
    Bed { org, triage, planned }
}

impl Bed {
    fn row(&self, finding: &Finding) -> Row {
        Row::from_snapshot(finding.clone(), &self.triage, Utc::now())
    }

    fn assessments(&self) -> LiveAssessments {
        LiveAssessments::new(Some(Arc::new(self.org.clone())), self.triage.clone())
    }

    /// The assessment from a read of the finding's resource made here, apart from the ones under test.
    async fn expected(&self, finding: &Finding) -> Assessment {
        let resource = finding.primary_resource().expect("resource");
        let state = self.org.read_state(&finding.account_id, &finding.region, resource).await.expect("readable");
        self.triage.assess(finding, Some(&state), Utc::now())
    }

    /// How many reads the findings need: one per resource, and of a bucket one per part its findings look at.
    fn reads_needed(&self, findings: &[&Finding]) -> usize {
        let mut parts: std::collections::HashMap<(&str, &str, &str), BucketParts> = Default::default();
        for f in findings {
            let resource = f.primary_resource().expect("resource");
            let needed = match &*resource.kind {
                "AwsS3Bucket" => self.triage.bucket_parts(f),
                _ => BucketParts::ALL,
            };
            let held = parts.entry((&f.account_id, &f.region, &resource.id)).or_default();
            *held = held.and(needed);
        }
        parts.values().map(|p| p.each().count()).sum()
    }

    /// A finding about a bucket, and another about a different bucket of the same source.
    fn two_buckets(&self) -> (Finding, Finding) {
        let buckets: Vec<&Finding> =
            self.planned.iter().filter(|f| f.primary_resource().is_some_and(|r| *r.kind == *"AwsS3Bucket")).collect();
        let first = buckets.first().expect("a bucket finding");
        let other = buckets
            .iter()
            .find(|f| {
                (&f.account_id, &f.region) == (&first.account_id, &first.region)
                    && f.primary_resource().map(|r| &r.id) != first.primary_resource().map(|r| &r.id)
            })
            .expect("a finding about another bucket of the same source");
        ((*first).clone(), (*other).clone())
    }
}

/// The same finding under another id: another control's finding about the same resource, as far as reads go.
fn another(finding: &Finding, n: usize) -> Finding {
    let mut f = finding.clone();
    f.id = format!("{}/copy-{n}", f.id).into();
    f
}

#[tokio::test]
async fn findings_about_one_resource_share_one_read_and_each_gets_its_live_plan() {
    let bed = bed();
    let (bucket, other) = bed.two_buckets();
    let about_bucket: Vec<Finding> =
        std::iter::once(bucket.clone()).chain((1..4).map(|n| another(&bucket, n))).collect();
    let mut live = bed.assessments();
    for f in about_bucket.iter().chain([&other]) {
        live.add(bed.row(f), true);
    }
    let (rows, errors, assessed) = live.finish().await;
    let all: Vec<&Finding> = about_bucket.iter().chain([&other]).collect();
    assert_eq!(
        bed.org.call_count("ReadState"),
        bed.reads_needed(&all),
        "one read per resource (of a bucket, per part): the shared bucket and the other"
    );
    assert_eq!((rows.len(), assessed), (5, 5));
    assert!(errors.iter().all(Option::is_none), "{errors:?}");
    for (row, f) in rows.iter().zip(about_bucket.iter().chain([&other])) {
        assert_eq!(&*row.finding.id, &*f.id, "rows keep the order first seen");
        let expected = bed.expected(f).await;
        assert_eq!((&row.decision, row.plan()), (&expected.decision, &expected.plan), "{}", f.id);
        if let PlanStatus::Planned(plan) = row.plan() {
            assert_eq!(plan.basis, crate::playbook::Basis::Live, "{}", f.id);
        }
    }
}

#[tokio::test]
async fn a_newer_copy_of_a_finding_ends_with_its_own_assessment_whichever_arrives_first() {
    let bed = bed();
    let (old, about_other) = bed.two_buckets();
    // The same finding, updated later, now naming the other bucket.
    let mut new = about_other.clone();
    new.id = old.id.clone();
    new.product_arn = old.product_arn.clone();
    new.updated_at = Some(old.updated_at.unwrap_or_else(anchor) + Duration::hours(1));
    let expected = bed.expected(&new).await;
    for order in [[&old, &new], [&new, &old]] {
        let mut live = bed.assessments();
        for f in order {
            live.add(bed.row(f), true);
        }
        let (rows, errors, _) = live.finish().await;
        assert_eq!(rows.len(), 1, "one finding, listed once");
        assert_eq!(errors, vec![None]);
        assert_eq!(rows[0].finding.updated_at, new.updated_at, "the newest copy");
        assert_eq!((&rows[0].decision, rows[0].plan()), (&expected.decision, &expected.plan));
    }
}

#[tokio::test]
async fn a_resource_that_cannot_be_read_is_an_error_for_each_finding_about_it() {
    let bed = bed();
    let (bucket, _) = bed.two_buckets();
    let mut gone = bucket.clone();
    gone.resources[0].id = "arn:aws:s3:::hubtriage-no-such-bucket".into();
    let mut live = bed.assessments();
    live.add(bed.row(&gone), true);
    live.add(bed.row(&another(&gone, 1)), true);
    let (rows, errors, assessed) = live.finish().await;
    assert_eq!(bed.org.call_count("ReadState"), bed.reads_needed(&[&gone]), "each part once, for both findings");
    assert_eq!((rows.len(), assessed), (2, 2));
    for (row, error) in rows.iter().zip(&errors) {
        let error = error.as_deref().unwrap_or_else(|| panic!("{} has no error", row.finding.id));
        assert!(error.starts_with("live state unavailable, plan from the finding's snapshot: reading"), "{error}");
        assert!(error.contains("hubtriage-no-such-bucket"), "{error}");
        assert_eq!(row.plan(), &bed.triage.snapshot_plan(&row.finding), "the snapshot plan stays");
    }
}

#[tokio::test]
async fn findings_the_command_does_not_want_are_neither_read_nor_listed() {
    let bed = bed();
    let (bucket, other) = bed.two_buckets();
    let mut live = bed.assessments();
    live.add(bed.row(&bucket), false);
    live.add(bed.row(&other), true);
    let (rows, _, assessed) = live.finish().await;
    assert_eq!(bed.org.call_count("ReadState"), bed.reads_needed(&[&other]));
    assert_eq!(assessed, 1);
    assert_eq!(rows.iter().map(|r| &*r.finding.id).collect::<Vec<_>>(), vec![&*other.id]);
}

#[tokio::test]
async fn without_resources_rows_keep_their_snapshot_assessment() {
    let bed = bed();
    let (bucket, _) = bed.two_buckets();
    let mut live = LiveAssessments::new(None, bed.triage.clone());
    live.add(bed.row(&bucket), true);
    let (rows, errors, assessed) = live.finish().await;
    assert_eq!((rows.len(), assessed, bed.org.call_count("ReadState")), (1, 0, 0));
    assert_eq!(errors, vec![None]);
    assert_eq!(rows[0].plan(), &bed.triage.snapshot_plan(&bucket));
}

#[tokio::test]
async fn findings_whose_keys_hash_alike_stay_apart_and_copies_of_each_still_replace_it() {
    let bed = bed();
    let (bucket, other) = bed.two_buckets();
    let mut newer = bucket.clone();
    newer.updated_at = Some(bucket.updated_at.unwrap_or_else(anchor) + Duration::hours(1));
    newer.title = "updated".into();
    let mut live = LiveAssessments::new(None, bed.triage.clone());
    live.hash_of = |_, _| 7;
    for f in [&bucket, &other, &another(&bucket, 1), &newer, &another(&other, 2)] {
        live.add(bed.row(f), true);
    }
    let (rows, ..) = live.finish().await;
    let ids: Vec<&str> = rows.iter().map(|r| &*r.finding.id).collect();
    let expected = [&*bucket.id, &*other.id, &*another(&bucket, 1).id, &*another(&other, 2).id];
    assert_eq!(ids, expected, "every key once, in the order first seen");
    assert_eq!(&*rows[0].finding.title, "updated", "the newer copy replaced the first one");
}
