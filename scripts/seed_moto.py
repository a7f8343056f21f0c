"""Seeds a moto server with findings from the shared ASFF samples, and times the AWS CLI fetching them.

seed:        seed_moto.py [--with-resources] ENDPOINT ACCOUNTS REGIONS PER_SOURCE ASFF_DIR
CLI timing:  seed_moto.py --cli-timing ENDPOINT ACCOUNTS REGIONS

--with-resources: every finding about an S3 bucket, a security group, an EC2 instance or an account names one that
exists in the finding's own account and region, so hubtriage's live reads succeed (without it they fail fast on
resources that do not exist, and a timing of live plans would say nothing). Copy k of a sample (finding n is copy
n // len(samples) of sample n % len(samples)) names copy k of the sample's resource: samples that named the same
resource (several controls failing on one bucket) keep naming the same one, and no two findings are one control on
one resource. The account-level findings of a source all name that account.
"""

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config

ROLE = "Triage"
FILTERS = json.dumps({
    "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}, {"Value": "NOTIFIED", "Comparison": "EQUALS"}],
    "ComplianceStatus": [{"Value": "PASSED", "Comparison": "NOT_EQUALS"}],
})


def credentials(endpoint, account):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def samples(asff_dir):
    found = []

    def walk(x):
        if isinstance(x, dict):
            if "ProductArn" in x and "Id" in x and x.get("Resources"):
                found.append(x)
            else:
                for v in x.values():
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for path in sorted(Path(asff_dir).rglob("*.json")):
        try:
            walk(json.loads(path.read_text()))
        except (ValueError, UnicodeDecodeError):
            continue
    return found


def rewrite(sample, account, region, n):
    f = copy.deepcopy(sample)
    f.pop("matched_rule", None)
    f["Id"] = f"arn:aws:securityhub:{region}:{account}:timing/finding/{n:06}"
    f["AwsAccountId"] = account
    f["Region"] = region
    f["ProductArn"] = f"arn:aws:securityhub:{region}::product/aws/securityhub"
    f.setdefault("GeneratorId", "timing")
    f.setdefault("SchemaVersion", "2018-10-08")
    f.setdefault("Types", ["Software and Configuration Checks"])
    f.setdefault("CreatedAt", "2026-01-01T00:00:00Z")
    f.setdefault("UpdatedAt", "2026-01-01T00:00:00Z")
    f.setdefault("Title", "timing finding")
    f.setdefault("Description", "timing finding")
    f.setdefault("Severity", {"Label": "MEDIUM"})
    f["Workflow"] = {"Status": "NEW"}
    f["RecordState"] = "ACTIVE"
    f.get("FindingProviderFields", {}).get("Severity", {}).pop("Normalized", None)
    return f


class Resources:
    """Creates, once each, the resources the findings of one (account, region) name, and rewrites findings to them."""

    def __init__(self, endpoint, creds, account, region):
        self.account, self.region = account, region
        self.s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region, **creds)
        self.ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region, **creds)
        self.slots = {}  # (resource type, original id) -> a short number for names
        self.made = {}  # (resource type, original id, copy) -> the id of the resource made for it
        self.counts = {}

    def _slot(self, kind, original):
        return self.slots.setdefault((kind, original), len(self.slots))

    def _make(self, kind, original, copy):
        key = (kind, original, copy)
        if key in self.made:
            return self.made[key]
        slot = self._slot(kind, original)
        if kind == "AwsS3Bucket":
            # Bucket names are global: the account and region keep them apart.
            made = f"ht-{slot}-{copy}-{self.account}-{self.region}"
            config = {} if self.region == "us-east-1" else {
                "CreateBucketConfiguration": {"LocationConstraint": self.region}}
            self.s3.create_bucket(Bucket=made, **config)
        elif kind == "AwsEc2SecurityGroup":
            made = self.ec2.create_security_group(GroupName=f"ht-{slot}-{copy}", Description="timing")["GroupId"]
        else:
            made = self.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        self.made[key] = made
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return made

    def place(self, finding, copy):
        """Points the finding's first resource at one of this account and region, made if needed."""
        resource = finding["Resources"][0]
        kind, original = resource.get("Type"), resource.get("Id", "")
        arn = f"arn:aws:ec2:{self.region}:{self.account}"
        if kind == "AwsS3Bucket":
            resource["Id"] = f"arn:aws:s3:::{self._make(kind, original, copy)}"
        elif kind == "AwsEc2SecurityGroup":
            resource["Id"] = f"{arn}:security-group/{self._make(kind, original, copy)}"
        elif kind == "AwsEc2Instance":
            resource["Id"] = f"{arn}:instance/{self._make(kind, original, copy)}"
        elif kind == "AwsAccount":
            resource["Id"] = f"AWS::::Account:{self.account}"
        else:
            return finding
        resource["Region"] = self.region
        return finding


def seed(endpoint, accounts, regions, per_source, asff_dir, with_resources=False):
    pool = samples(asff_dir)
    started = time.time()
    made = {}
    for account in accounts:
        creds = credentials(endpoint, account)
        for region in regions:
            hub = boto3.client("securityhub", endpoint_url=endpoint, region_name=region,
                               config=Config(parameter_validation=False), **creds)
            hub.enable_security_hub()
            batch = [rewrite(pool[n % len(pool)], account, region, n) for n in range(per_source)]
            if with_resources:
                resources = Resources(endpoint, creds, account, region)
                batch = [resources.place(f, n // len(pool)) for n, f in enumerate(batch)]
                for kind, count in resources.counts.items():
                    made[kind] = made.get(kind, 0) + count
            for i in range(0, len(batch), 100):
                result = hub.batch_import_findings(Findings=batch[i:i + 100])
                if result["FailedCount"]:
                    sys.exit(f"import failed: {result['FailedFindings'][:1]}")
    total = per_source * len(accounts) * len(regions)
    print(f"seeded {total} findings over {len(accounts)} accounts x {len(regions)} regions in {time.time() - started:.1f}s")
    if with_resources:
        print("resources made: " + ", ".join(f"{count} {kind}" for kind, count in sorted(made.items())))


def cli_timing(endpoint, accounts, regions):
    def run(extra):
        procs = []
        started = time.time()
        for account in accounts:
            creds = credentials(endpoint, account)
            env = dict(os.environ, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
                       AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"],
                       AWS_SESSION_TOKEN=creds["aws_session_token"])
            for region in regions:
                cmd = ["aws", "securityhub", "get-findings", "--endpoint-url", endpoint, "--region", region,
                       "--filters", FILTERS, "--page-size", "100", "--output", "json"] + extra
                procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE))
        counts = [len(json.loads(p.communicate()[0])["Findings"]) for p in procs]
        return time.time() - started, sum(counts)

    elapsed, n = run(["--max-items", "100"])
    print(f"AWS CLI first page: {elapsed:.2f}s (4 processes, 100 findings each, {n} in all)")
    elapsed, n = run([])
    print(f"AWS CLI all {n} findings: {elapsed:.2f}s ({n / elapsed:.0f} findings/s)")


if __name__ == "__main__":
    if sys.argv[1] == "--cli-timing":
        endpoint, accounts, regions = sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(",")
        cli_timing(endpoint, accounts, regions)
    else:
        args = sys.argv[1:]
        with_resources = args[0] == "--with-resources"
        if with_resources:
            args = args[1:]
        endpoint, accounts, regions = args[0], args[1].split(","), args[2].split(",")
        seed(endpoint, accounts, regions, int(args[3]), args[4], with_resources)
