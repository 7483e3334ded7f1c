fn main() -> std::process::ExitCode {
    xinyi::cli::run()
}
