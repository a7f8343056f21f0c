//! Provenance: which findings may drive a playbook. Security Hub accepts findings from any member account and partner
//! product (BatchImportFindings), and their every field is whatever the sender wrote — a control id included. Only
//! the product ARN tells Security Hub's own control findings from imported ones, so only findings of
//! `product/aws/securityhub` (CSPM) or `productv2/aws/securityhub` (V2) in the finding's own partition and region, or
//! of a product the config trusts, may drive a change; and only for a resource of the finding's own account,
//! partition and region.

use crate::model::arn::{partition_of_region, Arn};
use crate::model::{Finding, ResourceRef};

/// Why a finding may, or may not, drive a playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Produced by Security Hub's own controls.
    SecurityHub,
    /// Produced by a product `[policy] trusted_products` names (the pattern that matched).
    TrustedByConfig(String),
    /// Not to be trusted with a change: why, in words.
    Untrusted(String),
}

/// The products whose findings may drive a playbook besides Security Hub's own: product ARNs, `*` matching any run
/// of characters (`arn:aws:securityhub:*:111111111111:product/111111111111/default`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProducts(pub Vec<String>);

impl TrustedProducts {
    /// Decides the provenance of `finding`: its product first, then its primary resource.
    pub fn provenance(&self, finding: &Finding) -> Provenance {
        let product = match security_hub_product(finding) {
            Ok(()) => Provenance::SecurityHub,
            Err(why) => match self.0.iter().find(|pattern| glob_matches(pattern, &finding.product_arn)) {
                Some(pattern) => Provenance::TrustedByConfig(pattern.clone()),
                None => return Provenance::Untrusted(why),
            },
        };
        match finding.primary_resource().map(|r| resource_fits(finding, r)) {
            Some(Err(why)) => Provenance::Untrusted(why),
            _ => product,
        }
    }
}

/// `Ok` when the finding's product is Security Hub's own, in the finding's partition and region.
fn security_hub_product(finding: &Finding) -> Result<(), String> {
    let product_arn = finding.product_arn.as_ref();
    let partition = partition_of_region(&finding.region);
    // The common case, without splitting: `arn:<partition>:securityhub:<region>::product/aws/securityhub`.
    let own_here = product_arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.strip_prefix(partition))
        .and_then(|rest| rest.strip_prefix(":securityhub:"))
        .and_then(|rest| rest.strip_prefix(&*finding.region))
        .is_some_and(|rest| matches!(rest, "::product/aws/securityhub" | "::productv2/aws/securityhub"));
    if own_here {
        return Ok(());
    }
    let own_elsewhere = Arn::parse(product_arn).filter(|arn| {
        arn.service == "securityhub"
            && arn.account.is_empty()
            && matches!(arn.resource, "product/aws/securityhub" | "productv2/aws/securityhub")
    });
    Err(match own_elsewhere {
        Some(arn) => format!(
            "product {product_arn} is Security Hub's in {}/{}, but the finding says it is from {partition}/{}: \
             its findings cannot drive a fix",
            arn.partition, arn.region, finding.region
        ),
        None => format!(
            "product {product_arn} ({}) is not Security Hub's own controls, so its findings cannot drive a fix \
             (an organisation that imports its own control findings can trust it with [policy] trusted_products)",
            finding.product_name
        ),
    })
}

/// `Ok` when `resource` is in the finding's own account, partition and region, as far as its id and region tell.
fn resource_fits(finding: &Finding, resource: &ResourceRef) -> Result<(), String> {
    let id = resource.id.as_str();
    let account: &str = &finding.account_id;
    let elsewhere = |what: &str| {
        format!("resource {id} is {what}, not the finding's; hubtriage changes a resource only in the account and region of the finding about it")
    };
    if let Some(arn) = Arn::parse(id) {
        let partition = partition_of_region(&finding.region);
        if arn.partition != partition {
            return Err(elsewhere(&format!("in partition {}", arn.partition)));
        }
        if !arn.account.is_empty() && arn.account != account {
            return Err(elsewhere(&format!("in account {}", arn.account)));
        }
        if !arn.region.is_empty() && arn.region != &*finding.region {
            return Err(elsewhere(&format!("in region {}", arn.region)));
        }
    } else if let Some(owner) = id.strip_prefix("AWS::::Account:") {
        if owner != account {
            return Err(elsewhere(&format!("account {owner}")));
        }
    }
    match resource.region.as_deref() {
        Some(region) if !region.is_empty() && region != &*finding.region => {
            Err(elsewhere(&format!("in region {region} (its Region field)")))
        }
        _ => Ok(()),
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (none included).
fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let Some(first) = pieces.next() else { return false };
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else { return rest.is_empty() };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
