// The Devices tab: the project's boards, cameras and bridges (with the ports each bridge sees),
// registering a device, and a device's page: install a trained iteration on a board (the same
// domain actions as the API), its install history with the last log, and what it reported; a
// camera's deployment, key and command.
import APITypes
import Firmware
import Fluent
import MinnowCore
import Vapor

extension WebRoutes {
    func registerDevicePages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.devices) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            return try await devicesPage(request, session, project, notice: notice(request))
        }
        routes.post(WebRoute.devices) { request in try await register(request) }
        routes.get(WebRoute.device) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            let device = try await device(request, project)
            let newKey = services.secretReveal.take(request, session: session)?.value
            let response = try await devicePage(
                request, session, project, device, newKey: newKey, notice: notice(request))
            if newKey != nil { services.secretReveal.shown(on: response, request: request) }
            return response
        }
        routes.post(WebRoute.installOnDevice) { request in try await install(request) }
        routes.post(WebRoute.deleteDevice) { request in
            let session = try await requireForm(request)
            let project = try await project(request, session)
            try await DeviceRegistry(db: request.db).delete(try await device(request, project))
            return Page.redirect(WebRoute.devices(try project.requireID().apiString).notice("device-deleted"))
        }
    }

    private struct RegisterForm: Content {
        var name: String?
        var profile: String?
        var bridge: String?
        var usbSerial: String?
        var kind: String?
        var deployment: String?

        /// The values, to show them again next to the form's errors.
        var asValues: [String: String] {
            [
                "name": name ?? "", "profile": profile ?? "", "bridge": bridge ?? "", "usbSerial": usbSerial ?? "",
                "kind": kind ?? "", "deployment": deployment ?? "",
            ]
        }
    }

    private struct InstallForm: Content {
        var iterationId: String?
    }

    private func device(_ request: Request, _ project: Project) async throws -> Device {
        guard
            let device = try await DeviceRegistry(db: request.db).find(request.parameter(.deviceID) ?? "", in: project)
        else {
            throw PageError.notFound
        }
        return device
    }

    private func register(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let form = try request.content.decode(RegisterForm.self)
        func blankIsNil(_ value: String?) -> String? {
            value.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let kind: DeviceKind = form.kind == DeviceKind.camera.rawValue ? .camera : .board
        let changes =
            kind == .camera
            ? DeviceRegistry.Changes(name: blankIsNil(form.name) ?? "", deployment: blankIsNil(form.deployment))
            : DeviceRegistry.Changes(
                name: blankIsNil(form.name) ?? "", profile: blankIsNil(form.profile), bridge: blankIsNil(form.bridge),
                usb: blankIsNil(form.usbSerial).map { .init(serialNumber: $0) })
        switch try await DeviceRegistry(db: request.db).create(in: project, kind: kind, changes) {
        case .success(let device):
            let notice = kind == .camera ? "camera-saved" : "device-registered"
            return Page.redirect(
                WebRoute.device(try project.requireID().apiString, device: try device.requireID().apiString).notice(
                    notice))
        case .failure(let failure):
            let errors = FormErrors(fields: [
                failure.field?.replacingOccurrences(of: "usb.serialNumber", with: "usbSerial") ?? "name": failure
                    .message
            ])
            return try await devicesPage(
                request, session, project, form: form.asValues, errors: errors, status: .unprocessableEntity)
        }
    }

    private func install(_ request: Request) async throws -> Response {
        let session = try await requireForm(request)
        let project = try await project(request, session)
        let device = try await device(request, project)
        let form = try request.content.decode(InstallForm.self)
        let installs = DeviceInstalls(db: request.db, leaseSeconds: services.config.installLeaseSeconds)
        switch try await installs.request(form.iterationId ?? "", on: device, in: project, by: session.userID) {
        case .success:
            return Page.redirect(
                WebRoute.device(try project.requireID().apiString, device: try device.requireID().apiString).notice(
                    "install-queued"))
        case .failure(let failure):
            return try await devicePage(
                request, session, project, device, errors: FormErrors(general: failure.message),
                status: .unprocessableEntity)
        }
    }

    private func devicesPage(
        _ request: Request, _ session: WebSession, _ project: Project, form: [String: String] = [:],
        errors: FormErrors = .none, notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let (devices, _) = try await DeviceRegistry(db: request.db).list(
            in: project, page: Paging(page: 1, perPage: 100))
        let latest = try await DeviceInstalls(db: request.db).latest(for: devices)
        let bridges = try await BridgeRegistry(db: request.db).list(in: project)
        let page = Views.DevicesPage(
            devices: try devices.map { try $0.api(lastInstall: latest[$0.id ?? UUID()], now: Date()) },
            bridges: try bridges.map { try $0.api(now: Date()) },
            profiles: BoardProfile.all.map { ($0.name, $0.displayName) },
            deployments: try await deploymentNames(request, project), form: form)
        return Page.response(
            Views.devices(session: session, project: project, page: page, errors: errors, notice: notice),
            status: status)
    }

    private func deploymentNames(_ request: Request, _ project: Project) async throws -> [String] {
        try await Deployment.query(on: request.db).filter(\.$project.$id == project.requireID()).sort(\.$name).all()
            .map(\.name)
    }

    private func devicePage(
        _ request: Request, _ session: WebSession, _ project: Project, _ device: Device, newKey: String? = nil,
        errors: FormErrors = .none,
        notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let installs = DeviceInstalls(db: request.db)
        let (history, _) = try await installs.list(for: device, page: Paging(page: 1, perPage: 20))
        let (observations, total) = try await DeviceObservations(db: request.db, models: services.models).list(
            for: device, page: Paging(page: 1, perPage: 20))
        let trained = try await Iteration.query(on: request.db).filter(\.$project.$id == project.requireID())
            .filter(\.$status == .succeeded).sort(\.$number, .descending).all()
        let page = Views.DevicePage(
            device: try device.api(lastInstall: history.first, now: Date()),
            installs: try history.map { try $0.api(withLog: false) },
            lastLog: history.first?.log, observations: try observations.map { try $0.api() }, observationCount: total,
            trained: try trained.map { (id: try $0.requireID().apiString, number: $0.number) },
            camera: device.kind == .camera
                ? Views.cameraSection(
                    session: session, project: project, device: try device.api(now: Date()),
                    deployments: try await deploymentNames(request, project),
                    newKey: newKey,
                    serverURL: "\(services.config.scheme)://\(request.headers.first(name: .host) ?? "localhost")") : nil
        )
        return Page.response(
            Views.device(session: session, project: project, page: page, errors: errors, notice: notice), status: status
        )
    }
}
