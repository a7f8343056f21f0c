//! S3 Control puts the account id into the host name (`https://{AccountId}.s3-control.{region}.amazonaws.com`). With
//! a custom endpoint (moto, LocalStack) the endpoint rules do the same (`http://{AccountId}.127.0.0.1:5055`), which
//! does not resolve. This interceptor takes the account prefix off again before the request is signed, only for
//! clients built with a custom endpoint.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The `host[:port]` part of an endpoint URL (`http://127.0.0.1:5055/` → `127.0.0.1:5055`).
pub fn authority_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

/// `uri` with a leading `{12-digit account}.` taken off its host when the rest is `authority`; `None` when the URI
/// does not have that shape (it is then left alone).
pub fn strip_account_prefix(uri: &str, authority: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(end);
    let (prefix, remainder) = host.split_once('.')?;
    let is_account = prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_digit());
    (is_account && remainder.eq_ignore_ascii_case(authority)).then(|| format!("{scheme}://{remainder}{tail}"))
}

/// Rewrites `{account}.{authority}` back to `{authority}`.
#[derive(Debug, Clone)]
pub struct StripAccountHost {
    authority: String,
}

impl StripAccountHost {
    pub fn new(authority: String) -> Self {
        Self { authority }
    }
}

impl Intercept for StripAccountHost {
    fn name(&self) -> &'static str {
        "StripAccountHost"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        if let Some(fixed) = strip_account_prefix(request.uri(), &self.authority) {
            request.set_uri(fixed)?;
            if request.headers().contains_key("host") {
                request.headers_mut().insert("host", self.authority.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_account_prefix_on_the_configured_host_is_taken_off() {
        let auth = authority_of("http://127.0.0.1:5055").expect("authority");
        assert_eq!(auth, "127.0.0.1:5055");
        assert_eq!(authority_of("https://LocalHost:4566/x").as_deref(), Some("localhost:4566"));
        assert_eq!(
            strip_account_prefix("http://222222222222.127.0.0.1:5055/v20180820/configuration/publicAccessBlock", &auth)
                .as_deref(),
            Some("http://127.0.0.1:5055/v20180820/configuration/publicAccessBlock")
        );
        assert_eq!(strip_account_prefix("http://127.0.0.1:5055/v20180820/x", &auth), None);
        assert_eq!(strip_account_prefix("http://222222222222.example.com/x", &auth), None);
        assert_eq!(strip_account_prefix("http://bucket.127.0.0.1:5055/x", &auth), None);
    }
}
