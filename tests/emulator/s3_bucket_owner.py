"""S3's bucket owner condition, which moto ignores: a request carrying `x-amz-expected-bucket-owner` (the SDKs'
ExpectedBucketOwner) about a bucket of another account fails with 403 AccessDenied, as the S3 user guide documents
("Verifying bucket ownership with bucket owner condition"). Bucket names are global and moto lets any account read
and change any bucket, so without this a request meant for one account's bucket would reach another's unseen.

Requests are told apart as S3's by their signature's scope (`.../s3/aws4_request`); the bucket is the first segment
of the path (path-style addressing, as clients of an endpoint URL use). A bucket that does not exist is left to
moto (NoSuchBucket).
"""

import uuid

DENIED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>{id}</RequestId>"
    "<HostId>{id}</HostId></Error>"
)


def bucket_of(environ):
    """The bucket an S3 request names, or None for a request to another service or to no bucket."""
    if "/s3/aws4_request" not in environ.get("HTTP_AUTHORIZATION", ""):
        return None
    return environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0] or None


def owner_of(bucket):
    """The account that owns `bucket` in moto, or None if there is no such bucket."""
    from moto.s3.models import s3_backends

    found = s3_backends.bucket_accounts.get(bucket)
    return found[1] if found else None


def refused(environ):
    """Whether the request names a bucket whose owner is not the one it expects."""
    expected = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
    bucket = bucket_of(environ) if expected else None
    owner = owner_of(bucket) if bucket else None
    return owner is not None and owner != expected


def with_bucket_owner_check(app):
    """`app` answering 403 AccessDenied itself to S3 requests about a bucket of another account than expected."""

    def wsgi(environ, start_response):
        if not refused(environ):
            return app(environ, start_response)
        request_id = uuid.uuid4().hex
        body = DENIED.format(id=request_id).encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body))),
                                         ("x-amz-request-id", request_id)])
        return [body]

    return wsgi
