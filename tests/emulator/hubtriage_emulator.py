"""moto's server with the Security Hub operations hubtriage depends on and moto lacks, as AWS documents them:

- BatchUpdateFindings (PATCH /findings/batchupdate) on moto's own stored ASFF findings, so a finding set RESOLVED
  reads back RESOLVED through GetFindings (UpdatedAt is left alone, as AWS leaves it; Note.UpdatedAt is set);
- the new Security Hub's EnableSecurityHubV2 / DescribeSecurityHubV2 (/hubv2), GetFindingsV2 (POST /findingsv2:
  filters, sort, MaxResults, NextToken; see ocsf_filter), GetFindingStatisticsV2 (POST /findingsv2/statistics:
  counts per GroupByRule), GetFindingsTrendsV2 (POST /findingsTrendsv2: severity counts per day, week or month; see
  ocsf_trends) and BatchUpdateFindingsV2 (PATCH /findingsv2/batchupdatev2) over OCSF findings kept per
  account and region;
- POST /_hubtriage/findings-v2 with a JSON array of OCSF findings seeds V2 findings (each in its cloud.account.uid and
  cloud.region, which get V2 enabled), for tests and scripts;
- POST /_hubtriage/iam-access-key-dates with {"account", "access_key_id", "created", "last_used"} (RFC 3339 times,
  last_used may be null) backdates an IAM access key: moto dates every key "now" and records no use, so a test of a
  playbook that acts on old or unused keys sets the dates AWS would report;
- GetFindings' Filters on moto's ASFF findings (string and date filters, see asff_filter), which moto ignores;
- DescribeSnapshots' OwnerIds and RestorableByUserIds (see ec2_snapshots), which moto ignores;
- S3's bucket owner condition (ExpectedBucketOwner, see s3_bucket_owner): moto lets any account reach any bucket.

Run: python hubtriage_emulator.py [-H HOST] [-p PORT] (the moto_server options).
"""

import datetime
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import asff_filter  # noqa: E402
import ec2_snapshots  # noqa: E402
import ocsf_filter  # noqa: E402
import ocsf_trends  # noqa: E402
import s3_bucket_owner  # noqa: E402

ASFF_WORKFLOW = ("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED")
ASFF_SEVERITY = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
ASFF_VERIFICATION = ("UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE")
OCSF_STATUS = {0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived",
               6: "Deleted", 99: "Other"}
OCSF_SEVERITY = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal",
                 99: "Other"}
MAX_NOTE = 512
MAX_BATCH = 100

_lock = threading.Lock()
# (account, region) -> {"enabled_at": str | None, "findings": [OCSF finding]}
_v2 = {}


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _hub(account, region):
    return _v2.setdefault((account, region), {"enabled_at": None, "findings": []})


def seed_v2(findings):
    """Keeps OCSF findings in their own account and region (replacing one with the same metadata.uid)."""
    with _lock:
        for finding in findings:
            account = (finding.get("cloud") or {}).get("account", {}).get("uid")
            region = (finding.get("cloud") or {}).get("region")
            uid = (finding.get("metadata") or {}).get("uid")
            if not (account and region and uid):
                raise ValueError("each finding needs cloud.account.uid, cloud.region and metadata.uid")
            hub = _hub(account, region)
            hub["enabled_at"] = hub["enabled_at"] or _now()
            hub["findings"] = [f for f in hub["findings"] if f["metadata"]["uid"] != uid] + [finding]
    return len(findings)


def _schema():
    import botocore.session

    model = botocore.session.get_session().get_service_model("securityhub")
    return {
        "string": set(model.shape_for("OcsfStringField").enum),
        "number": set(model.shape_for("OcsfNumberField").enum),
        "date": set(model.shape_for("OcsfDateField").enum),
        "group_by": set(model.shape_for("GroupByField").enum),
    }


