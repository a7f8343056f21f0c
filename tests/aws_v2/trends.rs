//! `report` on the new Security Hub: open findings over time come from Security Hub's own trend (GetFindingsTrendsV2),
//! not from the store; on Security Hub CSPM they do not.

use super::{hubtriage, ROLE};
use crate::support::ocsf::{s3_8_ocsf, seed};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::Value;

#[test]
fn report_draws_open_findings_over_time_from_security_hubs_own_trend_on_v2() {
    const ACCOUNT: &str = "444444444444";
    const V2: &str = "eu-central-1";
    const CSPM: &str = "us-east-2";
    let server = crate::moto();
    let (port, endpoint) = (server.port, server.endpoint());
    let now = Utc::now();
    let at = |days: i64| (now - Duration::days(days)).to_rfc3339_opts(SecondsFormat::Millis, true);
    // Created 5, 3, 2 and 1 day(s) ago; the first resolved a day ago.
    let findings: Vec<Value> = [5, 3, 2, 1]
        .iter()
        .map(|days| {
            let mut f = s3_8_ocsf(ACCOUNT, V2, &format!("ht-trend-{days}"), &format!("trend-{days}"));
            f["finding_info"]["created_time_dt"] = at(*days).into();
            f["finding_info"]["modified_time_dt"] = at(*days).into();
            if *days == 5 {
                f["status_id"] = 4.into();
                f["finding_info"]["modified_time_dt"] = at(1).into();
            }
            f
        })
        .collect();
    seed(port, &findings);
    let asff = support_asff(ACCOUNT, CSPM);
    crate::support::seed::import_findings(port, ROLE, ACCOUNT, CSPM, &asff);
    let dir = tempfile::tempdir().unwrap();

    let report = |api: &str, regions: &[&str]| {
        let out = hubtriage(&endpoint, &[ACCOUNT], regions, &dir)
            .args(["--api", api, "report", "--since", "7d", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let figures = report("auto", &[V2, CSPM]);
    assert_eq!(figures["open_over_time_from"], "security-hub", "{figures}");
    let open: Vec<u64> =
        figures["open_over_time"].as_array().unwrap().iter().map(|d| d["open"].as_u64().unwrap()).collect();
    assert_eq!(open, [0, 0, 1, 1, 2, 3, 3, 3], "active at each day's end, the resolved one until it closed");

    let figures = report("cspm", &[CSPM]);
    assert_ne!(figures["open_over_time_from"], "security-hub", "CSPM keeps no trend: {figures}");
}

fn support_asff(account: &str, region: &str) -> Vec<Value> {
    (0..2)
        .map(|n| crate::support::asff::s3_8_asff(account, region, &format!("ht-tcspm-{n}"), &format!("tc-{n}")))
        .collect()
}
