//! VPCs, security groups and instances: scripted stories per account and region plus seeded filler.

use super::ec2_stories::{group, scripted_groups, scripted_instances, InstanceSpec, OFFICE, VPN, WORLD};
use super::org::{add_exception_tags, add_stack_tags, team_tags, Place, SimGroup, SimInstance};
use super::rng::SplitMix64;
use crate::playbook::{SecurityGroupRule, SecurityGroupState};
use chrono::Duration;
use std::collections::BTreeMap;

static FILLER_SERVICES: [&str; 14] = [
    "worker",
    "cache",
    "batch",
    "etl",
    "nginx",
    "redis",
    "kafka",
    "airflow",
    "metabase",
    "vpn",
    "mail",
    "ftp",
    "ldap",
    "memcached",
];
const FILLER_PORTS: [i32; 14] = [443, 80, 8080, 6379, 9092, 5432, 3306, 22, 25, 21, 5601, 8088, 3389, 11211];

/// The security groups and instances of one account and region.
pub(super) fn network(place: &Place, rng: &mut SplitMix64) -> (Vec<SimGroup>, Vec<SimInstance>) {
    let (world_percent, filler_groups, filler_instances) = match (place.class.as_str(), place.region.as_str()) {
        ("prod", "eu-west-1") => (10, (5, 7), (14, 18)),
        ("prod", _) => (10, (2, 4), (2, 3)),
        ("staging", _) => (20, (2, 4), (2, 3)),
        ("sandbox", _) => (35, (2, 3), (1, 3)),
        _ => (40, (1, 2), (1, 2)),
    };
    let account_index = place.account_id.as_bytes().get(1).and_then(|b| b.checked_sub(b'0')).map_or(0, i32::from);
    let vpc_cidr = format!("10.{}.0.0/16", 20 + account_index * 10 + i32::from(place.region.starts_with("us")));
    let vpcs: Vec<String> = (0..if place.key() == "payments-prod/eu-west-1" { 2 } else { 1 })
        .map(|_| format!("vpc-{}", rng.hex(17)))
        .collect();
    let mut specs = scripted_groups(&place.key());
    let services: Vec<&'static str> = FILLER_SERVICES.to_vec();
    for _ in 0..rng.between(filler_groups.0, filler_groups.1) {
        let name = *rng.pick(&services);
        if specs.iter().any(|s| s.name == name) {
            continue;
        }
        let mut ingress = Vec::new();
        for _ in 0..rng.between(1, 3) {
            let port = *rng.pick(&FILLER_PORTS);
            let source = if rng.percent(world_percent) || port == 443 || port == 80 {
                WORLD
            } else {
                *rng.pick(&[OFFICE, VPN, "10.0.0.0/8"])
            };
            ingress.push(("tcp", port, port, source));
        }
        specs.push(group(name, ingress));
    }
    let mut groups: Vec<SimGroup> = Vec::new();
    for (i, vpc) in vpcs.iter().enumerate() {
        // Production cleaned the default group of its main VPC; everyone else kept AWS's default rules.
        let cleaned = place.class == "prod" && i == 0;
        groups.push(default_group(place, rng, vpc, cleaned));
    }
    let main_vpc = vpcs.first().cloned().unwrap_or_default();
    let ids: Vec<(String, String)> =
        specs.iter().map(|s| (s.name.to_string(), format!("sg-{}", rng.hex(17)))).collect();
    for (spec, (_, id)) in specs.iter().zip(&ids) {
        let mut rules: Vec<SecurityGroupRule> = spec
            .ingress
            .iter()
            .map(|(proto, from, to, source)| {
                let referenced = match *source {
                    "self" => Some(id.clone()),
                    s => s
                        .strip_prefix("sg:")
                        .map(|n| ids.iter().find(|(name, _)| name == n).map_or_else(String::new, |(_, id)| id.clone())),
                };
                let (v4, v6) = match (referenced.is_some(), source.contains(':')) {
                    (true, _) => (None, None),
                    (false, true) => (None, Some(source.to_string())),
                    (false, false) => (Some(source.to_string()), None),
                };
                rule(rng, proto, *from, *to, v4, v6, referenced, false)
            })
            .collect();
        // A group cannot hold the same rule twice (seeded filler may pick a port twice); ids were drawn either way,
        // so the rest of the organisation stays the same.
        let mut seen = Vec::new();
        rules.retain(|r| {
            let key = (r.protocol.clone(), r.from_port, r.to_port, r.cidr_ipv4.clone(), r.cidr_ipv6.clone());
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        rules.push(rule(rng, "-1", -1, -1, Some(WORLD.into()), None, None, true));
        let mut tags = team_tags(place, team_of(place));
        tags.insert("Name".into(), spec.name.into());
        if rng.percent(35) {
            add_stack_tags(&mut tags, place, &format!("{}-{}", place.account_name, spec.name), "SecurityGroup");
        }
        let (exception, reason, owner) = spec.exception;
        add_exception_tags(&mut tags, exception, reason, owner, place.now);
        groups.push(SimGroup {
            state: SecurityGroupState {
                group_id: id.clone(),
                group_name: spec.name.into(),
                vpc_id: Some(main_vpc.clone()),
                account_id: place.account_id.clone(),
                region: place.region.clone(),
                rules,
                tags,
            },
            changed_at: None,
        });
    }
    let mut instance_specs = scripted_instances(&place.key());
    let filler_names: Vec<&'static str> =
        specs.iter().skip(scripted_groups(&place.key()).len()).map(|s| s.name).collect();
    for n in 0..rng.between(filler_instances.0, filler_instances.1) {
        let Some(&name) = filler_names.get(n as usize % filler_names.len().max(1)) else { break };
        let public = rng.percent(world_percent * 2);
        let groups_of: &'static [&'static str] =
            std::slice::from_ref(FILLER_SERVICES.iter().find(|s| **s == name).unwrap_or(&"worker"));
        instance_specs.push((name, "t3.medium", groups_of, public, rng.percent(60), rng.percent(80), &[], &[]));
    }
    let instances = instance_specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| instance(place, rng, &groups, &main_vpc, &vpc_cidr, i, spec))
        .collect();
    (groups, instances)
}

