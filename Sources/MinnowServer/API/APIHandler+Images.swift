// Images: upload (multipart), list with filters, read, change, delete, bytes and thumbnails.
import APITypes
import Fluent
import Foundation
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func uploadImages(_ input: Operations.UploadImages.Input) async throws -> Operations.UploadImages.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .ingest, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            guard case .multipartForm(let parts) = input.body else { throw Abort(.unsupportedMediaType) }
            var label = input.query.label
            var split = input.query.split
            if let problem = label.flatMap(LabelRules.problem) {
                return .unprocessableContent(.init(body: .json(.invalid(problem))))
            }
            let ingest = ImageIngest(db: db, projectID: try project.requireID(), threadPool: dependencies.threadPool)
            var outcomes: [FileOutcome] = []
            // Files decode in parallel while the next parts arrive; each batch is stored at once.
            var pending: [Task<ImageIngest.Prepared, any Error>] = []
            var received = 0
            func flush() async throws {
                var prepared: [ImageIngest.Prepared] = []
                for task in pending { prepared.append(try await task.value) }
                let batch = prepared.map { file -> ImageIngest.Prepared in
                    var file = file
                    file.label = label
                    file.split = split?.domain ?? .auto
                    return file
                }
                pending = []
                outcomes += try await ingest.store(batch)
            }
            for try await part in parts {
                switch part {
                case .files(let file):
                    received += 1
                    let name = file.filename ?? "file\(received)"
                    guard received <= Limits.filesPerUpload else {
                        outcomes.append(
                            .init(
                                fileName: ImageIngest.sanitised(fileName: name), status: .rejected,
                                reason: "more than \(Limits.filesPerUpload) files in one request"))
                        continue
                    }
                    guard let data = try await Self.collect(file.payload.body, upTo: ImageIngest.maximumFileBytes)
                    else {
                        outcomes.append(
                            .init(
                                fileName: ImageIngest.sanitised(fileName: name), status: .rejected,
                                reason: "larger than \(ImageIngest.maximumFileBytes >> 20) MB"))
                        continue
                    }
                    let (fileLabel, fileSplit) = (label, split?.domain)
                    pending.append(
                        Task {
                            try await ingest.prepare(
                                data, fileName: name, label: fileLabel, split: fileSplit, source: .upload)
                        })
                    if pending.count >= 32 { try await flush() }
                case .label(let part):
                    let text = try await String(collecting: part.payload.body, upTo: 1024).trimmingCharacters(
                        in: .whitespacesAndNewlines)
                    if let problem = LabelRules.problem(with: text) {
                        return .unprocessableContent(.init(body: .json(.invalid(problem))))
                    }
                    label = text
                    try await relabelAccepted(outcomes, label: text, on: db)
                case .split(let part):
                    let text = try await String(collecting: part.payload.body, upTo: 64).trimmingCharacters(
                        in: .whitespacesAndNewlines)
                    guard let choice = Components.Schemas.SplitChoice(rawValue: text) else {
                        return .unprocessableContent(.init(body: .json(.invalid("split must be train, test or auto."))))
                    }
                    split = choice
                    try await moveAccepted(outcomes, to: choice, on: db)
                case .undocumented(let part):
                    try await Self.discard(part.body)  // the next part can only be read after this one
                }
            }
            try await flush()
            return .ok(.init(body: .json(.init(outcomes))))
        }
    }

    func listImages(_ input: Operations.ListImages.Input) async throws -> Operations.ListImages.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            let filter = ImageFilter(
                label: input.query.label, split: input.query.split?.domain, source: input.query.source?.domain,
                unlabelled: input.query.unlabelled == true,
                order: (input.query.sort?.rawValue).flatMap(ImageFilter.Order.init) ?? .newest
            )
            let (images, total) = try await filter.query(projectID: project.requireID(), on: db).page(page)
            return .ok(
                .init(body: .json(.init(items: try images.map { try $0.api() }, metadata: page.metadata(total: total))))
            )
        }
    }

    func getImage(_ input: Operations.GetImage.Input) async throws -> Operations.GetImage.Output {
        try await answer { principal, db in
            guard let image = try await image(input.path.projectId, input.path.imageId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Image"))))
            }
            return .ok(.init(body: .json(try image.api())))
        }
    }

    func updateImage(_ input: Operations.UpdateImage.Input) async throws -> Operations.UpdateImage.Output {
        try await answer { principal, db in
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            guard let image = try await image(input.path.projectId, input.path.imageId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Image"))))
            }
            if let problem = body.label.flatMap(LabelRules.problem) ?? body.boxes.flatMap(Self.boxProblem) {
                return .unprocessableContent(.init(body: .json(.invalid(problem))))
            }
            try await db.transaction { db in
                if let label = body.label { image.label = label }
                if body.clearLabel == true { image.label = nil }
                if let split = body.split { image.setSplit(split.domain) }
                try await image.save(on: db)
                if let boxes = body.boxes {
                    try await Box.query(on: db).filter(\.$image.$id == image.requireID()).delete()
                    for box in boxes {
                        try await Box(
                            imageID: image.requireID(), label: box.label, x: box.x, y: box.y, width: box.width,
                            height: box.height
                        ).create(on: db)
                    }
                }
            }
            try await image.$boxes.load(on: db)
            return .ok(.init(body: .json(try image.api())))
        }
    }

    func deleteImage(_ input: Operations.DeleteImage.Input) async throws -> Operations.DeleteImage.Output {
        try await answer { principal, db in
            guard let image = try await image(input.path.projectId, input.path.imageId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Image"))))
            }
            try await image.delete(on: db)
            return .noContent(.init())
        }
    }

    func getImageContent(_ input: Operations.GetImageContent.Input) async throws -> Operations.GetImageContent.Output {
        try await answer { principal, db in
            guard let image = try await image(input.path.projectId, input.path.imageId, principal, .read, on: db),
                let id = BlobID(hex: image.blobID), let data = try await blobStore(on: db).get(id)
            else { return .notFound(.init(body: .json(.notFound("Image")))) }
            return .ok(.init(body: image.format == .png ? .png(HTTPBody(data)) : .jpeg(HTTPBody(data))))
        }
    }

    func getImageThumbnail(
        _ input: Operations.GetImageThumbnail.Input
    ) async throws -> Operations.GetImageThumbnail.Output {
        try await answer { principal, db in
            guard let image = try await image(input.path.projectId, input.path.imageId, principal, .read, on: db),
                let id = BlobID(hex: image.thumbnailBlobID), let data = try await blobStore(on: db).get(id)
            else { return .notFound(.init(body: .json(.notFound("Image")))) }
            return .ok(.init(body: .jpeg(HTTPBody(data))))
        }
    }

    // MARK: - Helpers shared by the dataset handlers

    /// The project, if `principal` may act on it with `permission`; nil: answer 404 (a key
    /// without the permission throws the 403 that `answer(_:)` returns).
    func project(
        _ id: String, _ principal: Principal, _ permission: Permission, on db: any Database
    ) async throws -> Project? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await principal.project(id, for: permission, on: db)
    }

    func image(
        _ projectID: String, _ imageID: String, _ principal: Principal, _ permission: Permission,
        on db: any Database
    ) async throws -> DatasetImage? {
        guard let project = try await project(projectID, principal, permission, on: db),
            let imageID = UUID(uuidString: imageID)
        else { return nil }
        return try await DatasetImage.query(on: db).filter(\.$id == imageID)
            .filter(\.$project.$id == project.requireID()).with(\.$boxes).first()
    }

    func blobStore(on db: any Database) -> DatabaseBlobStore {
        DatabaseBlobStore(database: db, references: BlobReferences.all)
    }

    /// The whole body, or nil when it is larger than `limit`.
    static func collect(_ body: HTTPBody, upTo limit: Int) async throws -> Data? {
        var data = Data()
        var tooLarge = false
        for try await chunk in body where !tooLarge {  // keep reading to the end of the part
            if data.count + chunk.count > limit {
                tooLarge = true; data = Data()
            } else {
                data.append(contentsOf: chunk)
            }
        }
        return tooLarge ? nil : data
    }

    /// Reads a part nobody needs to its end (multipart parts can only be read in order).
    static func discard(_ body: HTTPBody) async throws {
        for try await _ in body {}
    }

    static func boxProblem(_ boxes: [Components.Schemas.Box]) -> String? {
        for box in boxes {
            if let problem = LabelRules.problem(with: box.label) { return problem }
            let inside =
                box.x >= 0 && box.y >= 0 && box.width > 0 && box.height > 0 && box.x + box.width <= 1.0001
                && box.y + box.height <= 1.0001
            if !inside { return "Box coordinates are fractions of the image: 0 ≤ x, y and x + width, y + height ≤ 1." }
        }
        return nil
    }

    private func relabelAccepted(_ outcomes: [FileOutcome], label: String, on db: any Database) async throws {
        let ids = outcomes.filter { $0.status == .accepted }.compactMap { $0.imageId.flatMap(UUID.init(uuidString:)) }
        guard !ids.isEmpty else { return }
        try await DatasetImage.query(on: db).filter(\.$id ~~ ids).set(\.$label, to: label).update()
    }

    private func moveAccepted(
        _ outcomes: [FileOutcome], to split: Components.Schemas.SplitChoice, on db: any Database
    ) async throws {
        let ids = outcomes.filter { $0.status == .accepted }.compactMap { $0.imageId.flatMap(UUID.init(uuidString:)) }
        for image in try await DatasetImage.query(on: db).filter(\.$id ~~ ids).all() {
            image.setSplit(split.domain)
            try await image.save(on: db)
        }
    }
}

extension DatasetImage {
    func api() throws -> Components.Schemas.Image {
        .init(
            id: try requireID().apiString, fileName: fileName, width: width, height: height,
            colorMode: .init(colorMode), format: .init(rawValue: format.rawValue) ?? .jpeg, size: size,
            label: label,
            boxes: ($boxes.value ?? []).map {
                .init(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height)
            },
            split: .init(split), splitAutomatic: splitAutomatic,
            source: .init(source), contentHash: blobID, createdAt: createdAt ?? Date()
        )
    }
}

extension Operations.UploadImages.Output: RefusableOutput {}
extension Operations.ListImages.Output: RefusableOutput {}
extension Operations.GetImage.Output: RefusableOutput {}
extension Operations.UpdateImage.Output: RefusableOutput {}
extension Operations.DeleteImage.Output: RefusableOutput {}
extension Operations.GetImageContent.Output: RefusableOutput {}
extension Operations.GetImageThumbnail.Output: RefusableOutput {}
