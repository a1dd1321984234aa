import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import NIOCore
import Testing
import Vapor

@Suite("Account handlers")
struct AuthHandlerTests {
    @Test func registerSignInChangePasswordSignOutAndLeave() async throws {
        try await HandlerHarness.withAccounts { harness in
            // act
            let registered = try await harness.call(as: nil) {
                try await $0.register(.init(body: .json(.init(username: "Ada", password: "correct horse"))))
            }
            let taken = try await harness.call(as: nil) {
                try await $0.register(.init(body: .json(.init(username: "ada", password: "another one"))))
            }
            let tooShort = try await harness.call(as: nil) {
                try await $0.register(.init(body: .json(.init(username: "bob", password: "x"))))
            }
            let signedIn = try await harness.call(as: nil) {
                try await $0.login(.init(body: .json(.init(username: "ADA", password: "correct horse"))))
            }
            let wrong = try await harness.call(as: nil) {
                try await $0.login(.init(body: .json(.init(username: "ada", password: "wrong horse"))))
            }
            let nobody = try await harness.call(as: nil) {
                try await $0.login(.init(body: .json(.init(username: "nobody", password: "correct horse"))))
            }
            let token = Credentials(bearer: try signedIn.ok.body.json.accessToken)
            let me = try await harness.call(as: token) { try await $0.getCurrentUser(.init()) }
            let wrongCurrent = try await harness.call(as: token) {
                try await $0.changePassword(
                    .init(body: .json(.init(currentPassword: "nope", newPassword: "battery staple"))))
            }
            let changed = try await harness.call(as: token) {
                try await $0.changePassword(
                    .init(body: .json(.init(currentPassword: "correct horse", newPassword: "battery staple"))))
            }
            let oldToken = try await harness.call(as: token) { try await $0.getCurrentUser(.init()) }
            let newToken = Credentials(bearer: try changed.ok.body.json.accessToken)
            let oldPassword = try await harness.call(as: nil) {
                try await $0.login(.init(body: .json(.init(username: "ada", password: "correct horse"))))
            }
            let signedOut = try await harness.call(as: newToken) { try await $0.logout(.init()) }
            let afterSignOut = try await harness.call(as: newToken) { try await $0.getCurrentUser(.init()) }
            let again = Credentials(
                bearer: try await harness.call(as: nil) {
                    try await $0.login(.init(body: .json(.init(username: "ada", password: "battery staple"))))
                }.ok.body.json.accessToken)
            let left = try await harness.call(as: again) { try await $0.deleteAccount(.init()) }
            let gone = try await harness.call(as: nil) {
                try await $0.login(.init(body: .json(.init(username: "ada", password: "battery staple"))))
            }
            // check
            let ada = try registered.created.body.json
            #expect(ada.username == "ada")
            #expect(try taken.conflict.body.json.error.message.contains("\"ada\" is taken"))
            _ = try tooShort.unprocessableContent
            #expect(try signedIn.ok.body.json.tokenType == .bearer && signedIn.ok.body.json.expiresAt > Date())
            #expect(try wrong.unauthorized.body.json.error.message == "Wrong username or password.")
            #expect(try nobody.unauthorized.body.json.error.message == "Wrong username or password.")
            #expect(try me.ok.body.json.id == ada.id && me.ok.body.json.username == "ada")
            #expect(try wrongCurrent.unprocessableContent.body.json.error.message == "The current password is wrong.")
            _ = try oldToken.unauthorized
            _ = try oldPassword.unauthorized
            _ = try signedOut.noContent
            _ = try afterSignOut.unauthorized
            _ = try left.noContent
            _ = try gone.unauthorized
            #expect(try await User.query(on: harness.db).count() == 0)
        }
    }

