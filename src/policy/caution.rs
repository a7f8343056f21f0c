//! Findings practitioners warn against fixing automatically — unused IAM roles, anything that stops or scales
//! compute, anything that deletes data — get `manual` with the reason, never a plan.

use crate::model::Finding;

/// Controls whose fix deletes data, stops or scales compute, or removes an identity, with why.
const CONTROLS: &[(&str, &str)] = &[
    ("EC2.3", "encrypting an attached volume means copying its data and swapping it under a stopped instance"),
    (
        "EC2.4",
        "removing a stopped instance terminates it and deletes its instance-store and delete-on-termination volumes",
    ),
    ("EC2.9", "taking a public IPv4 address off an instance means stopping it or launching it again"),
    ("EC2.12", "releasing an unused Elastic IP address gives the address up for good"),
    ("EC2.22", "deleting an unused security group cannot be undone with the same group id"),
    ("EC2.24", "changing a paravirtual instance type means stopping the instance"),
    ("RDS.3", "encrypting a DB instance means restoring it from a snapshot as a new instance"),
    ("S3.13", "lifecycle rules expire objects, which deletes data"),
    ("DynamoDB.1", "scaling a table changes its capacity and cost"),
    ("Lambda.5", "moving a function into a VPC changes how it reaches everything it calls"),
    ("ECS.2", "changing a service's public IP assignment replaces its running tasks"),
    ("AutoScaling.2", "spreading a group over more zones launches and terminates instances"),
];

/// Why a finding should not be fixed automatically, when it is one of those.
pub fn caution(finding: &Finding) -> Option<String> {
    if let Some((_, why)) =
        finding.control_id.as_deref().and_then(|id| CONTROLS.iter().find(|(c, _)| c.eq_ignore_ascii_case(id)))
    {
        return Some(format!("practitioners advise against automating this fix: {why}"));
    }
    let words = finding.types.iter().map(|t| t.as_ref()).chain([finding.title.as_ref()]);
    let compact: String =
        words.flat_map(str::chars).filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    if compact.contains("unusediamrole") || compact.contains("unusedrole") {
        return Some(
            "practitioners advise against automating this fix: a role unused for a while may still be what a rare \
             job, a break-glass procedure or another account relies on"
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::control_finding;
    use crate::model::Severity;

    #[test]
    fn deleting_and_compute_controls_and_unused_roles_are_named() {
        let finding = |control: &str| control_finding(control, Severity::High, "111111111111", "AwsEc2Instance");
        let f = finding("EC2.4");
        assert!(caution(&f).is_some_and(|w| w.contains("terminates")), "{:?}", caution(&f));
        let mut f = finding("S3.8");
        assert_eq!(caution(&f), None);
        f.control_id = None;
        f.types = vec!["Software and Configuration Checks/AWS Security Best Practices/Unused IAM Role".into()];
        assert!(caution(&f).is_some_and(|w| w.contains("role unused")), "{:?}", caution(&f));
        f.types.clear();
        f.title = "Unused IAM role: ops-legacy".into();
        assert!(caution(&f).is_some_and(|w| w.contains("role unused")), "{:?}", caution(&f));
    }
}
