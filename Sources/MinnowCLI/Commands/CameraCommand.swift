// `minnow camera`: the camera-side client. It takes frames from a folder, a glob or a V4L2
// camera, spools each one with its capture time, and posts it to the camera's deployment
// (`POST .../devices/{id}/frames`), printing what the model saw. Frames survive outages and
// restarts in the spool; see `FrameUploader` for what happens to each answer.
import ArgumentParser
import Foundation
import MinnowCore
import MinnowServer

struct CameraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera",
        abstract: "Post a camera's frames to its deployment: from a folder, a glob or a V4L2 camera, through a spool.",
        discussion: """
            Authenticate with the camera's own key in MINNOW_TOKEN (never on the command line): \
            `minnow keys create --project P --device CAMERA` makes one and prints this command ready \
            to run. Such a key may only post frames, so give the project and device by id.

            Every frame is first written to the spool (--spool) with its capture time (the image \
            file's modification time, or when it was captured), then posted with it, and deleted \
            once the server has stored it. While the server cannot be reached, fails (5xx) or says \
            the key is over its limits (429), frames stay in the spool and are retried with backoff \
            (at most 60 s, or the server's Retry-After); the spool is sent first, oldest first, when \
            the camera starts again. A frame the server cannot read (400, 413, 422) goes to \
            spool/rejected/ with the reason in <file>.error.txt. A refused key, an unknown device or a \
            camera without deployment (401, 403, 404, 409) stops the camera with the server's message.

            --folder and --glob post each file once (the spool's state.json remembers them across \
            restarts), in name order, then new files as they appear. --v4l2 captures a frame every \
            --interval seconds with `ffmpeg -f v4l2 -i DEVICE -frames:v 1 -f image2 -vcodec mjpeg -`, \
            or with --capture-command, a shell command that writes one JPEG or PNG to standard output \
            ($MINNOW_CAMERA_DEVICE is the device). The ffmpeg path has not been tested against real \
            V4L2 hardware (the test machines have no V4L2 or USB); the --capture-command path is tested.

            Example: MINNOW_TOKEN=mnw_... minnow camera --server http://minnow.lan:8080 \\
                       --project 6f1c... --device 0b2e... --folder /var/lib/motion
            """)

    @OptionGroup var options: ClientOptions
    @Option(help: "Project id (or name, with a key that may read the project).") var project: String
    @Option(help: "The camera's device id (or name, with a key that may read devices).") var device: String
    @Option(help: "Post the JPEG and PNG files of this folder.") var folder: String?
    @Option(help: "Post the files matching this glob, e.g. '/srv/cam/*/*.jpg' (quote it).") var glob: String?
    @Option(name: .customLong("v4l2"), help: "Capture frames from this V4L2 device, e.g. /dev/video0.") var v4l2:
        String?
    @Option(
        name: .customLong("capture-command"),
        help: "With --v4l2: a shell command printing one frame to standard output, instead of ffmpeg.")
    var captureCommand: String?
    @Option(help: "Seconds between looks at the folder or glob, or between captures.") var interval: Double = 2
    @Option(help: "Spool directory (default: <config dir>/camera-spool/<device>).") var spool: String?
    @Flag(
        help: "Exit once every file there is has been delivered or rejected and the spool is empty (--v4l2: one frame)."
    )
    var once = false

    func validate() throws {
        guard [folder, glob, v4l2].compactMap({ $0 }).count == 1 else {
            throw ValidationError("Give one source: --folder DIR, --glob PATTERN or --v4l2 DEVICE.")
        }
        if captureCommand != nil, v4l2 == nil { throw ValidationError("--capture-command goes with --v4l2.") }
        guard interval > 0 else { throw ValidationError("--interval is a number of seconds above 0.") }
    }

    func run() async throws {
        let client = try options.client()
        let projectID = try await Self.limitedKeyLookup("project", "--project") {
            try await ProjectReference.resolve(project, with: client)
        }
        let deviceID = try await Self.limitedKeyLookup("device", "--device") {
            try await DeviceReference.resolve(device, project: projectID, with: client)
        }
        let spool = try FrameSpool(
            directory: spool.map { URL(fileURLWithPath: $0) }
                ?? CredentialsStore.directory.appendingPathComponent("camera-spool").appendingPathComponent(deviceID))
        var source: any FrameSource
        if let folder {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw CLIFailure("\(folder) is not a folder.")
            }
            source = FileFrameSource(.folder(URL(fileURLWithPath: folder)), spool: spool)
        } else if let glob {
            source = FileFrameSource(.glob(glob), spool: spool)
        } else {
            source = try CaptureFrameSource(
                device: v4l2!, captureCommand: captureCommand, interval: interval, once: once)
        }

        let stop = StopSignal()
        let signals = TerminationSignals.handle { stop.set() }
        defer { signals.forEach { $0.cancel() } }
        var uploader = FrameUploader(
            client: client, projectID: projectID, deviceID: deviceID, spool: spool, json: options.json)
        let waiting = spool.pending().count
        uploader.note(
            "camera \(device) → \(options.serverURL): \(folder ?? glob ?? v4l2!), spool \(spool.directory.path)"
                + (waiting > 0 ? " (\(waiting) frame\(waiting == 1 ? "" : "s") waiting, sent first)" : ""))
        do {
            try await uploader.drain { stop.isSet }
            while !stop.isSet {
                _ = try await source.collect(into: spool)
                try await uploader.drain { stop.isSet }
                if once, source.exhausted, spool.pending().isEmpty { break }
                let wake = min(Date().addingTimeInterval(interval), uploader.retryAt ?? .distantFuture)
                while !stop.isSet, Date() < wake { try? await Task.sleep(for: .milliseconds(100)) }
            }
        } catch {
            uploader.note(summary(uploader, spool))
            throw error
        }
        uploader.note(summary(uploader, spool))
    }

    private func summary(_ uploader: FrameUploader, _ spool: FrameSpool) -> String {
        let left = spool.pending().count
        return
            "Delivered \(uploader.delivered) frame\(uploader.delivered == 1 ? "" : "s"), rejected \(uploader.rejected)"
            + (left > 0 ? "; \(left) waiting in the spool \(spool.directory.path)." : "; the spool is empty.")
    }

    /// Names need a lookup a camera's key may not make; say to pass the id instead.
    private static func limitedKeyLookup(
        _ what: String, _ option: String, _ lookup: () async throws -> String
    ) async throws -> String {
        do {
            return try await lookup()
        } catch  where BridgeAgent.cliFailure(in: error)?.status == 403 {
            throw CLIFailure(
                "This key may not look the \(what) up by name; give its id with \(option) (`minnow keys create --device` prints both)."
            )
        }
    }
}
