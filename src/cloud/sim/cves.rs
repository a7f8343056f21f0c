//! The vulnerabilities Inspector reports in the simulated organisation: real CVEs with their public scores.

/// One CVE as Inspector describes it.
pub(super) struct Cve {
    pub id: &'static str,
    /// What the title names after the id: the affected package(s).
    pub packages: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    pub fixed: &'static str,
    pub manager: &'static str,
    pub score: f64,
    pub vector: &'static str,
    pub description: &'static str,
}

const NET_CRIT: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

pub(super) static ALL: [Cve; 16] = [
    Cve { id: "CVE-2024-3094", packages: "xz-utils, liblzma5", package: "xz-libs", version: "5.6.0-1", fixed: "5.6.1-2", manager: "OS", score: 10.0,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        description: "Malicious code was discovered in the upstream tarballs of xz, starting with version 5.6.0. Through a series of complex obfuscations, the liblzma build process extracts a prebuilt object file from a disguised test file existing in the source code, which is then used to modify specific functions in the liblzma code." },
    Cve { id: "CVE-2024-6387", packages: "openssh-server, openssh-clients", package: "openssh-server", version: "8.7p1-38", fixed: "8.7p1-43", manager: "OS", score: 8.1,
        vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
        description: "A security regression (CVE-2006-5051) was discovered in OpenSSH's server (sshd). There is a race condition which can lead sshd to handle some signals in an unsafe manner. An unauthenticated, remote attacker may be able to trigger it by failing to authenticate within a set time period." },
    Cve { id: "CVE-2023-38545", packages: "curl, libcurl", package: "libcurl", version: "8.2.1-1", fixed: "8.4.0-1", manager: "OS", score: 9.8, vector: NET_CRIT,
        description: "This flaw makes curl overflow a heap based buffer in the SOCKS5 proxy handshake. When curl is asked to pass along the host name to the SOCKS5 proxy to allow that to resolve the address instead of it getting done by curl itself, the maximum length that host name can be is 255 bytes." },
    Cve { id: "CVE-2023-4863", packages: "libwebp", package: "libwebp", version: "1.2.4-1", fixed: "1.3.2-1", manager: "OS", score: 8.8,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        description: "Heap buffer overflow in libwebp in Google Chrome prior to 116.0.5845.187 and libwebp 1.3.2 allowed a remote attacker to perform an out of bounds memory write via a crafted HTML page." },
    Cve { id: "CVE-2023-0286", packages: "openssl, openssl-libs", package: "openssl-libs", version: "3.0.7-1", fixed: "3.0.8-1", manager: "OS", score: 7.4,
        vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H",
        description: "There is a type confusion vulnerability relating to X.400 address processing inside an X.509 GeneralName. X.400 addresses were parsed as an ASN1_STRING but the public structure definition for GENERAL_NAME incorrectly specified the type of the x400Address field as ASN1_TYPE." },
    Cve { id: "CVE-2022-37434", packages: "zlib", package: "zlib", version: "1.2.12-1", fixed: "1.2.13-1", manager: "OS", score: 9.8, vector: NET_CRIT,
        description: "zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate in inflate.c via a large gzip header extra field." },
    Cve { id: "CVE-2024-45490", packages: "expat", package: "expat", version: "2.5.0-1", fixed: "2.6.3-1", manager: "OS", score: 9.8, vector: NET_CRIT,
        description: "An issue was discovered in libexpat before 2.6.3. xmlparse.c does not reject a negative length for XML_ParseBuffer." },
    Cve { id: "CVE-2023-5363", packages: "openssl", package: "openssl-libs", version: "3.0.9-1", fixed: "3.0.12-1", manager: "OS", score: 7.5,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        description: "A bug has been identified in the processing of key and initialisation vector (IV) lengths. This can lead to potential truncation or overruns during the initialisation of some symmetric ciphers." },
    Cve { id: "CVE-2022-48303", packages: "tar", package: "tar", version: "1.34-1", fixed: "1.34-2", manager: "OS", score: 5.5,
        vector: "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
        description: "GNU Tar through 1.34 has a one-byte out-of-bounds read that results in use of uninitialized memory for a conditional jump." },
    Cve { id: "CVE-2024-2961", packages: "glibc", package: "glibc", version: "2.34-52", fixed: "2.34-100", manager: "OS", score: 7.3,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L",
        description: "The iconv() function in the GNU C Library versions 2.39 and older may overflow the output buffer passed to it by up to 4 bytes when converting strings to the ISO-2022-CN-EXT character set." },
    Cve { id: "CVE-2022-40897", packages: "setuptools", package: "setuptools", version: "65.5.0", fixed: "65.5.1", manager: "PIP", score: 5.9,
        vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H",
        description: "Python Packaging Authority (PyPA) setuptools before 65.5.1 allows remote attackers to cause a denial of service via HTML in a crafted package or custom PackageIndex page." },
    Cve { id: "CVE-2024-38063", packages: "KB5041578", package: "KB5041578", version: "10.0.17763.6054", fixed: "10.0.17763.6189", manager: "OS", score: 9.8, vector: NET_CRIT,
        description: "Windows TCP/IP Remote Code Execution Vulnerability." },
    Cve { id: "CVE-2023-44487", packages: "golang.org/x/net", package: "golang.org/x/net", version: "v0.15.0", fixed: "0.17.0", manager: "GOBINARY", score: 7.5,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        description: "The HTTP/2 protocol allows a denial of service (server resource consumption) because request cancellation can reset many streams quickly, as exploited in the wild in August through October 2023." },
    Cve { id: "CVE-2021-44228", packages: "org.apache.logging.log4j:log4j-core", package: "org.apache.logging.log4j:log4j-core", version: "2.14.1", fixed: "2.15.0", manager: "JAR", score: 10.0,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        description: "Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security releases 2.12.2, 2.12.3, and 2.3.1) JNDI features used in configuration, log messages, and parameters do not protect against attacker controlled LDAP and other JNDI related endpoints." },
    Cve { id: "CVE-2024-24790", packages: "stdlib", package: "stdlib", version: "go1.21.5", fixed: "1.21.11, 1.22.4", manager: "GOBINARY", score: 9.8, vector: NET_CRIT,
        description: "The various Is methods (IsPrivate, IsLoopback, etc) did not work as expected for IPv4-mapped IPv6 addresses, returning false for addresses which would return true in their traditional IPv4 forms." },
    Cve { id: "CVE-2024-21626", packages: "github.com/opencontainers/runc", package: "github.com/opencontainers/runc", version: "v1.1.7", fixed: "1.1.12", manager: "GOBINARY", score: 8.6,
        vector: "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H",
        description: "runc is a CLI tool for spawning and running containers on Linux according to the OCI specification. In runc 1.1.11 and earlier, due to an internal file descriptor leak, an attacker could cause a newly-spawned container process to have a working directory in the host filesystem namespace." },
];

/// CVEs seen on Linux instances.
pub(super) const LINUX: [&str; 10] = [
    "CVE-2024-6387",
    "CVE-2023-38545",
    "CVE-2023-4863",
    "CVE-2023-0286",
    "CVE-2022-37434",
    "CVE-2024-45490",
    "CVE-2023-5363",
    "CVE-2022-48303",
    "CVE-2024-2961",
    "CVE-2022-40897",
];

/// CVEs seen on Windows instances.
pub(super) const WINDOWS: [&str; 1] = ["CVE-2024-38063"];

/// CVEs seen in container images.
pub(super) const CONTAINER: [&str; 6] =
    ["CVE-2023-44487", "CVE-2021-44228", "CVE-2024-24790", "CVE-2024-21626", "CVE-2024-45490", "CVE-2022-37434"];

/// A CVE of the catalogue by id.
pub(super) fn lookup(id: &str) -> Option<&'static Cve> {
    ALL.iter().find(|c| c.id == id)
}

/// Inspector's label for a CVSS score.
pub(super) fn severity_label(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "CRITICAL",
        s if s >= 7.0 => "HIGH",
        s if s >= 4.0 => "MEDIUM",
        _ => "LOW",
    }
}
