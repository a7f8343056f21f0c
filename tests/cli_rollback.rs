//! `hubtriage rollback` through the real binary on moto: a fix made by `apply --yes` is shown without `--yes` and
//! nothing changes; with `--yes` it is restored, audited and the finding set back to NEW; a resource changed since
//! the fix is refused, named with what differs, and left as it is; `--resource` picks the latest fix of a security
//! group and refuses once it was rolled back; read-only mode and offline findings change nothing and say why.
#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubtriage::playbook::PublicAccessBlock;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use support::asff::s3_8_asff;
use support::moto::moto;
use support::s3::{code_of, new_bucket, put_public_access_block};
use support::sdk::{run, ROLE};
use support::seed::{import_findings, workflow_of};

const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";
const CONFIG: &str = "[remediation]\nverify_first_delay_ms = 100\nverify_max_delay_ms = 400\ndrift_check_seconds = 0\n";

/// The binary against `endpoint`, hermetic, reading and fixing `ACCOUNT`/`REGION`, with the audit log in `dir`.
fn hubtriage(endpoint: &str, dir: &tempfile::TempDir) -> Command {
    let mut cmd = support::binary::hubtriage(endpoint, dir, CONFIG, Duration::from_secs(180));
    cmd.args(["--accounts", ACCOUNT, "--regions", REGION, "--role-name", ROLE])
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"));
    cmd
}

/// Runs the binary: (exit status, stdout, stderr).
fn output(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The audit log's records as (event, result, job).
fn audited(dir: &Path) -> Vec<(String, String, String)> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (field("event"), field("result"), field("job"))
        })
        .collect()
}

/// The events of `job`, with their results.
fn events_of(dir: &Path, job: &str) -> Vec<(String, String)> {
    audited(dir).into_iter().filter(|(_, _, j)| j == job).map(|(e, r, _)| (e, r)).collect()
}

