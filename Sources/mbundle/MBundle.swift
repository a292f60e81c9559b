import ArgumentParser

@main
struct MBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbundle",
        abstract: "Package, inspect, validate and run MLflow-compatible model bundles.",
        subcommands: [PackCommand.self, UnpackCommand.self]
    )
}
