//! A real `xinyi serve` process on port 0, for the API tests and the load
//! benchmark: it reports its address in its JSON log, and is killed when
//! dropped.

use std::io::{BufRead as _, Write as _};
use std::process::{Child, Command, Stdio};

pub struct Node {
    pub base: String,
    process: Child,
}

impl Node {
    /// Starts `xinyi serve` with these environment variables (the database,
    /// keys and identity provider). With `keep_log`, the node's log is
    /// written there; otherwise it is read and dropped, so the node never
    /// blocks on a full pipe.
    pub fn spawn(env: &[(&str, &str)], log_filter: &str, keep_log: Option<std::path::PathBuf>) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xinyi"))
            .arg("serve")
            .env("XINYI_ADDR", "127.0.0.1:0")
            .envs(env.iter().copied())
            .env("XINYI_LOG", log_filter)
            .env("XINYI_LOG_FORMAT", "json")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("the node logs before it exits").unwrap();
            let log: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(address) = log["fields"]["address"].as_str() {
                break address.to_owned();
            }
        };
        std::thread::spawn(move || {
            let mut kept = keep_log.and_then(|path| std::fs::File::create(path).ok());
            for line in lines.map_while(Result::ok) {
                if let Some(file) = kept.as_mut() {
                    let _ = writeln!(file, "{line}");
                }
            }
        });
        Node { base: format!("http://{address}"), process: child }
    }

    /// The node's process id, to read its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// SIGKILL: no shutdown, no flush, nothing finished that was in flight.
    pub fn kill_hard(mut self) {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
