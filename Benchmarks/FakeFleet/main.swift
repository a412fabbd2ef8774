import Dispatch
import Foundation
import InfraMonitorTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

// A fake node_exporter fleet in a process of its own, so that what a benchmark measures of the
// scraper (its resident memory above all) is the scraper's alone.
//
// Usage: FakeFleet COUNT TARGETS_FILE [PAGE]
//
// Binds COUNT HTTP servers, one per loopback address 127.0.(20 + i / 250).(i % 250 + 1) on a port
// the kernel picks (127.0.0.0/8 is all loopback on Linux; nothing else is bound), writes their
// addresses to TARGETS_FILE as a Prometheus file_sd JSON list, prints `ready COUNT` and serves
// until SIGTERM or SIGINT, when it prints `served N requests` on standard error and exits.
// Each server answers node_exporter's `collect[]` filter with the families of PAGE (default:
// the 100 KB node_exporter fixture of the collector tests) that node_exporter would send for
// that collector, and the whole page without a filter. All servers share one event-loop thread.

final class PageHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let pages: NodeExporterCollectPages
    let served: NIOLockedValueBox<Int>
    private let head = NIOLockedValueBox<HTTPRequestHead?>(nil)

    init(pages: NodeExporterCollectPages, served: NIOLockedValueBox<Int>) {
        self.pages = pages
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head.withLockedValue { $0 = request }
        case .body: break
        case .end:
            guard let request = head.withLockedValue({ $0 }) else { return }
            let body = pages.page(for: request.uri)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.count))
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            served.withLockedValue { $0 += 1 }
            if request.isKeepAlive {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = Int(arguments[1]), count > 0, count <= 250 * 200 else {
    FileHandle.standardError.write(Data("usage: FakeFleet COUNT TARGETS_FILE [PAGE]\n".utf8))
    exit(2)
}
let pagePath =
    arguments.count > 3
    ? arguments[3]
    : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/CollectorsTests/Fixtures/node_exporter_100k.prom").path
guard let fullPage = try? String(contentsOfFile: pagePath, encoding: .utf8), !fullPage.isEmpty else {
    FileHandle.standardError.write(Data("cannot read the page \(pagePath)\n".utf8))
    exit(1)
}
let pages = NodeExporterCollectPages(fullPage: fullPage)
let served = NIOLockedValueBox(0)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
var targets: [String] = []
for index in 0..<count {
    let address = "127.0.\(20 + index / 250).\(index % 250 + 1)"
    let channel = try ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(PageHandler(pages: pages, served: served))
            }
        }
        .bind(host: address, port: 0).wait()
    targets.append("\(address):\(channel.localAddress?.port ?? 0)")
}
let list = "[{\"targets\": [" + targets.map { "\"\($0)\"" }.joined(separator: ", ") + "], \"labels\": {\"fleet\": \"fake\"}}]\n"
try Data(list.utf8).write(to: URL(fileURLWithPath: arguments[2]), options: .atomic)
FileHandle.standardOutput.write(Data("ready \(count)\n".utf8))

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let stop: @Sendable () -> Void = {
    FileHandle.standardError.write(Data("served \(served.withLockedValue { $0 }) requests\n".utf8))
    exit(0)
}
let signals = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler(handler: stop)
    source.resume()
    return source
}
withExtendedLifetime(signals) { dispatchMain() }
