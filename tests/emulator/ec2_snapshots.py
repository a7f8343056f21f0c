"""DescribeSnapshots' OwnerIds and RestorableByUserIds, as the EC2 API reference documents them; moto ignores both
and answers every snapshot of the region, its own 1,291 AMI snapshots included.

- OwnerIds ("Owner.N"): only snapshots of those owners: account IDs, `self` (the caller's account) and `amazon`
  (snapshots of Amazon's own images).
- RestorableByUserIds ("RestorableBy.N"): only snapshots those users may create volumes from: `all` for public
  snapshots (create-volume permission for the group `all`), `self` for the caller's own snapshots and those shared
  with it explicitly, an account ID for snapshots shared with that account explicitly.

Values within one parameter widen the answer; the two parameters together narrow it. Without either, moto's answer
is left as it is.
"""


def owned_by(snapshot, owners, caller, amazon_images):
    """Whether `snapshot` belongs to one of `owners` (account IDs, `self`, `amazon`)."""
    for owner in owners:
        if owner == "self" and snapshot.owner_id == caller:
            return True
        if owner == "amazon" and snapshot.from_ami in amazon_images:
            return True
        if owner == snapshot.owner_id:
            return True
    return False


def restorable_by(snapshot, users, caller):
    """Whether one of `users` (`all`, `self`, account IDs) may create a volume from `snapshot`."""
    shared_with = snapshot.create_volume_permission_userids
    for user in users:
        if user == "all" and "all" in snapshot.create_volume_permission_groups:
            return True
        if user == "self" and (snapshot.owner_id == caller or caller in shared_with):
            return True
        if user in shared_with:
            return True
    return False


def narrow(snapshots, owners, users, caller, amazon_images):
    """The snapshots that pass both options (an option not given passes everything)."""
    return [
        s
        for s in snapshots
        if (not owners or owned_by(s, owners, caller, amazon_images)) and (not users or restorable_by(s, users, caller))
    ]


def install():
    """Replaces moto's DescribeSnapshots answer with one that honours the two options."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore

    def describe_snapshots(self):
        filters = self._filters_from_querystring()
        snapshot_ids = self._get_param("SnapshotIds", [])
        snapshots = self.ec2_backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
        owners = self._get_param("OwnerIds", [])
        users = self._get_param("RestorableByUserIds", [])
        if owners or users:
            amazon_images = {i.id for i in self.ec2_backend.amis.values() if i.owner_alias == "amazon"}
            snapshots = narrow(snapshots, owners, users, self.current_account, amazon_images)
        return ActionResult({"Snapshots": snapshots})

    ElasticBlockStore.describe_snapshots = describe_snapshots
