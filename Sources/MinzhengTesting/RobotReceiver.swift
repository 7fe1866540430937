import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Local stand-ins for the robots on loopback: `/wecom/NAME`, `/dingtalk/NAME`, `/feishu/NAME` answer with
/// each platform's real reply bodies, `/hook/NAME` is a Standard Webhooks receiver. Every request is kept
/// with whether its signature checked out, computed here independently of the product's code. Replies can
/// be scripted per robot (error codes, slowness); unscripted requests get the platform's success reply.
public final class RobotReceiver: Sendable {
    public struct Receipt: Sendable {
        public let at: Date
        public let robot: String
        public let channel: String
        public let webhookID: String?
        public let body: Data
        /// Nil when no secret is set for the robot (nothing to check).
        public let signatureValid: Bool?

        /// The message text (robots) or the event `type` (webhooks).
        public var text: String {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return "" }
            if let text = (object["text"] as? [String: Any])?["content"] as? String { return text }
            if let text = (object["content"] as? [String: Any])?["text"] as? String { return text }
            return object["type"] as? String ?? ""
        }
    }

    public enum Reply: Sendable {
        /// The platform's error code in its reply body (HTTP 200 unless given).
        case code(Int, http: Int = 200, retryAfter: String? = nil)
        /// Success, after a pause.
        case slow(milliseconds: Int)
        /// A bare HTTP status.
        case status(Int)
    }

    private struct State {
        var receipts: [Receipt] = []
        var scripts: [String: [Reply]] = [:]
        var secrets: [String: String] = [:]
        var delays: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let server: ServiceGroup
    public let port: Int

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on a free loopback port.
    public static func start() async throws -> RobotReceiver {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let receiver = RobotReceiverBox()
        let router = Router()
        router.post("/:channel/:robot") { request, context -> Response in
            guard let made = receiver.value.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return try await made.handle(request, context)
        }
        var logger = Logger(label: "robot-receiver")
        // The server's shutdown, and connections cut by a test, are not the test's concern.
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
        let made = RobotReceiver(port: port, server: group)
        receiver.value.withLock { $0 = made }
        return made
    }

    private init(port: Int, server: ServiceGroup) {
        self.port = port
        self.server = server
    }

    /// Shuts the server down gracefully. Cancelling its task instead could trap (NIO's "Deinited NIOAsyncWriter
    /// without calling finish()", apple/swift-nio#3481) when a connection had been accepted but not yet served,
    /// as happened once in a `make test` run.
    public func stop() { Task { [server] in await server.triggerGracefulShutdown() } }

    public func url(_ channel: String, _ robot: String, query: String = "") -> String {
        "\(baseURL)/\(channel)/\(robot)\(query)"
    }

    public func script(_ robot: String, _ replies: [Reply]) { state.withLock { $0.scripts[robot, default: []] += replies } }
    public func setSecret(_ robot: String, _ secret: String) { state.withLock { $0.secrets[robot] = secret } }
    /// Every reply of the robot waits this long first.
    public func setDelay(_ robot: String, milliseconds: Int) { state.withLock { $0.delays[robot] = milliseconds } }
    public var receipts: [Receipt] { state.withLock { $0.receipts } }
    public func receipts(_ robot: String) -> [Receipt] { state.withLock { $0.receipts.filter { $0.robot == robot } } }

    /// Waits until `condition` holds over the receipts, or the time is up.
    public func wait(seconds: Double = 10, until condition: @Sendable ([Receipt]) -> Bool) async throws -> [Receipt] {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let now = receipts
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(20))
        }
        return receipts
    }

    private func handle(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let channel = context.parameters.get("channel") ?? ""
        let robot = context.parameters.get("robot") ?? ""
        let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
        let (secret, reply, delay) = state.withLock { state -> (String?, Reply?, Int?) in
            let reply = state.scripts[robot]?.isEmpty == false ? state.scripts[robot]!.removeFirst() : nil
            return (state.secrets[robot], reply, state.delays[robot])
        }
        if let delay { try await Task.sleep(for: .milliseconds(delay)) }
        let webhookID = request.headers[HTTPField.Name("webhook-id")!]
        let valid = secret.map { Self.verify(channel: channel, secret: $0, request: request, body: body) }
        state.withLock {
            $0.receipts.append(Receipt(at: Date(), robot: robot, channel: channel, webhookID: webhookID, body: body, signatureValid: valid))
        }
        if valid == false {
            // What each platform answers to a bad signature.
            switch channel {
            case "dingtalk": return Self.json(#"{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}"#)
            case "feishu": return Self.json(#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#)
            default: return Response(status: .unauthorized)
            }
        }
        switch reply {
        case .code(let code, let http, let retryAfter)?:
            var response = Self.json(channel == "feishu" ? #"{"code":\#(code),"msg":"error \#(code)","data":{}}"#
                                                         : #"{"errcode":\#(code),"errmsg":"error \#(code)"}"#, status: http)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .slow(let milliseconds)?:
            try await Task.sleep(for: .milliseconds(milliseconds))
        case .status(let status)?:
            return Response(status: .init(code: status))
        case nil:
            break
        }
        switch channel {
        case "feishu": return Self.json(#"{"code":0,"msg":"success","data":{}}"#)
        case "hook": return Response(status: .noContent)
        default: return Self.json(#"{"errcode":0,"errmsg":"ok"}"#)
        }
    }

    private static func json(_ text: String, status: Int = 200) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Each platform's signature check, written from DOMAIN.md without the product's code.
    static func verify(channel: String, secret: String, request: Request, body: Data) -> Bool {
        switch channel {
        case "dingtalk":
            let query = request.uri.queryParameters
            guard let timestamp = query["timestamp"].map(String.init), let sign = query["sign"].map(String.init),
                let decoded = sign.removingPercentEncoding
            else { return false }
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
            return Data(mac).base64EncodedString() == decoded
        case "feishu":
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let timestamp = object["timestamp"] as? String,
                let sign = object["sign"] as? String
            else { return false }
            let mac = HMAC<SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8)))
            return Data(mac).base64EncodedString() == sign
        case "hook":
            guard let id = request.headers[HTTPField.Name("webhook-id")!], let timestamp = request.headers[HTTPField.Name("webhook-timestamp")!],
                let signature = request.headers[HTTPField.Name("webhook-signature")!], secret.hasPrefix("whsec_"),
                let key = Data(base64Encoded: String(secret.dropFirst(6)))
            else { return false }
            var message = Data("\(id).\(timestamp).".utf8)
            message.append(body)
            let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            return signature.split(separator: " ").contains { $0 == "v1," + Data(mac).base64EncodedString() }
        default:
            return true
        }
    }
}

/// Lets the route reach the receiver made after the router.
private final class RobotReceiverBox: Sendable {
    let value = Mutex<RobotReceiver?>(nil)
}

/// A TCP listener on loopback that accepts each connection and closes it at once: a receiver that drops
/// the connection without answering.
public final class DroppingListener: Sendable {
    public let port: Int
    private let socket: Int32

    public init() throws {
        let (fd, port) = try LoopbackSocket.bound(listening: true)
        socket = fd
        self.port = port
        Thread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(client, &buffer, buffer.count, 0)
                close(client)
            }
        }.start()
    }

    public func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }
}

/// TCP sockets on 127.0.0.1 with a port the system picks.
public enum LoopbackSocket {
    /// A socket bound (and listening, if asked) on a free loopback port, and that port.
    public static func bound(listening: Bool) throws -> (socket: Int32, port: Int) {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (!listening || listen(fd, 64) == 0) && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A socket connected to `port` on 127.0.0.1 (a client that speaks HTTP by hand).
    public static func connected(to port: Int) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// A loopback port nobody listens on at the moment of asking (for a server process started next).
    public static func freePort() throws -> Int {
        let (fd, port) = try bound(listening: false)
        close(fd)
        return port
    }
}
