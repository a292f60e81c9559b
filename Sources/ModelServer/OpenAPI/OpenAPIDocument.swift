/// `/openapi.json`: both protocols described in OpenAPI 3.0. MLflow's answers that are not JSON are
/// declared as what they are: `/ping`'s newline and `/version`'s text are `application/json`
/// bodies that are not JSON (a plain string schema), 415 and the bare 500 are `text/plain`, and the
/// 504 body is text declared as JSON.
enum OpenAPIDocument {
    static let bytes: [UInt8] = Array(text.utf8)

    static let text = #"""
        {"openapi":"3.0.3",
        "info":{"title":"mbundle serve","version":"1","description":"MLflow scoring protocol (mlflow models serve, MLflow 3.17.2) and the Open Inference Protocol (KServe V2) REST API."},
        "paths":{
        "/ping":{"get":{"summary":"Health (MLflow)","operationId":"ping","responses":{"200":{"description":"A model is loaded. The body is a single newline.","content":{"application/json":{"schema":{"type":"string","enum":["\n"]}}}},"404":{"description":"No model is loaded.","content":{"application/json":{"schema":{"type":"string"}}}}}}},
        "/health":{"get":{"summary":"Health (MLflow; same as /ping)","operationId":"health","responses":{"200":{"description":"A model is loaded. The body is a single newline.","content":{"application/json":{"schema":{"type":"string","enum":["\n"]}}}},"404":{"description":"No model is loaded.","content":{"application/json":{"schema":{"type":"string"}}}}}}},
        "/version":{"get":{"summary":"MLflow version of the scoring protocol","operationId":"version","responses":{"200":{"description":"The version as bare text (declared as JSON, as MLflow does).","content":{"application/json":{"schema":{"type":"string"}}}}}}},
        "/invocations":{"post":{"summary":"Predict (MLflow scoring protocol) with the first model","operationId":"invocations",
          "requestBody":{"required":true,"content":{
            "application/json":{"schema":{"$ref":"#/components/schemas/MLflowRequest"}},
            "text/csv":{"schema":{"type":"string","description":"CSV with a header row"}},
            "application/vnd.apache.parquet":{"schema":{"type":"string","format":"binary"}},
            "application/vnd.apache.arrow.stream":{"schema":{"type":"string","format":"binary","description":"An Arrow IPC stream (not in MLflow's protocol)"}}}},
          "responses":{
            "200":{"description":"Predictions: MLflow's JSON, or prediction columns as CSV, Parquet or an Arrow IPC stream when Accept names that type over JSON","content":{"application/json":{"schema":{"$ref":"#/components/schemas/MLflowPredictions"}},"text/csv":{"schema":{"type":"string"}},"application/vnd.apache.parquet":{"schema":{"type":"string","format":"binary"}},"application/vnd.apache.arrow.stream":{"schema":{"type":"string","format":"binary"}}}},
            "400":{"description":"The input was rejected (BAD_REQUEST, INVALID_PARAMETER_VALUE)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/MLflowError"}}}},
            "413":{"description":"The body is larger than the server's limit (REQUEST_LIMIT_EXCEEDED)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/MLflowError"}}}},
            "415":{"description":"Unsupported content type, charset or content-type parameter","content":{"text/plain":{"schema":{"type":"string"}}}},
            "500":{"description":"No Content-Type header (MLflow answers a bare 500)","content":{"text/plain":{"schema":{"type":"string","enum":["Internal Server Error"]}}}},
            "503":{"description":"Too many requests in flight (TEMPORARILY_UNAVAILABLE); see Retry-After","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/MLflowError"}}}},
            "504":{"description":"The request took longer than the timeout. The body is plain text declared as JSON.","content":{"application/json":{"schema":{"type":"string","enum":["Request processing time exceeded limit"]}}}}}}},
        "/metrics":{"get":{"summary":"Prometheus metrics","operationId":"metrics","responses":{"200":{"description":"Prometheus text exposition format","content":{"text/plain":{"schema":{"type":"string"}}}}}}},
        "/openapi.json":{"get":{"summary":"This document","operationId":"openapi","responses":{"200":{"description":"OpenAPI 3.0","content":{"application/json":{"schema":{"type":"object"}}}}}}},
        "/v2":{"get":{"summary":"Server metadata (V2)","operationId":"v2ServerMetadata","responses":{"200":{"description":"Server metadata","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ServerMetadata"}}}}}}},
        "/v2/health/live":{"get":{"summary":"Server live (V2)","operationId":"v2Live","responses":{"200":{"description":"Live","content":{"application/json":{"schema":{"type":"object","properties":{"live":{"type":"boolean"}}}}}}}}},
        "/v2/health/ready":{"get":{"summary":"Server ready (V2)","operationId":"v2Ready","responses":{"200":{"description":"Ready","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Ready"}}}},"503":{"description":"Not ready (shutting down)","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Ready"}}}}}}},
        "/v2/models/{model_name}":{"parameters":[{"$ref":"#/components/parameters/ModelName"}],"get":{"summary":"Model metadata (V2)","operationId":"v2ModelMetadata","responses":{"200":{"description":"Model metadata","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ModelMetadata"}}}},"404":{"$ref":"#/components/responses/V2Error"}}}},
        "/v2/models/{model_name}/versions/{model_version}":{"parameters":[{"$ref":"#/components/parameters/ModelName"},{"$ref":"#/components/parameters/ModelVersion"}],"get":{"summary":"Model metadata of a version (V2)","operationId":"v2ModelVersionMetadata","responses":{"200":{"description":"Model metadata","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ModelMetadata"}}}},"404":{"$ref":"#/components/responses/V2Error"}}}},
        "/v2/models/{model_name}/ready":{"parameters":[{"$ref":"#/components/parameters/ModelName"}],"get":{"summary":"Model ready (V2)","operationId":"v2ModelReady","responses":{"200":{"description":"Ready","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ModelReady"}}}},"404":{"$ref":"#/components/responses/V2Error"},"503":{"description":"Shutting down","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ModelReady"}}}}}}},
        "/v2/models/{model_name}/versions/{model_version}/ready":{"parameters":[{"$ref":"#/components/parameters/ModelName"},{"$ref":"#/components/parameters/ModelVersion"}],"get":{"summary":"Model version ready (V2)","operationId":"v2ModelVersionReady","responses":{"200":{"description":"Ready","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ModelReady"}}}},"404":{"$ref":"#/components/responses/V2Error"},"503":{"description":"Shutting down","content":{"application/json":{"schema":{"$ref":"#/components/schemas/ModelReady"}}}}}}},
        "/v2/models/{model_name}/infer":{"parameters":[{"$ref":"#/components/parameters/ModelName"}],"post":{"summary":"Inference (V2)","operationId":"v2Infer","requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/InferenceRequest"}}}},"responses":{"200":{"description":"Inference response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/InferenceResponse"}}}},"400":{"$ref":"#/components/responses/V2Error"},"404":{"$ref":"#/components/responses/V2Error"},"413":{"$ref":"#/components/responses/V2Error"},"503":{"$ref":"#/components/responses/V2Error"},"504":{"description":"Timeout: plain text declared as JSON","content":{"application/json":{"schema":{"type":"string"}}}}}}},
        "/v2/models/{model_name}/versions/{model_version}/infer":{"parameters":[{"$ref":"#/components/parameters/ModelName"},{"$ref":"#/components/parameters/ModelVersion"}],"post":{"summary":"Inference on a version (V2)","operationId":"v2VersionInfer","requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/InferenceRequest"}}}},"responses":{"200":{"description":"Inference response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/InferenceResponse"}}}},"400":{"$ref":"#/components/responses/V2Error"},"404":{"$ref":"#/components/responses/V2Error"},"413":{"$ref":"#/components/responses/V2Error"},"503":{"$ref":"#/components/responses/V2Error"},"504":{"description":"Timeout: plain text declared as JSON","content":{"application/json":{"schema":{"type":"string"}}}}}}}
        },
        "components":{
        "parameters":{
          "ModelName":{"name":"model_name","in":"path","required":true,"schema":{"type":"string"}},
          "ModelVersion":{"name":"model_version","in":"path","required":true,"schema":{"type":"string"}}},
        "responses":{"V2Error":{"description":"Error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/V2Error"}}}}},
        "schemas":{
          "MLflowRequest":{"type":"object","description":"Exactly one of dataframe_split, dataframe_records, instances, inputs; optional params.","properties":{"dataframe_split":{"type":"object","properties":{"columns":{"type":"array","items":{}},"index":{"type":"array","items":{}},"data":{"type":"array","items":{}}}},"dataframe_records":{"type":"array","items":{"type":"object"}},"instances":{},"inputs":{},"params":{"type":"object"}}},
          "MLflowPredictions":{"type":"object","required":["predictions"],"properties":{"predictions":{}}},
          "MLflowError":{"type":"object","required":["error_code","message"],"properties":{"error_code":{"type":"string"},"message":{"type":"string"},"error_class":{"type":"string"}}},
          "ServerMetadata":{"type":"object","required":["name","version","extensions"],"properties":{"name":{"type":"string"},"version":{"type":"string"},"extensions":{"type":"array","items":{"type":"string"}}}},
          "Ready":{"type":"object","properties":{"ready":{"type":"boolean"}}},
          "ModelReady":{"type":"object","required":["name","ready"],"properties":{"name":{"type":"string"},"ready":{"type":"boolean"}}},
          "MetadataTensor":{"type":"object","required":["name","datatype","shape"],"properties":{"name":{"type":"string"},"datatype":{"type":"string"},"shape":{"type":"array","items":{"type":"integer"}},"parameters":{"type":"object"}}},
          "ModelMetadata":{"type":"object","required":["name","platform","inputs","outputs"],"properties":{"name":{"type":"string"},"versions":{"type":"array","items":{"type":"string"}},"platform":{"type":"string"},"inputs":{"type":"array","items":{"$ref":"#/components/schemas/MetadataTensor"}},"outputs":{"type":"array","items":{"$ref":"#/components/schemas/MetadataTensor"}},"parameters":{"type":"object"}}},
          "RequestInput":{"type":"object","required":["name","shape","datatype","data"],"properties":{"name":{"type":"string"},"shape":{"type":"array","items":{"type":"integer","minimum":0}},"datatype":{"type":"string","enum":["BOOL","UINT8","UINT16","UINT32","UINT64","INT8","INT16","INT32","INT64","FP16","FP32","FP64","BYTES"]},"parameters":{"type":"object"},"data":{"type":"array","items":{}}}},
          "RequestOutput":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"parameters":{"type":"object"}}},
          "InferenceRequest":{"type":"object","required":["inputs"],"properties":{"id":{"type":"string"},"parameters":{"type":"object"},"inputs":{"type":"array","items":{"$ref":"#/components/schemas/RequestInput"}},"outputs":{"type":"array","items":{"$ref":"#/components/schemas/RequestOutput"}}}},
          "ResponseOutput":{"type":"object","required":["name","shape","datatype","data"],"properties":{"name":{"type":"string"},"shape":{"type":"array","items":{"type":"integer"}},"datatype":{"type":"string"},"parameters":{"type":"object"},"data":{"type":"array","items":{}}}},
          "InferenceResponse":{"type":"object","required":["model_name","outputs"],"properties":{"model_name":{"type":"string"},"model_version":{"type":"string"},"id":{"type":"string"},"parameters":{"type":"object"},"outputs":{"type":"array","items":{"$ref":"#/components/schemas/ResponseOutput"}}}},
          "V2Error":{"type":"object","required":["error"],"properties":{"error":{"type":"string"}}}
        }}}
        """#
}
