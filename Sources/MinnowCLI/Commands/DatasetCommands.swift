// `minnow dataset ...` (import, export, analyze) and `minnow labels ...` (list, rename, delete).
import APITypes
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct Dataset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import and export a project's dataset as zip, and analyse it.",
        subcommands: [Import.self, Export.self, Analyze.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a zip: one folder per label (cat/001.jpg), optionally under train/ and test/.",
            discussion: "Entries that cannot be imported are listed with the reason; the rest are kept."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "The zip file.") var file: String

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int else {
                throw CLIFailure("\(file) does not exist.")
            }
            let (client, projectID) = try await options.client(forProject: project)
            let progress = ProgressLine(enabled: !options.json)
            progress.update("Sending \(ProgressLine.bytes(size)) and importing…", force: true)
            let body = HTTPBody(FileChunks(url: url), length: .known(Int64(size)), iterationBehavior: .single)
            var job = try await client.importImages(path: .init(projectId: projectID), body: .applicationZip(body))
                .accepted.body.json
            while job.status == .queued || job.status == .running {
                try await Task.sleep(for: .milliseconds(250))
                job = try await client.getJob(path: .init(jobId: job.id)).ok.body.json
                if job.progress.total > 0 {
                    progress.update("Imported \(job.progress.done)/\(job.progress.total) entries")
                }
            }
            progress.finish()
            guard job.status == .succeeded, case .ImportReport(let report) = job.result else {
                throw CLIFailure(job.error ?? "The import ended as \(job.status.rawValue).")
            }
            if options.json { return try Output.json(report) }
            let summary = report.value1
            print(
                "\(report.value2.entries) entries: \(summary.accepted) imported, \(summary.duplicates) duplicates, \(summary.rejected) skipped in \(String(format: "%.1f", progress.elapsed)) s."
            )
            for skipped in summary.files where skipped.status == .rejected {
                print("  skipped \(skipped.fileName): \(skipped.reason ?? "")")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the dataset (or a filter of it) as a zip that import reproduces.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Option(name: .shortAndLong, help: "Where to write the zip.") var output: String
        @Option(help: "Only this label.") var label: String?
        @Option(help: "Only train or test.") var split: Components.Schemas.Split?

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let response = try await client.exportDataset(
                path: .init(projectId: projectID), query: .init(label: label, split: split)
            ).ok
            let written = try await Download.save(
                try response.body.applicationZip, to: output, showProgress: !options.json)
            if options.json {
                try Output.json(["file": output, "bytes": "\(written)"])
            } else {
                print("Wrote \(output) (\(ProgressLine.bytes(written))).")
            }
        }
    }

    struct Analyze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts, balance, sizes, duplicates and problems, before training.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let analysis = try await client.analyzeDataset(path: .init(projectId: projectID)).ok.body.json
            if options.json { return try Output.json(analysis) }
            print(
                "\(analysis.images) images, \(analysis.labelled) labelled, \(analysis.unlabelled) unlabelled; \(analysis.colorModes.grayscale) grayscale, \(analysis.colorModes.rgb) RGB."
            )
            Output.table(
                ["label", "train", "test", "total"],
                analysis.labels.map { [$0.label, "\($0.train)", "\($0.test)", "\($0.total)"] })
            if let common = analysis.sizes.first {
                print("Most common size: \(common.width)x\(common.height) (\(common.count) images).")
            }
            if !analysis.nearDuplicates.isEmpty {
                print("\(analysis.nearDuplicates.count) groups of near-duplicate images.")
            }
            for problem in analysis.problems { print("problem: \(problem.message)") }
            for warning in analysis.warnings { print("warning: \(warning)") }
            print(analysis.readyToTrain ? "Ready to train." : "Not ready to train yet.")
        }
    }
}

struct Labels: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, rename (or merge) and delete labels.",
        subcommands: [List.self, Rename.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Labels with their image counts per split.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let labels = try await client.listLabels(path: .init(projectId: projectID)).ok.body.json
            if options.json { return try Output.json(labels) }
            Output.table(
                ["label", "train", "test", "total"],
                labels.items.map { [$0.label, "\($0.train)", "\($0.test)", "\($0.total)"] })
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a label; renaming onto an existing label merges them.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "The label now.") var label: String
        @Argument(help: "Its new name.") var newName: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let result = try await client.renameLabel(
                path: .init(projectId: projectID, label: label), body: .json(.init(name: newName))
            ).ok.body.json
            if options.json {
                try Output.json(result)
            } else {
                print("Renamed \"\(label)\" to \"\(newName)\" on \(result.changed) images and boxes.")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a label, with its images (--delete-images) or leaving them unlabelled (--keep-images).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "The label.") var label: String
        @Flag(help: "Delete the label's images too.") var deleteImages = false
        @Flag(help: "Keep the images, unlabelled.") var keepImages = false

        func validate() throws {
            guard deleteImages != keepImages else {
                throw ValidationError("Choose what happens to the images: --delete-images or --keep-images.")
            }
        }

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let result = try await client.deleteLabel(
                path: .init(projectId: projectID, label: label), query: .init(images: deleteImages ? .delete : .unlabel)
            ).ok.body.json
            if options.json {
                try Output.json(result)
            } else {
                print("Deleted \"\(label)\": \(result.changed) images \(deleteImages ? "deleted" : "unlabelled").")
            }
        }
    }
}

/// A file read in 1 MiB chunks, for streaming uploads without loading it whole.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let url: URL

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?

        mutating func next() async throws -> ArraySlice<UInt8>? {
            guard let data = try handle?.read(upToCount: 1 << 20), !data.isEmpty else {
                try handle?.close()
                return nil
            }
            return ArraySlice(data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: try? FileHandle(forReadingFrom: url))
    }
}
