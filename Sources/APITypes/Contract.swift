// The API contract as served at GET /openapi.yaml: the same file the code is generated from.
import Foundation

public enum APIContract {
    public static let document: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = try? Data(contentsOf: url)
        else { fatalError("openapi.yaml is missing from the APITypes resource bundle") }
        return data
    }()
}
