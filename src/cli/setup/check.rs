//! `hubtriage setup --check`: is the queue there with its dead-letter queue, does a rule on the default bus of the
//! queue's region send Security Hub's finding events to it, may that rule send (the queue policy), and is the lease
//! table keyed and expiring as `watch` needs. One line per check, ✓ or ✗ with what is wrong and how to fix it;
//! an AWS error fails its own check (and those that need its answer), never the run.

use super::check_eval::{
    judge_pattern, judge_queue_policy, redrive_target, region_of_queue_url, table_problem, ttl_problem,
};
use super::template::TARGET_ID;
use super::{LEASE_EXPIRY_ATTRIBUTE, LEASE_KEY_ATTRIBUTE};
use crate::cloud::aws::setup_check::{QueueFacts, RuleFacts, SetupProbe};
use crate::cloud::aws::AwsSettings;
use crate::cloud::CloudError;
use crate::playbook::shell_word;

/// The checks, in the order they are printed; the names are what a script greps for.
pub const QUEUE: &str = "queue";
pub const DEAD_LETTER_QUEUE: &str = "dead-letter queue";
pub const RULE: &str = "rule";
pub const QUEUE_POLICY: &str = "queue policy";
pub const LOCK_TABLE: &str = "lock table";
pub const LOCK_TABLE_TTL: &str = "lock table TTL";

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    pub name: &'static str,
    pub passed: bool,
    /// What was found (✓), or what is wrong and how to fix it (✗).
    pub text: String,
}

impl CheckLine {
    fn pass(name: &'static str, text: String) -> Self {
        Self { name, passed: true, text }
    }

    fn fail(name: &'static str, problem: &str, fix: &str) -> Self {
        Self { name, passed: false, text: format!("{problem}; to fix: {fix}") }
    }

    /// The printed line: `✓ queue: …` or `✗ rule: …; to fix: …`.
    pub fn render(&self) -> String {
        format!("{} {}: {}", if self.passed { "✓" } else { "✗" }, self.name, self.text)
    }
}

/// The AWS error of a check, and what to do about its kind.
fn failed_call(name: &'static str, error: &CloudError) -> CheckLine {
    let fix = match error {
        CloudError::AccessDenied(text) if text.contains("credentials") => {
            "give the check credentials: --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        }
        CloudError::AccessDenied(_) => "allow this read to the identity running the check (--profile)",
        CloudError::Network(_) => "check the network, the region and --endpoint-url",
        CloudError::Throttled(_) => "run the check again in a moment",
        _ => "see the error; run `hubtriage setup --template` and deploy it to create what is missing",
    };
    CheckLine::fail(name, &error.to_string(), fix)
}

fn not_checked(name: &'static str, because: &str) -> CheckLine {
    CheckLine::fail(name, &format!("not checked: {because}"), "fix the check above first")
}

/// Where the checks look, for the fix hints.
struct Place<'a> {
    region: String,
    queue_url: &'a str,
    table: &'a str,
}

impl Place<'_> {
    fn region_flag(&self) -> String {
        if self.region.is_empty() {
            String::new()
        } else {
            format!(" --region {}", shell_word(&self.region))
        }
    }
}

fn check_queue(place: &Place<'_>, queue: &Result<QueueFacts, CloudError>) -> CheckLine {
    match queue {
        Err(CloudError::NotFound(e)) => CheckLine::fail(
            QUEUE,
            &format!("{} does not exist ({e})", place.queue_url),
            "deploy `hubtriage setup --template` (CloudFormation) and pass its QueueUrl output",
        ),
        Err(e) => failed_call(QUEUE, e),
        // EventBridge cannot use the AWS managed key of SQS: its events would never arrive.
        Ok(q) if q.kms_key.as_deref().is_some_and(|k| k.ends_with("alias/aws/sqs")) => CheckLine::fail(
            QUEUE,
            "the queue is encrypted with the AWS managed key alias/aws/sqs, which EventBridge cannot use",
            "use SQS-managed encryption (SqsManagedSseEnabled) or a customer managed key that allows \
             events.amazonaws.com kms:GenerateDataKey and kms:Decrypt",
        ),
        Ok(q) => CheckLine::pass(QUEUE, format!("{} exists ({})", place.queue_url, q.arn)),
    }
}

