import ArgumentParser
import ModelFlavors

@main
struct MBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbundle",
        abstract: "Package, inspect, validate and run MLflow-compatible model bundles.",
        discussion: """
            Exit status: 0 success; 1 the input data was rejected; 2 the bundle is invalid, \
            corrupt, unsigned or unsupported; 64 usage error; 69 the tracking server is unreachable \
            or failed; 77 the tracking server refused the credentials.
            """,
        // The version packaged bundles record as metadata.mbundle_version.
        version: LinearModelPackager.currentVersion,
        subcommands: [
            PredictCommand.self,
            InspectCommand.self,
            VerifyCommand.self,
            ValidateCommand.self,
            PackCommand.self,
            UnpackCommand.self,
            RewriteManifestCommand.self,
            PackageCommand.self,
            ConvertCommand.self,
            KeygenCommand.self,
            SignCommand.self,
            LogCommand.self,
        ]
    )
}
