"""Seeds a moto server with findings from the shared ASFF samples, and times the AWS CLI fetching them.

seed:        seed_moto.py ENDPOINT ACCOUNTS REGIONS PER_SOURCE ASFF_DIR
CLI timing:  seed_moto.py --cli-timing ENDPOINT ACCOUNTS REGIONS
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


def seed(endpoint, accounts, regions, per_source, asff_dir):
    pool = samples(asff_dir)
    started = time.time()
    for account in accounts:
        creds = credentials(endpoint, account)
        for region in regions:
            hub = boto3.client("securityhub", endpoint_url=endpoint, region_name=region,
                               config=Config(parameter_validation=False), **creds)
            hub.enable_security_hub()
            batch = [rewrite(pool[n % len(pool)], account, region, n) for n in range(per_source)]
            for i in range(0, len(batch), 100):
                result = hub.batch_import_findings(Findings=batch[i:i + 100])
                if result["FailedCount"]:
                    sys.exit(f"import failed: {result['FailedFindings'][:1]}")
    total = per_source * len(accounts) * len(regions)
    print(f"seeded {total} findings over {len(accounts)} accounts x {len(regions)} regions in {time.time() - started:.1f}s")


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
        endpoint, accounts, regions = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
        seed(endpoint, accounts, regions, int(sys.argv[4]), sys.argv[5])
