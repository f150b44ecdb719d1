//! Command-line definitions (clap). `main.rs` dispatches on them.
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "okg",
    version,
    about = "A terminal console for OpenKruiseGame game servers",
    long_about = "A terminal console for OpenKruiseGame game servers. Without a command it opens the \
                  console; the commands below do the same things from scripts.",
    after_help = EXAMPLES_OKG
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The heading of the flags every command understands, so a subcommand's own flags come first.
const GLOBAL: &str = "Global options";

/// Flags every command understands: where the cluster is and how to behave.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// One kubeconfig file (default: every file in $KUBECONFIG, merged as kubectl does; then
    /// ~/.kube/config; then the pod's service account).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: its current context).
    #[arg(long, global = true, help_heading = GLOBAL, env = "OKG_CONTEXT")]
    pub context: Option<String>,
    /// Namespace (default: the context's namespace, else "default").
    #[arg(short = 'n', long, global = true, help_heading = GLOBAL, env = "OKG_NAMESPACE")]
    pub namespace: Option<String>,
    /// How long to wait for the server: connecting and each one-shot request (10s, 1m; a bare
    /// number is seconds; 0 = no limit). Default: 5s to connect, 8s per request.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "DURATION", value_parser = crate::cluster::client::parse_request_timeout)]
    pub request_timeout: Option<Duration>,
    /// Every namespace.
    #[arg(short = 'A', long, global = true, help_heading = GLOBAL)]
    pub all_namespaces: bool,
    /// Monitoring mode: the console cannot send any mutating request.
    #[arg(long, visible_alias = "readonly", global = true, help_heading = GLOBAL, env = "OKG_READ_ONLY")]
    pub read_only: bool,
    /// Colour theme: a name from themes/ or the user's config directory.
    #[arg(long, global = true, help_heading = GLOBAL, env = "OKG_THEME")]
    pub theme: Option<String>,
    /// The console leaves the mouse to the terminal (select text as usual); without it, a
    /// click selects a row and the wheel scrolls.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_mouse: bool,
    /// Start the embedded demo cluster in-process and connect to it.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub demo: bool,
    /// Where logs go (default: $XDG_STATE_HOME/okg-console/okg.log).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub log_file: Option<PathBuf>,
    /// Where the audit log of mutations goes (default: $XDG_STATE_HOME/okg-console/audit.jsonl).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub audit_log: Option<PathBuf>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Print GameServers joined with their pods, once.
    #[command(after_help = EXAMPLES_STATUS)]
    Status(StatusArgs),
    /// Change one container's image for a set, a canary or chosen GameServers.
    #[command(after_help = EXAMPLES_BUMP)]
    Bump(BumpArgs),
    /// Run a reload (exec or HTTP) in many pods with bounded parallelism.
    #[command(after_help = EXAMPLES_RELOAD)]
    Reload(ReloadArgs),
    /// Set opsState, a priority or networkDisabled on chosen GameServers (like `kubectl set`).
    Set(crate::commands::set::SetArgs),
    /// Print container logs of pods or GameServers; with --follow, several merged.
    Logs(crate::commands::logs::LogsArgs),
    /// A staged grey release: stages of a growing canary with checks between them; status,
    /// pause, resume and undo as `kubectl rollout` spells them.
    #[command(after_help = crate::commands::rollout::EXAMPLES)]
    Rollout(crate::commands::rollout::RolloutArgs),
    /// Print a shell completion script.
    #[command(after_help = EXAMPLES_COMPLETION)]
    Completion { shell: CompletionShell },
    /// Print the man page (roff) of okg or of one of its commands.
    #[command(hide = true)]
    Man { command: Option<String> },
    /// Serve the demo cluster until Ctrl-C.
    #[cfg(feature = "demo")]
    #[command(after_help = EXAMPLES_DEMO)]
    Demo(DemoArgs),
}

const EXAMPLES_OKG: &str = "\
Examples:
  okg                                  the console, on kubectl's current context
  okg --demo                           the console on a built-in demo cluster
  okg --read-only -n games             monitoring only: nothing can be changed
  okg status -o wide                   the fleet once, as a table
  okg help bump                        a command's flags and examples

Exit codes: 0 ok, 1 usage, 2 partly done, 3 failed, 4 refused, 5 unreachable, 6 auth failed
(docs/cli.md).";

const EXAMPLES_STATUS: &str = "\
Examples:
  okg status                           every set in the context's namespace
  okg status gss-2048 -o wide          one set, with its pods' IP and node
  okg status -A -l game=2048 -o json   every namespace, GameServers labelled game=2048
  okg status -o name                   gameserver.game.kruise.io/NAME, one a line";

