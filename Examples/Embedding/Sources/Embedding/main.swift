import ModelFlavors
import ModelRuntime

// Usage: Embedding MODEL JSON-BODY
let arguments = CommandLine.arguments
let model = try ModelLoader(registry: .builtIn).load(modelPath: arguments[1])
let predictions = try model.predict(body: Array(arguments[2].utf8), format: .json)
print(String(decoding: predictions, as: UTF8.self))
