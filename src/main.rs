use clap::Parser;

/// xinyi: the 信易+ credit-benefit service and its command line.
#[derive(Parser)]
#[command(version, about)]
struct Cli {}

fn main() {
    Cli::parse();
}
