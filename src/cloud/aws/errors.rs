//! SDK errors mapped to the categories the UI shows per source.

use crate::cloud::CloudError;
use crate::model::sanitize;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Classifies a service error by its code, message and HTTP status.
pub fn classify(
    context: &str,
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
    body: &[u8],
) -> CloudError {
    let text = |what: &str| {
        let msg = message.map(sanitize::single_line).filter(|m| !m.is_empty());
        match (code, msg) {
            (Some(c), Some(m)) => format!("{context}: {c}: {m}"),
            (Some(c), None) => format!("{context}: {c}"),
            (None, Some(m)) => format!("{context}: {m}"),
            (None, None) => format!("{context}: {what}"),
        }
    };
    let html = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    match code {
        // Temporary credentials ran out mid-session (Security Hub answers HTTP 403 with ExpiredTokenException). Not a
        // denial: the caller forgets the account's session, assumes the role again and retries. Kept as `Other`,
        // which is retryable, with the code in the text, which is what the caller looks for.
        Some(c) if is_expired_token(c) => CloudError::Other(text("credentials expired")),
        // A denial that says the account has not enabled the service (the new Security Hub's operations answer so
        // where it is off) is "not enabled", which is what the user must act on.
        Some("AccessDeniedException" | "InvalidAccessException") if says_not_subscribed(message) => {
            CloudError::NotEnabled(text("not subscribed"))
        }
        Some("AccessDenied" | "AccessDeniedException" | "UnrecognizedClient" | "UnrecognizedClientException")
        | Some("InvalidClientTokenId" | "UnauthorizedOperation" | "AuthFailure" | "SignatureDoesNotMatch") => {
            CloudError::AccessDenied(text("access denied"))
        }
        Some("InvalidAccessException") => CloudError::AccessDenied(text("invalid access")),
        Some("ThrottlingException" | "TooManyRequestsException" | "LimitExceededException" | "Throttling")
        | Some("RequestLimitExceeded" | "SlowDown") => CloudError::Throttled(text("throttled")),
        Some("NoSuchBucket" | "InvalidGroup.NotFound" | "InvalidGroupId.NotFound" | "ResourceNotFoundException")
        | Some(
            "InvalidInstanceID.NotFound" | "InvalidSecurityGroupRuleId.NotFound" | "NotFound" | "NotFoundException",
        ) => CloudError::NotFound(text("not found")),
        _ if status == Some(404) && (html || code.is_none() || code == Some("404")) => {
            CloudError::Unsupported(format!(
            "{context}: the endpoint answered HTTP 404{} — this operation is not implemented there (moto lacks some \
             Security Hub operations)",
            if html { " with an HTML page" } else { "" }
        ))
        }
        _ if status == Some(403) => CloudError::AccessDenied(text("HTTP 403")),
        _ if status == Some(429) => CloudError::Throttled(text("HTTP 429")),
        _ => CloudError::Other(text(&match status {
            Some(s) => format!("HTTP {s}"),
            None => "unknown error".into(),
        })),
    }
}

/// Whether a message says the account is not subscribed to (has not enabled) the service.
fn says_not_subscribed(message: Option<&str>) -> bool {
    message.is_some_and(|m| m.to_ascii_lowercase().contains("not subscribed"))
}

/// Whether an error code says the temporary credentials (session token) have expired.
fn is_expired_token(code: &str) -> bool {
    matches!(code, "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired")
}

/// The whole chain of an error's sources, for messages that say what really went wrong.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.contains(&s) {
            parts.push(s);
        }
        cur = e.source();
    }
    sanitize::single_line(&parts.join(": "))
}