def install():
    """Adds the operations to moto's Security Hub (before its server builds its routes)."""
    from moto.core.exceptions import JsonRESTError
    from moto.securityhub import urls
    from moto.securityhub.exceptions import InvalidInputException
    from moto.securityhub.responses import SecurityHubResponse

    schema = _schema()
    for path in ("/findings/batchupdate$", "/findingsv2$", "/findingsv2/batchupdatev2$", "/findingsv2/statistics$",
                 "/findingsTrendsv2$", "/hubv2$"):
        urls.url_paths["{0}" + path] = SecurityHubResponse.dispatch

    def validation(message):
        return JsonRESTError("ValidationException", message)

    def enabled_hub(self):
        hub = _hub(self.current_account, self.region)
        if not hub["enabled_at"]:
            raise JsonRESTError(
                "AccessDeniedException",
                f"Account {self.current_account} is not subscribed to Security Hub in {self.region}",
            )
        return hub

    def batch_update_findings(self):
        op = "BatchUpdateFindings"
        params = json.loads(self.body or "{}")
        identifiers = params.get("FindingIdentifiers")
        if not isinstance(identifiers, list) or not 1 <= len(identifiers) <= MAX_BATCH:
            raise InvalidInputException(op, f"FindingIdentifiers must hold 1 to {MAX_BATCH} identifiers")
        updates = {k: params[k] for k in ("Note", "Severity", "VerificationState", "Confidence", "Criticality",
                                          "Types", "UserDefinedFields", "Workflow", "RelatedFindings") if k in params}
        if not updates:
            raise InvalidInputException(op, "At least one field to update is required")
        note = updates.get("Note")
        if note is not None:
            if not note.get("Text") or not note.get("UpdatedBy"):
                raise InvalidInputException(op, "Note.Text and Note.UpdatedBy are both required")
            if len(note["Text"]) > MAX_NOTE:
                raise InvalidInputException(op, f"Note.Text must be at most {MAX_NOTE} characters")
            if len(note["UpdatedBy"]) > 128:
                raise InvalidInputException(op, "Note.UpdatedBy must be at most 128 characters")
        status = (updates.get("Workflow") or {}).get("Status")
        if "Workflow" in updates and status not in ASFF_WORKFLOW:
            raise InvalidInputException(op, f"Workflow.Status must be one of {', '.join(ASFF_WORKFLOW)}")
        label = (updates.get("Severity") or {}).get("Label")
        if label is not None and label not in ASFF_SEVERITY:
            raise InvalidInputException(op, f"Severity.Label must be one of {', '.join(ASFF_SEVERITY)}")
        if updates.get("VerificationState", "UNKNOWN") not in ASFF_VERIFICATION:
            raise InvalidInputException(op, f"VerificationState must be one of {', '.join(ASFF_VERIFICATION)}")
        for number in ("Confidence", "Criticality"):
            if number in updates and not (isinstance(updates[number], int) and 0 <= updates[number] <= 100):
                raise InvalidInputException(op, f"{number} must be between 0 and 100")
        processed, unprocessed = [], []
        stored = {(f.data.get("Id"), f.data.get("ProductArn")): f for f in self.securityhub_backend.findings}
        now = _now()
        for ident in identifiers:
            key = (ident.get("Id"), ident.get("ProductArn"))
            finding = stored.get(key)
            if not all(key):
                unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "InvalidInput",
                                    "ErrorMessage": "Id and ProductArn are required"})
                continue
            if finding is None:
                unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound",
                                    "ErrorMessage": "Finding Not Found"})
                continue
            data = finding.data
            if note is not None:
                data["Note"] = {"Text": note["Text"], "UpdatedBy": note["UpdatedBy"], "UpdatedAt": now}
            if status is not None:
                data["Workflow"] = {"Status": status}
                data["WorkflowState"] = {"NEW": "NEW", "NOTIFIED": "ASSIGNED", "RESOLVED": "RESOLVED",
                                         "SUPPRESSED": "RESOLVED"}[status]
            if "Severity" in updates:
                data["Severity"] = {**data.get("Severity", {}), **updates["Severity"]}
            for field in ("VerificationState", "Confidence", "Criticality", "Types", "RelatedFindings"):
                if field in updates:
                    data[field] = updates[field]
            if "UserDefinedFields" in updates:
                data["UserDefinedFields"] = {**data.get("UserDefinedFields", {}), **updates["UserDefinedFields"]}
            processed.append({"Id": key[0], "ProductArn": key[1]})
        return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})

    def enable_security_hub_v2(self):
        with _lock:
            hub = _hub(self.current_account, self.region)
            hub["enabled_at"] = hub["enabled_at"] or _now()
        return json.dumps({"HubV2Arn": f"arn:aws:securityhub:{self.region}:{self.current_account}:hubv2/default"})

    def describe_security_hub_v2(self):
        hub = _hub(self.current_account, self.region)
        if not hub["enabled_at"]:
            raise JsonRESTError("ResourceNotFoundException", "Security Hub is not enabled")
        return json.dumps({
            "HubV2Arn": f"arn:aws:securityhub:{self.region}:{self.current_account}:hubv2/default",
            "SubscribedAt": hub["enabled_at"],
        })

    def in_scope(self, params):
        """The findings a V2 read sees: the caller's own, or with Scopes.AwsOrganizations (the delegated
        administrator) the organisation's, every account and region."""
        hub = enabled_hub(self)
        with _lock:
            if params.get("Scopes", {}).get("AwsOrganizations") is not None:
                return [f for h in _v2.values() for f in h["findings"]]
            return list(hub["findings"])

    def get_findings_v2(self):
        params = json.loads(self.body or "{}")
        findings = in_scope(self, params)
        try:
            found, token = ocsf_filter.page(findings, params, schema)
        except ocsf_filter.ValidationError as e:
            raise validation(str(e))
        body = {"Findings": found}
        if token:
            body["NextToken"] = token
        return json.dumps(body)

    def get_finding_statistics_v2(self):
        params = json.loads(self.body or "{}")
        findings = in_scope(self, params)
        try:
            results = ocsf_filter.statistics(findings, params, schema)
        except ocsf_filter.ValidationError as e:
            raise validation(str(e))
        return json.dumps({"GroupByResults": results})

    def get_findings_trends_v2(self):
        params = json.loads(self.body or "{}")
        findings = in_scope(self, params)
        try:
            return json.dumps(ocsf_trends.trends(findings, params))
        except ocsf_filter.ValidationError as e:
            raise validation(str(e))

    def batch_update_findings_v2(self):
        params = json.loads(self.body or "{}")
        enabled_hub(self)
        uids, identifiers = params.get("MetadataUids"), params.get("FindingIdentifiers")
        if (uids is None) == (identifiers is None):
            raise validation("Give either MetadataUids or FindingIdentifiers")
        given = uids if uids is not None else identifiers
        if not isinstance(given, list) or not 1 <= len(given) <= MAX_BATCH:
            raise validation(f"Give 1 to {MAX_BATCH} findings")
        comment, status, severity = params.get("Comment"), params.get("StatusId"), params.get("SeverityId")
        if comment is None and status is None and severity is None:
            raise validation("At least one of Comment, SeverityId or StatusId is required")
        if comment is not None and len(comment) > MAX_NOTE:
            raise validation(f"Comment must be at most {MAX_NOTE} characters")
        if status is not None and status not in OCSF_STATUS:
            raise validation(f"StatusId must be one of {sorted(OCSF_STATUS)}")
        if severity is not None and severity not in OCSF_SEVERITY:
            raise validation(f"SeverityId must be one of {sorted(OCSF_SEVERITY)}")
        processed, unprocessed = [], []
        with _lock:
            own = _hub(self.current_account, self.region)["findings"]
            for item in given:
                if uids is not None:
                    found = [f for f in own if f["metadata"]["uid"] == item]
                    ident = {"MetadataUid": item}
                else:
                    found = [f for f in own
                             if f["cloud"]["account"]["uid"] == item.get("CloudAccountUid")
                             and f.get("finding_info", {}).get("uid") == item.get("FindingInfoUid")
                             and f["metadata"].get("product", {}).get("uid") == item.get("MetadataProductUid")]
                    ident = {"FindingIdentifier": item}
                if not found:
                    unprocessed.append({**ident, "ErrorCode": "ResourceNotFoundException",
                                        "ErrorMessage": "The finding was not found"})
                    continue
                for finding in found:
                    if status is not None:
                        finding["status_id"], finding["status"] = status, OCSF_STATUS[status]
                    if severity is not None:
                        finding["severity_id"], finding["severity"] = severity, OCSF_SEVERITY[severity]
                    if comment is not None:
                        finding["comment"] = comment
                    processed.append({**ident, "MetadataUid": finding["metadata"]["uid"]}
                                     if uids is None else {"MetadataUid": item})
        return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})

    SecurityHubResponse.batch_update_findings = batch_update_findings
    SecurityHubResponse.enable_security_hub_v2 = enable_security_hub_v2
    SecurityHubResponse.describe_security_hub_v2 = describe_security_hub_v2
    SecurityHubResponse.get_findings_v2 = get_findings_v2
    SecurityHubResponse.get_finding_statistics_v2 = get_finding_statistics_v2
    SecurityHubResponse.batch_update_findings_v2 = batch_update_findings_v2
    SecurityHubResponse.get_findings_trends_v2 = get_findings_trends_v2


