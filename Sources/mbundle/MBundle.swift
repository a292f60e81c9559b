import ArgumentParser
import ModelFlavors

@main
struct MBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbundle",
        abstract: "Package, inspect, validate and run MLflow-compatible model bundles.",
        discussion: """
            Exit status: 0 success; 1 the input data was rejected; 2 the bundle is invalid, \
            corrupt or unsupported; 3 serve could not bind its address; 64 usage error.
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
            ServeCommand.self,
        ]
    )
}
