//! The highly available PostgreSQL of `tests/failover/ha-cluster`, started
//! in a temporary directory and stopped when dropped.

use std::path::PathBuf;
use std::process::Command;

pub struct Cluster {
    dir: tempfile::TempDir,
    /// xinyi's database through HAProxy's primary port.
    pub url: String,
    /// The same database through HAProxy's replica port.
    pub replica_url: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/failover/ha-cluster")
}

impl Cluster {
    pub fn start() -> Cluster {
        let dir = tempfile::Builder::new().prefix("xinyi-ha-").tempdir().unwrap();
        let cluster = Cluster {
            dir,
            url: "postgres://postgres@127.0.0.1:15440/xinyi".into(),
            replica_url: "postgres://postgres@127.0.0.1:15439/xinyi".into(),
        };
        cluster.run(&["start"]);
        cluster
    }

    /// Runs `ha-cluster COMMAND DIR`; its standard output, trimmed.
    pub fn run(&self, command: &[&str]) -> String {
        let mut args = vec![command[0], self.dir.path().to_str().unwrap()];
        args.extend(&command[1..]);
        let output = Command::new(script()).args(&args).output().unwrap();
        assert!(
            output.status.success(),
            "ha-cluster {command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    pub fn leader(&self) -> String {
        self.run(&["leader"])
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["stop", self.dir.path().to_str().unwrap()]).output();
    }
}
