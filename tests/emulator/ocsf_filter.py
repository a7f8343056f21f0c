"""GetFindingsV2's filters, sort and paging over OCSF findings, as the Security Hub API reference describes them.

Filters: {"CompositeFilters": [...], "CompositeOperator": "AND" | "OR"}; each composite filter holds StringFilters,
DateFilters, NumberFilters, BooleanFilters, MapFilters and NestedCompositeFilters, combined with its "Operator"
(AND by default). A field names an OCSF path ("finding_info.uid", "resources.uid"); a path through a list matches
when any element matches, and a negative comparison (NOT_EQUALS, PREFIX_NOT_EQUALS, NOT_CONTAINS) when none does.
"""

import base64
import collections
import datetime
import hashlib
import json
import re

STRING_COMPARISONS = {
    "EQUALS": lambda v, x: v == x,
    "PREFIX": lambda v, x: v.startswith(x),
    "CONTAINS": lambda v, x: x in v,
    "CONTAINS_WORD": lambda v, x: re.search(r"\b" + re.escape(x) + r"\b", v) is not None,
    "NOT_EQUALS": lambda v, x: v == x,
    "PREFIX_NOT_EQUALS": lambda v, x: v.startswith(x),
    "NOT_CONTAINS": lambda v, x: x in v,
}
NEGATIVE = {"NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"}
MAX_RESULTS = 100


class ValidationError(Exception):
    """A request AWS would answer with ValidationException."""


def values_at(document, path):
    """Every value at a dotted path; lists along the way are walked element by element."""
    found = [document]
    for part in path.split("."):
        step = []
        for value in found:
            if isinstance(value, list):
                value = [v.get(part) for v in value if isinstance(v, dict)]
                step.extend(v for v in value if v is not None)
            elif isinstance(value, dict) and part in value:
                step.append(value[part])
        found = step
    flat = []
    for value in found:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def parse_time(text, what):
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{what}: {text!r} is not an ISO 8601 date-time")


def as_time(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.timezone.utc)
    try:
        return parse_time(value, "value")
    except ValidationError:
        return None


def string_match(finding, condition, fields):
    name, flt = condition.get("FieldName"), condition.get("Filter") or {}
    if fields and name not in fields:
        raise ValidationError(f"StringFilters: unsupported field {name!r}")
    comparison, wanted = flt.get("Comparison"), flt.get("Value")
    if comparison not in STRING_COMPARISONS or not isinstance(wanted, str):
        raise ValidationError(f"StringFilters[{name}]: Comparison must be one of {sorted(STRING_COMPARISONS)} with a Value")
    test = STRING_COMPARISONS[comparison]
    hits = any(test(str(v), wanted) for v in values_at(finding, name) if not isinstance(v, (dict, list)))
    return not hits if comparison in NEGATIVE else hits


