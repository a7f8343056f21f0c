//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Triage AWS Security Hub findings and remediate them safely.
#[derive(Debug, Parser)]
#[command(name = "hubtriage", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Config file (default: <config dir>/config.toml).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Use the embedded simulated organisation; no AWS account needed.
    #[arg(long, global = true, conflicts_with = "findings")]
    pub demo: bool,
    /// Offline: findings from a JSON file or a directory of them.
    #[arg(long, global = true)]
    pub findings: Option<PathBuf>,
    /// AWS profile for the base credentials.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Accounts to read, comma-separated (assumes --role-name in each).
    #[arg(long, global = true, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Regions to read, comma-separated.
    #[arg(long, global = true, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Role assumed in each account.
    #[arg(long, global = true)]
    pub role_name: Option<String>,
    /// Endpoint for every AWS client (moto, LocalStack).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Which Security Hub each source reads: auto (the new Security Hub where enabled, else CSPM), v2, cspm.
    #[arg(long, global = true, value_enum)]
    pub api: Option<crate::cloud::ApiChoice>,
    /// Make no mutating call.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Apply `auto-fix` verdicts without a prompt (through the same re-read, verify and audit flow).
    #[arg(long, global = true, conflicts_with = "read_only")]
    pub auto_fix: bool,
    /// Start in incident mode: change windows are lifted (shown in the header and audited).
    #[arg(long, global = true)]
    pub incident: bool,
    /// Lets a person apply outside the change windows of the account's class, for this reason (audited).
    #[arg(long, global = true, value_name = "REASON")]
    pub outside_window: Option<String>,
    /// Theme: dark, light, high-contrast, or a file in <config dir>/themes/.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Audit log path (default: in the data dir).
    #[arg(long, global = true)]
    pub audit_log: Option<PathBuf>,
    /// DynamoDB table of leases shared by every hubtriage that may change the same resources (overrides
    /// `[coordination] table`); without one, processes on this machine coordinate through the data dir.
    #[arg(long, global = true, value_name = "NAME")]
    pub lock_table: Option<String>,
    /// Neither read nor write the store of findings kept between runs.
    #[arg(long, global = true)]
    pub no_store: bool,
    /// The TUI's own SQS queue of Security Hub finding events (an EventBridge rule's target): new findings appear
    /// within seconds instead of at the next refresh.
    #[arg(long, global = true, value_name = "URL")]
    pub events_queue: Option<String>,
    /// Headless commands give up on a source that delivers no page for this many seconds (default 90).
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub source_timeout: Option<u64>,
}

/// Headless commands; none starts the TUI.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verdict and dry-run plan of every finding.
    Plan {
        /// table or json on stdout; with --out: json (the plan file, the default) or md (the same for people).
        #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
        format: PlanFormat,
        /// Plan from each finding's own snapshot: no resource is read (basis `finding-snapshot`).
        #[arg(long)]
        no_live: bool,
        /// Write a plan file (JSON, checksummed, for review and `apply --plan`) instead of printing.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Only the findings the query matches, in the language of the TUI's `/`: `sev>=high control:S3.*
        /// account:NAME region:eu-* verdict:auto-fix age>7d "text"`.
        #[arg(long, value_name = "QUERY")]
        query: Option<crate::query::Query>,
    },
    /// Apply the plans of the given findings, or exactly those of a reviewed plan file; verify, update the findings,
    /// notify. Without --yes: show and stop.
    Apply {
        /// Finding id (the ASFF `Id`); repeat for several.
        #[arg(
            long = "finding",
            id = "finding_ids",
            value_name = "ID",
            required_unless_present = "plan",
            conflicts_with = "plan",
            num_args = 1..
        )]
        ids: Vec<String>,
        /// A plan file from `plan --out`: each plan whose verdict, policy and state still match is applied.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Apply without asking; exits non-zero unless every fix was verified.
        #[arg(long)]
        yes: bool,
    },
    /// Roll back a verified fix to the before-state its job recorded (the TUI's `u`), with the same checks; without
    /// --yes: show what would be restored and stop.
    Rollback {
        #[command(flatten)]
        target: RollbackArgs,
        /// Roll back without asking; exits non-zero unless the rollback was verified.
        #[arg(long)]
        yes: bool,
    },
    /// Exceptions (tags with a reason, an expiry and an owner on a resource): list, add or renew, remove.
    Exceptions {
        #[command(subcommand)]
        command: ExceptionsCommand,
    },
    /// Print the least-privilege IAM policy for the enabled playbooks, reads, SNS publish and finding updates.
    IamPolicy {
        /// Which identity: `all` (default, one document), `base` (assumes the role, notifies) or `member` (the
        /// role in each account).
        #[arg(long = "for", value_enum, default_value_t = crate::cli::iam_policy::PolicyFor::All)]
        principal: crate::cli::iam_policy::PolicyFor,
    },
    /// Every playbook: the controls it fixes, its change and rollback, its risk class, whether it is enabled.
    Playbooks {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The findings kept on disk between runs: info, prune, reset.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Run unattended: finding events from an SQS queue (EventBridge), decided by policy and fixed as it says;
    /// one JSON line per decision on stderr. SIGTERM finishes running fixes; unhandled messages return to the queue.
    Watch {
        /// The queue the EventBridge rule delivers to (else `[watch] queue_url`).
        #[arg(long, value_name = "URL")]
        queue_url: Option<String>,
        /// Drain the queue, finish what it asked for, and exit (2 when a message was left to the queue).
        #[arg(long)]
        once: bool,
    },
    /// Approval requests: put a finding's plan up for approval, list, show, approve (and carry out), reject.
    Approvals {
        #[command(subcommand)]
        command: ApprovalsCommand,
    },
    /// The organisation's figures: severity × verdict, top accounts and controls, open findings over time, time to a
    /// verified safe state per control, recurrence, what auto-fix would fix.
    Report {
        /// How far back the history goes: Nd, Nh (default 30d).
        #[arg(long, default_value = "30d", value_name = "DURATION")]
        since: String,
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
    },
    /// The audit log: verify its hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The AWS resources `watch` runs on: print a CloudFormation template (--template), or check deployed ones
    /// (--check --queue-url URL --lock-table NAME).
    Setup(crate::cli::setup::SetupArgs),
    /// Print a completion script for a shell: `hubtriage completions bash > /etc/bash_completion.d/hubtriage`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `hubtriage man > hubtriage.1`.
    Man,
}

