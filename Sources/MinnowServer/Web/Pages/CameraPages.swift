// The Sightings tab and a camera's settings: search sightings (the same search as the API,
// paged by its cursor), send chosen frames to the dataset, link a camera to a deployment and
// make its key (shown once on its device page).
import APITypes
import Fluent
import MinnowCore
import Vapor

extension WebRoutes {
    func registerCameraPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.sightings) { request in
            let session = try await requireSession(request)
            return try await sightingsPage(request, session, try await project(request, session))
        }
        routes.post(WebRoute.sightingsToDataset) { request in try await framesToDataset(request) }
        routes.post(WebRoute.cameraDeployment) { request in try await linkDeployment(request) }
        routes.post(WebRoute.createCameraKey) { request in try await createCameraKey(request) }
    }

    private struct SightingQuery: Content {
        var label: String?
        var deviceId: String?
        var from: String?
        var to: String?
        /// Text, as a form sends them (blank when not filled in).
        var minScore: String?
        var maxScore: String?
        var cursor: String?
    }

    private struct FramesForm: Content {
        var observationIds: [String]?
        var labelled: String?
    }

    private struct DeploymentForm: Content {
        var deployment: String?
    }

    private func sightingsPage(_ request: Request, _ session: WebSession, _ project: Project) async throws -> Response {
        let query = try request.query.decode(SightingQuery.self)
        func blankIsNil(_ text: String?) -> String? {
            text.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        let filter = SightingSearch.Filter(
            label: blankIsNil(query.label), deviceID: query.deviceId.flatMap(UUID.init(uuidString:)),
            from: blankIsNil(query.from).flatMap(Self.utcMinute), to: blankIsNil(query.to).flatMap(Self.utcMinute),
            minScore: blankIsNil(query.minScore).flatMap(Double.init),
            maxScore: blankIsNil(query.maxScore).flatMap(Double.init))
        let page = try await SightingSearch(db: request.db).search(
            in: try project.requireID(), filter,
            after: query.cursor.flatMap(SightingSearch.Cursor.init), limit: 48)
        let cameras = try await Device.query(on: request.db).filter(\.$project.$id == project.requireID()).filter(
            \.$kind == .camera
        ).sort(\.$name).all()
        let given: [(String, String?)] = [
            ("label", query.label), ("deviceId", query.deviceId), ("from", query.from), ("to", query.to),
            ("minScore", query.minScore), ("maxScore", query.maxScore),
        ]
        let sightings = WebRoute.sightings(try project.requireID().apiString)
        let view = Views.SightingsPage(
            sightings: page.items.map { $0.api() },
            cameras: try cameras.map { (try $0.requireID().apiString, $0.name) },
            query: Dictionary(given.compactMap { key, value in value.map { (key, $0) } }, uniquingKeysWith: { $1 }),
            nextPage: page.next.map { sightings.with(given + [("cursor", $0.text)]) })
        return Page.response(
            Views.sightings(session: session, project: project, page: view, errors: .none, notice: notice(request)))
    }

    /// `yyyy-MM-ddTHH:mm` from a datetime-local field, read as UTC.
    private static func utcMinute(_ text: String) -> Date? {
        try? Date(text + (text.count == 16 ? ":00Z" : "Z"), strategy: .iso8601)
    }

    private func framesToDataset(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(FramesForm.self)
        let ids = (form.observationIds ?? []).compactMap(UUID.init(uuidString:))
        let projectID = try project.requireID().apiString
        guard !ids.isEmpty else { return Page.redirect(WebRoute.sightings(projectID).notice("no-frames-chosen")) }
        let selection = FramesToDataset.Selection(
            observationIDs: Array(ids.prefix(FramesToDataset.maximumFrames)), labelled: form.labelled == "1")
        let report = try await FramesToDataset(db: request.db, threadPool: request.application.threadPool).add(
            selection, to: project)
        return Page.redirect(
            WebRoute.images(projectID).with([
                ("unlabelled", form.labelled == "1" ? "0" : "1"), ("source", "device"),
                ("notice", "frames-added"), ("n", String(report.images.count)),
            ]))
    }

    private func linkDeployment(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let device = try await cameraDevice(request, project)
        let form = try request.content.decode(DeploymentForm.self)
        switch try await DeviceRegistry(db: request.db).update(
            device, in: project, .init(deployment: form.deployment ?? ""))
        {
        case .success:
            return Page.redirect(
                WebRoute.device(try project.requireID().apiString, device: try device.requireID().apiString).notice(
                    "camera-saved"))
        case .failure(let failure): throw Abort(.unprocessableEntity, reason: failure.message)
        }
    }

    private func createCameraKey(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let device = try await cameraDevice(request, project)
        let created = try await APIKeys(db: request.db).create(
            ownerID: session.userID, name: "\(device.name) camera", projectID: try project.requireID().uuidString,
            permissions: [.ingest], expiresAt: nil, deviceID: try device.requireID().uuidString)
        guard case .success(let key) = created else { throw Abort(.unprocessableEntity) }
        let location = WebRoute.device(try project.requireID().apiString, device: try device.requireID().apiString)
        return try services.secretReveal.redirect(
            to: location, revealing: .init(subject: try key.key.requireID().uuidString, value: key.secret),
            session: session, request: request)
    }

    private func cameraDevice(_ request: Request, _ project: Project) async throws -> Device {
        guard
            let device = try await DeviceRegistry(db: request.db).find(request.parameter(.deviceID) ?? "", in: project),
            device.kind == .camera
        else {
            throw PageError.notFound
        }
        return device
    }
}
