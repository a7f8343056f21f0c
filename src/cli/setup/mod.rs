//! `hubtriage setup`: the AWS resources `watch` runs on. `--template` prints a CloudFormation template for them (the
//! EventBridge rule, the queue and its dead-letter queue, the lease table, the role); `--check` tells whether the
//! deployed ones exist and are wired to each other.

pub mod check;
pub mod check_eval;
pub mod template;
pub mod yaml;

use crate::cli::args::GlobalArgs;
use crate::config::Config;
use crate::triage::Triage;
use clap::{ArgGroup, Args, ValueEnum};

/// The event source of Security Hub's finding events.
pub const EVENT_SOURCE: &str = "aws.securityhub";
/// The detail types `watch` consumes: ASFF findings imported, OCSF findings imported (the new Security Hub), and a
/// console custom action.
pub const DETAIL_TYPES: [&str; 3] =
    ["Security Hub Findings - Imported", "Findings Imported V2", "Security Hub Findings - Custom Action"];
/// The lease table's partition key (a string: `account/region/resource id`).
pub const LEASE_KEY_ATTRIBUTE: &str = "resource";
/// The lease item's expiry (a number, Unix seconds): the table's TTL attribute.
pub const LEASE_EXPIRY_ATTRIBUTE: &str = "expires_at";

/// `hubtriage setup …`.
#[derive(Debug, Args, Clone)]
#[command(group(ArgGroup::new("mode").required(true).args(["template", "check"])))]
pub struct SetupArgs {
    /// Print a CloudFormation template: the EventBridge rule for Security Hub's finding events, the SQS queue with
    /// its dead-letter queue, the DynamoDB lease table and the IAM role `watch` runs as.
    #[arg(long)]
    pub template: bool,
    /// The template's format (default: json).
    #[arg(long, value_enum, conflicts_with = "check")]
    pub format: Option<TemplateFormat>,
    /// Check that the queue, its dead-letter queue, the rule and the lease table exist and are wired to each other;
    /// exit 1 when anything is missing or wrong.
    #[arg(long)]
    pub check: bool,
    /// The queue to check (the template's `QueueUrl` output; else `[watch] queue_url`).
    #[arg(long, value_name = "URL", requires = "check")]
    pub queue_url: Option<String>,
}

/// How `setup --template` prints the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum TemplateFormat {
    #[default]
    Json,
    Yaml,
}

/// The template as text in `format`.
pub fn template_text(config: &Config, triage: &Triage, format: TemplateFormat) -> anyhow::Result<String> {
    let template = template::template(config, &triage.playbooks);
    let size = template::inline_policy_size(&template);
    if size > template::INLINE_POLICY_LIMIT {
        crate::inert_eprintln!(
            "hubtriage: warning: the watch role's policy is about {size} characters; IAM allows {} for a role's \
             inline policies: enable fewer playbooks or actions, or move statements to managed policies",
            template::INLINE_POLICY_LIMIT
        );
    }
    Ok(match format {
        TemplateFormat::Json => format!("{}\n", serde_json::to_string_pretty(&template)?),
        TemplateFormat::Yaml => yaml::to_yaml(&template),
    })
}

/// Runs `setup`; the exit status.
pub async fn run(global: &GlobalArgs, config: &Config, triage: &Triage, args: &SetupArgs) -> anyhow::Result<i32> {
    if args.template {
        print!("{}", template_text(config, triage, args.format.unwrap_or_default())?);
        return Ok(crate::cli::EXIT_OK);
    }
    if global.demo || global.findings.is_some() {
        anyhow::bail!("setup --check reads AWS: --demo and --findings do not apply to it");
    }
    let queue_url = args.queue_url.as_deref().or(config.watch.queue_url.as_deref());
    // `--lock-table` is global: it is in the config's `[coordination] table` by now.
    let table = config.coordination.table.as_deref();
    let (Some(queue_url), Some(table)) = (queue_url, table) else {
        anyhow::bail!(
            "setup --check needs the queue and the lease table: --queue-url URL (or [watch] queue_url) and \
             --lock-table NAME (or [coordination] table), the template's QueueUrl and LockTable outputs"
        );
    };
    let settings = crate::session::aws_settings(global, config);
    Ok(check::run(&settings, queue_url, table).await)
}
