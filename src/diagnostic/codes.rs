//! The stable diagnostic codes. `docs/diagnostics.md` explains each one, and
//! `tests/errors/` holds a failing fixture for each; a test keeps the three in step.
//!
//! | range   | stage                              |
//! |---------|------------------------------------|
//! | `E01xx` | syntax                             |
//! | `E02xx` | names, values and lowering         |
//! | `E03xx` | the topology graph and Fly's rules |
//! | `E04xx` | files, templates and output        |
//! | `E05xx` | `flyx import`: defects in fly.toml  |
//! | `W0xxx` | warnings (`W05xx`: `flyx import`)  |

use std::fmt;

/// Whether a diagnostic fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be compiled.
    Error,
    /// The input compiles, but probably not as meant.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $code:ident,)*) => {
        /// A stable diagnostic code. The name is the code; `W` codes are warnings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written in docs and output, e.g. `E0201`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$code => concat!($($doc),*).trim_ascii(),)*
                }
            }
        }
    };
}

codes! {
    /// the file is not valid flyx syntax
    E0101,
    /// a block is not closed with `}`
    E0102,
    /// a string is not closed with `"`
    E0103,
    /// an unknown escape sequence in a string
    E0104,
    /// a number with an unknown unit or shape
    E0105,
    /// the file nests brackets too deeply
    E0106,
    /// an unknown block
    E0201,
    /// an unknown attribute
    E0202,
    /// a value of the wrong type
    E0203,
    /// an attribute written twice in one block
    E0204,
    /// two declarations with the same name
    E0205,
    /// a required attribute or block is missing
    E0206,
    /// a port outside 1..65535
    E0207,
    /// a VM size that is not a Fly preset
    E0208,
    /// memory that is not a multiple of 256 MB
    E0209,
    /// memory outside Fly's limits for the CPU count
    E0210,
    /// an unknown region code
    E0211,
    /// a deprecated region code
    E0212,
    /// an invalid app name
    E0213,
    /// an invalid secret name
    E0214,
    /// an invalid volume name
    E0215,
    /// a duration Fly rejects
    E0216,
    /// a value that is not one of the allowed keywords
    E0217,
    /// a number outside its allowed range
    E0218,
    /// attributes that cannot be used together
    E0219,
    /// an invalid environment variable name
    E0220,
    /// an invalid size
    E0221,
    /// the project block is missing or written twice
    E0222,
    /// a block that needs a label has none, or one that takes none has one
    E0223,
    /// a reference to an unknown attribute of a service or store
    E0224,
    /// an invalid path
    E0225,
    /// a `use` names a module that cannot be found or read
    E0226,
    /// modules that use each other in a cycle
    E0227,
    /// an unknown template
    E0228,
    /// wrong arguments to a template, or templates built on each other in a cycle
    E0229,
    /// a `project` or `environment` block in a module
    E0230,
    /// a `for` loop or template variable used where it cannot go, or a name no loop fills in
    E0231,
    /// `build_env` names a variable the service's `env` does not set, or one `args` sets
    E0232,
    /// `next_config` does not name a Next.js config file inside the build context
    E0233,
    /// a system package name apt cannot install
    E0234,
    /// `runtime_packages` on a runtime whose image has no apt
    E0235,
    /// a static site's proxy path or target that nginx cannot use
    E0236,
    /// a schedule whose timetable or command cannot be a crontab line
    E0240,
    /// a schedule on a service flyx cannot install supercronic in, or whose `cron` group is taken
    E0241,
    /// a custom domain that is not a hostname Fly can issue a certificate for
    E0237,
    /// `tls { }` or `options { }` in a port that has no `external` port
    E0242,
    /// a build argument name the Dockerfile flyx writes cannot declare
    E0243,
    /// an `entrypoint` or `exec` that is not a command
    E0244,
    /// `exec` on a service whose command something else decides
    E0245,
    /// a `machine_config`, `ignorefile` or `local_path` flyctl cannot read as written
    E0246,
    /// a buildpacks `builder` or buildpack that is not an image or buildpack name
    E0247,
    /// a `ci` block value flyx cannot write a workflow from
    E0248,
    /// a `local` override that does not fit the service: an unknown `unset`, a secret set locally
    E0249,
    /// a link or reference to a service or store that does not exist
    E0301,
    /// services that must each deploy before the other
    E0302,
    /// a reference to a private address without a link
    E0303,
    /// a link or reference to a service that exposes no port of the kind it needs
    E0304,
    /// a reference to `.port` of a service with several ports
    E0305,
    /// `.internal` forced onto a service whose machines stop when idle
    E0306,
    /// a public port the proxy does not listen on
    E0307,
    /// `force_https` on a service reached through flycast
    E0308,
    /// a service or store with no primary region
    E0309,
    /// a volume in a region where its service runs no machine
    E0310,
    /// more than one volume for one process group
    E0311,
    /// a deploy strategy Fly cannot use with volumes
    E0312,
    /// a blue-green deploy without a health check
    E0313,
    /// two services or stores with the same app name
    E0314,
    /// a port used twice in one service
    E0315,
    /// a health check on a port the service does not expose
    E0316,
    /// a command flyctl cannot split into words
    E0317,
    /// a process group that is not declared
    E0318,
    /// two `vm` blocks for one process group
    E0319,
    /// statics Fly refuses: too many, or overlapping prefixes
    E0320,
    /// one name set twice among secrets, attachments and environment variables
    E0321,
    /// a service with nothing to deploy
    E0322,
    /// a link to a store from a service that cannot use it, or a store option on a service link
    E0323,
    /// a privileged port (below 1024) on a service whose generated image runs unprivileged
    E0324,
    /// two environments that give an app the same name
    E0325,
    /// an app of one environment that refers to an app of another
    E0326,
    /// a post-deploy step over ssh on a service whose machines can all be stopped
    E0327,
    /// custom domains on a service that is not public over HTTP
    E0328,
    /// one hostname claimed twice: by two services, twice by one, or by two environments
    E0329,
    /// a store setting that does not apply to this kind of store
    E0330,
    /// a Managed Postgres cluster in a region that does not offer it
    E0331,
    /// two services `compose.yaml` would give one name
    E0332,
    /// a file cannot be read
    E0401,
    /// no input file was named and the current folder has none, or several
    E0402,
    /// a file is not UTF-8 text, or too large to read
    E0403,
    /// an output path holds a file flyx did not generate
    E0404,
    /// the output cannot be written
    E0405,
    /// an error in a Dockerfile template
    E0406,
    /// no longer emitted: a generated file the build needed lay outside the build context
    E0407,
    /// `--env` names an environment the stack does not declare
    E0408,
    /// flyx could not serialize a generated file (a bug in flyx)
    E0409,
    /// import: a fly.toml value flyctl cannot read (wrong type, no check type, not TOML)
    E0501,
    /// import: two services of one app on the same public port
    E0502,
    /// import: VM memory outside Fly's limits for its CPUs
    E0503,
    /// import: a mount that names no volume
    E0504,
    /// import: a template placeholder left in the file
    E0505,
    /// import: a discontinued GPU machine
    E0506,
    /// import: proxy checks that belong to no `[[services]]`
    E0507,
    /// a duration Fly clamps to its allowed range
    W0201,
    /// `release_command_timeout` without a `release_command`
    W0202,
    /// `ignorefile` on your own Dockerfile, which Fly's Depot builder does not read
    W0203,
    /// an `entrypoint` on a service with schedules: supercronic runs through it
    W0204,
    /// an `entrypoint` ending in a shell's `-c`, before a command of several words
    W0205,
    /// a private service with ports that nothing links to
    W0301,
    /// an environment variable that looks like a secret
    W0302,
    /// `min_running` above the machines a service runs in its primary region
    W0303,
    /// a service that asks for Consul (LiteFS) stops idle machines
    W0304,
    /// import: a key flyctl ignores, dropped
    W0501,
    /// import: a deprecated region, replaced by its successor
    W0502,
    /// import: a `[[services]]` that repeats `[http_service]`, dropped
    W0503,
    /// import: a setting flyx cannot express, dropped
    W0504,
    /// import: a file with no app name, named after its path
    W0505,
    /// import: a Dockerfile outside the fly.toml's folder, so the build context is its folder
    W0506,
    /// import: an env name Fly sets on every machine, dropped
    W0507,
}

impl Code {
    /// Codes flyx no longer emits. They keep their number (it is never given to
    /// another problem) and a docs section saying so, but have no fixture.
    pub const RETIRED: &'static [Code] = &[Code::E0407];
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// Error or warning: codes starting with `W` are warnings.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}