/// `hubtriage store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Where the store is, its size, and per source the findings kept and the last complete sync.
    Info,
    /// Remove closed findings older than store.retention_days now.
    Prune,
    /// Delete the store of this identity and endpoint; the next start loads every source in full.
    Reset,
}

/// `hubtriage approvals …`.
#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Put a finding whose verdict is `approve` up for approval, with its live plan.
    Request {
        /// Finding id (ASFF `Id`, OCSF `finding_info.uid`).
        #[arg(long = "finding", value_name = "ID")]
        id: String,
        /// Why it should be approved (shown to the approver and in the notification).
        #[arg(long)]
        note: Option<String>,
    },
    /// Requests, newest first: pending ones, or all with --all (expired ones are expired on the way).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One request with its whole plan.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Approve a pending request as this identity, then carry it out (the plan is applied exactly, after a live
    /// re-read) unless --leave-to-watch.
    Approve {
        id: String,
        /// Only record the approval: a `watch` sharing the coordination table carries it out.
        #[arg(long)]
        leave_to_watch: bool,
    },
    /// Reject a pending request (the requester may withdraw their own).
    Reject {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

/// `hubtriage audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain (the log of --audit-log, else the configured one): exit 0 when it holds, 1
    /// naming the first changed, missing, reordered or torn record by line number.
    Verify,
    /// The records of the audit log, filtered; exits 2 when a line could not be read (named on stderr).
    List(crate::cli::audit_list::AuditListArgs),
}

/// Which fix `hubtriage rollback` undoes.
#[derive(Debug, Args, Clone)]
#[group(required = true, multiple = false)]
pub struct RollbackArgs {
    /// The apply job, as the audit log names it (`audit list --event apply-intent` shows them).
    #[arg(long, value_name = "ID")]
    pub job: Option<String>,
    /// The latest verified fix of this resource: its ARN as the audit log records it, or the id it ends with.
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
}

/// `hubtriage exceptions …`.
#[derive(Debug, Subcommand)]
pub enum ExceptionsCommand {
    /// Every exception across the accounts and regions, sorted by expiry; exits 2 when a source could not be read.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Only exceptions ending within DAYS days, expired ones included.
        #[arg(long, value_name = "DAYS")]
        expiring: Option<u32>,
    },
    /// Add an exception to a resource, or renew the one it has (only the exception tags are written).
    Add {
        #[command(flatten)]
        target: ResourceArgs,
        /// Why the finding is accepted for now.
        #[arg(long)]
        reason: String,
        /// Expiry: YYYY-MM-DD, an RFC 3339 time, or Nd (N days from now); at most exceptions.max_days.
        #[arg(long, value_name = "DATE|Nd")]
        expires: String,
        /// Who owns the exception (default: the operator identity).
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        /// Limit the exception to these controls (tag exceptions.controls_tag); default: every control.
        #[arg(long, value_name = "EC2.19,EC2.13")]
        controls: Option<String>,
    },
    /// Remove the exception tags from a resource (no other tag is touched).
    Remove {
        #[command(flatten)]
        target: ResourceArgs,
    },
}

/// The resource an exception is on.
#[derive(Debug, Args, Clone)]
pub struct ResourceArgs {
    /// Resource id or ARN: arn:aws:s3:::<bucket>, sg-…, i-…, or an EC2 ARN.
    #[arg(long, value_name = "ID|ARN")]
    pub resource: String,
    /// Account the resource is in (12 digits).
    #[arg(long, value_name = "ID")]
    pub account: String,
    /// Region the resource is in.
    #[arg(long, value_name = "R")]
    pub region: String,
    /// Resource type, when the id does not tell it: AwsS3Bucket, AwsEc2SecurityGroup, AwsEc2Instance, …
    #[arg(long = "type", value_name = "TYPE")]
    pub resource_type: Option<String>,
}

/// Output format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
    /// One self-contained file with its charts (no script, nothing fetched).
    Html,
}

/// Output format of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Table,
    Json,
    /// Markdown, only with --out.
    Md,
}

/// Output format of headless commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}
