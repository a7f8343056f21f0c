//! What `hubtriage setup --check` reads: the queue's attributes, whether its dead-letter queue exists, the
//! EventBridge rules on the default bus that target it, the lease table's key schema and TTL. Read-only calls; every
//! answer leaves as our own types, every failure as a [`CloudError`] naming the call.

use super::errors::map_sdk_error;
use super::session::load_base;
use super::AwsSettings;
use crate::cloud::CloudError;
use aws_config::{Region, SdkConfig};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// A queue's attributes that matter to `watch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFacts {
    pub arn: String,
    /// The `RedrivePolicy` attribute (JSON text), if any.
    pub redrive_policy: Option<String>,
    /// The queue's access policy (JSON text), if any.
    pub policy: Option<String>,
    /// The KMS key of server-side encryption, if a KMS key is used.
    pub kms_key: Option<String>,
}

/// One target of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    pub id: String,
    pub arn: String,
    /// Whether the target sends something other than the event itself (Input, InputPath or InputTransformer).
    pub rewrites_event: bool,
}

/// A rule on the default event bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFacts {
    pub name: String,
    pub arn: String,
    /// `ENABLED`, `DISABLED`, …
    pub state: String,
    /// The event pattern (JSON text); `None` for a scheduled rule.
    pub event_pattern: Option<String>,
    pub targets: Vec<TargetFacts>,
}

/// A table's key schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFacts {
    /// `ACTIVE`, `CREATING`, …
    pub status: String,
    /// (attribute, `HASH` or `RANGE`).
    pub keys: Vec<(String, String)>,
    /// (attribute, `S`, `N` or `B`) of the key attributes.
    pub attribute_types: Vec<(String, String)>,
}

/// A table's time to live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TtlFacts {
    /// `ENABLED`, `ENABLING`, `DISABLED`, `DISABLING`.
    pub status: String,
    pub attribute: Option<String>,
}

/// The read-only clients of one region.
#[derive(Debug, Clone)]
pub struct SetupProbe {
    config: SdkConfig,
}

/// An SDK error as ours, with SQS's "no such queue" codes read as not found.
fn mapped<E>(context: &str, err: SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let missing_queue = err.code().is_some_and(|c| c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist"));
    match map_sdk_error(context, err) {
        CloudError::Other(text) if missing_queue => CloudError::NotFound(text),
        other => other,
    }
}

impl SetupProbe {
    /// The base configuration (profile, endpoint) in `region`, or the configuration's own region when `None`.
    /// Asks nothing yet: each check names its own failure.
    pub async fn connect(settings: &AwsSettings, region: Option<&str>) -> Self {
        let mut config = load_base(settings).await;
        if let Some(region) = region {
            config = config.to_builder().region(Region::new(region.to_string())).build();
        }
        Self { config }
    }

    /// The region the calls go to.
    pub fn region(&self) -> Option<String> {
        self.config.region().map(ToString::to_string)
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.config)
    }

    fn events(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&self.config)
    }

    fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.config)
    }

    /// GetQueueAttributes of `url`.
    pub async fn queue(&self, url: &str) -> Result<QueueFacts, CloudError> {
        let out = self
            .sqs()
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .map_err(|e| mapped("GetQueueAttributes", e))?;
        let attribute = |name: QueueAttributeName| out.attributes().and_then(|a| a.get(&name)).cloned();
        let arn = attribute(QueueAttributeName::QueueArn)
            .ok_or_else(|| CloudError::Other("GetQueueAttributes: the answer has no QueueArn".into()))?;
        Ok(QueueFacts {
            arn,
            redrive_policy: attribute(QueueAttributeName::RedrivePolicy).filter(|p| !p.is_empty()),
            policy: attribute(QueueAttributeName::Policy).filter(|p| !p.is_empty()),
            kms_key: attribute(QueueAttributeName::KmsMasterKeyId).filter(|k| !k.is_empty()),
        })
    }

    /// The URL of the queue named by `arn` (`arn:…:sqs:region:account:name`), which must be in this region.
    pub async fn queue_url_of(&self, arn: &str) -> Result<String, CloudError> {
        let parts: Vec<&str> = arn.split(':').collect();
        let (Some(account), Some(name)) = (parts.get(4), parts.get(5)) else {
            return Err(CloudError::Other(format!("{arn} is not an SQS queue ARN")));
        };
        let out = self
            .sqs()
            .get_queue_url()
            .queue_name(*name)
            .queue_owner_aws_account_id(*account)
            .send()
            .await
            .map_err(|e| mapped("GetQueueUrl", e))?;
        Ok(out.queue_url().unwrap_or_default().to_string())
    }

    /// Every rule on the default event bus with a target whose ARN is `target_arn`, with its pattern and targets.
    pub async fn rules_targeting(&self, target_arn: &str) -> Result<Vec<RuleFacts>, CloudError> {
        let events = self.events();
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = events
                .list_rule_names_by_target()
                .target_arn(target_arn)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| mapped("ListRuleNamesByTarget", e))?;
            names.extend(out.rule_names().iter().cloned());
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        let mut rules = Vec::with_capacity(names.len());
        for name in names {
            let rule = events
                .describe_rule()
                .name(&name)
                .send()
                .await
                .map_err(|e| mapped(&format!("DescribeRule {name}"), e))?;
            rules.push(RuleFacts {
                arn: rule.arn().unwrap_or_default().to_string(),
                state: rule.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                event_pattern: rule.event_pattern().map(str::to_string),
                targets: self.targets(&events, &name).await?,
                name,
            });
        }
        Ok(rules)
    }

    async fn targets(&self, events: &aws_sdk_eventbridge::Client, rule: &str) -> Result<Vec<TargetFacts>, CloudError> {
        let mut targets = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = events
                .list_targets_by_rule()
                .rule(rule)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| mapped(&format!("ListTargetsByRule {rule}"), e))?;
            targets.extend(out.targets().iter().map(|t| TargetFacts {
                id: t.id().to_string(),
                arn: t.arn().to_string(),
                rewrites_event: t.input().is_some() || t.input_path().is_some() || t.input_transformer().is_some(),
            }));
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        Ok(targets)
    }

    /// DescribeTable of `name`: status and key schema.
    pub async fn table(&self, name: &str) -> Result<TableFacts, CloudError> {
        let out =
            self.dynamodb().describe_table().table_name(name).send().await.map_err(|e| mapped("DescribeTable", e))?;
        let table = out.table().ok_or_else(|| CloudError::Other("DescribeTable: the answer has no table".into()))?;
        Ok(TableFacts {
            status: table.table_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            keys: table
                .key_schema()
                .iter()
                .map(|k| (k.attribute_name().to_string(), k.key_type().as_str().to_string()))
                .collect(),
            attribute_types: table
                .attribute_definitions()
                .iter()
                .map(|a| (a.attribute_name().to_string(), a.attribute_type().as_str().to_string()))
                .collect(),
        })
    }

    /// DescribeTimeToLive of `name`.
    pub async fn time_to_live(&self, name: &str) -> Result<TtlFacts, CloudError> {
        let out = self
            .dynamodb()
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .map_err(|e| mapped("DescribeTimeToLive", e))?;
        let description = out.time_to_live_description();
        Ok(TtlFacts {
            status: description
                .and_then(|d| d.time_to_live_status())
                .map_or_else(|| "DISABLED".to_string(), |s| s.as_str().to_string()),
            attribute: description.and_then(|d| d.attribute_name()).map(str::to_string),
        })
    }
}
