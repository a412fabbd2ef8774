import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request one synthetic target received.
struct ServedRequest: Sendable {
    /// The target's address `127.0.x.y:port`.
    var target: String
    var uri: String
    var headers: [(String, String)]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// What a synthetic target answers.
struct ServedResponse: Sendable {
    var status: Int = 200
    var body: [UInt8] = []
    var contentType = "text/plain; version=0.0.4; charset=utf-8"
    var contentEncoding: String?
    /// Seconds before the answer is sent.
    var delay: Double = 0
    /// Close the connection instead of answering (a reset, for the retry).
    var closeWithoutAnswer = false
}

/// A fleet of HTTP servers, each on its own loopback address (127.0.0.0/8 is all loopback on
/// Linux), answering through one closure. Only loopback addresses are ever bound or contacted.
final class LoopbackFleet: Sendable {
    let group: MultiThreadedEventLoopGroup
    /// The bound addresses `127.0.x.y:port`, in the order asked.
    let targets: [String]
    private let channels: [any Channel]

    /// Binds one server on port 0 of each address (each must be in 127.0.0.0/8).
    init(addresses: [String], threads: Int = 1, respond: @escaping @Sendable (ServedRequest) -> ServedResponse) async throws {
        precondition(addresses.allSatisfy { $0.hasPrefix("127.") }, "only loopback addresses")
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var channels: [any Channel] = []
        var targets: [String] = []
        for address in addresses {
            let bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let local = channel.localAddress
                        let name = "\(local?.ipAddress ?? address):\(local?.port ?? 0)"
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(TargetHandler(target: name, respond: respond))
                    }
                }
            let channel = try await bootstrap.bind(host: address, port: 0).get()
            channels.append(channel)
            targets.append("\(address):\(channel.localAddress?.port ?? 0)")
        }
        self.channels = channels
        self.targets = targets
    }

    func stop() async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}

/// A port on `address` that nothing listens on (bound, then closed).
func closedPort(on address: String) throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_addr.s_addr = inet_addr(address)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &socketAddress) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: socketAddress.sin_port))
}

private final class TargetHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let target: String
    let respond: @Sendable (ServedRequest) -> ServedResponse
    private var head: HTTPRequestHead?

    init(target: String, respond: @escaping @Sendable (ServedRequest) -> ServedResponse) {
        self.target = target
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let request = ServedRequest(target: target, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) })
            let response = respond(request)
            if response.closeWithoutAnswer {
                context.close(promise: nil)
                return
            }
            let loop = context.eventLoop.assumeIsolated()
            if response.delay > 0 {
                loop.scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) { self.write(response, head: head, context: context) }
            } else {
                write(response, head: head, context: context)
            }
        }
    }

    private func write(_ response: ServedResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        if let encoding = response.contentEncoding { headers.add(name: "Content-Encoding", value: encoding) }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
