//! The members of an OCSF finding the reader uses, named once: their dotted paths (as warnings name them and the
//! tree reader looks them up) and their slots in what the one-pass reader keeps ([`super::ocsf_scan::Scanned`]).

/// Text members of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Text {
    MetadataUid,
    ProductUid,
    ProductName,
    ProductVendor,
    FindingUid,
    Title,
    Desc,
    AnalyticUid,
    AnalyticName,
    CreatedDt,
    ModifiedDt,
    FirstSeenDt,
    TimeDt,
    AccountUid,
    Region,
    Control,
    ComplianceStatus,
    Severity,
    Status,
    ClassName,
}

impl Text {
    /// How many there are (the slots of the one-pass reader).
    pub const COUNT: usize = 20;

    pub fn path(self) -> &'static str {
        match self {
            Text::MetadataUid => "metadata.uid",
            Text::ProductUid => "metadata.product.uid",
            Text::ProductName => "metadata.product.name",
            Text::ProductVendor => "metadata.product.vendor_name",
            Text::FindingUid => "finding_info.uid",
            Text::Title => "finding_info.title",
            Text::Desc => "finding_info.desc",
            Text::AnalyticUid => "finding_info.analytic.uid",
            Text::AnalyticName => "finding_info.analytic.name",
            Text::CreatedDt => "finding_info.created_time_dt",
            Text::ModifiedDt => "finding_info.modified_time_dt",
            Text::FirstSeenDt => "finding_info.first_seen_time_dt",
            Text::TimeDt => "time_dt",
            Text::AccountUid => "cloud.account.uid",
            Text::Region => "cloud.region",
            Text::Control => "compliance.control",
            Text::ComplianceStatus => "compliance.status",
            Text::Severity => "severity",
            Text::Status => "status",
            Text::ClassName => "class_name",
        }
    }
}

/// Whole-number members of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Int {
    SeverityId,
    StatusId,
    ComplianceStatusId,
    ClassUid,
    Created,
    Modified,
    FirstSeen,
    Time,
}

impl Int {
    /// How many there are (the slots of the one-pass reader).
    pub const COUNT: usize = 8;

    pub fn path(self) -> &'static str {
        match self {
            Int::SeverityId => "severity_id",
            Int::StatusId => "status_id",
            Int::ComplianceStatusId => "compliance.status_id",
            Int::ClassUid => "class_uid",
            Int::Created => "finding_info.created_time",
            Int::Modified => "finding_info.modified_time",
            Int::FirstSeen => "finding_info.first_seen_time",
            Int::Time => "time",
        }
    }
}

/// The times of a finding, each given as RFC 3339 text (`…_dt`) or as milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Time {
    Created,
    Modified,
    FirstSeen,
    Event,
}

impl Time {
    /// The member with the time as text.
    pub fn text(self) -> Text {
        match self {
            Time::Created => Text::CreatedDt,
            Time::Modified => Text::ModifiedDt,
            Time::FirstSeen => Text::FirstSeenDt,
            Time::Event => Text::TimeDt,
        }
    }

    /// The member with the time in milliseconds.
    pub fn millis(self) -> Int {
        match self {
            Time::Created => Int::Created,
            Time::Modified => Int::Modified,
            Time::FirstSeen => Int::FirstSeen,
            Time::Event => Int::Time,
        }
    }
}
