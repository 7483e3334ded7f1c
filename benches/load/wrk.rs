//! Drives a phase with Debian's `wrk` instead of the in-process reqwest
//! client. On a 2-core machine the client competes with the server for the
//! cores; wrk spends far less of them per request, so `--client wrk`
//! measures more of the server and less of the client. The issue's targets
//! were measured with wrk.
//!
//! The phase's requests are built with the same closures as the reqwest
//! client, written one a line to a file, and replayed by a Lua script: each
//! wrk thread takes every n-th line, so no code is sent twice. One wrk runs
//! per node, the connections split between them.

use crate::{MakeRequest, Measured};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const SCRIPT: &str = r#"
local threads, next_id = {}, 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
local requests, at, step, wrap = {}, 0, 1, false
ok_count, error_count, first_error = 0, 0, nil
function init(args)
  wrap = args[2] == "wrap"
  step = tonumber(args[3])
  at = id
  for line in io.lines(args[1]) do
    local fields = {}
    for field in string.gmatch(line, "([^\t]*)\t?") do table.insert(fields, field) end
    local headers = {}
    for i = 4, #fields do
      local name, value = string.match(fields[i], "^([^:]+): (.*)$")
      if name then headers[name] = value end
    end
    local body = fields[3] ~= "" and fields[3] or nil
    table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
  end
end
function request()
  local index = at
  at = at + step
  if wrap then index = index % #requests end
  -- Out of fresh requests: ask for a page that does not exist, counted as an error.
  return requests[index + 1] or wrk.format("GET", "/no-fresh-requests-left")
end
function response(status, headers, body)
  if status == tonumber(wrk.ok_status) then
    ok_count = ok_count + 1
  else
    error_count = error_count + 1
    if first_error == nil then first_error = status .. " " .. string.sub(body or "", 1, 300) end
  end
end
function done(summary, latency, requests)
  local ok, errors, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("ok_count")
    errors = errors + thread:get("error_count")
    first = thread:get("first_error") or first
  end
  io.write(string.format("XINYI-WRK\t%d\t%d\t%d\t%d\t%d\t%s\n", ok, errors, summary.duration,
    latency:percentile(50), latency:percentile(99), string.gsub(first, "[\t\n]", " ")))
end
"#;

/// Requests for a phase that does not need fresh ones: they are reused in turn.
const REUSED: u64 = 4_096;
/// wrk's threads: one a core of this machine.
const THREADS: usize = 2;

/// One request as a line: method, path, body, then one field a header.
fn request_line(client: &reqwest::Client, make: &MakeRequest, i: u64) -> Option<String> {
    let request = make(client, i)?.build().unwrap();
    let body = request.body().and_then(|b| b.as_bytes()).map(|b| String::from_utf8(b.to_vec()).unwrap());
    let url = request.url();
    let path = url.query().map_or_else(|| url.path().to_owned(), |query| format!("{}?{query}", url.path()));
    let mut line = format!("{}\t{path}\t{}", request.method(), body.unwrap_or_default());
    for (name, value) in request.headers() {
        write!(line, "\t{name}: {}", value.to_str().unwrap()).unwrap();
    }
    assert!(!line.contains('\n'), "a request line may not hold a newline");
    Some(line)
}

/// Writes node `n`'s requests (every `nodes`-th index) and says whether wrk should wrap.
fn write_requests(path: &Path, make: &MakeRequest, fresh: bool, node: usize, nodes: usize) -> bool {
    let client = reqwest::Client::new();
    let mut text = String::new();
    for k in 0.. {
        if !fresh && k == REUSED {
            break;
        }
        let Some(line) = request_line(&client, make, k * nodes as u64 + node as u64) else { break };
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
    !fresh
}

struct WrkOutcome {
    ok: u64,
    errors: u64,
    micros: u64,
    p50: u64,
    p99: u64,
    first_error: Option<String>,
}

fn parse(stdout: &str) -> WrkOutcome {
    let line = stdout.lines().find(|l| l.starts_with("XINYI-WRK\t")).unwrap_or_else(|| panic!("wrk said: {stdout}"));
    let fields: Vec<&str> = line.split('\t').collect();
    let number = |i: usize| fields[i].parse::<u64>().unwrap();
    let first = fields.get(6).map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    WrkOutcome {
        ok: number(1),
        errors: number(2),
        micros: number(3),
        p50: number(4),
        p99: number(5),
        first_error: first,
    }
}

/// Runs one wrk a node at once and sums them. Latencies are the worst node's.
pub fn drive(
    name: &'static str,
    nodes: &[String],
    connections: usize,
    seconds: u64,
    ok_status: u16,
    make: MakeRequest,
    fresh: bool,
) -> Measured {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("replay.lua");
    std::fs::write(&script, SCRIPT.replace("wrk.ok_status", &ok_status.to_string())).unwrap();
    let runs: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(n, base)| {
            let data = dir.path().join(format!("requests-{n}.txt"));
            let wrap = write_requests(&data, &make, fresh, n, nodes.len());
            let per_node = (connections / nodes.len()).max(THREADS);
            Command::new("wrk")
                .args(["-t", &THREADS.to_string(), "-c", &per_node.to_string(), "-d", &format!("{seconds}s")])
                .args(["--timeout", "10s", "-s"])
                .arg(&script)
                .arg(base)
                .arg("--")
                .arg(&data)
                .arg(if wrap { "wrap" } else { "fresh" })
                .arg(THREADS.to_string())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("wrk is installed (apt-get install wrk)")
        })
        .collect();
    let outcomes: Vec<WrkOutcome> =
        runs.into_iter().map(|run| parse(&String::from_utf8_lossy(&run.wait_with_output().unwrap().stdout))).collect();
    let seconds = outcomes.iter().map(|o| o.micros).max().unwrap_or(1) as f64 / 1e6;
    let (ok, errors) = (outcomes.iter().map(|o| o.ok).sum::<u64>(), outcomes.iter().map(|o| o.errors).sum::<u64>());
    Measured {
        name,
        ok,
        errors,
        per_second: (ok + errors) as f64 / seconds,
        p50_ms: outcomes.iter().map(|o| o.p50).max().unwrap_or(0) as f64 / 1000.0,
        p99_ms: outcomes.iter().map(|o| o.p99).max().unwrap_or(0) as f64 / 1000.0,
        first_error: outcomes.into_iter().find_map(|o| o.first_error),
    }
}