def number_match(finding, condition, fields):
    name, flt = condition.get("FieldName"), condition.get("Filter") or {}
    if fields and name not in fields:
        raise ValidationError(f"NumberFilters: unsupported field {name!r}")
    tests = {"Eq": lambda v, x: v == x, "Gt": lambda v, x: v > x, "Gte": lambda v, x: v >= x,
             "Lt": lambda v, x: v < x, "Lte": lambda v, x: v <= x}
    given = {k: v for k, v in flt.items() if k in tests}
    if not given:
        raise ValidationError(f"NumberFilters[{name}]: one of Eq, Gt, Gte, Lt, Lte is required")
    numbers = [v for v in values_at(finding, name) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return any(all(tests[k](v, x) for k, x in given.items()) for v in numbers)


def date_match(finding, condition, fields, now):
    name, flt = condition.get("FieldName"), condition.get("Filter") or {}
    if fields and name not in fields:
        raise ValidationError(f"DateFilters: unsupported field {name!r}")
    start = parse_time(flt["Start"], f"DateFilters[{name}].Start") if "Start" in flt else None
    end = parse_time(flt["End"], f"DateFilters[{name}].End") if "End" in flt else None
    if "DateRange" in flt:
        rng = flt["DateRange"]
        if rng.get("Unit") != "DAYS" or not isinstance(rng.get("Value"), int):
            raise ValidationError(f"DateFilters[{name}].DateRange: Value (days) and Unit DAYS are required")
        start, end = now - datetime.timedelta(days=rng["Value"]), now
    if start is None and end is None:
        raise ValidationError(f"DateFilters[{name}]: Start, End or DateRange is required")
    for value in values_at(finding, name):
        t = as_time(value)
        if t is not None and (start is None or t >= start) and (end is None or t <= end):
            return True
    return False


def boolean_match(finding, condition):
    name, flt = condition.get("FieldName"), condition.get("Filter") or {}
    if not isinstance(flt.get("Value"), bool):
        raise ValidationError(f"BooleanFilters[{name}]: Value must be true or false")
    return flt["Value"] in [v for v in values_at(finding, name) if isinstance(v, bool)]


def map_match(finding, condition):
    name, flt = condition.get("FieldName"), condition.get("Filter") or {}
    key, wanted, comparison = flt.get("Key"), flt.get("Value"), flt.get("Comparison")
    if comparison not in ("EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS") or key is None:
        raise ValidationError(f"MapFilters[{name}]: Key, Value and Comparison are required")
    entries = []
    for value in values_at(finding, name):
        if isinstance(value, dict) and "name" in value:  # OCSF tags: [{name, value}]
            entries.append((value.get("name"), value.get("value")))
        elif isinstance(value, dict):
            entries.extend(value.items())
    test = STRING_COMPARISONS[comparison]
    hits = any(k == key and test(str(v), wanted) for k, v in entries)
    return not hits if comparison in NEGATIVE else hits


def composite_match(finding, composite, schema, now):
    results = []
    for condition in composite.get("StringFilters", []):
        results.append(string_match(finding, condition, schema.get("string")))
    for condition in composite.get("NumberFilters", []):
        results.append(number_match(finding, condition, schema.get("number")))
    for condition in composite.get("DateFilters", []):
        results.append(date_match(finding, condition, schema.get("date"), now))
    for condition in composite.get("BooleanFilters", []):
        results.append(boolean_match(finding, condition))
    for condition in composite.get("MapFilters", []):
        results.append(map_match(finding, condition))
    for nested in composite.get("NestedCompositeFilters", []):
        results.append(composite_match(finding, nested, schema, now))
    operator = composite.get("Operator", "AND")
    if operator not in ("AND", "OR"):
        raise ValidationError(f"Operator must be AND or OR, not {operator!r}")
    if not results:
        return True
    return all(results) if operator == "AND" else any(results)


def matches(finding, filters, schema, now=None):
    """Whether `finding` passes GetFindingsV2's `filters` (validating them: ValidationError)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if not filters:
        return True
    composites = filters.get("CompositeFilters", [])
    operator = filters.get("CompositeOperator", "AND")
    if operator not in ("AND", "OR"):
        raise ValidationError(f"CompositeOperator must be AND or OR, not {operator!r}")
    results = [composite_match(finding, c, schema, now) for c in composites]
    if not results:
        return True
    return all(results) if operator == "AND" else any(results)


def sort_key(field):
    def key(finding):
        values = values_at(finding, field)
        value = values[0] if values else None
        return (value is None, str(value) if not isinstance(value, (int, float)) else f"{value:020.6f}")
    return key


def request_digest(params):
    """What a NextToken is bound to: the request without its token and page size."""
    kept = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()[:16]


def page(findings, params, schema, now=None):
    """One GetFindingsV2 page: (findings, next_token)."""
    max_results = params.get("MaxResults", MAX_RESULTS)
    if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
        raise ValidationError(f"MaxResults must be between 1 and {MAX_RESULTS}")
    selected = [f for f in findings if matches(f, params.get("Filters"), schema, now)]
    for criterion in reversed(params.get("SortCriteria") or []):
        order = criterion.get("SortOrder", "asc")
        if order not in ("asc", "desc"):
            raise ValidationError("SortOrder must be asc or desc")
        selected.sort(key=sort_key(criterion.get("Field", "")), reverse=order == "desc")
    start = 0
    digest = request_digest(params)
    if params.get("NextToken"):
        start = token_offset(params["NextToken"], digest)
    end = start + max_results
    token = make_token(end, digest) if end < len(selected) else None
    return selected[start:end], token


def make_token(offset, digest):
    """A NextToken: where the next page starts, bound to the request."""
    return base64.b64encode(json.dumps({"offset": offset, "digest": digest}).encode()).decode()


def token_offset(text, digest):
    """Where a NextToken's page starts; ValidationError when it is not one, or was issued for another request."""
    try:
        token = json.loads(base64.b64decode(text))
        offset, bound = int(token["offset"]), token["digest"]
    except (ValueError, KeyError, TypeError):
        raise ValidationError("The NextToken is not valid")
    if bound != digest:
        raise ValidationError("The NextToken was issued for a different request")
    return offset


MAX_GROUP_BY_RULES = 5
MAX_STATISTIC_RESULTS = 400


def statistics(findings, params, schema, now=None):
    """GetFindingStatisticsV2's GroupByResults: per rule, the findings its Filters select, counted by the values of
    its GroupByField (a finding counts once per distinct value), largest count first unless SortOrder is asc, at most
    MaxStatisticResults values."""
    rules = params.get("GroupByRules")
    if not isinstance(rules, list) or not 1 <= len(rules) <= MAX_GROUP_BY_RULES:
        raise ValidationError(f"GroupByRules must hold 1 to {MAX_GROUP_BY_RULES} rules")
    limit = params.get("MaxStatisticResults", MAX_STATISTIC_RESULTS)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_STATISTIC_RESULTS:
        raise ValidationError(f"MaxStatisticResults must be between 1 and {MAX_STATISTIC_RESULTS}")
    order = params.get("SortOrder", "desc")
    if order not in ("asc", "desc"):
        raise ValidationError("SortOrder must be asc or desc")
    results = []
    for rule in rules:
        field = rule.get("GroupByField")
        if not field or (schema.get("group_by") and field not in schema["group_by"]):
            raise ValidationError(f"GroupByField: unsupported field {field!r}")
        counts = collections.Counter()
        for finding in findings:
            if matches(finding, rule.get("Filters"), schema, now):
                counts.update({str(v) for v in values_at(finding, field) if not isinstance(v, (dict, list))})
        sign = 1 if order == "asc" else -1
        ranked = sorted(counts.items(), key=lambda kv: (sign * kv[1], kv[0]))[:limit]
        results.append({"GroupByField": field,
                        "GroupByValues": [{"FieldValue": value, "Count": count} for value, count in ranked]})
    return results
