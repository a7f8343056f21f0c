"""GetFindings' Filters on moto's ASFF findings, which moto ignores (it answers every finding, whatever the filters).
String and date filters, as the Security Hub API reference documents them (AwsSecurityFindingFilters, StringFilter,
DateFilter):

- EQUALS and PREFIX filters of one attribute are OR-ed; NOT_EQUALS and PREFIX_NOT_EQUALS filters of one attribute
  are AND-ed, after the PREFIX ones; EQUALS together with NOT_EQUALS or PREFIX_NOT_EQUALS on one attribute is an
  error; attributes are AND-ed. A finding without the attribute matches only the negative comparisons (a finding
  imported without RecordState or Workflow has the ACTIVE and NEW Security Hub gives it).
- A date filter holds between Start and End (both inclusive, either may be left out), or within the last DateRange
  days.

An attribute outside those below is refused by name (InvalidInputException), so a test never passes on a filter that
was not applied.
"""

import datetime

# Attribute -> path into the finding; a path through "Resources" matches any resource.
STRING = {
    "Id": ("Id",), "ProductArn": ("ProductArn",), "ProductName": ("ProductName",), "CompanyName": ("CompanyName",),
    "GeneratorId": ("GeneratorId",), "AwsAccountId": ("AwsAccountId",), "Region": ("Region",), "Title": ("Title",),
    "RecordState": ("RecordState",), "WorkflowStatus": ("Workflow", "Status"),
    "ComplianceStatus": ("Compliance", "Status"), "ComplianceSecurityControlId": ("Compliance", "SecurityControlId"),
    "SeverityLabel": ("Severity", "Label"), "ResourceType": ("Resources", "Type"), "ResourceId": ("Resources", "Id"),
    "ResourceRegion": ("Resources", "Region"),
}
DATE = {"UpdatedAt": ("UpdatedAt",), "CreatedAt": ("CreatedAt",), "FirstObservedAt": ("FirstObservedAt",),
        "LastObservedAt": ("LastObservedAt",)}
# What Security Hub sets on import when a finding gives none.
IMPORT_DEFAULTS = {"RecordState": "ACTIVE", "WorkflowStatus": "NEW"}
POSITIVE = ("EQUALS", "PREFIX")
NEGATIVE = ("NOT_EQUALS", "PREFIX_NOT_EQUALS")


class FilterError(ValueError):
    """A filter AWS would refuse, or one this emulator does not apply."""


def values_at(finding, path):
    """The values at `path` in `finding` (every resource's, for a path through Resources)."""
    if path[0] == "Resources":
        return [r.get(path[1]) for r in finding.get("Resources") or [] if r.get(path[1]) is not None]
    value = finding
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return [] if value is None else [value]


def string_match(name, values, filters):
    comparisons = {f.get("Comparison") for f in filters}
    unknown = comparisons - set(POSITIVE) - set(NEGATIVE)
    if unknown:
        raise FilterError(f"{name}: comparison {sorted(unknown)[0]} is not supported")
    if "EQUALS" in comparisons and comparisons & set(NEGATIVE):
        raise FilterError(f"{name}: EQUALS cannot be combined with NOT_EQUALS or PREFIX_NOT_EQUALS")

    def hit(value, f):
        wanted = f.get("Value", "")
        return value == wanted if f["Comparison"] in ("EQUALS", "NOT_EQUALS") else value.startswith(wanted)

    positive = [f for f in filters if f["Comparison"] in POSITIVE]
    negative = [f for f in filters if f["Comparison"] in NEGATIVE]
    if positive and not any(hit(v, f) for v in values for f in positive):
        return False
    return not any(hit(v, f) for v in values for f in negative)


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)


def date_match(name, values, filters, now):
    for f in filters:
        if "DateRange" in f:
            days = f["DateRange"].get("Value")
            if f["DateRange"].get("Unit", "DAYS") != "DAYS" or not isinstance(days, int):
                raise FilterError(f"{name}: DateRange needs a Value in DAYS")
            start, end = now - datetime.timedelta(days=days), now
        else:
            if "Start" not in f and "End" not in f:
                raise FilterError(f"{name}: a date filter needs Start, End or DateRange")
            start = moment(f["Start"]) if "Start" in f else None
            end = moment(f["End"]) if "End" in f else None
        if not any((start is None or start <= moment(v)) and (end is None or moment(v) <= end) for v in values):
            return False
    return True


def matches(finding, filters, now=None):
    """Whether `finding` (ASFF, a dict) passes `filters` (AwsSecurityFindingFilters, as sent)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    for name, given in (filters or {}).items():
        if not given:
            continue
        if name in STRING:
            values = values_at(finding, STRING[name]) or ([IMPORT_DEFAULTS[name]] if name in IMPORT_DEFAULTS else [])
            ok = string_match(name, values, given)
        elif name in DATE:
            ok = date_match(name, values_at(finding, DATE[name]), given, now)
        else:
            raise FilterError(f"the emulator does not apply the filter {name}")
        if not ok:
            return False
    return True


def install():
    """Makes moto's GetFindings apply the filters before it pages, with its own paging and page tokens."""
    from moto.securityhub.exceptions import InvalidInputException
    from moto.securityhub.models import SecurityHubBackend
    from moto.utilities.paginator import paginate

    unfiltered = SecurityHubBackend.get_findings.__wrapped__

    @paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
    def get_findings(self, filters=None, sort_criteria=None, max_results=None):
        every = unfiltered(self, filters=None, sort_criteria=sort_criteria, max_results=max_results)
        try:
            return [f for f in every if matches(f, filters)]
        except (ValueError, TypeError) as e:  # FilterError, and dates that do not parse
            raise InvalidInputException(op="GetFindings", msg=str(e))

    SecurityHubBackend.get_findings = get_findings
