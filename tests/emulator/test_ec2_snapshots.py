"""DescribeSnapshots' OwnerIds and RestorableByUserIds through boto3 (the EC2 model AWS publishes), on a server of
its own: the answers the EC2 API reference documents for the caller's private, public and shared snapshots among
moto's own AMI snapshots.

Run: .venv/bin/python -m unittest discover -s tests/emulator  (scripts/test runs it)
"""

import unittest

import boto3

import serving

ACCOUNT = "123456789012"  # moto's default account for any credentials
OTHER = "222222222222"


class Snapshots(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server, endpoint = serving.start()
        cls.ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=endpoint,
                               aws_access_key_id="testing", aws_secret_access_key="testing")
        volume = cls.ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8)["VolumeId"]
        cls.private, cls.public, cls.shared = (cls.ec2.create_snapshot(VolumeId=volume)["SnapshotId"] for _ in range(3))
        cls.ec2.modify_snapshot_attribute(SnapshotId=cls.public, Attribute="createVolumePermission",
                                          OperationType="add", GroupNames=["all"])
        cls.ec2.modify_snapshot_attribute(SnapshotId=cls.shared, Attribute="createVolumePermission",
                                          OperationType="add", UserIds=[OTHER])

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def ids(self, **options):
        return {s["SnapshotId"] for s in self.ec2.describe_snapshots(**options)["Snapshots"]}

    def test_owner_self_answers_the_callers_own_snapshots_only(self):
        self.assertEqual(self.ids(OwnerIds=["self"]), {self.private, self.public, self.shared})
        self.assertEqual(self.ids(OwnerIds=[ACCOUNT]), {self.private, self.public, self.shared})
        self.assertEqual(self.ids(OwnerIds=[OTHER]), set())

    def test_restorable_by_all_answers_the_public_snapshots(self):
        self.assertEqual(self.ids(OwnerIds=["self"], RestorableByUserIds=["all"]), {self.public})

    def test_restorable_by_an_account_answers_the_snapshots_shared_with_it(self):
        self.assertEqual(self.ids(OwnerIds=["self"], RestorableByUserIds=[OTHER]), {self.shared})
        self.assertEqual(self.ids(OwnerIds=["self"], RestorableByUserIds=["all", OTHER]), {self.public, self.shared})
        self.assertEqual(self.ids(OwnerIds=["self"], RestorableByUserIds=["self"]),
                         {self.private, self.public, self.shared})

    def test_owner_amazon_answers_amazons_image_snapshots_and_none_of_the_callers(self):
        amazon = self.ids(OwnerIds=["amazon"])
        self.assertTrue(amazon)
        self.assertFalse(amazon & {self.private, self.public, self.shared})

    def test_without_either_option_the_answer_holds_every_snapshot_as_before(self):
        every = self.ids()
        self.assertTrue({self.private, self.public, self.shared} < every)
        self.assertGreater(len(every), 1000)


if __name__ == "__main__":
    unittest.main()
