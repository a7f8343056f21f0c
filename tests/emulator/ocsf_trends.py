"""GetFindingsTrendsV2 over OCSF findings, as the Security Hub API reference describes it.

Between StartTime and EndTime (both required, StartTime before EndTime) the service returns one data point per
interval, at a granularity it chooses (Daily, Weekly or Monthly; this emulator takes Daily up to 90 days, Weekly up to
two years, Monthly beyond). Each point (Timestamp: the interval's start, UTC midnight) counts by severity the findings
active at the interval's end (or at EndTime, for the last one): created at or before it (finding_info.created_time,
else first_seen_time, else modified_time; `_dt` or epoch-millisecond forms), and either still open or closed
(Suppressed, Resolved, Archived, Deleted) after it — a closed finding's close is its finding_info.modified_time.
Filters: StringFilters on the documented FindingsTrendsStringField names (account_id, region, finding_status,
finding_control_id, …), with GetFindingsV2's comparisons and composite rules. MaxResults 1–100 points, NextToken
bound to the request.
"""

import datetime

import ocsf_filter

# FindingsTrendsStringField → the OCSF path it reads.
FIELDS = {
    "account_id": "cloud.account.uid",
    "region": "cloud.region",
    "finding_types": "finding_info.types",
    "finding_status": "status",
    "finding_cve_ids": "vulnerabilities.cve.uid",
    "finding_compliance_status": "compliance.status",
    "finding_control_id": "compliance.control",
    "finding_class_name": "class_name",
    "finding_provider": "metadata.product.name",
    "finding_activity_name": "activity_name",
}
SEVERITY = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal",
            99: "Other"}
CLOSED = {3, 4, 5, 6}
MAX_RESULTS = 100
DAY = datetime.timedelta(days=1)


def _time(info, name):
    for key, value in ((f"{name}_dt", info.get(f"{name}_dt")), (name, info.get(name))):
        if value is not None:
            t = ocsf_filter.as_time(value)
            if t is not None:
                return t
    return None


def _created(finding):
    info = finding.get("finding_info") or {}
    return _time(info, "created_time") or _time(info, "first_seen_time") or _time(info, "modified_time")


def _active_at(finding, at):
    created = _created(finding)
    if created is None or created > at:
        return False
    if finding.get("status_id") in CLOSED:
        closed = _time(finding.get("finding_info") or {}, "modified_time")
        return closed is not None and closed > at
    return True


def _translate(composite):
    """A trends composite filter as a GetFindingsV2 one (field names → OCSF paths)."""
    unknown = set(composite) - {"StringFilters", "NestedCompositeFilters", "Operator"}
    if unknown:
        raise ocsf_filter.ValidationError(f"Filters: unsupported member(s) {sorted(unknown)}")
    strings = []
    for condition in composite.get("StringFilters", []):
        name = condition.get("FieldName")
        if name not in FIELDS:
            raise ocsf_filter.ValidationError(f"StringFilters: unsupported field {name!r}")
        strings.append({**condition, "FieldName": FIELDS[name]})
    out = {"StringFilters": strings, "NestedCompositeFilters": [_translate(n) for n in
                                                               composite.get("NestedCompositeFilters", [])]}
    if "Operator" in composite:
        out["Operator"] = composite["Operator"]
    return out


def _granularity(start, end):
    span = end - start
    if span <= datetime.timedelta(days=90):
        return "Daily"
    return "Weekly" if span <= datetime.timedelta(days=731) else "Monthly"


def _next(t, granularity):
    if granularity == "Daily":
        return t + DAY
    if granularity == "Weekly":
        return t + 7 * DAY
    return t.replace(year=t.year + t.month // 12, month=t.month % 12 + 1)


def trends(findings, params):
    """GetFindingsTrendsV2's answer: {"Granularity", "TrendsMetrics", "NextToken"?}."""
    for name in ("StartTime", "EndTime"):
        if name not in params:
            raise ocsf_filter.ValidationError(f"{name} is required")
    start = ocsf_filter.parse_time(params["StartTime"], "StartTime")
    end = ocsf_filter.parse_time(params["EndTime"], "EndTime")
    if start >= end:
        raise ocsf_filter.ValidationError("StartTime must be before EndTime")
    max_results = params.get("MaxResults", MAX_RESULTS)
    if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
        raise ocsf_filter.ValidationError(f"MaxResults must be between 1 and {MAX_RESULTS}")
    filters = params.get("Filters") or {}
    translated = {**filters, "CompositeFilters": [_translate(c) for c in filters.get("CompositeFilters", [])]}
    selected = [f for f in findings if ocsf_filter.matches(f, translated, {})]
    granularity = _granularity(start, end)
    points = []
    at = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "Monthly":
        at = at.replace(day=1)
    while at <= end:
        following = _next(at, granularity)
        edge = min(following, end)
        counts = {name: 0 for name in SEVERITY.values()}
        for finding in selected:
            if _active_at(finding, edge):
                counts[SEVERITY.get(finding.get("severity_id"), "Other")] += 1
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        points.append({"Timestamp": stamp, "TrendsValues": {"SeverityTrends": counts}})
        at = following
    offset = 0
    digest = ocsf_filter.request_digest(params)
    if params.get("NextToken"):
        offset = ocsf_filter.token_offset(params["NextToken"], digest)
    body = {"Granularity": granularity, "TrendsMetrics": points[offset:offset + max_results]}
    if offset + max_results < len(points):
        body["NextToken"] = ocsf_filter.make_token(offset + max_results, digest)
    return body