    @Test func signInLimitsCountEachUsernameAndEachAddress() async throws {
        var limits = LoginLimits()
        limits.failuresPerUsername = 2
        limits.attemptsPerAddress = 3
        try await HandlerHarness.withAccounts(limits: limits) { harness in
            // setup
            for name in ["ada", "bob"] {
                _ = try await harness.call(as: nil) {
                    try await $0.register(.init(body: .json(.init(username: name, password: "correct horse"))))
                }.created
            }
            let home = try SocketAddress(ipAddress: "192.0.2.1", port: 40000)
            let office = try SocketAddress(ipAddress: "192.0.2.2", port: 40000)
            func login(
                _ username: String, _ password: String, from address: SocketAddress
            ) async throws -> Operations.Login.Output {
                try await CurrentRequest.$peerAddress.withValue(address) {
                    try await harness.call(as: nil) {
                        try await $0.login(.init(body: .json(.init(username: username, password: password))))
                    }
                }
            }
            // act: two wrong passwords for ada lock her name, from any address
            let firstWrong = try await login("ada", "wrong", from: home)
            let secondWrong = try await login("ada", "wrong", from: home)
            let adaLocked = try await login("ada", "correct horse", from: office)
            let bobFromHome = try await login("bob", "correct horse", from: home)
            // home has made three attempts: its fourth is refused, whoever it is for
            let homeLocked = try await login("bob", "correct horse", from: home)
            let bobFromOffice = try await login("bob", "correct horse", from: office)
            // check
            _ = try firstWrong.unauthorized
            _ = try secondWrong.unauthorized
            let refused = try adaLocked.tooManyRequests
            #expect(
                try (refused.headers.retryAfter ?? 0) > 0
                    && refused.body.json.error.message.hasPrefix("Too many sign-in attempts"))
            _ = try bobFromHome.ok
            #expect(try homeLocked.tooManyRequests.body.json.error.code == "rate_limited")
            _ = try bobFromOffice.ok
        }
    }

    @Test func keysHaveNoAccountAndSomeoneMustSignIn() async throws {
        try await HandlerHarness.withAccounts { harness in
            // setup
            let ada = try await harness.person("ada")
            let key = try await harness.key(
                [.read, .write], for: try await harness.project("pets", ownerID: ada.id), ownerID: ada.id)
            // act
            let keyMe = try await harness.call(as: key) { try await $0.getCurrentUser(.init()) }
            let keyLogout = try await harness.call(as: key) { try await $0.logout(.init()) }
            let keyPassword = try await harness.call(as: key) {
                try await $0.changePassword(
                    .init(body: .json(.init(currentPassword: "a", newPassword: "battery staple"))))
            }
            let keyLeaves = try await harness.call(as: key) { try await $0.deleteAccount(.init()) }
            let anonymousMe = try await harness.call(as: nil) { try await $0.getCurrentUser(.init()) }
            let anonymousLeaves = try await harness.call(as: nil) { try await $0.deleteAccount(.init()) }
            let personMe = try await harness.call(as: ada.credentials) { try await $0.getCurrentUser(.init()) }
            // check
            #expect(try keyMe.forbidden.body.json.error.message.contains("API keys cannot do this"))
            _ = try keyLogout.forbidden
            _ = try keyPassword.forbidden
            _ = try keyLeaves.forbidden
            #expect(try anonymousMe.unauthorized.headers.wwwAuthenticate == "Bearer")
            _ = try anonymousLeaves.unauthorized
            #expect(try personMe.ok.body.json.username == "ada")
        }
    }
}

extension HandlerHarness {
    /// A harness whose handler hashes passwords cheaply (`PlainPasswords`) and signs in under `limits`.
    static func withAccounts<T>(
        limits: LoginLimits = LoginLimits(), _ body: (HandlerHarness) async throws -> T
    ) async throws -> T {
        try await with { harness in
            var config = ServerConfiguration()
            config.loginLimits = limits
            let services = MinnowServices(
                config: config, secret: Data(repeating: 7, count: 64),
                dummyPasswordHash: PlainPasswords.prefix + "dummy")
            let app = harness.app
            let dependencies = APIDependencies(
                database: { app.db }, services: services,
                passwords: {
                    PlainPasswords().async(on: app.threadPool, hopTo: app.eventLoopGroup.any())
                })
            return try await body(HandlerHarness(app: app, handler: APIHandler(dependencies)))
        }
    }
}

/// Passwords "hashed" by a prefix: these tests are about the handlers, not bcrypt's cost.
struct PlainPasswords: PasswordHasher {
    static let prefix = "plain:"

    func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
        Array(Self.prefix.utf8) + password
    }

    func verify<Password: DataProtocol, Digest: DataProtocol>(
        _ password: Password, created digest: Digest
    ) throws -> Bool {
        Array(digest) == Array(Self.prefix.utf8) + password
    }
}
