//! Where webhooks may go: public addresses only, unless a host is
//! allow-listed (OWASP API7, server-side request forgery).
//!
//! A URL is checked when it is registered and again when each delivery
//! connects: the delivery client resolves names through [`GuardedResolver`],
//! which drops every loopback, private, link-local, shared, documentation,
//! multicast and IPv6 local address, so a name that resolves to such an
//! address later (DNS rebinding) still cannot be reached. Redirects are
//! never followed. The address checks are written out here because the
//! standard library's `is_global` is still unstable; each range cites the
//! registry that reserves it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use paraph::ErrorCode;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::AppError;

/// Whether an address must never be a webhook target.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()            // 0.0.0.0/8 "this network" (RFC 791)
        || a == 0
        || ip.is_loopback()        // 127.0.0.0/8 (RFC 1122)
        || ip.is_private()         // 10/8, 172.16/12, 192.168/16 (RFC 1918)
        || ip.is_link_local()      // 169.254/16 (RFC 3927), cloud metadata
        || (a == 100 && (64..128).contains(&b)) // 100.64/10 shared (RFC 6598)
        || (a == 192 && b == 0 && c == 0)       // 192.0.0/24 IETF (RFC 6890)
        || ip.is_documentation()   // 192.0.2/24, 198.51.100/24, 203.0.113/24 (RFC 5737)
        || (a == 198 && (b & 0xfe) == 18)       // 198.18/15 benchmarking (RFC 2544)
        || ip.is_multicast()       // 224/4
        || a >= 240 // 240/4 reserved, and 255.255.255.255
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4); // ::ffff:0:0/96 (RFC 4291)
    }
    ip.is_unspecified()                          // ::
        || ip.is_loopback()                      // ::1
        || ip.is_multicast()                     // ff00::/8
        || (segments[0] & 0xfe00) == 0xfc00      // fc00::/7 unique local (RFC 4193)
        || (segments[0] & 0xffc0) == 0xfe80      // fe80::/10 link-local
        || (segments[0] & 0xffc0) == 0xfec0      // fec0::/10 site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // 2001:db8::/32 documentation (RFC 3849)
        || (segments[0] == 0x0100 && segments[1..4] == [0, 0, 0]) // 100::/64 discard (RFC 6666)
        || (segments[..6] == [0, 0, 0, 0, 0, 0])  // ::/96 IPv4-compatible (deprecated)
        || (segments[0] == 0x0064 && segments[1] == 0xff9b
            && is_forbidden_v4(embedded_v4(segments[6], segments[7]))) // 64:ff9b::/96 NAT64 (RFC 6052)
        || (segments[0] == 0x2002 && is_forbidden_v4(embedded_v4(segments[1], segments[2]))) // 2002::/16 6to4 (RFC 3056)
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The hosts webhooks may reach whatever they resolve to (for tests and
/// local development: `localhost`, `127.0.0.1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlGuard {
    allowed_hosts: Vec<String>,
}

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::WebhookUrlForbidden, message)
}

/// A checked webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUrl {
    /// The URL as it will be called.
    pub url: url::Url,
    /// Whether its host is allow-listed.
    pub allow_listed: bool,
}

