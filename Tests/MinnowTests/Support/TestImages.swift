// Real images for dataset tests, made with the Imaging module: distinct content per seed.
import Foundation
import Imaging

enum TestImages {
    /// Blocks of seeded random brightness (so perceptual hashes differ between seeds) plus noise.
    static func image(seed: Int, width: Int = 32, height: Int = 24, channels: Int = 3) -> Image {
        var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 1)
        func next() -> UInt32 {
            state = state &* 1_664_525 &+ 1_013_904_223
            return state >> 24
        }
        let blocks = (0..<64).map { _ in Int(next()) }
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                let block = blocks[(y * 8 / height) * 8 + x * 8 / width]
                for c in 0..<channels { pixels.append(UInt8(clamping: block + c * 7 + Int(next() % 8))) }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    static func png(seed: Int, width: Int = 32, height: Int = 24, channels: Int = 3) -> Data {
        try! image(seed: seed, width: width, height: height, channels: channels).pngData()
    }

    static func jpeg(seed: Int, width: Int = 32, height: Int = 24) -> Data {
        try! image(seed: seed, width: width, height: height).jpegData(quality: 90)
    }
}

/// A multipart/form-data body built by hand, as a browser or curl would send it.
struct MultipartForm {
    let boundary = "minnow-\(UUID().uuidString)"
    private(set) var body = Data()

    mutating func addFile(
        name: String = "files", fileName: String, type: String = "application/octet-stream", content: Data
    ) {
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\nContent-Type: \(type)\r\n\r\n"
                    .utf8))
        body.append(content)
        body.append(Data("\r\n".utf8))
    }

    mutating func addField(_ name: String, _ value: String) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    var encoded: Data { body + Data("--\(boundary)--\r\n".utf8) }
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

extension TestServer {
    func upload(
        _ form: MultipartForm, to project: String, token: String, query: String = ""
    ) async throws -> TestResponse {
        try await request(
            .POST, "/v1/projects/\(project)/images\(query)", token: token, body: form.encoded,
            headers: [("Content-Type", form.contentType)])
    }

    /// Uploads PNGs with the given seeds under one label; returns their ids in order.
    func uploadImages(
        _ seeds: [Int], label: String?, split: String? = nil, to project: String, token: String
    ) async throws -> [String] {
        var form = MultipartForm()
        if let label { form.addField("label", label) }
        if let split { form.addField("split", split) }
        for seed in seeds {
            form.addFile(fileName: "img\(seed).png", type: "image/png", content: TestImages.png(seed: seed))
        }
        let response = try await upload(form, to: project, token: token)
        let files = response["files"] as? [[String: Any]] ?? []
        return files.compactMap { $0["imageId"] as? String }
    }
}
