"""S3's bucket owner condition through boto3 on a server of its own: a request that expects another owner than the
bucket's is refused with 403 AccessDenied and changes nothing; one that expects the right owner, or expects none,
reaches moto as before.

Run: .venv/bin/python -m unittest discover -s tests/emulator  (scripts/test runs it)
"""

import unittest

import boto3
from botocore.exceptions import ClientError

import serving

MINE = "123456789012"  # moto's default account for any credentials
THEIRS = "222222222222"
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}


class BucketOwner(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server, endpoint = serving.start()
        common = dict(region_name="us-east-1", endpoint_url=endpoint)
        cls.mine = boto3.client("s3", aws_access_key_id="testing", aws_secret_access_key="testing", **common)
        sts = boto3.client("sts", aws_access_key_id="testing", aws_secret_access_key="testing", **common)
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{THEIRS}:role/owner", RoleSessionName="owner-test")["Credentials"]
        cls.theirs = boto3.client("s3", aws_access_key_id=creds["AccessKeyId"],
                                  aws_secret_access_key=creds["SecretAccessKey"],
                                  aws_session_token=creds["SessionToken"], **common)
        cls.mine.create_bucket(Bucket="owned-here")
        cls.theirs.create_bucket(Bucket="owned-there")

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def error_code(self, call, **params):
        with self.assertRaises(ClientError) as caught:
            call(**params)
        return caught.exception.response["Error"]["Code"], caught.exception.response["ResponseMetadata"]["HTTPStatusCode"]

    def test_a_bucket_of_another_account_is_refused_and_left_unchanged(self):
        self.assertEqual(self.error_code(self.mine.get_bucket_tagging, Bucket="owned-there", ExpectedBucketOwner=MINE),
                         ("AccessDenied", 403))
        self.assertEqual(self.error_code(self.mine.put_public_access_block, Bucket="owned-there",
                                         PublicAccessBlockConfiguration=BLOCK_ALL, ExpectedBucketOwner=MINE),
                         ("AccessDenied", 403))
        code, _ = self.error_code(self.theirs.get_public_access_block, Bucket="owned-there")
        self.assertEqual(code, "NoSuchPublicAccessBlockConfiguration")

    def test_the_right_owner_reaches_the_bucket(self):
        self.mine.put_public_access_block(Bucket="owned-here", PublicAccessBlockConfiguration=BLOCK_ALL,
                                          ExpectedBucketOwner=MINE)
        got = self.mine.get_public_access_block(Bucket="owned-here", ExpectedBucketOwner=MINE)
        self.assertEqual(got["PublicAccessBlockConfiguration"], BLOCK_ALL)
        code, _ = self.error_code(self.theirs.get_bucket_tagging, Bucket="owned-there", ExpectedBucketOwner=THEIRS)
        self.assertEqual(code, "NoSuchTagSet")

    def test_without_the_condition_or_without_the_bucket_moto_answers_as_before(self):
        self.assertIn("LocationConstraint", self.mine.get_bucket_location(Bucket="owned-there"))
        code, status = self.error_code(self.mine.get_bucket_tagging, Bucket="no-such-bucket", ExpectedBucketOwner=MINE)
        self.assertEqual((code, status), ("NoSuchBucket", 404))


if __name__ == "__main__":
    unittest.main()