/// `apply --finding ID --yes`, which must verify; returns the job's name, read with `audit list`.
fn apply(endpoint: &str, dir: &tempfile::TempDir, id: &str) -> String {
    let (code, stdout, stderr) = output(hubtriage(endpoint, dir).args(["apply", "--finding", id, "--yes"]));
    assert_eq!(code, Some(0), "the fix verifies:\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let (code, listed, stderr) =
        output(hubtriage(endpoint, dir).args(["audit", "list", "--event", "apply-intent", "--format", "json"]));
    assert_eq!(code, Some(0), "{stderr}");
    let intents: Vec<Value> = serde_json::from_str(&listed).unwrap();
    intents.last().unwrap()["job"].as_str().unwrap().to_string()
}

/// A bucket with no Block Public Access configuration and its S3.8 finding; returns the finding's id.
fn open_bucket(port: u16, endpoint: &str, bucket: &str) -> String {
    let e = endpoint.to_string();
    let name = bucket.to_string();
    run(async move {
        new_bucket(&e, ACCOUNT, REGION, &name).await;
    });
    import_findings(port, "HubtriageTest", ACCOUNT, REGION, &[s3_8_asff(ACCOUNT, REGION, bucket, bucket)]).remove(0)
}

/// The bucket's Block Public Access settings read directly; `None` when it has no configuration.
fn block_of(endpoint: &str, bucket: &str) -> Option<PublicAccessBlock> {
    let (e, b) = (endpoint.to_string(), bucket.to_string());
    run(async move {
        let s3 = support::sdk::s3(&support::sdk::assumed_config(&e, ACCOUNT).await, REGION);
        match s3.get_public_access_block().bucket(&b).send().await {
            Ok(out) => {
                let c = out.public_access_block_configuration().unwrap();
                Some(PublicAccessBlock {
                    block_public_acls: c.block_public_acls().unwrap_or(false),
                    ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                    block_public_policy: c.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                })
            }
            Err(e) if code_of(&e) == "NoSuchPublicAccessBlockConfiguration" => None,
            Err(e) => panic!("GetPublicAccessBlock {b}: {e:?}"),
        }
    })
}

#[test]
fn a_fix_is_shown_without_yes_and_rolled_back_with_it() {
    let server = moto();
    let endpoint = server.endpoint();
    let bucket = "ht-rollback-job";
    let id = open_bucket(server.port, &endpoint, bucket);
    let dir = tempfile::tempdir().unwrap();
    let job = apply(&endpoint, &dir, &id);
    assert_eq!(block_of(&endpoint, bucket), Some(PublicAccessBlock::ALL_ON));
    assert_eq!(workflow_of(server.port, "HubtriageTest", ACCOUNT, REGION, &id).as_deref(), Some("RESOLVED"));
    let records_after_fix = audited(dir.path()).len();

    let (code, stdout, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--job", &job]));
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains(&format!("job {job}  S3.8 arn:aws:s3:::{bucket} in {ACCOUNT}/{REGION}")), "{stdout}");
    assert!(stdout.contains("the fix:     PutPublicAccessBlock"), "the recorded change: {stdout}");
    assert!(stdout.contains(&format!("restores:    S3 bucket {bucket}\n")), "{stdout}");
    assert!(stdout.contains("Block Public Access: no bucket-level Block Public Access configuration"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "cli:         aws s3api delete-public-access-block --bucket {bucket} --region {REGION}"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("now:         ") && stdout.contains("shows the state the fix left"), "{stdout}");
    assert!(stderr.contains("dry run, nothing was changed"), "{stderr}");
    assert_eq!(block_of(&endpoint, bucket), Some(PublicAccessBlock::ALL_ON), "nothing changed without --yes");
    assert_eq!(audited(dir.path()).len(), records_after_fix, "nothing audited without --yes");

    let (code, _, stderr) =
        output(hubtriage(&endpoint, &dir).args(["--read-only", "rollback", "--job", &job, "--yes"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("refused: read-only mode"), "{stderr}");
    assert_eq!(block_of(&endpoint, bucket), Some(PublicAccessBlock::ALL_ON), "read-only changes nothing");
    let (event, result, _) = audited(dir.path()).last().unwrap().clone();
    assert_eq!((event.as_str(), result.as_str()), ("refused", "refused"), "the refusal is audited as apply audits it");

    let (code, stdout, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--job", &job, "--yes"]));
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains(": rolled back"), "{stderr}");
    assert_eq!(block_of(&endpoint, bucket), None, "the bucket is back to no configuration");
    assert_eq!(workflow_of(server.port, "HubtriageTest", ACCOUNT, REGION, &id).as_deref(), Some("NEW"));
    let rollback_job = audited(dir.path()).last().unwrap().2.clone();
    assert_ne!(rollback_job, job);
    let pair = |e: &str, r: &str| (e.to_string(), r.to_string());
    assert_eq!(
        events_of(dir.path(), &rollback_job),
        [
            pair("rollback-intent", "pending"),
            pair("rollback-outcome", "ok"),
            pair("verification", "verified"),
            pair("finding-update", "ok")
        ]
    );

    let (code, _, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--job", &job, "--yes"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("job {job} was already rolled back by job")), "{stderr}");
}

#[test]
fn a_resource_changed_since_the_fix_is_refused_and_left_as_it_is() {
    let server = moto();
    let endpoint = server.endpoint();
    let bucket = "ht-rollback-changed";
    let id = open_bucket(server.port, &endpoint, bucket);
    let dir = tempfile::tempdir().unwrap();
    let job = apply(&endpoint, &dir, &id);
    // Someone relaxes one setting after the fix.
    let theirs = PublicAccessBlock { block_public_acls: false, ..PublicAccessBlock::ALL_ON };
    let (e, b) = (endpoint.clone(), bucket.to_string());
    run(async move {
        let s3 = support::sdk::s3(&support::sdk::assumed_config(&e, ACCOUNT).await, REGION);
        put_public_access_block(&s3, &b, theirs).await;
    });

    let (code, stdout, _) = output(hubtriage(&endpoint, &dir).args(["rollback", "--job", &job]));
    assert_eq!(code, Some(2), "the dry run already says it would be refused: {stdout}");
    assert!(stdout.contains("now:         would be refused"), "{stdout}");

    let (code, stdout, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--job", &job, "--yes"]));
    assert_eq!(code, Some(2), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let refusal = stderr.lines().find(|l| l.contains(": refused: ")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(refusal.contains(&format!("changed since job {job} fixed it")), "{refusal}");
    assert!(refusal.contains("block_public_acls: true → false"), "what differs is said: {refusal}");
    assert_eq!(block_of(&endpoint, bucket), Some(theirs), "their change stands");
    assert_eq!(audited(dir.path()).last().unwrap().0, "refused");
}

/// A security group in the default VPC with these world-open TCP ports.
fn open_group(endpoint: &str, name: &str, ports: &[i32]) -> String {
    let (e, n, ports) = (endpoint.to_string(), name.to_string(), ports.to_vec());
    run(async move {
        let ec2 = support::sdk::ec2(&support::sdk::assumed_config(&e, ACCOUNT).await, REGION);
        let group = support::ec2::create_group(&ec2, &n, "test group", &[]).await;
        authorize(&ec2, &group, &ports).await;
        group
    })
}

async fn authorize(ec2: &aws_sdk_ec2::Client, group: &str, ports: &[i32]) {
    let mut request = ec2.authorize_security_group_ingress().group_id(group);
    for port in ports {
        let world = IpRange::builder().cidr_ip("0.0.0.0/0").build();
        request = request.ip_permissions(
            IpPermission::builder().ip_protocol("tcp").from_port(*port).to_port(*port).ip_ranges(world).build(),
        );
    }
    request.send().await.unwrap();
}

/// The group's world-open ingress ports, read directly.
fn open_ports(endpoint: &str, group: &str) -> Vec<i32> {
    let (e, g) = (endpoint.to_string(), group.to_string());
    run(async move {
        let ec2 = support::sdk::ec2(&support::sdk::assumed_config(&e, ACCOUNT).await, REGION);
        let filter = aws_sdk_ec2::types::Filter::builder().name("group-id").values(&g).build();
        let out = ec2.describe_security_group_rules().filters(filter).send().await.unwrap();
        let mut ports: Vec<i32> = out
            .security_group_rules()
            .iter()
            .filter(|r| r.is_egress() == Some(false) && r.cidr_ipv4() == Some("0.0.0.0/0"))
            .filter_map(|r| r.from_port())
            .collect();
        ports.sort();
        ports
    })
}

/// A finding of `control` (EC2.13 or EC2.14) on the group.
fn group_finding(control: &str, group: &str, name: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/{control}/finding/{name}"),
        "ProductArn": format!("arn:aws:securityhub:{REGION}::product/aws/securityhub"),
        "GeneratorId": format!("security-control/{control}"),
        "AwsAccountId": ACCOUNT,
        "Region": REGION,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": "Security groups should not allow ingress from 0.0.0.0/0 to remote administration ports",
        "Description": "world-open port",
        "Compliance": {"Status": "FAILED", "SecurityControlId": control},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{
            "Type": "AwsEc2SecurityGroup",
            "Id": format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}"),
            "Region": REGION
        }]
    })
}

#[test]
fn by_resource_the_latest_fix_is_rolled_back_and_then_there_is_none_left_to_undo() {
    let server = moto();
    let endpoint = server.endpoint();
    let group = open_group(&endpoint, "ht-rollback-admin", &[22]);
    let dir = tempfile::tempdir().unwrap();
    let ssh =
        import_findings(server.port, "HubtriageTest", ACCOUNT, REGION, &[group_finding("EC2.13", &group, "rb-ssh")]);
    let first = apply(&endpoint, &dir, &ssh[0]);
    // Later someone opens RDP to the world, and that is fixed too.
    let (e, g) = (endpoint.clone(), group.clone());
    run(async move {
        let ec2 = support::sdk::ec2(&support::sdk::assumed_config(&e, ACCOUNT).await, REGION);
        authorize(&ec2, &g, &[3389]).await;
    });
    let rdp =
        import_findings(server.port, "HubtriageTest", ACCOUNT, REGION, &[group_finding("EC2.14", &group, "rb-rdp")]);
    let second = apply(&endpoint, &dir, &rdp[0]);
    assert_ne!(first, second);
    assert!(open_ports(&endpoint, &group).is_empty());

    let (code, stdout, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--resource", &group, "--yes"]));
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains(&format!("the latest verified fix of {group} is job {second}")), "{stderr}");
    assert!(stdout.contains(&format!("job {second}  EC2.14")), "{stdout}");
    assert!(
        stdout.contains(&format!("cli:         aws ec2 authorize-security-group-ingress --group-id {group}")),
        "{stdout}"
    );
    assert_eq!(open_ports(&endpoint, &group), [3389], "only the latest fix is undone");
    assert_eq!(workflow_of(server.port, "HubtriageTest", ACCOUNT, REGION, &rdp[0]).as_deref(), Some("NEW"));
    assert_eq!(workflow_of(server.port, "HubtriageTest", ACCOUNT, REGION, &ssh[0]).as_deref(), Some("RESOLVED"));

    let arn = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}");
    let (code, _, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--resource", &arn, "--yes"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("the latest fix of {arn}, job {second}")), "{stderr}");
    assert!(stderr.contains("was already rolled back by job"), "{stderr}");
    assert_eq!(open_ports(&endpoint, &group), [3389], "nothing changed");

    let (code, _, stderr) = output(hubtriage(&endpoint, &dir).args(["rollback", "--resource", "sg-0000000000000dead"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no verified fix of sg-0000000000000dead in the audit log"), "{stderr}");
}

#[test]
fn offline_findings_cannot_be_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let findings = dir.path().join("findings.json");
    std::fs::write(&findings, json!({ "Findings": [s3_8_asff(ACCOUNT, REGION, "ht-offline", "offline")] }).to_string())
        .unwrap();
    let mut cmd = Command::cargo_bin("hubtriage").unwrap();
    cmd.env("HOME", dir.path()).env("HUBTRIAGE_LOG", dir.path().join("hubtriage.log"));
    let (code, _, stderr) = output(cmd.arg("--findings").arg(&findings).args(["rollback", "--job", "x-1", "--yes"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("a rollback needs live access to the accounts (not --findings)"), "{stderr}");
}
