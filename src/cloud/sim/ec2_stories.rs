//! The security groups and instances each account and region always has: they carry the demo's stories (a world-open
//! bastion in production, an excepted vendor SFTP group, a crypto-mining notebook in the sandbox…).

use super::org::Exception;

/// Ingress: protocol, from port, to port, source (`0.0.0.0/0`, `::/0`, a CIDR, `self` or `sg:<group name>`).
pub(super) type Ingress = (&'static str, i32, i32, &'static str);

/// A security group: name, ingress rules and exception tags (kind, reason, owner).
pub(super) struct GroupSpec {
    pub name: &'static str,
    pub ingress: Vec<Ingress>,
    pub exception: (Exception, &'static str, &'static str),
}

/// A group without an exception.
pub(super) fn group(name: &'static str, ingress: Vec<Ingress>) -> GroupSpec {
    GroupSpec { name, ingress, exception: (Exception::None, "", "") }
}

/// Sources: the world (IPv4 and IPv6), the office, the VPN.
pub(super) const WORLD: &str = "0.0.0.0/0";
const WORLD6: &str = "::/0";
pub(super) const OFFICE: &str = "203.0.113.0/24";
pub(super) const VPN: &str = "198.51.100.0/24";

/// The scripted groups of `<account name>/<region>`.
pub(super) fn scripted_groups(key: &str) -> Vec<GroupSpec> {
    match key {
        "payments-prod/eu-west-1" => vec![
            group("bastion", vec![("tcp", 22, 22, WORLD), ("tcp", 22, 22, OFFICE)]),
            group(
                "payments-api-alb",
                vec![("tcp", 443, 443, WORLD), ("tcp", 80, 80, WORLD), ("tcp", 443, 443, WORLD6)],
            ),
            group("payments-api", vec![("tcp", 8080, 8080, "sg:payments-api-alb")]),
            group("payments-db", vec![("tcp", 5432, 5432, "sg:payments-api"), ("tcp", 5432, 5432, "10.20.0.0/16")]),
            GroupSpec {
                exception: (
                    Exception::ValidDate(45),
                    "card network SFTP: vendor cannot use an IP allow-list (SEC-1388)",
                    "payments-leads@example.com",
                ),
                ..group("vendor-sftp", vec![("tcp", 22, 22, WORLD)])
            },
            group("monitoring", vec![("tcp", 9100, 9100, "10.20.0.0/16"), ("tcp", 443, 443, VPN)]),
        ],
        "payments-prod/us-east-1" => vec![
            group("reporting-db", vec![("tcp", 5432, 5432, WORLD)]),
            group("reports-web", vec![("tcp", 443, 443, WORLD)]),
        ],
        "platform-staging/eu-west-1" => vec![
            group("jumpbox-windows", vec![("tcp", 3389, 3389, WORLD)]),
            group("search", vec![("tcp", 9200, 9200, WORLD), ("tcp", 9300, 9300, "10.30.0.0/16")]),
            group("bastion-v6", vec![("tcp", 22, 22, WORLD6), ("tcp", 22, 22, OFFICE)]),
        ],
        "platform-staging/us-east-1" => {
            vec![group("ci-runners", vec![("tcp", 22, 22, VPN)]), group("grafana", vec![("tcp", 3000, 3000, WORLD)])]
        }
        "research-sandbox/eu-west-1" => vec![
            group("experiment-open", vec![("-1", -1, -1, WORLD)]),
            group("mysql-test", vec![("tcp", 3306, 3306, WORLD)]),
            group("gpu-notebooks", vec![("tcp", 8888, 8888, OFFICE), ("tcp", 22, 22, WORLD)]),
        ],
        "research-sandbox/us-east-1" => vec![group("jupyter", vec![("tcp", 8888, 8888, WORLD)])],
        "legacy-ops/us-east-1" => vec![
            group("ops-tools", vec![("tcp", 0, 65535, WORLD), ("tcp", 0, 65535, WORLD6)]),
            group("kibana", vec![("tcp", 5601, 5601, WORLD)]),
        ],
        "legacy-ops/eu-west-1" => vec![group("old-rdp", vec![("tcp", 3389, 3389, WORLD), ("udp", 3389, 3389, WORLD)])],
        _ => Vec::new(),
    }
}

