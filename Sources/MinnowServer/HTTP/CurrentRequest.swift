// What is per request and reaches the generated API handlers through task-locals set by
// `APITransport`: the caller's credentials, the peer's address (sign-in limits) and the
// request's logger. Everything else comes from `APIDependencies`; handler unit tests bind
// what they need, or nothing.
import Logging
import MinnowCore
import NIOCore
import Vapor

enum CurrentRequest {
    /// Who sent the request being handled; handler unit tests bind their own.
    @TaskLocal static var credentials: Credentials?
    /// The address the request came from (nil when unknown), as sign-in limits count it.
    @TaskLocal static var peerAddress: SocketAddress?
    /// The request's logger (Vapor's, with the request id); outside a request, a plain one.
    @TaskLocal static var logger = Logger(label: "minnow.api")
}
