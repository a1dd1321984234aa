// The JSON API's URLs that pages and their scripts use (images, thumbnails, uploads and zip
// imports, jobs, the dataset export, camera frames, model downloads, the training event
// stream, predictions and quick tests); scripts read them from data attributes. The OpenAPI document owns and
// registers these routes; a web test checks every case against the router, as for `WebRoute`.
import Foundation
import MinnowCore

enum APILink: Hashable, Sendable {
    case images(String)
    case imageImport(String)
    case image(String, image: String)
    case imageContent(String, image: String)
    case thumbnail(String, image: String)
    case datasetExport(String)
    case observationFrame(String, observation: String)
    case iterationEvents(String, iteration: String)
    case quickTest(String, iteration: String)
    /// `kind`: tflite, c-library, arduino-library, checkpoint or model-card.
    case artifact(String, iteration: String, kind: String)
    /// Where a job is read; scripts append `/<job id>`.
    case jobs
    case predict(deployment: String)

    /// The project the link is inside, if any.
    var project: String? {
        switch self {
        case .images(let project), .imageImport(let project), .image(let project, _), .imageContent(let project, _),
            .thumbnail(let project, _), .datasetExport(let project), .observationFrame(let project, _),
            .iterationEvents(let project, _), .quickTest(let project, _), .artifact(let project, _, _):
            project
        case .jobs, .predict: nil
        }
    }

    /// The link: `/v1/…`, each value percent-encoded.
    var path: String {
        let parts: [String] =
            switch self {
            case .images(let project): ["projects", project, "images"]
            case .imageImport(let project): ["projects", project, "images", "import"]
            case .image(let project, let image): ["projects", project, "images", image]
            case .imageContent(let project, let image): ["projects", project, "images", image, "content"]
            case .thumbnail(let project, let image): ["projects", project, "images", image, "thumbnail"]
            case .datasetExport(let project): ["projects", project, "dataset", "export"]
            case .observationFrame(let project, let observation):
                ["projects", project, "observations", observation, "frame"]
            case .iterationEvents(let project, let iteration): ["projects", project, "iterations", iteration, "events"]
            case .quickTest(let project, let iteration): ["projects", project, "iterations", iteration, "quick-test"]
            case .artifact(let project, let iteration, let kind):
                ["projects", project, "iterations", iteration, "artifacts", kind]
            case .jobs: ["jobs"]
            case .predict(let deployment): ["predict", deployment]
            }
        return "/v1/"
            + parts.map { $0.addingPercentEncoding(withAllowedCharacters: unreservedInSegment) ?? "" }.joined(
                separator: "/")
    }

    /// The link with a query string (values percent-encoded, nil values left out).
    func with(_ query: [(String, String?)]) -> String { link(path, query) }
}