const EXAMPLES_BUMP: &str = "\
Examples:
  okg bump gss-2048 --container sidecar --image reg.example.com/sidecar:v2 --wait
  okg bump gss-2048 --container sidecar --image reg.example.com/sidecar:v2 --canary 1 --wait
  okg bump gss-2048 --container sidecar --continue --wait
  okg bump gss-2048 --container sidecar --restore-priorities   abandon a canary where it stands
  okg bump gss-2048 --container app --image reg.example.com/app:v2 --gameservers gss-2048-0
  okg bump gss-2048 --container sidecar --image reg.example.com/sidecar:v2 --wait --yes \\
      -o json --reload-exec nginx -s reload     (--reload-exec takes the words after it)";

const EXAMPLES_RELOAD: &str = "\
Examples:
  okg reload gss-2048 --exec nginx -s reload            (--exec takes the words after it)
  okg reload gss-2048 --batch 2 --pause 10s --http 3000/reload
  okg reload -l game=2048 --yes -o json --exec /reload.sh
  okg reload gss-2048                   the set's default (annotation or config.toml)";

const EXAMPLES_COMPLETION: &str = "\
Examples:
  okg completion bash > ~/.local/share/bash-completion/completions/okg
  okg completion zsh > \"${fpath[1]}/_okg\"
  okg completion fish > ~/.config/fish/completions/okg.fish";

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[cfg(feature = "demo")]
const EXAMPLES_DEMO: &str = "\
Examples:
  okg demo --write-kubeconfig /tmp/demo.kubeconfig
  KUBECONFIG=/tmp/demo.kubeconfig okg status";

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFormat {
    /// One header line per set, then its GameServers.
    #[default]
    Table,
    /// The table with the pods' IP and node.
    Wide,
    /// The `Status` document (docs/cli.md), every byte kept, escaped.
    Json,
    /// The same document as YAML.
    Yaml,
    /// One `gameserver.game.kruise.io/NAME` per line, as `kubectl get -o name`.
    Name,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Progress and a summary for people.
    #[default]
    Text,
    /// One document at the end (docs/cli.md); progress goes to stderr.
    Json,
    /// The same document as YAML.
    Yaml,
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    /// GameServerSets to show (default: all).
    pub sets: Vec<String>,
    /// Label selector on GameServers.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: StatusFormat,
}

#[derive(Args, Debug, Clone)]
pub struct BumpArgs {
    /// The GameServerSet.
    pub set: String,
    /// The container whose image changes.
    #[arg(long)]
    pub container: String,
    /// The new image reference (registry/repository:tag or @digest).
    #[arg(long, required_unless_present_any = ["resume", "clear_override", "restore_priorities"])]
    pub image: Option<String>,
    /// Continue a canary: lower the partition to 0 (or by --step pods) so that the pods it held
    /// back update too, as the console's `c` does. Takes no --image.
    #[arg(long = "continue", conflicts_with_all = ["image", "canary", "gameservers"])]
    pub resume: bool,
    /// With --continue: release this many more pods instead of all of them.
    #[arg(long, requires = "resume")]
    pub step: Option<i32>,
    /// Update only N pods first: raise their updatePriority and set partition = replicas - N.
    #[arg(long, conflicts_with = "gameservers")]
    pub canary: Option<i32>,
    /// Let the canary pick Allocated servers (players in a match). Without it a canary takes
    /// idle servers first and never an Allocated one.
    #[arg(long, requires = "canary")]
    pub canary_allocated: bool,
    /// Update only these GameServers through their spec.containers override.
    #[arg(long, value_delimiter = ',')]
    pub gameservers: Vec<String>,
    /// Update only the servers in these opsStates (None, Maintaining, WaitToBeDeleted,
    /// Allocated, Kill): as a canary of exactly them (template and priorities), or by override
    /// when the set's policy is ReCreate; the plan says which and why.
    #[arg(long, value_delimiter = ',', value_name = "STATES", conflicts_with_all = ["canary", "gameservers"])]
    pub only_states: Vec<String>,
    /// Remove the --gameservers' spec.containers override of --container and put their pods
    /// back on the template's image, in place. Takes no --image.
    #[arg(long, requires = "gameservers", conflicts_with_all = ["image", "canary", "resume"])]
    pub clear_override: bool,
    /// Put back the update priorities a canary raised (each GameServer's
    /// okg-console.io/raised-update-priority record), leaving the template and the partition as
    /// they stand: abandon a canary, or clean up after an interrupted run. Takes no --image.
    #[arg(long, conflicts_with_all = ["image", "canary", "resume", "gameservers", "clear_override"])]
    pub restore_priorities: bool,
    /// Wait for a verdict on every targeted pod.
    #[arg(long)]
    pub wait: bool,
    /// How long to wait for verdicts.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "5m")]
    pub timeout: Duration,
    /// How long a pod may stay FAILING (an image pull error or crash loop the kubelet retries
    /// with back-off) before it is FAILED. 0s fails it at first sight.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "60s")]
    pub fail_after: Duration,
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Allow a bump that re-creates pods (ReCreate policy or changes beyond images).
    #[arg(long)]
    pub allow_recreate: bool,
    #[command(flatten)]
    pub reload: ReloadChainArgs,
}

