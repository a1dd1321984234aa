// The web app's only stylesheet and script, compiled into the binary (no files to find at
// run time, no build chain). Cached for an hour; pages link them by fixed paths.
import Vapor

enum Assets {
    static func register(on app: Application) {
        app.get("assets", "app.css") { _ in asset(stylesheet, type: "text/css; charset=utf-8") }
        app.get("assets", "app.js") { _ in asset(script, type: "text/javascript; charset=utf-8") }
    }

    private static let stylesheet = [AssetStylesheet.text, AssetStylesheet.models].joined(separator: "\n")
    private static let script = [AssetScript.text, AssetScript.training, AssetScript.tryIt].joined(separator: "\n")

    private static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": type, "Cache-Control": "public, max-age=3600"], body: .init(string: text))
    }
}
