//! The resource kinds the demo API server serves, and the facts about each that discovery,
//! routing, error messages and write rules need.

/// One served resource. The demo serves a fixed set, so an enum keeps lookups cheap and total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Pods,
    Events,
    GameServers,
    GameServerSets,
}

impl Resource {
    pub const ALL: [Resource; 4] =
        [Resource::Pods, Resource::Events, Resource::GameServers, Resource::GameServerSets];

    pub fn index(self) -> usize {
        self as usize
    }

    /// API group; "" for the core group.
    pub fn group(self) -> &'static str {
        match self {
            Resource::Pods | Resource::Events => "",
            Resource::GameServers | Resource::GameServerSets => "game.kruise.io",
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            Resource::Pods | Resource::Events => "v1",
            Resource::GameServers | Resource::GameServerSets => "v1alpha1",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Resource::Pods | Resource::Events => "v1",
            Resource::GameServers | Resource::GameServerSets => "game.kruise.io/v1alpha1",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Resource::Pods => "pods",
            Resource::Events => "events",
            Resource::GameServers => "gameservers",
            Resource::GameServerSets => "gameserversets",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Resource::Pods => "pod",
            Resource::Events => "event",
            Resource::GameServers => "gameserver",
            Resource::GameServerSets => "gameserverset",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Resource::Pods => "Pod",
            Resource::Events => "Event",
            Resource::GameServers => "GameServer",
            Resource::GameServerSets => "GameServerSet",
        }
    }

    pub fn list_kind(self) -> &'static str {
        match self {
            Resource::Pods => "PodList",
            Resource::Events => "EventList",
            Resource::GameServers => "GameServerList",
            Resource::GameServerSets => "GameServerSetList",
        }
    }

    pub fn short_names(self) -> &'static [&'static str] {
        match self {
            Resource::Pods => &["po"],
            Resource::Events => &["ev"],
            Resource::GameServers => &["gs"],
            Resource::GameServerSets => &["gss"],
        }
    }

    /// Fields a fieldSelector may name besides metadata.name and metadata.namespace (the ones
    /// kubectl uses: `describe` finds a pod's events by involvedObject).
    pub fn selectable_fields(self) -> &'static [&'static str] {
        match self {
            Resource::Pods => &["spec.nodeName", "status.phase", "status.podIP"],
            Resource::Events => &[
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ],
            Resource::GameServers | Resource::GameServerSets => &[],
        }
    }

    /// Whether writes to the main resource ignore `.status` (a `/status` subresource exists).
    pub fn has_status(self) -> bool {
        !matches!(self, Resource::Events)
    }

    /// Custom resources refuse strategic merge patch (415), built-in ones accept it.
    pub fn is_custom(self) -> bool {
        !self.group().is_empty()
    }

    /// "pods" for core resources, "gameservers.game.kruise.io" otherwise: the form the
    /// API server uses in error messages.
    pub fn qualified(self) -> String {
        if self.group().is_empty() {
            self.plural().to_string()
        } else {
            format!("{}.{}", self.plural(), self.group())
        }
    }

    /// The resource served at `group`/`version` under `plural`, if any.
    pub fn lookup(group: &str, version: &str, plural: &str) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.group() == group && r.version() == version && r.plural() == plural)
    }
}
