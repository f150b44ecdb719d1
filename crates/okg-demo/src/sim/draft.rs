//! A copy-on-write pod: planners read the original and clone it only when they change something,
//! so a steady cluster of thousands of pods costs no allocations per reconcile.

use k8s_openapi::api::core::v1::{Pod, PodCondition};

pub struct Draft<'a> {
    orig: &'a Pod,
    new: Option<Pod>,
}

impl<'a> Draft<'a> {
    pub fn new(orig: &'a Pod) -> Self {
        Self { orig, new: None }
    }
    pub fn get(&self) -> &Pod {
        self.new.as_ref().unwrap_or(self.orig)
    }
    pub fn edit(&mut self) -> &mut Pod {
        self.new.get_or_insert_with(|| self.orig.clone())
    }
    pub fn orig(&self) -> &'a Pod {
        self.orig
    }
    /// The edited pod, if anything was edited.
    pub fn edited(&self) -> Option<&Pod> {
        self.new.as_ref()
    }
    pub fn set_label(&mut self, key: &str, value: &str) {
        if self.get().metadata.labels.as_ref().and_then(|l| l.get(key)).map(String::as_str)
            != Some(value)
        {
            self.edit()
                .metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert(key.into(), value.into());
        }
    }
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        if self.get().metadata.annotations.as_ref().and_then(|l| l.get(key)).map(String::as_str)
            != Some(value)
        {
            self.edit()
                .metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(key.into(), value.into());
        }
    }
    pub fn remove_annotation(&mut self, key: &str) {
        if self.get().metadata.annotations.as_ref().is_some_and(|a| a.contains_key(key))
            && let Some(a) = self.edit().metadata.annotations.as_mut()
        {
            a.remove(key);
        }
    }
    /// Set one pod condition (see `pods::set_condition` for what counts as a change).
    pub fn set_condition(&mut self, condition: PodCondition) {
        let conds = self
            .edit()
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new);
        super::pods::set_condition(conds, condition);
    }
}