def _utc(text):
    """An RFC 3339 time as the naive UTC datetime moto keeps."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def date_access_key(request):
    """Sets the creation and last-use dates of an access key (moto's own models, found by account and key id)."""
    from moto.iam.models import AccessKeyLastUsed, iam_backends

    if not isinstance(request, dict):
        raise ValueError("the body must be a JSON object")
    backend = iam_backends[request["account"]]["global"]
    for user in backend.users.values():
        for key in user.access_keys:
            if key.access_key_id == request["access_key_id"]:
                key.create_date = _utc(request["created"])
                used = request.get("last_used")
                key.last_used = AccessKeyLastUsed(_utc(used), "s3", "us-east-1") if used else None
                return 1
    raise KeyError(f"no access key {request['access_key_id']} in account {request['account']}")


def with_seeding(app):
    """`app` answering POST /_hubtriage/findings-v2 and /_hubtriage/iam-access-key-dates itself."""

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path not in ("/_hubtriage/findings-v2", "/_hubtriage/iam-access-key-dates"):
            return app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"null")
            if path == "/_hubtriage/iam-access-key-dates":
                body, status = {"Dated": date_access_key(request)}, "200 OK"
            else:
                if not isinstance(request, list):
                    raise ValueError("the body must be a JSON array of OCSF findings")
                body, status = {"Seeded": seed_v2(request)}, "200 OK"
        except (ValueError, KeyError, TypeError) as e:
            body, status = {"message": str(e)}, "400 Bad Request"
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return wsgi


def make_app():
    from moto.server import DomainDispatcherApplication, create_backend_app

    install()
    asff_filter.install()
    ec2_snapshots.install()
    return with_seeding(s3_bucket_owner.with_bucket_owner_check(DomainDispatcherApplication(create_backend_app)))


def main(argv=None):
    import argparse

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description="moto with the Security Hub operations hubtriage needs")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    run_simple(args.host, args.port, make_app(), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