/// Instances: name, type, group names, public IP, IMDSv2 required, SSM managed, CVEs, GuardDuty threats.
pub(super) type InstanceSpec = (
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    bool,
    bool,
    &'static [&'static str],
    &'static [&'static str],
);

/// The scripted instances of `<account name>/<region>`.
pub(super) fn scripted_instances(key: &str) -> Vec<InstanceSpec> {
    match key {
        "payments-prod/eu-west-1" => vec![
            ("bastion-1", "t3.micro", &["bastion"], true, false, true, &["CVE-2024-6387"], &[]),
            (
                "payments-api-1",
                "m6i.large",
                &["payments-api"],
                false,
                true,
                true,
                &["CVE-2023-44487", "CVE-2024-2961"],
                &["exfiltration"],
            ),
            (
                "payments-api-2",
                "m6i.large",
                &["payments-api"],
                false,
                true,
                true,
                &["CVE-2023-44487", "CVE-2024-2961"],
                &[],
            ),
            (
                "payments-api-3",
                "m6i.large",
                &["payments-api"],
                false,
                true,
                true,
                &["CVE-2023-44487", "CVE-2024-2961"],
                &[],
            ),
            (
                "payments-api-4",
                "m6i.large",
                &["payments-api"],
                false,
                true,
                true,
                &["CVE-2023-44487", "CVE-2024-2961"],
                &[],
            ),
            (
                "settlement-batch-1",
                "c6i.2xlarge",
                &["monitoring"],
                false,
                false,
                true,
                &["CVE-2023-5363", "CVE-2022-48303"],
                &[],
            ),
            (
                "kafka-broker-1",
                "r6i.xlarge",
                &["monitoring"],
                false,
                true,
                true,
                &["CVE-2023-0286", "CVE-2023-38545"],
                &[],
            ),
            (
                "kafka-broker-2",
                "r6i.xlarge",
                &["monitoring"],
                false,
                true,
                false,
                &["CVE-2023-0286", "CVE-2023-38545"],
                &[],
            ),
            ("sftp-gateway", "t3.small", &["vendor-sftp"], true, true, true, &[], &[]),
        ],
        "payments-prod/us-east-1" => {
            vec![("reporting-1", "r6i.large", &["reports-web"], true, false, true, &["CVE-2023-38545"], &[])]
        }
        "platform-staging/eu-west-1" => vec![
            (
                "jumpbox-win",
                "t3.large",
                &["jumpbox-windows"],
                true,
                false,
                true,
                &["CVE-2024-38063"],
                &["rdp-brute-force"],
            ),
            ("search-1", "r6g.large", &["search"], true, true, true, &[], &[]),
            (
                "build-runner",
                "c6i.xlarge",
                &["bastion-v6"],
                false,
                false,
                true,
                &["CVE-2024-3094", "CVE-2023-4863"],
                &[],
            ),
        ],
        "platform-staging/us-east-1" => {
            vec![("grafana-1", "t3.medium", &["grafana"], true, true, false, &["CVE-2023-4863"], &[])]
        }
        "research-sandbox/eu-west-1" => vec![
            ("gpu-notebook-1", "p3.2xlarge", &["gpu-notebooks"], true, false, false, &["CVE-2024-3094"], &["crypto"]),
            ("experiment-1", "t3.medium", &["experiment-open"], true, false, false, &[], &[]),
        ],
        "research-sandbox/us-east-1" => {
            vec![("jupyter-1", "g5.xlarge", &["jupyter"], true, false, false, &["CVE-2022-40897"], &[])]
        }
        "legacy-ops/us-east-1" => vec![
            ("ops-tools-1", "m4.large", &["ops-tools"], true, false, false, &["CVE-2023-0286", "CVE-2022-37434"], &[]),
            ("kibana-1", "t2.medium", &["kibana"], true, false, false, &["CVE-2024-6387"], &[]),
        ],
        "legacy-ops/eu-west-1" => {
            vec![("rdp-host", "t2.large", &["old-rdp"], true, false, false, &["CVE-2024-38063"], &[])]
        }
        _ => Vec::new(),
    }
}