impl UrlGuard {
    /// A guard with allow-listed hosts (compared without case; IPv6 in brackets or not).
    pub fn new(allowed_hosts: impl IntoIterator<Item = String>) -> Self {
        Self {
            allowed_hosts: allowed_hosts
                .into_iter()
                .map(|h| normalize_host(&h))
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// Whether `host` is allow-listed.
    pub fn is_allowed_host(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.allowed_hosts.contains(&host)
    }

    /// Checks the form of a URL: `https` (plain `http` only for allow-listed
    /// hosts), a host, no credentials, and no literal forbidden address.
    pub fn check_syntax(&self, text: &str) -> Result<CheckedUrl, AppError> {
        if text.len() > 2048 {
            return Err(forbidden("the webhook URL is longer than 2048 characters"));
        }
        let url = url::Url::parse(text).map_err(|e| forbidden(format!("URL rejected: {e}")))?;
        let host = url
            .host_str()
            .ok_or_else(|| forbidden("URL rejected: it has no host"))?
            .to_owned();
        let allow_listed = self.is_allowed_host(&host);
        match url.scheme() {
            "https" => {}
            "http" if allow_listed => {}
            "http" => return Err(forbidden("URL rejected: webhooks must use https")),
            other => {
                return Err(forbidden(format!(
                    "URL rejected: scheme {other} is not allowed"
                )));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(forbidden(
                "URL rejected: credentials in the URL are not allowed",
            ));
        }
        if !allow_listed
            && let Some(ip) = literal_ip(&url)
            && is_forbidden(ip)
        {
            return Err(forbidden("URL rejected: private or loopback address"));
        }
        Ok(CheckedUrl { url, allow_listed })
    }

    /// Checks a URL for registration: its form, then every address its host
    /// resolves to.
    pub async fn check(&self, text: &str) -> Result<CheckedUrl, AppError> {
        let checked = self.check_syntax(text)?;
        if checked.allow_listed || literal_ip(&checked.url).is_some() {
            return Ok(checked);
        }
        let host = checked.url.host_str().unwrap_or_default().to_owned();
        let port = checked.url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| forbidden(format!("URL rejected: host {host} does not resolve")))?
            .collect();
        if addrs.is_empty() {
            return Err(forbidden(format!(
                "URL rejected: host {host} does not resolve"
            )));
        }
        if addrs.iter().any(|a| is_forbidden(a.ip())) {
            return Err(forbidden("URL rejected: private or loopback address"));
        }
        Ok(checked)
    }

    /// The DNS resolver for deliveries.
    pub fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            guard: self.clone(),
        })
    }
}

fn normalize_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The address in a URL whose host is an IP literal (`http://0x7f000001/`
/// is one: the URL parser reads it as 127.0.0.1).
pub fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// Resolves names for the delivery client and keeps only allowed addresses.
#[derive(Debug)]
pub struct GuardedResolver {
    guard: UrlGuard,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_listed = self.guard.is_allowed_host(&host);
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = resolved
                .filter(|a| allow_listed || !is_forbidden(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves to no address webhooks may reach").into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn local_and_reserved_addresses_are_forbidden() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "ff02::1",
            "::127.0.0.1",
        ] {
            assert!(is_forbidden(ip(bad)), "{bad} must be forbidden");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(!is_forbidden(ip(good)), "{good} is public");
        }
    }

    #[test]
    fn urls_need_https_and_a_public_literal() {
        let guard = UrlGuard::default();
        for bad in [
            "http://example.com/hook",
            "ftp://example.com/",
            "https://127.0.0.1/hook",
            "https://[::1]/hook",
            "https://0x7f000001/hook",
            "https://2130706433/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://user:pw@example.com/",
            "not a url",
        ] {
            let err = guard.check_syntax(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::WebhookUrlForbidden, "{bad}");
        }
        assert!(guard.check_syntax("https://hooks.example.com/x").is_ok());
    }

    #[test]
    fn allow_listed_hosts_may_use_http_and_local_addresses() {
        let guard = UrlGuard::new(["localhost".to_owned(), "127.0.0.1".to_owned()]);
        assert!(
            guard
                .check_syntax("http://127.0.0.1:9000/hook")
                .unwrap()
                .allow_listed
        );
        assert!(
            guard
                .check_syntax("http://LOCALHOST:9000/hook")
                .unwrap()
                .allow_listed
        );
        assert!(guard.check_syntax("http://[::1]:9000/hook").is_err());
    }

    #[tokio::test]
    async fn names_that_resolve_to_local_addresses_are_refused() {
        let guard = UrlGuard::default();
        let err = guard.check("https://localhost/hook").await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::WebhookUrlForbidden);
        let resolver = guard.resolver();
        let result = resolver.resolve("localhost".parse().unwrap()).await;
        assert!(result.is_err(), "the delivery resolver drops loopback");
        let allowed = UrlGuard::new(["localhost".to_owned()]).resolver();
        assert!(allowed.resolve("localhost".parse().unwrap()).await.is_ok());
    }
}