async fn check_dead_letter(probe: &SetupProbe, place: &Place<'_>, queue: &QueueFacts) -> CheckLine {
    let (dlq, count) = match redrive_target(queue.redrive_policy.as_deref()) {
        Ok(found) => found,
        Err(problem) => {
            let fix = format!(
                "aws sqs set-queue-attributes{} --queue-url {} --attributes '{{\"RedrivePolicy\":\
                 \"{{\\\"deadLetterTargetArn\\\":\\\"<DLQ ARN>\\\",\\\"maxReceiveCount\\\":\\\"5\\\"}}\"}}'",
                place.region_flag(),
                shell_word(place.queue_url)
            );
            return CheckLine::fail(DEAD_LETTER_QUEUE, &problem, &fix);
        }
    };
    match probe.queue_url_of(&dlq).await {
        Ok(_) => {
            CheckLine::pass(DEAD_LETTER_QUEUE, format!("{dlq} exists; messages move there after {count} receives"))
        }
        Err(CloudError::NotFound(e)) => CheckLine::fail(
            DEAD_LETTER_QUEUE,
            &format!("the redrive policy names {dlq}, which does not exist ({e})"),
            "create that queue, or point the redrive policy at one that exists",
        ),
        Err(e) => failed_call(DEAD_LETTER_QUEUE, &e),
    }
}

/// The rule that sends the finding events to the queue, or the check's failure.
fn check_rule(place: &Place<'_>, queue_arn: &str, rules: &[RuleFacts]) -> (CheckLine, Option<String>) {
    let put_rule = format!(
        "deploy `hubtriage setup --template`, or: aws events put-rule{} --name hubtriage-findings --event-pattern \
         '{}' and aws events put-targets{} --rule hubtriage-findings --targets Id={TARGET_ID},Arn={}",
        place.region_flag(),
        super::template::event_pattern(),
        place.region_flag(),
        shell_word(queue_arn)
    );
    let bus = format!(
        "the default event bus{}",
        if place.region.is_empty() { String::new() } else { format!(" of {}", place.region) }
    );
    if rules.is_empty() {
        return (CheckLine::fail(RULE, &format!("no rule on {bus} targets {queue_arn}"), &put_rule), None);
    }
    let mut problems = Vec::new();
    for rule in rules {
        let target = rule.targets.iter().find(|t| t.arn == queue_arn);
        let verdict = judge_pattern(rule.event_pattern.as_deref());
        match (verdict, target) {
            (Err(problem), _) => problems.push(format!("rule {}: {problem}", rule.name)),
            (Ok(_), _) if rule.state != "ENABLED" => problems.push(format!("rule {} is {}", rule.name, rule.state)),
            (Ok(_), Some(t)) if t.rewrites_event => problems.push(format!(
                "rule {}'s target {} sends Input, InputPath or an InputTransformer instead of the event itself",
                rule.name, t.id
            )),
            (Ok(note), Some(_)) => {
                let text = format!("{} on {bus} sends Security Hub's finding events to the queue{note}", rule.name);
                return (CheckLine::pass(RULE, text), Some(rule.arn.clone()));
            }
            (Ok(_), None) => problems.push(format!("rule {} lists no target {queue_arn}", rule.name)),
        }
    }
    let fix = "match source aws.securityhub and the three detail types, enable the rule, and send the event as it \
               is; or "
        .to_string()
        + &put_rule;
    (CheckLine::fail(RULE, &problems.join("; "), &fix), None)
}

fn check_policy(place: &Place<'_>, queue: &QueueFacts, rule_arn: Option<&str>) -> CheckLine {
    let Some(rule_arn) = rule_arn else {
        return not_checked(QUEUE_POLICY, "no rule sends the finding events to the queue");
    };
    match judge_queue_policy(queue.policy.as_deref(), &queue.arn, rule_arn) {
        Ok(note) => CheckLine::pass(QUEUE_POLICY, format!("events.amazonaws.com may send for {rule_arn}{note}")),
        Err(problem) => CheckLine::fail(
            QUEUE_POLICY,
            &problem,
            &format!(
                "give the queue ({}) a policy statement allowing principal service events.amazonaws.com \
                 sqs:SendMessage on {} with the condition ArnEquals aws:SourceArn = {rule_arn}",
                place.queue_url, queue.arn
            ),
        ),
    }
}