fn team_of(place: &Place) -> &'static str {
    match place.class.as_str() {
        "prod" => "payments",
        "staging" => "platform",
        "sandbox" => "research",
        _ => "ops",
    }
}

#[allow(clippy::too_many_arguments)]
fn rule(
    rng: &mut SplitMix64,
    proto: &str,
    from: i32,
    to: i32,
    v4: Option<String>,
    v6: Option<String>,
    group: Option<String>,
    egress: bool,
) -> SecurityGroupRule {
    SecurityGroupRule {
        rule_id: Some(format!("sgr-{}", rng.hex(17))),
        protocol: proto.into(),
        from_port: from,
        to_port: to,
        cidr_ipv4: v4,
        cidr_ipv6: v6,
        referenced_group: group,
        description: None,
        is_egress: egress,
    }
}

fn default_group(place: &Place, rng: &mut SplitMix64, vpc: &str, cleaned: bool) -> SimGroup {
    let id = format!("sg-{}", rng.hex(17));
    let rules = if cleaned {
        Vec::new()
    } else {
        vec![
            rule(rng, "-1", -1, -1, None, None, Some(id.clone()), false),
            rule(rng, "-1", -1, -1, Some(WORLD.into()), None, None, true),
        ]
    };
    SimGroup {
        state: SecurityGroupState {
            group_id: id,
            group_name: "default".into(),
            vpc_id: Some(vpc.into()),
            account_id: place.account_id.clone(),
            region: place.region.clone(),
            rules,
            tags: BTreeMap::new(),
        },
        changed_at: None,
    }
}

fn instance(
    place: &Place,
    rng: &mut SplitMix64,
    groups: &[SimGroup],
    vpc: &str,
    cidr: &str,
    index: usize,
    spec: InstanceSpec,
) -> SimInstance {
    let (name, instance_type, group_names, public, imdsv2, ssm, cves, threats) = spec;
    let mut cves = cves.to_vec();
    if cves.is_empty() && rng.percent(70) {
        let catalogue = if name.contains("win") || name.contains("rdp") {
            &super::cves::WINDOWS[..]
        } else {
            &super::cves::LINUX[..]
        };
        for _ in 0..rng.between(1, 4) {
            let cve = *rng.pick(catalogue);
            if !cves.contains(&cve) {
                cves.push(cve);
            }
        }
    }
    let group_ids: Vec<String> = group_names
        .iter()
        .filter_map(|n| groups.iter().find(|g| g.state.group_name == *n).map(|g| g.state.group_id.clone()))
        .collect();
    let world_ports: Vec<i32> = groups
        .iter()
        .filter(|g| group_ids.contains(&g.state.group_id))
        .flat_map(|g| g.state.rules.iter())
        .filter(|r| !r.is_egress && r.is_open_to_world() && r.from_port != 80 && r.from_port != 443)
        .map(|r| if r.from_port <= 0 { 22 } else { r.from_port })
        .collect();
    let mut threats: Vec<String> = threats.iter().map(|t| t.to_string()).collect();
    // Scanners find every public instance with an unusual open port within hours.
    if let (true, Some(port)) = (public, world_ports.first()) {
        threats.push(format!("port-probe:{port}"));
    }
    let platform =
        if name.contains("win") || name.contains("rdp") { "WINDOWS_SERVER_2019" } else { "AMAZON_LINUX_2023" };
    let mut tags = team_tags(place, team_of(place));
    tags.insert("Name".into(), name.into());
    if name.starts_with("payments-api") {
        tags.insert("aws:autoscaling:groupName".into(), "payments-api-asg".into());
    }
    let prefix = cidr.trim_end_matches(".0.0/16");
    let public_prefix = if place.region == "eu-west-1" { "34.245" } else { "54.164" };
    SimInstance {
        id: format!("i-{}", rng.hex(17)),
        instance_type,
        image_id: format!("ami-{}", rng.hex(17)),
        vpc_id: vpc.into(),
        subnet_id: format!("subnet-{}", rng.hex(17)),
        private_ip: format!("{prefix}.{}.{}", 1 + index % 3, rng.between(10, 250)),
        public_ip: public.then(|| format!("{public_prefix}.{}.{}", rng.between(1, 254), rng.between(1, 254))),
        imdsv2_required: imdsv2,
        ssm_managed: ssm,
        role: name.starts_with("payments-api").then(|| "payments-api-instance-role".to_string()),
        launched_at: place.now - Duration::days(rng.between(3, 400)) - Duration::minutes(rng.between(0, 1439)),
        platform,
        cves,
        threats,
        tags,
        changed_at: None,
    }
}
