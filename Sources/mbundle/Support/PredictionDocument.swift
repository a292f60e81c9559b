import ModelBundle
import ModelRuntime

extension LoadedModel {
    /// Decodes one request body, predicts, and returns MLflow's `{"predictions": …}` document:
    /// the whole of a plain `predict`, and one batch of `predict --stream`.
    func predictionDocument(
        for body: [UInt8],
        format: RequestFormat,
        inputName: String
    ) throws(ModelBundleError) -> [UInt8] {
        let request: DecodedRequest
        do {
            request = try RequestDecoder(schema: requestSchema).decode(body, format: format)
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError(.inputInvalid, "cannot decode \(inputName)", item: inputName, detail: "\(error)")
        }
        let output = try predict(request)
        do {
            return try PredictionWriter.json(output)
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError(.inputInvalid, "cannot write the predictions", detail: "\(error)")
        }
    }
}
