//! The resource kinds the demo API server serves, and the facts about each that discovery,
//! routing, error messages and write rules need.

/// One served resource. The demo serves a fixed set, so an enum keeps lookups cheap and total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Pods,
    Events,
    GameServers,
    GameServerSets,
    /// OpenKruise's Advanced StatefulSet (`apps.kruise.io/v1beta1` `StatefulSet`), one per
    /// GameServerSet with its name, as kruise-game makes it; the simulated OpenKruise writes
    /// its revisions and counts.
    AdvancedStatefulSets,
    /// Cluster-scoped: the simulated nodes pods are placed on (`sim::nodes`).
    Nodes,
    /// Cluster-scoped: the definitions of the custom resources above, so that clients that read
    /// CRDs (k9s, `kubectl get crd`) find them.
    CustomResourceDefinitions,
}

impl Resource {
    pub const ALL: [Resource; 7] = [
        Resource::Pods,
        Resource::Events,
        Resource::GameServers,
        Resource::GameServerSets,
        Resource::AdvancedStatefulSets,
        Resource::Nodes,
        Resource::CustomResourceDefinitions,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// API group; "" for the core group.
    pub fn group(self) -> &'static str {
        match self {
            Resource::Pods | Resource::Events | Resource::Nodes => "",
            Resource::GameServers | Resource::GameServerSets => "game.kruise.io",
            Resource::AdvancedStatefulSets => "apps.kruise.io",
            Resource::CustomResourceDefinitions => "apiextensions.k8s.io",
        }
    }

    pub fn version(self) -> &'static str {
        match self {
            Resource::Pods | Resource::Events | Resource::Nodes => "v1",
            Resource::GameServers | Resource::GameServerSets => "v1alpha1",
            Resource::AdvancedStatefulSets => "v1beta1",
            Resource::CustomResourceDefinitions => "v1",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Resource::Pods | Resource::Events | Resource::Nodes => "v1",
            Resource::GameServers | Resource::GameServerSets => "game.kruise.io/v1alpha1",
            Resource::AdvancedStatefulSets => "apps.kruise.io/v1beta1",
            Resource::CustomResourceDefinitions => "apiextensions.k8s.io/v1",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Resource::Pods => "pods",
            Resource::Events => "events",
            Resource::GameServers => "gameservers",
            Resource::GameServerSets => "gameserversets",
            Resource::AdvancedStatefulSets => "statefulsets",
            Resource::Nodes => "nodes",
            Resource::CustomResourceDefinitions => "customresourcedefinitions",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Resource::Pods => "pod",
            Resource::Events => "event",
            Resource::GameServers => "gameserver",
            Resource::GameServerSets => "gameserverset",
            Resource::AdvancedStatefulSets => "statefulset",
            Resource::Nodes => "node",
            Resource::CustomResourceDefinitions => "customresourcedefinition",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Resource::Pods => "Pod",
            Resource::Events => "Event",
            Resource::GameServers => "GameServer",
            Resource::GameServerSets => "GameServerSet",
            Resource::AdvancedStatefulSets => "StatefulSet",
            Resource::Nodes => "Node",
            Resource::CustomResourceDefinitions => "CustomResourceDefinition",
        }
    }

    pub fn list_kind(self) -> &'static str {
        match self {
            Resource::Pods => "PodList",
            Resource::Events => "EventList",
            Resource::GameServers => "GameServerList",
            Resource::GameServerSets => "GameServerSetList",
            Resource::AdvancedStatefulSets => "StatefulSetList",
            Resource::Nodes => "NodeList",
            Resource::CustomResourceDefinitions => "CustomResourceDefinitionList",
        }
    }

    pub fn short_names(self) -> &'static [&'static str] {
        match self {
            Resource::Pods => &["po"],
            Resource::Events => &["ev"],
            Resource::GameServers => &["gs"],
            Resource::GameServerSets => &["gss"],
            // As kruise-api's `+kubebuilder:resource:shortName=sts;asts`.
            Resource::AdvancedStatefulSets => &["sts", "asts"],
            Resource::Nodes => &["no"],
            Resource::CustomResourceDefinitions => &["crd", "crds"],
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
            Resource::Nodes => &["spec.unschedulable"],
            Resource::GameServers
            | Resource::GameServerSets
            | Resource::AdvancedStatefulSets
            | Resource::CustomResourceDefinitions => &[],
        }
    }

    /// Whether objects live in a namespace; nodes and CRDs do not.
    pub fn namespaced(self) -> bool {
        !matches!(self, Resource::Nodes | Resource::CustomResourceDefinitions)
    }

    /// Whether writes to the main resource ignore `.status` (a `/status` subresource exists).
    pub fn has_status(self) -> bool {
        !matches!(self, Resource::Events)
    }

    /// Custom resources refuse strategic merge patch (415), built-in ones accept it (CRDs
    /// themselves are built in).
    pub fn is_custom(self) -> bool {
        matches!(
            self,
            Resource::GameServers | Resource::GameServerSets | Resource::AdvancedStatefulSets
        )
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
