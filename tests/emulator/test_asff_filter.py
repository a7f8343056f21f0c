"""GetFindings' Filters on ASFF findings: the comparisons the API reference documents, as a function and through
boto3 on a server of its own (filters applied before paging, NextToken across filtered pages, refusals).

Run: .venv/bin/python -m unittest discover -s tests/emulator  (scripts/test runs it)
"""

import datetime
import unittest

import boto3
from botocore.exceptions import ClientError

import asff_filter
import serving

ACCOUNT = "123456789012"  # moto's default account for any credentials
REGION = "ca-central-1"  # a region of its own: the test modules share one moto in one process
PRODUCT = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"


def asff(n, record="ACTIVE", workflow="NEW", compliance="FAILED", updated="2026-11-20T10:00:00.000Z"):
    finding = {
        "SchemaVersion": "2018-10-08", "Id": f"finding-{n:04}", "ProductArn": PRODUCT, "GeneratorId": "gen",
        "AwsAccountId": ACCOUNT, "Types": ["Software and Configuration Checks"], "CreatedAt": updated,
        "UpdatedAt": updated, "Severity": {"Label": "HIGH"}, "Title": f"finding {n}", "Description": "d",
        "Resources": [{"Type": "AwsS3Bucket", "Id": f"arn:aws:s3:::bucket-{n}"}], "RecordState": record,
        "Workflow": {"Status": workflow},
    }
    if compliance:
        finding["Compliance"] = {"Status": compliance}
    return finding


def eq(*values, comparison="EQUALS"):
    return [{"Value": v, "Comparison": comparison} for v in values]


DEFAULT = {"RecordState": eq("ACTIVE"), "WorkflowStatus": eq("NEW", "NOTIFIED"),
           "ComplianceStatus": eq("PASSED", comparison="NOT_EQUALS")}


class Matching(unittest.TestCase):
    def test_the_default_view_keeps_active_open_findings_that_did_not_pass(self):
        self.assertTrue(asff_filter.matches(asff(1), DEFAULT))
        self.assertTrue(asff_filter.matches(asff(1, workflow="NOTIFIED", compliance=None), DEFAULT))
        self.assertFalse(asff_filter.matches(asff(1, record="ARCHIVED"), DEFAULT))
        self.assertFalse(asff_filter.matches(asff(1, workflow="RESOLVED"), DEFAULT))
        self.assertFalse(asff_filter.matches(asff(1, compliance="PASSED"), DEFAULT))

    def test_prefixes_widen_and_negations_narrow_within_one_attribute(self):
        f = {"ResourceId": eq("arn:aws:s3:::bucket-1", comparison="PREFIX")
             + eq("arn:aws:s3:::bucket-12", comparison="NOT_EQUALS")}
        self.assertTrue(asff_filter.matches(asff(1), f))
        self.assertTrue(asff_filter.matches(asff(13), f))
        self.assertFalse(asff_filter.matches(asff(12), f))
        self.assertFalse(asff_filter.matches(asff(2), f))

    def test_dates_hold_between_start_and_end_inclusive_or_within_the_last_days(self):
        f = {"UpdatedAt": [{"Start": "2026-11-20T10:00:00.000Z", "End": "2026-11-21T10:00:00Z"}]}
        self.assertTrue(asff_filter.matches(asff(1), f))
        self.assertFalse(asff_filter.matches(asff(1, updated="2026-11-20T09:59:59.999Z"), f))
        self.assertFalse(asff_filter.matches(asff(1, updated="2026-11-21T10:00:00.001Z"), f))
        now = datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc)
        recent = {"UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS"}}]}
        self.assertTrue(asff_filter.matches(asff(1), recent, now))
        self.assertFalse(asff_filter.matches(asff(1, updated="2026-11-10T00:00:00Z"), recent, now))

    def test_what_aws_refuses_or_the_emulator_does_not_apply_is_an_error_naming_it(self):
        with self.assertRaisesRegex(asff_filter.FilterError, "RecordState"):
            asff_filter.matches(asff(1), {"RecordState": eq("ACTIVE") + eq("ARCHIVED", comparison="NOT_EQUALS")})
        with self.assertRaisesRegex(asff_filter.FilterError, "NoteText"):
            asff_filter.matches(asff(1), {"NoteText": eq("x")})


class ThroughGetFindings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server, endpoint = serving.start()
        cls.hub = boto3.client("securityhub", region_name=REGION, endpoint_url=endpoint,
                               aws_access_key_id="testing", aws_secret_access_key="testing")
        findings = [asff(n, workflow="RESOLVED" if n % 2 else "NEW") for n in range(300)]
        for start in range(0, len(findings), 100):
            cls.hub.batch_import_findings(Findings=findings[start:start + 100])

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def test_filters_apply_before_paging_and_tokens_carry_across_filtered_pages(self):
        ids, token, pages = [], None, 0
        while True:
            page = self.hub.get_findings(Filters=DEFAULT, MaxResults=100, **({"NextToken": token} if token else {}))
            ids += [f["Id"] for f in page["Findings"]]
            pages += 1
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual((pages, len(ids), len(set(ids))), (2, 150, 150))
        self.assertTrue(all(int(i.split("-")[1]) % 2 == 0 for i in ids))

    def test_an_unapplied_filter_is_refused_by_name(self):
        with self.assertRaises(ClientError) as caught:
            self.hub.get_findings(Filters={"NoteText": eq("x")})
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidInputException")
        self.assertIn("NoteText", caught.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
