"""The emulator against the request and response shapes of the Security Hub API reference, through boto3 (the
botocore model AWS publishes), on a server of its own: BatchUpdateFindings on moto's ASFF findings, the V2 hub,
GetFindingsV2's filters, sort and paging, BatchUpdateFindingsV2, and the documented validation errors.

Run: .venv/bin/python -m unittest discover -s tests/emulator  (scripts/test runs it)
"""

import datetime
import json
import os
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.exceptions import ClientError

import hubtriage_emulator
import ocsf_filter
import serving

ACCOUNT = "123456789012"  # moto's default account for any credentials
REGION = "eu-west-1"
SHARED_OCSF = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "ocsf")


def ocsf(n, status_id=1, severity_id=3, control="S3.8", compliance="Fail", modified="2026-11-20T10:00:00.000Z",
         account=ACCOUNT, region=REGION):
    return {
        "class_uid": 2003, "class_name": "Compliance Finding", "status_id": status_id, "severity_id": severity_id,
        "cloud": {"account": {"uid": account}, "region": region, "provider": "AWS"},
        "compliance": {"control": control, "status": compliance},
        "finding_info": {"uid": f"arn:aws:securityhub:{region}:{account}:security-control/{control}/finding/f{n}",
                         "title": f"finding {n}", "modified_time_dt": modified},
        "metadata": {"uid": f"meta-{account}-{region}-{n}",
                     "product": {"uid": f"arn:aws:securityhub:{region}::productv2/aws/securityhub", "name": "Security Hub"}},
        "resources": [{"uid": f"bucket-{n}", "uid_alt": f"arn:aws:s3:::bucket-{n}", "type": "AWS::S3::Bucket",
                       "tags": [{"name": "env", "value": "prod" if n % 2 else "dev"}]}],
    }


class Emulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server, cls.endpoint = serving.start()
        cls.hub = boto3.client("securityhub", region_name=REGION, endpoint_url=cls.endpoint,
                               aws_access_key_id="testing", aws_secret_access_key="testing")

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def seed(self, findings):
        request = urllib.request.Request(f"{self.endpoint}/_hubtriage/findings-v2", method="POST",
                                         data=json.dumps(findings).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            return json.load(response)["Seeded"]

    def error(self, call, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        return caught.exception.response["Error"]["Code"], caught.exception.response["Error"]["Message"]

    # --- BatchUpdateFindings on moto's ASFF findings

    def asff(self, n):
        return {
            "SchemaVersion": "2018-10-08", "Id": f"asff-{n}", "GeneratorId": "security-control/S3.8",
            "ProductArn": f"arn:aws:securityhub:{REGION}::product/aws/securityhub", "AwsAccountId": ACCOUNT,
            "Types": ["Software and Configuration Checks"], "CreatedAt": "2026-11-01T00:00:00Z",
            "UpdatedAt": "2026-11-02T00:00:00Z", "Severity": {"Label": "HIGH"}, "Title": "t", "Description": "d",
            "Workflow": {"Status": "NEW"}, "Resources": [{"Type": "AwsS3Bucket", "Id": f"arn:aws:s3:::b{n}"}],
        }

    def test_a_finding_set_resolved_reads_back_resolved_with_its_note_and_the_same_updated_at(self):
        self.hub.batch_import_findings(Findings=[self.asff(1), self.asff(2)])
        ident = {"Id": "asff-1", "ProductArn": f"arn:aws:securityhub:{REGION}::product/aws/securityhub"}
        missing = {"Id": "nope", "ProductArn": ident["ProductArn"]}
        out = self.hub.batch_update_findings(FindingIdentifiers=[ident, missing], Workflow={"Status": "RESOLVED"},
                                             Note={"Text": "fixed by hubtriage", "UpdatedBy": "hubtriage"})
        self.assertEqual(out["ProcessedFindings"], [ident])
        self.assertEqual([(u["FindingIdentifier"], u["ErrorCode"]) for u in out["UnprocessedFindings"]],
                         [(missing, "FindingNotFound")])
        found = {f["Id"]: f for f in self.hub.get_findings()["Findings"]}
        self.assertEqual(found["asff-1"]["Workflow"]["Status"], "RESOLVED")
        self.assertEqual(found["asff-1"]["Note"]["Text"], "fixed by hubtriage")
        self.assertEqual(found["asff-1"]["UpdatedAt"], "2026-11-02T00:00:00Z", "UpdatedAt is not moved")
        self.assertEqual(found["asff-2"]["Workflow"]["Status"], "NEW", "only the named finding changed")

    def test_batch_update_findings_validates_as_documented(self):
        ident = {"Id": "asff-1", "ProductArn": f"arn:aws:securityhub:{REGION}::product/aws/securityhub"}
        cases = [
            dict(FindingIdentifiers=[], Workflow={"Status": "RESOLVED"}),
            dict(FindingIdentifiers=[ident] * 101, Workflow={"Status": "RESOLVED"}),
            dict(FindingIdentifiers=[ident]),
            dict(FindingIdentifiers=[ident], Workflow={"Status": "DONE"}),
            dict(FindingIdentifiers=[ident], Note={"Text": "x" * 513, "UpdatedBy": "me"}),
            dict(FindingIdentifiers=[ident], Confidence=101),
        ]
        for case in cases:
            with self.subTest(case=str(case)[:80]):
                code, _ = self.error(self.hub.batch_update_findings, **case)
                self.assertEqual(code, "InvalidInputException")

    # --- the new Security Hub (V2)

    def test_v2_is_off_until_enabled_or_seeded(self):
        other = boto3.client("securityhub", region_name="ap-south-1", endpoint_url=self.endpoint,
                             aws_access_key_id="testing", aws_secret_access_key="testing")
        self.assertEqual(self.error(other.describe_security_hub_v2)[0], "ResourceNotFoundException")
        self.assertEqual(self.error(other.get_findings_v2)[0], "AccessDeniedException")
        arn = other.enable_security_hub_v2()["HubV2Arn"]
        self.assertIn("ap-south-1", arn)
        self.assertTrue(other.describe_security_hub_v2()["SubscribedAt"])
        self.assertEqual(other.get_findings_v2()["Findings"], [])

    def test_get_findings_v2_filters_sorts_and_pages(self):
        # A region of its own: the other tests' findings stay out.
        region = "eu-north-1"
        hub = boto3.client("securityhub", region_name=region, endpoint_url=self.endpoint,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        self.seed([ocsf(n, status_id=1 + n % 2, severity_id=1 + n % 5, region=region,
                        modified=f"2026-11-{10 + n:02d}T10:00:00.000Z") for n in range(10)])
        self.seed([ocsf(99, compliance="Pass", region=region)])

        def uids(**kwargs):
            out, token = [], None
            while True:
                page = hub.get_findings_v2(**kwargs, **({"NextToken": token} if token else {}))
                out += [f["finding_info"]["title"] for f in page["Findings"]]
                token = page.get("NextToken")
                if not token:
                    return out

        open_failed = {"CompositeFilters": [{
            "NumberFilters": [{"FieldName": "status_id", "Filter": {"Eq": 1}}],
            "StringFilters": [{"FieldName": "compliance.status", "Filter": {"Value": "Pass", "Comparison": "NOT_EQUALS"}}],
        }]}
        self.assertEqual(sorted(uids(Filters=open_failed, MaxResults=2)), [f"finding {n}" for n in range(0, 10, 2)])
        by_severity = uids(Filters=open_failed, SortCriteria=[{"Field": "severity_id", "SortOrder": "desc"}])
        self.assertEqual(by_severity, ["finding 4", "finding 8", "finding 2", "finding 6", "finding 0"])
        either = {"CompositeOperator": "OR", "CompositeFilters": [
            {"StringFilters": [{"FieldName": "finding_info.title", "Filter": {"Value": "finding 3", "Comparison": "EQUALS"}}]},
            {"StringFilters": [{"FieldName": "resources.uid", "Filter": {"Value": "bucket-9", "Comparison": "PREFIX"}}]},
        ]}
        self.assertEqual(sorted(uids(Filters=either)), ["finding 3", "finding 9", "finding 99"])
        since = {"CompositeFilters": [{"DateFilters": [
            {"FieldName": "finding_info.modified_time_dt", "Filter": {"Start": "2026-11-17T00:00:00Z",
                                                                        "End": "2026-11-30T00:00:00Z"}}]}]}
        self.assertEqual(sorted(uids(Filters=since)), ["finding 7", "finding 8", "finding 9", "finding 99"])
        tagged = {"CompositeFilters": [{"MapFilters": [
            {"FieldName": "resources.tags", "Filter": {"Key": "env", "Value": "dev", "Comparison": "EQUALS"}}]}]}
        self.assertEqual(len(uids(Filters=tagged)), 5)

    def test_get_findings_v2_refuses_what_aws_refuses(self):
        self.seed([ocsf(n) for n in range(3)])
        first = self.hub.get_findings_v2(MaxResults=1)
        other = {"CompositeFilters": [{"NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 1}}]}]}
        cases = [
            dict(NextToken=first["NextToken"], Filters=other),  # a token for another request
            dict(NextToken="not-a-token"),
            dict(Filters={"CompositeFilters": [{"StringFilters": [
                {"FieldName": "no.such.field", "Filter": {"Value": "x", "Comparison": "EQUALS"}}]}]}),
            dict(Filters={"CompositeFilters": [{"DateFilters": [
                {"FieldName": "finding_info.modified_time_dt", "Filter": {"Start": "yesterday"}}]}]}),
        ]
        for case in cases:
            with self.subTest(case=str(case)[:80]):
                self.assertEqual(self.error(self.hub.get_findings_v2, **case)[0], "ValidationException")

    def test_get_finding_statistics_v2_counts_per_rule_with_its_filters(self):
        region = "sa-east-1"
        hub = boto3.client("securityhub", region_name=region, endpoint_url=self.endpoint,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        findings = [ocsf(n, severity_id=4 if n < 3 else 2, control="S3.8" if n % 2 else "EC2.13", region=region)
                    for n in range(5)]
        for f in findings:
            f["severity"] = {4: "High", 2: "Low"}[f["severity_id"]]
        findings[4]["status_id"] = 4
        self.seed(findings)
        open_only = {"CompositeFilters": [{"NumberFilters": [{"FieldName": "status_id", "Filter": {"Lte": 2}}]}]}
        out = hub.get_finding_statistics_v2(GroupByRules=[
            {"GroupByField": "severity", "Filters": open_only},
            {"GroupByField": "compliance.control"},
        ])
        by_field = {r["GroupByField"]: [(v["FieldValue"], v["Count"]) for v in r["GroupByValues"]]
                    for r in out["GroupByResults"]}
        self.assertEqual(by_field["severity"], [("High", 3), ("Low", 1)])
        self.assertEqual(by_field["compliance.control"], [("EC2.13", 3), ("S3.8", 2)])
        asc = hub.get_finding_statistics_v2(GroupByRules=[{"GroupByField": "severity"}], SortOrder="asc",
                                            MaxStatisticResults=1)
        self.assertEqual(asc["GroupByResults"][0]["GroupByValues"], [{"FieldValue": "Low", "Count": 2}])
        for case in [dict(GroupByRules=[{"GroupByField": "severity"}] * 6),
                     dict(GroupByRules=[{"GroupByField": "no.such.field"}]),
                     dict(GroupByRules=[{"GroupByField": "severity"}], MaxStatisticResults=401)]:
            with self.subTest(case=str(case)[:80]):
                self.assertEqual(self.error(hub.get_finding_statistics_v2, **case)[0], "ValidationException")

    def test_get_findings_trends_v2_counts_active_findings_by_severity_per_day_and_pages(self):
        region = "ca-central-1"
        hub = boto3.client("securityhub", region_name=region, endpoint_url=self.endpoint,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        findings = [ocsf(n, severity_id=5 if n == 0 else 3, region=region, control="S3.8" if n < 3 else "EC2.19")
                    for n in range(4)]
        created = ["2026-11-01T08:00:00.000Z", "2026-11-02T08:00:00.000Z", "2026-11-02T09:00:00.000Z",
                   "2026-11-03T10:00:00.000Z"]
        for finding, at in zip(findings, created):
            finding["finding_info"]["created_time_dt"] = at
        # Resolved on the 3rd: active on the 2nd, not from the 3rd on.
        findings[1]["status_id"] = 4
        findings[1]["finding_info"]["modified_time_dt"] = "2026-11-03T12:00:00.000Z"
        self.seed(findings)
        out = hub.get_findings_trends_v2(StartTime=datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
                                         EndTime=datetime.datetime(2026, 11, 4, 12, tzinfo=datetime.timezone.utc))
        self.assertEqual(out["Granularity"], "Daily")
        points = [(p["Timestamp"].strftime("%m-%d"), p["TrendsValues"]["SeverityTrends"]["Critical"],
                   p["TrendsValues"]["SeverityTrends"]["Medium"]) for p in out["TrendsMetrics"]]
        self.assertEqual(points, [("11-01", 1, 0), ("11-02", 1, 2), ("11-03", 1, 2), ("11-04", 1, 2)])
        only_s3 = {"CompositeFilters": [{"StringFilters": [
            {"FieldName": "finding_control_id", "Filter": {"Value": "S3.8", "Comparison": "EQUALS"}}]}]}
        window = dict(StartTime=datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
                      EndTime=datetime.datetime(2026, 11, 4, 12, tzinfo=datetime.timezone.utc), Filters=only_s3)
        first = hub.get_findings_trends_v2(MaxResults=3, **window)
        second = hub.get_findings_trends_v2(MaxResults=3, NextToken=first["NextToken"], **window)
        self.assertNotIn("NextToken", second)
        medium = [p["TrendsValues"]["SeverityTrends"]["Medium"] for p in first["TrendsMetrics"] + second["TrendsMetrics"]]
        self.assertEqual(medium, [0, 2, 1, 1])
        for case in [dict(StartTime=window["EndTime"], EndTime=window["StartTime"]),
                     dict(window, MaxResults=101),
                     dict(window, NextToken=first["NextToken"], Filters={}),
                     dict(window, Filters={"CompositeFilters": [{"StringFilters": [
                         {"FieldName": "no_such_field", "Filter": {"Value": "x", "Comparison": "EQUALS"}}]}]})]:
            with self.subTest(case=str(case)[:80]):
                self.assertEqual(self.error(hub.get_findings_trends_v2, **case)[0], "ValidationException")
        year = hub.get_findings_trends_v2(StartTime=datetime.datetime(2025, 11, 1, tzinfo=datetime.timezone.utc),
                                          EndTime=datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc))
        self.assertEqual(year["Granularity"], "Weekly")

    def test_batch_update_findings_v2_sets_status_and_comment_and_names_what_it_could_not(self):
        self.seed([ocsf(50), ocsf(51)])
        target = ocsf(50)
        ident = {"CloudAccountUid": ACCOUNT, "FindingInfoUid": target["finding_info"]["uid"],
                 "MetadataProductUid": target["metadata"]["product"]["uid"]}
        missing = {**ident, "FindingInfoUid": "arn:aws:securityhub:eu-west-1:123456789012:nope"}
        out = self.hub.batch_update_findings_v2(FindingIdentifiers=[ident, missing], StatusId=4,
                                                Comment="hubtriage: fixed and verified")
        self.assertEqual(out["ProcessedFindings"], [{"FindingIdentifier": ident, "MetadataUid": target["metadata"]["uid"]}])
        self.assertEqual([(u["FindingIdentifier"], u["ErrorCode"]) for u in out["UnprocessedFindings"]],
                         [(missing, "ResourceNotFoundException")])
        resolved = self.hub.get_findings_v2(Filters={"CompositeFilters": [{"StringFilters": [
            {"FieldName": "metadata.uid", "Filter": {"Value": target["metadata"]["uid"], "Comparison": "EQUALS"}}]}]})
        finding = resolved["Findings"][0]
        self.assertEqual((finding["status_id"], finding["status"], finding["comment"]),
                         (4, "Resolved", "hubtriage: fixed and verified"))
        by_uid = self.hub.batch_update_findings_v2(MetadataUids=[ocsf(51)["metadata"]["uid"]], StatusId=3)
        self.assertEqual(len(by_uid["ProcessedFindings"]), 1)
        for case in [dict(MetadataUids=["a"], FindingIdentifiers=[ident], StatusId=4), dict(MetadataUids=["a"]),
                     dict(MetadataUids=["a"], Comment="x" * 513), dict(MetadataUids=["a"], StatusId=7)]:
            with self.subTest(case=str(case)[:80]):
                self.assertEqual(self.error(self.hub.batch_update_findings_v2, **case)[0], "ValidationException")

    # --- IAM access key dates

    def date_key(self, body):
        request = urllib.request.Request(f"{self.endpoint}/_hubtriage/iam-access-key-dates", method="POST",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def test_an_access_key_can_be_backdated_and_iam_reports_those_dates(self):
        iam = boto3.client("iam", region_name="us-east-1", endpoint_url=self.endpoint,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        iam.create_user(UserName="dated")
        key = iam.create_access_key(UserName="dated")["AccessKey"]["AccessKeyId"]
        status, _ = self.date_key({"account": ACCOUNT, "access_key_id": key, "created": "2025-01-02T03:04:05Z",
                                   "last_used": "2026-06-01T00:00:00Z"})
        self.assertEqual(status, 200)
        listed = iam.list_access_keys(UserName="dated")["AccessKeyMetadata"][0]
        self.assertEqual(listed["CreateDate"].strftime("%Y-%m-%d"), "2025-01-02")
        used = iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]
        self.assertEqual(used["LastUsedDate"].strftime("%Y-%m-%d"), "2026-06-01")
        status, body = self.date_key({"account": ACCOUNT, "access_key_id": "AKIANOSUCHKEY", "created": "2025-01-02"})
        self.assertEqual(status, 400)
        self.assertIn("AKIANOSUCHKEY", body["message"])

    def test_every_shared_sample_can_be_seeded_and_read_back(self):
        found = []
        for name in sorted(os.listdir(SHARED_OCSF)) if os.path.isdir(SHARED_OCSF) else []:
            path = os.path.join(SHARED_OCSF, name)
            text = open(path, encoding="utf-8").read()
            if name.endswith(".ndjson"):
                docs = [json.loads(line) for line in text.splitlines() if line.strip()]
            elif name.endswith(".json"):
                docs = [json.loads(text)]
            else:
                continue
            for doc in docs:
                stack = [doc]
                while stack:
                    item = stack.pop()
                    if isinstance(item, dict) and "finding_info" in item and "metadata" in item:
                        found.append(item)
                    elif isinstance(item, dict):
                        stack.extend(item.values())
                    elif isinstance(item, list):
                        stack.extend(item)
        self.assertTrue(found, f"OCSF samples under {SHARED_OCSF}")
        self.seed(found)
        for finding in found:
            hub = hubtriage_emulator._hub(finding["cloud"]["account"]["uid"], finding["cloud"]["region"])
            self.assertIn(finding["metadata"]["uid"], [f["metadata"]["uid"] for f in hub["findings"]])


class Filters(unittest.TestCase):
    def test_paths_through_lists_match_any_element_and_negations_none(self):
        finding = ocsf(1)
        finding["resources"].append({"uid": "second", "type": "AWS::EC2::Instance"})
        self.assertEqual(ocsf_filter.values_at(finding, "resources.uid"), ["bucket-1", "second"])
        self.assertEqual(ocsf_filter.values_at(finding, "resources.owner.account.uid"), [])
        eq = {"StringFilters": [{"FieldName": "resources.uid", "Filter": {"Value": "second", "Comparison": "EQUALS"}}]}
        ne = {"StringFilters": [{"FieldName": "resources.uid", "Filter": {"Value": "second", "Comparison": "NOT_EQUALS"}}]}
        self.assertTrue(ocsf_filter.matches(finding, {"CompositeFilters": [eq]}, {}))
        self.assertFalse(ocsf_filter.matches(finding, {"CompositeFilters": [ne]}, {}))
        word = {"StringFilters": [{"FieldName": "finding_info.title", "Filter": {"Value": "find", "Comparison": "CONTAINS_WORD"}}]}
        self.assertFalse(ocsf_filter.matches(finding, {"CompositeFilters": [word]}, {}))

    def test_number_filters_combine_their_bounds(self):
        finding = ocsf(1, severity_id=3)
        between = {"NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 2, "Lt": 4}}]}
        above = {"NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gt": 3}}]}
        self.assertTrue(ocsf_filter.matches(finding, {"CompositeFilters": [between]}, {}))
        self.assertFalse(ocsf_filter.matches(finding, {"CompositeFilters": [above]}, {}))
        either = {"Operator": "OR", **between, "NumberFilters": between["NumberFilters"] + above["NumberFilters"]}
        self.assertTrue(ocsf_filter.matches(finding, {"CompositeFilters": [either]}, {}))


if __name__ == "__main__":
    unittest.main()
