//! Checks one scanned credit code against a published key set, offline.
//!
//! ```text
//! cargo run -p xinyi-merchant-sdk --example verify -- --keys KEYSET.json CODE
//! ```
//!
//! Prints one JSON object and exits 0 when the code is valid, 1 when it is
//! not, and 2 on a usage error (including an unreadable key set). CODE may
//! be `-` to read the code from standard input, as a scanner types it.

use clap::Parser;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use xinyi_merchant_sdk::{TrustedKeys, VerifiedCodeReport, Verifier, VerifyErrorReport};

#[derive(Parser)]
#[command(about = "Verify a 信易+ credit code offline against the service's published keys")]
struct Args {
    /// The key set, as served at GET /v1/keys.
    #[arg(long, value_name = "KEYSET.json")]
    keys: PathBuf,
    /// Check the code as of this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_rfc3339)]
    at: Option<OffsetDateTime>,
    /// Allowed clock difference between this machine and the service, in seconds.
    #[arg(long, default_value_t = 30)]
    clock_skew_secs: i64,
    /// The scanned code text, or - to read it from standard input.
    code: String,
}

fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("not an RFC 3339 time: {e}"))
}

fn usage_error(message: String) -> ExitCode {
    println!("{}", serde_json::json!({"ok": false, "error": "usage", "message": message}));
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let keys = match std::fs::read_to_string(&args.keys) {
        Ok(json) => json,
        Err(e) => return usage_error(format!("cannot read {}: {e}", args.keys.display())),
    };
    let keys = match TrustedKeys::from_json(&keys) {
        Ok(keys) => keys,
        Err(e) => return usage_error(format!("{}: {e}", args.keys.display())),
    };
    let code = if args.code == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            return usage_error(format!("cannot read the code from standard input: {e}"));
        }
        text
    } else {
        args.code
    };
    let verifier = Verifier::new(keys).with_clock_skew(time::Duration::seconds(args.clock_skew_secs));
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    match verifier.verify(&code, now) {
        Ok(verified) => {
            println!(
                "{}",
                serde_json::to_string(&VerifiedCodeReport::from(&verified)).expect("a verified code serialises")
            );
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            println!("{}", serde_json::to_string(&VerifyErrorReport::from(&refusal)).expect("a report serialises"));
            ExitCode::from(1)
        }
    }
}
