//! Findings practitioners warn against fixing automatically — unused IAM roles, anything that stops or scales
//! compute, anything that deletes data — get `manual` with the reason, never a plan.

use crate::model::Finding;
use std::cell::RefCell;
use std::sync::Arc;

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
    if names_unused_role_cached(finding) {
        return Some(
            "practitioners advise against automating this fix: a role unused for a while may still be what a rare \
             job, a break-glass procedure or another account relies on"
                .into(),
        );
    }
    None
}

/// Answers remembered per thread, by title: a finding's title and types are shared copies that thousands of findings
/// repeat. An answer is kept with the texts it is for, so it is only reused for those very texts.
struct Remembered {
    title: Arc<str>,
    types: Vec<Arc<str>>,
    unused_role: bool,
}

/// Remembered answers (a power of two): room for the few hundred titles of all the controls.
const REMEMBERED: usize = 1024;

thread_local! {
    static ANSWERS: RefCell<Vec<Option<Remembered>>> = RefCell::new((0..REMEMBERED).map(|_| None).collect());
}

/// [`names_unused_role`] of the finding's types then title, remembered.
fn names_unused_role_cached(finding: &Finding) -> bool {
    let (title, types) = (&finding.title, &finding.types);
    let compute = || names_unused_role(types.iter().map(|t| t.as_ref()).chain([title.as_ref()]));
    let address = Arc::as_ptr(title) as *const u8 as usize as u64;
    let slot = (address.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize % REMEMBERED;
    let same = |r: &Remembered| {
        Arc::ptr_eq(&r.title, title)
            && r.types.len() == types.len()
            && r.types.iter().zip(types).all(|(a, b)| Arc::ptr_eq(a, b))
    };
    let remembered = ANSWERS.try_with(|answers| {
        let mut answers = answers.try_borrow_mut().ok()?;
        let entry = answers.get_mut(slot)?;
        if let Some(known) = entry.as_ref().filter(|r| same(r)) {
            return Some(known.unused_role);
        }
        let unused_role = compute();
        *entry = Some(Remembered { title: title.clone(), types: types.clone(), unused_role });
        Some(unused_role)
    });
    remembered.ok().flatten().unwrap_or_else(compute)
}

/// Whether the words, their ASCII letters and digits alone run together in lower case, say `unusediamrole` or
/// `unusedrole`. Read byte by byte with no copy: this runs for every finding (a byte of a multi-byte character is
/// never an ASCII letter or digit, so the bytes give what the characters would).
fn names_unused_role<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    const NEEDLES: [&[u8]; 2] = [b"unusediamrole", b"unusedrole"];
    // The last 16 letters and digits, the newest in the lowest byte.
    let mut window = 0u128;
    for b in words.flat_map(str::bytes).filter(u8::is_ascii_alphanumeric) {
        window = window << 8 | u128::from(b.to_ascii_lowercase());
        // Both needles end in `e`: only then can one end here.
        if window as u8 == b'e'
            && NEEDLES.iter().any(|needle| {
                let tail = needle.iter().fold(0u128, |acc, &n| acc << 8 | u128::from(n));
                window & ((1u128 << (8 * needle.len())) - 1) == tail
            })
        {
            return true;
        }
    }
    false
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
        // Across the words (the types, then the title), through punctuation; a character of another script is
        // left out, not read as a letter.
        f.types = vec!["x/Un-Used".into()];
        f.title = "I.A.M Rôle".into();
        assert!(caution(&f).is_none());
        f.title = "I.A.M r_o_l_e".into();
        assert!(caution(&f).is_some_and(|w| w.contains("role unused")), "{:?}", caution(&f));
        f.types.clear();
        // An answer remembered for a title is not given for other types with that title, nor for another title.
        let title: Arc<str> = "IAM role".into();
        (f.title, f.types) = (title.clone(), vec!["x/Unused".into()]);
        assert!(caution(&f).is_some());
        f.types = vec!["x/Used".into()];
        assert!(caution(&f).is_none());
        f.types = vec!["x/Unused".into()];
        assert!(caution(&f).is_some());
        f.title = "IAM rule".into();
        assert!(caution(&f).is_none());
        f.types.clear();
        for other in ["unused xrole", "used role", "unuse drol", "an unused role-less", "UNUSED-IAM-R0LE"] {
            f.title = other.into();
            assert_eq!(caution(&f).is_some(), other == "an unused role-less", "{other}");
        }
    }
}