/// A reload chained to a bump or a rollout: each pod once it is confirmed in place.
#[derive(Args, Debug, Clone)]
pub struct ReloadChainArgs {
    /// Reload each pod as soon as it is confirmed in place: run these words in its main container
    /// (or --reload-container). Takes every word after it: put okg's flags first. `okg bump`
    /// needs --wait with it.
    #[arg(long, num_args = 1.., value_name = "WORDS", allow_hyphen_values = true, conflicts_with = "reload_http")]
    pub reload_exec: Vec<String>,
    /// Reload each pod as soon as it is confirmed in place with GET PORT/PATH through pods/proxy.
    #[arg(long, value_name = "PORT/PATH")]
    pub reload_http: Option<String>,
    /// The container for --reload-exec (default: the set's main container).
    #[arg(long)]
    pub reload_container: Option<String>,
    /// Reloads running at once (like `okg reload --parallel`).
    #[arg(long, default_value_t = 10)]
    pub reload_parallel: usize,
    /// Reload batch size, in the order pods are confirmed; the first batch is the canary.
    #[arg(long)]
    pub reload_batch: Option<usize>,
    /// Pause between reload batches.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub reload_pause: Option<Duration>,
    /// Start no more reloads once this many have failed.
    #[arg(long)]
    pub reload_max_failures: Option<usize>,
    /// Per-pod reload timeout.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "30s")]
    pub reload_timeout: Duration,
}

#[derive(Args, Debug, Clone)]
pub struct ReloadArgs {
    /// GameServerSets whose pods to reload.
    pub sets: Vec<String>,
    /// Label selector on pods.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Chosen GameServers.
    #[arg(long, value_delimiter = ',')]
    pub gameservers: Vec<String>,
    /// Run these words as argv in the container (no shell unless you write `sh -c`).
    #[arg(long, num_args = 1.., value_name = "WORDS", allow_hyphen_values = true, conflicts_with = "http")]
    pub exec: Vec<String>,
    /// The container to exec in (default: the set's main container).
    #[arg(long)]
    pub container: Option<String>,
    /// HTTP reload through the API server's pods/proxy, as PORT/PATH (e.g. 3000/reload).
    #[arg(long)]
    pub http: Option<String>,
    /// Reloads running at once.
    #[arg(long, default_value_t = 10)]
    pub parallel: usize,
    /// Batch size (default: all at once); the first batch is the canary.
    #[arg(long)]
    pub batch: Option<usize>,
    /// Pause between batches.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub pause: Option<Duration>,
    /// Stop starting new pods once this many have failed.
    #[arg(long)]
    pub max_failures: Option<usize>,
    /// Per-pod timeout.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "30s")]
    pub timeout: Duration,
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Also write each pod's output, exactly as received, to DIR/POD.stdout and DIR/POD.stderr
    /// (the terminal shows it with control characters and escape sequences made safe).
    #[arg(long, value_name = "DIR")]
    pub output_directory: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Write a kubeconfig pointing at the demo here once it is ready.
    #[arg(long)]
    pub write_kubeconfig: Option<PathBuf>,
    /// Namespace of the demo objects.
    #[arg(long, default_value = "default")]
    pub namespace: String,
    /// Replicas of gss-2048.
    #[arg(long, default_value_t = 6)]
    pub replicas: i32,
    /// How long one simulated step (a restart, a pull) takes.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "2s")]
    pub tick: Duration,
    /// How long a simulated reload command takes.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "50ms")]
    pub exec_latency: Duration,
    /// Refuse streaming lists (`sendInitialEvents`) with 422, as a server with the WatchList
    /// feature gate off does; clients then list in pages.
    #[arg(long)]
    pub no_watch_list: bool,
}

impl GlobalArgs {
    /// Where to connect, as the flags say it.
    pub fn target(&self) -> crate::cluster::client::Target {
        crate::cluster::client::Target {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            all_namespaces: self.all_namespaces,
            request_timeout: self.request_timeout,
        }
    }
}
