//! Grouping the findings table: `b` cycles control → resource → account → none, `:group NAME`, `Enter` or `z` on a
//! group opens or folds it, `Z` opens or folds them all, `space` on a header marks every finding of the group.

use super::app::{App, View};
use super::keys::Action;
use super::listing::GroupBy;

impl App {
    /// A grouping action (`b`, `z`, `Z`, or `Enter` on a header).
    pub(super) fn on_group_action(&mut self, action: Action) {
        self.view = View::Findings;
        match action {
            Action::CycleGroup => {
                let next = self.listing.group_by().next();
                self.status_message = Some(self.group_by(next));
            }
            Action::ToggleFold if self.listing.is_grouped() => self.listing.toggle_fold(),
            Action::ToggleAllFolds if self.listing.is_grouped() => {
                let open = self.listing.toggle_all_folds();
                self.status_message = Some(if open { "every group open" } else { "every group folded" }.into());
            }
            Action::ToggleFold | Action::ToggleAllFolds => {
                self.status_message = Some("the table is not grouped: b groups it".into());
            }
            _ => {}
        }
    }

    /// Groups the table; the answer for the status line.
    pub(super) fn group_by(&mut self, by: GroupBy) -> String {
        self.listing.refresh();
        self.listing.set_group_by(by);
        match by {
            GroupBy::None => "not grouped".into(),
            by => format!(
                "grouped by {}: {} groups (Enter opens one, Z all, space marks one)",
                by.name(),
                self.listing.group_count()
            ),
        }
    }

    /// `:group NAME`.
    pub(super) fn group_command(&mut self, name: &str) -> Result<String, String> {
        let names = || GroupBy::ALL.iter().map(|g| g.name()).collect::<Vec<_>>().join(", ");
        if name.is_empty() {
            return Err(format!("group by what? {}", names()));
        }
        let by = GroupBy::parse(name).ok_or_else(|| format!("no grouping `{name}`: expected {}", names()))?;
        Ok(self.group_by(by))
    }

    /// `space` on a group header: marks every finding of the group that the filters show, or unmarks them all
    /// when every one is marked already.
    pub(super) fn toggle_group_mark(&mut self, group: u32) {
        let keys: Vec<_> = self.listing.group_rows(group).map(|r| r.finding.key()).collect();
        if keys.iter().all(|k| self.marks.contains(k)) {
            for key in &keys {
                self.marks.remove(key);
            }
            self.status_message = Some(format!("{} finding(s) unmarked", keys.len()));
        } else {
            let count = keys.len();
            self.marks.extend(keys);
            self.status_message = Some(format!("{count} finding(s) of the group marked: a applies to them"));
        }
    }
}