/// Maps any SDK error; `context` says what was being done ("GetFindings in 111111111111/eu-west-1").
pub fn map_sdk_error<E>(context: &str, err: SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(service) => {
            let raw = service.raw();
            let body = raw.body().bytes().unwrap_or_default();
            let e = service.err();
            classify(context, e.code(), e.message(), Some(raw.status().as_u16()), body)
        }
        SdkError::ResponseError(response) => {
            let raw = response.raw();
            let body = raw.body().bytes().unwrap_or_default();
            match classify(context, None, None, Some(raw.status().as_u16()), body) {
                CloudError::Other(_) => CloudError::Other(format!("{context}: unreadable response: {}", chain(&err))),
                other => other,
            }
        }
        SdkError::TimeoutError(_) => CloudError::Network(format!("{context}: timed out")),
        SdkError::DispatchFailure(d) => {
            // Credential resolution failures surface here too: report them as such.
            let text = chain(&err);
            if d.is_other() && text.to_ascii_lowercase().contains("credential") {
                CloudError::AccessDenied(format!("{context}: {text}"))
            } else {
                CloudError::Network(format!("{context}: {text}"))
            }
        }
        _ => CloudError::Other(format!("{context}: {}", chain(&err))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: Option<&str>, msg: Option<&str>, status: u16, body: &str) -> CloudError {
        classify("GetFindings in 1/r", code, msg, Some(status), body.as_bytes())
    }

    #[test]
    fn codes_map_to_categories() {
        assert!(matches!(c(Some("AccessDeniedException"), Some("no"), 403, ""), CloudError::AccessDenied(_)));
        assert!(matches!(c(Some("AccessDenied"), None, 403, ""), CloudError::AccessDenied(_)));
        assert!(matches!(c(Some("UnrecognizedClientException"), None, 403, ""), CloudError::AccessDenied(_)));
        let not_enabled =
            c(Some("InvalidAccessException"), Some("Account 1 is not subscribed to AWS Security Hub"), 401, "");
        assert!(
            matches!(not_enabled, CloudError::NotEnabled(ref m) if m.contains("not subscribed")),
            "{not_enabled:?}"
        );
        let v2_off =
            c(Some("AccessDeniedException"), Some("Account 1 is not subscribed to Security Hub in r"), 403, "");
        assert!(matches!(v2_off, CloudError::NotEnabled(_)), "{v2_off:?}");
        for code in ["ThrottlingException", "TooManyRequestsException", "LimitExceededException"] {
            assert!(matches!(c(Some(code), None, 429, ""), CloudError::Throttled(_)), "{code}");
        }
        assert!(c(Some("ThrottlingException"), None, 400, "").is_retryable());
        for code in ["NoSuchBucket", "InvalidInstanceID.NotFound", "NotFound"] {
            assert!(matches!(c(Some(code), Some("gone"), 404, ""), CloudError::NotFound(_)), "{code}");
        }
    }

    #[test]
    fn expired_credentials_are_retryable_and_say_why() {
        // Security Hub (restJson1) answers HTTP 403 with x-amzn-ErrorType ExpiredTokenException; STS and the query
        // protocols say ExpiredToken. Neither is a denial: the session is renewed and the call retried.
        for (code, status) in [("ExpiredTokenException", 403), ("ExpiredToken", 400), ("TokenRefreshRequired", 400)] {
            let e = c(Some(code), Some("The security token included in the request is expired"), status, "");
            assert!(e.is_retryable(), "{code}: {e:?}");
            assert!(!matches!(e, CloudError::AccessDenied(_)), "{code}: {e:?}");
            assert_eq!(
                e.to_string(),
                format!("GetFindings in 1/r: {code}: The security token included in the request is expired")
            );
        }
        assert!(matches!(c(Some("AccessDeniedException"), None, 403, ""), CloudError::AccessDenied(_)));
        assert!(matches!(c(Some("SomethingElse"), None, 403, ""), CloudError::AccessDenied(_)));
    }

    #[test]
    fn moto_html_404_is_unsupported_and_says_so() {
        let e = c(None, None, 404, "<!doctype html><title>404 Not Found</title>");
        assert!(matches!(e, CloudError::Unsupported(ref m) if m.contains("not implemented")), "{e:?}");
        assert!(!e.is_retryable());
        assert!(matches!(c(Some("404"), None, 404, "\n <html>"), CloudError::Unsupported(_)));
    }

    #[test]
    fn unknown_errors_keep_code_and_message() {
        let e = c(Some("InvalidInputException"), Some("MaxResults must be a number between 1 and 100"), 400, "");
        assert_eq!(
            e.to_string(),
            "GetFindings in 1/r: InvalidInputException: MaxResults must be a number between 1 and 100"
        );
    }
}