async fn check_table(probe: &SetupProbe, place: &Place<'_>) -> Vec<CheckLine> {
    let create = format!(
        "aws dynamodb create-table{} --table-name {} --billing-mode PAY_PER_REQUEST --attribute-definitions \
         AttributeName={LEASE_KEY_ATTRIBUTE},AttributeType=S --key-schema AttributeName={LEASE_KEY_ATTRIBUTE},KeyType=HASH",
        place.region_flag(),
        shell_word(place.table)
    );
    let table = match probe.table(place.table).await {
        Ok(table) => table,
        Err(e) => {
            let line = match &e {
                CloudError::NotFound(_) => {
                    CheckLine::fail(LOCK_TABLE, &format!("{} does not exist ({e})", place.table), &create)
                }
                other => failed_call(LOCK_TABLE, other),
            };
            return vec![line, not_checked(LOCK_TABLE_TTL, "the table could not be read")];
        }
    };
    let key_line = match table_problem(&table) {
        None => CheckLine::pass(
            LOCK_TABLE,
            format!("{} is keyed by {LEASE_KEY_ATTRIBUTE} (S), {}", place.table, table.status),
        ),
        Some(problem) => CheckLine::fail(LOCK_TABLE, &problem, &format!("create a new table: {create}")),
    };
    let ttl_line = match probe.time_to_live(place.table).await {
        Err(e) => failed_call(LOCK_TABLE_TTL, &e),
        Ok(ttl) => match ttl_problem(&ttl) {
            None => CheckLine::pass(
                LOCK_TABLE_TTL,
                format!("expired leases are removed by TTL on {LEASE_EXPIRY_ATTRIBUTE}"),
            ),
            Some(problem) => CheckLine::fail(
                LOCK_TABLE_TTL,
                &problem,
                &format!(
                    "aws dynamodb update-time-to-live{} --table-name {} --time-to-live-specification \
                     Enabled=true,AttributeName={LEASE_EXPIRY_ATTRIBUTE}",
                    place.region_flag(),
                    shell_word(place.table)
                ),
            ),
        },
    };
    vec![key_line, ttl_line]
}

/// Every check, in order.
pub async fn checks(settings: &AwsSettings, queue_url: &str, table: &str) -> Vec<CheckLine> {
    let region = region_of_queue_url(queue_url).or_else(|| settings.regions.first().cloned());
    let probe = SetupProbe::connect(settings, region.as_deref()).await;
    let place = Place { region: probe.region().unwrap_or_default(), queue_url, table };
    let queue = probe.queue(queue_url).await;
    let mut lines = vec![check_queue(&place, &queue)];
    match &queue {
        Ok(q) => {
            lines.push(check_dead_letter(&probe, &place, q).await);
            let (rule_line, rule_arn) = match probe.rules_targeting(&q.arn).await {
                Ok(rules) => check_rule(&place, &q.arn, &rules),
                Err(e) => (failed_call(RULE, &e), None),
            };
            lines.push(rule_line);
            lines.push(check_policy(&place, q, rule_arn.as_deref()));
        }
        Err(_) => {
            for name in [DEAD_LETTER_QUEUE, RULE, QUEUE_POLICY] {
                lines.push(not_checked(name, "the queue could not be read"));
            }
        }
    }
    lines.extend(check_table(&probe, &place).await);
    lines
}

/// Prints every check on stdout; 0 when all passed, 1 otherwise.
pub async fn run(settings: &AwsSettings, queue_url: &str, table: &str) -> i32 {
    let lines = checks(settings, queue_url, table).await;
    for line in &lines {
        crate::cli::stderr::stdout_line(&line.render());
    }
    if lines.iter().all(|l| l.passed) {
        crate::cli::EXIT_OK
    } else {
        crate::cli::EXIT_ERROR
    }
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
