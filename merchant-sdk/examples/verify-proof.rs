//! Checks a ledger receipt (a C2SP `tlog-proof@v1` whose extra data is the
//! entry's bytes) offline against the log's pinned verifier key.
//!
//! ```text
//! cargo run -p xinyi-merchant-sdk --example verify-proof -- --log-key KEY FILE
//! ```
//!
//! KEY is the note verifier key served at GET /v1/ledger/key
//! (`<name>+<key id>+<base64>`). Prints one JSON object and exits 0 when the
//! entry is in the signed tree, 1 when it is not (or the proof is bad), and 2
//! on a usage error. FILE may be `-` for standard input.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Parser;
use std::io::Read as _;
use std::process::ExitCode;
use xinyi_merchant_sdk::signed_note::NoteVerifier;
use xinyi_merchant_sdk::tlog_proof::verify_receipt;

#[derive(Parser)]
#[command(about = "Verify a 信易+ ledger receipt offline against the log's key")]
struct Args {
    /// The log's verifier key, as served at GET /v1/ledger/key.
    #[arg(long, value_name = "KEY")]
    log_key: String,
    /// The receipt (.tlog-proof), or - to read it from standard input.
    file: String,
}

fn usage_error(message: String) -> ExitCode {
    println!("{}", serde_json::json!({"ok": false, "error": "usage", "message": message}));
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let key = match NoteVerifier::parse(args.log_key.trim()) {
        Ok(key) => key,
        Err(e) => return usage_error(format!("--log-key: {e}")),
    };
    let mut proof = String::new();
    let read = match args.file.as_str() {
        "-" => std::io::stdin().read_to_string(&mut proof).map(drop),
        path => std::fs::read_to_string(path).map(|text| proof = text),
    };
    if let Err(e) = read {
        return usage_error(format!("cannot read {}: {e}", args.file));
    }
    match verify_receipt(&proof, &key) {
        Ok((verified, entry)) => {
            let report = serde_json::json!({
                "ok": true,
                "index": verified.index,
                "origin": verified.checkpoint.origin,
                "tree_size": verified.checkpoint.size,
                "root": STANDARD.encode(verified.checkpoint.root),
                "entry": STANDARD.encode(entry),
            });
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            println!("{}", serde_json::json!({"ok": false, "error": "not_proven", "message": refusal.to_string()}));
            ExitCode::from(1)
        }
    }
}
