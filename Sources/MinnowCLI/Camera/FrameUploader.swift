// Posts spooled frames, oldest first, and decides each one's fate from the answer: stored
// (201) → deleted from the spool; the server unreachable, failing (5xx) or over the key's
// limits (429) → kept, and retried with exponential backoff (or after Retry-After); the frame
// itself refused (400, 413, 415, 422) → moved to `rejected/` with the reason; the key, the
// device or its deployment refused (401, 403, 404, 409) → the camera stops, frames kept,
// because every later frame would be refused the same way.
import APITypes
import Foundation
import Imaging
import OpenAPIRuntime

struct FrameUploader {
    let client: Client
    let projectID: String
    let deviceID: String
    let spool: FrameSpool
    /// Each delivered frame as a JSON line on standard output; other lines go to standard error.
    let json: Bool
    /// The longest wait between retries, seconds.
    var maximumBackoff: TimeInterval = 60

    private(set) var delivered = 0
    private(set) var rejected = 0
    /// When a retryable failure happened: don't post again before this.
    private(set) var retryAt: Date?
    private var backoff: TimeInterval = 1

    init(client: Client, projectID: String, deviceID: String, spool: FrameSpool, json: Bool) {
        self.client = client
        self.projectID = projectID
        self.deviceID = deviceID
        self.spool = spool
        self.json = json
    }

    /// Posts what the spool holds until it is empty, a retryable failure, or `shouldStop`.
    mutating func drain(shouldStop: () -> Bool) async throws {
        if let retryAt, Date() < retryAt { return }
        retryAt = nil
        for frame in spool.pending() {
            if shouldStop() { return }
            guard let data = FileManager.default.contents(atPath: frame.url.path) else { continue }
            do {
                let observation = try await post(data, capturedAt: frame.capturedAt)
                spool.delivered(frame)
                delivered += 1
                backoff = 1
                if json {
                    try Output.jsonLine(Delivered(file: frame.sourceName, observation: observation))
                } else {
                    say("\(frame.sourceName): \(Self.describe(observation))")
                }
            } catch {
                let failure = BridgeAgent.cliFailure(in: error) ?? CLIFailure("\(error)")
                switch failure.status ?? 0 {
                case 0, 429, 500...:
                    let wait = failure.retryAfter.map { max(1, $0) } ?? backoff
                    backoff = min(maximumBackoff, backoff * 2)
                    retryAt = Date().addingTimeInterval(wait)
                    note(
                        "\(frame.sourceName): \(failure.message) Kept in the spool; retrying in \(Int(wait.rounded(.up))) s."
                    )
                    return
                case 401, 403, 404, 409:
                    throw CLIFailure(
                        "\(failure.message) (\(frame.sourceName) and the rest stay in the spool \(spool.directory.path).)",
                        status: failure.status)
                default:
                    try spool.reject(frame, reason: "\(failure.status.map { "HTTP \($0): " } ?? "")\(failure.message)")
                    rejected += 1
                    note("\(frame.sourceName): rejected: \(failure.message) (moved to \(spool.rejectedDirectory.path))")
                }
            }
        }
    }

    /// A progress line: standard output, or standard error with --json (stdout is then JSON lines only).
    func note(_ line: String) {
        if json { FileHandle.standardError.write(Data("\(line)\n".utf8)) } else { say(line) }
    }

    private struct Delivered: Encodable {
        let file: String
        let observation: Components.Schemas.Observation
    }

    private func post(_ data: Data, capturedAt: Date) async throws -> Components.Schemas.Observation {
        let body: Operations.IngestFrame.Input.Body
        switch ImageFormat.announced(by: data) {
        case .png: body = .png(HTTPBody(data))
        case .jpeg: body = .jpeg(HTTPBody(data))
        case nil: body = .binary(HTTPBody(data))
        }
        return try await client.ingestFrame(
            path: .init(projectId: projectID, deviceId: deviceID),
            query: .init(capturedAt: capturedAt), body: body
        ).created.body.json
    }

    /// `across 0.97, frame stored` or `2 objects: cat 0.91 at 0.31,0.62; dog 0.55 at 0.70,0.20, frame similar`.
    static func describe(_ observation: Components.Schemas.Observation) -> String {
        let seen: String
        if let detections = observation.detections {
            seen =
                detections.isEmpty
                ? "no objects"
                : "\(detections.count) object\(detections.count == 1 ? "" : "s"): "
                    + detections.map { "\($0.label) \(String(format: "%.2f at %.2f,%.2f", $0.score, $0.x, $0.y))" }
                    .joined(separator: "; ")
        } else if let best = observation.scores.first {
            seen = "\(best.label) \(String(format: "%.2f", best.score))"
        } else {
            seen = "no label"
        }
        return "\(seen), frame \(observation.frame.rawValue)"
    }
}
